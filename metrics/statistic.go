package metrics

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/stat"
)

// Statistic is a CloudWatch statistic: Average, Sum, Minimum, Maximum,
// SampleCount or a percentile pNN. The zero value is Average.
type Statistic struct {
	kind statKind
	p    float64
}

type statKind uint8

const (
	statAverage statKind = iota
	statSum
	statMinimum
	statMaximum
	statSampleCount
	statPercentile
)

// The CloudWatch statistics. Over the samples of one period:
//
//	SampleCount = n (the sum of the sample counts of statistic sets)
//	Sum         = Σ v
//	Average     = Sum / SampleCount
//	Minimum     = min v,  Maximum = max v
var (
	Average     = Statistic{kind: statAverage}
	Sum         = Statistic{kind: statSum}
	Minimum     = Statistic{kind: statMinimum}
	Maximum     = Statistic{kind: statMaximum}
	SampleCount = Statistic{kind: statSampleCount}
)

// Percentile returns the pNN statistic; p is in [0, 100], e.g. 99.9. An
// out-of-range p gives a statistic that Valid rejects.
//
// The store uses the nearest-rank definition (gonum's stat.Empirical): over n
// samples sorted ascending x₁ ≤ … ≤ xₙ,
//
//	pNN = x_k  with  k = max(1, ⌈NN/100 × n⌉)
//
// so the answer is always an observed value: p50 of 1..100 is 50, p99 is 99.
// CloudWatch does not publish its exact estimator (it answers within about
// 1% from a compressed distribution); nearest rank is the exact value that
// estimator approximates.
func Percentile(p float64) Statistic { return Statistic{kind: statPercentile, p: p} }

// IsPercentile reports whether s is a pNN statistic and returns NN.
func (s Statistic) IsPercentile() (p float64, ok bool) {
	return s.p, s.kind == statPercentile
}

// Valid reports whether s is one of the five statistics or a percentile with
// p in [0, 100].
func (s Statistic) Valid() bool {
	switch s.kind {
	case statAverage, statSum, statMinimum, statMaximum, statSampleCount:
		return true
	case statPercentile:
		return s.p >= 0 && s.p <= 100
	}
	return false
}

// String returns the CloudWatch name: "Average", "Sum", "Minimum",
// "Maximum", "SampleCount" or "p99.9". ParseStatistic reads it back.
func (s Statistic) String() string {
	switch s.kind {
	case statAverage:
		return "Average"
	case statSum:
		return "Sum"
	case statMinimum:
		return "Minimum"
	case statMaximum:
		return "Maximum"
	case statSampleCount:
		return "SampleCount"
	case statPercentile:
		return "p" + strconv.FormatFloat(s.p, 'f', -1, 64)
	}
	return fmt.Sprintf("Statistic(%d)", s.kind)
}

// ParseError is a statistic name that does not parse. It names the byte
// offset where parsing failed and unwraps to ErrInvalidStatistic.
type ParseError struct {
	Input  string // the whole input
	Offset int    // byte offset of the first bad byte; len(Input) if the input ended early
	Msg    string // what was expected
}

// Error renders `metrics: invalid statistic "p9x": offset 2: want a digit or "."`.
func (e *ParseError) Error() string {
	return fmt.Sprintf("%v %q: offset %d: %s", ErrInvalidStatistic, e.Input, e.Offset, e.Msg)
}

// Unwrap returns ErrInvalidStatistic.
func (e *ParseError) Unwrap() error { return ErrInvalidStatistic }

// ParseStatistic reads a CloudWatch statistic name. It accepts the five
// statistic names (case-sensitive, as CloudWatch's API) and the extended
// statistic grammar of PutMetricAlarm, p(\d{1,2}(\.\d{0,10})?|100(\.0{0,10})?):
// "p50", "p99.9", "p95.45", "p100".
func ParseStatistic(s string) (Statistic, error) {
	switch s {
	case "Average":
		return Average, nil
	case "Sum":
		return Sum, nil
	case "Minimum":
		return Minimum, nil
	case "Maximum":
		return Maximum, nil
	case "SampleCount":
		return SampleCount, nil
	}
	fail := func(off int, msg string) (Statistic, error) {
		return Statistic{}, &ParseError{Input: s, Offset: off, Msg: msg}
	}
	if len(s) == 0 || s[0] != 'p' {
		return fail(0, `want Average, Sum, Minimum, Maximum, SampleCount or "p" and a percentile`)
	}
	i := 1
	intStart := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intDigits := s[intStart:i]
	switch {
	case len(intDigits) == 0:
		return fail(i, "want a digit")
	case len(intDigits) == 3 && intDigits != "100":
		return fail(intStart, "percentile above 100")
	case len(intDigits) > 3:
		return fail(intStart+3, "percentile above 100")
	}
	if i < len(s) {
		if s[i] != '.' {
			return fail(i, `want a digit or "."`)
		}
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			if intDigits == "100" && s[i] != '0' {
				return fail(i, "percentile above 100")
			}
			i++
		}
		if i-fracStart > 10 {
			return fail(fracStart+10, "at most 10 decimal places")
		}
		if i < len(s) {
			return fail(i, "want a digit")
		}
	}
	p, err := strconv.ParseFloat(s[1:], 64)
	if err != nil { // unreachable after the checks above; kept as a guard
		return fail(1, err.Error())
	}
	return Percentile(p), nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// statSet is a CloudWatch statistic set: the sample count, sum, minimum and
