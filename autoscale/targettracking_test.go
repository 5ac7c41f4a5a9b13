package autoscale

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
	"github.com/google/go-cmp/cmp"
)

func newTT(t *testing.T, cfg TargetTrackingConfig) *TargetTracking {
	t.Helper()
	p, err := NewTargetTracking(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// run evaluates c once a minute from `from` for n minutes and returns the
// desired count after each evaluation.
func run(c *Controller, from time.Time, n int, desired *int, s State) []int {
	var out []int
	for i := range n {
		s.Desired = *desired
		*desired = c.Evaluate(from.Add(minutes(i)), s).Desired
		out = append(out, *desired)
	}
	return out
}

// TestWorkedExampleCRounding: target 50 %, a computed need of +1.5 tasks
// adds 2 and a safe removal of 1.5 removes 1 (AWS's EC2 Auto Scaling
// example); 4 tasks at 90 % with target 50 need ceil(7.2) = 8.
func TestWorkedExampleCRounding(t *testing.T) {
	for _, tc := range []struct {
		current        int
		metric, target float64
		want           int
	}{
		{3, 75, 50, 5},   // 4.5 needed: +1.5 → +2
		{6, 37.5, 50, 5}, // 4.5 needed: −1.5 → −1
		{4, 90, 50, 8},   // 7.2 tasks needed: +3.2 → +4
		{10, 70, 70, 10}, // exactly on target: float noise must not add a task
		{7, 70 * 1.1, 70, 8},
		{0, 80, 50, 1}, // from zero tasks: one
		{0, 10, 50, 0},
	} {
		if got := TrackingCapacity(tc.current, tc.metric, tc.target); got != tc.want {
			t.Errorf("TrackingCapacity(%d, %g, %g) = %d, want %d", tc.current, tc.metric, tc.target, got, tc.want)
		}
	}
}

// TestWorkedExampleCAlarms: target 70 → AlarmHigh Average CPUUtilization
// > 70 for 3 of 3 one-minute periods; AlarmLow < 63 for 15 of 15.
// Behaviourally: two minutes above target do nothing, the third scales out;
// fourteen minutes below 63 do nothing, the fifteenth scales in.
func TestWorkedExampleCAlarms(t *testing.T) {
	p := newTT(t, TargetTrackingConfig{Name: "cpu-70", ResourceID: webID, TargetValue: 70, PredefinedMetric: ECSServiceAverageCPUUtilization})
	high, low := p.Alarms()
	type shape struct {
		Metric     string
		Period     time.Duration
		N, M       int
		Threshold  float64
		Comparison metrics.ComparisonOperator
	}
	got := []shape{
		{high.Config().Metric.Name, high.Config().Period, high.Config().EvaluationPeriods, high.Config().DatapointsToAlarm, high.Config().Threshold, high.Config().Comparison},
		{low.Config().Metric.Name, low.Config().Period, low.Config().EvaluationPeriods, low.Config().DatapointsToAlarm, low.Config().Threshold, low.Config().Comparison},
	}
	want := []shape{
		{"CPUUtilization", time.Minute, 3, 3, 70, metrics.GreaterThanThreshold},
		{"CPUUtilization", time.Minute, 15, 15, 63, metrics.LessThanThreshold},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alarms (-want +got):\n%s", diff)
	}
	if !strings.Contains(high.Config().Name, "AlarmHigh") || !strings.Contains(low.Config().Name, "AlarmLow") {
		t.Errorf("alarm names %q, %q lack AlarmHigh / AlarmLow", high.Config().Name, low.Config().Name)
	}

	c, err := NewController(ControllerConfig{Target: ScalableTarget{ResourceID: webID, MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{p}})
	if err != nil {
		t.Fatal(err)
	}
	// CPU is 84 from minute 0 on; the first evaluation that sees three
	// datapoints above 70 is at minute 3 (datapoints for minutes 0, 1, 2):
	// ceil(10 × 84 / 70) = 12. From minute 4 CPU is 70 (no alarm), from
	// minute 20 it is 42 (< 63): AlarmLow needs 15 datapoints, minutes 20..34,
	// first seen at minute 35: ceil(12 × 42 / 70) = 8.
	tl := (&timeline{}).set(t0, 84).set(t0.Add(minutes(4)), 70).set(t0.Add(minutes(20)), 42)
	r := fakeReader{"CPUUtilization": tl.fn}
	desired := 10
	gotDesired := run(c, t0, 36, &desired, State{Metrics: r})
	wantDesired := []int{10, 10, 10}
	for len(wantDesired) < 35 {
		wantDesired = append(wantDesired, 12)
	}
	wantDesired = append(wantDesired, 8)
	if diff := cmp.Diff(wantDesired, gotDesired); diff != "" {
		t.Errorf("desired minute by minute (-want +got):\n%s", diff)
	}
}

// TestWorkedExampleCMultiplePolicies: CPU wants 8 and memory wants 6 → 8;
// CPU wants to scale in to 4 but memory is not ready → no scale-in.
func TestWorkedExampleCMultiplePolicies(t *testing.T) {
	newPair := func() *Controller {
		cpuP := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization,
			High: AlarmShape{EvaluationPeriods: 1}, Low: AlarmShape{EvaluationPeriods: 1}})
		memP := newTT(t, TargetTrackingConfig{Name: "memory", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageMemoryUtilization,
			High: AlarmShape{EvaluationPeriods: 1}, Low: AlarmShape{EvaluationPeriods: 1}})
		c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 20}, Policies: []Policy{memP, cpuP}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// 5 tasks: CPU 80 → ceil(5×80/50) = 8; memory 60 → ceil(5×60/50) = 6.
	d := newPair().Evaluate(t0, State{Desired: 5, Metrics: fakeReader{"CPUUtilization": constant(80), "MemoryUtilization": constant(60)}})
	if d.Desired != 8 || !strings.Contains(d.Reason.String(), "cpu") {
		t.Errorf("both scale out: desired %d (%s), want 8 by cpu", d.Desired, d.Reason)
	}
	// 10 tasks: CPU 20 → wants 4; memory 48 is below target but above the
	// low alarm's 45, so memory is not ready to scale in.
	d = newPair().Evaluate(t0, State{Desired: 10, Metrics: fakeReader{"CPUUtilization": constant(20), "MemoryUtilization": constant(48)}})
	if d.Desired != 10 || !strings.Contains(d.Reason.String(), "memory not ready") {
		t.Errorf("memory not ready: desired %d (%s), want 10", d.Desired, d.Reason)
	}
	// Both ready: CPU wants 4, memory (40) wants 8: the larger capacity wins.
	d = newPair().Evaluate(t0, State{Desired: 10, Metrics: fakeReader{"CPUUtilization": constant(20), "MemoryUtilization": constant(40)}})
	if d.Desired != 8 {
		t.Errorf("both scale in: desired %d (%s), want 8", d.Desired, d.Reason)
	}
	// Missing memory data holds scale-in back too.
	d = newPair().Evaluate(t0, State{Desired: 10, Metrics: fakeReader{"CPUUtilization": constant(20)}})
	if d.Desired != 10 {
		t.Errorf("memory has no data: desired %d (%s), want 10", d.Desired, d.Reason)
	}
}

// TestWorkedExampleCCooldownAndDeployment: a scale-in starts the scale-in
// cooldown, which blocks further scale-in for 300 s; a scale-out during it
// acts immediately. During a deployment scale-in is ignored and scale-out
// proceeds.
func TestWorkedExampleCCooldownAndDeployment(t *testing.T) {
	p := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization,
		High: AlarmShape{EvaluationPeriods: 1}, Low: AlarmShape{EvaluationPeriods: 1}})
	c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 50}, Policies: []Policy{p}})
	if err != nil {
		t.Fatal(err)
	}
	// CPU 25 until minute 7, 80 in minute 7, 20 from minute 8.
	tl := (&timeline{}).set(t0.Add(-time.Minute), 25).set(t0.Add(minutes(7)), 80).set(t0.Add(minutes(8)), 20)
	s := State{Metrics: fakeReader{"CPUUtilization": tl.fn}}
	desired := 20
	// Minute 0: ceil(20 × 25 / 50) = 10. Minutes 1..4: blocked by the 300 s
	// cooldown although CPU stays low. Minute 5: over → 5, a new cooldown.
	// Minutes 6, 7: blocked. Minute 8 sees minute 7's 80: scale-out at once
	// despite the scale-in cooldown, ceil(5 × 80 / 50) = 8, which ends it.
	// Minute 9 sees 20: scale-in may act, ceil(8 × 20 / 50) = 4.
	want := []int{10, 10, 10, 10, 10, 5, 5, 5, 8, 4}
	if diff := cmp.Diff(want, run(c, t0, 10, &desired, s)); diff != "" {
		t.Errorf("cooldowns minute by minute (-want +got):\n%s", diff)
	}

	// Deployments: scale-in is suppressed, scale-out goes ahead.
	p2 := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization,
		High: AlarmShape{EvaluationPeriods: 1}, Low: AlarmShape{EvaluationPeriods: 1}})
	c2, _ := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 50}, Policies: []Policy{p2}})
	d := c2.Evaluate(t0, State{Desired: 10, DeploymentInProgress: true, Metrics: fakeReader{"CPUUtilization": constant(10)}})
	if d.Desired != 10 || !strings.Contains(d.Reason.String(), "deployment") {
		t.Errorf("scale-in during a deployment: desired %d (%s), want 10", d.Desired, d.Reason)
	}
	d = c2.Evaluate(t0.Add(time.Minute), State{Desired: 10, DeploymentInProgress: true, Metrics: fakeReader{"CPUUtilization": constant(100)}})
	if d.Desired != 20 {
		t.Errorf("scale-out during a deployment: desired %d (%s), want 20", d.Desired, d.Reason)
	}
}

