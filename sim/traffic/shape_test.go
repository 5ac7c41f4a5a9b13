package traffic

import (
	"math"
	"slices"
	"testing"
)

// TestFluidShapeAgainstTheory holds the latency shapes to what queueing
// theory knows exactly: the FCFS model with exponential work is the M/M/1
// sojourn, an exponential (Kleinrock 1975, Queueing Systems, Volume I),
// whose interval means are ∫ −ln(1 − q) dq / (b − a) in closed form, and
// the processor-sharing model with exponential work has the M/M/1-PS
// sojourn's variance, Var(T)/E[T]² = (2 + ρ)/(2 − ρ) (Coffman, Muntz and
// Trotter 1970), which the mixture of per-size gammas must reproduce from
// the weighted points (a heavy tail beyond the 0.9999 quantile is only
// carried by its mean, so within 6 %). Every shape increases, its weights
// sum to 1 and its points average 1 (within 0.5 %: the FCFS grid's cells).
func TestFluidShapeAgainstTheory(t *testing.T) {
	for _, f := range []float64{0.3, 0.6, 0.9} {
		e := computeShape(fcfsShape, 1, f)
		lo := 0.0
		for k, x := range e.Points[:len(e.Points)-1] {
			hi := lo + e.Weights[k]
			if lo >= 0.2 { // the grid is coarsest at the lowest quantiles
				if want := exponentialIntervalMean(lo, hi); math.Abs(x/want-1) > 0.003 {
					t.Errorf("FCFS, exponential work, f = %v: point %d over [%.5f, %.5f) is %.4f, the exponential's %.4f", f, k, lo, hi, x, want)
				}
			}
			lo = hi
		}
		if math.Abs(e.P99/math.Log(100)-1) > 0.003 {
			t.Errorf("FCFS, exponential work, f = %v: p99 %.4f, the exponential's %.4f", f, e.P99, math.Log(100))
		}
		ps := computeShape(psShape, 1, f)
		var m2 float64
		for k, x := range ps.Points {
			m2 += (x - 1) * (x - 1) * ps.Weights[k]
		}
		if want := (2 + f) / (2 - f); math.Abs(m2/want-1) > 0.06 {
			t.Errorf("M/M/1-PS at ρ = %v: squared coefficient of variation %.3f, theory %.3f", f, m2, want)
		}
	}
	for _, kind := range []shapeKind{fcfsShape, psShape} {
		for _, scv := range []float64{0, 0.5, 1, 4} {
			for _, f := range []float64{0, 0.5, 0.95} {
				s := computeShape(kind, scv, f)
				if len(s.Points) > MaxShapePoints || len(s.Weights) != len(s.Points) {
					t.Fatalf("kind %d, C_s² %v, f %v: %d points, %d weights", kind, scv, f, len(s.Points), len(s.Weights))
				}
				var sum, wsum float64
				for k, x := range s.Points {
					sum += x * s.Weights[k]
					wsum += s.Weights[k]
					if k > 0 && !(x >= s.Points[k-1]) {
						t.Fatalf("kind %d, C_s² %v, f %v: point %d = %v below point %d = %v", kind, scv, f, k, x, k-1, s.Points[k-1])
					}
				}
				if math.Abs(wsum-1) > 1e-12 {
					t.Errorf("kind %d, C_s² %v, f %v: the weights sum to %v", kind, scv, f, wsum)
				}
				if math.Abs(sum-1) > 0.005 { // FCFS: the grid's discretisation of a point work
					t.Errorf("kind %d, C_s² %v, f %v: the points average %v, not 1", kind, scv, f, sum)
				}
			}
		}
	}
}

// exponentialIntervalMean is the mean of the unit exponential's quantile
// −ln(1 − q) over [a, b): its antiderivative is (1 − q)(ln(1 − q) − 1).
func exponentialIntervalMean(a, b float64) float64 {
	F := func(q float64) float64 { return (1 - q) * (math.Log1p(-q) - 1) }
	return (F(b) - F(a)) / (b - a)
}