// maximum of some samples. A single sample v is {1, v, v, v}.
type statSet struct {
	count, sum, min, max float64
}

// merge adds b's samples to a.
func (a *statSet) merge(b statSet) {
	if a.count == 0 {
		*a = b
		return
	}
	a.count += b.count
	a.sum += b.sum
	// The builtins compile to branch-free instructions; math.Min and
	// math.Max are calls, and plain ifs mispredict on noisy data.
	a.min = min(a.min, b.min)
	a.max = max(a.max, b.max)
}

// value returns the non-percentile statistic s of a, and false when a holds
// no samples.
func (a statSet) value(s Statistic) (float64, bool) {
	if a.count == 0 {
		return 0, false
	}
	switch s.kind {
	case statAverage:
		return a.sum / a.count, true
	case statSum:
		return a.sum, true
	case statMinimum:
		return a.min, true
	case statMaximum:
		return a.max, true
	case statSampleCount:
		return a.count, true
	}
	return 0, false
}

// percentileScratch holds reusable buffers for percentile queries so that
// the hot path allocates nothing once warmed up.
type percentileScratch struct {
	pairs   []weighted
	values  []float64
	weights []float64
}

type weighted struct{ value, weight float64 }

// reset empties the scratch buffers for a new query.
func (ps *percentileScratch) reset() { ps.pairs = ps.pairs[:0] }

// add records one raw entry. It reports false when the entry cannot take
// part in a percentile: CloudWatch computes percentiles from statistic sets
// only when SampleCount is 1 or Minimum equals Maximum, and never over
// negative values.
func (ps *percentileScratch) add(set statSet) bool {
	if set.count != 1 && set.min != set.max {
		return false
	}
	if set.min < 0 {
		return false
	}
	ps.pairs = append(ps.pairs, weighted{value: set.min, weight: set.count})
	return true
}

// quantile returns the nearest-rank pNN of the recorded values, and false
// when there are none.
func (ps *percentileScratch) quantile(p float64) (float64, bool) {
	if len(ps.pairs) == 0 {
		return 0, false
	}
	slices.SortFunc(ps.pairs, func(a, b weighted) int {
		switch {
		case a.value < b.value:
			return -1
		case a.value > b.value:
			return 1
		}
		return 0
	})
	ps.values = ps.values[:0]
	ps.weights = ps.weights[:0]
	unit := true
	for _, pw := range ps.pairs {
		ps.values = append(ps.values, pw.value)
		ps.weights = append(ps.weights, pw.weight)
		unit = unit && pw.weight == 1
	}
	weights := ps.weights
	total := float64(len(ps.values))
	if unit {
		weights = nil // gonum's unweighted path counts exactly, with no float sum
	} else {
		total = 0
		for _, w := range weights {
			total += w
		}
	}
	return stat.Quantile(rankFraction(p, total, unit || integral(weights)), stat.Empirical, ps.values, weights), true
}

// rankFraction returns the fraction to hand to stat.Quantile for the
// nearest-rank pNN over total (integer) weight. The rank target NN/100 ×
// total is a decision, so it is rounded explicitly: snapped to the nearest
// integer when within 1e-9 of it (0.999 × 1000 is 999.0000000000001 in
// floating point, which would otherwise pick rank 1000), then ceiled to the
// rank k, and the fraction is (k − ½)/total so that gonum's comparison of
// the integer cumulative weight against it cannot fall on an ulp. With
// fractional weights the plain fraction p/100 is used.
func rankFraction(p, total float64, integerWeights bool) float64 {
	q := p / 100
	if !integerWeights || total <= 0 {
		return q
	}
	target := q * total
	if r := math.Round(target); math.Abs(target-r) <= 1e-9*max(1, target) {
		target = r
	}
	k := max(1, math.Ceil(target))
	return min(1, (k-0.5)/total)
}

// integral reports whether every weight is a whole number.
func integral(ws []float64) bool {
	for _, w := range ws {
		if w != math.Trunc(w) {
			return false
		}
	}
	return true
}
