package traffic

import (
	"math"
	"slices"
	"sync"
)

// LatencyShape is the distribution of a fluid step's sojourn divided by its
// mean, as a weighted quadrature: a fluid step that serves n requests with
// mean latency L books n × Weights[i] requests at L × Points[i]. Fluid
// mode knows the mean latency from queueing theory; the shape says how it
// spreads around the mean, which sets the percentiles a report reads.
//
// The points split the probabilities [0, 1] into at most MaxShapePoints
// intervals, each point its interval's weight and its interval's mean:
// [0, 0.1); an interval centred on each of the quantiles 0.5, 0.9, 0.99
// and 0.999; between those, up to 0.9999, intervals over which the
// quantile rises by the same factor e^Step (e^(2·Step) below the median),
// the finest that fits; and the tail [0.9999, 1], whose point carries the
// rest of the mean (at least the quantile at its middle), so that the
// points' weighted mean is the shape's mean, 1.
//
// A histogram reads its q-quantile as the first value at which the
// cumulative weight reaches q (Quantile): the point of the interval that
// holds q. An interval centred on q reads q's quantile (to within its
// curvature: a fraction of a percent); one that ends at q reads its
// middle. So the quantiles 0.5, 0.9, 0.99 and 0.999 read within 0.5 % of
// the true quantile, and any other q in (0.1, 0.9999] reads a point within
// a factor e^Step of it (e^(2·Step) below the median): the point and q's
// quantile both lie in the interval's range. For the exponential Step is
// 0.100: within 10.5 % at worst (22 % below the median), about half that
// typically, against the histogram's buckets' 1.6 %. In a report period
// the steps' means differ and their readings' errors average out: the
// mixtures of TestFluidPeriodReadsTheMixture read within 1.1 %. Every
// hundredth equally weighted, as fluid mode booked before, read a steady
// period's p99 as the 0.985 quantile, 9 % low for the exponential.
type LatencyShape struct {
	// Points are the intervals' means of the unit-mean sojourn,
	// increasing, and Weights the intervals' probabilities, summing to 1.
	Points, Weights []float64
	// Step is the natural logarithm of the widest factor the quantile
	// rises by across an interval between 0.1 and 0.9999 (+Inf if the
	// quantile function would not place).
	Step float64
	// P99 is the model's 99th percentile of the unit-mean sojourn.
	P99 float64
}

// ExponentialShape is the exponential distribution with mean 1: the
// sojourn of an M/M/1 or E_N/M/1 FCFS queue (Kleinrock 1975, Queueing
// Systems I, §4.4; the GI/M/1 sojourn is exponential with rate μ(1 − σ)),
// and the shape fluid mode books wherever it has no better model.
var ExponentialShape = func() *LatencyShape {
	s := shapeFromQuantile(func(q float64) float64 { return -math.Log1p(-q) })
	s.P99 = math.Log(100)
	return s
}()

