package traffic

import (
	"math"
	"testing"
)

// TestFluidShapeAgainstTheory holds the latency shapes to what queueing
// theory knows exactly: the FCFS model with exponential work is the M/M/1
// sojourn, an exponential (Kleinrock 1975, Queueing Systems, Volume I), and
// the processor-sharing model with exponential work has the M/M/1-PS
// sojourn's variance, Var(T)/E[T]² = (2 + ρ)/(2 − ρ) (Coffman, Muntz and
// Trotter 1970), which the mixture of per-size gammas must reproduce from
// the equally weighted points (a heavy top hundredth is only carried by
// its mean, so within 6 %). Every shape increases and averages 1 (within
// 0.5 %: the FCFS grid's cells).
func TestFluidShapeAgainstTheory(t *testing.T) {
	for _, f := range []float64{0.3, 0.6, 0.9} {
		e := computeShape(fcfsShape, 1, f)
		for k := 10; k < ShapePoints-1; k++ { // the grids are coarsest at the lowest quantiles
			if got, want := e.Points[k], ExponentialShape.Points[k]; math.Abs(got/want-1) > 0.003 {
				t.Errorf("FCFS, exponential work, f = %v: point %d is %.4f, the exponential's %.4f", f, k, got, want)
			}
		}
		if math.Abs(e.P99/math.Log(100)-1) > 0.003 {
			t.Errorf("FCFS, exponential work, f = %v: p99 %.4f, the exponential's %.4f", f, e.P99, math.Log(100))
		}
		ps := computeShape(psShape, 1, f)
		var m2 float64
		for _, x := range ps.Points {
			m2 += (x - 1) * (x - 1) / ShapePoints
		}
		if want := (2 + f) / (2 - f); math.Abs(m2/want-1) > 0.06 {
			t.Errorf("M/M/1-PS at ρ = %v: squared coefficient of variation %.3f, theory %.3f", f, m2, want)
		}
	}
	for _, kind := range []shapeKind{fcfsShape, psShape} {
		for _, scv := range []float64{0, 0.5, 1, 4} {
			for _, f := range []float64{0, 0.5, 0.95} {
				s := computeShape(kind, scv, f)
				var sum float64
				for k, x := range s.Points {
					sum += x
					if k > 0 && !(x >= s.Points[k-1]) {
						t.Fatalf("kind %d, C_s² %v, f %v: point %d = %v below point %d = %v", kind, scv, f, k, x, k-1, s.Points[k-1])
					}
				}
				if math.Abs(sum/ShapePoints-1) > 0.005 { // FCFS: the grid's discretisation of a point work
					t.Errorf("kind %d, C_s² %v, f %v: the points average %v, not 1", kind, scv, f, sum/ShapePoints)
				}
			}
		}
	}
}

// TestFluidShapeChoosesTheModel: the exponential where FCFS work is
// exponential or no model applies, a table row otherwise, the same row
// for the same wait fraction.
func TestFluidShapeChoosesTheModel(t *testing.T) {
	r := FluidResult{MeanWait: 0.6, MeanLatency: 1}
	fcfs := ServerConfig{Discipline: FCFS, Concurrency: 1, QueueLimit: Unlimited}
	ps := ServerConfig{Discipline: ProcessorSharing}
	slots := ServerConfig{Discipline: FCFS, Concurrency: 4, QueueLimit: Unlimited}
	if FluidShape(fcfs, 1, r) != ExponentialShape || FluidShape(slots, 4, r) != ExponentialShape {
		t.Error("FCFS with exponential work, or with four slots: want ExponentialShape")
	}
	if s := FluidShape(ps, 1, r); s == ExponentialShape || s != FluidShape(ps, 1, FluidResult{MeanWait: 1.2, MeanLatency: 2}) {
		t.Error("processor sharing: want one table row for one wait fraction")
	}
	if s := FluidShape(fcfs, 4, r); s == ExponentialShape || s.P99 <= ExponentialShape.P99 {
		t.Errorf("FCFS with C_s² = 4: want a heavier tail than the exponential, p99 %v", s.P99)
	}
	if FluidShape(ps, 1, FluidResult{}) != ExponentialShape {
		t.Error("no latency: want ExponentialShape")
	}
}

// BenchmarkFluidShape is the per-step cost of picking a shape once its
// table row exists (processor sharing; FCFS with exponential work returns
// ExponentialShape without a look-up).
func BenchmarkFluidShape(b *testing.B) {
	ps := ServerConfig{Discipline: ProcessorSharing}
	r := FluidResult{MeanWait: 0.6, MeanLatency: 1}
	FluidShape(ps, 2, r)
	b.ReportAllocs()
	for b.Loop() {
		FluidShape(ps, 2, r)
	}
}

