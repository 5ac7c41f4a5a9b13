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
// scv (C_s²). It is a row of a table computed once per (model, C_s²) and
// indexed by the step's wait fraction f = r.MeanWait / r.MeanLatency in 64
// steps (the nearest row): the fraction of the mean sojourn spent waiting
// (FCFS) or slowed by sharing (processor sharing), which carries the load
// and the routing into one number. The models:
//
//   - FCFS with one slot and an unlimited queue, exponential work:
//     ExponentialShape (exact for random and one-cursor round-robin
//     routing).
//   - FCFS with one slot and an unlimited queue, other work: the sojourn
//     W + S of the M/G/1 queue whose wait fraction is f, S lognormal of
//     mean 1 and C_s² scv (a point for C_s² = 0), W the
//     Pollaczek–Khinchine geometric sum of equilibrium residuals of S
//     (Beneš; Kleinrock 1975, Queueing Systems, Volume I, for the M/G/1
//     waiting-time transform), computed numerically once per row: exact
//     for random routing, and for other routings the M/G/1 queue of the
//     same mean wait.
//   - Processor sharing without a concurrency limit: the sojourn T(x) of a
//     request of work x has mean x/(1 − ρ) (M/G/1-PS) and, for M/M/1-PS,
//     variance 2ρx/(μ(1 − ρ)³) − 2ρ(1 − e^{−(1−ρ)μx})/(μ²(1 − ρ)⁴)
//     (Coffman, Muntz & Trotter 1970, Waiting time distributions for
//     processor-sharing systems, J. ACM 17(1)); T(x) is taken as a gamma
//     of that mean and variance (its distribution function by Wilson and
//     Hilferty's 1931 cube-root normal approximation), mixed over x
//     drawn from the work distribution (lognormal of C_s² scv, exponential
//     for C_s² = 1), with ρ = f (E[T] = E[S]/(1 − ρ)).
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
	return shapeRow(kind, scv, row)
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
	kind shapeKind
	scv  float64
}

var shapeCache struct {
	sync.Mutex
	tables map[shapeKey]*[shapeRows]*LatencyShape
}

// shapeRow returns row k of the (kind, scv) table, computing it on first use.
func shapeRow(kind shapeKind, scv float64, k int) *LatencyShape {
	shapeCache.Lock()
	defer shapeCache.Unlock()
	if shapeCache.tables == nil {
		shapeCache.tables = map[shapeKey]*[shapeRows]*LatencyShape{}
	}
	key := shapeKey{kind, scv}
	t := shapeCache.tables[key]
	if t == nil {
		t = new([shapeRows]*LatencyShape)
		shapeCache.tables[key] = t
	}
	if t[k] == nil {
		t[k] = computeShape(kind, scv, float64(k)/shapeRows)
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
	if kind == fcfsShape {
		return fcfsSojournShape(scv, f)
	}
	x := workPoints(scv)
	var cdf func(t float64) float64
	var mean float64
	{
		rho := f
		mean = 1 / (1 - rho)
		type component struct{ k, theta float64 } // gamma shape and scale; k = 0: a point at theta
		comps := make([]component, 0, len(x)/psWorkStride)
		for j := psWorkStride / 2; j < len(x); j += psWorkStride {
			s := x[j]
			mu := s / (1 - rho)
			a := (1 - rho) * s
			var v float64
			if a < 1e-4 {
				v = rho * s * s / ((1 - rho) * (1 - rho)) // the series' leading term
			} else {
				v = 2*rho*s/math.Pow(1-rho, 3) + 2*rho*math.Expm1(-a)/math.Pow(1-rho, 4)
			}
			if !(v > 1e-12*mu*mu) {
				comps = append(comps, component{0, mu})
				continue
			}
			comps = append(comps, component{mu * mu / v, v / mu})
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
	quantile := func(q float64) float64 {
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
	return shapeFromQuantile(quantile)
}
