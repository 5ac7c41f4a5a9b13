package autoscale

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// Regression tests for inputs the package accepted at commit 6aac1ab and
// then mishandled (issue 12). Each names its defect class.

// problems returns the message of every problem joined in err.
func problems(err error) []string {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, problems(e)...)
		}
		return out
	}
	if err == nil {
		return nil
	}
	return []string{err.Error()}
}

// mentions reports whether some problem of err contains every part.
func mentions(err error, parts ...string) bool {
	for _, msg := range problems(err) {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(msg, p)
		}
		if all {
			return true
		}
	}
	return false
}

// TestRegressionCapacityAboveQuota: capacities beyond ECS's quota of
// 5,000 tasks per service were accepted (MaxCapacity 2^40). Every capacity
// is now checked against the quota, which ControllerConfig.TasksPerService
// can raise as AWS lets an account do.
func TestRegressionCapacityAboveQuota(t *testing.T) {
	_, err := NewController(ControllerConfig{
		Target: ScalableTarget{MinCapacity: 6000, MaxCapacity: math.MaxInt},
		ScheduledActions: []ScheduledAction{
			{Name: "big", Schedule: "rate(1 hour)", MinCapacity: Capacity(5001), MaxCapacity: Capacity(9000)},
		},
	})
	for _, want := range [][]string{
		{"ScalableTarget.MinCapacity 6000", "must be 0 to 5000"},
		{"ScalableTarget.MaxCapacity " + strconv.Itoa(math.MaxInt), "at most 5000"},
		{"ScheduledActions[0].MinCapacity 5001"},
		{"ScheduledActions[0].MaxCapacity 9000"},
	} {
		if !errors.Is(err, ErrInvalidConfig) || !mentions(err, want...) {
			t.Errorf("error does not report %q:\n%v", want, err)
		}
	}
	if _, err := NewController(ControllerConfig{Target: ScalableTarget{MaxCapacity: 9000}, TasksPerService: 10000}); err != nil {
		t.Errorf("a raised quota refused: %v", err)
	}
	if _, err := NewController(ControllerConfig{Target: ScalableTarget{MaxCapacity: 5000}}); err != nil {
		t.Errorf("the quota itself refused: %v", err)
	}
	if _, err := NewController(ControllerConfig{TasksPerService: -1}); !mentions(err, "TasksPerService") {
		t.Errorf("negative quota: %v", err)
	}
}

