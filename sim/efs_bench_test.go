package sim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/storage"
	"github.com/ecssim/ecssim/sim/traffic"
)

// BenchmarkEFSIO measures requests with an I/O part on a shared file
// system: one op is one request (arrival, routing, CPU in the task's
// server, I/O by processor sharing over every task's requests with the
// per-client cap, the fixed latency, completion), at ρ = 0.7 on the file
// system, on 3 and 30 tasks. impl=cpu-only is the baseline: the same
// requests and tasks without the I/O part.
//
// load=overload offers twice what the file system permits, with a 10 s
// client timeout: about λ · 10 s requests are in service at once (2,100
// on 30 tasks), which is where the cost of each event in the number of
// requests in service shows.
func BenchmarkEFSIO(b *testing.B) {
	b.Run("tasks=30/load=overload", func(b *testing.B) {
		const n, rate = 30, 7 * 30.0
		e := newEFSWorld(b, 1, n, sim.FileSystemConfig{ThroughputMode: sim.Provisioned, ProvisionedMiBps: 105}, sim.WorkloadConfig{
			Source: traffic.Constant{PerSecond: rate},
			IO:     &sim.RequestIO{Volume: "data", MeanWriteBytes: storage.MiB},
			Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: 10 * time.Second},
		})
		e.run(time.Minute) // fill the backlog
		arrived0 := e.wl.Counters().Arrived
		b.ReportAllocs()
		b.ResetTimer()
		if err := e.s.RunFor(time.Duration(float64(b.N) / rate * float64(time.Second))); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		benchSink += e.wl.Counters().Served
		b.ReportMetric(float64(e.wl.Counters().Arrived-arrived0)/b.Elapsed().Seconds(), "requests/s")
	})
	for _, n := range []int{3, 30} {
		for _, io := range []bool{true, false} {
			name := "impl=efs"
			if !io {
				name = "impl=cpu-only"
			}
			b.Run(fmt.Sprintf("tasks=%d/%s", n, name), func(b *testing.B) {
				cfg := sim.WorkloadConfig{Source: traffic.Constant{PerSecond: 7 * float64(n)}}
				if io {
					cfg.IO = &sim.RequestIO{Volume: "data", MeanWriteBytes: storage.MiB}
				}
				e := newEFSWorld(b, 1, n, sim.FileSystemConfig{ThroughputMode: sim.Provisioned, ProvisionedMiBps: 10 * float64(n)}, cfg)
				arrived0 := e.wl.Counters().Arrived
				b.ReportAllocs()
				b.ResetTimer()
				if err := e.s.RunFor(time.Duration(float64(b.N) / (7 * float64(n)) * float64(time.Second))); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				benchSink += e.wl.Counters().Served
				b.ReportMetric(float64(e.wl.Counters().Arrived-arrived0)/b.Elapsed().Seconds(), "requests/s")
			})
		}
	}
}
