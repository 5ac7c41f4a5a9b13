package autoscale

import (
	"errors"
	"fmt"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Sentinel errors. Every error this package returns matches one of them with
// errors.Is; configuration errors are joined with errors.Join so a caller
// sees every problem at once.
var (
	// ErrInvalidConfig marks a configuration field that breaks a rule.
	ErrInvalidConfig = errors.New("autoscale: invalid configuration")
	// ErrInvalidSchedule marks a cron(), rate() or at() expression that does
	// not parse.
	ErrInvalidSchedule = errors.New("autoscale: invalid schedule expression")
	// ErrUnknownTimeZone marks a Timezone that the standard library's time
	// zone database does not know.
	ErrUnknownTimeZone = errors.New("autoscale: unknown time zone")
)

// invalid reports that field's value breaks rule; it matches
// ErrInvalidConfig and renders as every field error of the module does:
// "autoscale: invalid configuration: ScalableTarget.MaxCapacity 9000: must be
// at most 5000".
func invalid(field string, value any, rule string) error {
	return fielderr.New(ErrInvalidConfig, field, value, rule)
}

// ScheduleError reports where a schedule expression stops making sense. It
// matches ErrInvalidSchedule with errors.Is.
type ScheduleError struct {
	// Expr is the whole expression as given.
	Expr string
	// Pos is the 1-based character (byte) position of the offending text in
	// Expr; len(Expr)+1 means "at the end".
	Pos int
	// Msg says what was found and what was expected there.
	Msg string
}

// Error renders the error as `autoscale: schedule "cron(...)": position 7: ...`.
func (e *ScheduleError) Error() string {
	return fmt.Sprintf("autoscale: schedule %q: position %d: %s", e.Expr, e.Pos, e.Msg)
}

// Unwrap makes a ScheduleError match ErrInvalidSchedule.
func (e *ScheduleError) Unwrap() error { return ErrInvalidSchedule }
