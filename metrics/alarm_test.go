package metrics_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/metrics"
)

// keep marks a cell of CloudWatch's missing-data table whose answer is
// "keep the current state" (TreatMissingData ignore).
const keep = metrics.AlarmState(255)

// datapoints turns a row of that table ("0 - X - X", oldest first;
// 0 = not breaching, X = breaching, - = missing) into datapoints for an
// alarm "> 1": 0 is the value 0, X the value 2.
func datapoints(row string) []metrics.Datapoint {
	var out []metrics.Datapoint
	for i, f := range strings.Fields(row) {
		dp := metrics.Datapoint{Timestamp: t0.Add(time.Duration(i) * time.Minute)}
		switch f {
		case "0":
		case "X":
			dp.Value = 2
		case "-":
			dp.Missing = true
		default:
			panic("bad row " + row)
		}
		out = append(out, dp)
	}
	return out
}

var treatments = []metrics.MissingData{metrics.MissingDataMissing, metrics.MissingDataIgnore, metrics.MissingDataBreaching, metrics.MissingDataNotBreaching}

type exampleRow struct {
	n, m   int
	points string
	want   [4]metrics.AlarmState // missing, ignore, breaching, notBreaching
}

// checkRows evaluates every row under every treatment, from every possible
// current state (a "keep" cell must return that state; any other cell must
// not depend on it).
func checkRows(t *testing.T, rows []exampleRow) {
	t.Helper()
	for _, r := range rows {
		for col, treat := range treatments {
			for _, current := range []metrics.AlarmState{metrics.InsufficientData, metrics.OK, metrics.Alarm} {
				cfg := metrics.AlarmConfig{
					EvaluationPeriods: r.n, DatapointsToAlarm: r.m,
					Threshold: 1, Comparison: metrics.GreaterThanThreshold, TreatMissingData: treat,
				}
				want := r.want[col]
				if want == keep {
					want = current
				}
				got := metrics.EvaluateDatapoints(cfg, datapoints(r.points), current)
				if got != want {
					t.Errorf("M=%d N=%d %q treat %v from %v: got %v, want %v", r.m, r.n, r.points, treat, current, got, want)
				}
			}
		}
	}
}

// TestWorkedExampleE is every row and column of the CloudWatch user
// guide's table of how each TreatMissingData setting decides, N = M = 3
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html):
// evaluation range 5, columns missing / ignore / breaching / notBreaching.
func TestWorkedExampleE(t *testing.T) {
	const (
		I = metrics.InsufficientData
		O = metrics.OK
		A = metrics.Alarm
	)
	checkRows(t, []exampleRow{
		{3, 3, "0 - X - X", [4]metrics.AlarmState{O, O, O, O}},
		{3, 3, "0 - - - -", [4]metrics.AlarmState{O, O, O, O}},
		{3, 3, "- - - - -", [4]metrics.AlarmState{I, keep, A, O}},
		{3, 3, "0 X X - X", [4]metrics.AlarmState{A, A, A, A}},
		{3, 3, "- - X - -", [4]metrics.AlarmState{A, keep, A, O}},
		{3, 2, "0 - X - X", [4]metrics.AlarmState{A, A, A, A}},
		{3, 2, "0 0 X 0 X", [4]metrics.AlarmState{A, A, A, A}},
		{3, 2, "0 - X - -", [4]metrics.AlarmState{O, O, A, O}},
		{3, 2, "- - - - 0", [4]metrics.AlarmState{O, O, A, O}},
		{3, 2, "- - - X -", [4]metrics.AlarmState{A, keep, A, O}},
	})
}

// TestPrematureAlarmGuard: the CloudWatch user guide
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html) says
// `- - - - X` and `- - - X -` (N = M = 3) do not alarm under missing; an earlier edition of the same page's
// table gives the full rows, including `X - - - -`, which does alarm.
func TestPrematureAlarmGuard(t *testing.T) {
	const (
		I = metrics.InsufficientData
		A = metrics.Alarm
		O = metrics.OK
	)
	checkRows(t, []exampleRow{
		{3, 3, "- - - - X", [4]metrics.AlarmState{I, keep, A, O}},
		{3, 3, "- - - X -", [4]metrics.AlarmState{I, keep, A, O}},
		{3, 3, "X - - - -", [4]metrics.AlarmState{A, keep, A, O}},
		{3, 2, "- - - - X", [4]metrics.AlarmState{I, keep, A, O}},
	})
}

