package autoscale

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// drawSeries draws a per-minute metric series of n values in [0, 150].
func drawSeries(t *rapid.T, label string, n int) []float64 {
	return rapid.SliceOfN(rapid.Float64Range(0, 150), n, n).Draw(t, label)
}

// seriesFn reads a per-minute series: minute i covers [t0+i, t0+i+1).
func seriesFn(values []float64) func(time.Time) (float64, bool) {
	return func(start time.Time) (float64, bool) {
		i := int(start.Sub(t0) / time.Minute)
		if start.Before(t0) || i >= len(values) {
			return 0, false
		}
		return values[i], true
	}
}

// drawPolicies draws a target tracking policy and a step policy with
// random settings.
func drawPolicies(t *rapid.T) []Policy {
	tt, err := NewTargetTracking(TargetTrackingConfig{
		Name: "cpu", ResourceID: webID, PredefinedMetric: ECSServiceAverageCPUUtilization,
		TargetValue:      rapid.Float64Range(10, 90).Draw(t, "target"),
		ScaleOutCooldown: minutes(rapid.IntRange(-1, 6).Draw(t, "outCooldown")),
		ScaleInCooldown:  minutes(rapid.IntRange(-1, 6).Draw(t, "inCooldown")),
		DisableScaleIn:   rapid.Bool().Draw(t, "disableScaleIn"),
		High:             AlarmShape{EvaluationPeriods: rapid.IntRange(1, 3).Draw(t, "highN")},
		Low:              AlarmShape{EvaluationPeriods: rapid.IntRange(1, 5).Draw(t, "lowN")},
	})
	if err != nil {
		t.Fatal(err)
	}
	typ := rapid.SampledFrom([]AdjustmentType{ChangeInCapacity, PercentChangeInCapacity, ExactCapacity}).Draw(t, "adjType")
	adj := func(label string) int {
		if typ == ExactCapacity {
			return rapid.IntRange(0, 40).Draw(t, label)
		}
		return rapid.IntRange(-60, 60).Draw(t, label)
	}
	step, err := NewStepScaling(StepScalingConfig{
		Name:           "memory-steps",
		Alarm:          metrics.AlarmConfig{Metric: memory, Statistic: metrics.Average, EvaluationPeriods: 1, Threshold: 60, Comparison: metrics.GreaterThanThreshold},
		AdjustmentType: typ,
		StepAdjustments: []StepAdjustment{
			{LowerBound: 0, UpperBound: 20, ScalingAdjustment: adj("adj0")},
			{LowerBound: 20, UpperBound: posInf, ScalingAdjustment: adj("adj1")},
		},
		Cooldown: minutes(rapid.IntRange(-1, 6).Draw(t, "stepCooldown")),
	})
	if err != nil {
		t.Fatal(err)
	}
	return []Policy{tt, step}
}