// FluidShape returns the shape of the latency of a fluid step that Fluid
// estimated as r, for tasks of configuration cfg and work of variability
// scv (C_s²). It is a cell of a table computed once per model and C_s²
// and looked up by the step's figures: its wait fraction f = r.MeanWait /
// r.MeanLatency in 64 steps (the nearest row), the fraction of the mean
// sojourn spent waiting (FCFS) or slowed by sharing (processor sharing),
// and, where the routing's arrivals are not Poisson, what Fluid recorded
// in r about them (a FluidResult built by hand gets the random-routing
// shapes). The models:
//
//   - FCFS with one slot and an unlimited queue, exponential work, random
//     or round-robin routing: ExponentialShape (exact for random routing
//     and for round robin's GI/M/1 queue, whose sojourn is exponential).
//   - FCFS with one slot and an unlimited queue, other work, random
//     routing: the sojourn W + S of the M/G/1 queue whose wait fraction is
//     f, S lognormal of mean 1 and C_s² scv (a point for C_s² = 0), W the
//     Pollaczek–Khinchine geometric sum of equilibrium residuals of S
//     (Beneš; Kleinrock 1975, Queueing Systems, Volume I, for the M/G/1
//     waiting-time transform), computed numerically once per row: exact.
//   - FCFS with one slot and an unlimited queue, round robin with other
//     work, or join the shortest queue with any work: S plus a wait that
//     is 0 with probability 1 − P(W > 0) and otherwise the M/G/1
//     conditional wait whose mean makes the step's mean wait
//     (fcfsMixedShape). P(W > 0) is the GI/M/1 queue's σ for round robin
//     (exact for exponential work, where the shape is the exponential),
//     scaled for other work by Whitt's QNA delay probability relative to
//     its value at C_s² = 1; for join the shortest queue, the Erlang C
//     probability that every task is busy in its balanced chain.
//   - Processor sharing without a concurrency limit: the sojourn T(x) of a
//     request of work x has mean x/(1 − ρ) (M/G/1-PS) and, for M/M/1-PS,
//     variance 2ρx/(μ(1 − ρ)³) − 2ρ(1 − e^{−(1−ρ)μx})/(μ²(1 − ρ)⁴)
//     (Coffman, Muntz & Trotter 1970, Waiting time distributions for
//     processor-sharing systems, J. ACM 17(1)); T(x) is taken as a gamma
//     of that mean and variance (its distribution function by Wilson and
//     Hilferty's 1931 cube-root normal approximation), mixed over x
//     drawn from the work distribution (lognormal of C_s² scv, exponential
//     for C_s² = 1), with ρ = f (E[T] = E[S]/(1 − ρ)). Under round robin,
//     whose arrivals are smoother than Poisson, a small request is slowed
//     as the fewer requests it finds (1/(1 − f)) and a large one as the
//     load itself (1/(1 − ρ), ρ = r.Utilization), with a variance whose
//     growth in x is scaled by the arrivals' long-run variability
//     (computeSmoothedShape). Under join the shortest queue every request
//     is slowed by the load it shares (ρ = f) and the variance's growth in
//     x is scaled by c = 1/√N (jsqPSTail): a task's occupancy follows the
//     balanced share of the whole farm's.
//   - Anything else (several FCFS slots, bounded queues, a concurrency
//     limit): ExponentialShape.
//
// The agreement with request-level simulation is in the package
// documentation. FluidShape is safe for concurrent use.
func FluidShape(cfg ServerConfig, scv float64, r FluidResult) *LatencyShape {
	var kind shapeKind
	switch {
	case cfg.Discipline == ProcessorSharing && cfg.Concurrency == 0:
		kind = psShape
	case cfg.Discipline == FCFS && cfg.Concurrency <= 1 && cfg.QueueLimit == Unlimited && r.waitProb > 0:
		if es := r.MeanLatency - r.MeanWait; es > 0 && r.MeanWait >= 0 && !math.IsInf(r.MeanWait, 0) {
			return fcfsMixedShape(scv, r.MeanWait/es, min(r.waitProb, 1))
		}
		return ExponentialShape
	case cfg.Discipline == FCFS && cfg.Concurrency <= 1 && cfg.QueueLimit == Unlimited && scv != 1:
		kind = fcfsShape
	default:
		return ExponentialShape
	}
	f := r.MeanWait / r.MeanLatency
	if !(f >= 0) { // NaN: no latency
		return ExponentialShape
	}
	row := min(int(math.Round(f*shapeRows)), shapeRows-1)
	smooth := 0
	switch {
	case kind == psShape && r.psTail > 0 && r.psTail < 1:
		// Join the shortest queue: every request slowed by the load it
		// shares, f, with the routing's own tail factor.
		c := max(int(math.Round((1-r.psTail)*smoothSteps)), 0)
		smooth = 1 + row + shapeRows*c
	case kind == psShape && r.arrivalSCV > 0 && r.arrivalSCV < 1 && r.Utilization > 0:
		// Arrivals smoother than Poisson: the table of the tail factor and
		// the utilisation (f is then below it).
		c := max(int(math.Round((1-psTailFactor(r.arrivalSCV, scv))*smoothSteps)), 0)
		u := min(int(math.Round(r.Utilization*shapeRows)), shapeRows-1)
		smooth = 1 + u + shapeRows*c
	}
	return shapeRow(kind, scv, smooth, row)
}

