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

// denseHistogram is the naive reference of latencyHistogram: every one of
// the histBins buckets, always, and quantiles read by scanning them all.
type denseHistogram struct {
	counts [histBins]float64
	total  float64
}

func (d *denseHistogram) addBucket(b int, w float64) { d.counts[b] += w; d.total += w }

func (d *denseHistogram) reset() { *d = denseHistogram{} }

// quantile is the midpoint of the first non-empty bucket at which the
// cumulative weight reaches q·total (less the same 1e-12 of slack as
// latencyHistogram's); 0 when empty, 2^histMaxExp when none does.
func (d *denseHistogram) quantile(q float64) float64 {
	if d.total <= 0 {
		return 0
	}
	cum := 0.0
	for i, c := range d.counts {
		cum += c
		if c != 0 && cum >= q*d.total*(1-1e-12) {
			return histValue(i)
		}
	}
	return math.Exp2(histMaxExp)
}

// TestWindowedHistogramMatchesDense holds the histogram, which keeps only
// a window of its buckets, to the dense reference on random streams: the
// same counts in every bucket, the same total and the same quantiles, bit
// for bit, through adds (log-uniform values over 18 decades, and 0,
// negatives, +Inf, the largest float64, the first and the last bucket
// directly), resets, and the fluid fold's path: a pair of histograms (the
// report period's and the run's) whose windows coverPair unifies and
// grows, written through their counts and widened after, as foldLatency
// does. Some samples go to one of the pair only, so that their windows
// differ when coverPair meets them.
func TestWindowedHistogramMatchesDense(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var single, period, whole latencyHistogram
		var rSingle, rPeriod, rWhole denseHistogram
		value := func() float64 {
			switch rapid.IntRange(0, 9).Draw(t, "kind") {
			case 0:
				return rapid.SampledFrom([]float64{0, -1, -1e-300, math.Inf(1), math.MaxFloat64, 1e300, math.SmallestNonzeroFloat64, math.Exp2(histMinExp), math.Exp2(histMaxExp)}).Draw(t, "extreme")
			case 1:
				return histValue(rapid.IntRange(0, histBins-1).Draw(t, "midpoint"))
			default:
				return math.Pow(10, rapid.Float64Range(-9, 9).Draw(t, "log10"))
			}
		}
		weight := func() float64 { return float64(rapid.IntRange(1, 30).Draw(t, "w")) / 7 }
		for range rapid.IntRange(1, 120).Draw(t, "ops") {
			switch rapid.IntRange(0, 9).Draw(t, "op") {
			case 0:
				single.reset()
				rSingle.reset()
			case 1:
				period.reset()
				rPeriod.reset()
			case 2: // the first or the last bucket, directly
				b, w := rapid.SampledFrom([]int{0, histBins - 1}).Draw(t, "end"), weight()
				single.addBucket(b, w)
				rSingle.addBucket(b, w)
			case 3: // one of the pair only
				b, w := histBucket(value()), weight()
				if rapid.Bool().Draw(t, "period") {
					period.addBucket(b, w)
					rPeriod.addBucket(b, w)
				} else {
					whole.addBucket(b, w)
					rWhole.addBucket(b, w)
				}
			case 4, 5: // a fold: batches of rising buckets into both, through the counts, widened after the last
				lo, hi := histBins, -1
				for range rapid.IntRange(1, 3).Draw(t, "batches") {
					bs := []int{histBucket(value())}
					for range rapid.IntRange(0, 40).Draw(t, "batch") {
						bs = append(bs, min(bs[len(bs)-1]+rapid.IntRange(0, 12).Draw(t, "step"), histBins-1))
					}
					first, last := bs[0], bs[len(bs)-1]
					coverPair(&period, &whole, first, last)
					if period.base != whole.base || len(period.counts) != len(whole.counts) || first < period.base || last >= period.base+len(period.counts) {
						t.Fatalf("coverPair(%d, %d): windows [%d, +%d) and [%d, +%d)", first, last, period.base, len(period.counts), whole.base, len(whole.counts))
					}
					for _, b := range bs {
						w := weight()
						period.counts[b-period.base] += w
						whole.counts[b-whole.base] += w
						period.total += w
						whole.total += w
						rPeriod.addBucket(b, w)
						rWhole.addBucket(b, w)
					}
					lo, hi = min(lo, first), max(hi, last)
				}
				period.widen(lo, hi)
				whole.widen(lo, hi)
			default:
				v, w := value(), weight()
				single.add(v, w)
				rSingle.addBucket(histBucket(v), w)
				b := histBucket(v)
				period.addBucket(b, w)
				whole.addBucket(b, w)
				rPeriod.addBucket(b, w)
				rWhole.addBucket(b, w)
			}
			for _, c := range []struct {
				name string
				h    *latencyHistogram
				ref  *denseHistogram
			}{{"single", &single, &rSingle}, {"period", &period, &rPeriod}, {"whole", &whole, &rWhole}} {
				h, ref := c.h, c.ref
				if h.base < 0 || h.base+len(h.counts) > histBins || (h.from < h.to && (h.from < h.base || h.to > h.base+len(h.counts))) {
					t.Fatalf("%s: window [%d, +%d), range [%d, %d): outside the buckets, or not holding the range", c.name, h.base, len(h.counts), h.from, h.to)
				}
				if got := h.dense(); !slices.Equal(got, ref.counts[:]) || h.total != ref.total {
					t.Fatalf("%s: counts or total (%v, dense %v) differ from the dense histogram's", c.name, h.total, ref.total)
				}
				qs := []float64{0.001, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1}
				got := make([]float64, len(qs))
				h.quantiles(qs, got)
				for j, q := range qs {
					want := ref.quantile(q)
					if one := h.quantile(q); one != want || got[j] != want {
						t.Fatalf("%s: q %v: %v (in one pass %v), dense %v", c.name, q, one, got[j], want)
					}
				}
			}
		}
	})
}

// TestHistogramWindowGrowsGeometrically: a window grown one bucket at a
// time, upwards from the middle to the last bucket, then downwards to the
// first, is reallocated a number of times logarithmic in the range, not
// linear (each growth adds at least an eighth), and ends holding every
// bucket, no more.
func TestHistogramWindowGrowsGeometrically(t *testing.T) {
	var h latencyHistogram
	grows := 0
	add := func(b int) {
		old := h.counts
		h.addBucket(b, 1)
		if len(h.counts) != len(old) || &h.counts[0] != &old[0] {
			grows++
		}
	}
	for b := histBins / 2; b < histBins; b++ {
		add(b)
	}
	for b := histBins/2 - 1; b >= 0; b-- {
		add(b)
	}
	// Each way, at most log(histBins/histSub)/log(9/8) ≈ 31 growths of at
	// least an eighth from an octave; one bucket at a time without
	// headroom would be histBins/2 each way.
	if limit := 2 * (1 + int(math.Log(histBins/histSub)/math.Log(9.0/8))); grows > limit {
		t.Errorf("%d reallocations growing over %d buckets, more than %d", grows, histBins, limit)
	}
	if h.total != histBins || h.base != 0 || len(h.counts) != histBins {
		t.Errorf("total %v, window [%d, +%d): want every one of the %d buckets", h.total, h.base, len(h.counts), histBins)
	}
	t.Logf("%d reallocations", grows)
}
