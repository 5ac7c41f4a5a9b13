package autoscale

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
	"github.com/google/go-cmp/cmp"
)

// TestWorkedExampleDScheduledCapacity: current 5 with {Min 10} → 10;
// current 12 with {Max 8} → 8; current 7 with {Min 3, Max 10} → stays 7 and
// later policies are bounded to [3, 10].
func TestWorkedExampleDScheduledCapacity(t *testing.T) {
	for _, tc := range []struct {
		name             string
		current          int
		action           ScheduledAction
		want, wMin, wMax int
	}{
		{"raise to the new minimum", 5, ScheduledAction{MinCapacity: Capacity(10)}, 10, 10, 20},
		{"lower to the new maximum", 12, ScheduledAction{MaxCapacity: Capacity(8)}, 8, 1, 8},
		{"inside the new bounds: left alone", 7, ScheduledAction{MinCapacity: Capacity(3), MaxCapacity: Capacity(10)}, 7, 3, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.action
			a.Name, a.Schedule = "change", "at(2026-01-05T08:00:00)"
			c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 20}, ScheduledActions: []ScheduledAction{a}})
			if err != nil {
				t.Fatal(err)
			}
			if d := c.Evaluate(t0, State{Desired: tc.current}); d.Desired != tc.current || !d.Next.Equal(t0.Add(8*time.Hour)) {
				t.Fatalf("before the action: desired %d, next %v; want %d and 08:00", d.Desired, d.Next, tc.current)
			}
			d := c.Evaluate(t0.Add(8*time.Hour), State{Desired: tc.current})
			if d.Desired != tc.want || d.Min != tc.wMin || d.Max != tc.wMax {
				t.Errorf("after: desired %d in [%d, %d], want %d in [%d, %d] (%s)", d.Desired, d.Min, d.Max, tc.want, tc.wMin, tc.wMax, d.Reason)
			}
			if !d.Next.IsZero() {
				t.Errorf("a one-time action left a next run %v", d.Next)
			}
		})
	}

	// Later policies are bounded to [3, 10]: a scale-out to 40 stops at 10.
	p := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization,
		High: AlarmShape{EvaluationPeriods: 1}})
	c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{p},
		ScheduledActions: []ScheduledAction{{Name: "narrow", Schedule: "at(2026-01-05T00:00:00)", MinCapacity: Capacity(3), MaxCapacity: Capacity(10)}}})
	if err != nil {
		t.Fatal(err)
	}
	d := c.Evaluate(t0, State{Desired: 7, Metrics: fakeReader{"CPUUtilization": constant(50.0 * 40 / 7)}})
	if d.Desired != 10 || !strings.Contains(d.Reason.String(), "clamped to [3, 10]") {
		t.Errorf("policy after the narrowing: desired %d (%s), want 10", d.Desired, d.Reason)
	}
}

// TestWorkedExampleDRateWithStartAndEnd: rate(5 hours) from StartTime
// 2021-01-30T12:00 runs at the start time and then every 5 h until EndTime.
func TestWorkedExampleDRateWithStartAndEnd(t *testing.T) {
	start := utc(2021, 1, 30, 12, 0)
	c, err := NewController(ControllerConfig{
		Target: ScalableTarget{MinCapacity: 0, MaxCapacity: 100},
		ScheduledActions: []ScheduledAction{{Name: "five-hourly", Schedule: "rate(5 hours)", StartTime: start, EndTime: utc(2021, 1, 31, 3, 0),
			MinCapacity: Capacity(2)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var runs []time.Time
	at := utc(2021, 1, 30, 0, 0)
	for i := 0; i < 10 && !at.IsZero(); i++ {
		d := c.Evaluate(at, State{Desired: 0})
		for _, a := range c.History() {
			if a.Time.Equal(at) {
				runs = append(runs, at)
			}
		}
		at = d.Next
	}
	// Each run finds desired 0 < min 2 and records an activity.
	want := []time.Time{start, utc(2021, 1, 30, 17, 0), utc(2021, 1, 30, 22, 0), utc(2021, 1, 31, 3, 0)}
	if diff := cmp.Diff(want, runs); diff != "" {
		t.Errorf("runs (-want +got):\n%s", diff)
	}
}

// TestRegistrationAndSuspension: the first evaluation brings desired into
// [min, max]; suspended scale-out and scale-in block policies; suspended
// scheduled scaling skips runs that fall due and does not catch them up.
func TestRegistrationAndSuspension(t *testing.T) {
	c, err := NewController(ControllerConfig{Target: ScalableTarget{ResourceID: webID, MinCapacity: 2, MaxCapacity: 5}})
	if err != nil {
		t.Fatal(err)
	}
	d := c.Evaluate(t0, State{Desired: 9})
	if d.Desired != 5 || len(d.Activities) != 1 || d.Activities[0].StatusMessage != "Successfully set desired count to 5. Change successfully fulfilled by ecs." {
		t.Errorf("registration with desired 9 in [2, 5]: %+v", d)
	}

	p := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization,
		High: AlarmShape{EvaluationPeriods: 1}, Low: AlarmShape{EvaluationPeriods: 1}})
	c, _ = NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100, Suspended: SuspendedState{DynamicScalingOutSuspended: true, DynamicScalingInSuspended: true}},
		Policies: []Policy{p}, ScheduledActions: []ScheduledAction{{Name: "hourly", Schedule: "cron(0 * * * ? *)", MinCapacity: Capacity(30)}}})
	hot := fakeReader{"CPUUtilization": constant(100)}
	cold := fakeReader{"CPUUtilization": constant(10)}
	if d := c.Evaluate(t0.Add(time.Minute), State{Desired: 10, Metrics: hot}); d.Desired != 10 || !strings.Contains(d.Reason.String(), "scale-out is suspended") {
		t.Errorf("scale-out suspended: %d (%s)", d.Desired, d.Reason)
	}
	if d := c.Evaluate(t0.Add(2*time.Minute), State{Desired: 10, Metrics: cold}); d.Desired != 10 || !strings.Contains(d.Reason.String(), "scale-in is suspended") {
		t.Errorf("scale-in suspended: %d (%s)", d.Desired, d.Reason)
	}
	c.SetSuspended(SuspendedState{ScheduledScalingSuspended: true})
	if d := c.Evaluate(t0.Add(time.Hour), State{Desired: 10, Metrics: fakeReader{"CPUUtilization": constant(50)}}); d.Desired != 10 || !strings.Contains(d.Reason.String(), "skipped") {
		t.Errorf("scheduled scaling suspended: %d (%s)", d.Desired, d.Reason)
	}
	c.SetSuspended(SuspendedState{})
	// Resumed at 01:30: the 01:00 run is not caught up; the next is 02:00.
	d = c.Evaluate(t0.Add(90*time.Minute), State{Desired: 10, Metrics: fakeReader{"CPUUtilization": constant(50)}})
	if d.Desired != 10 {
		t.Errorf("after resume, before the next run: desired %d (%s), want 10", d.Desired, d.Reason)
	}
	if d := c.Evaluate(t0.Add(2*time.Hour), State{Desired: 10, Metrics: fakeReader{"CPUUtilization": constant(50)}}); d.Desired != 30 {
		t.Errorf("at the next run after resume: desired %d (%s), want 30", d.Desired, d.Reason)
	}
}

