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
			var want, wantRecent [3]int32 // real, low, breaching
			for j, v := range vals {
				if flags[j]&flagMissing != 0 {
					continue
				}
				th := a.cfg.Threshold
				breaches := v > th && (a.cfg.Comparison == GreaterThanThreshold || a.cfg.Comparison == GreaterThanOrEqualToThreshold) ||
					v == th && (a.cfg.Comparison == GreaterThanOrEqualToThreshold || a.cfg.Comparison == LessThanOrEqualToThreshold) ||
					v < th && (a.cfg.Comparison == LessThanThreshold || a.cfg.Comparison == LessThanOrEqualToThreshold)
				for _, w := range []*[3]int32{&want, &wantRecent} {
					if w == &wantRecent && j < len(vals)-n {
						continue // not among the newest N
					}
					w[0]++
					if flags[j]&flagLowSample != 0 {
						w[1]++
					}
					if breaches {
						w[2]++
					}
				}
			}
			all, recent := a.inc.all, a.inc.recent
			if got, gotRecent := [3]int32{all.real(), all.low(), all.breaching()}, [3]int32{recent.real(), recent.low(), recent.breaching()}; got != want || gotRecent != wantRecent {
				rt.Fatalf("at %v: tallies (real, low, breaching) %v and %v (newest %d), recount of %v %v gives %v and %v", at, got, gotRecent, n, vals, flags, want, wantRecent)
			}
		}
	})
}

// TestLargestRangeCounts evaluates an alarm with the largest range
// CloudWatch allows (10-second periods, N = 8,640, a range of 8,642),
// whose tallies and outcome the alarm keeps in narrow integers, and checks
// them against a count of its datapoints: the oldest is missing, and
// every other real datapoint breaches (M = N/2: ALARM). The range then
// slides by one period.
func TestLargestRangeCounts(t *testing.T) {
	const n, rng = 8640, 8642
	m := Metric{Namespace: "Test", Name: "cpu"}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := NewStore(Config{})
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewAlarm(AlarmConfig{Metric: m, Statistic: Maximum, Period: 10 * time.Second,
		EvaluationPeriods: n, DatapointsToAlarm: n / 2, Threshold: 50, Comparison: GreaterThanThreshold})
	if err != nil {
		t.Fatal(err)
	}
	if a.cfg.EvaluationRange != rng {
		t.Fatalf("EvaluationRange %d, want %d", a.cfg.EvaluationRange, rng)
	}
	a.Evaluate(t0, s) // registers the alarm's reach, so the store keeps a day of raw samples
	for i := 1; i <= rng; i++ {
		if err := s.Put(m, t0.Add(time.Duration(i)*10*time.Second+time.Second), float64(100*(i%2))); err != nil { // the window from t0 (the oldest) stays empty
			t.Fatal(err)
		}
	}
	end := t0.Add(rng * 10 * time.Second)
	for k, at := range []time.Time{end, end.Add(10 * time.Second)} {
		if k == 1 {
			if err := s.Put(m, end.Add(time.Second), 100); err != nil {
				t.Fatal(err)
			}
		}
		a.Evaluate(at, s)
		var all, recent [2]int // real, breaching: counted in ints, whatever the tallies' type
		for j, dp := range a.LastEvaluation().Datapoints {
			if dp.Missing {
				continue
			}
			b := 0
			if dp.Value > 50 {
				b = 1
			}
			all[0], all[1] = all[0]+1, all[1]+b
			if j >= rng-n {
				recent[0], recent[1] = recent[0]+1, recent[1]+b
			}
		}
		want := Outcome{State: Alarm, Rule: RuleRecentReal, Real: all[0], Breaching: recent[1], Evaluated: n}
		if got := a.LastEvaluation().Outcome; got != want || all[0] < rng-1 || recent[1] < n/2 {
			t.Errorf("evaluation %d at %v: outcome %+v, want %+v", k, at, got, want)
		}
		gotAll := [2]int{int(a.inc.all.real()), int(a.inc.all.breaching())}
		gotRecent := [2]int{int(a.inc.recent.real()), int(a.inc.recent.breaching())}
		if gotAll != all || gotRecent != recent || a.inc.all.low() != 0 || a.inc.recent.low() != 0 {
			t.Errorf("evaluation %d at %v: tallies %+v and %+v, recount (real, breaching) %v and %v", k, at, a.inc.all, a.inc.recent, all, recent)
		}
	}
}
