package sim

import (
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/autoscale"
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
//
// Each pass of at least pipelineFrom components is a software pipeline:
// while it works on one component, it asks the processor
// (preload.At8 and its kin) for the memory of the next few, a stage at a time,
// each stage reading addresses only from lines that the stage before
// asked for some steps earlier. With thousands of
// services a minute, a component's memory has left the cache by the next
// minute; this way it is on its way before the pass gets there, and the
// pass no longer waits for memory once a link of each chain of pointers
// (BENCHMARKS.md, issue 13, round 12).
type minuteTicks struct {
	w                         *World
	kFluid, kMinute, kScaling Kind
	fluid, minute             []minuteEntry[*Workload]
	scaling                   []scalingEntry
	// The open block of latency lanes (latLane): its slots, its lanes
	// and how many of them are handed out.
	latSlots          []fluidLatency
	latLanes, latUsed int
}

// maxLatLanes is the most lanes of a block of latency slots: a row of
// slots (slot j of every lane) fills most of a page, 4,080 bytes.
const maxLatLanes = 4096 / int(unsafe.Sizeof(fluidLatency{}))

// latLane hands out the next lane of the open block of latency slots.
// The first block has one lane and each next one twice as many as the
// last, up to maxLatLanes, so that a world with a few workloads keeps at
// most about as many lanes spare as it uses.
func (mt *minuteTicks) latLane() latLane {
	if mt.latUsed == mt.latLanes {
		mt.latLanes = min(max(2*mt.latLanes, 1), maxLatLanes)
		mt.latSlots, mt.latUsed = make([]fluidLatency, maxFluidLatencies*mt.latLanes), 0
	}
	k := mt.latUsed
	mt.latUsed++
	return latLane{first: &mt.latSlots[k], stride: int32(mt.latLanes) * int32(unsafe.Sizeof(fluidLatency{}))}
}

// minuteEntry is a component and the first whole minute it ticks at.
type minuteEntry[T any] struct {
	from time.Duration
	x    T
}

// scalingEntry is a scaler's entry, with where its next minute reads
// memory when the scaler is an *autoscale.Controller (the zero Lines
// otherwise), taken again after a tick every linesEvery minutes.
type scalingEntry struct {
	minuteEntry[*ServiceScaling]
	lines autoscale.Lines
}

// refreshLines takes e's Lines again, writing the entry only when they
// changed (rarely after the first minutes: the alarms find their series
// and group, then keep them).
func (e *scalingEntry) refreshLines() {
	if c, ok := e.x.scaler.(*autoscale.Controller); ok {
		if l := c.Lines(); l != e.lines {
			e.lines = l
		}
	}
}

// linesEvery and completeLinesEvery are how often, in minutes, the
// scalers' pass takes their controllers' Lines again: every linesEvery
// until they name everything a minute reads (autoscale.Lines.Complete),
// every completeLinesEvery after. They change in a controller's first
// minutes (its alarms find their series and group) and rarely after; a
// stale Lines only asks for memory nobody reads, which costs time but
// changes nothing. Taking them every minute cost about 2 % of a day at
// 5,000 services (BENCHMARKS.md, issue 13, round 14); every fourth
// minute, the controller's line it reads was still 0.45 of the 37 lines
// a service·minute reads from memory (round 19).
const (
	linesEvery         = 4
	completeLinesEvery = 64
)

// How many components ahead each stage of the three passes asks for
// memory. A stage reads addresses from the lines the stage before asked
// for, so each gap is the time those lines have to arrive. With thousands
// of services the processor has as many misses in flight as it takes, and
// a line comes later than an idle machine's latency says: on an Intel
// host, at (3, 1), (3, 2, 1) and (2, 1), the next stage's loads waited
// for lines asked for a step earlier. At these distances the prefetch
// instructions' own wait fell from 15 % to 12 % of a 5,000-service day,
// and no measurement found a day slower (the gain, about 5 %, is near
// what that shared host can resolve: BENCHMARKS.md, issue 13, round 18).
// What 24 workloads' steps read, about 240 lines (15 KiB), fits in a
// first-level cache of 32 KiB with room to spare.
const (
	fluidLinesAhead, fluidDataAhead                     = 24, 8
	minuteLinesAhead, minuteGroupAhead, minuteRowsAhead = 24, 12, 4
	scalingLinesAhead, scalingDataAhead                 = 8, 3
)

// pipelineFrom is the fewest components a pass must have for it to ask
// for their memory ahead. A service's minute reads about 3 KiB; with a
// few dozen services a minute's memory is still in the cache at the next
// minute, and asking for it again only costs the asking: at 10 services,
// about 5 % of a day (BENCHMARKS.md, issue 13, round 12).
const pipelineFrom = 128

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
	if wl.fluidLat.first == nil { // none waits yet: a workload joins once, before its first step
		wl.fluidLat = mt.latLane()
	}
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
	mt.scaling = append(mt.scaling, scalingEntry{minuteEntry: minuteEntry[*ServiceScaling]{from, ss}})
}