type shapeKind uint8

const (
	fcfsShape shapeKind = iota
	psShape
)

// shapeRows is the number of rows of a shape table: the wait fraction
// k/shapeRows, k = 0..shapeRows−1.
const shapeRows = 64

type shapeKey struct {
	kind   shapeKind
	scv    float64
	smooth int // processor sharing: 0 for Poisson arrivals, else 1 + the utilisation's row + shapeRows × (1 − c) in steps of 1/smoothSteps
}

// smoothSteps is the resolution of the processor-sharing tables' tail
// factor c (psTailFactor).
const smoothSteps = 64

// psTailFactor is c = (C_a² + C_s²)/(1 + C_s²): the factor by which arrivals
// of variability C_a² scale the growth of a processor-sharing sojourn's
// variance with the request's size, relative to Poisson arrivals. A large
// request's sojourn is its work plus the share of the work that arrives
// while it is in service, amplified by 1/(1 − ρ); the work arriving in a
// time t is a random sum of N(t) works, of variance
// E[N]·Var(S) + Var(N)·E[S]², and a renewal count's variance grows as
// C_a²·λt (D. R. Cox, Renewal Theory, Methuen 1962), so the whole grows as
// λt·E[S]²·(C_a² + C_s²), which is λt·E[S²] for Poisson arrivals.
func psTailFactor(ca2, cs2 float64) float64 { return (ca2 + cs2) / (1 + cs2) }

var shapeCache struct {
	sync.Mutex
	tables map[shapeKey]*[shapeRows]*LatencyShape
}

// shapeRow returns row k of the (kind, scv) table, computing it on first use.
func shapeRow(kind shapeKind, scv float64, smooth, k int) *LatencyShape {
	shapeCache.Lock()
	defer shapeCache.Unlock()
	if shapeCache.tables == nil {
		shapeCache.tables = map[shapeKey]*[shapeRows]*LatencyShape{}
	}
	key := shapeKey{kind, scv, smooth}
	t := shapeCache.tables[key]
	if t == nil {
		t = new([shapeRows]*LatencyShape)
		shapeCache.tables[key] = t
	}
	if t[k] == nil {
		f := float64(k) / shapeRows
		if smooth == 0 {
			t[k] = computeShape(kind, scv, f)
		} else {
			u, c := (smooth-1)%shapeRows, (smooth-1)/shapeRows
			t[k] = computeSmoothedShape(kind, scv, max(float64(u)/shapeRows, f), f, 1-float64(c)/smoothSteps)
		}
	}
	return t[k]
}

// shapeWork is the number of equally likely points the work distribution
// is discretised into, and shapeGrid the number of points of the
// logarithmic grid the sojourn's distribution function is evaluated on.
const (
	shapeWork = 2048
	shapeGrid = 800
)

// psWorkStride thins the work points for processor sharing: each of its
// points is a gamma, not a point, so a quarter of them resolve the
// mixture, at a quarter of the cost.
const psWorkStride = 4

// workPoints are the shapeWork mid-quantiles of the work distribution with
// mean 1 and squared coefficient of variation scv: a point for 0, the
// exponential for 1, else the lognormal.
func workPoints(scv float64) []float64 {
	x := make([]float64, shapeWork)
	sigma := math.Sqrt(math.Log1p(scv))
	for j := range x {
		q := (float64(j) + 0.5) / shapeWork
		switch {
		case scv == 0:
			x[j] = 1
		case scv == 1:
			x[j] = -math.Log1p(-q)
		default:
			x[j] = math.Exp(-sigma*sigma/2 + sigma*math.Sqrt2*math.Erfinv(2*q-1))
		}
	}
	return x
}

