package autoscale

import (
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// fakeReader is a metrics.Reader made of functions: the value of metric
// name over the window starting at start, or false for missing data. It
// stands in for the metrics store so these tests do not depend on it.
type fakeReader map[string]func(start time.Time) (float64, bool)

func (f fakeReader) Statistic(m metrics.Metric, _ metrics.Statistic, period time.Duration, end time.Time) (float64, bool) {
	fn, ok := f[m.Name]
	if !ok {
		return 0, false
	}
	return fn(end.Add(-period))
}

// constant returns a series that is always v.
func constant(v float64) func(time.Time) (float64, bool) {
	return func(time.Time) (float64, bool) { return v, true }
}

// settable is a series whose value the test changes as it goes.
type settable struct {
	v       float64
	missing bool
}

func (s *settable) fn(time.Time) (float64, bool) { return s.v, !s.missing }

var (
	t0      = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	cpu     = metrics.Metric{Namespace: "AWS/ECS", Name: "CPUUtilization", Dimensions: metrics.ServiceDimensions("prod", "web")}
	memory  = metrics.Metric{Namespace: "AWS/ECS", Name: "MemoryUtilization", Dimensions: metrics.ServiceDimensions("prod", "web")}
	webID   = "service/prod/web"
	minutes = func(n int) time.Duration { return time.Duration(n) * time.Minute }
)

// timeline is a series given as levels that start at instants: the value
// of a window is the level in force at its start, missing before the first.
// Unlike settable, changing the future leaves past windows as they were.
type timeline struct {
	from []time.Time
	v    []float64
}

// set makes v the level from instant `from` on; calls go forward in time.
func (tl *timeline) set(from time.Time, v float64) *timeline {
	tl.from = append(tl.from, from)
	tl.v = append(tl.v, v)
	return tl
}

func (tl *timeline) fn(start time.Time) (float64, bool) {
	for i := len(tl.from) - 1; i >= 0; i-- {
		if !start.Before(tl.from[i]) {
			return tl.v[i], true
		}
	}
	return 0, false
}