// TestBreachingPointsNeedNotBeConsecutive: M of N, not M in a row, and only
// within the last N real datapoints.
func TestBreachingPointsNeedNotBeConsecutive(t *testing.T) {
	cfg := metrics.AlarmConfig{EvaluationPeriods: 5, DatapointsToAlarm: 3, Threshold: 1, Comparison: metrics.GreaterThanThreshold, EvaluationRange: 7}
	for row, want := range map[string]metrics.AlarmState{
		"0 0 X 0 X 0 X": metrics.Alarm, // 3 breaching among the last 5
		"X X 0 0 X 0 X": metrics.OK,    // 2 among the last 5; older ones fall out
		"X X X 0 0 0 0": metrics.OK,
	} {
		if got := metrics.EvaluateDatapoints(cfg, datapoints(row), metrics.InsufficientData); got != want {
			t.Errorf("%q: got %v, want %v", row, got, want)
		}
	}
}

func TestComparisonOperators(t *testing.T) {
	cases := []struct {
		op   metrics.ComparisonOperator
		v    float64
		want bool
	}{
		{metrics.GreaterThanThreshold, 70, false}, {metrics.GreaterThanThreshold, 70.1, true},
		{metrics.GreaterThanOrEqualToThreshold, 70, true}, {metrics.GreaterThanOrEqualToThreshold, 69.9, false},
		{metrics.LessThanThreshold, 70, false}, {metrics.LessThanThreshold, 69.9, true},
		{metrics.LessThanOrEqualToThreshold, 70, true}, {metrics.LessThanOrEqualToThreshold, 70.1, false},
	}
	for _, c := range cases {
		if got := c.op.Breaches(c.v, 70); got != c.want {
			t.Errorf("%v: %v vs 70 = %v, want %v", c.op, c.v, got, c.want)
		}
	}
}

// TestWorkedExampleEThroughStore runs the same rows through a Store and
// MetricAlarm.Evaluate: one sample per minute, the alarm evaluated at the end
// of the fifth minute must read the five one-minute windows in order.
func TestWorkedExampleEThroughStore(t *testing.T) {
	rows := map[string]metrics.AlarmState{
		"0 - X - X": metrics.OK, "0 X X - X": metrics.Alarm, "- - X - -": metrics.Alarm,
		"- - - - -": metrics.InsufficientData, "- - - - X": metrics.InsufficientData,
	}
	for row, want := range rows {
		s := newStore(t, metrics.Config{})
		for i, dp := range datapoints(row) {
			if !dp.Missing {
				mustPut(t, s, cpu, t0.Add(time.Duration(i)*time.Minute+20*time.Second), dp.Value)
			}
		}
		a, err := metrics.NewAlarm(metrics.AlarmConfig{Name: "e", Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 3,
			Threshold: 1, Comparison: metrics.GreaterThanThreshold})
		if err != nil {
			t.Fatal(err)
		}
		// 5m30s lies inside minute 6; evaluation happens on the minute grid.
		if got := a.Evaluate(t0.Add(5*time.Minute+30*time.Second), s); got != want {
			t.Errorf("%q: got %v, want %v (%s)", row, got, want, a.Reason())
		}
		if d := cmp.Diff(datapoints(row), a.LastEvaluation().Datapoints); d != "" {
			t.Errorf("%q: datapoints read (-want +got):\n%s", row, d)
		}
	}
}

