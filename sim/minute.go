package sim

import (
	"time"

	"github.com/ecssim/ecssim/internal/preload"
)

// minuteTicks runs the per-minute work of the world's workloads and
// scalers in one event per phase and whole minute, rather than one event
// per component: the fluid steps of the workloads with one-minute steps
// (PhaseTraffic), every workload's minute of metrics (PhaseMetrics), and
// every scaler's minute (PhaseScaling). Within a phase the components run
// in the order they joined, which is the order their own events ran in:
// each rescheduled itself as it ran, so a minute's events ran in the
// previous minute's order, newcomers last. Work that one of them schedules
// for the same instant runs after all of them, as it ran after all their
// events. So a run does what it did with one event each; only the
// executed events, and so the trace hash, differ. With thousands of
// services this saves the engine two thirds of its events and the cache
// misses of dispatching each one.
type minuteTicks struct {
	w                         *World
	kFluid, kMinute, kScaling Kind
	fluid, minute             []minuteEntry[*Workload]
	scaling                   []minuteEntry[*ServiceScaling]
}

// minuteEntry is a component and the first whole minute it ticks at.
type minuteEntry[T any] struct {
	from time.Duration
	x    T
}

// ticks returns the world's minute ticks, made on first use.
func (w *World) ticks() *minuteTicks {
	if w.minuteTicks == nil {
		mt := &minuteTicks{w: w}
		mt.kFluid = w.sim.Handle("fluid-minute", PhaseTraffic, mt.onFluid)
		mt.kMinute = w.sim.Handle("workload-minute", PhaseMetrics, mt.onMinute)
		mt.kScaling = w.sim.Handle("scaling-minute", PhaseScaling, mt.onScaling)
		w.minuteTicks = mt
	}
	return w.minuteTicks
}

// nextMinute returns the first whole minute after now: a component that
// joins ticks from then on, as its own first event would have.
func (mt *minuteTicks) nextMinute() time.Duration {
	now := mt.w.sim.Elapsed()
	return now - now%time.Minute + time.Minute
}

func (mt *minuteTicks) addFluid(wl *Workload) {
	from := mt.nextMinute()
	if len(mt.fluid) == 0 {
		mt.w.sim.ScheduleAt(mt.kFluid, from, 0)
	}
	mt.fluid = append(mt.fluid, minuteEntry[*Workload]{from, wl})
}

func (mt *minuteTicks) addMinute(wl *Workload) {
	from := mt.nextMinute()
	if len(mt.minute) == 0 {
		mt.w.sim.ScheduleAt(mt.kMinute, from, 0)
	}
	mt.minute = append(mt.minute, minuteEntry[*Workload]{from, wl})
}

func (mt *minuteTicks) addScaling(ss *ServiceScaling) {
	from := mt.nextMinute()
	if len(mt.scaling) == 0 {
		mt.w.sim.ScheduleAt(mt.kScaling, from, 0)
	}
	mt.scaling = append(mt.scaling, minuteEntry[*ServiceScaling]{from, ss})
}

func (mt *minuteTicks) onFluid(uint64) {
	s := mt.w.sim
	now := s.Elapsed()
	s.Schedule(mt.kFluid, time.Minute, 0)
	for i := 0; i < len(mt.fluid); i++ { // a step may add a workload: it joins at a later minute
		if e := mt.fluid[i]; e.from <= now {
			e.x.fluidStep(now)
		}
	}
}

func (mt *minuteTicks) onMinute(uint64) {
	s := mt.w.sim
	now := s.Elapsed()
	s.Schedule(mt.kMinute, time.Minute, 0)
	for i := 0; i < len(mt.minute); i++ {
		if e := mt.minute[i]; e.from <= now {
			e.x.endMinute(now)
		}
	}
}

// onScaling ticks every scaler, dropping those whose service is no longer
// ACTIVE (they stop for good, as their own event stopped), and stops when
// none is left.
func (mt *minuteTicks) onScaling(uint64) {
	s := mt.w.sim
	now, cal := s.Elapsed(), s.Now() // a scaler's tick does not move the clock
	keep := 0
	for i := 0; i < len(mt.scaling); i++ {
		e := mt.scaling[i]
		if i+1 < len(mt.scaling) {
			// The next scaler's line, the head of its chain of loads
			// (scaler, controller, alarms, series, group, rows), which
			// no load of this one's waits for: it arrives while this
			// one's do. Its lines further down were measured slower to
			// load ahead than left to its own tick (preload's doc).
			preload.Keep(uintptr(mt.scaling[i+1].x.due))
		}
		if e.from > now || e.x.tick(s, cal) {
			if keep != i { // unchanged entries stay unwritten: no line dirtied for nothing
				mt.scaling[keep] = e
			}
			keep++
		}
	}
	clear(mt.scaling[keep:])
	mt.scaling = mt.scaling[:keep]
	if keep > 0 {
		s.Schedule(mt.kScaling, time.Minute, 0)
	}
}

// recentLog keeps the most recent entries of a log: every entry when its
// limit is 0, else the last limit in a ring of that size, so a long run's
// log takes a fixed amount of memory once it is full.
type recentLog[T any] struct {
	buf  []T
	head int // index of the oldest entry once the ring is full
}

// preallocLimit is the largest limit for which a log takes its whole
// ring at its first entry: a log of the last few entries fills within a
// simulated day, and one allocation of its final size costs less than
// growing to it by doubling (five allocations and copies for 24 entries,
// each of fresh memory, on every service, on the first day).
const preallocLimit = 128

// add appends x, dropping the oldest entry beyond limit.
func (l *recentLog[T]) add(x T, limit int) {
	if l.buf == nil && limit > 0 && limit <= preallocLimit {
		l.buf = make([]T, 0, limit)
	}
	if limit <= 0 || len(l.buf) < limit {
		l.buf = append(l.buf, x)
		return
	}
	l.buf[l.head] = x
	if l.head++; l.head == len(l.buf) {
		l.head = 0
	}
}

// items returns a copy of the entries, oldest first.
func (l *recentLog[T]) items() []T {
	out := make([]T, 0, len(l.buf))
	out = append(out, l.buf[l.head:]...)
	return append(out, l.buf[:l.head]...)
}
