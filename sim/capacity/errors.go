package capacity

import (
	"errors"
	"math"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Sentinel errors. Every error this package returns matches one of them with
// errors.Is; configuration errors are joined with errors.Join so a caller
// sees every problem at once.
var (
	// ErrInvalidConfig marks a configuration field that breaks a rule.
	ErrInvalidConfig = errors.New("capacity: invalid configuration")
	// ErrInvalidTaskSize marks a Fargate CPU, memory or storage size that
	// Fargate does not offer.
	ErrInvalidTaskSize = errors.New("capacity: invalid Fargate task size")
	// ErrInvalidStrategy marks a capacity provider strategy that ECS rejects
	// (RunTask and CreateService fail with it).
	ErrInvalidStrategy = errors.New("capacity: invalid capacity provider strategy")
	// ErrUnknownID marks a Stop or a task placement that names an id the
	// cost accumulator has not seen, or a Start that reuses an open id.
	ErrUnknownID = errors.New("capacity: unknown or duplicate id")
)

// addSat returns t + d for d ≥ 0, saturated at the largest Duration instead
// of wrapping: instants near the end of a Duration stay in the future.
func addSat(t, d time.Duration) time.Duration {
	if d > 0 && t > math.MaxInt64-d {
		return math.MaxInt64
	}
	return t + d
}

// invalid reports one configuration field that breaks a rule, as a
// *fielderr.Error matching ErrInvalidConfig.
func invalid(field string, value any, rule string) error {
	return fielderr.New(ErrInvalidConfig, field, value, rule)
}