// TestSlidingWindow is the user guide's sliding-window example
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html):
// period 300 s, N = 1, evaluated at the end of minute 5 over minutes 1–5
// and at the end of minute 6 over minutes 2–6.
func TestSlidingWindow(t *testing.T) {
	s := newStore(t, metrics.Config{})
	mustPut(t, s, cpu, t0.Add(30*time.Second), 1)               // minute 1: breaching
	mustPut(t, s, cpu, t0.Add(5*time.Minute+30*time.Second), 0) // minute 6: not breaching
	a, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, Statistic: metrics.Sum, Period: 5 * time.Minute,
		EvaluationPeriods: 1, Threshold: 0, Comparison: metrics.GreaterThanThreshold, TreatMissingData: metrics.MissingDataNotBreaching})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Evaluate(t0.Add(5*time.Minute), s); got != metrics.Alarm {
		t.Fatalf("end of minute 5 (minutes 1–5): %v, want ALARM", got)
	}
	last := a.LastEvaluation().Datapoints
	if newest := last[len(last)-1]; !newest.Timestamp.Equal(t0) {
		t.Fatalf("newest window starts %v, want minute 1 (%v)", newest.Timestamp, t0)
	}
	if got := a.Evaluate(t0.Add(6*time.Minute), s); got != metrics.OK {
		t.Fatalf("end of minute 6 (minutes 2–6): %v, want OK", got)
	}
	if next := a.NextEvaluation(t0.Add(6*time.Minute + time.Second)); !next.Equal(t0.Add(7 * time.Minute)) {
		t.Fatalf("next evaluation %v, want the next minute", next)
	}
}

// TestAlarmHonoursPublicationDelay: a breaching sample published with a
// 2-minute delay is not seen by the evaluation one minute later.
func TestAlarmHonoursPublicationDelay(t *testing.T) {
	s := newStore(t, metrics.Config{PublicationDelay: 2 * time.Minute})
	mustPut(t, s, cpu, t0.Add(10*time.Second), 99)
	a, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, Statistic: metrics.Maximum, EvaluationPeriods: 1,
		Threshold: 50, Comparison: metrics.GreaterThanThreshold})
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Evaluate(t0.Add(time.Minute), s); got != metrics.InsufficientData {
		t.Fatalf("before publication: %v, want INSUFFICIENT_DATA", got)
	}
	if got := a.Evaluate(t0.Add(3*time.Minute), s); got != metrics.Alarm {
		t.Fatalf("after publication: %v, want ALARM (%s)", got, a.Reason())
	}
}