// computeShape returns the shape of model kind at wait fraction f, in
// units of the mean work first, divided by the exact mean sojourn at the
// end: the distribution function is evaluated on a logarithmic grid from
// 10⁻⁴ to 10³ mean sojourns and inverted by linear interpolation.
func computeShape(kind shapeKind, scv, f float64) *LatencyShape {
	return computeSmoothedShape(kind, scv, f, f, 1)
}

// computeSmoothedShape is computeShape for processor sharing under
// arrivals smoother than Poisson (round robin), at utilisation rho, wait
// fraction f (below rho: E[T] = E[S]/(1 − f)) and tail factor c
// (psTailFactor). A request of work x that arrives finds fewer requests
// present than under Poisson arrivals (GI/M/1's σ rather than ρ), but over
// a long service it is slowed by the load itself: its mean sojourn goes
// from x/(1 − f) for small x to x/(1 − ρ) − const for large x,
//
//	E[T(x)] = x·((1 − g)/(1 − ρ) + g/(1 − f)),   g = (1 − e^{−a})/a,  a = (1 − ρ)x,
//
// with the transient e^{−a} of Coffman, Muntz and Trotter's M/M/1-PS
// variance, and the variance v(x) of M/M/1-PS at ρ becomes
// v(x)·(c(1 − g) + κg), κ = f(1 − ρ)²/(ρ(1 − f)²): a small request's
// variance is that of the number present at its arrival (load f), a large
// one's grows linearly, scaled by c. f = ρ and c = 1 is computeShape,
// bit for bit.
func computeSmoothedShape(kind shapeKind, scv, rho, f, c float64) *LatencyShape {
	if kind == fcfsShape {
		return fcfsSojournShape(scv, f)
	}
	x := workPoints(scv)
	var cdf func(t float64) float64
	var mean float64
	{
		poisson := f == rho && c == 1
		kappa := 1.0 // no load: nothing to scale
		if rho > 0 {
			kappa = f * (1 - rho) * (1 - rho) / (rho * (1 - f) * (1 - f))
		}
		mean = 1 / (1 - rho)
		var mixMean float64
		type component struct{ k, theta float64 } // gamma shape and scale; k = 0: a point at theta
		comps := make([]component, 0, len(x)/psWorkStride)
		for j := psWorkStride / 2; j < len(x); j += psWorkStride {
			s := x[j]
			mu := s / (1 - rho)
			a := (1 - rho) * s
			g := 1.0
			if a > 1e-9 {
				g = -math.Expm1(-a) / a
			}
			if !poisson {
				mu = s * ((1-g)/(1-rho) + g/(1-f))
				mixMean += mu
			}
			var v float64
			if a < 1e-4 {
				v = rho * s * s / ((1 - rho) * (1 - rho)) // the series' leading term
			} else {
				v = 2*rho*s/math.Pow(1-rho, 3) + 2*rho*math.Expm1(-a)/math.Pow(1-rho, 4)
			}
			if !poisson {
				v *= c*(1-g) + kappa*g
			}
			if !(v > 1e-12*mu*mu) {
				comps = append(comps, component{0, mu})
				continue
			}
			comps = append(comps, component{mu * mu / v, v / mu})
		}
		if !poisson {
			mean = mixMean / float64(len(comps))
		}
		cdf = func(t float64) float64 {
			var sum float64
			for _, c := range comps {
				if c.k == 0 {
					if c.theta <= t {
						sum++
					}
					continue
				}
				// Wilson–Hilferty: (X/(kθ))^⅓ is near normal with mean
				// 1 − 1/(9k) and variance 1/(9k).
				z := (math.Cbrt(t/(c.k*c.theta)) - (1 - 1/(9*c.k))) * math.Sqrt(9*c.k)
				sum += 0.5 * math.Erfc(-z/math.Sqrt2)
			}
			return sum / float64(len(comps))
		}
	}
	lo, hi := math.Log(1e-4*mean), math.Log(1e3*mean)
	ts := make([]float64, shapeGrid)
	fs := make([]float64, shapeGrid)
	for i := range ts {
		ts[i] = lo + (hi-lo)*float64(i)/(shapeGrid-1)
		fs[i] = cdf(math.Exp(ts[i]))
	}
	quantile := func(q float64) float64 {
		i := 0
		for i < shapeGrid-1 && fs[i] < q {
			i++
		}
		if i == 0 || fs[i] < q {
			return math.Exp(ts[i]) / mean
		}
		u := (q - fs[i-1]) / (fs[i] - fs[i-1])
		return math.Exp(ts[i-1]+u*(ts[i]-ts[i-1])) / mean
	}
	return shapeFromQuantile(quantile)
}

