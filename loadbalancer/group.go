package loadbalancer

import (
	"fmt"
	"math"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// never marks an instant that is not scheduled.
const never int64 = math.MaxInt64

// after returns the instant d after n (nanoseconds since the Unix epoch),
// or never when that is beyond what an int64 holds: a FirstCheckAfter of
// centuries schedules no check rather than one in the past.
func after(n int64, d time.Duration) int64 {
	if d > 0 && n > never-int64(d) {
		return never
	}
	return n + int64(d)
}

// Target describes a target to register.
type Target struct {
	// ID is the caller's dense, non-negative integer for the target (the
	// hub maps each ECS task to one), at most MaxTargetID. The group keeps
	// per-ID slices, so IDs should be small and reused.
	ID int
	// Zone is the target's availability zone, for example "us-east-1a".
	// Zones are numbered in the order they are first seen.
	Zone string
	// FirstCheckAfter is the delay from registration to the first health
	// check; zero means one HealthCheck.Interval. A hub that wants the
	// first check at a uniform point in the interval draws it itself.
	FirstCheckAfter time.Duration
}

// target is the group's record of one target ID.
type target struct {
	zone     int32
	known    bool // has ever been registered or had a response set
	state    State
	reason   Reason
	response Response
	passes   int // consecutive passing checks
	fails    int // consecutive failing checks

	nextCheck  int64 // start of the next health check; never if none
	outcomeAt  int64 // when a timed-out check fails; never if none
	drainUntil int64 // end of the deregistration delay; never if none
	drainedAt  int64 // when deregistration completed; never if not yet

	slowFrom, slowUntil int64 // slow start window; slowUntil 0 if none
	healthySince        int64 // when the target last became healthy

	// dormant marks a healthy target that answers Pass: its checks change
	// nothing, so the group stops waking for them. nextCheck still holds a
	// point of its check grid; SetResponse catches it up and wakes the
	// target when its answer changes.
	dormant bool
}

// wake is the earliest instant at which the target needs the group's
// attention.
func (t *target) wake() int64 {
	if t.dormant {
		return min(t.outcomeAt, t.drainUntil)
	}
	return min(t.nextCheck, t.outcomeAt, t.drainUntil)
}

// TargetGroup is one ELB target group: its targets, their health, their
// requests in flight and the routing state. Methods that depend on time take
// now; the group keeps no clock. A TargetGroup is not safe for concurrent
// use.
type TargetGroup struct {
	// What a fluid workload reads every minute comes first, together, so
	// that thousands of groups a minute touch one cache line of each.
	counts    Counts
	rrCursors int // RoundRobinCursors: set from cfg, and again when a zone joins

	cfg Config

	targets  []target
	inFlight []int32 // requests in flight per target ID

	zoneNames []string
	zoneIndex map[string]int32

	// Wake-up schedule: a binary min-heap of target IDs ordered by
	// (targets[id].wake(), id); heapPos[id] is the ID's index or -1.
	heap    []int32
	heapPos []int32

	// advanced is the latest instant Advance has run to: every check at or
	// before it has been applied.
	advanced int64

	router router

	onChange func(Counts, int) // OnChange's
}

// New returns an empty target group, or an error matching ErrInvalidConfig
// that lists every problem with cfg.
func New(cfg Config) (*TargetGroup, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	g := &TargetGroup{cfg: cfg.withDefaults(), zoneIndex: map[string]int32{}}
	g.router.dirty = true
	g.rrCursors = g.roundRobinCursors()
	return g, nil
}

// Config returns the group's configuration with every default filled in.
func (g *TargetGroup) Config() Config { return g.cfg }

// OnChange sets f to be called with the group's Counts and
// RoundRobinCursors now and after every change of either, so that a
// caller that reads them often (a fluid workload, every minute, over
// thousands of groups) can keep them in its own memory instead of
// reading the group's. A group calls one function; nil stops the calls.
func (g *TargetGroup) OnChange(f func(c Counts, roundRobinCursors int)) {
	g.onChange = f
	g.changed()
}

// changed calls OnChange's function.
func (g *TargetGroup) changed() {
	if g.onChange != nil {
		g.onChange(g.counts, g.rrCursors)
	}
}

// Counts returns the number of targets in each state.
func (g *TargetGroup) Counts() Counts { return g.counts }

// Target returns a snapshot of target id; ok is false if the ID has never
// been registered.
func (g *TargetGroup) Target(id int) (info TargetInfo, ok bool) {
	if id < 0 || id >= len(g.targets) || !g.targets[id].known {
		return TargetInfo{}, false
	}
	t := &g.targets[id]
	info = TargetInfo{
		ID:       id,
		Zone:     g.zoneNames[t.zone],
		State:    t.state,
		Reason:   t.reason,
		InFlight: int(g.inFlight[id]),
	}
	if t.slowUntil != 0 {
		info.SlowStartUntil = instant(t.slowUntil)
	}
	if t.drainedAt != never {
		info.DrainedAt = instant(t.drainedAt)
	}
	if t.drainUntil != never {
		info.DrainingUntil = instant(t.drainUntil)
	}
	return info, true
}

// instant converts internal nanoseconds since the Unix epoch to UTC time.
func instant(ns int64) time.Time { return time.Unix(0, ns).UTC() }

// grow makes room for target id.
func (g *TargetGroup) grow(id int) error {
	if id < 0 || id > MaxTargetID {
		return fielderr.New(ErrInvalidTarget, "Target.ID", id, fmt.Sprintf("must be from 0 to MaxTargetID (%d)", MaxTargetID))
	}
	if c := cap(g.targets); id >= c {
		// The four per-target int32 arrays share one allocation: two
		// objects per growth instead of five (none holds a pointer).
		c = max(id+1, 2*c, minTargets)
		g.targets = append(make([]target, 0, c), g.targets...)
		block := make([]int32, 4*c)
		g.inFlight = append(block[0:0:c], g.inFlight...)
		g.heapPos = append(block[c:c:2*c], g.heapPos...)
		g.router.pool = append(block[2*c:2*c:3*c], g.router.pool...)
		g.router.lorPos = append(block[3*c:3*c:4*c], g.router.lorPos...)
	}
	for len(g.targets) <= id {
		g.targets = append(g.targets, target{
			nextCheck: never, outcomeAt: never, drainUntil: never, drainedAt: never,
		})
		g.inFlight = append(g.inFlight, 0)
		g.heapPos = append(g.heapPos, -1)
		g.router.pool = append(g.router.pool, -1)
		g.router.lorPos = append(g.router.lorPos, 0)
	}
	return nil
}

// minTargets is the room a group takes at its first target: a service's
// group of a few tasks then grows once or twice, not at 1, 2, 4 and 8.
const minTargets = 8

// zoneOf interns a zone name.
func (g *TargetGroup) zoneOf(name string) int32 {
	if z, ok := g.zoneIndex[name]; ok {
		return z
	}
	z := int32(len(g.zoneNames))
	g.zoneNames = append(g.zoneNames, name)
	g.zoneIndex[name] = z
	g.rrCursors = g.roundRobinCursors() // Nodes may count the zones; Register's setState tells OnChange
	return z
}

// setState moves target id to state s with reason r, keeping the counts and
// the routing state in step.
func (g *TargetGroup) setState(id int, s State, r Reason) {
	t := &g.targets[id]
	g.count(t.state, -1)
	g.count(s, +1)
	t.state, t.reason = s, r
	g.router.dirty = true
	g.changed()
}

// count adds d to the counter of state s.
func (g *TargetGroup) count(s State, d int) {
	switch s {
	case Initial:
		g.counts.Initial += d
	case Healthy:
		g.counts.Healthy += d
	case Unhealthy:
		g.counts.Unhealthy += d
	case Draining:
		g.counts.Draining += d
	}
}

// Register registers a target at now. It enters Initial
// (Elb.RegistrationInProgress) and is first checked after
// tgt.FirstCheckAfter. Registering a target that is registered or draining
// is an error matching ErrAlreadyRegistered; an unused target may be
// registered again, keeping its requests in flight. The first check is a
// new wake-up: ask NextWake after registering.
func (g *TargetGroup) Register(now time.Time, tgt Target) error {
	if err := g.grow(tgt.ID); err != nil {
		return err
	}
	if tgt.FirstCheckAfter < 0 {
		return fielderr.New(ErrInvalidTarget, fmt.Sprintf("Target(%d).FirstCheckAfter", tgt.ID), tgt.FirstCheckAfter, "must not be negative")
	}
	t := &g.targets[tgt.ID]
	if t.state != Unused {
		return fmt.Errorf("%w: target %d is %v", ErrAlreadyRegistered, tgt.ID, t.state)
	}
	first := tgt.FirstCheckAfter
	if first == 0 {
		first = g.cfg.HealthCheck.Interval
	}
	n := now.UnixNano()
	t.known = true
	t.zone = g.zoneOf(tgt.Zone)
	t.passes, t.fails, t.dormant = 0, 0, false
	t.nextCheck, t.outcomeAt, t.drainUntil, t.drainedAt = after(n, first), never, never, never
	t.slowFrom, t.slowUntil = 0, 0
	g.setState(tgt.ID, Initial, ReasonRegistrationInProgress)
	g.reschedule(tgt.ID)
	return nil
}

// SetResponse sets how target id answers its health checks from now on;
// the zero Response is Pass. It may be set before the target is registered.
// Checks that start at or after now (and after the last Advance) get the
// new answer.
func (g *TargetGroup) SetResponse(now time.Time, id int, r Response) error {
	if err := g.grow(id); err != nil {
		return err
	}
	if r > NoResponse {
		return fielderr.New(ErrInvalidTarget, fmt.Sprintf("target %d response", id), r, "must be Pass, Refuse or NoResponse")
	}
	t := &g.targets[id]
	t.response = r
	if t.dormant && r != Pass {
		// The checks skipped while dormant were passes of a healthy target
		// and changed nothing; the next one to matter is the first on the
		// grid at or after now, and after the instant Advance has reached.
		t.dormant = false
		from := max(now.UnixNano(), g.advanced+1)
		if iv := int64(g.cfg.HealthCheck.Interval); t.nextCheck < from {
			t.nextCheck += (from - t.nextCheck + iv - 1) / iv * iv
		}
		g.reschedule(id)
	}
	return nil
}

// Deregister starts deregistering target id at now: it becomes Draining and
// receives no new requests. Deregistration completes when the target has
// nothing in flight or when the deregistration delay elapses, whichever is
// first; drained reports whether it completed at once. Otherwise the caller
// learns of completion from End (returns true) or from Advance (the
// transition to Unused at now + delay). The target shows as Draining until
// the delay elapses even if deregistration completed earlier, as ELB does.
func (g *TargetGroup) Deregister(now time.Time, id int) (drained bool, err error) {
	if id < 0 || id >= len(g.targets) || !g.targets[id].state.registered() {
		st := Unused
		if id >= 0 && id < len(g.targets) {
			st = g.targets[id].state
		}
		return false, fmt.Errorf("%w: target %d is %v", ErrNotRegistered, id, st)
	}
	n := now.UnixNano()
	t := &g.targets[id]
	t.nextCheck, t.outcomeAt, t.dormant = never, never, false
	t.slowUntil = 0
	if g.cfg.DeregistrationDelay == 0 {
		t.drainedAt = n
		g.setState(id, Unused, ReasonNotRegistered)
		g.reschedule(id)
		return true, nil
	}
	t.drainUntil = after(n, g.cfg.DeregistrationDelay)
	g.setState(id, Draining, ReasonDeregistrationInProgress)
	if g.inFlight[id] == 0 {
		t.drainedAt = n
		drained = true
	}
	g.reschedule(id)
	return drained, nil
}

// Begin records that a request routed to target id has been sent to it. It
// must be called for every routed request before the next Route, or least
// outstanding requests cannot see it. Begin panics if id is beyond every ID
// the group has seen (a programmer error on the request path).
func (g *TargetGroup) Begin(id int) {
	g.inFlight[id]++
	if p := g.router.pool[id]; p >= 0 && g.cfg.Algorithm == LeastOutstandingRequests {
		g.router.pools[p].lor.increment(int32(id), int(g.inFlight[id])-1, g.router.lorPos)
	}
}

// End records that a request to target id has finished at now. It returns
// true when this completes the deregistration of a draining target (its
// last request in flight ended before the delay elapsed), the moment a hub
// may stop the task. End without a matching Begin is a programmer error and
// panics: in-flight counts never go negative.
func (g *TargetGroup) End(now time.Time, id int) (drained bool) {
	if g.inFlight[id] <= 0 {
		panic(fmt.Sprintf("loadbalancer: End(target %d) without a matching Begin", id))
	}
	g.inFlight[id]--
	if p := g.router.pool[id]; p >= 0 && g.cfg.Algorithm == LeastOutstandingRequests {
		g.router.pools[p].lor.decrement(int32(id), int(g.inFlight[id])+1, g.router.lorPos)
	}
	t := &g.targets[id]
	if g.inFlight[id] == 0 && t.state == Draining && t.drainedAt == never {
		t.drainedAt = now.UnixNano()
		return true
	}
	return false
}

// InFlight returns the number of requests in flight at target id (zero for
// an unknown ID).
func (g *TargetGroup) InFlight(id int) int {
	if id < 0 || id >= len(g.inFlight) {
		return 0
	}
	return int(g.inFlight[id])
}

// NextWake returns the next instant at which Advance has work to do (a
// health check is sent or times out, or a deregistration delay elapses);
// ok is false if nothing is scheduled.
func (g *TargetGroup) NextWake() (at time.Time, ok bool) {
	if len(g.heap) == 0 {
		return time.Time{}, false
	}
	return instant(g.targets[g.heap[0]].wake()), true
}

// Advance performs everything due at or before now, in time order (ties by
// target ID): it sends the health checks that are due, answering each from
// the target's Response; applies the checks that time out; and ends the
// deregistration delays that elapse. It appends every state change to buf
// and returns it, with the next instant at which it has work (ok false if
// none). Health state follows ELB:
//
//	initial   --InitialHealthyThreshold passes-->  healthy
//	initial   --UnhealthyThreshold failures----->  unhealthy
//	healthy   --UnhealthyThreshold failures----->  unhealthy
//	unhealthy --HealthyThreshold passes--------->  healthy
//	draining  --deregistration delay elapses---->  unused
//
// Counts are of consecutive checks; a result of the other kind resets them.
// Checks start every Interval regardless of how long a check takes; a
// NoResponse check fails Timeout after it starts.
func (g *TargetGroup) Advance(now time.Time, buf []Transition) (_ []Transition, next time.Time, ok bool) {
	n := now.UnixNano()
	g.advanced = max(g.advanced, n)
	for len(g.heap) > 0 {
		id := int(g.heap[0])
		t := &g.targets[id]
		at := t.wake()
		if at > n {
			break
		}
		from := t.state
		switch at {
		case t.drainUntil:
			t.drainUntil = never
			if t.drainedAt == never {
				t.drainedAt = at
			}
			g.setState(id, Unused, ReasonNotRegistered)
		case t.outcomeAt:
			t.outcomeAt = never
			g.fail(id, at, ReasonTimeout)
		case t.nextCheck:
			t.nextCheck = after(at, g.cfg.HealthCheck.Interval)
			switch t.response {
			case Pass:
				g.pass(id, at)
				t.dormant = t.state == Healthy && t.outcomeAt == never
			case Refuse:
				g.fail(id, at, ReasonFailedHealthChecks)
			case NoResponse:
				t.outcomeAt = after(at, g.cfg.HealthCheck.Timeout)
			}
		}
		if t.state != from {
			buf = append(buf, Transition{At: instant(at), Target: id, From: from, To: t.state, Reason: t.reason})
		}
		g.reschedule(id)
	}
	next, ok = g.NextWake()
	return buf, next, ok
}

// pass applies a passing health check at instant at.
func (g *TargetGroup) pass(id int, at int64) {
	t := &g.targets[id]
	t.passes++
	t.fails = 0
	switch {
	case t.state == Initial && t.passes >= g.cfg.HealthCheck.InitialHealthyThreshold,
		t.state == Unhealthy && t.passes >= g.cfg.HealthCheck.HealthyThreshold:
		g.becomeHealthy(id, at)
	case t.state == Initial:
		t.reason = ReasonInitialHealthChecking
	}
}

// fail applies a failing health check at instant at.
func (g *TargetGroup) fail(id int, at int64, r Reason) {
	t := &g.targets[id]
	t.fails++
	t.passes = 0
	switch {
	case (t.state == Initial || t.state == Healthy) && t.fails >= g.cfg.HealthCheck.UnhealthyThreshold:
		t.slowUntil = 0 // a target in slow start that turns unhealthy leaves it
		g.setState(id, Unhealthy, r)
	case t.state == Initial:
		t.reason = ReasonInitialHealthChecking
	case t.state == Unhealthy:
		t.reason = r
	}
}

// becomeHealthy moves target id to Healthy at instant at and starts its
// slow start if the group has one and, as the ALB guide requires, at least
// one other target was already healthy and out of slow start. Targets that
// turn healthy at the same instant (registered together, checked together)
// do not put each other into slow start, as the guide says of targets
// registered in one operation into an empty group.
func (g *TargetGroup) becomeHealthy(id int, at int64) {
	g.setState(id, Healthy, ReasonNone)
	t := &g.targets[id]
	t.slowUntil = 0
	t.healthySince = at
	if g.cfg.SlowStart == 0 {
		return
	}
	for other := range g.targets {
		o := &g.targets[other]
		if other != id && o.state == Healthy && o.healthySince < at && o.slowUntil <= at {
			t.slowFrom, t.slowUntil = at, after(at, g.cfg.SlowStart)
			return
		}
	}
}

// reschedule puts target id at its place in the wake-up heap.
func (g *TargetGroup) reschedule(id int) {
	w := g.targets[id].wake()
	i := g.heapPos[id]
	switch {
	case w == never && i < 0:
	case w == never:
		last := len(g.heap) - 1
		g.swap(int(i), last)
		g.heap = g.heap[:last]
		g.heapPos[id] = -1
		if int(i) < last {
			g.down(int(i))
			g.up(int(i))
		}
	case i < 0:
		g.heap = append(g.heap, int32(id))
		g.heapPos[id] = int32(len(g.heap) - 1)
		g.up(len(g.heap) - 1)
	default:
		g.down(int(i))
		g.up(int(i))
	}
}

// less orders heap entries by (wake, id).
func (g *TargetGroup) less(i, j int) bool {
	a, b := g.heap[i], g.heap[j]
	wa, wb := g.targets[a].wake(), g.targets[b].wake()
	return wa < wb || (wa == wb && a < b)
}

func (g *TargetGroup) swap(i, j int) {
	g.heap[i], g.heap[j] = g.heap[j], g.heap[i]
	g.heapPos[g.heap[i]] = int32(i)
	g.heapPos[g.heap[j]] = int32(j)
}

func (g *TargetGroup) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !g.less(i, p) {
			return
		}
		g.swap(i, p)
		i = p
	}
}

func (g *TargetGroup) down(i int) {
	for {
		c := 2*i + 1
		if c >= len(g.heap) {
			return
		}
		if r := c + 1; r < len(g.heap) && g.less(r, c) {
			c = r
		}
		if !g.less(c, i) {
			return
		}
		g.swap(i, c)
		i = c
	}
}