// TestTargetTrackingScaleOutCooldown: inside the scale-out cooldown the
// capacity added is counted in, so the same metric does not add again, and
// only a larger need acts.
func TestTargetTrackingScaleOutCooldown(t *testing.T) {
	p := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization,
		High: AlarmShape{EvaluationPeriods: 1}, DisableScaleIn: true})
	c, _ := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{p}})
	level := &settable{v: 100}
	s := State{Metrics: fakeReader{"CPUUtilization": level.fn}}
	desired := 10
	// 10 × 100/50 = 20; the metric still reads 100 (tasks starting): no more.
	// Minute 2: 150 → ceil(10×150/50) = 30 from the pre-cooldown base.
	got := run(c, t0, 2, &desired, s)
	level.v = 150
	got = append(got, run(c, t0.Add(minutes(2)), 1, &desired, s)...)
	if diff := cmp.Diff([]int{20, 20, 30}, got); diff != "" {
		t.Errorf("scale-out cooldown (-want +got):\n%s", diff)
	}
	// After 300 s the base is the current capacity again: 30 × 60/50 = 36.
	level.v = 60
	if got := run(c, t0.Add(minutes(5)), 1, &desired, s); got[0] != 36 {
		t.Errorf("after the cooldown: desired %d, want 36", got[0])
	}
}

