package sweep

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Stats sum up one measure of one arm over its seeds.
type Stats struct {
	// N is the number of seeds.
	N int
	// Mean is the sample mean; HalfWidth the half-width of its 95 %
	// Student t confidence interval, t(0.975, N−1)·s/√N with s the sample
	// standard deviation: NaN for fewer than two seeds, where no interval
	// exists.
	Mean, HalfWidth float64
	// Min, P50, P90 and Max are percentiles across seeds: the smallest
	// sample at or above that fraction of the samples (the empirical
	// quantile, always a value some seed gave).
	Min, P50, P90, Max float64
}

// Lo and Hi are the ends of the 95 % interval (NaN without one).
func (s Stats) Lo() float64 { return s.Mean - s.HalfWidth }

// Hi is the upper end of the 95 % interval.
func (s Stats) Hi() float64 { return s.Mean + s.HalfWidth }

// Summarize returns the statistics of xs; the zero Stats (with NaN
// figures) for none.
func Summarize(xs []float64) Stats {
	n := len(xs)
	if n == 0 {
		nan := math.NaN()
		return Stats{Mean: nan, HalfWidth: nan, Min: nan, P50: nan, P90: nan, Max: nan}
	}
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	st := Stats{N: n, Min: sorted[0], Max: sorted[n-1],
		P50: stat.Quantile(0.5, stat.Empirical, sorted, nil),
		P90: stat.Quantile(0.9, stat.Empirical, sorted, nil),
	}
	var sd float64
	st.Mean, sd = stat.MeanStdDev(xs, nil)
	st.HalfWidth = math.NaN()
	if n >= 2 {
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(0.975)
		st.HalfWidth = t * sd / math.Sqrt(float64(n))
	}
	return st
}

// ByArm sums up one measure of the results per arm, over the seeds each
// arm ran with: out[a] is arm a's statistics, for arms 0 to arms-1 (an arm
// with no result has N 0). The order of results does not matter beyond
// the order of seeds within an arm, which the mean and percentiles do not
// depend on either.
func ByArm[O any](results []Result[O], arms int, measure func(O) float64) []Stats {
	xs := make([][]float64, arms)
	for _, r := range results {
		if r.Arm >= 0 && r.Arm < arms {
			xs[r.Arm] = append(xs[r.Arm], measure(r.Out))
		}
	}
	out := make([]Stats, arms)
	for a := range out {
		out[a] = Summarize(xs[a])
	}
	return out
}
