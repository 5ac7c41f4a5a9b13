package capacity

import (
	"errors"
	"fmt"
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

// fieldError reports one field that breaks a rule. It matches its sentinel.
type fieldError struct {
	sentinel error
	field    string
	value    any
	rule     string
}

func (e *fieldError) Error() string {
	return fmt.Sprintf("capacity: %s = %v: %s", e.field, e.value, e.rule)
}

func (e *fieldError) Unwrap() error { return e.sentinel }

func invalid(field string, value any, rule string) error {
	return &fieldError{sentinel: ErrInvalidConfig, field: field, value: value, rule: rule}
}
