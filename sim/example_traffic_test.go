package sim_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// Wiring a Server to the engine: arrivals are one event kind, each server's
// wake-up another, kept at Server.Next. An M/M/1 queue at ρ = 0.8 has mean
// sojourn 1/(μ − λ) = 5 s.
func Example_trafficServer() {
	s, _ := sim.New(sim.Config{Seed: 1})
	srv, _ := traffic.NewServer(traffic.ServerConfig{Concurrency: 1, QueueLimit: traffic.Unlimited})
	arrivals, demand := traffic.Poisson{PerSecond: 0.8}, traffic.Exponential{Mean: time.Second}
	rArrive, rWork := s.Rand("arrivals"), s.Rand("work")
	var served int
	var total time.Duration
	var wake sim.Timer
	var arrive, wakeUp sim.Kind
	collect := func(done []traffic.Completion) {
		for _, c := range done {
			served++
			total += c.Sojourn()
		}
		if next := srv.Next(); next != traffic.Never && !wake.Pending() {
			wake = s.ScheduleAt(wakeUp, next, 0)
		} else if next != traffic.Never {
			wake.Reset(next - s.Elapsed())
		}
	}
	wakeUp = s.Handle("wake", sim.PhaseTraffic, func(uint64) { collect(srv.Advance(s.Elapsed())) })
	arrive = s.Handle("arrive", sim.PhaseTraffic, func(n uint64) {
		srv.Arrive(s.Elapsed(), traffic.Request{ID: n, Work: demand.Work(rWork, 1)})
		collect(srv.Advance(s.Elapsed()))
		if a, ok := arrivals.Next(s.Elapsed(), rArrive); ok && n < 200_000 {
			s.ScheduleAt(arrive, a.At, n+1)
		}
	})
	s.Schedule(arrive, 0, 1)
	_ = s.Run()
	fmt.Printf("%d served, mean sojourn %.0f s\n", served, (total / time.Duration(served)).Seconds())
	// Output:
	// 200000 served, mean sojourn 5 s
}
