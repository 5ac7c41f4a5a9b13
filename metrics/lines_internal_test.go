package metrics

import (
	"fmt"
	"slices"
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

// PrefetchRows and preload build the words of rows up to 8 lines wide
// in a buffer of smallRowWords, and wider ones in rowWords: for groups of every
// width from 1 to MaxGroupMetrics series of single samples and of
// statistic sets, with rows queued in the ring's middle and at its start
// and end, the small buffer must hold every word that rowWords' holds
// whenever they use it, and neither must fail.
func TestPrefetchRowsBufferHoldsTheRow(t *testing.T) {
	t0 := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	for _, sets := range []bool{false, true} {
		for n := 1; n <= MaxGroupMetrics; n++ {
			s, err := NewStore(Config{})
			if err != nil {
				t.Fatal(err)
			}
			ms := make([]GroupMetric, n)
			for i := range ms {
				ms[i] = GroupMetric{Metric: Metric{Namespace: "test", Name: fmt.Sprint("m", i)}, StatisticSets: sets}
			}
			g, err := s.Group(ms...)
			if err != nil {
				t.Fatal(err)
			}
			for k := range 3 * groupRows {
				at := t0.Add(time.Duration(k) * time.Minute)
				if sets {
					err = g.PutStatisticSet(k%n, at, StatisticSet{SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1})
				} else {
					err = g.Put(k%n, at, 1)
				}
				if err != nil {
					t.Fatal(err)
				}
				var wide rowWords
				want := g.rowWords(wide[:])
				if g.smallRow() {
					var small [smallRowWords]int
					if got := g.rowWords(small[:]); !slices.Equal(got, want) {
						t.Fatalf("%d series (sets %v), row %d: the small buffer holds %v, rowWords %v", n, sets, k, got, want)
					}
				}
				g.PrefetchRows()
				g.Preload()
			}
		}
	}
}
