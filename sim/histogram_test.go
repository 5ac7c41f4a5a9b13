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

// TestLatencyHistogramRangeCoversItsBuckets: the range a histogram keeps
// of its non-empty buckets covers every one of them through adds and
// resets, so a quantile that scans only the range gives the bits of a
// scan of every bucket (the reference below), several quantiles read in
// one pass give the bits of one at a time, and a reset that clears only
// the range leaves every bucket empty.
func TestLatencyHistogramRangeCoversItsBuckets(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var h latencyHistogram
		for range rapid.IntRange(1, 200).Draw(t, "ops") {
			if rapid.IntRange(0, 9).Draw(t, "reset") == 0 {
				h.reset()
			} else {
				h.add(math.Pow(10, rapid.Float64Range(-7, 6).Draw(t, "x")), float64(rapid.IntRange(1, 9).Draw(t, "w"))/3)
			}
			for i, c := range h.dense() {
				if c != 0 && (i < h.from || i >= h.to) {
					t.Fatalf("bucket %d holds %v outside the range [%d, %d)", i, c, h.from, h.to)
				}
			}
			for _, q := range []float64{0.01, 0.5, 0.99, 1} {
				want := 0.0
				if h.total > 0 {
					want = math.Exp2(histMaxExp)
					cum := 0.0
					for i, c := range h.dense() {
						cum += c
						if c > 0 && cum >= q*h.total*(1-1e-12) {
							want = histValue(i)
							break
						}
					}
				}
				if got := h.quantile(q); got != want {
					t.Fatalf("q %v: %v scanning the range, %v scanning every bucket", q, got, want)
				}
			}
			// Several quantiles in one pass read what one at a time
			// reads, also when some fall in one bucket.
			qs := []float64{rapid.Float64Range(0.001, 1).Draw(t, "q")}
			for range rapid.IntRange(0, 4).Draw(t, "more") {
				qs = append(qs, min(qs[len(qs)-1]+rapid.Float64Range(0, 0.3).Draw(t, "dq"), 1))
			}
			got := make([]float64, len(qs))
			h.quantiles(qs, got)
			for j, q := range qs {
				if want := h.quantile(q); got[j] != want {
					t.Fatalf("quantiles %v: %v, one at a time %v at %v", qs, got, want, q)
				}
			}
		}
	})
}

// dense returns every bucket's weight, histBins of them, wherever the
// window lies.
func (h *latencyHistogram) dense() []float64 {
	d := make([]float64, histBins)
	copy(d[h.base:], h.counts)
	return d
}
