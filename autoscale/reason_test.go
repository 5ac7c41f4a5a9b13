package autoscale

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/metrics"
)

// TestReasonIsAValue: a Decision's Reason reads the same when formatted
// long after it was made, through later evaluations that reuse the
// Controller's buffers and change the policies' state (two policies, so
// the no-change reason lists both proposals).
func TestReasonIsAValue(t *testing.T) {
	cpuLevel, memLevel := (&timeline{}).set(t0.Add(-time.Minute), 55), (&timeline{}).set(t0.Add(-time.Minute), 30)
	cpuTT := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization})
	memTT := newTT(t, TargetTrackingConfig{Name: "memory", ResourceID: webID, TargetValue: 60, PredefinedMetric: ECSServiceAverageMemoryUtilization})
	c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{cpuTT, memTT}})
	if err != nil {
		t.Fatal(err)
	}
	r := fakeReader{"CPUUtilization": cpuLevel.fn, "MemoryUtilization": memLevel.fn}
	first := c.Evaluate(t0, State{Desired: 10, Metrics: r})
	text := first.Reason.String()
	want := "no change: desired 10; cpu: CPUUtilization 55.0 > 50 but AlarmHigh is INSUFFICIENT_DATA; memory: MemoryUtilization 30.0 < 54 but AlarmLow is INSUFFICIENT_DATA"
	if text != want {
		t.Fatalf("reason\n got %q\nwant %q", text, want)
	}
	desired := 10
	for i := 1; i <= 20; i++ {
		cpuLevel.set(t0.Add(minutes(i-1)), 90)
		memLevel.set(t0.Add(minutes(i-1)), float64(10+i))
		desired = c.Evaluate(t0.Add(minutes(i)), State{Desired: desired, Metrics: r}).Desired
	}
	if got := first.Reason.String(); got != text {
		t.Fatalf("the first reason changed after later evaluations:\n got %q\nwant %q", got, text)
	}
}

// TestProposeFormatsNoText: an evaluation that changes nothing allocates
// nothing, policy and Controller alike, so no text is formatted until the
// reason is read (the texts were built with fmt.Sprintf on every
// evaluation at commit 6aac1ab).
func TestProposeFormatsNoText(t *testing.T) {
	s, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h, _ := s.Handle(cpu)
	p := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization})
	c, _ := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{p}})
	k := 0
	var last Decision
	step := func() {
		at := t0.Add(minutes(k))
		if err := h.Put(at, 50); err != nil { // within range of the target: no change
			t.Fatal(err)
		}
		if last = c.Evaluate(at.Add(time.Minute), State{Desired: 10, Metrics: s}); last.Changed {
			t.Fatalf("minute %d: changed: %v", k, last.Reason)
		}
		k++
	}
	for range 30 {
		step()
	}
	if allocs := testing.AllocsPerRun(100, step); allocs != 0 {
		t.Errorf("a no-change evaluation made %v allocations, want 0", allocs)
	}
	if got, want := last.Reason.String(), "no change: desired 10; cpu: CPUUtilization 50.0 within range of target 50"; got != want {
		t.Errorf("reason %q, want %q", got, want)
	}
}

// countingReader counts the queries a Reader answers.
type countingReader struct {
	fakeReader
	queries int
}

func (c *countingReader) Statistic(m metrics.Metric, s metrics.Statistic, p time.Duration, end time.Time) (float64, bool) {
	c.queries++
	return c.fakeReader.Statistic(m, s, p, end)
}

// TestControllerHonoursEvaluationInterval: with EvaluationInterval 5
// minutes, a Controller evaluated every minute runs its policies every 5
// minutes and says so in Decision.Next; a scheduled action between two
// policy evaluations still runs at its own instant (Next names it), and
// EvaluateAlarms keeps the alarms on their one-minute grid, so the first
// evaluation after 3 minutes above target scales out at once.
func TestControllerHonoursEvaluationInterval(t *testing.T) {
	p := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization})
	c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{p},
		EvaluationInterval: 5 * time.Minute,
		ScheduledActions:   []ScheduledAction{{Name: "noon-ish", Schedule: "at(2026-01-05T00:07:30)", MinCapacity: Capacity(2)}}})
	if err != nil {
		t.Fatal(err)
	}
	r := &countingReader{fakeReader: fakeReader{"CPUUtilization": (&timeline{}).set(t0, 100).fn}}
	type step struct {
		at      time.Duration
		next    time.Duration
		desired int
	}
	var got []step
	desired := 10
	run := func(at time.Duration) {
		c.EvaluateAlarms(t0.Add(at), r)
		d := c.Evaluate(t0.Add(at), State{Desired: desired, Metrics: r})
		desired = d.Desired
		got = append(got, step{at, d.Next.Sub(t0), desired})
	}
	for m := 1; m <= 6; m++ {
		run(minutes(m))
	}
	run(7*time.Minute + 30*time.Second)
	want := []step{
		{minutes(1), minutes(6), 10}, // policies run: AlarmHigh has 1 of 3 datapoints
		{minutes(2), minutes(6), 10}, // policies not due
		{minutes(3), minutes(6), 10},
		{minutes(4), minutes(6), 10}, // AlarmHigh in ALARM since minute 3, but the policies wait
		{minutes(5), minutes(6), 10},
		{minutes(6), 7*time.Minute + 30*time.Second, 20}, // due: ceil(10 × 100 / 50); the action comes first
		{7*time.Minute + 30*time.Second, minutes(11), 20},
	}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(step{})); d != "" {
		t.Fatalf("evaluations (-want +got):\n%s", d)
	}
	if n := len(p.high.LastEvaluation().Datapoints); n != 5 {
		t.Fatalf("AlarmHigh read %d datapoints", n)
	}
	// Propose at an instant EvaluateAlarms already covered reads nothing.
	before := r.queries
	c.EvaluateAlarms(t0.Add(minutes(11)), r)
	afterAlarms := r.queries
	c.Evaluate(t0.Add(minutes(11)), State{Desired: desired, Metrics: r})
	if afterAlarms == before || r.queries != afterAlarms {
		t.Errorf("queries: %d before, %d after EvaluateAlarms, %d after Evaluate at the same instant", before, afterAlarms, r.queries)
	}
}
