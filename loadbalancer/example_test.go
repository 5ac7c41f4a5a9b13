package loadbalancer_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
)

// A target group with two targets: they register, pass health checks
// (InitialHealthyThreshold 1, so one check each), share requests by round
// robin through the two zones' nodes, and then one is deregistered and
// drains its last request.
func Example() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g, err := loadbalancer.New(loadbalancer.Config{
		HealthCheck:         loadbalancer.HealthCheck{Interval: 10 * time.Second, InitialHealthyThreshold: 1},
		DeregistrationDelay: 60 * time.Second,
	})
	if err != nil {
		panic(err)
	}
	for id, zone := range []string{"us-east-1a", "us-east-1b"} {
		if err := g.Register(start, loadbalancer.Target{ID: id, Zone: zone}); err != nil {
			panic(err)
		}
	}
	// No target is healthy yet, so the group fails open to every
	// registered target, initial ones included.
	id, _ := g.Route(start, nil)
	fmt.Println("0s: nothing healthy, fail open: request to target", id)
	g.Begin(id)
	g.End(start, id)

	// The hub wakes the group when it asks to and learns of each change.
	transitions, next, ok := g.Advance(start.Add(10*time.Second), nil)
	for _, tr := range transitions {
		fmt.Println(tr)
	}
	if ok {
		fmt.Println("next wake-up:", next.Sub(start))
	} else {
		// Healthy targets that keep passing need no wake-ups until their
		// answer changes (SetResponse) or they are deregistered.
		fmt.Println("no wake-up needed while both pass their checks")
	}

	// Two zones, so two load-balancer nodes, each with its own round-robin
	// cursor; without an rng the requests enter the nodes in turn.
	now := start.Add(11 * time.Second)
	for range 4 {
		id, _ := g.Route(now, nil)
		g.Begin(id)
		fmt.Println("request to target", id)
	}
	g.End(now, 1)
	g.End(now, 1)
	g.End(now, 0) // target 0 still has one request in flight

	drained, _ := g.Deregister(now, 0)
	fmt.Println("deregistered target 0, drained at once:", drained)
	id, _ = g.Route(now, nil)
	fmt.Println("next request goes to target", id)
	g.Begin(id)

	if g.End(start.Add(15*time.Second), 0) {
		fmt.Println("15s: target 0's last request ended: safe to stop the task")
	}
	transitions, _, _ = g.Advance(start.Add(80*time.Second), nil)
	for _, tr := range transitions {
		fmt.Println(tr)
	}
	// Output:
	// 0s: nothing healthy, fail open: request to target 0
	// 2026-01-01T00:00:10Z target 0: initial -> healthy
	// 2026-01-01T00:00:10Z target 1: initial -> healthy
	// no wake-up needed while both pass their checks
	// request to target 1
	// request to target 1
	// request to target 0
	// request to target 0
	// deregistered target 0, drained at once: false
	// next request goes to target 1
	// 15s: target 0's last request ended: safe to stop the task
	// 2026-01-01T00:01:11Z target 0: draining -> unused (Target.NotRegistered)
}

// A routing policy ALB does not offer, the power of two choices: two
// targets drawn at random, the one with fewer requests in flight takes the
// request. Three targets already hold 4, 0 and 2 requests.
func ExampleRouter() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	powerOfTwo := loadbalancer.RouterFunc(func(ts []loadbalancer.RouteTarget, rng *rand.Rand) int {
		a, b := rng.IntN(len(ts)), rng.IntN(len(ts))
		if ts[b].InFlight < ts[a].InFlight {
			return b
		}
		return a
	})
	g, err := loadbalancer.New(loadbalancer.Config{Router: powerOfTwo,
		HealthCheck: loadbalancer.HealthCheck{InitialHealthyThreshold: 1}})
	if err != nil {
		panic(err)
	}
	for id := range 3 {
		if err := g.Register(start, loadbalancer.Target{ID: id, Zone: "us-east-1a"}); err != nil {
			panic(err)
		}
	}
	now := start.Add(time.Minute)
	g.Advance(now, nil) // each passed its first check: all healthy
	for id, n := range []int{4, 0, 2} {
		for range n {
			g.Begin(id)
		}
	}
	// The routed requests are not begun, so in flight stays 4, 0, 2: the
	// idle target wins unless both draws miss it (5/9 of the requests), the
	// target with 2 when it meets itself or the busiest (3/9), the busiest
	// only against itself (1/9).
	rng := rand.New(rand.NewPCG(1, 2))
	count := make([]int, 3)
	for range 900 {
		id, _ := g.Route(now, rng)
		count[id]++
	}
	fmt.Println("requests per target:", count)
	// Output:
	// requests per target: [102 500 298]
}