// TestPropertyDesiredWithinBounds: whatever the metrics, policies,
// suspensions, deployments and scheduled bound changes, every decision's
// desired count lies in the bounds it reports.
func TestPropertyDesiredWithinBounds(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		const n = 90
		lo := rapid.IntRange(0, 10).Draw(t, "min")
		hi := rapid.IntRange(lo, 40).Draw(t, "max")
		var actions []ScheduledAction
		for i := range rapid.IntRange(0, 3).Draw(t, "actions") {
			a := ScheduledAction{Name: fmt.Sprintf("a%d", i), Schedule: fmt.Sprintf("cron(%d/%d * * * ? *)", i, rapid.IntRange(5, 30).Draw(t, "every"))}
			if rapid.Bool().Draw(t, "setMin") {
				a.MinCapacity = Capacity(rapid.IntRange(0, 20).Draw(t, "newMin"))
			}
			if a.MinCapacity == nil || rapid.Bool().Draw(t, "setMax") {
				a.MaxCapacity = Capacity(rapid.IntRange(0, 40).Draw(t, "newMax"))
			}
			if a.MinCapacity != nil && a.MaxCapacity != nil && *a.MinCapacity > *a.MaxCapacity {
				a.MinCapacity, a.MaxCapacity = a.MaxCapacity, a.MinCapacity
			}
			actions = append(actions, a)
		}
		c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: lo, MaxCapacity: hi}, Policies: drawPolicies(t), ScheduledActions: actions})
		if err != nil {
			t.Fatal(err)
		}
		r := fakeReader{"CPUUtilization": seriesFn(drawSeries(t, "cpu", n)), "MemoryUtilization": seriesFn(drawSeries(t, "memory", n))}
		desired := rapid.IntRange(0, 50).Draw(t, "initial") // registration brings it inside
		for i := range n {
			if i%30 == 0 {
				c.SetSuspended(SuspendedState{
					DynamicScalingInSuspended:  rapid.Bool().Draw(t, "inSusp"),
					DynamicScalingOutSuspended: rapid.Bool().Draw(t, "outSusp"),
					ScheduledScalingSuspended:  rapid.Bool().Draw(t, "schedSusp"),
				})
			}
			d := c.Evaluate(t0.Add(minutes(i)), State{Desired: desired, Metrics: r, DeploymentInProgress: i%17 < 3})
			if d.Desired < d.Min || d.Desired > d.Max {
				t.Fatalf("minute %d: desired %d outside [%d, %d]: %s", i, d.Desired, d.Min, d.Max, d.Reason)
			}
			desired = d.Desired
		}
	})
}

// TestPropertyNoScaleInDuringScaleInCooldown: after a policy scales in, it
// does not scale in again before its cooldown has passed unless a scale-out
// came in between.
func TestPropertyNoScaleInDuringScaleInCooldown(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		const n = 120
		ps := drawPolicies(t)
		c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 60}, Policies: ps})
		if err != nil {
			t.Fatal(err)
		}
		cooldownOf := map[string]time.Duration{
			"cpu":          orDefault(ps[0].(*TargetTracking).Config().ScaleInCooldown),
			"memory-steps": ps[1].(*StepScaling).cooldownLength(),
		}
		r := fakeReader{"CPUUtilization": seriesFn(drawSeries(t, "cpu", n)), "MemoryUtilization": seriesFn(drawSeries(t, "memory", n))}
		desired := 10
		lastIn := map[string]time.Time{}
		var lastOut time.Time
		for i := range n {
			now := t0.Add(minutes(i))
			d := c.Evaluate(now, State{Desired: desired, Metrics: r})
			for _, a := range d.Activities {
				switch {
				case a.ScaleOut():
					lastOut = a.Time
				case a.ScaleIn():
					if prev, ok := lastIn[a.Policy]; ok && prev.After(lastOut) && a.Time.Sub(prev) < cooldownOf[a.Policy] {
						t.Fatalf("%s scaled in at %v and again at %v, inside its %v cooldown", a.Policy, prev, a.Time, cooldownOf[a.Policy])
					}
					lastIn[a.Policy] = a.Time
				}
			}
			desired = d.Desired
		}
	})
}