func TestAlarmValidation(t *testing.T) {
	good := metrics.AlarmConfig{Name: "cpu-high", Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 3,
		Threshold: 70, Comparison: metrics.GreaterThanThreshold}
	if _, err := metrics.NewAlarm(good); err != nil {
		t.Fatalf("good config rejected: %v", err)
	}
	cases := []struct {
		name   string
		edit   func(*metrics.AlarmConfig)
		fields []string
	}{
		{"period 45s", func(c *metrics.AlarmConfig) { c.Period = 45 * time.Second }, []string{"Period"}},
		{"period 1s", func(c *metrics.AlarmConfig) { c.Period = time.Second }, []string{"Period"}},
		{"N zero", func(c *metrics.AlarmConfig) { c.EvaluationPeriods = 0 }, []string{"EvaluationPeriods", "DatapointsToAlarm"}},
		{"N×Period over a day", func(c *metrics.AlarmConfig) { c.Period = time.Hour; c.EvaluationPeriods = 25 }, []string{"EvaluationPeriods"}},
		{"M over N", func(c *metrics.AlarmConfig) { c.DatapointsToAlarm = 4 }, []string{"DatapointsToAlarm"}},
		{"M negative", func(c *metrics.AlarmConfig) { c.DatapointsToAlarm = -1 }, []string{"DatapointsToAlarm"}},
		{"no comparison", func(c *metrics.AlarmConfig) { c.Comparison = 0 }, []string{"Comparison"}},
		{"unknown comparison", func(c *metrics.AlarmConfig) { c.Comparison = 9 }, []string{"Comparison"}},
		{"unknown missing-data", func(c *metrics.AlarmConfig) { c.TreatMissingData = 7 }, []string{"TreatMissingData"}},
		{"NaN threshold", func(c *metrics.AlarmConfig) { c.Threshold = nan() }, []string{"Threshold"}},
		{"bad percentile", func(c *metrics.AlarmConfig) { c.Statistic = metrics.Percentile(101) }, []string{"Statistic"}},
		{"no metric", func(c *metrics.AlarmConfig) { c.Metric = metrics.Metric{} }, []string{"Metric"}},
		{"unknown low-sample setting", func(c *metrics.AlarmConfig) { c.LowSampleCountPercentile = 5 }, []string{"LowSampleCountPercentile"}},
		{"range below N", func(c *metrics.AlarmConfig) { c.EvaluationRange = 2 }, []string{"EvaluationRange"}},
		{"everything at once", func(c *metrics.AlarmConfig) {
			c.Period = 7 * time.Second
			c.DatapointsToAlarm = 5
			c.Comparison = 0
		}, []string{"Period", "DatapointsToAlarm", "Comparison"}},
	}
	for _, c := range cases {
		cfg := good
		c.edit(&cfg)
		_, err := metrics.NewAlarm(cfg)
		if !errors.Is(err, metrics.ErrInvalidAlarm) {
			t.Errorf("%s: err = %v, want ErrInvalidAlarm", c.name, err)
			continue
		}
		var fields []string
		for _, e := range unwrapAll(err) {
			var fe *metrics.FieldError
			if errors.As(e, &fe) {
				fields = append(fields, strings.TrimPrefix(fe.Field, "alarm cpu-high: "))
				if !strings.Contains(e.Error(), "alarm cpu-high") {
					t.Errorf("%s: %q does not name the alarm", c.name, e)
				}
			}
		}
		if d := cmp.Diff(c.fields, fields); d != "" {
			t.Errorf("%s: fields (-want +got):\n%s", c.name, d)
		}
	}
	// The longest valid windows: 1440 one-minute periods, one 24 h period.
	for _, ok := range []metrics.AlarmConfig{
		func() metrics.AlarmConfig { c := good; c.EvaluationPeriods = 1440; c.DatapointsToAlarm = 1; return c }(),
		func() metrics.AlarmConfig { c := good; c.EvaluationPeriods = 1; c.Period = 24 * time.Hour; return c }(),
		func() metrics.AlarmConfig { c := good; c.Period = 10 * time.Second; return c }(),
	} {
		if _, err := metrics.NewAlarm(ok); err != nil {
			t.Errorf("valid window rejected: %v", err)
		}
	}
}

func nan() float64 { var z float64; return z / z }

func TestAlarmDefaults(t *testing.T) {
	a, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 3, Comparison: metrics.LessThanThreshold})
	if err != nil {
		t.Fatal(err)
	}
	c := a.Config()
	got := fmt.Sprint(c.Period, c.DatapointsToAlarm, c.EvaluationRange, c.Statistic, c.TreatMissingData, a.State())
	if want := "1m0s 3 5 Average missing INSUFFICIENT_DATA"; got != want {
		t.Fatalf("defaults = %q, want %q", got, want)
	}
}

func TestReasonNamesTheNumbers(t *testing.T) {
	s := newStore(t, metrics.Config{})
	for i, v := range []float64{75.5, 81, 84.2} {
		mustPut(t, s, cpu, t0.Add(time.Duration(i)*time.Minute), v)
	}
	a, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 3, Threshold: 70, Comparison: metrics.GreaterThanThreshold})
	if err != nil {
		t.Fatal(err)
	}
	a.Evaluate(t0.Add(3*time.Minute), s)
	want := "CPUUtilization [84.2, 81, 75.5]: 3 of 3 datapoints > 70 (most recent real datapoints)"
	if got := a.Reason(); got != want {
		t.Fatalf("reason\n got %q\nwant %q", got, want)
	}
}

