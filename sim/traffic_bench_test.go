package sim_test

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// BenchmarkServerFarm drives the request-level model with the engine:
// Poisson arrivals routed at random over N tasks, each an M/M/1 FCFS server
// at ρ = 0.8, one wake-up timer per task. One op is one engine event.
func BenchmarkServerFarm(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run("tasks="+strconv.Itoa(n), func(b *testing.B) {
			f := newFarm(farmConfig{seed: 1, tasks: n, server: fcfs1, arrivals: traffic.Poisson{PerSecond: 0.8 * float64(n)},
				demand: traffic.Exponential{Mean: time.Second}, measure: math.MaxUint64 / 2})
			for range 200_000 { // warm up queues, slabs and rings
				f.s.Step()
			}
			events, requests := f.s.Executed(), f.nextID
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				f.s.Step()
			}
			b.StopTimer()
			b.ReportMetric(float64(f.s.Executed()-events)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(f.nextID-requests)/b.Elapsed().Seconds(), "requests/s")
		})
	}
}

// baselineMM1 is the standard hand-written M/M/1 on the engine (FIFO of
// arrival instants, one departure event at a time), with no traffic package:
// the floor BenchmarkServerFarm/tasks=1 is compared with.
type baselineMM1 struct {
	s                *sim.Sim
	rArrive, rWork   *rand.Rand
	arrive, depart   sim.Kind
	queue            []time.Duration
	head             int
	requests         uint64
	sumSojourn       float64
	lambda, meanWork float64
}

func newBaselineMM1(seed uint64) *baselineMM1 {
	s, _ := sim.New(sim.Config{Seed: seed})
	m := &baselineMM1{s: s, rArrive: s.Rand("arrivals"), rWork: s.Rand("work"), lambda: 0.8, meanWork: 1}
	m.arrive = s.Handle("arrival", sim.PhaseTraffic, m.onArrive)
	m.depart = s.Handle("departure", sim.PhaseTraffic, m.onDepart)
	s.Schedule(m.arrive, time.Duration(m.rArrive.ExpFloat64()/m.lambda*1e9), 0)
	return m
}

func (m *baselineMM1) onArrive(uint64) {
	m.requests++
	m.queue = append(m.queue, m.s.Elapsed())
	if len(m.queue)-m.head == 1 {
		m.s.Schedule(m.depart, time.Duration(m.rWork.ExpFloat64()*m.meanWork*1e9), 0)
	}
	m.s.Schedule(m.arrive, time.Duration(m.rArrive.ExpFloat64()/m.lambda*1e9), 0)
}

func (m *baselineMM1) onDepart(uint64) {
	m.sumSojourn += (m.s.Elapsed() - m.queue[m.head]).Seconds()
	m.head++
	if m.head > 4096 && 2*m.head > len(m.queue) {
		m.queue = m.queue[:copy(m.queue, m.queue[m.head:])]
		m.head = 0
	}
	if len(m.queue) > m.head {
		m.s.Schedule(m.depart, time.Duration(m.rWork.ExpFloat64()*m.meanWork*1e9), 0)
	}
}

func BenchmarkServerFarmBaselineHandWrittenMM1(b *testing.B) {
	m := newBaselineMM1(1)
	for range 200_000 {
		m.s.Step()
	}
	events, requests := m.s.Executed(), m.requests
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		m.s.Step()
	}
	b.StopTimer()
	b.ReportMetric(float64(m.s.Executed()-events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(m.requests-requests)/b.Elapsed().Seconds(), "requests/s")
	if m.sumSojourn < 0 {
		b.Fatal("unreachable: keeps the sum live")
	}
}

// fluidServices are 100 services of different sizes and shapes for the
// fluid benchmark.
func fluidServices() []traffic.FluidInput {
	var in []traffic.FluidInput
	for i := range 100 {
		cfg := traffic.ServerConfig{CPU: 1024 * (1 + i%4), Concurrency: 1 + i%8, QueueLimit: traffic.Unlimited}
		if i%3 == 0 {
			cfg = traffic.ServerConfig{Discipline: traffic.ProcessorSharing, CPU: 512 * (1 + i%4)}
		}
		if i%5 == 0 {
			cfg.QueueLimit = 50
		}
		in = append(in, traffic.FluidInput{Tasks: 2 + i%40, Server: cfg, MeanWork: 0.01 + 0.001*float64(i%17), SCV: float64(i % 5)})
	}
	return in
}