// TestPropertyRisingLoadNeverScalesIn runs target tracking in a closed
// loop: the load L (in metric × tasks, e.g. percent-tasks of CPU) only
// rises, the metric each minute is L / desired, and the service starts at
// the capacity the load needs, ceil(L / target). Target tracking may scale
// out but never in.
func TestPropertyRisingLoadNeverScalesIn(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		const n = 150
		target := float64(rapid.IntRange(20, 90).Draw(t, "target"))
		var ps []Policy
		for i, m := range []PredefinedMetric{ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization}[:rapid.IntRange(1, 2).Draw(t, "policies")] {
			p, err := NewTargetTracking(TargetTrackingConfig{Name: fmt.Sprint("tt", i), ResourceID: webID, PredefinedMetric: m, TargetValue: target,
				ScaleOutCooldown: minutes(rapid.IntRange(-1, 6).Draw(t, "outCooldown")),
				ScaleInCooldown:  minutes(rapid.IntRange(-1, 6).Draw(t, "inCooldown")),
				High:             AlarmShape{EvaluationPeriods: rapid.IntRange(1, 3).Draw(t, "highN")},
				Low:              AlarmShape{EvaluationPeriods: rapid.IntRange(1, 15).Draw(t, "lowN")}})
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, p)
		}
		c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 1000}, Policies: ps})
		if err != nil {
			t.Fatal(err)
		}
		load := make([]float64, n) // whole percent-tasks, so L / target is exact enough
		load[0] = float64(rapid.IntRange(50, 3000).Draw(t, "load0"))
		for i := 1; i < n; i++ {
			load[i] = load[i-1] + float64(rapid.IntRange(0, 400).Draw(t, "rise"))
		}
		desiredAt := make([]int, n)
		desired := max(1, int(math.Ceil(load[0]/target)))
		metric := func(start time.Time) (float64, bool) {
			i := int(start.Sub(t0) / time.Minute)
			if start.Before(t0) || i >= n {
				return 0, false
			}
			return load[i] / float64(desiredAt[i]), true
		}
		r := fakeReader{"CPUUtilization": metric, "MemoryUtilization": metric}
		for i := range n {
			// The evaluation at minute i reads windows up to minute i-1; its
			// decision takes effect at once and serves minute i.
			d := c.Evaluate(t0.Add(minutes(i)), State{Desired: desired, Metrics: r})
			if d.Desired < desired {
				t.Fatalf("minute %d: load rose %v → %v yet desired fell %d → %d: %s", i, load[0], load[i], desired, d.Desired, d.Reason)
			}
			desired = d.Desired
			desiredAt[i] = desired
		}
	})
}

// drawStepTable draws a valid step table whose adjustments never decrease
// from the lowest step to the highest.
func drawStepTable(t *rapid.T, typ AdjustmentType) []StepAdjustment {
	k := rapid.IntRange(1, MaxStepAdjustments).Draw(t, "steps")
	cuts := rapid.SliceOfNDistinct(rapid.IntRange(-100, 100), k+1, k+1, func(v int) int { return v }).Draw(t, "cuts")
	slices.Sort(cuts)
	lo := -100
	if typ == ExactCapacity {
		lo = 0
	}
	adjs := rapid.SliceOfN(rapid.IntRange(lo, 100), k, k).Draw(t, "adjustments")
	slices.Sort(adjs)
	steps := make([]StepAdjustment, k)
	for i := range k {
		steps[i] = StepAdjustment{LowerBound: float64(cuts[i]), UpperBound: float64(cuts[i+1]), ScalingAdjustment: adjs[i]}
	}
	if rapid.Bool().Draw(t, "nullLower") {
		steps[0].LowerBound = negInf
	}
	if k > 1 || steps[0].LowerBound != negInf {
		if rapid.Bool().Draw(t, "nullUpper") {
			steps[k-1].UpperBound = posInf
		}
	}
	return steps
}

