// Command quickstart is ecssim's main job. For now it exercises the event
// engine on the textbook M/M/1 queue (one server, Poisson arrivals,
// exponential service) and prints the simulated mean wait and sojourn beside
// queueing theory's. Later it becomes a web service behind an ALB on Fargate
// with target tracking, driven by a real trace.
//
//	go run ./examples/quickstart
package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// result is what one run measures.
type result struct {
	customers  int           // customers measured (after the warm-up)
	meanWait   time.Duration // mean time in queue, Wq
	meanSystem time.Duration // mean time in system, W
	p99System  time.Duration // 99th percentile of time in system
	events     uint64        // events the engine ran
}

// run simulates an M/M/1 queue with arrival rate lambda and service rate mu
// (per second) until n customers have departed, ignoring the first warmup.
func run(seed uint64, lambda, mu float64, n, warmup int) (result, error) {
	s, err := sim.New(sim.Config{Seed: seed})
	if err != nil {
		return result{}, err
	}
	arrivals, services := s.Rand("arrivals"), s.Rand("services")
	exp := func(r *rand.Rand, rate float64) time.Duration {
		return time.Duration(1 + r.ExpFloat64()/rate*float64(time.Second))
	}
	var (
		queue    []time.Duration // arrival instants of customers in the system
		departed int
		waits    []time.Duration // time in queue of each measured customer
		sojourns []time.Duration // time in system of each measured customer
		started  time.Duration   // when the customer in service started
		arrive   sim.Kind
		depart   sim.Kind
	)
	startService := func() {
		started = s.Elapsed()
		s.Schedule(depart, exp(services, mu), 0)
	}
	arrive = s.Handle("arrival", sim.PhaseTraffic, func(uint64) {
		queue = append(queue, s.Elapsed())
		if len(queue) == 1 {
			startService()
		}
		s.Schedule(arrive, exp(arrivals, lambda), 0)
	})
	depart = s.Handle("departure", sim.PhaseTraffic, func(uint64) {
		if departed >= warmup {
			waits = append(waits, started-queue[0])
			sojourns = append(sojourns, s.Elapsed()-queue[0])
		}
		departed++
		queue = queue[1:]
		if len(queue) > 0 {
			startService()
		}
	})
	s.Schedule(arrive, exp(arrivals, lambda), 0)
	for departed < n {
		if _, err := s.Step(); err != nil {
			return result{}, err
		}
	}
	slices.Sort(sojourns)
	return result{
		customers:  len(sojourns),
		meanWait:   mean(waits),
		meanSystem: mean(sojourns),
		p99System:  sojourns[int(math.Ceil(0.99*float64(len(sojourns))))-1],
		events:     s.Executed(),
	}, nil
}

func mean(ds []time.Duration) time.Duration {
	var sum float64
	for _, d := range ds {
		sum += float64(d)
	}
	return time.Duration(sum / float64(len(ds)))
}

// theory returns the M/M/1 mean wait, mean sojourn and p99 sojourn for
// arrival rate lambda and service rate mu (per second): Wq = rho/(mu-lambda),
// W = 1/(mu-lambda), and the sojourn is exponential with rate mu-lambda, so
// its p-quantile is -ln(1-p)/(mu-lambda).
func theory(lambda, mu float64) (wq, w, p99 time.Duration) {
	sec := func(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }
	return sec(lambda / mu / (mu - lambda)), sec(1 / (mu - lambda)), sec(math.Log(100) / (mu - lambda))
}

func main() {
	const (
		lambda = 80.0  // requests per second
		mu     = 100.0 // one server completes 100 requests per second (10 ms each)
		n      = 1_000_000
	)
	wq, w, p99 := theory(lambda, mu)
	fmt.Printf("M/M/1 queue: %.0f requests/s arriving, %.0f/s served (utilisation %.0f %%), %d customers per seed\n\n",
		lambda, mu, 100*lambda/mu, n)
	fmt.Printf("%-6s %12s %12s %12s %10s\n", "seed", "mean wait", "mean in sys", "p99 in sys", "events")
	var sumWq, sumW, sumP99 time.Duration
	seeds := []uint64{1, 2, 3}
	for _, seed := range seeds {
		r, err := run(seed, lambda, mu, n, n/20)
		if err != nil {
			fmt.Fprintln(os.Stderr, "quickstart:", err)
			os.Exit(1)
		}
		fmt.Printf("%-6d %12s %12s %12s %10d\n", seed, r.meanWait.Round(time.Microsecond),
			r.meanSystem.Round(time.Microsecond), r.p99System.Round(time.Microsecond), r.events)
		sumWq, sumW, sumP99 = sumWq+r.meanWait, sumW+r.meanSystem, sumP99+r.p99System
	}
	k := time.Duration(len(seeds))
	fmt.Printf("%-6s %12s %12s %12s\n", "mean", (sumWq / k).Round(time.Microsecond), (sumW / k).Round(time.Microsecond), (sumP99 / k).Round(time.Microsecond))
	fmt.Printf("%-6s %12s %12s %12s\n", "theory", wq.Round(time.Microsecond), w.Round(time.Microsecond), p99.Round(time.Microsecond))
}
