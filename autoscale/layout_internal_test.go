package autoscale

import (
	"testing"
	"unsafe"

	"github.com/ecssim/ecssim/metrics"
)

// sizeClassOf returns the allocator's size class (runtime/sizeclasses.go)
// of an object of size bytes up to 512, and 0 for a larger one.
func sizeClassOf(size uintptr) uintptr {
	for _, k := range []uintptr{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512} {
		if k >= size {
			return k
		}
	}
	return 0
}

// TestControllerMinuteInTwoLines holds Controller's layout: every field a
// minute of a one-policy controller that changes nothing reads
// (EvaluateAlarms, then SkipIdle with its policies due and no scheduled
// actions) lies in the controller's first 64-byte cache line, and every
// field a minute that proposes reads as well (Evaluate) in the first two;
// and it is allocated in a size class of whole lines up to 512 bytes
// (the Go allocator lays a class's objects out one after another from
// the start of a page), so that an allocated controller starts on a line
// and the one and the two are one and two, not two and three.
func TestControllerMinuteInTwoLines(t *testing.T) {
	var c Controller
	const line = 64
	size := unsafe.Sizeof(c)
	if class := sizeClassOf(size); class == 0 || class%line != 0 {
		t.Errorf("Controller is %d bytes, allocated in the %d-byte size class: want a class of whole 64-byte lines up to 512", size, class)
	}
	type field struct {
		name      string
		off, size uintptr
	}
	target := unsafe.Offsetof(c.target)
	for _, lines := range []struct {
		n      uintptr
		fields []field
	}{
		{1, []field{
			{"oneAlarmed", unsafe.Offsetof(c.oneAlarmed), unsafe.Sizeof(c.oneAlarmed)},
			{"policiesDue", unsafe.Offsetof(c.policiesDue), unsafe.Sizeof(c.policiesDue)},
			{"interval", unsafe.Offsetof(c.interval), unsafe.Sizeof(c.interval)},
			{"nPolicies", unsafe.Offsetof(c.nPolicies), unsafe.Sizeof(c.nPolicies)},
			{"started", unsafe.Offsetof(c.started), unsafe.Sizeof(c.started)},
			{"scheduled", unsafe.Offsetof(c.scheduled), unsafe.Sizeof(c.scheduled)},
		}},
		{2, []field{
			{"onePolicy", unsafe.Offsetof(c.onePolicy), unsafe.Sizeof(c.onePolicy)},
			{"target.MinCapacity", target + unsafe.Offsetof(c.target.MinCapacity), unsafe.Sizeof(c.target.MinCapacity)},
			{"target.MaxCapacity", target + unsafe.Offsetof(c.target.MaxCapacity), unsafe.Sizeof(c.target.MaxCapacity)},
			{"target.Suspended", target + unsafe.Offsetof(c.target.Suspended), unsafe.Sizeof(c.target.Suspended)},
		}},
	} {
		for _, f := range lines.fields {
			if f.off+f.size > lines.n*line {
				t.Errorf("%s at bytes [%d, %d): beyond the first %d cache lines", f.name, f.off, f.off+f.size, lines.n)
			}
			// An interface value read across a line boundary costs both lines.
			if f.name == "oneAlarmed" || f.name == "onePolicy" {
				if f.off/line != (f.off+f.size-1)/line {
					t.Errorf("%s at bytes [%d, %d): straddles a cache line", f.name, f.off, f.off+f.size)
				}
			}
		}
	}
}

