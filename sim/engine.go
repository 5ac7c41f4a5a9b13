package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/eventq"
	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/internal/preload"
	"github.com/ecssim/ecssim/internal/randstream"
)

// Phase orders the events that fall on the same instant. Lower phases run
// first; within a phase, events run in the order they were scheduled.
type Phase uint8

// The phases, in the order they run within one instant.
const (
	// PhaseLifecycle: task and instance state changes, placement.
	PhaseLifecycle Phase = iota
	// PhaseTraffic: request arrivals, completions and timeouts.
	PhaseTraffic
	// PhaseMetrics: metric sampling and publication.
	PhaseMetrics
	// Phase 3 is vacant: alarms are evaluated at the start of their
	// scaler's PhaseScaling event (see ServiceScaling), so they see the
	// minute's metrics and the decision sees them. It keeps its number so
	// that every later phase keeps its own and recorded trace hashes stay
	// valid.
	_
	// PhaseScaling: alarm evaluation, then scaling decisions.
	PhaseScaling
	// PhaseUser: callbacks scheduled with At and After.
	PhaseUser

	numPhases
)

var phaseNames = [numPhases]string{"lifecycle", "traffic", "metrics", "", "scaling", "user"}

// String returns the phase's name.
func (p Phase) String() string {
	if p < numPhases && phaseNames[p] != "" {
		return phaseNames[p]
	}
	return fmt.Sprintf("Phase(%d)", uint8(p))
}

// valid reports whether p is one of the phases.
func (p Phase) valid() bool { return p < numPhases && phaseNames[p] != "" }

// DefaultStart is the calendar instant of virtual time zero when Config.Start
// is the zero time: midnight UTC on Monday 1 January 2024.
var DefaultStart = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

// DefaultMaxEventsPerInstant is the runaway guard used when
// Config.MaxEventsPerInstant is zero.
const DefaultMaxEventsPerInstant = 1_000_000

// End is the last instant of virtual time, about 292 years after
// Config.Start: an instant or a delay that would reach beyond it (a
// duration of centuries, a time.Time far ahead) saturates here, so the
// clock never wraps round and runs backwards.
const End = time.Duration(math.MaxInt64)

// latestStartYear bounds Config.Start, so that every instant of a run, up
// to End, is a calendar time RFC 3339 can write.
const latestStartYear = 9999 - 293

// Config configures a simulation. The zero value is valid.
type Config struct {
	// Start is the calendar instant of virtual time zero; reports and
	// scheduled scaling read it. It is converted to UTC. Zero means
	// DefaultStart.
	Start time.Time
	// Seed feeds every random stream of the simulation (see Sim.Rand).
	Seed uint64
	// MaxEventsPerInstant bounds the events executed at one instant before
	// the run stops with ErrRunaway, so a zero-delay loop ends in an error
	// instead of a hang. Zero means DefaultMaxEventsPerInstant; it must not be
	// negative.
	MaxEventsPerInstant int
	// MaxEvents bounds the events the simulation executes over its whole
	// life: the next one stops the run with ErrEventLimit. It bounds the
	// work of an untrusted input (a scenario file of a few hundred bytes
	// can ask for a year of a million requests a second) where
	// MaxEventsPerInstant bounds only a loop that stands still. Zero means
	// no limit; it must not be negative.
	MaxEvents int64
	// Observer, if set, is called after every executed event. It must not
	// schedule or cancel events; it may read the simulation.
	Observer func(Event)
}

// Validate reports every problem with c, joined; each is a
// *fielderr.Error matching ErrConfig.
func (c Config) Validate() error {
	l := fielderr.NewList(ErrConfig)
	if c.MaxEventsPerInstant < 0 {
		l.Addf("Config.MaxEventsPerInstant", c.MaxEventsPerInstant, "must be 0 (default %d) or positive", DefaultMaxEventsPerInstant)
	}
	if c.MaxEvents < 0 {
		l.Add("Config.MaxEvents", c.MaxEvents, "must be 0 (no limit) or positive")
	}
	if y := c.Start.UTC().Year(); !c.Start.IsZero() && (y < 1970 || y > latestStartYear) {
		l.Addf("Config.Start", c.Start, "must be the zero time or in the years 1970 to %d", latestStartYear)
	}
	return l.Err()
}

