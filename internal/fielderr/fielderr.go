// Package fielderr is the module's one way to say that a value breaks a
// rule: every constructor and Validate method in ecssim reports a bad input
// as an *Error that names the field, the value and the rule, and matches
// its package's sentinel error with errors.Is. A List collects every
// problem of one call, so the caller sees them all at once (errors.Join).
//
// The rendering is the same everywhere:
//
//	<sentinel>: <field> <value>: <rule>
//	sim: invalid service: ServiceConfig.DesiredCount -1: must be 0 to 5000
//
// Values are shown so that an error never carries much of what it quotes:
// strings are quoted and clipped to MaxValueLen bytes (an error about a
// refused file never echoes the file), durations use time.Duration's form,
// floats the shortest form that reads back, and nil reads "(none)".
package fielderr

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// MaxValueLen is the most bytes of a string value an Error shows; longer
// strings are clipped with "…".
const MaxValueLen = 64

// Error reports one field whose value breaks a rule. It unwraps to the
// sentinel error of the package that made it.
type Error struct {
	// Err is the package's sentinel, e.g. sim.ErrInvalidService.
	Err error
	// Field names the field as the caller wrote it, with the path into
	// nested values: "ServiceConfig.DesiredCount",
	// "Policies[2].TargetValue", "services[0].desiredCount".
	Field string
	// Value is the offending value; Omit hides it (for a secret or for
	// content read from a file that was refused).
	Value any
	// Rule says what the value must be, e.g. "must be 0 to 5000".
	Rule string
}

// omitted is the Value of an Error that must not show its value.
type omitted struct{}

// Omit is a Value that an Error does not print.
var Omit any = omitted{}

// New returns an *Error wrapping sentinel.
func New(sentinel error, field string, value any, rule string) *Error {
	return &Error{Err: sentinel, Field: field, Value: value, Rule: rule}
}

// Error renders "<sentinel>: <field> <value>: <rule>".
func (e *Error) Error() string {
	prefix := ""
	if e.Err != nil {
		prefix = e.Err.Error() + ": "
	}
	if _, ok := e.Value.(omitted); ok {
		return prefix + e.Field + ": " + e.Rule
	}
	return prefix + e.Field + " " + Show(e.Value) + ": " + e.Rule
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Show renders a value the way Error does.
func Show(v any) string {
	switch v := v.(type) {
	case nil:
		return "(none)"
	case string:
		return strconv.Quote(Clip(v))
	case time.Duration:
		return v.String()
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	case error:
		return strconv.Quote(Clip(v.Error()))
	case fmt.Stringer:
		return Clip(v.String())
	}
	return Clip(fmt.Sprint(v))
}

// Clip shortens s to at most MaxValueLen bytes, on a rune boundary, with
// "…" when it cut.
func Clip(s string) string {
	if len(s) <= MaxValueLen {
		return s
	}
	cut := MaxValueLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// List collects the problems of one call. The zero List is ready to use
// with a nil sentinel; NewList sets the sentinel every Add wraps.
type List struct {
	sentinel error
	errs     []error
}

// NewList returns a List whose Add wraps sentinel.
func NewList(sentinel error) *List { return &List{sentinel: sentinel} }

// Add records that field's value breaks rule.
func (l *List) Add(field string, value any, rule string) {
	l.errs = append(l.errs, New(l.sentinel, field, value, rule))
}

// Addf is Add with a formatted rule.
func (l *List) Addf(field string, value any, format string, args ...any) {
	l.Add(field, value, fmt.Sprintf(format, args...))
}

// Join records err (nil is ignored). Use it for the errors of a nested
// Validate, already wrapped by their own package.
func (l *List) Join(err error) {
	if err != nil {
		l.errs = append(l.errs, err)
	}
}

// Len returns how many problems were recorded.
func (l *List) Len() int { return len(l.errs) }

// Err returns every recorded problem joined, or nil.
func (l *List) Err() error {
	if len(l.errs) == 0 {
		return nil
	}
	return errors.Join(l.errs...)
}

// Prefix returns a copy of err's field errors with prefix+"." before every
// Field (or prefix alone before a Field that starts with "["), for a
// caller that validates a nested value and reports its fields under the
// caller's name: Prefix("Capacity", err) turns "OnDemandVCPUQuota" into
// "Capacity.OnDemandVCPUQuota". Errors that are not *Error, inside a join
// or not, are kept as they are.
func Prefix(prefix string, err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs := j.Unwrap()
		out := make([]error, len(errs))
		for i, e := range errs {
			out[i] = Prefix(prefix, e)
		}
		return errors.Join(out...)
	}
	var fe *Error
	if e, ok := err.(*Error); ok {
		fe = e
	}
	if fe == nil {
		return err
	}
	c := *fe
	if c.Field == "" || c.Field[0] == '[' {
		c.Field = prefix + c.Field
	} else {
		c.Field = prefix + "." + c.Field
	}
	return &c
}
