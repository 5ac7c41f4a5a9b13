package metrics_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/metrics"
)

// TestFollowMatchesAlone holds an alarm that follows another (Follow),
// taking the datapoints they share from the other's evaluation, to the
// same alarm evaluated alone, reading everything itself, on the same
// store: a target tracking pair (the lead of 3 of 3 datapoints, the
// follower of 15 of 15) and random others (either range the longer, a
// percentile that ignores low-sample datapoints, a publication delay, a
// one-minute rollup that answers what raw samples no longer hold).
// Random histories put samples through a Group and at once, in order,
// late and ahead, write between the two evaluations, evaluate the
// follower alone or the lead twice, skip minutes or go back (up to 40);
// after every
// evaluation the two followers' states and evaluations must agree. Preload
// runs on the group, the lead and the lone alarm at random, never on the
// follower: it must change nothing.
func TestFollowMatchesAlone(t *testing.T) {
	stats := []metrics.Statistic{metrics.Average, metrics.Maximum, metrics.Sum, metrics.Percentile(90)}
	rapid.Check(t, func(rt *rapid.T) {
		rollups := [][]metrics.Rollup{nil, {{Resolution: time.Minute, Retention: 3 * time.Hour}}}
		s := newStore(rt, metrics.Config{PublicationDelay: time.Duration(rapid.IntRange(0, 90).Draw(rt, "delaySeconds")) * time.Second,
			RawRetention: time.Duration(rapid.IntRange(5, 60).Draw(rt, "rawMinutes")) * time.Minute,
			Rollups:      rollups[rapid.IntRange(0, 1).Draw(rt, "rollups")]})
		g, err := s.Group(metrics.GroupMetric{Metric: cpu}, metrics.GroupMetric{Metric: metrics.ServiceMetric(metrics.MetricMemoryUtilization, "prod", "web")})
		if err != nil {
			rt.Fatal(err)
		}
		stat := stats[rapid.IntRange(0, len(stats)-1).Draw(rt, "stat")]
		low := metrics.LowSampleCount(rapid.IntRange(0, 1).Draw(rt, "lowSample"))
		shape := func(name string, n int, op metrics.ComparisonOperator) metrics.AlarmConfig {
			return metrics.AlarmConfig{Name: name, Metric: cpu, Statistic: stat, EvaluationPeriods: n,
				Threshold: float64(rapid.IntRange(20, 80).Draw(rt, name+"Threshold")), Comparison: op, LowSampleCountPercentile: low}
		}
		leadN, followN := 3, 15
		if rapid.Bool().Draw(rt, "otherShapes") {
			leadN, followN = rapid.IntRange(1, 20).Draw(rt, "leadN"), rapid.IntRange(1, 20).Draw(rt, "followN")
		}
		leadCfg, followCfg := shape("lead", leadN, metrics.GreaterThanThreshold), shape("follow", followN, metrics.LessThanThreshold)
		newAlarm := func(cfg metrics.AlarmConfig) *metrics.MetricAlarm {
			a, err := metrics.NewAlarm(cfg)
			if err != nil {
				rt.Fatal(err)
			}
			return a
		}
		lead, follower, alone := newAlarm(leadCfg), newAlarm(followCfg), newAlarm(followCfg)
		if err := follower.Follow(lead); err != nil {
			rt.Fatal(err)
		}
		at := t0.Add(time.Hour)
		put := func(ts time.Time) {
			v := float64(rapid.IntRange(0, 100).Draw(rt, "v"))
			if rapid.IntRange(0, 4).Draw(rt, "outside") == 0 {
				_ = s.Put(cpu, ts, v)
			} else {
				_ = g.PutRow(ts, 3, []float64{v, v / 2})
			}
		}
		for step := range rapid.IntRange(1, 120).Draw(rt, "steps") {
			switch rapid.IntRange(0, 19).Draw(rt, "when") {
			case 0:
				at = at.Add(-time.Duration(rapid.IntRange(1, 40).Draw(rt, "back")) * time.Minute)
			case 1: // the same instant again
			case 2:
				at = at.Add(time.Duration(rapid.IntRange(2, 30).Draw(rt, "skip")) * time.Minute)
			default:
				at = at.Add(time.Minute)
			}
			if rapid.Bool().Draw(rt, "preloadGroup") { // Preload changes nothing, whatever the state
				g.Preload()
			}
			if rapid.IntRange(0, 4).Draw(rt, "quiet") != 0 { // a quiet minute, or an evaluation of the past that writes nothing there
				put(at.Add(-time.Minute))
			}
			if rapid.Bool().Draw(rt, "preload") { // the follower is not preloaded: it must still agree with alone
				metrics.Preload(lead, alone, nil)
			}
			if rapid.Bool().Draw(rt, "prefetch") { // nor prefetched: asking for lines changes nothing either
				l := metrics.LinesOf(lead, alone)
				l.Prefetch()
				l.PrefetchData()
				g.PrefetchLines()
				g.PrefetchRows()
			}
			if rapid.IntRange(0, 9).Draw(rt, "late") == 0 {
				put(at.Add(-time.Duration(rapid.IntRange(61, 1200).Draw(rt, "lateSeconds")) * time.Second))
			}
			if rapid.IntRange(0, 9).Draw(rt, "leadAlone") != 0 {
				lead.Evaluate(at, s)
				if rapid.IntRange(0, 9).Draw(rt, "leadTwice") == 0 {
					lead.Evaluate(at, s)
				}
			}
			if rapid.IntRange(0, 9).Draw(rt, "between") == 0 {
				put(at.Add(-time.Duration(rapid.IntRange(0, 120).Draw(rt, "betweenSeconds")) * time.Second))
			}
			fs, as := follower.Evaluate(at, s), alone.Evaluate(at, s)
			if fs != as {
				rt.Fatalf("step %d at %v: the follower is %v, alone %v", step, at.Sub(t0), fs, as)
			}
			if d := cmp.Diff(alone.LastEvaluation(), follower.LastEvaluation(), cmpopts.EquateNaNs()); d != "" {
				rt.Fatalf("step %d at %v: evaluations differ (-alone +follower):\n%s", step, at.Sub(t0), d)
			}
		}
	})
}

// TestFollowRejects: an alarm follows only one that reads the same
// datapoints, and says what differs.
func TestFollowRejects(t *testing.T) {
	base := metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 3, Threshold: 50, Comparison: metrics.GreaterThanThreshold}
	a, err := metrics.NewAlarm(base)
	if err != nil {
		t.Fatal(err)
	}
	other := base
	other.Metric = metrics.ServiceMetric(metrics.MetricMemoryUtilization, "prod", "web")
	other.Statistic = metrics.Maximum
	other.Period = 5 * time.Minute
	b, err := metrics.NewAlarm(other)
	if err != nil {
		t.Fatal(err)
	}
	err = a.Follow(b)
	if !errors.Is(err, metrics.ErrInvalidAlarm) {
		t.Fatalf("following an alarm of another metric: %v", err)
	}
	for _, field := range []string{"lead.Metric", "lead.Statistic", "lead.Period"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error %q does not name %s", err, field)
		}
	}
	if err := a.Follow(a); !errors.Is(err, metrics.ErrInvalidAlarm) {
		t.Errorf("following itself: %v", err)
	}
	if err := a.Follow(nil); err != nil {
		t.Errorf("following nothing: %v", err)
	}
}