// TestPropertyStepAdjustmentMonotone: with step adjustments that never
// decrease from step to step, a higher metric never gives a lower capacity,
// for every adjustment type, rounding and minimum magnitude.
func TestPropertyStepAdjustmentMonotone(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		typ := rapid.SampledFrom([]AdjustmentType{ChangeInCapacity, PercentChangeInCapacity, ExactCapacity}).Draw(t, "type")
		cfg := StepScalingConfig{
			Name:            "p",
			Alarm:           metrics.AlarmConfig{Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 1, Threshold: rapid.Float64Range(-50, 50).Draw(t, "threshold")},
			AdjustmentType:  typ,
			StepAdjustments: drawStepTable(t, typ),
		}
		cfg.Alarm.Comparison = rapid.SampledFrom([]metrics.ComparisonOperator{metrics.GreaterThanThreshold, metrics.LessThanOrEqualToThreshold}).Draw(t, "comparison")
		if typ == PercentChangeInCapacity {
			cfg.MinAdjustmentMagnitude = rapid.IntRange(0, 5).Draw(t, "minMagnitude")
		}
		p, err := NewStepScaling(cfg)
		if err != nil {
			t.Fatal(err)
		}
		current := rapid.IntRange(0, 200).Draw(t, "current")
		// Values on and around the bounds, where inclusivity matters.
		var values []float64
		for _, s := range cfg.StepAdjustments {
			for _, b := range []float64{s.LowerBound, s.UpperBound} {
				if !math.IsInf(b, 0) {
					values = append(values, cfg.Alarm.Threshold+b-0.5, cfg.Alarm.Threshold+b, cfg.Alarm.Threshold+b+0.5)
				}
			}
		}
		values = append(values, rapid.SliceOfN(rapid.Float64Range(-200, 200), 1, 10).Draw(t, "values")...)
		slices.Sort(values)
		prev, prevV, seen := 0, 0.0, false
		for _, v := range values {
			got, ok := p.DesiredFor(current, v)
			if !ok {
				continue
			}
			if seen && got < prev {
				t.Fatalf("metric %g gives %d but the lower %g gave %d", v, got, prevV, prev)
			}
			prev, prevV, seen = got, v, true
		}
	})
}

// TestPropertyScheduledActionOrder: actions due at the same instant give
// the same bounds, capacity and activities whatever order they were given
// in.
func TestPropertyScheduledActionOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		exprs := []string{"at(2026-01-05T08:00:00)", "cron(0 8 ? * MON *)", "cron(0 8 5 1 ? 2026)", "cron(0/30 8 * * ? *)"}
		k := rapid.IntRange(2, 6).Draw(t, "actions")
		names := rapid.SliceOfNDistinct(rapid.StringMatching(`[a-z]{1,4}`), k, k, func(s string) string { return s }).Draw(t, "names")
		var actions []ScheduledAction
		for i := range k {
			a := ScheduledAction{Name: names[i], Schedule: rapid.SampledFrom(exprs).Draw(t, "expr")}
			if rapid.Bool().Draw(t, "setMin") {
				a.MinCapacity = Capacity(rapid.IntRange(0, 20).Draw(t, "newMin"))
			}
			if a.MinCapacity == nil || rapid.Bool().Draw(t, "setMax") {
				a.MaxCapacity = Capacity(rapid.IntRange(0, 20).Draw(t, "newMax"))
			}
			if a.MinCapacity != nil && a.MaxCapacity != nil && *a.MinCapacity > *a.MaxCapacity {
				a.MinCapacity, a.MaxCapacity = a.MaxCapacity, a.MinCapacity
			}
			actions = append(actions, a)
		}
		shuffled := rapid.Permutation(actions).Draw(t, "order")
		initial := rapid.IntRange(0, 20).Draw(t, "desired")
		outcome := func(as []ScheduledAction) (Decision, []Activity) {
			c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 2, MaxCapacity: 12}, ScheduledActions: as})
			if err != nil {
				t.Fatal(err)
			}
			c.Evaluate(t0, State{Desired: initial})
			d := c.Evaluate(t0.Add(8*time.Hour), State{Desired: initial})
			return d, c.History()
		}
		d1, h1 := outcome(actions)
		d2, h2 := outcome(shuffled)
		if diff := cmp.Diff(d1, d2); diff != "" {
			t.Fatalf("decision depends on insertion order (-given +shuffled):\n%s", diff)
		}
		if diff := cmp.Diff(h1, h2); diff != "" {
			t.Fatalf("history depends on insertion order (-given +shuffled):\n%s", diff)
		}
		if !strings.Contains(d1.Reason.String(), "scheduled action") {
			t.Fatalf("no action ran at 08:00: %s", d1.Reason)
		}
	})
}
