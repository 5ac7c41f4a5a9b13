package autoscale

import (
	"fmt"
	"time"
)

// MaxScheduledActions is AWS's quota of scheduled actions per scalable target.
const MaxScheduledActions = 200

// ScheduledAction changes a scalable target's MinCapacity and/or MaxCapacity
// on a schedule. When it runs, a capacity below the new minimum is raised to
// it, a capacity above the new maximum is lowered to it, and otherwise the
// capacity is left alone for the policies to manage within the new bounds.
// Scheduled actions ignore cooldowns and do not start them. When the action
// stops (EndTime), the previous bounds are not restored.
type ScheduledAction struct {
	// Name identifies the action; unique within a Controller, required.
	Name string
	// Schedule is at(yyyy-mm-ddThh:mm:ss), rate(N unit) or the six-field
	// cron(...); see ParseSchedule and Cron.
	Schedule string
	// Timezone is an IANA name ("America/New_York") for at() and cron()
	// wall-clock times; empty means UTC.
	Timezone string
	// StartTime, when not zero, is the earliest instant the action runs; a
	// rate() runs first at StartTime and then every interval. Zero means
	// "from the first evaluation" (a rate() then runs first at the first
	// evaluation — UNCONFIRMED, AWS does not document it).
	StartTime time.Time
	// EndTime, when not zero, is the last instant the action may run.
	EndTime time.Time
	// MinCapacity, when not nil, is the new minimum (tasks).
	MinCapacity *int
	// MaxCapacity, when not nil, is the new maximum (tasks).
	MaxCapacity *int
}

// Capacity returns a pointer to n, for ScheduledAction's optional fields.
func Capacity(n int) *int { return &n }

// scheduledAction is a validated action with its next run.
type scheduledAction struct {
	ScheduledAction
	schedule Schedule
	next     time.Time // zero: not yet initialised or never again
	done     bool      // never runs again
}

func (a *ScheduledAction) validate(field string, quota int) (Schedule, []error) {
	var errs []error
	if a.Name == "" {
		errs = append(errs, invalid(field+".Name", "", "must not be empty"))
	}
	loc, err := LoadTimezone(a.Timezone)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s.Timezone: %w", field, err))
		loc = time.UTC
	}
	sched, err := ParseSchedule(a.Schedule, loc)
	if err != nil {
		errs = append(errs, fmt.Errorf("%s.Schedule: %w", field, err))
	}
	if a.MinCapacity == nil && a.MaxCapacity == nil {
		errs = append(errs, invalid(field, a.Name, "must set MinCapacity, MaxCapacity or both"))
	}
	capacityRule := fmt.Sprintf("must be 0 to %d (tasks per service)", quota)
	if a.MinCapacity != nil && (*a.MinCapacity < 0 || *a.MinCapacity > quota) {
		errs = append(errs, invalid(field+".MinCapacity", *a.MinCapacity, capacityRule))
	}
	if a.MaxCapacity != nil && (*a.MaxCapacity < 0 || *a.MaxCapacity > quota) {
		errs = append(errs, invalid(field+".MaxCapacity", *a.MaxCapacity, capacityRule))
	}
	if a.MinCapacity != nil && a.MaxCapacity != nil && *a.MinCapacity > *a.MaxCapacity {
		errs = append(errs, invalid(field+".MinCapacity", *a.MinCapacity, fmt.Sprintf("must not exceed MaxCapacity %d", *a.MaxCapacity)))
	}
	for _, t := range []struct {
		name string
		at   time.Time
	}{{"StartTime", a.StartTime}, {"EndTime", a.EndTime}} {
		if !t.at.IsZero() && (t.at.UTC().Year() < cronMinYear || t.at.UTC().Year() > cronMaxYear) {
			errs = append(errs, invalid(field+"."+t.name, t.at, fmt.Sprintf("must be the zero time or in %d to %d", cronMinYear, cronMaxYear)))
		}
	}
	if !a.StartTime.IsZero() && !a.EndTime.IsZero() && !a.EndTime.After(a.StartTime) {
		errs = append(errs, invalid(field+".EndTime", a.EndTime, "must be after StartTime"))
	}
	if r, ok := sched.(Rate); ok && !a.StartTime.IsZero() {
		r.Anchor = a.StartTime
		sched = r
	}
	return sched, errs
}

// advance sets a.next to the first run strictly after `after` that lies
// within [StartTime, EndTime], or marks the action done.
func (a *scheduledAction) advance(after time.Time) {
	if !a.StartTime.IsZero() && after.Before(a.StartTime) {
		after = a.StartTime.Add(-time.Nanosecond)
	}
	next, ok := a.schedule.Next(after)
	if !ok || (!a.EndTime.IsZero() && next.After(a.EndTime)) {
		a.done, a.next = true, time.Time{}
		return
	}
	a.next = next
}
