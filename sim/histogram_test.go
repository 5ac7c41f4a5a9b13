package sim

import (
	"math"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestLatencyHistogramQuantilesMatchSorting holds the histogram's
// quantiles to a naive reference (sort the samples, take the
// ceil(q·n)-th): within the documented 1/(2·histSub) relative error.
func TestLatencyHistogramQuantilesMatchSorting(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 500).Draw(t, "n")
		xs := make([]float64, n)
		var h latencyHistogram
		for i := range xs {
			// 1 µs to 1000 s, log-uniform.
			xs[i] = math.Pow(10, rapid.Float64Range(-6, 3).Draw(t, "x"))
			h.add(xs[i], 1)
		}
		slices.Sort(xs)
		for _, q := range []float64{0.01, 0.5, 0.9, 0.99, 1} {
			want := xs[max(int(math.Ceil(q*float64(n)))-1, 0)]
			got := h.quantile(q)
			if rel := math.Abs(got-want) / want; rel > 1.0/(2*histSub)+1e-12 {
				t.Fatalf("q %v: histogram %v, sorted %v (rel %.4f > %.4f)", q, got, want, rel, 1.0/(2*histSub))
			}
		}
	})
}

// TestLatencyHistogramBucketsAreOrdered: bucket values increase with the
// index and every value falls in the bucket whose range holds it.
func TestLatencyHistogramBucketsAreOrdered(t *testing.T) {
	for i := 1; i < histBins; i++ {
		if histValue(i) <= histValue(i-1) {
			t.Fatalf("bucket %d value %v not above bucket %d's %v", i, histValue(i), i-1, histValue(i-1))
		}
		if b := histBucket(histValue(i)); b != i {
			t.Fatalf("midpoint of bucket %d falls in bucket %d", i, b)
		}
	}
	var h latencyHistogram
	if h.quantile(0.5) != 0 {
		t.Errorf("empty histogram quantile is not 0")
	}
}

// TestHistBucketPositive holds the shift-and-subtract bucket to histBucket
// for positive values: random ones over the whole float64 range, the
// histogram's edges and their neighbours, subnormals and +Inf.
func TestHistBucketPositive(t *testing.T) {
	check := func(v float64) {
		t.Helper()
		if got, want := histBucketPositive(v), histBucket(v); got != want {
			t.Fatalf("histBucketPositive(%v) = %d, histBucket %d", v, got, want)
		}
	}
	for _, v := range []float64{math.SmallestNonzeroFloat64, 1e-310, math.Exp2(histMinExp), math.Exp2(histMaxExp), math.MaxFloat64, math.Inf(1), 1, 0.5, 3600} {
		check(v)
		check(math.Nextafter(v, 0))
		check(math.Nextafter(v, math.Inf(1)))
	}
	rapid.Check(t, func(rt *rapid.T) {
		bits := rapid.Uint64Range(1, 0x7ff0000000000000).Draw(rt, "bits") // positive, finite or +Inf
		v := math.Float64frombits(bits)
		if got, want := histBucketPositive(v), histBucket(v); got != want {
			rt.Fatalf("histBucketPositive(%v) = %d, histBucket %d", v, got, want)
		}
	})
}
