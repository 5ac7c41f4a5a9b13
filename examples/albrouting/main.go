// Command albrouting answers a question every ALB owner meets when request
// costs vary: round robin, least outstanding requests, or something else?
// It runs one service at a fixed size under each routing policy with the
// same seeded demand and prints latency and errors side by side. Two of the
// policies are not ALB's: the power of two choices and join the shortest
// queue, plugged in through loadbalancer.Router.
//
//	go run ./examples/albrouting             # 4 policies + random × 3 seeds
//	go run ./examples/albrouting -load 0.9   # closer to saturation
//
// The service: 8 Fargate tasks of 1 vCPU behind an ALB, each a pool of 4
// worker threads (FCFS, 4 slots of a quarter vCPU each, an unbounded queue,
// 30 s client timeout); requests cost 100 ms of CPU on average with a
// squared coefficient of variation of 4 (hyperexponential: most are cheap,
// a few are heavy), Poisson arrivals at the chosen load (0.8 by default,
// 64 requests/s). Health checks are answered outside the request queue so
// that only routing differs. Each arm runs 10 minutes of warm-up and one
// measured hour.
package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
	"github.com/ecssim/ecssim/sweep"
)

// Policy is one routing policy of the comparison.
type Policy struct {
	Name      string
	Algorithm loadbalancer.Algorithm // ALB's own, or zero with Router
	Router    loadbalancer.Router    // a custom policy, or nil
}

// Policies are the arms: ALB's three algorithms and two custom routers.
var Policies = []Policy{
	{Name: "round robin", Algorithm: loadbalancer.RoundRobin},
	{Name: "least outstanding", Algorithm: loadbalancer.LeastOutstandingRequests},
	{Name: "weighted random", Algorithm: loadbalancer.WeightedRandom},
	{Name: "power of two*", Router: powerOfTwo{}},
	{Name: "shortest queue*", Router: shortestQueue{}},
}

// powerOfTwo draws two targets and sends the request to the one with fewer
// requests in flight (Mitzenmacher's power of two choices).
type powerOfTwo struct{}

func (powerOfTwo) Route(ts []loadbalancer.RouteTarget, rng *rand.Rand) int {
	a, b := rng.IntN(len(ts)), rng.IntN(len(ts))
	if ts[b].InFlight < ts[a].InFlight {
		return b
	}
	return a
}

// shortestQueue sends every request to a target with the fewest requests
// in flight, the lowest ID among ties (deterministic, unlike ALB's least
// outstanding requests, which draws among ties).
type shortestQueue struct{}

func (shortestQueue) Route(ts []loadbalancer.RouteTarget, _ *rand.Rand) int {
	best := 0
	for k, t := range ts {
		if t.InFlight < ts[best].InFlight {
			best = k
		}
	}
	return best
}

// Arm is one simulation: a policy, a seed and a load.
type Arm struct {
	Policy Policy
	Seed   uint64
	Load   float64 // offered CPU over available CPU
}

// Outcome is what one arm measured over its hour.
type Outcome struct {
	Arm            Arm
	Mean, P50, P99 time.Duration // time in a task of the requests served
	Errors         int64         // 5xx and client timeouts
	Requests       int64
}

const (
	tasks    = 8
	meanWork = 100 * time.Millisecond
	workSCV  = 4
)

// Run simulates one arm.
func Run(arm Arm) (Outcome, error) {
	s, err := sim.New(sim.Config{Seed: arm.Seed})
	if err != nil {
		return Outcome{}, err
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		return Outcome{}, err
	}
	cluster, err := w.CreateCluster("routing")
	if err != nil {
		return Outcome{}, err
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "api", CPU: 1024, MemoryMiB: 2048, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers:              []sim.ContainerDefinition{{Name: "app", Image: "api:1"}},
	}); err != nil {
		return Outcome{}, err
	}
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "api", TargetGroup: loadbalancer.Config{
		Algorithm: arm.Policy.Algorithm, Router: arm.Policy.Router,
		HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2},
	}})
	if err != nil {
		return Outcome{}, err
	}
	if _, err := cluster.CreateService(sim.ServiceConfig{Name: "api", TaskDefinition: "api", DesiredCount: tasks,
		LaunchType: sim.Fargate, Observer: lb}); err != nil {
		return Outcome{}, err
	}
	// The tasks start and turn healthy; the load begins at 00:50 so that
	// the hour from 01:00 to 02:00 is one whole report period after ten
	// minutes of warm-up.
	if err := s.RunFor(50 * time.Minute); err != nil {
		return Outcome{}, err
	}
	rate := arm.Load * tasks / meanWork.Seconds() // requests/s that use Load of the CPU
	wl, err := w.NewWorkload(sim.WorkloadConfig{
		LoadBalancer: lb, Source: traffic.Constant{PerSecond: rate},
		Demand:                 traffic.HyperExponential{Mean: meanWork, SCV: workSCV},
		Server:                 traffic.ServerConfig{Discipline: traffic.FCFS, Concurrency: 4, QueueLimit: traffic.Unlimited, Timeout: 30 * time.Second},
		SeparateHealthEndpoint: true,
		ReportPeriod:           time.Hour,
	})
	if err != nil {
		return Outcome{}, err
	}
	if err := s.RunFor(70*time.Minute + time.Second); err != nil {
		return Outcome{}, err
	}
	p := wl.Periods()
	if len(p) != 2 || p[1].Length != time.Hour {
		return Outcome{}, fmt.Errorf("albrouting: want the warm-up and one whole hour, got %d periods", len(p))
	}
	h := p[1]
	c := h.Counters
	return Outcome{Arm: arm, Mean: h.Mean, P50: h.P50, P99: h.P99, Errors: c.Errors5xx() + c.TimedOut, Requests: c.Arrived}, nil
}

