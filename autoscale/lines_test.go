package autoscale

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// Lines.EvaluateAlarms leaves out the controller's loads and nothing
// else: two twin controllers, each on its own store fed the same minutes
// of CPU, one evaluated through Controller.EvaluateAlarms and the other
// through its Lines (taken again after each minute, and asked for ahead
// or not at random, as the world's pass does), must reach the same
// alarm states, the same alarm evaluations and the same decisions.
func TestPropertyLinesEvaluateAlarmsAsTheController(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		target := rapid.Float64Range(20, 80).Draw(t, "target")
		withStep := rapid.Bool().Draw(t, "withStep")
		every := rapid.IntRange(1, 5).Draw(t, "every") // minutes between the controller's evaluations
		twin := func() (*Controller, *metrics.Handle, *metrics.Store) {
			tt, err := NewTargetTracking(TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: target, PredefinedMetric: ECSServiceAverageCPUUtilization})
			if err != nil {
				t.Fatal(err)
			}
			policies := []Policy{tt}
			if withStep { // a step policy too: the controller evaluates both policies' alarms
				policies = append(policies, cpuHighStep(t))
			}
			ctl, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 40}, Policies: policies})
			if err != nil {
				t.Fatal(err)
			}
			s, h := cpuStore(t)
			return ctl, h, s
		}
		plain, plainCPU, plainStore := twin()
		lined, linedCPU, linedStore := twin()
		var lines Lines // zero until the first minute, as in the pass
		desired := [2]int{5, 5}
		for k := range rapid.IntRange(1, 60).Draw(t, "minutes") {
			at := t0.Add(time.Duration(k) * time.Minute)
			if !rapid.Bool().Draw(t, fmt.Sprint("gap", k)) { // a minute without a datapoint now and then
				v := rapid.Float64Range(0, 100).Draw(t, fmt.Sprint("cpu", k))
				if err := plainCPU.Put(at, v); err != nil {
					t.Fatal(err)
				}
				if err := linedCPU.Put(at, v); err != nil {
					t.Fatal(err)
				}
			}
			now := at.Add(time.Minute)
			plain.EvaluateAlarms(now, plainStore)
			if rapid.Bool().Draw(t, fmt.Sprint("ahead", k)) {
				lines.Prefetch()
				lines.PrefetchData()
			}
			if !lines.EvaluateAlarms(now, linedStore) {
				if lines != (Lines{}) {
					t.Fatalf("minute %d: Lines %+v evaluated nothing", k, lines)
				}
				lined.EvaluateAlarms(now, linedStore)
			}
			// The alarms first, as they stand before an evaluation of the
			// controller (which evaluates them too, when they are not yet).
			sameAlarms(t, k, plain, lined)
			if k%every == 0 {
				a := plain.Evaluate(now, State{Desired: desired[0], Running: desired[0], Metrics: plainStore})
				b := lined.Evaluate(now, State{Desired: desired[1], Running: desired[1], Metrics: linedStore})
				if a.Desired != b.Desired || a.Changed != b.Changed || a.Reason.String() != b.Reason.String() {
					t.Fatalf("minute %d: the controller decides %d (%v, %q), the one evaluated through Lines %d (%v, %q)",
						k, a.Desired, a.Changed, a.Reason, b.Desired, b.Changed, b.Reason)
				}
				sameAlarms(t, k, plain, lined)
				desired = [2]int{a.Desired, b.Desired}
			}
			lines = lined.Lines()
		}
	})
}

// sameAlarms fails t unless the two controllers' alarms are in the same
// state after the same evaluation.
func sameAlarms(t *rapid.T, k int, plain, lined *Controller) {
	for i, pa := range plain.alarms {
		pb := lined.alarms[i]
		if pa == nil {
			continue
		}
		if pa.State() != pb.State() {
			t.Fatalf("minute %d: alarm %d is %v, through Lines %v", k, i, pa.State(), pb.State())
		}
		if diff := cmp.Diff(pa.LastEvaluation(), pb.LastEvaluation()); diff != "" {
			t.Fatalf("minute %d: alarm %d's evaluation differs through Lines (-controller +Lines):\n%s", k, i, diff)
		}
	}
}

// The zero Lines names no controller: it evaluates nothing, and says so.
func TestZeroLinesEvaluatesNothing(t *testing.T) {
	var zero Lines
	if zero.EvaluateAlarms(t0, nil) {
		t.Fatal("the zero Lines evaluated alarms")
	}
}

// A controller's Lines are complete once its alarms have found their
// series and the series has a group (a world's workloads publish through
// one), and not before: the world's pass takes complete Lines again
// rarely.
func TestLinesCompleteOnceTheSeriesIsPublished(t *testing.T) {
	tt, err := NewTargetTracking(TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization})
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 40}, Policies: []Policy{tt}})
	if err != nil {
		t.Fatal(err)
	}
	var zero Lines
	if zero.Complete() {
		t.Error("the zero Lines is complete")
	}
	if l := ctl.Lines(); l.Complete() {
		t.Error("a new controller's Lines are complete before any evaluation")
	}
	s, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctl.EvaluateAlarms(t0, s)
	if l := ctl.Lines(); l.Complete() {
		t.Error("the Lines are complete before the series was published to")
	}
	g, err := s.Group(metrics.GroupMetric{Metric: cpu}) // as a world's workload publishes
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Put(0, t0, 40); err != nil {
		t.Fatal(err)
	}
	ctl.EvaluateAlarms(t0.Add(time.Minute), s)
	if l := ctl.Lines(); !l.Complete() {
		t.Errorf("the Lines %+v are not complete after an evaluation of a published series", l)
	}
}

// fataler is what the twin controllers' builders need of a *testing.T
// or a *rapid.T.
type fataler interface{ Fatal(args ...any) }

// cpuHighStep returns the twins' step policy: 2 more tasks while CPU
// averages above 90 for 2 minutes.
func cpuHighStep(t fataler) *StepScaling {
	step, err := NewStepScaling(StepScalingConfig{
		Name:            "cpu-high",
		Alarm:           metrics.AlarmConfig{Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 2, Threshold: 90, Comparison: metrics.GreaterThanThreshold},
		AdjustmentType:  ChangeInCapacity,
		StepAdjustments: []StepAdjustment{{LowerBound: 0, UpperBound: posInf, ScalingAdjustment: 2}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return step
}

// cpuStore returns a twin's store and its handle on cpu.
func cpuStore(t fataler) (*metrics.Store, *metrics.Handle) {
	s, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.Handle(cpu)
	if err != nil {
		t.Fatal(err)
	}
	return s, h
}
