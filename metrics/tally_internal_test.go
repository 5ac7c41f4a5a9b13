package metrics

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestRangeTallyKeptUpToDate holds the tallies an alarm keeps of its range
// and of the range's newest N datapoints as the range slides (they decide
// an evaluation when the newest N are real) to a naive recount of the range after every evaluation against a
// *Store, over random alarms and histories: samples in order, late and
// ahead, evaluations a minute or more apart, repeated, or going back.
func TestRangeTallyKeptUpToDate(t *testing.T) {
	m := Metric{Namespace: "Test", Name: "cpu"}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	stats := []Statistic{Average, Maximum, Percentile(90)}
	ops := []ComparisonOperator{GreaterThanThreshold, GreaterThanOrEqualToThreshold, LessThanThreshold, LessThanOrEqualToThreshold}
	rapid.Check(t, func(rt *rapid.T) {
		s, err := NewStore(Config{PublicationDelay: time.Duration(rapid.IntRange(0, 90).Draw(rt, "delaySeconds")) * time.Second})
		if err != nil {
			rt.Fatal(err)
		}
		n := rapid.IntRange(1, 6).Draw(rt, "n")
		a, err := NewAlarm(AlarmConfig{Metric: m, Statistic: stats[rapid.IntRange(0, len(stats)-1).Draw(rt, "stat")],
			Period: time.Minute, EvaluationPeriods: n, DatapointsToAlarm: rapid.IntRange(1, n).Draw(rt, "m"),
			EvaluationRange: n + rapid.IntRange(0, 2).Draw(rt, "extra"), Threshold: float64(rapid.IntRange(0, 100).Draw(rt, "threshold")),
			Comparison: ops[rapid.IntRange(0, len(ops)-1).Draw(rt, "op")], LowSampleCountPercentile: LowSampleCount(rapid.IntRange(0, 1).Draw(rt, "low"))})
		if err != nil {
			rt.Fatal(err)
		}
		at := t0.Add(time.Hour)
		for range rapid.IntRange(1, 60).Draw(rt, "steps") {
			for range rapid.IntRange(0, 3).Draw(rt, "samples") {
				ts := at.Add(time.Duration(rapid.IntRange(-300, 60).Draw(rt, "offset")) * time.Second)
				_ = s.Put(m, ts, float64(rapid.IntRange(0, 100).Draw(rt, "v")))
			}
			switch rapid.IntRange(0, 9).Draw(rt, "event") {
			case 0:
				at = at.Add(-time.Duration(rapid.IntRange(1, 5).Draw(rt, "back")) * time.Minute)
			case 1: // the same instant again
			default:
				at = at.Add(time.Duration(rapid.IntRange(1, 3).Draw(rt, "minutes")) * time.Minute)
			}
			a.Evaluate(at, s)
			vals, flags := a.lastPoints()
			var want, wantRecent rangeTally
			for j, v := range vals {
				if flags[j]&flagMissing != 0 {
					continue
				}
				th := a.cfg.Threshold
				breaches := v > th && (a.cfg.Comparison == GreaterThanThreshold || a.cfg.Comparison == GreaterThanOrEqualToThreshold) ||
					v == th && (a.cfg.Comparison == GreaterThanOrEqualToThreshold || a.cfg.Comparison == LessThanOrEqualToThreshold) ||
					v < th && (a.cfg.Comparison == LessThanThreshold || a.cfg.Comparison == LessThanOrEqualToThreshold)
				for _, w := range []*rangeTally{&want, &wantRecent} {
					if w == &wantRecent && j < len(vals)-n {
						continue // not among the newest N
					}
					w.real++
					if flags[j]&flagLowSample != 0 {
						w.low++
					}
					if breaches {
						w.breaching++
					}
				}
			}
			if a.inc.all != want || a.inc.recent != wantRecent {
				rt.Fatalf("at %v: tallies %+v and %+v (newest %d), recount of %v %v gives %+v and %+v", at, a.inc.all, a.inc.recent, n, vals, flags, want, wantRecent)
			}
		}
	})
}