var (
	// ErrConfig marks an invalid Config.
	ErrConfig = errors.New("sim: invalid config")
	// ErrRunaway is returned when more than Config.MaxEventsPerInstant
	// events run at one instant.
	ErrRunaway = errors.New("sim: runaway events at one instant")
	// ErrPast is returned by RunUntil for an instant before Now.
	ErrPast = errors.New("sim: instant is in the past")
	// ErrEventLimit is returned once the simulation has executed
	// Config.MaxEvents events and another is due.
	ErrEventLimit = errors.New("sim: event limit reached")
)

// Kind identifies a registered event handler; see Sim.Handle.
type Kind uint32

// Event describes one executed event, as an Observer sees it.
type Event struct {
	At    time.Duration // virtual time since Config.Start
	Phase Phase
	Seq   uint64 // scheduling order; unique within a Sim
	Kind  Kind
	Name  string // the kind's name
	Arg   uint64 // the argument the event was scheduled with
}

type kindInfo struct {
	name  string
	phase Phase
	fn    func(arg uint64)
	// prefetch, when set, asks the processor for the memory fn will read
	// for arg (see lookAhead).
	prefetch func(arg uint64, deep bool)
}

// slot is the payload of one pending event. A slot is reused after its
// event runs or is stopped; epoch tells live Timer handles from stale ones,
// gen tells the live queue entry from superseded ones.
type slot struct {
	kind    Kind
	gen     uint32
	epoch   uint32
	pending bool
	arg     uint64
	fn      func() // only for kindFunc events
}

const kindFunc Kind = 0 // At and After callbacks

const (
	phaseShift = 56
	seqMask    = 1<<phaseShift - 1
)

// Sim is one simulation: a virtual clock, the pending events and the random
// streams. A Sim is not safe for concurrent use; run independent Sims in
// parallel instead.
type Sim struct {
	cfg   Config
	start time.Time
	now   int64
	seq   uint64

	queue eventq.Queue
	slots []slot
	free  []uint32
	stale int // queue entries whose slot generation moved on

	kinds   []kindInfo
	streams map[string]*rand.Rand

	executed  uint64
	execOrd   uint64 // order word of the last executed event, at time now
	trace     uint64
	instantAt int64
	atInstant int
	err       error
	lookahead bool // a kind has a prefetch function (setPrefetch)
}

// New returns a simulation at virtual time zero, or the problems with cfg.
func New(cfg Config) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Start.IsZero() {
		cfg.Start = DefaultStart
	}
	if cfg.MaxEventsPerInstant == 0 {
		cfg.MaxEventsPerInstant = DefaultMaxEventsPerInstant
	}
	s := &Sim{
		cfg:     cfg,
		start:   cfg.Start.UTC(),
		streams: make(map[string]*rand.Rand),
		trace:   traceOffset,
	}
	s.kinds = append(s.kinds, kindInfo{name: "func", phase: PhaseUser})
	return s, nil
}

// Now returns the current virtual instant as a calendar time in UTC.
func (s *Sim) Now() time.Time { return s.start.Add(time.Duration(s.now)) }

// Elapsed returns the virtual time since Config.Start.
func (s *Sim) Elapsed() time.Duration { return time.Duration(s.now) }

// Start returns the calendar instant of virtual time zero.
func (s *Sim) Start() time.Time { return s.start }

// Seed returns the seed of the simulation's random streams.
func (s *Sim) Seed() uint64 { return s.cfg.Seed }

// Executed returns the number of events run so far.
func (s *Sim) Executed() uint64 { return s.executed }

// Pending returns the number of scheduled events that have not run and were
// not stopped.
func (s *Sim) Pending() int { return s.queue.Len() - s.stale }