// TestRegressionHistoryLimitAllocation: a HistoryLimit of 2^40 made
// NewController allocate the whole history at once and the process die
// ("fatal error: out of memory", which no recover catches). The history
// now grows as activities happen. A HistoryLimit of math.MaxInt then
// panicked at the first activity (the ring's room wrapped negative); it
// now saturates.
func TestRegressionHistoryLimitAllocation(t *testing.T) {
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := NewController(ControllerConfig{Target: ScalableTarget{MaxCapacity: 10}, HistoryLimit: math.MaxInt}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 10 {
		t.Errorf("NewController made %v allocations", allocs)
	}
	c, _ := NewController(ControllerConfig{Target: ScalableTarget{MaxCapacity: 10}, HistoryLimit: math.MaxInt,
		ScheduledActions: []ScheduledAction{{Name: "up", Schedule: "rate(1 minute)", MinCapacity: Capacity(1)}}})
	for i := range 3 {
		c.Evaluate(t0.Add(minutes(i)), State{Desired: 0})
	}
	if n := len(c.History()); n != 3 {
		t.Errorf("history holds %d activities, want 3", n)
	}
}

// TestRegressionAdjustmentOverflow: a PercentChangeInCapacity of +400 % of
// a huge capacity overflowed to −4 tasks, and ChangeInCapacity past the
// int range wrapped to a negative capacity; adjustments beyond the API's
// 32-bit integers were accepted. They are now refused, and the arithmetic
// saturates for any capacity a caller passes in.
func TestRegressionAdjustmentOverflow(t *testing.T) {
	if got := PercentChange(math.MaxInt/2, 400, 0); got <= 0 {
		t.Errorf("PercentChange(huge, +400 %%) = %d, want a positive change", got)
	}
	if got := applyAdjustment(ChangeInCapacity, math.MaxInt-5, 10, 0); got != maxCapacity {
		t.Errorf("ChangeInCapacity past the int range = %d, want it saturated at %d", got, maxCapacity)
	}
	if got := applyAdjustment(ChangeInCapacity, math.MinInt+5, -10, 0); got != -maxCapacity {
		t.Errorf("ChangeInCapacity below the int range = %d, want it saturated at %d", got, -maxCapacity)
	}
	// Ordinary values are untouched.
	if got := PercentChange(10, 50, 0); got != 5 {
		t.Errorf("PercentChange(10, 50 %%) = %d, want 5", got)
	}
	if strconv.IntSize < 64 {
		return // no int is beyond the API's 32-bit integers
	}
	_, err := NewStepScaling(StepScalingConfig{
		Name:                   "huge",
		Alarm:                  metrics.AlarmConfig{Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 1, Threshold: 50, Comparison: metrics.GreaterThanThreshold},
		AdjustmentType:         PercentChangeInCapacity,
		StepAdjustments:        []StepAdjustment{{LowerBound: 0, UpperBound: posInf, ScalingAdjustment: math.MaxInt}},
		MinAdjustmentMagnitude: math.MaxInt,
	})
	if !mentions(err, "ScalingAdjustment", "32 bits") || !mentions(err, "MinAdjustmentMagnitude", "32 bits") {
		t.Errorf("out-of-range adjustments not reported:\n%v", err)
	}
}

// TestRegressionScheduleFarFuture: at(9999-12-31T00:00:00) and StartTime
// or EndTime centuries away were accepted, though a time past 2262 cannot
// even be a virtual-time offset. They now must lie in 1970–2199, the years
// a cron() Year field may name.
func TestRegressionScheduleFarFuture(t *testing.T) {
	if _, err := ParseSchedule("at(9999-12-31T00:00:00)", nil); !errors.Is(err, ErrInvalidSchedule) || !strings.Contains(err.Error(), "year 9999") {
		t.Errorf("at() in 9999: err = %v", err)
	}
	if _, err := ParseSchedule("at(2199-12-31T23:59:59)", nil); err != nil {
		t.Errorf("at() in 2199 refused: %v", err)
	}
	_, err := NewController(ControllerConfig{Target: ScalableTarget{MaxCapacity: 10},
		ScheduledActions: []ScheduledAction{{Name: "far", Schedule: "rate(1 day)", MinCapacity: Capacity(1),
			StartTime: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC), EndTime: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}}})
	if !mentions(err, "StartTime", "1970 to 2199") || !mentions(err, "EndTime", "1970 to 2199") {
		t.Errorf("far StartTime and EndTime not reported:\n%v", err)
	}
}

// TestRegressionEvaluationInterval: an EvaluationInterval of 1 ns was
// accepted; now that a simulation honours Decision.Next it would evaluate
// a billion times a second. It must be 0 or whole seconds from 10 s to a
// day.
func TestRegressionEvaluationInterval(t *testing.T) {
	for _, iv := range []time.Duration{time.Nanosecond, 9 * time.Second, 90*time.Second + time.Millisecond, 25 * time.Hour, -time.Minute} {
		_, err := NewController(ControllerConfig{Target: ScalableTarget{MaxCapacity: 10}, EvaluationInterval: iv})
		if !mentions(err, "EvaluationInterval") {
			t.Errorf("EvaluationInterval %v: err = %v", iv, err)
		}
	}
	for _, iv := range []time.Duration{0, 10 * time.Second, 5 * time.Minute, 24 * time.Hour} {
		if _, err := NewController(ControllerConfig{Target: ScalableTarget{MaxCapacity: 10}, EvaluationInterval: iv}); err != nil {
			t.Errorf("EvaluationInterval %v refused: %v", iv, err)
		}
	}
}

