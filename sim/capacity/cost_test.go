package capacity

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

func roundTo(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// TestWorkedExampleM: Fargate billing in us-east-1. Each row is checked
// against the reference's own expression (exactly) and against the figure
// it prints, to within one unit of the last printed digit.
func TestWorkedExampleM(t *testing.T) {
	p := USEast1Prices()
	tests := []struct {
		name    string
		size    FargateTaskSize
		ran     time.Duration
		expr    float64 // the reference's expression
		printed float64 // the figure the reference prints
		unit    float64 // one unit of its last printed digit
	}{
		{"1 vCPU/2 GB x86 for 30 s → billed 60 s → $0.00082283",
			FargateTaskSize{CPU: 1024, MemoryMiB: 2048}, 30 * time.Second, (0.04048 + 2*0.004445) / 60, 0.00082283, 1e-8},
		// 0.04937 × 91 / 3600 = 0.0012479639, which the reference prints
		// rounded up as 0.00124797.
		{"1 vCPU/2 GB x86 for 90.4 s → billed 91 s → $0.00124797",
			FargateTaskSize{CPU: 1024, MemoryMiB: 2048}, 90400 * time.Millisecond, 0.04937 * 91 / 3600, 0.00124797, 1e-8},
		// The reference prints $0.296226, but its expression
		// (0.25 × 0.04048 + 0.5 × 0.004445) × 24 = 0.0123425 × 24 is
		// 0.296220 exactly: the printed last digit is an arithmetic slip,
		// so the printed check uses the corrected figure.
		{"0.25 vCPU/0.5 GB x86 for 24 h → $0.296226 (really 0.296220)",
			FargateTaskSize{CPU: 256, MemoryMiB: 512}, 24 * time.Hour, (0.25*0.04048 + 0.5*0.004445) * 24, 0.296220, 1e-6},
		{"4 vCPU/16 GB ARM for 1 h → $0.18648",
			FargateTaskSize{CPU: 4096, MemoryMiB: 16384, Arch: ARM64}, time.Hour, 4*0.03238 + 16*0.00356, 0.18648, 1e-5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := p.FargateTaskCost(tt.size, false, tt.ran)
			if math.Abs(got-tt.expr) > 1e-15 {
				t.Errorf("FargateTaskCost = %.12f, want the expression %.12f", got, tt.expr)
			}
			if math.Abs(got-tt.printed) > tt.unit {
				t.Errorf("FargateTaskCost = %.12f, more than one last digit from the printed %v", got, tt.printed)
			}
			// The accumulator bills the same task the same way.
			acc, _ := NewAccumulator(p)
			if err := acc.StartFargateTask("t", FargateUsage{Service: "web", Provider: Fargate, Cluster: "c", Size: tt.size}, time.Minute); err != nil {
				t.Fatal(err)
			}
			if err := acc.Stop("t", time.Minute+tt.ran); err != nil {
				t.Fatal(err)
			}
			if got := acc.Report(48 * time.Hour).Total; math.Abs(got-tt.expr) > 1e-15 {
				t.Errorf("accumulated = %.12f, want %.12f", got, tt.expr)
			}
		})
	}
}

func TestBilledSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int64
	}{
		{0, 0}, {-time.Second, 0}, {time.Nanosecond, 60}, {30 * time.Second, 60}, {time.Minute, 60},
		{time.Minute + time.Millisecond, 61}, {90400 * time.Millisecond, 91}, {time.Hour, 3600},
	}
	for _, tt := range tests {
		if got := BilledSeconds(tt.d); got != tt.want {
			t.Errorf("BilledSeconds(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func TestFargateRatesSpotWindowsAndStorage(t *testing.T) {
	p := USEast1Prices()
	oneTwo := FargateTaskSize{CPU: 1024, MemoryMiB: 2048}
	const onDemand = 0.04048 + 2*0.004445 // $0.04937/h at https://aws.amazon.com/fargate/pricing/ (us-east-1)
	tests := []struct {
		name string
		size FargateTaskSize
		spot bool
		want float64
	}{
		{"1 vCPU/2 GB x86", oneTwo, false, onDemand},
		{"Fargate Spot 70% off", oneTwo, true, onDemand * 0.3},
		{"40 GiB storage adds 20 GB-hours of storage", FargateTaskSize{CPU: 1024, MemoryMiB: 2048, EphemeralStorageGiB: 40}, false, onDemand + 20*0.000111},
		{"Windows adds the licence", FargateTaskSize{CPU: 1024, MemoryMiB: 2048, OS: Windows}, false, 0.09148 + 2*0.01005 + 0.046},
	}
	for _, tt := range tests {
		if got := p.FargateHourlyRate(tt.size, tt.spot); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("%s: %.8f $/h, want %.8f", tt.name, got, tt.want)
		}
	}
	// 1 vCPU/2 GB is 0.04937 × 730 = $36.04 a 730-hour month.
	if got := roundTo(p.FargateTaskCost(oneTwo, false, 730*time.Hour), 2); got != 36.04 {
		t.Errorf("1 vCPU/2 GB month = %.2f, want 36.04", got)
	}
	// EC2: per second with a 60 s minimum; c6i.large at $0.085/h.
	if got, want := p.EC2InstanceCost(0.085, false, 10*time.Second), 0.085/60; math.Abs(got-want) > 1e-15 {
		t.Errorf("EC2 10 s = %v, want the 60 s minimum %v", got, want)
	}
	if got, want := p.EC2InstanceCost(0.085, true, time.Hour), 0.085*0.3; math.Abs(got-want) > 1e-15 {
		t.Errorf("EC2 Spot hour = %v, want %v", got, want)
	}
}

func TestAccumulatorBreakdownAndIdle(t *testing.T) {
	p := USEast1Prices()
	acc, err := NewAccumulator(p)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// An instance of 2 vCPU / 4 GiB at $0.10/h for one hour; an "api" task
	// reserving half of it (1 vCPU, 2 GiB) for the whole hour and a "worker"
	// task reserving a quarter of the CPU and none of the memory for half an
	// hour. A Fargate task of "api" in the same cluster for one hour.
	must(acc.StartInstance("i-1", InstanceUsage{Provider: "asg", Cluster: "prod", OnDemandPerHour: 0.10, CPU: 2048, MemoryMiB: 4096}, 0))
	must(acc.StartEC2Task("t-1", EC2TaskUsage{Service: "api", InstanceID: "i-1", CPU: 1024, MemoryMiB: 2048}, 0))
	must(acc.StartEC2Task("t-2", EC2TaskUsage{Service: "worker", InstanceID: "i-1", CPU: 512}, 0))
	must(acc.StartFargateTask("f-1", FargateUsage{Service: "api", Provider: Fargate, Cluster: "prod", Size: FargateTaskSize{CPU: 1024, MemoryMiB: 2048}}, 0))
	must(acc.Stop("t-2", 30*time.Minute))
	must(acc.Stop("f-1", time.Hour))
	must(acc.Stop("i-1", time.Hour)) // also stops t-1

	fargate := 0.04048 + 2*0.004445
	api := 0.10*0.5 + fargate         // share (0.5 + 0.5)/2 for 1 h
	worker := 0.10 * (0.25 / 2) * 0.5 // share (0.25 + 0)/2 for 0.5 h
	idle := 0.10 - 0.10*0.5 - 0.10*(0.25/2)*0.5
	want := Report{
		Total:      0.10 + fargate,
		ByService:  []CostLine{{Key: "api", Cost: api}, {Key: "worker", Cost: worker}},
		ByProvider: []CostLine{{Key: Fargate, Cost: fargate}, {Key: "asg", Cost: 0.10, Idle: idle}},
		ByCluster:  []CostLine{{Key: "prod", Cost: 0.10 + fargate, Idle: idle}},
	}
	if diff := cmp.Diff(want, acc.Report(2*time.Hour), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
	if err := acc.Stop("i-1", 2*time.Hour); !errors.Is(err, ErrUnknownID) {
		t.Errorf("second stop: %v", err)
	}
	must(acc.StartInstance("i-2", InstanceUsage{CPU: 1, MemoryMiB: 1}, 0))
	if err := acc.StartInstance("i-2", InstanceUsage{CPU: 1, MemoryMiB: 1}, 0); !errors.Is(err, ErrUnknownID) {
		t.Errorf("duplicate start: %v", err)
	}
	if err := acc.StartEC2Task("t-9", EC2TaskUsage{InstanceID: "nope"}, 0); !errors.Is(err, ErrUnknownID) {
		t.Errorf("task on unknown instance: %v", err)
	}
	if err := acc.StartFargateTask("f-9", FargateUsage{Size: FargateTaskSize{CPU: 384, MemoryMiB: 1024}}, 0); !errors.Is(err, ErrInvalidTaskSize) {
		t.Errorf("bad size: %v", err)
	}
	if err := acc.StartFargateTask("f-w", FargateUsage{Spot: true, Size: FargateTaskSize{CPU: 1024, MemoryMiB: 2048, OS: Windows}}, 0); !errors.Is(err, ErrInvalidTaskSize) {
		t.Errorf("Windows on Fargate Spot: %v", err)
	}
	if _, err := NewAccumulator(Prices{FargateSpotDiscount: 1, EC2SpotDiscount: -0.1}); !errors.Is(err, ErrInvalidConfig) ||
		!containsLine(err, "FargateSpotDiscount 1:") || !containsLine(err, "EC2SpotDiscount -0.1:") {
		t.Errorf("bad prices: %v", err)
	}
}

// TestCostProperties: zero usage costs zero; the reported cost of every
// key never decreases as time passes; stopping at now leaves the report at
// now unchanged; services plus idle add up to the total.
func TestCostProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		acc, _ := NewAccumulator(USEast1Prices())
		if r := acc.Report(time.Duration(rapid.Int64Range(0, 1e15).Draw(t, "emptyAt"))); r.Total != 0 || len(r.ByService)+len(r.ByProvider)+len(r.ByCluster) != 0 {
			t.Fatalf("zero usage reported %+v", r)
		}
		sizes := []FargateTaskSize{{CPU: 256, MemoryMiB: 512}, {CPU: 1024, MemoryMiB: 2048, Arch: ARM64}, {CPU: 4096, MemoryMiB: 8192, EphemeralStorageGiB: 50}}
		var open, instances []string
		now := time.Duration(0)
		prev := acc.Report(now)
		for step := range rapid.IntRange(1, 40).Draw(t, "steps") {
			now += time.Duration(rapid.Int64Range(0, int64(10*time.Minute)).Draw(t, "gap"))
			id := fmt.Sprintf("x%d", step)
			switch rapid.IntRange(0, 3).Draw(t, "op") {
			case 0:
				size := sizes[rapid.IntRange(0, len(sizes)-1).Draw(t, "size")]
				spot := rapid.Bool().Draw(t, "spot")
				prov := Fargate
				if spot {
					prov = FargateSpot
				}
				_ = acc.StartFargateTask(id, FargateUsage{Service: rapid.SampledFrom([]string{"a", "b"}).Draw(t, "svc"), Provider: prov, Cluster: "c", Size: size, Spot: spot}, now)
				open = append(open, id)
			case 1:
				_ = acc.StartInstance(id, InstanceUsage{Provider: "asg", Cluster: "c", OnDemandPerHour: 0.1, Spot: rapid.Bool().Draw(t, "ispot"), CPU: 4096, MemoryMiB: 8192}, now)
				instances = append(instances, id)
				open = append(open, id)
			case 2:
				if len(instances) > 0 {
					inst := instances[rapid.IntRange(0, len(instances)-1).Draw(t, "inst")]
					if acc.StartEC2Task(id, EC2TaskUsage{Service: "a", InstanceID: inst, CPU: 1024, MemoryMiB: 2048}, now) == nil {
						open = append(open, id)
					}
				}
			case 3:
				if len(open) > 0 {
					i := rapid.IntRange(0, len(open)-1).Draw(t, "stop")
					before := acc.Report(now)
					_ = acc.Stop(open[i], now) // may already be stopped with its instance
					open = append(open[:i], open[i+1:]...)
					if diff := cmp.Diff(before, acc.Report(now), cmpopts.EquateApprox(0, 1e-12)); diff != "" {
						t.Fatalf("stopping at now changed the report (-before +after):\n%s", diff)
					}
				}
			}
			r := acc.Report(now)
			assertNotLess(t, prev, r)
			var sum float64
			for _, l := range r.ByService {
				sum += l.Cost
			}
			for _, l := range r.ByCluster {
				sum += l.Idle
			}
			if math.Abs(sum-r.Total) > 1e-9 {
				t.Fatalf("services + idle = %v, total %v", sum, r.Total)
			}
			prev = r
		}
	})
}

func assertNotLess(t *rapid.T, before, after Report) {
	if after.Total < before.Total-1e-12 {
		t.Fatalf("total fell from %v to %v", before.Total, after.Total)
	}
	for _, pair := range [][2][]CostLine{{before.ByService, after.ByService}, {before.ByProvider, after.ByProvider}, {before.ByCluster, after.ByCluster}} {
		later := map[string]float64{}
		for _, l := range pair[1] {
			later[l.Key] = l.Cost
		}
		for _, l := range pair[0] {
			if later[l.Key] < l.Cost-1e-12 {
				t.Fatalf("%s fell from %v to %v", l.Key, l.Cost, later[l.Key])
			}
		}
	}
}
