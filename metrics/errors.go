package metrics

import (
	"errors"

	"github.com/ecssim/ecssim/internal/fielderr"
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
	// statistic set whose fields disagree, a timestamp outside 1970–2199).
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

// FieldError names the field, the offending value and the rule it breaks,
// and unwraps to one of the package's sentinel errors. It is the module's
// one field-error type, so it renders as every package's does:
//
//	metrics: invalid alarm: EvaluationPeriods 0: must be at least 1
type FieldError = fielderr.Error
