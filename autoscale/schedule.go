package autoscale

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // a time zone database even on hosts without /usr/share/zoneinfo
)

// Schedule is a parsed scheduled-action expression: at(), rate() or cron().
type Schedule interface {
	// Next returns the first instant strictly after `after` at which the
	// schedule fires, and false when it never fires again.
	Next(after time.Time) (time.Time, bool)
	// String returns the expression in AWS syntax.
	String() string
}

// The years a cron() Year field may name, as in AWS.
const (
	cronMinYear = 1970
	cronMaxYear = 2199
)

// LoadTimezone resolves an IANA time zone name ("America/New_York",
// "Etc/GMT+9") through the standard library. The empty name means UTC, AWS's
// default. An unknown name gives an error matching ErrUnknownTimeZone.
func LoadTimezone(name string) (*time.Location, error) {
	if name == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("%w %q: not in the IANA time zone database (for example \"UTC\", \"Europe/Paris\", \"America/New_York\"): %v",
			ErrUnknownTimeZone, name, err)
	}
	return loc, nil
}

// ParseSchedule parses an Application Auto Scaling schedule expression:
//
//	at(yyyy-mm-ddThh:mm:ss)        one time, wall clock in loc, in 1970 to 2199
//	rate(N minute|minutes|hour|hours|day|days)
//	cron(Minutes Hours Day-of-month Month Day-of-week Year)
//
// loc is the action's time zone (nil means UTC); at() and cron() read their
// wall clock in it and follow its daylight-saving changes. A rate() has a zero
// Anchor; ScheduledAction anchors it at its StartTime. Errors are
// *ScheduleError values naming the position and what was expected there.
func ParseSchedule(expr string, loc *time.Location) (Schedule, error) {
	if loc == nil {
		loc = time.UTC
	}
	p := &exprParser{expr: expr}
	switch {
	case strings.HasPrefix(expr, "at("):
		body, off, err := p.body(len("at("))
		if err != nil {
			return nil, err
		}
		t, perr := time.ParseInLocation("2006-01-02T15:04:05", body, loc)
		if perr != nil {
			return nil, p.errorf(off, "expected a date and time yyyy-mm-ddThh:mm:ss, found %q", body)
		}
		if y := t.Year(); y < cronMinYear || y > cronMaxYear {
			return nil, p.errorf(off, "year %d is outside %d to %d, the years a cron() may name", y, cronMinYear, cronMaxYear)
		}
		return At{Time: t}, nil
	case strings.HasPrefix(expr, "rate("):
		body, off, err := p.body(len("rate("))
		if err != nil {
			return nil, err
		}
		return p.parseRate(body, off)
	case strings.HasPrefix(expr, "cron("):
		body, off, err := p.body(len("cron("))
		if err != nil {
			return nil, err
		}
		c, err := p.parseCron(body, off)
		if err != nil {
			return nil, err
		}
		c.loc = loc
		c.expr = expr
		return c, nil
	}
	return nil, p.errorf(0, "expected at(...), rate(...) or cron(...)")
}

// exprParser carries the expression for position-naming errors.
type exprParser struct{ expr string }

// errorf builds a ScheduleError at the 0-based byte offset off.
func (p *exprParser) errorf(off int, format string, args ...any) error {
	return &ScheduleError{Expr: p.expr, Pos: off + 1, Msg: fmt.Sprintf(format, args...)}
}

// body returns the text between the opening parenthesis (ending at open) and
// the final ")", and the offset of its first byte.
func (p *exprParser) body(open int) (string, int, error) {
	if !strings.HasSuffix(p.expr, ")") || len(p.expr) <= open {
		return "", 0, p.errorf(len(p.expr), "expected a closing \")\"")
	}
	body := p.expr[open : len(p.expr)-1]
	if i := strings.IndexAny(body, "()"); i >= 0 {
		return "", 0, p.errorf(open+i, "unexpected %q inside the expression", body[i])
	}
	return body, open, nil
}

// At is a one-time schedule, at(yyyy-mm-ddThh:mm:ss).
type At struct {
	// Time is the instant the action runs.
	Time time.Time
}

// Next returns Time if it is after `after`.
func (a At) Next(after time.Time) (time.Time, bool) {
	if a.Time.After(after) {
		return a.Time, true
	}
	return time.Time{}, false
}

// String returns the at() expression in the time's own zone.
func (a At) String() string { return "at(" + a.Time.Format("2006-01-02T15:04:05") + ")" }

// Rate is a recurring schedule, rate(N unit): it fires at Anchor, Anchor +
// Every, Anchor + 2·Every, and so on.
type Rate struct {
	// Every is the interval, at least one minute.
	Every time.Duration
	// Anchor is the first run; the zero time means the Unix epoch, so an
	// unanchored rate fires on multiples of Every since 1970-01-01 UTC.
	Anchor time.Time
}

// Next returns the first Anchor + k·Every (k ≥ 0) strictly after `after`.
func (r Rate) Next(after time.Time) (time.Time, bool) {
	anchor := r.Anchor
	if anchor.IsZero() {
		anchor = time.Unix(0, 0).UTC()
	}
	if r.Every <= 0 {
		return time.Time{}, false
	}
	if after.Before(anchor) {
		return anchor, true
	}
	// Whole intervals elapsed, in integer nanoseconds. A span too long for a
	// time.Duration (Sub saturates) is walked in the largest whole chunks.
	t := anchor
	for {
		span := after.Sub(t)
		if span < math.MaxInt64 {
			return t.Add(span / r.Every * r.Every).Add(r.Every), true
		}
		t = t.Add(math.MaxInt64 / r.Every * r.Every)
	}
}

// String returns the rate() expression in the largest whole unit.
func (r Rate) String() string {
	switch {
	case r.Every%(24*time.Hour) == 0:
		return plural(int64(r.Every/(24*time.Hour)), "day")
	case r.Every%time.Hour == 0:
		return plural(int64(r.Every/time.Hour), "hour")
	default:
		return plural(int64(r.Every/time.Minute), "minute")
	}
}

func plural(n int64, unit string) string {
	if n == 1 {
		return fmt.Sprintf("rate(1 %s)", unit)
	}
	return fmt.Sprintf("rate(%d %ss)", n, unit)
}

// parseRate parses "N unit" starting at offset off.
func (p *exprParser) parseRate(body string, off int) (Schedule, error) {
	num, unit, ok := strings.Cut(body, " ")
	if !ok {
		return nil, p.errorf(off, "expected \"<positive integer> <unit>\", found %q", body)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || num[0] == '+' {
		return nil, p.errorf(off, "expected a positive integer, found %q", num)
	}
	var each time.Duration
	switch unit {
	case "minute", "minutes":
		each = time.Minute
	case "hour", "hours":
		each = time.Hour
	case "day", "days":
		each = 24 * time.Hour
	default:
		return nil, p.errorf(off+len(num)+1, "expected minute, minutes, hour, hours, day or days, found %q", unit)
	}
	if n > int64(math.MaxInt64/each) {
		return nil, p.errorf(off, "rate %d %s is longer than this package can represent (about 292 years)", n, unit)
	}
	return Rate{Every: time.Duration(n) * each}, nil
}
