package loadbalancer

import (
	"fmt"
	"time"
)

// State is a target's health state as DescribeTargetHealth reports it.
type State uint8

const (
	// Unused: not registered (never, or deregistration has finished).
	Unused State = iota
	// Initial: registered, still passing its first health checks.
	Initial
	// Healthy: passing health checks; receives traffic.
	Healthy
	// Unhealthy: failed UnhealthyThreshold checks in a row; receives traffic
	// only when its routing scope fails open.
	Unhealthy
	// Draining: deregistered, waiting out the deregistration delay; never
	// receives new traffic.
	Draining
)

// String returns the lower-case AWS state name.
func (s State) String() string {
	switch s {
	case Unused:
		return "unused"
	case Initial:
		return "initial"
	case Healthy:
		return "healthy"
	case Unhealthy:
		return "unhealthy"
	case Draining:
		return "draining"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// registered reports whether a target in state s is registered and not
// deregistering: the targets a fail-open scope routes to.
func (s State) registered() bool { return s == Initial || s == Healthy || s == Unhealthy }

// Reason is the TargetHealth reason code that explains a state.
type Reason uint8

const (
	// ReasonNone accompanies Healthy, which has no reason code.
	ReasonNone Reason = iota
	// ReasonRegistrationInProgress (Elb.RegistrationInProgress): initial,
	// no health check has completed yet.
	ReasonRegistrationInProgress
	// ReasonInitialHealthChecking (Elb.InitialHealthChecking): initial,
	// some checks done, not yet enough to decide.
	ReasonInitialHealthChecking
	// ReasonFailedHealthChecks (Target.FailedHealthChecks): unhealthy after
	// checks that failed at once (connection refused, wrong status code).
	ReasonFailedHealthChecks
	// ReasonTimeout (Target.Timeout): unhealthy after a check that timed out.
	ReasonTimeout
	// ReasonDeregistrationInProgress (Target.DeregistrationInProgress):
	// draining.
	ReasonDeregistrationInProgress
	// ReasonNotRegistered (Target.NotRegistered): unused.
	ReasonNotRegistered
)

// String returns the AWS reason code.
func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return ""
	case ReasonRegistrationInProgress:
		return "Elb.RegistrationInProgress"
	case ReasonInitialHealthChecking:
		return "Elb.InitialHealthChecking"
	case ReasonFailedHealthChecks:
		return "Target.FailedHealthChecks"
	case ReasonTimeout:
		return "Target.Timeout"
	case ReasonDeregistrationInProgress:
		return "Target.DeregistrationInProgress"
	case ReasonNotRegistered:
		return "Target.NotRegistered"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Transition records one change of a target's state.
type Transition struct {
	// At is the instant of the change.
	At time.Time
	// Target is the target's ID.
	Target int
	// From and To are the states before and after.
	From, To State
	// Reason is the reason code of the new state.
	Reason Reason
}

// String formats a transition as "t=<RFC 3339> target 3: initial -> healthy".
func (t Transition) String() string {
	s := fmt.Sprintf("%s target %d: %v -> %v", t.At.UTC().Format(time.RFC3339Nano), t.Target, t.From, t.To)
	if t.Reason != ReasonNone {
		s += " (" + t.Reason.String() + ")"
	}
	return s
}

// Response is how a target answers its health checks, as the caller (the
// simulation hub, which knows whether the task's application is up) sets it
// with SetResponse. The group runs the checks itself at their scheduled
// instants and reads this to decide each outcome.
type Response uint8

const (
	// Pass: the target answers with a matching status code; the check
	// passes when it is sent. The zero value: a task registered when
	// RUNNING is normally ready.
	Pass Response = iota
	// Refuse: the target refuses the connection or answers with the wrong
	// code; the check fails when it is sent.
	Refuse
	// NoResponse: the target does not answer (hung, overloaded, stopped);
	// the check fails HealthCheck.Timeout after it is sent.
	NoResponse
)

// String returns "pass", "refuse" or "no-response".
func (r Response) String() string {
	switch r {
	case Pass:
		return "pass"
	case Refuse:
		return "refuse"
	case NoResponse:
		return "no-response"
	}
	return fmt.Sprintf("Response(%d)", int(r))
}

// TargetInfo is a snapshot of one target.
type TargetInfo struct {
	// ID is the caller's dense target ID.
	ID int
	// Zone is the target's availability zone.
	Zone string
	// State and Reason are as DescribeTargetHealth would report them.
	State  State
	Reason Reason
	// InFlight is the number of requests begun and not yet ended.
	InFlight int
	// SlowStartUntil is the end of the slow start the target entered when
	// it last turned healthy (in the past once it has ended); zero if it did
	// not enter slow start or left it by turning unhealthy or deregistering.
	SlowStartUntil time.Time
	// DrainingUntil is when the deregistration delay of a draining target
	// elapses and it becomes unused; zero when it is not draining.
	DrainingUntil time.Time
	// DrainedAt is when deregistration completed (nothing in flight, or the
	// delay elapsed); zero until then. A target stays Draining until the
	// delay elapses even after deregistration completes, as ELB shows it.
	DrainedAt time.Time
}

// Counts is the number of targets in each state, the figures behind the
// HealthyHostCount and UnHealthyHostCount metrics.
type Counts struct {
	// Initial, Healthy, Unhealthy and Draining count targets in each state.
	Initial, Healthy, Unhealthy, Draining int
}
