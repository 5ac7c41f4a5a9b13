package metrics_test

import (
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// naiveStore is the reference implementation: every sample of a series in
// one slice in arrival order, no retention, and every query a full scan
// followed by a stable sort by time, so that sums are accumulated in the same
// order as the real store's. It is the oracle for property tests and the
// baseline for benchmarks.
type naiveStore struct {
	series map[string][]naiveSample
}

type naiveSample struct {
	t int64
	v float64
}

func newNaiveStore() *naiveStore { return &naiveStore{series: map[string][]naiveSample{}} }

func naiveKey(m metrics.Metric) string {
	parts := make([]string, 0, len(m.Dimensions))
	for _, d := range m.Dimensions {
		parts = append(parts, d.Name+"\x00"+d.Value)
	}
	sort.Strings(parts)
	return m.Namespace + "\x01" + m.Name + "\x01" + strings.Join(parts, "\x01")
}

func (n *naiveStore) Put(m metrics.Metric, t time.Time, v float64) {
	k := naiveKey(m)
	n.series[k] = append(n.series[k], naiveSample{t.UnixNano(), v})
}

// window returns the values in [end-period, end), ordered by time, ties in
// arrival order.
func (n *naiveStore) window(m metrics.Metric, period time.Duration, end time.Time) []float64 {
	var in []naiveSample
	e := end.UnixNano()
	s := e - int64(period)
	for _, x := range n.series[naiveKey(m)] {
		if x.t >= s && x.t < e {
			in = append(in, x)
		}
	}
	sort.SliceStable(in, func(i, j int) bool { return in[i].t < in[j].t })
	out := make([]float64, len(in))
	for i, x := range in {
		out[i] = x.v
	}
	return out
}

// Statistic computes stat from the definitions: Sum = Σv, Average =
// Sum/n, and the nearest-rank percentile x_k with k = max(1, ⌈p·n/100⌉)
// over the sorted values, computed in integers for p given in hundredths.
func (n *naiveStore) Statistic(m metrics.Metric, stat metrics.Statistic, period time.Duration, end time.Time) (float64, bool) {
	vals := n.window(m, period, end)
	if len(vals) == 0 {
		return 0, false
	}
	if p, ok := stat.IsPercentile(); ok {
		for _, v := range vals {
			if v < 0 {
				return 0, false
			}
		}
		slices.Sort(vals)
		hundredths := int(math.Round(p * 100))
		k := max(1, (hundredths*len(vals)+9999)/10000)
		return vals[k-1], true
	}
	sum, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		sum += v
		lo = min(lo, v)
		hi = max(hi, v)
	}
	switch stat {
	case metrics.Sum:
		return sum, true
	case metrics.Average:
		return sum / float64(len(vals)), true
	case metrics.Minimum:
		return lo, true
	case metrics.Maximum:
		return hi, true
	case metrics.SampleCount:
		return float64(len(vals)), true
	}
	return 0, false
}
