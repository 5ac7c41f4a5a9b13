package sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// TestFluidWorkloadFollowsQueueingTheory: in fluid mode, 20 requests/s of
// 100 ms on 4 one-vCPU tasks behind a weighted-random ALB (independent
// Poisson shares) give exactly the utilisation law's CPUUtilization,
// 100 · λ·E[work] / (n · vCPU) = 50 %, every minute; the served requests'
// mean latency is M/G/1-PS's E[S]/(1 − ρ) = 0.2 s (to the 100-point
// discretisation of the exponential, within 2 %); and every request is
// accounted for.
func TestFluidWorkloadFollowsQueueingTheory(t *testing.T) {
	f, lb, _, store := webBehindALBRouting(t, 1, loadbalancer.WeightedRandom)
	wl := f.workload(sim.WorkloadConfig{LoadBalancer: lb, Mode: sim.FluidMode, Source: traffic.Constant{PerSecond: 20},
		MeanWork: 100 * time.Millisecond, SCV: 1, Metrics: store, ReportPeriod: 10 * time.Minute,
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited}})
	f.run(30 * time.Minute)
	cpu := metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web")
	for m := 5; m < 30; m++ {
		end := f.s.Start().Add(3*time.Minute + time.Duration(m)*time.Minute)
		v, ok := store.Statistic(cpu, metrics.Average, time.Minute, end)
		if !ok || math.Abs(v-50) > 1e-9 {
			t.Errorf("CPUUtilization in the minute before %v: %v (%v), want 50", end.Format("15:04"), v, ok)
		}
	}
	c := wl.Counters()
	checkConserved(t, c)
	if c.Arrived != 30*60*20 || c.Served != c.Arrived {
		t.Errorf("arrived %d, served %d; want %d of each", c.Arrived, c.Served, 30*60*20)
	}
	ps := wl.Periods()
	if len(ps) == 0 {
		t.Fatalf("no period closed")
	}
	if got := ps[len(ps)-1].Mean.Seconds(); math.Abs(got-0.2)/0.2 > 0.02 {
		t.Errorf("mean latency %.4f s, M/G/1-PS says 0.2 s", got)
	}
}
