package metrics

import (
	"testing"
	"time"
)

// TestLinesOfNamesTheSeriesAndGroup holds LinesOf to what an evaluation
// reads: the alarms, and once an evaluation has found them, the series of
// the first alarm given and that series' group.
func TestLinesOfNamesTheSeriesAndGroup(t *testing.T) {
	s, err := NewStore(Config{})
	if err != nil {
		t.Fatal(err)
	}
	cpu := ServiceMetric(MetricCPUUtilization, "prod", "web")
	g, err := s.Group(GroupMetric{Metric: cpu})
	if err != nil {
		t.Fatal(err)
	}
	alarm := func(name string, op ComparisonOperator, n int) *MetricAlarm {
		a, err := NewAlarm(AlarmConfig{Name: name, Metric: cpu, Statistic: Average, EvaluationPeriods: n, Threshold: 50, Comparison: op})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	high, low := alarm("high", GreaterThanThreshold, 3), alarm("low", LessThanThreshold, 15)

	if l := LinesOf(high, low); l.series != nil || l.group != nil {
		t.Errorf("before any evaluation LinesOf names series %p and group %p, want none", l.series, l.group)
	}
	t0 := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	for m := range 20 {
		if err := g.PutRow(t0.Add(time.Duration(m)*time.Minute), 1, []float64{float64(m)}); err != nil {
			t.Fatal(err)
		}
		at := t0.Add(time.Duration(m+1) * time.Minute)
		high.Evaluate(at, s)
		low.Evaluate(at, s)
	}
	sr := high.inc.series
	if sr == nil || sr.grp != g {
		t.Fatalf("the alarm's series is %p in group %p, want a series of group %p", sr, sr.grp, g)
	}
	want := AlarmLines{alarms: [2]*MetricAlarm{high, low}, series: sr, group: g}
	if got := LinesOf(high, low); got != want {
		t.Errorf("LinesOf(high, low) = %+v, want %+v", got, want)
	}
	want.alarms = [2]*MetricAlarm{nil, low}
	if got := LinesOf(nil, low); got != want {
		t.Errorf("LinesOf(nil, low) = %+v, want %+v (low reads the same series)", got, want)
	}
	if got := LinesOf(nil, nil); got != (AlarmLines{}) {
		t.Errorf("LinesOf(nil, nil) = %+v, want the zero value", got)
	}
	// The zero value and a nil group ask for nothing, and must not fail.
	var zero AlarmLines
	zero.Prefetch()
	zero.PrefetchData()
	var none *Group
	none.PrefetchLines()
	none.PrefetchRows()
}
