package sim_test

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// roundingAllowance is how much a sum of the same costs may differ when
// added in another order, in dollars.
const roundingAllowance = 1e-12

// costOf returns the cost of the report line key, or fails the test when
// the report has no such line (a NaN would pass every comparison).
func costOf(t *testing.T, lines []capacity.CostLine, key string) float64 {
	t.Helper()
	for _, l := range lines {
		if l.Key == key {
			return l.Cost
		}
	}
	t.Fatalf("no cost line %q in %+v", key, lines)
	return 0
}

// batchDef is a Fargate batch job that exits after runFor and stops at once.
func (f *fixture) batchDef(family string, cpu, mem int, arch sim.Architecture, storageGiB int, runFor time.Duration) {
	f.t.Helper()
	_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: family, CPU: cpu, MemoryMiB: mem, NetworkMode: sim.AWSVPC, CPUArchitecture: arch, EphemeralStorageGiB: storageGiB,
		Containers: []sim.ContainerDefinition{{Name: "job", Image: family}},
		Behavior:   sim.Behavior{RunFor: sim.Fixed(runFor), Shutdown: sim.Fixed(0)},
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// TestCostWorkedExampleM: Fargate tasks billed from the image pull (PENDING)
// to STOPPED, per second with a one-minute minimum
// (https://aws.amazon.com/fargate/pricing/).
// With exactStart, PENDING lasts 12 s and fixedLatencies' ENI detachment
// 3 s, so a job that runs R seconds is billed for 15 + R seconds:
//
//	1 vCPU / 2 GB, 30 s → 60 s billed: (0.04048 + 2 × 0.004445) / 60 = $0.00082283
//	same, 90.4 s → 91 s: 0.04937 × 91 / 3600 = $0.00124797
//	0.25 vCPU / 0.5 GB for 24 h: (0.25 × 0.04048 + 0.5 × 0.004445) × 24 = $0.296220
//	    (the reference prints $0.296226; its own expression gives 0.296220)
//	4 vCPU / 16 GB ARM for 1 h: 4 × 0.03238 + 16 × 0.00356 = $0.18648
//	the 30 s task on FARGATE_SPOT: 30 % of the first figure (the 70 % discount)
//	1 vCPU / 2 GB with 50 GiB of storage for 1 h: 0.04937 + 30 × 0.000111 = $0.05270
func TestCostWorkedExampleM(t *testing.T) {
	cases := []struct {
		name       string
		cpu, mem   int
		arch       sim.Architecture
		storageGiB int
		billed     time.Duration // from PENDING to STOPPED
		spot       bool
		want       float64
	}{
		{"1vCPU-2GB-30s", 1024, 2048, "", 0, 30 * time.Second, false, 0.00082283},
		{"1vCPU-2GB-90.4s", 1024, 2048, "", 0, 90400 * time.Millisecond, false, 0.00124797},
		{"quarter-24h", 256, 512, "", 0, 24 * time.Hour, false, 0.296220},
		{"arm-4vCPU-16GB-1h", 4096, 16384, sim.ARM64, 0, time.Hour, false, 0.18648},
		{"1vCPU-2GB-30s-spot", 1024, 2048, "", 0, 30 * time.Second, true, 0.00082283 * 0.3},
		{"1vCPU-2GB-50GiB-1h", 1024, 2048, "", 50, time.Hour, false, 0.04937 + 30*0.000111},
	}
	for _, tc := range cases {
		f := newFixture(t, 1, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
		f.batchDef("job", tc.cpu, tc.mem, tc.arch, tc.storageGiB, tc.billed-15*time.Second)
		in := sim.RunTaskInput{Cluster: "prod", TaskDefinition: "job", LaunchType: sim.Fargate}
		provider := "FARGATE"
		if tc.spot {
			if err := f.c.PutCapacityProviders([]string{"FARGATE_SPOT"}, nil); err != nil {
				t.Fatal(err)
			}
			in.LaunchType, in.CapacityProviderStrategy = "", []sim.CapacityProviderStrategyItem{{Provider: "FARGATE_SPOT", Weight: 1}}
			provider = "FARGATE_SPOT"
		}
		out, err := f.w.RunTask(in)
		if err != nil {
			t.Fatal(err)
		}
		f.run(tc.billed + time.Hour)
		tk := out.Tasks[0]
		// PROVISIONING is 10 s of exactStart's 22 s.
		if got := tk.StoppedAt().Sub(f.s.Start().Add(10 * time.Second)); got != tc.billed {
			t.Errorf("%s: PENDING to STOPPED %v, want %v", tc.name, got, tc.billed)
		}
		r := f.w.Cost()
		tol := 5e-9 + tc.want*1e-6 // the oracles are rounded to 8 significant digits
		if math.Abs(r.Total-tc.want) > tol || math.Abs(costOf(t, r.ByService, "family:job")-tc.want) > tol ||
			math.Abs(costOf(t, r.ByProvider, provider)-tc.want) > tol || math.Abs(costOf(t, r.ByCluster, "prod")-tc.want) > tol {
			t.Errorf("%s: cost %+v, want %.8f", tc.name, r, tc.want)
		}
	}
}

// TestCostEC2SharesAndIdle: an m5.large ($0.096 per hour) running for one
// hour with one task of half its CPU and a quarter of its registered
// memory bills $0.096 to the cluster; the service pays the mean of its
// shares, (0.5 + 0.25) / 2 × 0.096 × (task hours), and the rest is idle.
// A task that never reaches PENDING on Fargate costs nothing.
func TestCostEC2SharesAndIdle(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3[:1], 1)
	reg := 7985 // registered MiB of an m5.large
	f.taskDef("web", 1024, reg/4, sim.Behavior{})
	f.run(30 * time.Second) // registration
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1})
	f.run(time.Hour - 30*time.Second)
	r := f.w.Cost()
	share := (0.5 + float64(reg/4)/float64(reg)) / 2
	wantSvc := share * 0.096 * (time.Hour - 30*time.Second).Hours()
	if math.Abs(r.Total-0.096) > 1e-12 || math.Abs(costOf(t, r.ByCluster, "prod")-0.096) > 1e-12 {
		t.Errorf("total %v cluster %v, want 0.096", r.Total, costOf(t, r.ByCluster, "prod"))
	}
	if got := costOf(t, r.ByService, "web"); math.Abs(got-wantSvc) > 1e-12 {
		t.Errorf("service %v, want %v", got, wantSvc)
	}
	if idle := r.ByProvider[0].Idle; r.ByProvider[0].Key != "EC2" || math.Abs(idle-(0.096-wantSvc)) > 1e-12 {
		t.Errorf("provider line %+v, want EC2 with idle %v", r.ByProvider[0], 0.096-wantSvc)
	}
	if svc.RunningCount() != 1 {
		t.Errorf("running %d", svc.RunningCount())
	}
}