// shapeFromQuantile is the shape of a unit-mean quantile function, its
// points placed by quadrature.
func shapeFromQuantile(quantile func(q float64) float64) *LatencyShape {
	return quadrature(quantile)
}

// fcfsGrid is the number of cells of the uniform grid on which
// fcfsSojournShape convolves the wait and the work.
const fcfsGrid = 4096

// lognormalCDF is the distribution function at t of the work with mean 1
// and squared coefficient of variation scv: a point at 1 for 0, the
// exponential for 1, else the lognormal.
func lognormalCDF(scv, t float64) float64 {
	switch {
	case t <= 0:
		return 0
	case scv == 0:
		if t >= 1 {
			return 1
		}
		return 0
	case scv == 1:
		return -math.Expm1(-t)
	}
	sigma := math.Sqrt(math.Log1p(scv))
	return 0.5 * math.Erfc(-(math.Log(t)+sigma*sigma/2)/(sigma*math.Sqrt2))
}

// fcfsSojournShape is the FCFS shape at wait fraction f: the sojourn W + S
// of the M/G/1 queue whose Pollaczek–Khinchine mean wait is that fraction
// of its mean sojourn, in units of the mean work. The wait is the
// Pollaczek–Khinchine geometric sum (Beneš): with probability 1 − ρ none,
// otherwise an equilibrium residual of the work R (density
// (1 − F_S(x))/E[S]) plus another such wait, W = B·(R + W'), exact for
// M/G/1 FCFS; the sojourn adds the request's own work, independent of its
// wait. Both are convolved on a uniform grid of fcfsGrid cells up to 60
// mean sojourns.
func fcfsSojournShape(scv, f float64) *LatencyShape {
	w := f / (1 - f)           // E[W] in mean works
	rho := w / ((1+scv)/2 + w) // Pollaczek–Khinchine: E[W] = ρ/(1 − ρ) · E[S²]/(2E[S])
	mean := 1 + w
	h := 60 * mean / fcfsGrid
	// Cell masses of the residual R and of the work S.
	r, s := make([]float64, fcfsGrid), make([]float64, fcfsGrid)
	var rsum float64
	// The wait lives on the points n·h: R's mass at i·h is that of
	// [(i − ½)h, (i + ½)h) (the midpoint rule), so that sums of residuals
	// stay centred; so is S's, and W + S's mass at (n + j)h is read as
	// spread over [(n + j − ½)h, (n + j + ½)h).
	for i := range r {
		if i == 0 {
			r[i] = h / 2 * (1 - lognormalCDF(scv, h/4))
		} else {
			r[i] = h * (1 - lognormalCDF(scv, float64(i)*h))
		}
		rsum += r[i]
		s[i] = lognormalCDF(scv, (float64(i)+0.5)*h) - lognormalCDF(scv, (float64(i)-0.5)*h)
	}
	for i := range r {
		r[i] /= rsum // the tail beyond the grid: a few parts in a thousand at most
	}
	// W: w_n = (1 − ρ)δ_n + ρ Σ_j r_j w_{n−j}, solved forward.
	wm := make([]float64, fcfsGrid)
	for n := range wm {
		acc := 0.0
		if n == 0 {
			acc = 1 - rho
		}
		for j := 1; j <= n; j++ {
			acc += rho * r[j] * wm[n-j]
		}
		wm[n] = acc / (1 - rho*r[0])
	}
	// T = W + S, and its distribution function at the cells' ends.
	cdf := make([]float64, fcfsGrid)
	var cum float64
	for n := range cdf {
		acc := 0.0
		for j := 0; j <= n; j++ {
			acc += wm[j] * s[n-j]
		}
		cum += acc
		cdf[n] = cum
	}
	quantile := gridQuantile(cdf, h, mean)
	return shapeFromQuantile(quantile)
}

