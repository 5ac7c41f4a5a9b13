package capacity

import (
	"errors"
	"math"
	"math/rand/v2"
	"time"
)

// CapacityUnavailableReason is what ECS says when Fargate capacity cannot be
// had: the reason of a RunTask failure, and of the service event
// "(service web) was unable to place a task. Reason: Capacity is
// unavailable at this time. Please try again later or in a different
// availability zone." (AWS knowledge center, ecs-fargate-runtask-capacity).
const CapacityUnavailableReason = "Capacity is unavailable at this time. Please try again later or in a different availability zone"

// Window is a span of simulation time, [Start, End), as offsets from the
// start of the simulation.
type Window struct {
	Start, End time.Duration
}

// Unavailability is when Fargate Spot capacity cannot be had. The ECS best
// practices guide: "During periods of extremely high demand, Fargate Spot
// capacity might be unavailable. This can cause Fargate Spot tasks to be
// delayed. When this happens, Amazon ECS services retry launching tasks
// until the required capacity becomes available. Fargate does not replace
// Spot capacity with on-demand capacity." AWS publishes neither how often
// nor for how long, so there is no default: the zero value means Spot
// capacity is always there. Tasks already created (waiting for a launch
// token, starting or running) are not affected; interruptions are a
// separate process (InterruptionProcess).
type Unavailability struct {
	// Windows are scripted spans without capacity, in ascending order and
	// not overlapping; nil means none.
	Windows []Window
	// MeanAvailable and MeanUnavailable, both set, make availability an
	// alternating process instead of Windows: periods with and without
	// capacity follow each other, each exponential with its mean, starting
	// with capacity. In the long run a share
	// MeanUnavailable / (MeanAvailable + MeanUnavailable) of the time has
	// none (alternating renewal process).
	MeanAvailable, MeanUnavailable time.Duration
}

// Validate reports every field that breaks a rule, joined.
func (u Unavailability) Validate() error {
	var errs []error
	if u.MeanAvailable < 0 {
		errs = append(errs, invalid("Unavailability.MeanAvailable", u.MeanAvailable, "must be ≥ 0"))
	}
	if u.MeanUnavailable < 0 {
		errs = append(errs, invalid("Unavailability.MeanUnavailable", u.MeanUnavailable, "must be ≥ 0"))
	}
	if (u.MeanAvailable > 0) != (u.MeanUnavailable > 0) {
		errs = append(errs, invalid("Unavailability.MeanUnavailable", u.MeanUnavailable, "set MeanAvailable and MeanUnavailable together"))
	}
	if u.MeanAvailable > 0 && len(u.Windows) > 0 {
		errs = append(errs, invalid("Unavailability.Windows", len(u.Windows), "set either Windows or the means, not both"))
	}
	for i, w := range u.Windows {
		if w.Start < 0 || w.End <= w.Start {
			errs = append(errs, invalid("Unavailability.Windows", w, "each window needs 0 ≤ Start < End"))
		}
		if i > 0 && w.Start < u.Windows[i-1].End {
			errs = append(errs, invalid("Unavailability.Windows", w, "windows must be in ascending order and must not overlap"))
		}
	}
	return errors.Join(errs...)
}

// Random reports whether availability is the alternating process.
func (u Unavailability) Random() bool { return u.MeanAvailable > 0 && u.MeanUnavailable > 0 }

// Period draws the length of the next period of the alternating process:
// one without capacity if unavailable, else one with; exponential with the
// period's mean, rounded to the nanosecond and at least 1 ns.
func (u Unavailability) Period(r *rand.Rand, unavailable bool) time.Duration {
	mean := u.MeanAvailable
	if unavailable {
		mean = u.MeanUnavailable
	}
	d := math.Round(r.ExpFloat64() * float64(mean))
	if d >= math.MaxInt64/2 {
		return math.MaxInt64 / 2
	}
	return max(time.Duration(d), 1)
}
