package traffic_test

import (
	"fmt"
	"math"
	"os"
	"time"

	"github.com/ecssim/ecssim/sim/traffic"
)

// A task with one vCPU shares it among the requests in flight: A needs 2 s
// of CPU and arrives at 0, B needs 1 s and arrives at 0.5 s. B finishes at
// 2.5 s (2 s at half speed), A at 3 s.
func Example() {
	srv, err := traffic.NewServer(traffic.ServerConfig{Discipline: traffic.ProcessorSharing, CPU: 1024})
	if err != nil {
		panic(err)
	}
	srv.Arrive(0, traffic.Request{ID: 'A', Work: 2 * time.Second})
	srv.Arrive(500*time.Millisecond, traffic.Request{ID: 'B', Work: time.Second})
	for srv.Next() != traffic.Never {
		for _, c := range srv.Advance(srv.Next()) {
			fmt.Printf("%c %s after %v\n", rune(c.ID), c.Outcome, c.Sojourn())
		}
	}
	c := srv.Counters()
	fmt.Printf("CPU %.1f vCPU·s in %v: utilisation %.0f%%\n", c.CPUSeconds, 3*time.Second, 100*c.CPUSeconds/3)
	// Output:
	// B Served after 2s
	// A Served after 3s
	// CPU 3.0 vCPU·s in 3s: utilisation 100%
}

// Fluid mode: four tasks of one vCPU, requests of 1 s of CPU, 3.2 requests
// per second split at random: each task is an M/M/1 queue at ρ = 0.8.
func ExampleFluid() {
	r, err := traffic.Fluid(traffic.FluidInput{
		OfferedRate: 3.2, Tasks: 4, MeanWork: 1, SCV: 1,
		Server: traffic.ServerConfig{CPU: 1024, Concurrency: 1, QueueLimit: traffic.Unlimited},
	})
	if err != nil {
		panic(err)
	}
	fmt.Printf("CPU %.0f%%, served %.1f/s, wait %.1f s, latency %.1f s\n", 100*r.Utilization, r.ServedRate, r.MeanWait, r.MeanLatency)
	// Output:
	// CPU 80%, served 3.2/s, wait 4.0 s, latency 5.0 s
}

// The NASA 1995 trace as a demand source: 42 requests in the first minute
// of 1 July 1995, played ten times faster than life.
func ExampleReadSeriesCSV() {
	f, err := os.Open("testdata/nasa_http_1995_per_minute.csv")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	series, err := traffic.ReadSeriesCSV(f, traffic.SeriesCSV{TimeColumn: "minute_start_local", ValueColumn: "requests", Step: time.Minute})
	if err != nil {
		panic(err)
	}
	replay := traffic.Replay{Series: series, Counts: true, Speedup: 10}
	fmt.Println(len(series.Values), "minutes from", series.Origin.Format(time.RFC3339))
	fmt.Printf("%.0f requests/s at the start; the %d days last %v\n", replay.Rate(0), 62, replay.Duration().Round(time.Hour))
	// Output:
	// 84333 minutes from 1995-07-01T00:00:00-04:00
	// 7 requests/s at the start; the 62 days last 149h0m0s
}

// Four one-vCPU FCFS tasks at ρ = 0.8 with exponential work of 100 ms: the
// load balancer's routing decides the mean time in a task. Random
// splitting makes each task M/M/1 (W = 5 E[S]); round robin gives each
// task every fourth arrival, the E_4/M/1 queue solved exactly by
// GIM1Sigma; join the shortest queue (least outstanding requests) waits
// least. (Request-level simulation, TestFluidAgreesWithRequestLevel at
// this shape: 195 ms for least outstanding requests.)
func ExampleFluidInput_routing() {
	for _, r := range []traffic.Routing{traffic.RandomRouting, traffic.RoundRobinRouting, traffic.ShortestQueueRouting} {
		res, err := traffic.Fluid(traffic.FluidInput{OfferedRate: 32, Tasks: 4, MeanWork: 0.1, SCV: 1, Routing: r,
			Server: traffic.ServerConfig{Concurrency: 1, QueueLimit: traffic.Unlimited}})
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-14s W = %.0f ms\n", r, 1000*res.MeanLatency)
	}
	fmt.Printf("E_4/M/1 at ρ = 0.8: σ = %.4f\n", traffic.GIM1Sigma(4, 0.8))
	// Output:
	// random         W = 500 ms
	// round_robin    W = 327 ms
	// shortest_queue W = 195 ms
	// E_4/M/1 at ρ = 0.8: σ = 0.6939
}

// FluidShape spreads a fluid step's mean latency: one task at ρ = 0.8 with
// 100 ms of mean work has a mean sojourn of 0.5 s under FCFS with
// exponential work and under processor sharing whatever the work, but not
// the same p99. (Request-level simulation, TestFluidAgreesWithRequestLevel
// with random routing at this load: p99 2.31–2.34 s, 7.5–7.8 s,
// 3.71–3.75 s, 5.31–5.39 s.)
func ExampleFluidShape() {
	for _, server := range []traffic.ServerConfig{
		{Discipline: traffic.FCFS, Concurrency: 1, QueueLimit: traffic.Unlimited},
		{Discipline: traffic.ProcessorSharing},
	} {
		for _, scv := range []float64{1, 4} {
			r, err := traffic.Fluid(traffic.FluidInput{OfferedRate: 8, Tasks: 1, Server: server, MeanWork: 0.1, SCV: scv})
			if err != nil {
				panic(err)
			}
			shape := traffic.FluidShape(server, scv, r)
			fmt.Printf("%-16v C_s² %v: mean %.2f s, p99 %.2f s\n", server.Discipline, scv, r.MeanLatency, r.MeanLatency*shape.P99)
		}
	}
	// Output:
	// FCFS             C_s² 1: mean 0.50 s, p99 2.30 s
	// FCFS             C_s² 4: mean 1.10 s, p99 7.59 s
	// ProcessorSharing C_s² 1: mean 0.50 s, p99 3.68 s
	// ProcessorSharing C_s² 4: mean 0.50 s, p99 5.39 s
}

// A fluid step books its requests at the points of its latency shape,
// each with its weight; a histogram of them reads a quantile as the point
// of the interval that holds it. The exponential's report quantiles read
// their true values, −ln(1 − q), within a fraction of a percent.
func ExampleLatencyShape_Quantile() {
	s := traffic.ExponentialShape
	var mean float64
	for i, x := range s.Points {
		mean += x * s.Weights[i]
	}
	fmt.Printf("%d points, mean %.4f, step factor %.3f\n", len(s.Points), mean, math.Exp(s.Step))
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		fmt.Printf("q %-5v reads %.3f, true %.3f\n", q, s.Quantile(q), -math.Log1p(-q))
	}
	// Output:
	// 40 points, mean 1.0000, step factor 1.105
	// q 0.5   reads 0.693, true 0.693
	// q 0.9   reads 2.305, true 2.303
	// q 0.99  reads 4.614, true 4.605
	// q 0.999 reads 6.927, true 6.908
}