func (mt *minuteTicks) onFluid(uint64) {
	s := mt.w.sim
	now := s.Elapsed()
	s.Schedule(mt.kFluid, time.Minute, 0)
	ahead := len(mt.fluid) >= pipelineFrom
	for i := 0; i < len(mt.fluid); i++ { // a step may add a workload: it joins at a later minute
		// Two stages: the workload's lines, then its traffic source and
		// the slot its step books latencies in (their addresses are in
		// those lines).
		if n := len(mt.fluid); ahead {
			if j := i + fluidLinesAhead; j < n {
				mt.fluid[j].x.prefetchStep()
			}
			if j := i + fluidDataAhead; j < n {
				mt.fluid[j].x.prefetchFluidData()
			}
		}
		if e := mt.fluid[i]; e.from <= now {
			e.x.fluidStep(now)
		}
	}
}

func (mt *minuteTicks) onMinute(uint64) {
	s := mt.w.sim
	now := s.Elapsed()
	s.Schedule(mt.kMinute, time.Minute, 0)
	ahead := len(mt.minute) >= pipelineFrom
	for i := 0; i < len(mt.minute); i++ {
		// Three stages: the workload's lines, its group's lines (the
		// address is in those), the group's newest rows (the addresses
		// are in those).
		if n := len(mt.minute); ahead {
			if j := i + minuteLinesAhead; j < n {
				mt.minute[j].x.prefetchMinute()
			}
			if j := i + minuteGroupAhead; j < n {
				mt.minute[j].x.group.PrefetchLines()
			}
			if j := i + minuteRowsAhead; j < n {
				mt.minute[j].x.group.PrefetchRows()
			}
		}
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
	keep, ahead := 0, len(mt.scaling) >= pipelineFrom
	minute := now / time.Minute
	refresh, refreshAll := minute%linesEvery == 0, minute%completeLinesEvery == 0
	for i := 0; i < len(mt.scaling); i++ {
		// Two stages: the scaler's line and its controller's Lines, then
		// the alarms' windows and the group's rows (the addresses are in
		// those lines).
		if n := len(mt.scaling); ahead {
			if j := i + scalingLinesAhead; j < n {
				e := &mt.scaling[j]
				e.lines.PrefetchWith(uintptr(unsafe.Pointer(e.x)))
			}
			if j := i + scalingDataAhead; j < n {
				mt.scaling[j].lines.PrefetchData()
			}
		}
		if e := &mt.scaling[i]; e.from > now || e.x.tick(s, cal, &e.lines) {
			// Indexed anew: a tick may have grown the list. Unchanged
			// entries stay unwritten: no line dirtied for nothing. A
			// pass too short to ask for memory ahead keeps the Lines
			// too, and evaluates through them: without them a
			// controller loads its alarms' memory first
			// (metrics.Preload), which a few dozen services a minute
			// still have in the cache (6 % of the instructions at 100
			// services: BENCHMARKS.md, issue 13, round 19).
			if refresh && (refreshAll || !mt.scaling[i].lines.Complete()) {
				mt.scaling[i].refreshLines()
			}
			if keep != i {
				mt.scaling[keep] = mt.scaling[i]
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
