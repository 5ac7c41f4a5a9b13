package sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// TestPeriodCarriesMemoryAndP90 is worked example K (see
// TestWorkloadMetricsWorkedExampleK) read from the report periods: a
// 512-unit, 1024-MiB task serving one 125 ms request a second uses 25 %
// of its CPU and 12.5 % of its memory (120 MiB idle + 32 MiB per request
// in flight), and every request spends exactly 0.25 s in it, so the
// period's p50, p90 and p99 are all 0.25 s, within the histogram's
// 1.6 % relative error.
func TestPeriodCarriesMemoryAndP90(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3[:1], 1)
	f.webDef("web", 512, 1024, 0)
	f.run(time.Minute)
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web"})
	f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1, Observer: lb})
	trace := &traffic.RequestTrace{}
	for i := range 3600 {
		trace.At = append(trace.At, time.Duration(i)*time.Second)
		trace.Size = append(trace.Size, 1)
	}
	arr, err := traffic.NewTraceArrivals(trace, 5*time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	wl := f.workload(sim.WorkloadConfig{LoadBalancer: lb, Arrivals: arr, Demand: traffic.Fixed{CPU: 125 * time.Millisecond},
		MemoryBaseMiB: 120, MemoryPerRequestMiB: 32, ReportPeriod: 5 * time.Minute})
	f.run(15 * time.Minute)
	var steady *sim.Period
	for _, p := range wl.Periods() {
		if p.Start.Equal(sim.DefaultStart.Add(10 * time.Minute)) {
			steady = &p
		}
	}
	if steady == nil {
		t.Fatalf("no period from minute 10 in %v", wl.Periods())
	}
	if math.Abs(steady.CPUUtilization-25) > 1e-9 || math.Abs(steady.MemoryUtilization-12.5) > 1e-9 {
		t.Errorf("CPU %.12g %%, memory %.12g %%; want 25 and 12.5", steady.CPUUtilization, steady.MemoryUtilization)
	}
	for _, q := range []struct {
		name string
		d    time.Duration
	}{{"p50", steady.P50}, {"p90", steady.P90}, {"p99", steady.P99}} {
		if rel := math.Abs(q.d.Seconds()-0.25) / 0.25; rel > 0.016 {
			t.Errorf("%s = %v, want 250ms within 1.6 %%", q.name, q.d)
		}
	}
}