// TestStepScaleInNotBlockedByTargetTracking: a step policy's scale-in goes
// ahead although a target tracking policy is not ready to scale in.
func TestStepScaleInNotBlockedByTargetTracking(t *testing.T) {
	tt := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization,
		High: AlarmShape{EvaluationPeriods: 1}, Low: AlarmShape{EvaluationPeriods: 1}})
	queue := metrics.Metric{Namespace: "App", Name: "QueueDepth"}
	step, err := NewStepScaling(StepScalingConfig{
		Name:            "queue-empty",
		Alarm:           metrics.AlarmConfig{Metric: queue, Statistic: metrics.Maximum, EvaluationPeriods: 1, Threshold: 1, Comparison: metrics.LessThanThreshold},
		AdjustmentType:  ChangeInCapacity,
		StepAdjustments: []StepAdjustment{{LowerBound: negInf, UpperBound: 0, ScalingAdjustment: -2}},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{tt, step}})
	d := c.Evaluate(t0, State{Desired: 10, Metrics: fakeReader{"CPUUtilization": constant(48), "QueueDepth": constant(0)}})
	if d.Desired != 8 || len(d.Activities) != 1 || d.Activities[0].Policy != "queue-empty" {
		t.Errorf("step scale-in beside a holding target tracking policy: %d (%s)", d.Desired, d.Reason)
	}
}

func TestControllerValidation(t *testing.T) {
	p := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization})
	_, err := NewController(ControllerConfig{
		Target:   ScalableTarget{MinCapacity: 5, MaxCapacity: 2},
		Policies: []Policy{p, p, nil},
		ScheduledActions: []ScheduledAction{
			{Name: "a", Schedule: "cron(0 18 * * MON-FRI *)", MinCapacity: Capacity(1)},
			{Name: "a", Schedule: "rate(1 hour)", Timezone: "Mars/Olympus_Mons"},
			{Name: "b", Schedule: "rate(1 hour)", MinCapacity: Capacity(5), MaxCapacity: Capacity(2)},
		},
		HistoryLimit: -1,
	})
	for _, want := range []string{
		"ScalableTarget.MaxCapacity", `Policies[1].Name() "cpu": must be unique`, "Policies[2]",
		"ScheduledActions[0].Schedule", "position 15", `ScheduledActions[1].Name "a": must be unique`,
		`unknown time zone "Mars/Olympus_Mons"`, "must set MinCapacity, MaxCapacity or both",
		"ScheduledActions[2].MinCapacity 5: must not exceed MaxCapacity 2", "HistoryLimit",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("validation error does not mention %q:\n%v", want, err)
		}
	}
	for _, target := range []error{ErrInvalidConfig, ErrInvalidSchedule, ErrUnknownTimeZone} {
		if !errors.Is(err, target) {
			t.Errorf("validation error does not match %v", target)
		}
	}
}

// TestHistoryIsBounded: the history keeps only the newest HistoryLimit
// activities, oldest first.
func TestHistoryIsBounded(t *testing.T) {
	c, _ := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 0, MaxCapacity: 100}, HistoryLimit: 3,
		ScheduledActions: []ScheduledAction{{Name: "every-minute", Schedule: "rate(1 minute)", MinCapacity: Capacity(1)}}})
	var want []int
	for i := range 7 {
		c.Evaluate(t0.Add(minutes(i)), State{Desired: 0}) // always 0 → 1
		want = append(want, i)
	}
	var got []int
	for _, a := range c.History() {
		got = append(got, int(a.Time.Sub(t0)/time.Minute))
	}
	if diff := cmp.Diff(want[4:], got); diff != "" {
		t.Errorf("history minutes (-want +got):\n%s", diff)
	}
}
