package sim

import (
	"math"
	"slices"
)

// latencyHistogram is a bounded log-linear histogram of latencies in
// seconds: every power of two from 2^histMinExp s (about 1 µs) to
// 2^histMaxExp s (about 36 h) is split into histSub equal buckets, read
// straight from the float64's exponent and top mantissa bits (no
// logarithm on the request path). A quantile is reported at its bucket's
// midpoint, within 1/(2·histSub) ≈ 1.6 % of any sample in that bucket.
// Weights are float64 so the fluid mode can add fractional request counts.
// Values outside the range fall into the end buckets.
//
// The histogram holds only a window of its histBins buckets, grown as
// samples fall outside it (see cover): a service's latencies span a few
// octaves (at 1,000 services of a day's diurnal load, 7 of the 37), so a
// window of about 2 KiB instead of the 9.25 KiB of every bucket, the
// largest item of a large world's heap otherwise. Which buckets are held
// changes no result: a bucket outside the window is empty.
type latencyHistogram struct {
	// total is the sum of the weights, first: a fluid step adds to it
	// (and not to the buckets), so that it shares a line with the report
	// period's other per-minute fields.
	total float64
	// counts[i] is bucket base+i's weight; nil before the first sample.
	counts []float64
	base   int
	// Every non-empty bucket is in [from, to) (empty when from == to), so
	// that a quantile and a reset visit those, not all histBins: a report
	// period's latencies span a few octaves. The window holds [from, to).
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
	return histRawBucket(v) - histRawOffset
}

// histRawBucket is a positive value's bits above bit 47, its exponent and
// top mantissa bits: its bucket plus histRawOffset, before the clamp.
func histRawBucket(v float64) int { return int(math.Float64bits(v) >> (52 - histSubBits)) }

// histRawOffset is the raw bucket of bucket 0's least value, 2^histMinExp.
const histRawOffset = (1023 + histMinExp) * histSub

// histValue is the midpoint of bucket i, in seconds.
func histValue(i int) float64 {
	return math.Ldexp(1+(float64(i%histSub)+0.5)/histSub, i/histSub+histMinExp)
}

func (h *latencyHistogram) add(v, weight float64) { h.addBucket(histBucket(v), weight) }

// reset empties the histogram, keeping its window for the next samples.
func (h *latencyHistogram) reset() {
	clear(h.counts[h.from-h.base : h.to-h.base])
	h.total, h.from, h.to = 0, h.base, h.base // empty, and in the window
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
	// The buckets outside [from, to) would add 0: cum would not change.
	for i, c := range h.counts[h.from-h.base : h.to-h.base] {
		if c == 0 {
			continue // nor here
		}
		cum += c
		if cum >= want*(1-1e-12) {
			return histValue(h.from + i)
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
	for i, c := range h.counts[h.from-h.base : h.to-h.base] {
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
	h.cover(b, b)
	h.counts[b-h.base] += weight
	h.total += weight
	h.widen(b, b)
}

// cover makes the window hold buckets lo to hi (inclusive, 0 ≤ lo ≤ hi <
// histBins): bucket b is then counts[b-base].
func (h *latencyHistogram) cover(lo, hi int) {
	if lo < h.base || hi >= h.base+len(h.counts) {
		h.setWindow(grownWindow(h.base, len(h.counts), lo, hi))
	}
}

// coverPair makes the windows of a and b the same and hold buckets lo to
// hi, so that a caller adding to both finds a bucket at one place in
// their counts (b − base). Histograms fed the same samples from empty
// grow the same windows, so this only grows them when one must.
func coverPair(a, b *latencyHistogram, lo, hi int) {
	base, n := a.base, len(a.counts)
	if b.base != base || len(b.counts) != n {
		switch { // the union of the two
		case n == 0:
			base, n = b.base, len(b.counts)
		case len(b.counts) > 0:
			from, to := min(base, b.base), max(base+n, b.base+len(b.counts))
			base, n = from, to-from
		}
	}
	if lo < base || hi >= base+n {
		base, n = grownWindow(base, n, lo, hi)
	}
	a.setWindow(base, n)
	b.setWindow(base, n)
}

// grownWindow returns the window [base', base'+n') that holds the window
// [base, base+n) (none when n = 0) and buckets lo to hi, with headroom on
// the side or sides it grows by: an eighth of the span it must hold, at
// least an octave, so that a window that keeps growing grows
// geometrically (each bucket is copied at most nine times on average,
// never quadratically often) and settles after a few growths (at 1,000
// services, two per workload in a day, to windows of 256 to 336 buckets
// for latencies spanning 208 to 240).
func grownWindow(base, n, lo, hi int) (int, int) {
	from, to := lo, hi+1
	if n > 0 {
		from, to = min(from, base), max(to, base+n)
	}
	room := max((to-from)/8, histSub)
	switch {
	case n == 0 || lo < base && hi >= base+n: // both sides
		from, to = from-room/2, to+room/2
	case lo < base:
		from -= room
	default:
		to += room
	}
	from, to = max(from, 0), min(to, histBins)
	return from, to - from
}

// setWindow moves the counts to the window [base, base+n), which holds
// the old one; n is rounded up to the size of the memory block it takes
// (the extra buckets on the top side, or on the bottom one at the top of
// the range), since those bytes are taken anyway.
func (h *latencyHistogram) setWindow(base, n int) {
	if base == h.base && n == len(h.counts) {
		return
	}
	counts := slices.Grow([]float64(nil), n) // zeroed up to its capacity
	counts = counts[:min(cap(counts), histBins)]
	if extra := len(counts) - n; base+n+extra > histBins {
		base = histBins - len(counts)
	}
	// All of the old window, not only [from, to): foldLatency widens the
	// range after its additions.
	if h.counts != nil {
		copy(counts[h.base-base:], h.counts)
	}
	h.counts, h.base = counts, base
}