// TestShapeQuadratureReadsQuantiles holds the quadrature to its documented
// rule on quantile functions known in closed form (the exponential, and
// lognormals of mean 1 and C² of 0.5 and 4, whose quantile is
// exp(−σ²/2 + σ√2 erf⁻¹(2q − 1)), σ² = ln(1 + C²)): the report quantiles
// 0.5, 0.9, 0.99 and 0.999 read within 0.5 % of the true quantile, every
// other q in (0.1, 0.9999] within the factor e^Step (e^(2·Step) below the
// median), the weights sum to 1,
// the points average the mean exactly (for the exponential, to the
// closed-form interval means and the memoryless tail: 1 + its quantile),
// and there are at most MaxShapePoints points.
func TestShapeQuadratureReadsQuantiles(t *testing.T) {
	lognormal := func(scv float64) func(float64) float64 {
		sigma := math.Sqrt(math.Log1p(scv))
		return func(q float64) float64 { return math.Exp(-sigma*sigma/2 + sigma*math.Sqrt2*math.Erfinv(2*q-1)) }
	}
	cases := []struct {
		name     string
		shape    *LatencyShape
		quantile func(float64) float64
	}{
		{"exponential", ExponentialShape, func(q float64) float64 { return -math.Log1p(-q) }},
		{"lognormal C² 0.5", shapeFromQuantile(lognormal(0.5)), lognormal(0.5)},
		{"lognormal C² 4", shapeFromQuantile(lognormal(4)), lognormal(4)},
	}
	for _, c := range cases {
		s := c.shape
		if n := len(s.Points); n > MaxShapePoints || n < 16 || len(s.Weights) != n {
			t.Fatalf("%s: %d points, %d weights", c.name, n, len(s.Weights))
		}
		var mean, wsum float64
		for k := range s.Points {
			mean += s.Points[k] * s.Weights[k]
			wsum += s.Weights[k]
		}
		if math.Abs(wsum-1) > 1e-12 || math.Abs(mean-1) > 1e-9 {
			t.Errorf("%s: weights sum to %v, points average %v", c.name, wsum, mean)
		}
		for _, q := range quadAnchors {
			if got, want := s.Quantile(q), c.quantile(q); math.Abs(got/want-1) > 0.005 {
				t.Errorf("%s: reads its %v-quantile as %.4f, true %.4f", c.name, q, got, want)
			}
		}
		for i := 1; i <= 10000; i++ { // q in (quadFloor, quadTop]
			q := quadFloor + (quadTop-quadFloor)*float64(i)/10000
			step := s.Step
			if q < quadAnchors[0] {
				step *= 2
			}
			if got, want := s.Quantile(q), c.quantile(q); math.Abs(math.Log(got/want)) > step+1e-9 {
				t.Fatalf("%s: reads its %v-quantile as %.4f, true %.4f, beyond the factor e^%.3f", c.name, q, got, want, step)
			}
		}
		t.Logf("%s: %d points, step %.4f (factor %.3f)", c.name, len(s.Points), s.Step, math.Exp(s.Step))
	}
	e := ExponentialShape
	lo := 0.0
	for k, x := range e.Points {
		hi := lo + e.Weights[k]
		// The memoryless tail; it also carries what the midpoint rule of
		// the other intervals leaves of the mean, magnified by 1/10⁻⁴.
		want, tol := -math.Log1p(-lo)+1, 2e-3
		if k < len(e.Points)-1 {
			want, tol = exponentialIntervalMean(lo, hi), 1e-4
		}
		if math.Abs(x/want-1) > tol {
			t.Errorf("exponential: point %d over [%.5f, %.5f) is %.6f, the interval's mean %.6f", k, lo, hi, x, want)
		}
		lo = hi
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
			// The quadrature reads its anchor quantiles within 0.5 %.
			for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
				if got, want := s.Quantile(q), -math.Log1p(-q); math.Abs(got/want-1) > 0.025 {
					t.Errorf("E_%v/M/1 at ρ = %v: quantile %v reads %.4f, the exponential's %.4f", k, rho, q, got, want)
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
		got, want := computeSmoothedShape(psShape, 1, f, f, 1), computeShape(psShape, 1, f)
		if !slices.Equal(got.Points, want.Points) || !slices.Equal(got.Weights, want.Weights) || got.P99 != want.P99 {
			t.Errorf("f = ρ = %v, c = 1: the smoothed shape differs from the Poisson one", f)
		}
	}
	s := computeSmoothedShape(psShape, 1, 0, 0, 0.5)
	var mean float64
	for k, x := range s.Points {
		mean += x * s.Weights[k]
		if !(x >= 0) || k > 0 && x < s.Points[k-1] {
			t.Fatalf("no load: point %d = %v", k, x)
		}
	}
	if math.Abs(mean-1) > 0.005 {
		t.Errorf("no load: the booked mean is %v, not 1", mean)
	}
}

// TestShortestQueuePSShape: processor sharing under join the shortest
// queue books its own shape (jsqPSTail), lighter in the tail than the
// random-routing shape at the same wait fraction, the more so the more
// tasks share the load, and a step's look-up allocates nothing once the
// row is computed.
func TestShortestQueuePSShape(t *testing.T) {
	ps := ServerConfig{Discipline: ProcessorSharing}
	prev := math.Inf(1)
	for _, n := range []int{2, 4, 16} {
		r, err := Fluid(FluidInput{OfferedRate: 0.9 * float64(n) * 10, Tasks: n, Server: ps, MeanWork: 0.1, SCV: 1, Routing: ShortestQueueRouting})
		if err != nil {
			t.Fatal(err)
		}
		got := FluidShape(ps, 1, r)
		random := FluidShape(ps, 1, FluidResult{MeanWait: r.MeanWait, MeanLatency: r.MeanLatency})
		ratio := got.P99 / random.P99
		if !(ratio < 1) || !(ratio < prev) {
			t.Errorf("N = %d: p99 factor %.4f against the random-routing shape's %.4f (ratio %.4f, previous N %.4f); want below it and falling with N",
				n, got.P99, random.P99, ratio, prev)
		}
		prev = ratio
		if a := testing.AllocsPerRun(100, func() { FluidShape(ps, 1, r) }); a != 0 {
			t.Errorf("N = %d: a look-up allocates %v times", n, a)
		}
	}
}

func BenchmarkFluidShapeShortestQueue(b *testing.B) {
	ps := ServerConfig{Discipline: ProcessorSharing}
	r, _ := Fluid(FluidInput{OfferedRate: 144, Tasks: 16, Server: ps, MeanWork: 0.1, SCV: 1, Routing: ShortestQueueRouting})
	FluidShape(ps, 1, r)
	b.ReportAllocs()
	for b.Loop() {
		FluidShape(ps, 1, r)
	}
}
