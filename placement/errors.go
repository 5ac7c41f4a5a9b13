package placement

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns matches one of them with
// errors.Is. Validation errors are *fielderr.Error values (from the
// module's internal/fielderr) that name the field, the value and the rule;
// a memberOf expression that does not parse is a *ParseError.
var (
	// ErrInvalidExpression reports a memberOf expression that does not parse
	// or uses an operator its subject does not support.
	ErrInvalidExpression = errors.New("placement: invalid cluster query expression")
	// ErrInvalidSpec reports a constraint or strategy list that breaks an ECS
	// rule (type, field, count or length limits).
	ErrInvalidSpec = errors.New("placement: invalid placement spec")
	// ErrInvalidInstance reports an instance registration that breaks a rule.
	ErrInvalidInstance = errors.New("placement: invalid instance")
	// ErrInvalidTask reports a task request that breaks a rule (negative
	// resources, duplicate or too many host ports, unknown group).
	ErrInvalidTask = errors.New("placement: invalid task")
	// ErrUnknownInstance reports an InstanceID that was never registered or
	// has been deregistered.
	ErrUnknownInstance = errors.New("placement: unknown instance")
	// ErrBadRelease reports a release that does not match an allocation (it
	// would free more than the instance holds, or a port or group count that
	// is not reserved).
	ErrBadRelease = errors.New("placement: release does not match an allocation")
	// ErrUnknownReason reports text that is not the spelling of a Reason
	// (Reason.UnmarshalText).
	ErrUnknownReason = errors.New("placement: unknown rejection reason")
)

// ParseError is a memberOf expression syntax error. It names the byte offset
// in the expression, what the parser expected there and what it found.
// It matches ErrInvalidExpression.
type ParseError struct {
	Expression string // the whole expression
	Offset     int    // byte offset of the offending token, 0-based
	Expected   string // what would have been valid, e.g. "an operator"
	Found      string // the offending token, or "end of expression"
}

// Error implements error.
func (e *ParseError) Error() string {
	return fmt.Sprintf("placement: cluster query expression %q: at offset %d: expected %s, found %s",
		e.Expression, e.Offset, e.Expected, e.Found)
}

// Is reports whether target is ErrInvalidExpression.
func (e *ParseError) Is(target error) bool { return target == ErrInvalidExpression }