// Sweep runs every arm, one Sim per goroutine, and returns the outcomes in
// the order of arms whatever order they finish in.
func Sweep(arms []Arm) ([]Outcome, error) { return sweep.Map(arms, Run) }

// Summary is one policy's outcomes averaged over seeds.
type Summary struct {
	Policy         string
	Mean, P50, P99 time.Duration
	ErrorPct       float64
}

// Summarise averages the outcomes of each policy, in the order of arms.
func Summarise(outs []Outcome) []Summary {
	var sums []Summary
	n := map[string]int{} // lookup only; order comes from outs
	var errs, reqs []int64
	for _, o := range outs {
		i, ok := n[o.Arm.Policy.Name]
		if !ok {
			i = len(sums)
			n[o.Arm.Policy.Name] = i
			sums = append(sums, Summary{Policy: o.Arm.Policy.Name})
			errs, reqs = append(errs, 0), append(reqs, 0)
		}
		s := &sums[i]
		s.Mean += o.Mean
		s.P50 += o.P50
		s.P99 += o.P99
		errs[i] += o.Errors
		reqs[i] += o.Requests
	}
	for i := range sums {
		k := 0
		for _, o := range outs {
			if o.Arm.Policy.Name == sums[i].Policy {
				k++
			}
		}
		s := &sums[i]
		s.Mean, s.P50, s.P99 = s.Mean/time.Duration(k), s.P50/time.Duration(k), s.P99/time.Duration(k)
		if reqs[i] > 0 {
			s.ErrorPct = 100 * float64(errs[i]) / float64(reqs[i])
		}
	}
	return sums
}

// Print writes the comparison table.
func Print(out io.Writer, arms []Arm, sums []Summary) {
	rate := arms[0].Load * tasks / meanWork.Seconds()
	fmt.Fprintf(out, "ecssim albrouting: %d Fargate tasks × 4 threads behind an ALB, %.0f req/s of 100 ms CPU (SCV %d), load %.2f, %d arms\n\n",
		tasks, rate, workSCV, arms[0].Load, len(arms))
	fmt.Fprintf(out, "%-18s %9s %9s %9s %8s\n", "routing", "mean ms", "p50 ms", "p99 ms", "errors%")
	for _, s := range sums {
		fmt.Fprintf(out, "%-18s %9.1f %9.1f %9.1f %8.3f\n", s.Policy, ms(s.Mean), ms(s.P50), ms(s.P99), s.ErrorPct)
	}
	fmt.Fprintln(out, "\n* not an ALB algorithm: a loadbalancer.Router of this example's own")
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e5) / 10 }

// Arms is the comparison: every policy with every seed.
func Arms(load float64, seeds int) []Arm {
	var arms []Arm
	for _, p := range Policies {
		for seed := 1; seed <= seeds; seed++ {
			arms = append(arms, Arm{Policy: p, Seed: uint64(seed), Load: load})
		}
	}
	return arms
}

func main() {
	load := flag.Float64("load", 0.8, "offered CPU over available CPU, 0.1 to 0.97")
	seeds := flag.Int("seeds", 3, "seeds per policy")
	flag.Parse()
	if *load < 0.1 || *load > 0.97 || *seeds < 1 {
		fmt.Fprintln(os.Stderr, "albrouting: -load must be 0.1 to 0.97 and -seeds at least 1")
		os.Exit(2)
	}
	arms := Arms(*load, *seeds)
	outs, err := Sweep(arms)
	if err != nil {
		fmt.Fprintln(os.Stderr, "albrouting:", err)
		os.Exit(1)
	}
	Print(os.Stdout, arms, Summarise(outs))
}