// Enums read and write their AWS spellings, so a configuration file needs
// no table of its own.
func ExampleAlgorithm_UnmarshalText() {
	var tg struct {
		Type      loadbalancer.Type      `json:"type"`
		Algorithm loadbalancer.Algorithm `json:"algorithm"`
	}
	err := json.Unmarshal([]byte(`{"type": "application", "algorithm": "least_outstanding_requests"}`), &tg)
	fmt.Println(tg.Type, tg.Algorithm, err)
	err = json.Unmarshal([]byte(`{"algorithm": "fastest"}`), &tg)
	fmt.Println(err)
	// Output:
	// alb least_outstanding_requests <nil>
	// loadbalancer: invalid config: Algorithm "fastest": must be one of round_robin, least_outstanding_requests, weighted_random, flow_hash
}

// powerOfTwo is the power-of-two-choices router declaring a fluid model:
// simulations that do not route requests one by one model it as least
// outstanding requests, its limit as the choices grow.
type powerOfTwo struct{}

func (powerOfTwo) Route(ts []loadbalancer.RouteTarget, rng *rand.Rand) int {
	a, b := rng.IntN(len(ts)), rng.IntN(len(ts))
	if ts[b].InFlight < ts[a].InFlight {
		return b
	}
	return a
}

func (powerOfTwo) FluidAlgorithm() loadbalancer.Algorithm {
	return loadbalancer.LeastOutstandingRequests
}

// A Router declares its fluid model by implementing FluidRouter; one that
// does not is refused, naming its type, where requests are not simulated
// one by one.
func ExampleFluidRouter() {
	declared := loadbalancer.Config{Router: powerOfTwo{}}
	alg, err := declared.FluidAlgorithm()
	fmt.Println(alg, err)
	undeclared := loadbalancer.Config{Router: loadbalancer.RouterFunc(func(ts []loadbalancer.RouteTarget, _ *rand.Rand) int { return 0 })}
	_, err = undeclared.FluidAlgorithm()
	fmt.Println(errors.Is(err, loadbalancer.ErrNoFluidModel))
	fmt.Println(err)
	// Output:
	// least_outstanding_requests <nil>
	// true
	// loadbalancer: router declares no fluid model: Router "loadbalancer.RouterFunc": implement FluidRouter (FluidAlgorithm() Algorithm) to use it in fluid mode, or simulate requests one by one
}

// A caller that reads a group's counts every minute keeps its own copy:
// OnChange reports them at once and after every change, here as two
// targets register and pass their first health check.
func ExampleTargetGroup_OnChange() {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	g, err := loadbalancer.New(loadbalancer.Config{HealthCheck: loadbalancer.HealthCheck{Interval: 10 * time.Second, InitialHealthyThreshold: 1}})
	if err != nil {
		panic(err)
	}
	var healthy, registered int // the caller's copy
	g.OnChange(func(c loadbalancer.Counts, _ int) {
		healthy, registered = c.Healthy, c.Initial+c.Healthy+c.Unhealthy
		fmt.Printf("healthy %d of %d registered\n", healthy, registered)
	})
	for id, zone := range []string{"us-east-1a", "us-east-1b"} {
		if err := g.Register(start, loadbalancer.Target{ID: id, Zone: zone}); err != nil {
			panic(err)
		}
	}
	g.Advance(start.Add(10*time.Second), nil)
	// Output:
	// healthy 0 of 0 registered
	// healthy 0 of 1 registered
	// healthy 0 of 2 registered
	// healthy 1 of 2 registered
	// healthy 2 of 2 registered
}