// TestCostPropertyMonotoneAndZero: as virtual time passes, the total and
// every service, provider and cluster line only grow, whatever runs, up to
// floating-point rounding (1e-12 dollars, the allowance of the
// accumulator's own property: a meter's cost is added in a different
// order once it closes, which can move the last bit); a world with no
// usage costs exactly nothing.
func TestCostPropertyMonotoneAndZero(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixtureDefaults(t, rapid.Uint64().Draw(rt, "seed"), sim.WorldConfig{Capacity: sim.CapacityConfig{
			FargateSpotInterruptions: capacity.InterruptionProcess{RatePerHour: 3},
		}})
		f.fargateDef("web", 512, 1024)
		f.taskDef("ec2", 512, 512, sim.Behavior{CrashesPerHour: 2})
		f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", MaxSize: 6, DesiredCapacity: 1, Spot: rapid.Bool().Draw(rt, "spot"),
			ManagedScaling: &capacity.ManagedScalingConfig{NoWarmup: true}, ManagedTerminationProtection: true})
		if err := f.c.PutCapacityProviders([]string{"FARGATE", "FARGATE_SPOT", "asg"}, nil); err != nil {
			rt.Fatal(err)
		}
		var svcs []*sim.Service
		if rapid.Bool().Draw(rt, "useFargate") {
			svcs = append(svcs, f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web",
				CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{{Provider: "FARGATE", Weight: 1}, {Provider: "FARGATE_SPOT", Weight: 2}}}))
		}
		if rapid.Bool().Draw(rt, "useEC2") {
			svcs = append(svcs, f.service(sim.ServiceConfig{Name: "api", TaskDefinition: "ec2",
				CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{{Provider: "asg", Weight: 1}}}))
		}
		prev := f.w.Cost()
		for range rapid.IntRange(1, 8).Draw(rt, "steps") {
			for _, s := range svcs {
				if err := s.SetDesiredCount(rapid.IntRange(0, 6).Draw(rt, "desired")); err != nil {
					rt.Fatal(err)
				}
			}
			f.run(time.Duration(rapid.IntRange(1, 600).Draw(rt, "seconds")) * time.Second)
			cur := f.w.Cost()
			if cur.Total < prev.Total-roundingAllowance {
				rt.Fatalf("total fell from %v to %v", prev.Total, cur.Total)
			}
			for _, pair := range [][2][]capacity.CostLine{{prev.ByService, cur.ByService}, {prev.ByProvider, cur.ByProvider}, {prev.ByCluster, cur.ByCluster}} {
				for _, l := range pair[0] {
					if got := costOf(t, pair[1], l.Key); !(got >= l.Cost-roundingAllowance) {
						rt.Fatalf("%s fell from %v to %v", l.Key, l.Cost, got)
					}
				}
			}
			prev = cur
		}
	})
	f := newFixture(t, 1, sim.WorldConfig{})
	f.fargateDef("web", 512, 1024)
	f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", LaunchType: sim.Fargate})
	f.run(24 * time.Hour)
	if r := f.w.Cost(); r.Total != 0 || len(r.ByService) != 0 {
		t.Errorf("zero usage cost %+v, want nothing", r)
	}
}