// TraceHash returns a hash over every executed event (its instant, phase,
// sequence number, kind and argument). Two runs of the same scenario with the
// same seed have the same trace hash; it is the determinism check.
func (s *Sim) TraceHash() uint64 { return s.trace }

// Rand returns the random stream called name, created on first use from
// Config.Seed and name. Streams are independent: draws from one never shift
// another. The same name always returns the same *rand.Rand.
func (s *Sim) Rand(name string) *rand.Rand {
	if r, ok := s.streams[name]; ok {
		return r
	}
	r := randstream.New(s.cfg.Seed, name)
	s.streams[name] = r
	return r
}

// Handle registers an event kind: a name for traces and errors, the phase it
// runs in, and the function that runs it with the argument it was scheduled
// with. Components register their kinds once and schedule them with Schedule;
// unlike At and After this allocates nothing per event.
func (s *Sim) Handle(name string, phase Phase, fn func(arg uint64)) Kind {
	if fn == nil {
		panic("sim: Handle with a nil function")
	}
	if !phase.valid() {
		panic(fmt.Sprintf("sim: Handle(%q) with unknown phase %d", name, phase))
	}
	s.kinds = append(s.kinds, kindInfo{name: name, phase: phase, fn: fn})
	return Kind(len(s.kinds) - 1)
}

// setPrefetch gives kind k a function that asks the processor for the
// memory k's handler reads for an argument, and turns on lookAhead: with
// deep false, the lines of the handler's first object (found from the
// argument); with deep true, a step later, those lines having come, what
// they point to. The function must only ask (preload) and read, never
// change anything: it runs for events that may yet be stopped or run
// later than it thinks.
func (s *Sim) setPrefetch(k Kind, fn func(arg uint64, deep bool)) {
	s.kinds[k].prefetch = fn
	s.lookahead = true
}

// lookAhead runs before each event's handler and asks the processor for
// the memory of the three events after it, a stage each, which the
// handlers' runs give time to arrive: the third's slot (its kind and
// argument); through the second's kind's prefetch function, its first
// object's lines (its slot was asked for a step earlier); and through
// the first's, what those lines point to. With thousands of services
// the events of a service find its objects out of the cache, each miss in
// turn as the chain of pointers goes: at 5,000 services the events cost
// about half of what a service·day costs more than at 100
// (BENCHMARKS.md, issue 13, round 23). What it asks for may go unread (a
// handler may push an event ahead of them, or stop one): that costs the
// asking and changes nothing.
func (s *Sim) lookAhead() {
	var next [3]eventq.Entry
	n := s.queue.Peek(next[:])
	if n == 3 {
		p := uintptr(unsafe.Pointer(&s.slots[uint32(next[2].Ref>>32)]))
		preload.At2(p, p)
	}
	for i := min(n, 2) - 1; i >= 0; i-- {
		if sl := &s.slots[uint32(next[i].Ref>>32)]; sl.gen == uint32(next[i].Ref) {
			if pf := s.kinds[sl.kind].prefetch; pf != nil {
				pf(sl.arg, i == 0)
			}
		}
	}
}

// KindName returns the name k was registered with.
func (s *Sim) KindName(k Kind) string { return s.kinds[k].name }

// Schedule runs an event of kind k with arg after delay d (a negative delay
// counts as zero; one past End saturates there).
func (s *Sim) Schedule(k Kind, d time.Duration, arg uint64) Timer {
	return s.schedule(k, s.after(d), arg, nil)
}

// after returns the instant d after now: now for a negative d, End for one
// that would reach past it. Every delay the engine adds to the clock goes
// through here, so the sum never wraps.
func (s *Sim) after(d time.Duration) int64 {
	if d <= 0 {
		return s.now
	}
	if int64(d) > math.MaxInt64-s.now {
		return math.MaxInt64
	}
	return s.now + int64(d)
}

// ScheduleAt runs an event of kind k with arg at virtual time at (an instant
// already past counts as now).
func (s *Sim) ScheduleAt(k Kind, at time.Duration, arg uint64) Timer {
	return s.schedule(k, max(int64(at), s.now), arg, nil)
}

