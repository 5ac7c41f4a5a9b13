package sweep

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestIntervalAgainstTheTTable holds the 95 % half-width to
// t(0.975, n−1)·s/√n with t from a printed Student t table (two-sided
// 95 %, three decimals: 12.706 for 1 degree of freedom, 2.776 for 4,
// 2.262 for 9), and s computed by hand.
func TestIntervalAgainstTheTTable(t *testing.T) {
	for _, tc := range []struct {
		xs       []float64
		mean, sd float64 // by hand
		tTable   float64
	}{
		{[]float64{1, 3}, 2, math.Sqrt2, 12.706},
		{[]float64{1, 2, 3, 4, 5}, 3, math.Sqrt(2.5), 2.776},
		{[]float64{2, 4, 4, 4, 5, 5, 7, 9, 10, 10}, 6, math.Sqrt(72.0 / 9), 2.262},
	} {
		got := Summarize(tc.xs)
		n := float64(len(tc.xs))
		want := tc.tTable * tc.sd / math.Sqrt(n)
		tol := 0.0005 * tc.sd / math.Sqrt(n) // the table's rounding
		if got.N != len(tc.xs) || math.Abs(got.Mean-tc.mean) > 1e-12 || math.Abs(got.HalfWidth-want) > tol {
			t.Errorf("%v: N %d mean %v ± %v, want %v ± %v (±%.2g)", tc.xs, got.N, got.Mean, got.HalfWidth, tc.mean, want, tol)
		}
		if got.Lo() != got.Mean-got.HalfWidth || got.Hi() != got.Mean+got.HalfWidth {
			t.Errorf("%v: interval [%v, %v]", tc.xs, got.Lo(), got.Hi())
		}
	}
	if one := Summarize([]float64{4}); one.Mean != 4 || !math.IsNaN(one.HalfWidth) || one.P50 != 4 {
		t.Errorf("one seed: %+v, want mean 4, no interval", one)
	}
	if none := Summarize(nil); none.N != 0 || !math.IsNaN(none.Mean) {
		t.Errorf("no seeds: %+v", none)
	}
}

// TestPercentilesAgainstSorting: Min, P50, P90 and Max are the samples at
// ranks ⌈p·n⌉ of the sorted samples, on random inputs of every size.
func TestPercentilesAgainstSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	rank := func(sorted []float64, p float64) float64 {
		k := int(math.Ceil(p*float64(len(sorted)))) - 1
		return sorted[max(k, 0)]
	}
	for n := 1; n <= 40; n++ {
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = math.Round(r.NormFloat64() * 100)
		}
		sorted := slices.Sorted(slices.Values(xs))
		got := Summarize(xs)
		if got.Min != sorted[0] || got.Max != sorted[n-1] || got.P50 != rank(sorted, 0.5) || got.P90 != rank(sorted, 0.9) {
			t.Errorf("n %d: %+v; sorted %v", n, got, sorted)
		}
	}
}

func TestByArmGroupsResults(t *testing.T) {
	res := []Result[float64]{
		{Cell{0, 0, 1}, 1}, {Cell{1, 0, 2}, 3},
		{Cell{2, 1, 1}, 10}, {Cell{3, 1, 2}, 10}, {Cell{4, 1, 3}, 40},
	}
	got := ByArm(res, 3, func(x float64) float64 { return x })
	if got[0].N != 2 || got[0].Mean != 2 || got[1].N != 3 || got[1].Mean != 20 || got[1].P50 != 10 || got[2].N != 0 {
		t.Errorf("ByArm = %+v", got)
	}
}
