package sim

import "math"

// latencyHistogram is a bounded log-linear histogram of latencies in
// seconds: every power of two from 2^histMinExp s (about 1 µs) to
// 2^histMaxExp s (about 36 h) is split into histSub equal buckets, read
// straight from the float64's exponent and top mantissa bits (no
// logarithm on the request path). A quantile is reported at its bucket's
// midpoint, within 1/(2·histSub) ≈ 1.6 % of any sample in that bucket.
// Weights are float64 so the fluid mode can add fractional request counts.
// Values outside the range fall into the end buckets.
type latencyHistogram struct {
	counts []float64
	total  float64
	// Every non-empty bucket is in [from, to) (empty when from == to), so
	// that a quantile and a reset visit those, not all histBins: a report
	// period's latencies span a few octaves.
	from, to int
}

const (
	histSubBits = 5
	histSub     = 1 << histSubBits
	histMinExp  = -20
	histMaxExp  = 17
	histBins    = (histMaxExp - histMinExp) * histSub
)

// histBucket returns the bucket index of v seconds.
func histBucket(v float64) int {
	if !(v > 0) {
		return 0
	}
	bits := math.Float64bits(v)
	exp := int(bits>>52&0x7ff) - 1023 // v = 1.m × 2^exp
	i := (exp-histMinExp)*histSub + int(bits>>(52-histSubBits)&(histSub-1))
	return min(max(i, 0), histBins-1)
}

// histBucketPositive is histBucket for v > 0: the exponent and the top
// mantissa bits of a positive float64 are the bits above bit 47, in order,
// so the bucket is one shift and one subtraction from them.
func histBucketPositive(v float64) int {
	return min(max(histBucketUnclamped(v), 0), histBins-1)
}

// histBucketUnclamped is histBucketPositive before the clamp to the
// histogram's range: it increases with v (v > 0), so a caller that knows
// the least and the greatest of its values fall in range needs no clamp
// for those between.
func histBucketUnclamped(v float64) int {
	return int(math.Float64bits(v)>>(52-histSubBits)) - (1023+histMinExp)*histSub
}

// histValue is the midpoint of bucket i, in seconds.
func histValue(i int) float64 {
	return math.Ldexp(1+(float64(i%histSub)+0.5)/histSub, i/histSub+histMinExp)
}

func (h *latencyHistogram) add(v, weight float64) { h.addBucket(histBucket(v), weight) }

func (h *latencyHistogram) reset() {
	clear(h.counts[h.from:h.to])
	h.total, h.from, h.to = 0, 0, 0
}

// widen notes that buckets lo to hi (inclusive) may be non-empty.
func (h *latencyHistogram) widen(lo, hi int) {
	if h.from == h.to {
		h.from, h.to = lo, hi+1
		return
	}
	h.from, h.to = min(h.from, lo), max(h.to, hi+1)
}

// quantile returns the q-quantile (0 < q ≤ 1): the midpoint of
// the first bucket at which the cumulative weight reaches q·total; 0 when
// the histogram is empty.
func (h *latencyHistogram) quantile(q float64) float64 {
	if h.total <= 0 {
		return 0
	}
	want, cum := q*h.total, 0.0
	for i := h.from; i < h.to; i++ { // the buckets outside would add 0: cum would not change
		c := h.counts[i]
		if c == 0 {
			continue // nor here
		}
		cum += c
		if cum >= want*(1-1e-12) {
			return histValue(i)
		}
	}
	return math.Exp2(histMaxExp)
}

// quantiles sets out[j] to quantile(qs[j]) for increasing qs (each in
// (0, 1], out as long as qs), in one pass over the buckets instead of one
// per quantile: the cumulative weight is the same sequence of additions
// in every pass, so each quantile stops at the same bucket.
func (h *latencyHistogram) quantiles(qs, out []float64) {
	out = out[:len(qs)]
	if h.total <= 0 {
		clear(out)
		return
	}
	j, want, cum := 0, qs[0]*h.total*(1-1e-12), 0.0
	counts := h.counts[h.from:h.to]
	for i, c := range counts {
		if c == 0 {
			continue
		}
		cum += c
		for cum >= want {
			out[j] = histValue(h.from + i)
			if j++; j == len(qs) {
				return
			}
			want = qs[j] * h.total * (1 - 1e-12)
		}
	}
	for ; j < len(qs); j++ {
		out[j] = math.Exp2(histMaxExp)
	}
}

// addBucket adds weight to bucket b (from histBucket), for a caller that
// feeds one value to several histograms.
func (h *latencyHistogram) addBucket(b int, weight float64) {
	h.buckets()[b] += weight
	h.total += weight
	h.widen(b, b)
}

// buckets returns the bucket counts, allocated on first use, for a caller
// that adds to them directly (and to total, and widens the range).
func (h *latencyHistogram) buckets() []float64 {
	if h.counts == nil {
		h.counts = make([]float64, histBins)
	}
	return h.counts
}