// After runs fn in PhaseUser after delay d (a negative delay counts as zero;
// one past End saturates there). A nil fn is a programming error and
// panics.
func (s *Sim) After(d time.Duration, fn func()) Timer {
	return s.schedule(kindFunc, s.after(d), 0, fn)
}

// At runs fn in PhaseUser at calendar instant t (an instant already past
// counts as now, one past End is End). A nil fn is a programming error and
// panics.
func (s *Sim) At(t time.Time, fn func()) Timer {
	return s.schedule(kindFunc, max(int64(t.Sub(s.start)), s.now), 0, fn)
}

func (s *Sim) schedule(k Kind, at int64, arg uint64, fn func()) Timer {
	if k == kindFunc && fn == nil {
		panic("sim: At or After with a nil function")
	}
	var i uint32
	if n := len(s.free); n > 0 {
		i = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		s.slots = append(s.slots, slot{})
		i = uint32(len(s.slots) - 1)
	}
	sl := &s.slots[i]
	sl.kind, sl.arg, sl.fn, sl.pending = k, arg, fn, true
	s.push(i, at)
	return Timer{s: s, slot: i, epoch: sl.epoch}
}

// push queues slot i's current generation at virtual time at.
func (s *Sim) push(i uint32, at int64) {
	s.seq++
	sl := &s.slots[i]
	ord := uint64(s.kinds[sl.kind].phase)<<phaseShift | s.seq
	// An event for the current instant in a phase that has already run is
	// promoted to the running phase: it runs next within this instant, after
	// the events already queued there. Time never runs backwards.
	if at == s.now && ord < s.execOrd {
		ord = s.execOrd&^seqMask | s.seq
	}
	s.queue.Push(eventq.Entry{At: at, Ord: ord, Ref: uint64(i)<<32 | uint64(sl.gen)})
}

func (s *Sim) release(i uint32) {
	sl := &s.slots[i]
	sl.pending = false
	sl.fn = nil
	sl.gen++
	sl.epoch++
	s.free = append(s.free, i)
}

// Step runs the next event. It returns false when no event is pending, and
// an error (ErrRunaway) if the runaway guard tripped, now or earlier.
func (s *Sim) Step() (bool, error) { return s.step(1<<63 - 1) }

func (s *Sim) step(limit int64) (bool, error) {
	if s.err != nil {
		return false, s.err
	}
	for {
		e, ok := s.queue.PopUntil(limit)
		if !ok {
			return false, nil
		}
		i, gen := uint32(e.Ref>>32), uint32(e.Ref)
		sl := &s.slots[i]
		if sl.gen != gen {
			s.stale--
			continue
		}
		if s.cfg.MaxEvents > 0 && s.executed >= uint64(s.cfg.MaxEvents) {
			s.err = fmt.Errorf("%w: %d events executed by %s (virtual %v); Config.MaxEvents allows no more",
				ErrEventLimit, s.executed, s.start.Add(time.Duration(s.now)).Format(time.RFC3339Nano), time.Duration(s.now))
			return false, s.err
		}
		if e.At == s.instantAt {
			s.atInstant++
			if s.atInstant > s.cfg.MaxEventsPerInstant {
				s.err = fmt.Errorf("%w: more than %d events at %s (virtual %v), the last of kind %q; look for an event that reschedules itself with zero delay",
					ErrRunaway, s.cfg.MaxEventsPerInstant, s.start.Add(time.Duration(e.At)).Format(time.RFC3339Nano),
					time.Duration(e.At), s.kinds[sl.kind].name)
				return false, s.err
			}
		} else {
			s.instantAt, s.atInstant = e.At, 1
		}
		s.now, s.execOrd = e.At, e.Ord
		s.executed++
		k, arg, fn := sl.kind, sl.arg, sl.fn
		s.release(i)
		s.trace = traceMix(traceMix(traceMix(traceMix(s.trace, uint64(e.At)), e.Ord), uint64(k)), arg)
		if s.lookahead {
			s.lookAhead()
		}
		if fn != nil {
			fn()
		} else {
			s.kinds[k].fn(arg)
		}
		if s.cfg.Observer != nil {
			s.cfg.Observer(Event{
				At: time.Duration(e.At), Phase: Phase(e.Ord >> phaseShift), Seq: e.Ord & seqMask,
				Kind: k, Name: s.kinds[k].name, Arg: arg,
			})
		}
		return true, nil
	}
}

