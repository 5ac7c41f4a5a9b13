package sim_test

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// powerOfTwo is the power-of-two-choices router: two targets drawn at
// random, the one with fewer requests in flight takes the request.
type powerOfTwo struct{}

func (powerOfTwo) Route(ts []loadbalancer.RouteTarget, rng *rand.Rand) int {
	a, b := rng.IntN(len(ts)), rng.IntN(len(ts))
	if ts[b].InFlight < ts[a].InFlight {
		return b
	}
	return a
}

// routingRun serves 90 requests/s of exponential work (mean 100 ms on one
// vCPU) with 10 one-vCPU tasks, one request at a time each (FCFS, one
// slot, no queue limit): ρ = 0.9. It returns the mean time a request
// spends in a task. Health checks are answered outside the queue: this is
// about routing, not about overloaded tasks going unhealthy.
func routingRun(t *testing.T, seed uint64, tg loadbalancer.Config) float64 {
	t.Helper()
	f := newFixture(t, seed, sim.WorldConfig{})
	f.launch("m5.2xlarge", zones3, 3)
	f.webDef("web", 1024, 1024, 0)
	f.run(time.Minute)
	tg.HealthCheck = loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2}
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: tg})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 10, Observer: lb})
	f.run(2 * time.Minute)
	if !svc.Steady() {
		t.Fatal("service not steady before the load starts")
	}
	wl := f.workload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 90},
		Demand: traffic.Exponential{Mean: 100 * time.Millisecond}, SeparateHealthEndpoint: true,
		Server: traffic.ServerConfig{Discipline: traffic.FCFS, Concurrency: 1, QueueLimit: traffic.Unlimited}})
	f.run(2 * time.Hour)
	c := wl.Counters()
	checkConserved(t, c)
	return c.SojournSeconds / float64(c.Served+c.TimedOut+c.Aborted)
}

// TestCustomRouterPowerOfTwoChoices holds a Router to queueing theory. With
// random routing each task is an M/M/1 queue at ρ = 0.9, whose mean
// sojourn is E[S]/(1 − ρ) = 1 s; with the power of two choices the
// supermarket model (Mitzenmacher 2001) gives Σ ρ^(2^i − 2) · E[S] ≈
// 0.26 s as the number of tasks grows, and ten tasks come close. So the
// weighted-random ALB must measure 1 s within 10 % (2 hours × 3 seeds),
// and the custom router under half of it.
func TestCustomRouterPowerOfTwoChoices(t *testing.T) {
	if testing.Short() {
		t.Skip("six simulated hours at 90 requests/s")
	}
	supermarket := 0.0
	for i := 1; i < 10; i++ {
		supermarket += math.Pow(0.9, math.Pow(2, float64(i))-2) * 0.1
	}
	for seed := uint64(1); seed <= 3; seed++ {
		random := routingRun(t, seed, loadbalancer.Config{Algorithm: loadbalancer.WeightedRandom})
		p2c := routingRun(t, seed, loadbalancer.Config{Router: powerOfTwo{}})
		t.Logf("seed %d: mean sojourn random %.3f s (M/M/1: 1 s), power of two %.3f s (supermarket limit %.3f s)", seed, random, p2c, supermarket)
		if math.Abs(random-1) > 0.10 {
			t.Errorf("seed %d: random routing mean sojourn %.3f s, want 1 s ± 10 %%", seed, random)
		}
		if p2c > 0.5 || p2c < supermarket {
			t.Errorf("seed %d: power of two choices %.3f s, want between the supermarket limit %.3f s and 0.5 s", seed, p2c, supermarket)
		}
	}
}