// The tables of fcfsMixedShape have mixedRows rows, the conditional mean
// wait E[R]·2^(i/16), i = 0..mixedRows−1 (the load ρ′ = 1 − 2^(−i/16), up
// to 0.996), and mixedCols columns, the wait probability p whose odds
// p/(1 − p) are 2^((j − mixedCols/2)/16), j = 0..mixedCols−1 (from 0.4 % to
// 99.6 %): a step's conditional wait, p and 1 − p are at most 2.2 % from a
// cell's.
const (
	mixedRows = 128
	mixedCols = 256
)

// mixedRow is a row of a fcfsMixedShape table.
type mixedRow struct {
	h, condMean float64   // grid step and the mean wait of a waiting request, in mean works
	work, wait  []float64 // distribution functions at the cells' ends: S alone, and S + a waiting request's wait
	shapes      [mixedCols]*LatencyShape
}

// mixedCache holds the tables of fcfsMixedShape, one per C_s², each row and
// each shape computed on first use.
var mixedCache struct {
	sync.Mutex
	tables map[float64]*[mixedRows]*mixedRow
}

// fcfsMixedShape is the FCFS shape of a one-slot task whose arrivals are
// not Poisson (round robin, join the shortest queue), for work of C_s²
// scv, mean wait w (in mean works) and wait probability p = P(W > 0).
// The sojourn is the request's own work S plus a wait that is 0 with
// probability 1 − p and otherwise the wait of a waiting request in an
// M/G/1 queue, R + W′ (R the equilibrium residual of the work, W′ the
// Pollaczek–Khinchine wait, Beneš), at the load ρ′ whose conditional mean
// E[R]/(1 − ρ′) is w/p, so that the mean wait is w. For a GI/M/1 queue
// (exponential work) with p = σ this is exact: the conditional wait of
// GI/M/1 is exponential with rate μ(1 − σ) (Kleinrock 1975, Queueing
// Systems I, §6.4), and the M/M/1 conditional wait at ρ′ = σ is that
// exponential. For other work it keeps the M/G/1 form of the conditional
// wait with the routing's chance of waiting. If w/p is below E[R] (a wait
// shorter than one residual), ρ′ = 0 and p = w/E[R].
func fcfsMixedShape(scv, w, p float64) *LatencyShape {
	er := (1 + scv) / 2
	i := 0
	if m := w / p; m > er {
		i = min(int(math.Round(16*math.Log2(m/er))), mixedRows-1)
	} else {
		p = w / er
	}
	j := 0 // p = 0: the first column
	switch l := 16 * math.Log2(p/(1-p)); {
	case l >= mixedCols/2-1: // p = 1 too
		j = mixedCols - 1
	case l > -mixedCols/2:
		j = int(math.Round(l)) + mixedCols/2
	}
	mixedCache.Lock()
	defer mixedCache.Unlock()
	if mixedCache.tables == nil {
		mixedCache.tables = map[float64]*[mixedRows]*mixedRow{}
	}
	t := mixedCache.tables[scv]
	if t == nil {
		t = new([mixedRows]*mixedRow)
		mixedCache.tables[scv] = t
	}
	row := t[i]
	if row == nil {
		row = computeMixedRow(scv, -math.Expm1(-float64(i)/16*math.Ln2))
		t[i] = row
	}
	if row.shapes[j] == nil {
		odds := math.Exp2(float64(j-mixedCols/2) / 16)
		row.shapes[j] = row.shape(odds / (1 + odds))
	}
	return row.shapes[j]
}

