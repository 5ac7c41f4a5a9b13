package autoscale

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// SkipIdle does what Evaluate does whenever it skips: two twin
// controllers, each on its own store fed the same minutes of CPU (in
// stretches of low, near-target and high load, so that both alarms go in
// and out of ALARM), the one evaluated by Evaluate alone and the other by
// SkipIdle first and Evaluate only when it declines, must reach the same
// desired counts, Next instants, activities and alarm evaluations. The
// caller evaluates on Next or at a random minute in between (which runs
// only what is due), and the service's desired count is moved from
// outside now and then, as a user's UpdateService does.
func TestPropertySkipIdleAsEvaluate(t *testing.T) {
	var skippedAll, declinedAll int // over every case: a SkipIdle that never skipped would pass the comparisons
	rapid.Check(t, func(t *rapid.T) {
		target := rapid.Float64Range(30, 70).Draw(t, "target")
		noScaleIn := rapid.Bool().Draw(t, "disableScaleIn")
		withStep := rapid.Bool().Draw(t, "withStep")
		interval := time.Duration(rapid.IntRange(1, 3).Draw(t, "interval")) * time.Minute
		twin := func() (*Controller, *metrics.Handle, *metrics.Store) {
			tt, err := NewTargetTracking(TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: target,
				PredefinedMetric: ECSServiceAverageCPUUtilization, DisableScaleIn: noScaleIn,
				ScaleOutCooldown: 2 * time.Minute, ScaleInCooldown: 5 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			policies := []Policy{tt}
			if withStep {
				policies = append(policies, cpuHighStep(t))
			}
			ctl, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 2, MaxCapacity: 30},
				Policies: policies, EvaluationInterval: interval})
			if err != nil {
				t.Fatal(err)
			}
			s, h := cpuStore(t)
			return ctl, h, s
		}
		plain, plainCPU, plainStore := twin()
		skipper, skipperCPU, skipperStore := twin()
		desired := 4
		next := t0.Add(time.Minute)
		level := 0.0
		skipped, declined := 0, 0
		for k := range rapid.IntRange(1, 120).Draw(t, "minutes") {
			at := t0.Add(time.Duration(k) * time.Minute)
			if k%10 == 0 { // a new stretch of load
				level = rapid.SampledFrom([]float64{5, target * 0.8, target, target * 1.3, 97}).Draw(t, fmt.Sprint("level", k))
			}
			if !rapid.Bool().Draw(t, fmt.Sprint("gap", k)) || k%10 != 3 { // a minute without a datapoint now and then
				v := min(100, max(0, level+rapid.Float64Range(-4, 4).Draw(t, fmt.Sprint("noise", k))))
				for _, h := range []*metrics.Handle{plainCPU, skipperCPU} {
					if err := h.Put(at, v); err != nil {
						t.Fatal(err)
					}
				}
			}
			now := at.Add(time.Minute)
			plain.EvaluateAlarms(now, plainStore)
			skipper.EvaluateAlarms(now, skipperStore)
			if k%17 == 16 { // the service's desired count moved from outside
				desired = rapid.IntRange(2, 30).Draw(t, fmt.Sprint("desired", k))
			}
			if now.Before(next) && !rapid.Bool().Draw(t, fmt.Sprint("early", k)) {
				continue
			}
			a := plain.Evaluate(now, State{Desired: desired, Running: desired, Metrics: plainStore})
			s := State{Desired: desired, Running: desired, Metrics: skipperStore}
			if n, ok := skipper.SkipIdle(now, s); ok {
				skipped++
				if a.Desired != desired || len(a.Activities) > 0 || !n.Equal(a.Next) {
					t.Fatalf("minute %d: SkipIdle skipped (next %v) an evaluation that decided %d from %d with %d activities, next %v: %v",
						k, n, a.Desired, desired, len(a.Activities), a.Next, a.Reason)
				}
			} else {
				declined++
				b := skipper.Evaluate(now, s)
				if a.Desired != b.Desired || !a.Next.Equal(b.Next) || a.Reason.String() != b.Reason.String() {
					t.Fatalf("minute %d: Evaluate decides %d (next %v, %q), after SkipIdle declined %d (next %v, %q)",
						k, a.Desired, a.Next, a.Reason, b.Desired, b.Next, b.Reason)
				}
			}
			if diff := cmp.Diff(plain.History(), skipper.History()); diff != "" {
				t.Fatalf("minute %d: histories differ (-Evaluate +SkipIdle):\n%s", k, diff)
			}
			sameAlarms(t, k, plain, skipper)
			desired, next = a.Desired, a.Next
		}
		skippedAll, declinedAll = skippedAll+skipped, declinedAll+declined
	})
	if skippedAll == 0 || declinedAll == 0 {
		t.Errorf("SkipIdle skipped %d evaluations and declined %d: want some of each", skippedAll, declinedAll)
	}
}

// SkipIdle declines, and changes nothing, for what it cannot tell: a
// controller's first evaluation, a controller with scheduled actions, and
// one with a policy of the caller's own.
func TestSkipIdleDeclines(t *testing.T) {
	tt := func() *TargetTracking {
		p, err := NewTargetTracking(TargetTrackingConfig{Name: "cpu", ResourceID: webID, TargetValue: 50, PredefinedMetric: ECSServiceAverageCPUUtilization})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		cfg   ControllerConfig
		first bool // SkipIdle before any evaluation
	}{
		{"first evaluation", ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 10}, Policies: []Policy{tt()}}, true},
		{"scheduled action", ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 10}, Policies: []Policy{tt()},
			ScheduledActions: []ScheduledAction{{Name: "noon", Schedule: "at(2026-01-05T12:00:00)", MinCapacity: new(3)}}}, false},
		{"policy of its own", ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 10}, Policies: []Policy{tt(), &votePolicy{name: "own"}}}, false},
	} {
		name := tc.name
		c, err := NewController(tc.cfg)
		if err != nil {
			t.Fatal(name, err)
		}
		now := t0.Add(time.Minute)
		if !tc.first {
			c.Evaluate(now, State{Desired: 5})
			now = now.Add(time.Minute)
		}
		due := c.policiesDue
		if _, ok := c.SkipIdle(now, State{Desired: 5}); ok {
			t.Errorf("%s: SkipIdle skipped", name)
		}
		if c.policiesDue != due {
			t.Errorf("%s: SkipIdle declined but moved the policies' due time from %v to %v", name, due, c.policiesDue)
		}
	}
}