// TestControllerKeepsItsPolicysAlarms holds Controller.alarms, what
// EvaluateAlarms preloads, to the alarms of its one policy that owns
// some: a target tracking policy's two, a step policy's one, none for
// another package's policy or for two policies that own alarms. Lines,
// what a pass prefetches, names the same alarms and the policy's line.
func TestControllerKeepsItsPolicysAlarms(t *testing.T) {
	tt := newTT(t, TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization})
	step, err := NewStepScaling(StepScalingConfig{
		Name:            "queue-empty",
		Alarm:           metrics.AlarmConfig{Metric: metrics.Metric{Namespace: "App", Name: "QueueDepth"}, Statistic: metrics.Maximum, EvaluationPeriods: 1, Threshold: 1, Comparison: metrics.LessThanThreshold},
		AdjustmentType:  ChangeInCapacity,
		StepAdjustments: []StepAdjustment{{LowerBound: negInf, UpperBound: 0, ScalingAdjustment: -2}},
	})
	if err != nil {
		t.Fatal(err)
	}
	high, low := tt.Alarms()
	for _, c := range []struct {
		name     string
		policies []Policy
		want     [2]*metrics.MetricAlarm
		policy   unsafe.Pointer // the line Lines names of the policy
	}{
		{"target tracking", []Policy{tt}, [2]*metrics.MetricAlarm{high, low}, unsafe.Pointer(tt)},
		{"step", []Policy{step}, [2]*metrics.MetricAlarm{step.Alarm()}, unsafe.Pointer(&step.alarm)},
		{"step and a policy without alarms", []Policy{&votePolicy{name: "vote"}, step}, [2]*metrics.MetricAlarm{step.Alarm()}, unsafe.Pointer(&step.alarm)},
		{"another package's", []Policy{otherAlarmPolicy{tt}}, [2]*metrics.MetricAlarm{}, nil},
		{"two that own alarms", []Policy{tt, step}, [2]*metrics.MetricAlarm{}, nil},
	} {
		ctl, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 10}, Policies: c.policies})
		if err != nil {
			t.Fatal(err)
		}
		if ctl.alarms != c.want {
			t.Errorf("%s: the controller keeps %v, want %v", c.name, ctl.alarms, c.want)
		}
		// Lines names the same memory for a pass to prefetch.
		want := Lines{c: ctl, policy: c.policy, alarms: metrics.LinesOf(c.want[0], c.want[1])}
		if got := ctl.Lines(); got != want {
			t.Errorf("%s: Lines() = %+v, want %+v", c.name, got, want)
		}
	}
	var zero Lines // names nothing: asking for it must not fail
	zero.Prefetch()
	zero.PrefetchData()
}

// otherAlarmPolicy is an AlarmPolicy of another type, whose alarms the
// controller cannot know.
type otherAlarmPolicy struct{ *TargetTracking }

func (p otherAlarmPolicy) Name() string { return "other" }

// TestTargetTrackingMinuteFirst holds TargetTracking's layout: what every
// minute's evaluation reads (the alarms, the low threshold, the target)
// lies in its first 32 bytes, and the policy is at most 96 bytes, its
// configuration, metric and causes out of line (targetTrackingSpec): a
// slot of the 96-byte class starts 0 or 32 bytes into a line, so those
// 32 bytes are on one line, and a pass over thousands of policies
// crosses few pages.
func TestTargetTrackingMinuteFirst(t *testing.T) {
	var p TargetTracking
	for _, f := range []struct {
		name      string
		off, size uintptr
	}{
		{"high", unsafe.Offsetof(p.high), unsafe.Sizeof(p.high)},
		{"low", unsafe.Offsetof(p.low), unsafe.Sizeof(p.low)},
		{"lowThreshold", unsafe.Offsetof(p.lowThreshold), unsafe.Sizeof(p.lowThreshold)},
		{"targetValue", unsafe.Offsetof(p.targetValue), unsafe.Sizeof(p.targetValue)},
	} {
		if f.off+f.size > 32 {
			t.Errorf("TargetTracking.%s ends at byte %d, after the first 32", f.name, f.off+f.size)
		}
	}
	if size := unsafe.Sizeof(p); size > 96 {
		t.Errorf("TargetTracking is %d bytes, want at most 96: what only making, asking and scaling read belongs in targetTrackingSpec", size)
	}
}

// TestSpecBesideNoAlarm holds targetTrackingSpec out of the size class of
// the metrics.MetricAlarm a TargetTracking makes two of with it: in the
// same class, the allocator lays a service's spec between its alarms and
// the next service's, and the scalers' pass, which reads the alarms and
// not the spec, skips its bytes every service.
func TestSpecBesideNoAlarm(t *testing.T) {
	spec, alarm := sizeClassOf(unsafe.Sizeof(targetTrackingSpec{})), sizeClassOf(unsafe.Sizeof(metrics.MetricAlarm{}))
	if spec == alarm {
		t.Errorf("targetTrackingSpec and MetricAlarm share the %d-byte size class", spec)
	}
}
