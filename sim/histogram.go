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
	i := int(math.Float64bits(v)>>(52-histSubBits)) - (1023+histMinExp)*histSub
	return min(max(i, 0), histBins-1)
}

// histValue is the midpoint of bucket i, in seconds.
func histValue(i int) float64 {
	return math.Ldexp(1+(float64(i%histSub)+0.5)/histSub, i/histSub+histMinExp)
}

func (h *latencyHistogram) add(v, weight float64) { h.addBucket(histBucket(v), weight) }

func (h *latencyHistogram) reset() {
	clear(h.counts)
	h.total = 0
}

// quantile returns the q-quantile (0 < q ≤ 1): the midpoint of
// the first bucket at which the cumulative weight reaches q·total; 0 when
// the histogram is empty.
func (h *latencyHistogram) quantile(q float64) float64 {
	if h.total <= 0 {
		return 0
	}
	want, cum := q*h.total, 0.0
	for i, c := range h.counts {
		cum += c
		if c > 0 && cum >= want*(1-1e-12) {
			return histValue(i)
		}
	}
	return math.Exp2(histMaxExp)
}

// addBucket adds weight to bucket b (from histBucket), for a caller that
// feeds one value to several histograms.
func (h *latencyHistogram) addBucket(b int, weight float64) {
	h.buckets()[b] += weight
	h.total += weight
}

// buckets returns the bucket counts, allocated on first use, for a caller
// that adds to them directly (and to total).
func (h *latencyHistogram) buckets() []float64 {
	if h.counts == nil {
		h.counts = make([]float64, histBins)
	}
	return h.counts
}