// TestNonFiniteValuesRejected: NaN and ±Inf target values, thresholds and
// step bounds, and NaN low fractions, are refused at construction, each
// naming its field (the step table's bounds may be ±Inf only as AWS's
// null).
func TestNonFiniteValuesRejected(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		_, err := NewTargetTracking(TargetTrackingConfig{Name: "x", ResourceID: webID, TargetValue: v, PredefinedMetric: ECSServiceAverageCPUUtilization})
		if !mentions(err, "TargetValue") {
			t.Errorf("TargetValue %v: err = %v", v, err)
		}
		_, err = NewTargetTracking(TargetTrackingConfig{Name: "x", ResourceID: webID, TargetValue: 50, LowFraction: v, PredefinedMetric: ECSServiceAverageCPUUtilization})
		if !mentions(err, "LowFraction") {
			t.Errorf("LowFraction %v: err = %v", v, err)
		}
		_, err = NewStepScaling(StepScalingConfig{Name: "x", AdjustmentType: ChangeInCapacity,
			Alarm:           metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 1, Threshold: v, Comparison: metrics.GreaterThanThreshold},
			StepAdjustments: []StepAdjustment{{LowerBound: 0, UpperBound: posInf, ScalingAdjustment: 1}}})
		if err == nil || !strings.Contains(err.Error(), "Threshold") {
			t.Errorf("Threshold %v: err = %v", v, err)
		}
	}
	_, err := NewStepScaling(StepScalingConfig{Name: "x", AdjustmentType: ChangeInCapacity,
		Alarm:           metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 1, Threshold: 50, Comparison: metrics.GreaterThanThreshold},
		StepAdjustments: []StepAdjustment{{LowerBound: math.NaN(), UpperBound: posInf, ScalingAdjustment: 1}, {LowerBound: 0, UpperBound: math.Inf(-1)}}})
	if !mentions(err, "StepAdjustments[0]", "bounds must be numbers") || !mentions(err, "StepAdjustments[1]", "bounds must be numbers") {
		t.Errorf("NaN and misplaced infinite bounds not reported:\n%v", err)
	}
}

// TestCooldownExtremes: a negative cooldown means none (documented) and a
// cooldown of the longest Duration blocks without overflowing the clock.
func TestCooldownExtremes(t *testing.T) {
	for _, c := range []struct {
		cooldown time.Duration
		want     []int // desired after minutes 1–3 at 100 % CPU against 50
	}{
		{-time.Second, []int{20, 40, 80}},        // no cooldown: doubles every minute
		{math.MaxInt64, []int{20, 20, 20}},       // computed from the pre-cooldown base forever
		{DefaultCooldown - 1, []int{20, 20, 20}}, // an ordinary cooldown
	} {
		p := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization,
			ScaleOutCooldown: c.cooldown, High: AlarmShape{EvaluationPeriods: 1}})
		ctl, err := NewController(ControllerConfig{Target: ScalableTarget{MaxCapacity: 1000}, Policies: []Policy{p}})
		if err != nil {
			t.Fatal(err)
		}
		desired := 10
		var got []int
		for i := 1; i <= 3; i++ {
			d := ctl.Evaluate(t0.Add(minutes(i)), State{Desired: desired, Metrics: fakeReader{"CPUUtilization": constant(100)}})
			desired = d.Desired
			got = append(got, desired)
		}
		if len(got) != 3 || got[0] != c.want[0] || got[1] != c.want[1] || got[2] != c.want[2] {
			t.Errorf("cooldown %v: desired %v, want %v", c.cooldown, got, c.want)
		}
	}
}

// TestRegressionStepProblemsAtOnce: a step policy whose step table and
// alarm were both wrong reported the table's problems, and the alarm's
// only once the table was fixed. They are now reported together, as are a
// target tracking policy's customized metric and alarm shapes.
func TestRegressionStepProblemsAtOnce(t *testing.T) {
	_, err := NewStepScaling(StepScalingConfig{Name: "x", AdjustmentType: ChangeInCapacity,
		Alarm:           metrics.AlarmConfig{Metric: cpu, EvaluationPeriods: 1, Period: 45 * time.Second, Threshold: math.NaN(), Comparison: metrics.GreaterThanThreshold},
		StepAdjustments: []StepAdjustment{{LowerBound: 0, UpperBound: 10, ScalingAdjustment: 1}, {LowerBound: 5, UpperBound: posInf, ScalingAdjustment: 2}}})
	if !mentions(err, "must not overlap") || !mentions(err, "Period 45s") || !mentions(err, "Threshold NaN") {
		t.Errorf("not every problem reported:\n%v", err)
	}
	_, err = NewTargetTracking(TargetTrackingConfig{Name: "x", TargetValue: 50,
		CustomizedMetric: &CustomizedMetric{Metric: metrics.Metric{Name: "Backlog"}, Statistic: metrics.Percentile(200)},
		High:             AlarmShape{Period: 45 * time.Second}})
	if !mentions(err, "CustomizedMetric.Metric", "Namespace") || !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("customized metric without a namespace not reported:\n%v", err)
	}
	_, err = NewTargetTracking(TargetTrackingConfig{Name: "x", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization,
		High: AlarmShape{Period: 45 * time.Second}, LowFraction: 2})
	if !mentions(err, "High", "Period 45s") || !mentions(err, "LowFraction") {
		t.Errorf("alarm shape and low fraction not reported together:\n%v", err)
	}
}