// TestMixedShapeAgainstTheory: with exponential work and the GI/M/1 wait
// probability σ, the FCFS shape of a routing with non-Poisson arrivals is
// the GI/M/1 sojourn, an exponential with rate μ(1 − σ) (Kleinrock 1975,
// Queueing Systems I, §6.4), whatever σ: within the tables' resolution
// (2.2 % on the conditional wait and on σ). With σ = ρ (Poisson arrivals)
// and lognormal work it is the M/G/1 sojourn of fcfsSojournShape.
func TestMixedShapeAgainstTheory(t *testing.T) {
	for _, k := range []float64{2, 4, 16} {
		for _, rho := range []float64{0.3, 0.6, 0.9} {
			sigma := GIM1Sigma(k, rho)
			s := fcfsMixedShape(1, sigma/(1-sigma), sigma)
			for q := 10; q < ShapePoints-1; q++ {
				if got, want := s.Points[q], ExponentialShape.Points[q]; math.Abs(got/want-1) > 0.02 {
					t.Errorf("E_%v/M/1 at ρ = %v: point %d is %.4f, the exponential's %.4f", k, rho, q, got, want)
				}
			}
			if math.Abs(s.P99/math.Log(100)-1) > 0.02 {
				t.Errorf("E_%v/M/1 at ρ = %v: p99 %.4f, the exponential's %.4f", k, rho, s.P99, math.Log(100))
			}
		}
	}
	for _, scv := range []float64{0.5, 4} {
		for _, rho := range []float64{0.3, 0.6, 0.9} {
			w := rho / (1 - rho) * (1 + scv) / 2 // Pollaczek–Khinchine, in mean works
			got, want := fcfsMixedShape(scv, w, rho), fcfsSojournShape(scv, w/(1+w))
			if math.Abs(got.P99/want.P99-1) > 0.03 {
				t.Errorf("M/G/1, C_s² %v, ρ = %v: p99 %.4f, Pollaczek–Khinchine's %.4f", scv, rho, got.P99, want.P99)
			}
		}
	}
}

// TestFluidShapeFollowsTheRouting: Fluid records what a non-random
// routing's shape needs, and FluidShape uses it: round robin with
// exponential FCFS work keeps the exact exponential, with other work it
// takes the wait probability (a different shape from the random-routing
// queue's at the same wait fraction), and processor sharing takes the
// smoother arrivals; the same figures built by hand give the
// random-routing shapes.
func TestFluidShapeFollowsTheRouting(t *testing.T) {
	fcfs := ServerConfig{Discipline: FCFS, Concurrency: 1, QueueLimit: Unlimited}
	ps := ServerConfig{Discipline: ProcessorSharing}
	step := func(cfg ServerConfig, scv float64, routing Routing) (FluidResult, FluidResult) {
		r, err := Fluid(FluidInput{OfferedRate: 24, Tasks: 4, Server: cfg, MeanWork: 0.1, SCV: scv, Routing: routing})
		if err != nil {
			t.Fatal(err)
		}
		return r, FluidResult{MeanWait: r.MeanWait, MeanLatency: r.MeanLatency}
	}
	if r, _ := step(fcfs, 1, RoundRobinRouting); FluidShape(fcfs, 1, r) != ExponentialShape {
		t.Error("round robin, exponential FCFS work: want ExponentialShape (E_N/M/1)")
	}
	for _, c := range []struct {
		name string
		cfg  ServerConfig
		scv  float64
		alg  Routing
	}{
		{"round robin, FCFS, C_s² 4", fcfs, 4, RoundRobinRouting},
		{"round robin, FCFS, C_s² 0.5", fcfs, 0.5, RoundRobinRouting},
		{"round robin, processor sharing", ps, 1, RoundRobinRouting},
		{"shortest queue, FCFS", fcfs, 1, ShortestQueueRouting},
	} {
		r, byHand := step(c.cfg, c.scv, c.alg)
		got, random := FluidShape(c.cfg, c.scv, r), FluidShape(c.cfg, c.scv, byHand)
		if got == random || got.P99 == random.P99 {
			t.Errorf("%s: the routing's shape is the random-routing one (p99 %v)", c.name, got.P99)
		}
		if FluidShape(c.cfg, c.scv, r) != got {
			t.Errorf("%s: a second look-up gives another shape", c.name)
		}
	}
}

// BenchmarkFluidShapeRoundRobin is the per-step cost of the round-robin
// shapes once their cells exist: FCFS with lognormal work (the wait
// probability's table) and processor sharing (the smoother arrivals').
func BenchmarkFluidShapeRoundRobin(b *testing.B) {
	fcfs := ServerConfig{Discipline: FCFS, Concurrency: 1, QueueLimit: Unlimited}
	ps := ServerConfig{Discipline: ProcessorSharing}
	rf, _ := Fluid(FluidInput{OfferedRate: 24, Tasks: 4, Server: fcfs, MeanWork: 0.1, SCV: 4, Routing: RoundRobinRouting})
	rp, _ := Fluid(FluidInput{OfferedRate: 24, Tasks: 4, Server: ps, MeanWork: 0.1, SCV: 1, Routing: RoundRobinRouting})
	FluidShape(fcfs, 4, rf)
	FluidShape(ps, 1, rp)
	b.ReportAllocs()
	for b.Loop() {
		FluidShape(fcfs, 4, rf)
		FluidShape(ps, 1, rp)
	}
}

// TestSmoothedShapeEdges: the processor-sharing shape of smoother
// arrivals is the Poisson one when nothing is smoother (f = ρ, c = 1),
// bit for bit, and a proper increasing unit-mean shape at no load.
func TestSmoothedShapeEdges(t *testing.T) {
	for _, f := range []float64{0.3, 0.8} {
		if got, want := computeSmoothedShape(psShape, 1, f, f, 1), computeShape(psShape, 1, f); *got != *want {
			t.Errorf("f = ρ = %v, c = 1: the smoothed shape differs from the Poisson one", f)
		}
	}
	s := computeSmoothedShape(psShape, 1, 0, 0, 0.5)
	var sum float64
	for k, x := range s.Points {
		sum += x
		if !(x >= 0) || k > 0 && x < s.Points[k-1] {
			t.Fatalf("no load: point %d = %v", k, x)
		}
	}
	if math.Abs(sum/ShapePoints-1) > 0.005 {
		t.Errorf("no load: the points average %v, not 1", sum/ShapePoints)
	}
}
