package dist

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// hostileDuration is any duration, weighted towards the ends and zero.
func hostileDuration(t *rapid.T, label string) time.Duration {
	return time.Duration(rapid.OneOf(
		rapid.SampledFrom([]int64{math.MinInt64, -1, 0, 1, int64(time.Second), int64(time.Hour), int64(290 * 365 * 24 * time.Hour), math.MaxInt64 - 1, math.MaxInt64}),
		rapid.Int64(),
		rapid.Int64Range(0, int64(time.Minute)),
	).Draw(t, label))
}

// hostileFloat is any float64: NaN, ±Inf, the extremes, tiny and
// ordinary values.
func hostileFloat(t *rapid.T, label string) float64 {
	return rapid.OneOf(
		rapid.SampledFrom([]float64{math.NaN(), math.Inf(1), math.Inf(-1), -1, 0, 5e-324, 1e-300, 0.5, 1, 2, 50, 1e300, math.MaxFloat64, -math.MaxFloat64}),
		rapid.Float64(),
		rapid.Float64Range(0, 10),
	).Draw(t, label)
}

// TestRegressionDistNegativeDuration: some distributions returned negative
// durations for long means or large σ (a lognormal with σ = 50, an
// exponential of mean near Max: the product overflowed int64 and
// wrapped). For every family and any parameters, valid or not, every
// draw is finite and in [0, Max]; and a distribution Validate accepts has
// a mean in [0, Max] and a finite C² ≥ 0.
func TestRegressionDistNegativeDuration(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var d Dist
		switch rapid.IntRange(0, 6).Draw(t, "kind") {
		case 0:
			d = Fixed(hostileDuration(t, "d"))
		case 1:
			d = Uniform(hostileDuration(t, "lo"), hostileDuration(t, "hi"))
		case 2:
			d = Exponential(hostileDuration(t, "mean"))
		case 3:
			d = LogNormal(hostileDuration(t, "median"), hostileFloat(t, "sigma"))
		case 4:
			d = LogNormalMean(hostileDuration(t, "mean"), hostileFloat(t, "scv"))
		case 5:
			d = HyperExponential(hostileDuration(t, "mean"), hostileFloat(t, "scv"))
		}
		r := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 1))
		for range 64 {
			if v := d.Sample(r); v < 0 {
				t.Fatalf("%v drew %v", d, v)
			}
		}
		if d.Validate() != nil {
			return
		}
		if m := d.Mean(); m < 0 {
			t.Fatalf("%v is valid with mean %v", d, m)
		}
		if c := d.SCV(); !(c >= 0) || math.IsInf(c, 0) {
			t.Fatalf("%v is valid with C² %v", d, c)
		}
	})
}
