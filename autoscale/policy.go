package autoscale

import (
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// Policy is a dynamic scaling policy: each evaluation it reads metrics and
// proposes a capacity. The built-in TargetTracking and StepScaling policies
// implement it, and so can a user's own policy in a few lines (see
// Example_customPolicy). A Controller combines the proposals of all its
// policies by AWS's rules and keeps the result inside [min, max].
type Policy interface {
	// Name identifies the policy in reasons and activities; names are unique
	// within a Controller.
	Name() string
	// Propose returns what the policy wants now. It may update the policy's
	// own state (alarms), so it is called once per evaluation.
	Propose(in Input) Proposal
}

// AlarmPolicy is a Policy that owns CloudWatch alarms, as the built-in
// policies do. CloudWatch evaluates an alarm every minute (every 10 s for
// high-resolution periods) whatever its policy does with the result, so a
// caller that evaluates the Controller less often
// (ControllerConfig.EvaluationInterval) calls Controller.EvaluateAlarms on
// the alarms' own grid in between. Propose evaluates the alarms itself at
// an instant where they were not evaluated yet.
type AlarmPolicy interface {
	Policy
	// EvaluateAlarms evaluates the policy's alarms at now, once per
	// evaluation instant of their grid.
	EvaluateAlarms(now time.Time, r metrics.Reader)
}

// Observer is implemented by policies that keep cooldowns: after every
// evaluation the Controller reports each scaling activity it carried out,
// including those other policies and scheduled actions caused.
type Observer interface {
	// Observe records an activity that changed the desired capacity.
	Observe(a Activity)
}

// Input is what a policy sees at one evaluation.
type Input struct {
	// Now is the evaluation instant.
	Now time.Time
	// Desired is the scalable target's current capacity (the service's
	// desired count); the capacity formulas start from it.
	Desired int
	// Running is the number of running tasks, for policies that care;
	// built-in policies ignore it, as Application Auto Scaling does.
	Running int
	// Min and Max are the target's current bounds; the Controller clamps
	// proposals to them anyway.
	Min, Max int
	// Metrics answers metric queries. It is never nil.
	Metrics metrics.Reader
}

// Vote says how a proposal takes part in the combination of policies.
type Vote uint8

// The votes. The zero value is Abstain.
const (
	// Abstain means the policy has no opinion: Desired is ignored and the
	// policy does not hold back other policies' scale-in.
	Abstain Vote = iota
	// Independent means the policy wants Desired on its own account, as a
	// step scaling policy does: its scale-out competes with the others (the
	// largest wins) and its scale-in is not blocked by target tracking.
	Independent
	// Consensus means the policy wants Desired and also votes on scale-in, as
	// a target tracking policy with scale-in enabled does: a Consensus
	// scale-in happens only when every Consensus proposal of the evaluation
	// is a scale-in, so a Consensus proposal with Desired equal to the
	// current capacity holds all target tracking scale-in back.
	Consensus
	// Floor means the policy holds Desired as a lower bound, as predictive
	// scaling holds its forecast capacity: above the current capacity it
	// scales out like any proposal (the largest wins); at or below it, it
	// proposes no change itself, and a scale-in by the other policies
	// stops at it (at the largest Floor): the larger capacity wins.
	Floor
)

// String returns the vote's name.
func (v Vote) String() string {
	switch v {
	case Abstain:
		return "abstain"
	case Independent:
		return "independent"
	case Consensus:
		return "consensus"
	case Floor:
		return "floor"
	}
	return "vote(?)"
}

// Proposal is a policy's answer for one evaluation.
type Proposal struct {
	// Desired is the capacity the policy wants (tasks); it is ignored when
	// Vote is Abstain. Values outside [min, max] are clamped.
	Desired int
	// Vote says how the proposal combines with the others; the zero value
	// abstains.
	Vote Vote
	// Reason explains the proposal for the decision log, e.g. "queue depth
	// 420 → 5 tasks". A custom policy sets it; the built-in policies leave
	// it empty and set Explanation, which formats the same kind of text
	// only when a decision log is written.
	Reason string
	// Explanation is the reason of a built-in policy's proposal, kept as
	// data: formatting it (String) is left to whoever reads it.
	Explanation Explanation
	// RaiseMaxTo, when above the target's MaxCapacity, asks the
	// Controller to raise MaxCapacity to it (at most the tasks-per-service
	// quota) before the proposal is applied; the Controller never lowers
	// it again. A predictive policy with IncreaseMaxCapacity sets it.
	RaiseMaxTo int
	// Cause names what triggered the proposal in the style of an activity's
	// Cause ("monitor alarm X in state ALARM triggered policy Y"); empty means
	// "policy <name>".
	Cause string
}

// Explain returns the proposal's reason: Reason if set, else the formatted
// Explanation.
func (p Proposal) Explain() string {
	if p.Reason != "" {
		return p.Reason
	}
	return p.Explanation.String()
}

// Activity is one scaling activity, in the style of Application Auto
// Scaling's DescribeScalingActivities.
type Activity struct {
	// Time is when the activity started.
	Time time.Time
	// Policy names the policy that caused it; empty for a scheduled action
	// or the registration clamp.
	Policy string
	// ScheduledAction names the scheduled action that caused it, if any.
	ScheduledAction string
	// From and To are the desired capacity before and after (tasks).
	From, To int
	// Cause says what triggered the activity.
	Cause string
	// Description says what the activity did ("Setting desired count to 8.").
	Description string
	// StatusMessage is the outcome in AWS's wording ("Successfully set
	// desired count to 8. Change successfully fulfilled by ecs.").
	StatusMessage string
}

// ScaleOut reports whether the activity raised the capacity.
func (a Activity) ScaleOut() bool { return a.To > a.From }

// ScaleIn reports whether the activity lowered the capacity.
func (a Activity) ScaleIn() bool { return a.To < a.From }

// cooldown is the shared cooldown book-keeping of the built-in policies,
// with AWS's rules:
//
//   - After a scale-out the policy caused, a scale-out cooldown starts. While
//     it lasts, the policy computes its next scale-out from the capacity
//     before that activity (the capacity it added is counted in) and acts
//     only when the result is larger than the current capacity: +2 then +3
//     during the cooldown adds only 1 more (AWS's own example,
//     https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html).
//   - After a scale-in the policy caused, its scale-in cooldown blocks its
//     further scale-ins.
//   - Any scale-out of the target, whoever caused it, ends the scale-in
//     cooldown at once.
//
// Scheduled actions neither wait for nor start cooldowns.
type cooldown struct {
	outUntil time.Time // scale-out cooldown in force before this instant
	outBase  int       // capacity before the scale-out that started it
	inUntil  time.Time // scale-in cooldown in force before this instant
}

// base returns the capacity the policy computes a scale-out from.
func (c *cooldown) base(now time.Time, desired int) int {
	if now.Before(c.outUntil) {
		return min(c.outBase, desired)
	}
	return desired
}

// scaleInBlocked reports whether the scale-in cooldown is in force.
func (c *cooldown) scaleInBlocked(now time.Time) bool { return now.Before(c.inUntil) }

// observe updates the cooldowns after an activity; own says whether the
// policy caused it.
func (c *cooldown) observe(a Activity, own bool, outCooldown, inCooldown time.Duration) {
	if a.ScheduledAction != "" || a.Policy == "" {
		return
	}
	switch {
	case a.ScaleOut():
		c.inUntil = time.Time{}
		// A scale-out inside the cooldown neither restarts it nor moves its
		// base: the cooldown runs from the initiating activity.
		if own && !a.Time.Before(c.outUntil) {
			c.outBase = a.From
			c.outUntil = a.Time.Add(outCooldown)
		}
	case a.ScaleIn() && own:
		c.inUntil = a.Time.Add(inCooldown)
	}
}