func TestTargetTrackingConfigErrors(t *testing.T) {
	_, err := NewTargetTracking(TargetTrackingConfig{TargetValue: -1, PredefinedMetric: ALBRequestCountPerTarget, ResourceLabel: "targetgroup/x/1", LowFraction: 1.5})
	for _, want := range []string{"Name", "TargetValue", "LowFraction", "ResourceLabel"} {
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
	_, err = NewTargetTracking(TargetTrackingConfig{Name: "x", TargetValue: 1})
	if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "CustomizedMetric") {
		t.Errorf("no metric: error %v", err)
	}
	m, stat, err := PredefinedMetricSpec(ALBRequestCountPerTarget, "", "app/my-lb/50dc6c495c0c9188/targetgroup/my-tg/6d0ecf831eec9f09")
	want := metrics.TargetGroupMetric("RequestCountPerTarget", "targetgroup/my-tg/6d0ecf831eec9f09", "app/my-lb/50dc6c495c0c9188")
	if err != nil || stat != metrics.Sum || !cmp.Equal(m, want) {
		t.Errorf("ALBRequestCountPerTarget = %v, %v, %v; want %v, Sum", m, stat, err, want)
	}
}

// TestCustomizedMetric tracks a queue-depth-per-task metric with a
// customized specification.
func TestCustomizedMetric(t *testing.T) {
	q := metrics.Metric{Namespace: "App", Name: "BacklogPerTask"}
	p := newTT(t, TargetTrackingConfig{Name: "backlog", TargetValue: 100, CustomizedMetric: &CustomizedMetric{Metric: q, Statistic: metrics.Average},
		High: AlarmShape{EvaluationPeriods: 1}})
	got := p.Propose(Input{Now: t0, Desired: 4, Max: 100, Metrics: fakeReader{"BacklogPerTask": constant(250)}})
	if got.Desired != 10 || got.Vote != Consensus {
		t.Errorf("backlog 250 per task at target 100 with 4 tasks: %+v, want 10", got)
	}
}
