package placement

import (
	"slices"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// The enums of this package read and write themselves as text in ECS's
// spellings (encoding.TextMarshaler and encoding.TextUnmarshaler), so that
// JSON, YAML or a scenario file can name them without a table of their
// own. An unknown spelling is a *fielderr.Error naming the type, the text
// and the spellings it accepts; spellings are case-sensitive, as in the
// ECS API.

var (
	strategyTypes   = []StrategyType{Binpack, Spread, Random, Custom}
	constraintTypes = []ConstraintType{DistinctInstance, MemberOf, CustomFilter}
	reasons         = []Reason{"", ReasonNoActiveInstance, ReasonCPU, ReasonMemory, ReasonPorts, ReasonENI, ReasonConstraint}
)

const (
	strategyTypeRule   = `must be "binpack", "spread", "random" or "custom"`
	constraintTypeRule = `must be "distinctInstance", "memberOf" or "custom"`
	statusRule         = `must be "ACTIVE" or "DRAINING"`
	reasonRule         = `must be "", "NO_ACTIVE_INSTANCE", "RESOURCE:CPU", "RESOURCE:MEMORY", "RESOURCE:PORTS", "RESOURCE:ENI" or "CONSTRAINT"`
)

// MarshalText implements encoding.TextMarshaler: "binpack", "spread",
// "random" or "custom".
func (s StrategyType) MarshalText() ([]byte, error) {
	if !slices.Contains(strategyTypes, s) {
		return nil, fielderr.New(ErrInvalidSpec, "StrategyType", string(s), strategyTypeRule)
	}
	return []byte(s), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; see MarshalText.
func (s *StrategyType) UnmarshalText(text []byte) error {
	v := StrategyType(text)
	if !slices.Contains(strategyTypes, v) {
		return fielderr.New(ErrInvalidSpec, "StrategyType", string(text), strategyTypeRule)
	}
	*s = v
	return nil
}

// MarshalText implements encoding.TextMarshaler: "distinctInstance",
// "memberOf" or "custom".
func (t ConstraintType) MarshalText() ([]byte, error) {
	if !slices.Contains(constraintTypes, t) {
		return nil, fielderr.New(ErrInvalidSpec, "ConstraintType", string(t), constraintTypeRule)
	}
	return []byte(t), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; see MarshalText.
func (t *ConstraintType) UnmarshalText(text []byte) error {
	v := ConstraintType(text)
	if !slices.Contains(constraintTypes, v) {
		return fielderr.New(ErrInvalidSpec, "ConstraintType", string(text), constraintTypeRule)
	}
	*t = v
	return nil
}

// MarshalText implements encoding.TextMarshaler: "ACTIVE" or "DRAINING",
// as String spells them.
func (s Status) MarshalText() ([]byte, error) {
	if s != Active && s != Draining {
		return nil, fielderr.New(ErrInvalidInstance, "Status", uint8(s), statusRule)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; see MarshalText.
func (s *Status) UnmarshalText(text []byte) error {
	switch string(text) {
	case "ACTIVE":
		*s = Active
	case "DRAINING":
		*s = Draining
	default:
		return fielderr.New(ErrInvalidInstance, "Status", string(text), statusRule)
	}
	return nil
}

// MarshalText implements encoding.TextMarshaler: the RunTask failure
// spellings ("RESOURCE:CPU", ...), or "" for no failure (Verdict.Failed of
// a feasible instance).
func (r Reason) MarshalText() ([]byte, error) {
	if !slices.Contains(reasons, r) {
		return nil, fielderr.New(ErrUnknownReason, "Reason", string(r), reasonRule)
	}
	return []byte(r), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; see MarshalText.
func (r *Reason) UnmarshalText(text []byte) error {
	v := Reason(text)
	if !slices.Contains(reasons, v) {
		return fielderr.New(ErrUnknownReason, "Reason", string(text), reasonRule)
	}
	*r = v
	return nil
}