// RunUntil runs every event due at or before t, then leaves the clock at t
// (at End for a t beyond it). Splitting one RunUntil into several with
// increasing instants runs the same events in the same order.
func (s *Sim) RunUntil(t time.Time) error {
	limit := int64(t.Sub(s.start)) // Sub saturates: a t centuries ahead is End
	if limit < s.now {
		return fmt.Errorf("%w: RunUntil(%s) but the simulation is at %s",
			ErrPast, t.UTC().Format(time.RFC3339Nano), s.Now().Format(time.RFC3339Nano))
	}
	return s.runTo(limit)
}

// runTo runs every event due at or before limit, then leaves the clock
// there.
func (s *Sim) runTo(limit int64) error {
	for {
		ok, err := s.step(limit)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
	}
	if limit > s.now {
		s.now, s.execOrd = limit, 0
	}
	return nil
}

// RunFor runs the simulation for d of virtual time, up to End at most; see
// RunUntil. A negative d is an error (ErrPast).
func (s *Sim) RunFor(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%w: RunFor(%v) would end before %s",
			ErrPast, d, s.Now().Format(time.RFC3339Nano))
	}
	return s.runTo(s.after(d))
}

// Run runs events until none is pending. A model that always schedules
// another event never ends; bound it with RunUntil or RunFor instead.
func (s *Sim) Run() error {
	for {
		ok, err := s.step(1<<63 - 1)
		if err != nil || !ok {
			return err
		}
	}
}

// compact drops cancelled entries from the queue once they outnumber the
// live ones, so stopping and resetting timers never leaks queue space.
func (s *Sim) compact() {
	if s.stale <= 64 || s.stale <= s.queue.Len()/2 {
		return
	}
	s.queue.Filter(func(e eventq.Entry) bool {
		return s.slots[uint32(e.Ref>>32)].gen == uint32(e.Ref)
	})
	s.stale = 0
}

// Timer is a handle on a scheduled event. The zero Timer refers to no event.
// Timers are small values; copying one copies the handle.
type Timer struct {
	s     *Sim
	slot  uint32
	epoch uint32
}

func (t Timer) live() *slot {
	if t.s == nil {
		return nil
	}
	sl := &t.s.slots[t.slot]
	if sl.epoch != t.epoch || !sl.pending {
		return nil
	}
	return sl
}

// Pending reports whether the event is still scheduled.
func (t Timer) Pending() bool { return t.live() != nil }

// Stop cancels the event. It returns true if the call stopped it, false if it
// had already run or been stopped.
func (t Timer) Stop() bool {
	if t.live() == nil {
		return false
	}
	t.s.release(t.slot)
	t.s.stale++
	t.s.compact()
	return true
}

// Reset moves a pending event to d after now (a negative delay counts as
// zero, one past End is End), behind events already scheduled for that
// instant and phase. It
// returns false, and does nothing, if the event has already run or been
// stopped: schedule a new one instead.
func (t Timer) Reset(d time.Duration) bool {
	sl := t.live()
	if sl == nil {
		return false
	}
	sl.gen++
	t.s.stale++
	t.s.push(t.slot, t.s.after(d))
	t.s.compact()
	return true
}

// FNV-style mixing for the trace hash: cheap, order-sensitive, and enough to
// tell two event sequences apart.
const (
	traceOffset = 14695981039346656037
	tracePrime  = 1099511628211
)

func traceMix(h, x uint64) uint64 {
	h ^= x
	h *= tracePrime
	h ^= h >> 29
	return h
}
