package metrics_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/metrics"
)

// TestIncrementalEvaluationAgrees holds the incremental evaluation (an alarm
// evaluated against a *Store remembers the datapoints of closed periods) to
// the full one (the same alarm evaluated through a Reader that hides the
// store, so every datapoint is read again at every evaluation). Random
// stores (raw retention, rollups, publication delay), random alarms (every
// statistic kind, period, comparison, missing-data treatment and
// low-sample setting, N, M and evaluation range) and random histories:
// samples and statistic sets in order, late, duplicated and ahead of the
// evaluation instant, Expire calls, evaluations repeated at one instant
// and going back in time. After every evaluation both alarms must be in
// the same state having read the same datapoints.
func TestIncrementalEvaluationAgrees(t *testing.T) {
	stats := []metrics.Statistic{metrics.Average, metrics.Sum, metrics.Minimum, metrics.Maximum, metrics.SampleCount,
		metrics.Percentile(50), metrics.Percentile(90), metrics.Percentile(99.9)}
	comparisons := []metrics.ComparisonOperator{metrics.GreaterThanThreshold, metrics.GreaterThanOrEqualToThreshold,
		metrics.LessThanThreshold, metrics.LessThanOrEqualToThreshold}
	periods := []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute}
	rollups := [][]metrics.Rollup{
		{},
		{{Resolution: time.Minute, Retention: 2 * time.Hour}},
		{{Resolution: time.Minute, Retention: 30 * time.Minute}, {Resolution: 5 * time.Minute, Retention: 3 * time.Hour}},
	}
	rapid.Check(t, func(rt *rapid.T) {
		s := newStore(rt, metrics.Config{
			RawRetention:     time.Duration(rapid.IntRange(1, 90).Draw(rt, "rawMinutes")) * time.Minute,
			Rollups:          rollups[rapid.IntRange(0, len(rollups)-1).Draw(rt, "rollups")],
			PublicationDelay: time.Duration(rapid.IntRange(0, 180).Draw(rt, "delaySeconds")) * time.Second,
		})
		n := rapid.IntRange(1, 6).Draw(rt, "n")
		cfg := metrics.AlarmConfig{Metric: cpu,
			Statistic:                stats[rapid.IntRange(0, len(stats)-1).Draw(rt, "stat")],
			Period:                   periods[rapid.IntRange(0, len(periods)-1).Draw(rt, "period")],
			EvaluationPeriods:        n,
			DatapointsToAlarm:        rapid.IntRange(1, n).Draw(rt, "m"),
			EvaluationRange:          n + rapid.IntRange(0, 4).Draw(rt, "extra"),
			Threshold:                float64(rapid.IntRange(0, 100).Draw(rt, "threshold")),
			Comparison:               comparisons[rapid.IntRange(0, len(comparisons)-1).Draw(rt, "comparison")],
			TreatMissingData:         treatments[rapid.IntRange(0, len(treatments)-1).Draw(rt, "treat")],
			LowSampleCountPercentile: metrics.LowSampleCount(rapid.IntRange(0, 1).Draw(rt, "lowSample")),
		}
		incremental, err := metrics.NewAlarm(cfg)
		if err != nil {
			rt.Fatal(err)
		}
		full, _ := metrics.NewAlarm(cfg)
		at := t0.Add(time.Hour)
		for step := range rapid.IntRange(1, 80).Draw(rt, "steps") {
			for range rapid.IntRange(0, 4).Draw(rt, "samples") {
				// Mostly just behind the evaluation instant, sometimes late
				// by up to 10 minutes or ahead by up to one.
				ts := at.Add(time.Duration(rapid.IntRange(-600, 60).Draw(rt, "offset")) * time.Second)
				v := float64(rapid.IntRange(0, 100).Draw(rt, "v"))
				if rapid.IntRange(0, 4).Draw(rt, "set") == 0 {
					_ = s.PutStatisticSet(cpu, ts, metrics.StatisticSet{SampleCount: 3, Sum: 3 * v, Minimum: v / 2, Maximum: 2 * v})
				} else {
					_ = s.Put(cpu, ts, v) // a sample older than every tier is refused: fine
				}
			}
			switch rapid.IntRange(0, 19).Draw(rt, "event") {
			case 0:
				s.Expire(at.Add(time.Duration(rapid.IntRange(0, 240).Draw(rt, "expireMinutes")) * time.Minute))
			case 1:
				at = at.Add(-time.Duration(rapid.IntRange(1, 10).Draw(rt, "backMinutes")) * time.Minute)
			default:
				at = at.Add(time.Duration(rapid.IntRange(0, 180).Draw(rt, "advance")) * time.Second)
			}
			got, want := incremental.Evaluate(at, s), full.Evaluate(at, asOfOnly{s})
			if got != want {
				rt.Fatalf("step %d at %v: incremental %v (%s), full %v (%s)", step, at.Sub(t0), got, incremental.Reason(), want, full.Reason())
			}
			last := incremental.LastEvaluation()
			if d := cmp.Diff(full.LastEvaluation(), last, cmpopts.EquateNaNs()); d != "" {
				rt.Fatalf("step %d at %v: evaluations differ (-full +incremental):\n%s", step, at.Sub(t0), d)
			}
			// RealValues is the non-missing Datapoints, newest first.
			var wantVals, gotVals []float64
			for i := len(last.Datapoints) - 1; i >= 0; i-- {
				if !last.Datapoints[i].Missing {
					wantVals = append(wantVals, last.Datapoints[i].Value)
				}
			}
			for v := range incremental.RealValues() {
				gotVals = append(gotVals, v)
			}
			if d := cmp.Diff(wantVals, gotVals, cmpopts.EquateNaNs()); d != "" {
				rt.Fatalf("step %d at %v: RealValues differ from the Datapoints (-datapoints +RealValues):\n%s", step, at.Sub(t0), d)
			}
		}
	})
}

// TestEvaluatedAt: an alarm evaluated at 00:00:10 was evaluated at every
// instant of that minute of its grid, not at the next one; a 10-second
// alarm's grid is 10 s.
func TestEvaluatedAt(t *testing.T) {
	for _, c := range []struct {
		period time.Duration
		probe  time.Duration
		want   bool
	}{
		{time.Minute, 59 * time.Second, true},
		{time.Minute, 0, true},
		{time.Minute, time.Minute, false},
		{time.Minute, -time.Nanosecond, false},
		{10 * time.Second, 15 * time.Second, true},
		{10 * time.Second, 20 * time.Second, false},
	} {
		a, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, Period: c.period, EvaluationPeriods: 1, Threshold: 1, Comparison: metrics.GreaterThanThreshold})
		if err != nil {
			t.Fatal(err)
		}
		if a.EvaluatedAt(t0) {
			t.Fatal("a new alarm says it was evaluated")
		}
		a.Evaluate(t0.Add(10*time.Second), newStore(t, metrics.Config{}))
		if got := a.EvaluatedAt(t0.Add(c.probe)); got != c.want {
			t.Errorf("period %v, evaluated at 00:00:10: EvaluatedAt(%v) = %v, want %v", c.period, c.probe, got, c.want)
		}
	}
}