// BenchmarkFluidModelDay estimates 100 services over one simulated day in
// one-minute steps (144,000 Fluid calls per op) under a diurnal demand.
func BenchmarkFluidModelDay(b *testing.B) {
	services := fluidServices()
	demand := traffic.Diurnal{Mean: 1, Amplitude: 0.7, Peak: 15 * time.Hour}
	var sink float64
	b.ReportAllocs()
	for b.Loop() {
		for step := range 1440 {
			shape := demand.Rate(time.Duration(step) * time.Minute)
			for i := range services {
				in := &services[i]
				// Offered load at 70 % of the service's capacity at the mean.
				capacity := float64(in.Tasks) * float64(in.Server.CPU) / 1024 / in.MeanWork
				in.OfferedRate = 0.7 * capacity * shape
				r, err := traffic.Fluid(*in)
				if err != nil {
					b.Fatal(err)
				}
				sink += r.Utilization
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sim-days/s")
	if math.IsNaN(sink) {
		b.Fatal("NaN utilisation")
	}
}

// erlangCNaive evaluates the textbook sum formula directly, term by term
// with powers and factorials in log space: the baseline of ErlangC's
// recursion.
func erlangCNaive(c int, a float64) float64 {
	var sum float64
	for k := range c {
		lg, _ := math.Lgamma(float64(k + 1))
		sum += math.Exp(float64(k)*math.Log(a) - lg)
	}
	lg, _ := math.Lgamma(float64(c + 1))
	top := math.Exp(float64(c)*math.Log(a)-lg) * float64(c) / (float64(c) - a)
	return top / (sum + top)
}

func TestErlangCNaiveAgrees(t *testing.T) {
	for _, tc := range []struct {
		c int
		a float64
	}{{2, 1}, {10, 8}, {100, 90}} {
		if got, want := traffic.ErlangC(tc.c, tc.a), erlangCNaive(tc.c, tc.a); math.Abs(got-want) > 1e-9 {
			t.Errorf("c=%d a=%v: recursion %v, direct sum %v", tc.c, tc.a, got, want)
		}
	}
}

func BenchmarkErlangC(b *testing.B) {
	b.Run("recursion/c=100", func(b *testing.B) {
		b.ReportAllocs()
		var sink float64
		for b.Loop() {
			sink += traffic.ErlangC(100, 90)
		}
		_ = sink
	})
	b.Run("naive-sum/c=100", func(b *testing.B) {
		b.ReportAllocs()
		var sink float64
		for b.Loop() {
			sink += erlangCNaive(100, 90)
		}
		_ = sink
	})
}

// naivePSServer is the direct processor-sharing model: a slice of remaining
// work, all decremented at every event, the next completion found by a scan
// (O(n) per event). It is the baseline of Server's virtual-time heap.
type naivePSServer struct {
	vcpu      float64
	clock     float64
	remaining []float64
}

func (p *naivePSServer) advance(to float64) int {
	done := 0
	for len(p.remaining) > 0 {
		n := float64(len(p.remaining))
		first := 0
		for i, r := range p.remaining {
			if r < p.remaining[first] {
				first = i
			}
		}
		dt := p.remaining[first] * n / p.vcpu
		if p.clock+dt > to {
			break
		}
		for i := range p.remaining {
			p.remaining[i] -= dt * p.vcpu / n
		}
		p.clock += dt
		p.remaining[first] = p.remaining[len(p.remaining)-1]
		p.remaining = p.remaining[:len(p.remaining)-1]
		done++
	}
	if n := float64(len(p.remaining)); n > 0 {
		for i := range p.remaining {
			p.remaining[i] -= (to - p.clock) * p.vcpu / n
		}
	}
	p.clock = to
	return done
}

// BenchmarkServerPS: one processor-sharing task at ρ = 0.95 (about 19 in
// flight on average), one op per request, without the engine; the naive
// scan beside it.
func BenchmarkServerPS(b *testing.B) {
	const lambda = 19.0 // mean work 50 ms on one vCPU
	b.Run("virtual-time-heap", func(b *testing.B) {
		srv, _ := traffic.NewServer(traffic.ServerConfig{Discipline: traffic.ProcessorSharing})
		r := rand.New(rand.NewPCG(1, 1))
		demand, arrivals := traffic.Exponential{Mean: 50 * time.Millisecond}, traffic.Poisson{PerSecond: lambda}
		now, served := time.Duration(0), 0
		step := func() {
			a, _ := arrivals.Next(now, r)
			now = a.At
			served += len(srv.Advance(now))
			srv.Arrive(now, traffic.Request{Work: demand.Work(r, 1)})
		}
		for range 100_000 {
			step()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			step()
		}
		if served == 0 {
			b.Fatal("nothing served")
		}
	})
	b.Run("naive-scan", func(b *testing.B) {
		p := &naivePSServer{vcpu: 1}
		r := rand.New(rand.NewPCG(1, 1))
		now, served := 0.0, 0
		step := func() {
			now += r.ExpFloat64() / lambda
			served += p.advance(now)
			p.remaining = append(p.remaining, r.ExpFloat64()*0.05)
		}
		for range 100_000 {
			step()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			step()
		}
		if served == 0 {
			b.Fatal("nothing served")
		}
	})
}
