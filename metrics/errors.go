package metrics

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns wraps one of them, so
// callers match with errors.Is.
var (
	// ErrInvalidMetric marks a metric identity CloudWatch would reject.
	ErrInvalidMetric = errors.New("metrics: invalid metric")
	// ErrInvalidStatistic marks an unknown statistic or an out-of-range
	// percentile.
	ErrInvalidStatistic = errors.New("metrics: invalid statistic")
	// ErrInvalidValue marks a sample CloudWatch would reject (NaN, ±Inf, a
	// statistic set whose fields disagree).
	ErrInvalidValue = errors.New("metrics: invalid value")
	// ErrExpired marks a sample older than the store keeps.
	ErrExpired = errors.New("metrics: sample older than the retention")
	// ErrInvalidConfig marks a store configuration that breaks a rule.
	ErrInvalidConfig = errors.New("metrics: invalid store config")
	// ErrInvalidAlarm marks an alarm configuration that breaks a rule.
	ErrInvalidAlarm = errors.New("metrics: invalid alarm")
	// ErrInvalidQuery marks a query whose period or range breaks a rule.
	ErrInvalidQuery = errors.New("metrics: invalid query")
)

// FieldError names the field, the offending value and the rule it breaks. It
// unwraps to one of the package's sentinel errors.
type FieldError struct {
	Field string // the field, e.g. "EvaluationPeriods" or "Dimensions[2].Name"
	Value any    // the offending value
	Rule  string // the rule, e.g. "must be at least 1"
	Err   error  // the sentinel, e.g. ErrInvalidAlarm
}

// Error renders "metrics: invalid alarm: EvaluationPeriods 0: must be at least 1".
func (e *FieldError) Error() string {
	return fmt.Sprintf("%v: %s %#v: %s", e.Err, e.Field, e.Value, e.Rule)
}

// Unwrap returns the sentinel error.
func (e *FieldError) Unwrap() error { return e.Err }

// joinErrors is errors.Join that keeps a nil slice nil without allocating.
func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}
