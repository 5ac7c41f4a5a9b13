package sim_test

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// TestWorldMM1MatchesTheory is the M/M/1 oracle through
// the whole world: one 1-vCPU task behind an ALB, FCFS with one slot,
// Poisson arrivals at λ = 5/s and exponential work of mean 100 ms (μ =
// 10/s, ρ = 0.5). The sojourn is exponential with rate μ − λ: mean 0.2 s,
// p99 ln(100)/5 = 0.921 s. Over 3 seeds of 200,000 requests each (the
// first hour, about 18,000 requests, discarded as warm-up) the means are
// within 3 % and the p99 within 5 %.
func TestWorldMM1MatchesTheory(t *testing.T) {
	if testing.Short() {
		t.Skip("600,000 requests")
	}
	var mean, p99 float64
	seeds := []uint64{1, 2, 3}
	for _, seed := range seeds {
		f := newFixture(t, seed, sim.WorldConfig{})
		f.launch("m5.large", zones3[:1], 1)
		f.webDef("web", 1024, 1024, 0)
		f.run(time.Minute)
		lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
			HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2}}})
		f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1, Observer: lb})
		f.run(time.Minute)
		wl := f.workload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 5},
			Demand: traffic.Exponential{Mean: 100 * time.Millisecond},
			Server: traffic.ServerConfig{Concurrency: 1, QueueLimit: traffic.Unlimited}, ReportPeriod: time.Hour})
		f.run(58*time.Minute + 11*time.Hour) // periods end on the hour: 01:00, 02:00, ...
		ps := wl.Periods()[1:]
		var n, sum, q float64
		for _, p := range ps {
			k := float64(p.Counters.Served)
			n += k
			sum += k * p.Mean.Seconds()
			q += p.P99.Seconds() / float64(len(ps))
		}
		if n < 180000 {
			t.Fatalf("seed %d: %v requests measured", seed, n)
		}
		mean += sum / n / float64(len(seeds))
		p99 += q / float64(len(seeds))
	}
	t.Logf("mean %.4f s, p99 %.4f s", mean, p99)
	if rel := math.Abs(mean-0.2) / 0.2; rel > 0.03 {
		t.Errorf("mean sojourn %.4f s, theory 0.2 s (off %.1f %%)", mean, 100*rel)
	}
	// The mean of hourly p99s estimates the p99 of the stationary sojourn.
	if want := math.Log(100) / 5; math.Abs(p99-want)/want > 0.05 {
		t.Errorf("p99 sojourn %.4f s, theory %.4f s", p99, want)
	}
}

// TestWorkloadConservationProperty: whatever the load, queue, timeout,
// deregistration delay, stop timeout, desired-count changes and
// deployments, every request is accounted for at every minute, and once
// arrivals stop and everything has drained nothing is left in flight and
// Little's law holds exactly.
func TestWorkloadConservationProperty(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		seed := rapid.Uint64().Draw(rt, "seed")
		f := newFixture(t, seed, sim.WorldConfig{})
		f.launch("m5.2xlarge", zones3, 3)
		stop := time.Duration(rapid.IntRange(2, 120).Draw(rt, "stopTimeout")) * time.Second
		f.webDef("web", 1024, 1024, stop)
		f.run(time.Minute)
		dereg := time.Duration(rapid.IntRange(0, 60).Draw(rt, "deregSeconds")) * time.Second
		if dereg == 0 {
			dereg = loadbalancer.NoDeregistrationDelay
		}
		lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{DeregistrationDelay: dereg,
			Algorithm:   rapid.SampledFrom([]loadbalancer.Algorithm{loadbalancer.RoundRobin, loadbalancer.LeastOutstandingRequests, loadbalancer.WeightedRandom}).Draw(rt, "algorithm"),
			HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2}}})
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: rapid.IntRange(0, 6).Draw(rt, "desired"), Observer: lb})
		wl := f.workload(sim.WorkloadConfig{LoadBalancer: lb,
			Source: traffic.Constant{PerSecond: rapid.Float64Range(0, 60).Draw(rt, "rate")}, End: 20 * time.Minute,
			Demand: traffic.Exponential{Mean: time.Duration(rapid.IntRange(1, 2000).Draw(rt, "workMs")) * time.Millisecond},
			Server: traffic.ServerConfig{
				Discipline:  rapid.SampledFrom([]traffic.Discipline{traffic.FCFS, traffic.ProcessorSharing}).Draw(rt, "discipline"),
				Concurrency: rapid.IntRange(0, 8).Draw(rt, "concurrency"),
				QueueLimit:  rapid.IntRange(-1, 20).Draw(rt, "queue"),
				Timeout:     time.Duration(rapid.IntRange(0, 30).Draw(rt, "timeoutSeconds")) * time.Second,
			}})
		for m := range 20 {
			switch rapid.IntRange(0, 5).Draw(rt, "action") {
			case 0:
				if err := svc.SetDesiredCount(rapid.IntRange(0, 6).Draw(rt, "newDesired")); err != nil {
					rt.Fatal(err)
				}
			case 1:
				if err := svc.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}); err != nil {
					rt.Fatal(err)
				}
			}
			f.run(time.Minute)
			if c := wl.Counters(); c.Served+c.NoTarget+c.Rejected+c.TimedOut+c.Aborted+c.InFlight != c.Arrived {
				rt.Fatalf("minute %d: not conserved: %+v", m, c)
			}
		}
		if err := svc.SetDesiredCount(0); err != nil { // every task stops: nothing can stay in flight
			rt.Fatal(err)
		}
		f.run(10 * time.Minute)
		c := wl.Counters()
		if c.InFlight != 0 || c.Served+c.NoTarget+c.Rejected+c.TimedOut+c.Aborted != c.Arrived {
			rt.Fatalf("after all tasks stopped: %+v", c)
		}
		if d := math.Abs(c.InFlightSeconds - c.SojournSeconds); d > 1e-9*math.Max(1, c.SojournSeconds) {
			rt.Fatalf("Little's law: ∫L dt %.9f, Σ sojourn %.9f", c.InFlightSeconds, c.SojournSeconds)
		}
	})
}
