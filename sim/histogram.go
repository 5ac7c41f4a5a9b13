package sim

import "math"

// latencyHistogram is a bounded log-bucketed histogram of latencies in
// seconds: histSub buckets per power of two from 2^histMinExp s (about
// 1 µs) to 2^histMaxExp s (about 36 h), so a quantile read from a bucket's
// geometric midpoint is within 2^(1/(2·histSub)) − 1 ≈ 1.09 % of a sample
// in that bucket. Weights are float64 so the fluid mode can add fractional
// request counts. Values outside the range fall into the end buckets.
type latencyHistogram struct {
	counts []float64
	total  float64
}

const (
	histSub    = 32
	histMinExp = -20
	histMaxExp = 17
	histBins   = (histMaxExp - histMinExp) * histSub
)

// bucket returns the bucket index of v seconds.
func histBucket(v float64) int {
	if !(v > 0) {
		return 0
	}
	i := int(math.Floor((math.Log2(v) - histMinExp) * histSub))
	return min(max(i, 0), histBins-1)
}

func (h *latencyHistogram) add(v, weight float64) {
	if h.counts == nil {
		h.counts = make([]float64, histBins)
	}
	h.counts[histBucket(v)] += weight
	h.total += weight
}

func (h *latencyHistogram) reset() {
	clear(h.counts)
	h.total = 0
}

// quantile returns the q-quantile (0 < q ≤ 1): the geometric midpoint of
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
			return math.Exp2(histMinExp + (float64(i)+0.5)/histSub)
		}
	}
	return math.Exp2(histMaxExp)
}