// computeMixedRow computes the distribution functions of S and of S + R +
// W′, W′ the M/G/1 wait at load rc, on a uniform grid of fcfsGrid cells
// wide enough for the conditional wait's tail, with the conventions of
// fcfsSojournShape.
func computeMixedRow(scv, rc float64) *mixedRow {
	er := (1 + scv) / 2
	m := er / (1 - rc) // E[R + W′]
	h := (20*m + 40) / fcfsGrid
	r, s := make([]float64, fcfsGrid), make([]float64, fcfsGrid)
	var rsum float64
	for i := range r {
		if i == 0 {
			r[i] = h / 2 * (1 - lognormalCDF(scv, h/4))
		} else {
			r[i] = h * (1 - lognormalCDF(scv, float64(i)*h))
		}
		rsum += r[i]
		s[i] = lognormalCDF(scv, (float64(i)+0.5)*h) - lognormalCDF(scv, (float64(i)-0.5)*h)
	}
	for i := range r {
		r[i] /= rsum
	}
	// W′: w_n = (1 − ρ′)δ_n + ρ′ Σ_j r_j w_{n−j}; then R + W′; then + S.
	wm := make([]float64, fcfsGrid)
	for n := range wm {
		acc := 0.0
		if n == 0 {
			acc = 1 - rc
		}
		for j := 1; j <= n; j++ {
			acc += rc * r[j] * wm[n-j]
		}
		wm[n] = acc / (1 - rc*r[0])
	}
	conv := func(a, b []float64) []float64 {
		c := make([]float64, fcfsGrid)
		for n := range c {
			acc := 0.0
			for j := 0; j <= n; j++ {
				acc += a[j] * b[n-j]
			}
			c[n] = acc
		}
		return c
	}
	cum := func(a []float64) []float64 {
		var c float64
		out := make([]float64, len(a))
		for i, v := range a {
			c += v
			out[i] = c
		}
		return out
	}
	return &mixedRow{h: h, condMean: m, work: cum(s), wait: cum(conv(conv(r, wm), s))}
}

// shape is the row's sojourn with wait probability p, divided by its mean
// 1 + p·E[R + W′].
func (row *mixedRow) shape(p float64) *LatencyShape {
	cdf := make([]float64, fcfsGrid)
	for i := range cdf {
		cdf[i] = (1-p)*row.work[i] + p*row.wait[i]
	}
	mean := 1 + p*row.condMean
	h := row.h
	return shapeFromQuantile(gridQuantile(cdf, h, mean))
}

// gridQuantile inverts a distribution function tabulated on a grid of
// fcfsGrid cells of width h (cdf[i] at the end of cell i), interpolating
// within a cell, and divides by mean to give a unit-mean quantile.
func gridQuantile(cdf []float64, h, mean float64) func(q float64) float64 {
	return func(q float64) float64 {
		i, _ := slices.BinarySearch(cdf, q)
		if i >= fcfsGrid {
			return float64(fcfsGrid) * h / mean
		}
		lo := 0.0
		if i > 0 {
			lo = cdf[i-1]
		}
		u := 0.0
		if cdf[i] > lo {
			u = (q - lo) / (cdf[i] - lo)
		}
		return max(float64(i)-0.5+u, 0) * h / mean
	}
}