// TestMinPercentileSamples checks CloudWatch's thresholds: 10/(1−q) for
// q ≥ 0.5 ("fewer than 1000 samples for an alarm on p99"), 10/q below.
func TestMinPercentileSamples(t *testing.T) {
	for p, want := range map[float64]float64{99: 1000, 99.9: 10000, 90: 100, 50: 20, 25: 40, 10: 100} {
		if got := metrics.MinPercentileSamples(p); got != want {
			t.Errorf("MinPercentileSamples(%v) = %v, want %v", p, got, want)
		}
	}
}

// TestLowSampleCountPercentile: a p99 alarm set to ignore low sample counts
// keeps its state with 999 samples in the period and evaluates with 1000;
// the default (evaluate) alarms with 999.
func TestLowSampleCountPercentile(t *testing.T) {
	for _, c := range []struct {
		samples int
		setting metrics.LowSampleCount
		want    metrics.AlarmState
	}{
		{999, metrics.LowSampleIgnore, metrics.InsufficientData},
		{1000, metrics.LowSampleIgnore, metrics.Alarm},
		{999, metrics.LowSampleEvaluate, metrics.Alarm},
	} {
		s := newStore(t, metrics.Config{})
		for i := range c.samples {
			mustPut(t, s, cpu, t0.Add(time.Duration(i)*time.Millisecond), 100)
		}
		a, err := metrics.NewAlarm(metrics.AlarmConfig{Metric: cpu, Statistic: metrics.Percentile(99), EvaluationPeriods: 1,
			Threshold: 50, Comparison: metrics.GreaterThanThreshold, LowSampleCountPercentile: c.setting})
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Evaluate(t0.Add(time.Minute), s); got != c.want {
			t.Errorf("%d samples, %v: %v, want %v (%s)", c.samples, c.setting, got, c.want, a.Reason())
		}
	}
}

// TestCompleteDataIgnoresTreatment: with no missing datapoint, every
// treatment gives the plain M-of-N count over the last N datapoints.
func TestCompleteDataIgnoresTreatment(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 10).Draw(rt, "n")
		m := rapid.IntRange(1, n).Draw(rt, "m")
		extra := rapid.IntRange(0, 3).Draw(rt, "extra")
		var points []metrics.Datapoint
		for range n + extra {
			points = append(points, metrics.Datapoint{Value: float64(rapid.IntRange(0, 2).Draw(rt, "v"))})
		}
		breaching := 0
		for _, dp := range points[extra:] {
			if dp.Value > 1 {
				breaching++
			}
		}
		want := metrics.OK
		if breaching >= m {
			want = metrics.Alarm
		}
		current := metrics.AlarmState(rapid.IntRange(0, 2).Draw(rt, "current"))
		for _, treat := range treatments {
			cfg := metrics.AlarmConfig{EvaluationPeriods: n, DatapointsToAlarm: m, Threshold: 1,
				Comparison: metrics.GreaterThanThreshold, TreatMissingData: treat, EvaluationRange: n + extra}
			if got := metrics.EvaluateDatapoints(cfg, points, current); got != want {
				rt.Fatalf("%v, %d of %d, %d breaching: got %v, want %v", treat, m, n, breaching, got, want)
			}
		}
	})
}

// TestMissingTreatmentsOrdered: for the same datapoints, treating missing
// data as breaching never gives OK where notBreaching gives ALARM (filling
// with breaching points can only add breaches).
func TestMissingTreatmentsOrdered(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(rt, "n")
		m := rapid.IntRange(1, n).Draw(rt, "m")
		var points []metrics.Datapoint
		for range n + 2 {
			switch rapid.IntRange(0, 2).Draw(rt, "kind") {
			case 0:
				points = append(points, metrics.Datapoint{Missing: true})
			case 1:
				points = append(points, metrics.Datapoint{Value: 0})
			default:
				points = append(points, metrics.Datapoint{Value: 2})
			}
		}
		eval := func(treat metrics.MissingData) metrics.AlarmState {
			return metrics.EvaluateDatapoints(metrics.AlarmConfig{EvaluationPeriods: n, DatapointsToAlarm: m, Threshold: 1,
				Comparison: metrics.GreaterThanThreshold, TreatMissingData: treat}, points, metrics.OK)
		}
		if eval(metrics.MissingDataNotBreaching) == metrics.Alarm && eval(metrics.MissingDataBreaching) != metrics.Alarm {
			rt.Fatalf("notBreaching alarms but breaching does not")
		}
		if eval(metrics.MissingDataMissing) == metrics.Alarm && eval(metrics.MissingDataBreaching) != metrics.Alarm {
			rt.Fatalf("missing alarms but breaching does not")
		}
	})
}

