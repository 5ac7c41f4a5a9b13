package autoscale

import (
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// quieter is implemented by this package's policies that can tell, with
// less work than a proposal, that their proposal at now would hold the
// capacity where it is: no scale-out, no scale-in, no raised maximum and
// no change to the policy's own state beyond its alarms' evaluation at
// now, which Propose makes first too. quiet evaluates those alarms (once
// per instant, as Propose does) and may answer false when it cannot
// tell; the caller then proposes. desired is Input.Desired.
type quieter interface {
	quiet(now time.Time, r metrics.Reader, desired int) bool
}

// quiet reports the cases where Propose holds without reading the
// cooldowns: AlarmHigh not in ALARM and either AlarmLow not in ALARM
// either (no datapoint, within range, or above or below the target with
// the alarm not yet in ALARM) or, with AlarmLow in ALARM, no datapoint or
// a tracked capacity of at least desired (removing a task would exceed
// the target).
func (p *TargetTracking) quiet(now time.Time, r metrics.Reader, desired int) bool {
	p.EvaluateAlarms(now, r)
	if p.high.State() == metrics.Alarm {
		return false
	}
	if p.low == nil || p.low.State() != metrics.Alarm {
		return true
	}
	value, ok := p.latest()
	return !ok || TrackingCapacity(desired, value, p.targetValue) >= desired
}

// quiet reports that the alarm is not in ALARM, when Propose abstains.
func (p *StepScaling) quiet(now time.Time, r metrics.Reader, _ int) bool {
	return evaluateOnce(p.alarm, now, r) != metrics.Alarm
}

// SkipIdle is Evaluate for the evaluations that change nothing, at a
// fraction of the cost: nearly all of them (98.8 % in a day of a thousand
// services scaled on CPU, BENCHMARKS.md, issue 13, round 14). If it can
// tell that an evaluation at now with s would change nothing (no
// scheduled action to run, no policy proposing anything but the desired
// count, no activity, so nothing for a Decision to say but when to
// evaluate next), it does to the controller what that evaluation would
// have done (its policies' alarms evaluated at now, its policies due an
// EvaluationInterval later, if they were due) and returns the Decision's
// Next and true. Otherwise it returns false, having at most
// evaluated some of its policies' alarms at now, which Evaluate would do
// first anyway, and the caller calls Evaluate.
//
// It can tell for a controller with no scheduled actions whose policies
// are all this package's target tracking and step scaling policies,
// after its first evaluation: when the policies are not due, and when
// each would hold (a target tracking policy with neither alarm in ALARM,
// or only AlarmLow with removing a task exceeding the target; a step
// scaling policy whose alarm is not in ALARM).
func (c *Controller) SkipIdle(now time.Time, s State) (next time.Time, ok bool) {
	if !c.started || c.scheduled || c.nPolicies == 0 {
		return time.Time{}, false
	}
	if now.Before(c.policiesDue) {
		return c.policiesDue, true
	}
	r := s.Metrics
	if r == nil {
		r = noMetrics{}
	}
	if c.nPolicies == 1 && c.oneAlarmed != nil { // the one policy, read from the first line
		if q, ok := c.oneAlarmed.(quieter); !ok || !q.quiet(now, r, s.Desired) {
			return time.Time{}, false
		}
	} else {
		for _, p := range c.evaluated() {
			if q, ok := p.(quieter); !ok || !q.quiet(now, r, s.Desired) {
				return time.Time{}, false
			}
		}
	}
	c.policiesDue = now.Add(c.interval)
	return c.policiesDue, true
}
