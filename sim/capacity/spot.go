package capacity

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Spot interruption timing: a two-minute warning, SIGTERM at the warning
// and SIGKILL after stopTimeout (at most 120 s on Fargate)
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html).
const (
	// SpotWarning is the notice between an interruption warning and the
	// forced end: an EC2 Spot instance is terminated, and a Fargate Spot
	// task is forced down, this long after the warning.
	SpotWarning = 2 * time.Minute
	// DefaultStopTimeout is the SIGTERM→SIGKILL gap of a container without
	// a stopTimeout on Fargate (and on EC2 without ECS_CONTAINER_STOP_TIMEOUT).
	DefaultStopTimeout = 30 * time.Second
	// MaxFargateStopTimeout is the largest stopTimeout Fargate accepts.
	MaxFargateStopTimeout = 120 * time.Second
)

// Stop codes and reasons of Spot interruptions (the TaskStopCode enum,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html,
// and the Fargate capacity providers guide).
const (
	// StopCodeTerminationNotice is the stop code of a Fargate Spot task's
	// interruption event, per the Fargate capacity providers guide.
	StopCodeTerminationNotice = "TerminationNotice"
	// StopCodeSpotInterruption is the TaskStopCode enum value for Spot
	// interruptions; the world uses it for tasks stopped because their EC2
	// Spot instance is reclaimed.
	StopCodeSpotInterruption = "SpotInterruption"
	// FargateSpotStoppedReason is the stoppedReason of an interrupted
	// Fargate Spot task.
	FargateSpotStoppedReason = "Your Spot Task was interrupted."
)

// FargateSpotInterruption is the timeline of one interrupted Fargate Spot
// task: the warning and SIGTERM at Warning, SIGKILL at
// Warning + stopTimeout, and the task is gone by Warning + 120 s at the
// latest.
type FargateSpotInterruption struct {
	// Warning is when the two-minute warning arrives and the task receives
	// SIGTERM; the task goes to DEACTIVATING/STOPPING (the load balancer
	// seam: deregister targets now).
	Warning time.Duration
	// SIGKILL is when the containers still running are killed:
	// Warning + min(stopTimeout, 120 s).
	SIGKILL time.Duration
	// Deadline is Warning + 120 s, by which AWS reclaims the capacity
	// whatever the task does.
	Deadline time.Duration
	// StopCode and StoppedReason are what the STOPPED task reports.
	StopCode, StoppedReason string
}

// NewFargateSpotInterruption returns the timeline of a Fargate Spot task
// warned at warning whose containers have stopTimeout (zero means the 30 s
// default; values above 120 s are capped at 120 s, the Fargate maximum).
func NewFargateSpotInterruption(warning, stopTimeout time.Duration) FargateSpotInterruption {
	if stopTimeout <= 0 {
		stopTimeout = DefaultStopTimeout
	}
	stopTimeout = min(stopTimeout, MaxFargateStopTimeout)
	return FargateSpotInterruption{
		Warning:       warning,
		SIGKILL:       addSat(warning, stopTimeout),
		Deadline:      addSat(warning, SpotWarning),
		StopCode:      StopCodeTerminationNotice,
		StoppedReason: FargateSpotStoppedReason,
	}
}

// EC2SpotInterruption is the timeline of one reclaimed EC2 Spot instance:
// at Warning the instance interruption notice arrives and ECS (with
// ECS_ENABLE_SPOT_INSTANCE_DRAINING) sets the container instance to
// DRAINING, so service tasks on it are replaced elsewhere through the
// capacity provider strategy and stopped (SIGTERM, then SIGKILL after their
// stopTimeout); at Terminated = Warning + 120 s EC2 terminates the instance
// and anything still running on it stops with StopCodeSpotInterruption.
type EC2SpotInterruption struct {
	// Warning is when the interruption notice arrives and draining starts.
	Warning time.Duration
	// Terminated is when EC2 terminates the instance: Warning + 120 s.
	Terminated time.Duration
}

// NewEC2SpotInterruption returns the timeline of an instance warned at
// warning.
func NewEC2SpotInterruption(warning time.Duration) EC2SpotInterruption {
	return EC2SpotInterruption{Warning: warning, Terminated: addSat(warning, SpotWarning)}
}

// InterruptionProcess decides when Spot capacity is reclaimed: either a
// Poisson process with RatePerHour interruptions per hour per instance (or
// per Fargate Spot task), or a scripted schedule.
type InterruptionProcess struct {
	// RatePerHour is the interruption rate of one instance or task, per
	// hour; zero means no random interruptions. The time to the next
	// interruption is exponential with mean 1/RatePerHour hours. AWS
	// publishes only frequency bands per instance type (the Spot Instance
	// Advisor), so there is no default.
	RatePerHour float64
	// Schedule lists scripted warning instants (time since the start of the
	// simulation); used instead of the rate when non-empty. Each instant
	// interrupts one instance or task, chosen by the world.
	Schedule []time.Duration
}

// Validate reports every field that breaks a rule, joined.
func (p InterruptionProcess) Validate() error {
	var errs []error
	if p.RatePerHour < 0 || math.IsNaN(p.RatePerHour) || math.IsInf(p.RatePerHour, 0) {
		errs = append(errs, invalid("InterruptionProcess.RatePerHour", p.RatePerHour, "must be a finite number ≥ 0"))
	}
	if p.RatePerHour > 0 && len(p.Schedule) > 0 {
		errs = append(errs, invalid("InterruptionProcess.Schedule", len(p.Schedule), "set either RatePerHour or Schedule, not both"))
	}
	for i, t := range p.Schedule {
		if t < 0 {
			errs = append(errs, invalid("InterruptionProcess.Schedule", t, "instants must be ≥ 0"))
		}
		if i > 0 && t < p.Schedule[i-1] {
			errs = append(errs, invalid("InterruptionProcess.Schedule", t, "instants must be in ascending order"))
		}
	}
	return errors.Join(errs...)
}

// NextWarning returns the next interruption warning after now, and false if
// there is none. With a rate it draws one exponential gap from r (rounded to
// the nanosecond) for one instance or task: the world calls it once when the
// instance or task starts, since an interrupted one is gone and the
// exponential is memoryless. With a schedule it returns the first scripted
// instant strictly after now and does not touch r.
func (p InterruptionProcess) NextWarning(r *rand.Rand, now time.Duration) (time.Duration, bool) {
	if len(p.Schedule) > 0 {
		i, found := slices.BinarySearch(p.Schedule, now)
		for found && i < len(p.Schedule) && p.Schedule[i] == now {
			i++
		}
		if i >= len(p.Schedule) {
			return 0, false
		}
		return p.Schedule[i], true
	}
	if p.RatePerHour <= 0 {
		return 0, false
	}
	gapHours := r.ExpFloat64() / p.RatePerHour
	gap := math.Round(gapHours * float64(time.Hour))
	if gap >= math.MaxInt64-float64(now) {
		return 0, false
	}
	return now + time.Duration(gap), true
}