// asOfOnly hides everything of a *Store but Statistic and StatisticAsOf,
// so that MetricAlarm.Evaluate takes its general Reader path.
type asOfOnly struct{ s *metrics.Store }

func (r asOfOnly) Statistic(m metrics.Metric, stat metrics.Statistic, period time.Duration, end time.Time) (float64, bool) {
	return r.s.Statistic(m, stat, period, end)
}

func (r asOfOnly) StatisticAsOf(m metrics.Metric, stat metrics.Statistic, period time.Duration, end, asOf time.Time) (float64, bool) {
	return r.s.StatisticAsOf(m, stat, period, end, asOf)
}

// TestEvaluateStoreFastPathAgrees: an alarm evaluated straight against a
// *Store (one series lookup per evaluation) and the same alarm evaluated
// through the general Reader path (one query per datapoint) reach the same
// state with the same datapoints, over random samples (gaps, a publication
// delay, rollups past the raw retention) and random alarm shapes,
// percentiles with the low-sample rule included.
func TestEvaluateStoreFastPathAgrees(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		s, err := metrics.NewStore(metrics.Config{
			RawRetention:     time.Duration(rapid.IntRange(2, 10).Draw(rt, "rawMinutes")) * time.Minute,
			PublicationDelay: time.Duration(rapid.IntRange(0, 90).Draw(rt, "delaySeconds")) * time.Second,
		})
		if err != nil {
			rt.Fatal(err)
		}
		stats := []metrics.Statistic{metrics.Average, metrics.Sum, metrics.Maximum, metrics.SampleCount, metrics.Percentile(90)}
		n := rapid.IntRange(1, 5).Draw(rt, "n")
		cfg := metrics.AlarmConfig{Metric: cpu, Statistic: stats[rapid.IntRange(0, len(stats)-1).Draw(rt, "stat")],
			Period:            time.Duration(rapid.IntRange(1, 3).Draw(rt, "periodMinutes")) * time.Minute,
			EvaluationPeriods: n, DatapointsToAlarm: rapid.IntRange(1, n).Draw(rt, "m"),
			Threshold: 50, Comparison: metrics.GreaterThanThreshold,
			TreatMissingData: treatments[rapid.IntRange(0, len(treatments)-1).Draw(rt, "treat")]}
		fast, err := metrics.NewAlarm(cfg)
		if err != nil {
			rt.Fatal(err)
		}
		general, _ := metrics.NewAlarm(cfg)
		at := t0
		for step := range rapid.IntRange(1, 60).Draw(rt, "steps") {
			for range rapid.IntRange(0, 4).Draw(rt, "samples") {
				ts := at.Add(-time.Duration(rapid.IntRange(0, 120).Draw(rt, "age")) * time.Second)
				_ = s.Put(cpu, ts, float64(rapid.IntRange(0, 100).Draw(rt, "v")))
			}
			at = at.Add(time.Duration(rapid.IntRange(1, 90).Draw(rt, "advance")) * time.Second)
			a, b := fast.Evaluate(at, s), general.Evaluate(at, asOfOnly{s})
			if a != b {
				rt.Fatalf("step %d at %v: store path %v (%s), reader path %v (%s)", step, at, a, fast.Reason(), b, general.Reason())
			}
			if diff := cmp.Diff(general.LastEvaluation(), fast.LastEvaluation(), cmpopts.EquateNaNs()); diff != "" {
				rt.Fatalf("step %d: evaluations differ (-reader +store):\n%s", step, diff)
			}
		}
	})
}
