package sim_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// benchWorld is a load-balanced service of n one-vCPU tasks at ρ = 0.5 (5
// requests/s of 100 ms each per task), warmed up: tasks healthy and a
// minute of traffic run.
func benchWorld(b *testing.B, n int, mode sim.WorkloadMode, perTask float64) (*sim.Sim, *sim.Workload) {
	b.Helper()
	s, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{Latencies: fixedLatencies})
	if err != nil {
		b.Fatal(err)
	}
	c, err := w.CreateCluster("bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.LaunchInstances("m5.4xlarge", zones3, n/14+1); err != nil {
		b.Fatal(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "web", CPU: 1024, MemoryMiB: 1024,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web", MemoryMiB: 1024}}}); err != nil {
		b.Fatal(err)
	}
	if err := s.RunFor(time.Minute); err != nil {
		b.Fatal(err)
	}
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
		HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2}}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: n, Observer: lb}); err != nil {
		b.Fatal(err)
	}
	if err := s.RunFor(2 * time.Minute); err != nil {
		b.Fatal(err)
	}
	wl, err := w.NewWorkload(sim.WorkloadConfig{LoadBalancer: lb, Mode: mode,
		Source: traffic.Constant{PerSecond: perTask * float64(n)}, Demand: traffic.Exponential{Mean: 100 * time.Millisecond},
		MeanWork: 100 * time.Millisecond, SCV: 1,
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: 10 * time.Second}})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.RunFor(time.Minute); err != nil {
		b.Fatal(err)
	}
	return s, wl
}

// serverFarm is the baseline: the same requests through n bare
// traffic.Servers on the engine, routed uniformly at random, one timer per
// server; no world, load balancer, metrics or bookkeeping.
type serverFarm struct {
	s        *sim.Sim
	servers  []*traffic.Server
	timers   []sim.Timer
	arrivals traffic.Poisson
	rA, rW   *rand.Rand
	arrive   sim.Kind
	wake     sim.Kind
	served   int64
}

func newServerFarm(n int, perTask float64) *serverFarm {
	s, _ := sim.New(sim.Config{Seed: 1})
	f := &serverFarm{s: s, arrivals: traffic.Poisson{PerSecond: perTask * float64(n)}, rA: s.Rand("demand"), rW: s.Rand("request-work"),
		timers: make([]sim.Timer, n)}
	for range n {
		srv, _ := traffic.NewServer(traffic.ServerConfig{CPU: 1024, Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: 10 * time.Second})
		f.servers = append(f.servers, srv)
	}
	f.arrive = s.Handle("arrival", sim.PhaseTraffic, f.onArrive)
	f.wake = s.Handle("wake", sim.PhaseTraffic, func(i uint64) { f.flush(int(i)) })
	a, _ := f.arrivals.Next(0, f.rA)
	s.ScheduleAt(f.arrive, a.At, 0)
	return f
}

func (f *serverFarm) onArrive(uint64) {
	now := f.s.Elapsed()
	i := f.rA.IntN(len(f.servers))
	f.servers[i].Arrive(now, traffic.Request{Work: traffic.Exponential{Mean: 100 * time.Millisecond}.Work(f.rW, 1)})
	f.flush(i)
	a, _ := f.arrivals.Next(now, f.rA)
	f.s.ScheduleAt(f.arrive, a.At, 0)
}

func (f *serverFarm) flush(i int) {
	now := f.s.Elapsed()
	f.served += int64(len(f.servers[i].Advance(now)))
	next := f.servers[i].Next()
	if next == traffic.Never {
		f.timers[i].Stop()
		return
	}
	if !f.timers[i].Reset(next - now) {
		f.timers[i] = f.s.Schedule(f.wake, next-now, uint64(i))
	}
}

var benchSink int64

// BenchmarkRequestLevel measures the request-level world: one op is one
// request (arrival, routing through the target group, service in the
// task's server, completion, per-minute metrics), at ρ = 0.5 on 1, 10 and
// 100 tasks. impl=servers is the baseline without the world: the same
// requests through bare servers on the engine.
func BenchmarkRequestLevel(b *testing.B) {
	const perTask = 5.0
	for _, n := range []int{1, 10, 100} {
		rate := perTask * float64(n)
		b.Run(fmt.Sprintf("tasks=%d/impl=world", n), func(b *testing.B) {
			s, wl := benchWorld(b, n, sim.RequestLevel, perTask)
			arrived0, events0 := wl.Counters().Arrived, s.Executed()
			b.ReportAllocs()
			b.ResetTimer()
			if err := s.RunFor(time.Duration(float64(b.N) / rate * float64(time.Second))); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			secs := b.Elapsed().Seconds()
			benchSink += wl.Counters().Served
			b.ReportMetric(float64(wl.Counters().Arrived-arrived0)/secs, "requests/s")
			b.ReportMetric(float64(s.Executed()-events0)/secs, "events/s")
		})
		b.Run(fmt.Sprintf("tasks=%d/impl=servers", n), func(b *testing.B) {
			f := newServerFarm(n, perTask)
			if err := f.s.RunFor(time.Minute); err != nil {
				b.Fatal(err)
			}
			served0, events0 := f.served, f.s.Executed()
			b.ReportAllocs()
			b.ResetTimer()
			if err := f.s.RunFor(time.Duration(float64(b.N) / rate * float64(time.Second))); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			secs := b.Elapsed().Seconds()
			benchSink += f.served
			b.ReportMetric(float64(f.served-served0)/secs, "requests/s")
			b.ReportMetric(float64(f.s.Executed()-events0)/secs, "events/s")
		})
	}
}

// BenchmarkFluidDay measures one simulated day of a 10-task service at 50
// requests/s in fluid mode (one op is one day, on a warmed-up world);
// impl=request-level simulates the same day request by request, the
// baseline the fluid mode exists to beat.
func BenchmarkFluidDay(b *testing.B) {
	for _, impl := range []struct {
		name string
		mode sim.WorkloadMode
	}{{"fluid", sim.FluidMode}, {"request-level", sim.RequestLevel}} {
		b.Run("impl="+impl.name, func(b *testing.B) {
			s, wl := benchWorld(b, 10, impl.mode, 5)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := s.RunFor(24 * time.Hour); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			benchSink += wl.Counters().Served
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "days/s")
		})
	}
}
