package sim

import (
	"fmt"
	"reflect"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/metrics"
)

// Scaler decides a service's desired count; *autoscale.Controller is one.
type Scaler interface {
	// Evaluate is called at the instant the previous Decision's Next names
	// (the first call at the first whole minute after AttachScaler) with
	// the service's state, and returns the desired count to apply. A zero
	// Next, or one not after the evaluation, means one minute later, so a
	// Scaler that does not plan ahead is evaluated every minute.
	Evaluate(now time.Time, s autoscale.State) autoscale.Decision
}

// AlarmEvaluator is a Scaler that owns CloudWatch alarms, which CloudWatch
// evaluates every minute whatever the Scaler's own rhythm;
// *autoscale.Controller is one. ServiceScaling calls EvaluateAlarms every
// whole minute, before Evaluate when both fall on the same instant.
type AlarmEvaluator interface {
	EvaluateAlarms(now time.Time, r metrics.Reader)
}

// IdleSkipper is a Scaler that can tell, with less work than Evaluate,
// that an evaluation would change nothing; *autoscale.Controller is one
// (autoscale.Controller.SkipIdle). When SkipIdle returns true it has done
// what Evaluate at now with s would have done to the scaler, and next is
// that Decision's Next; when it returns false, ServiceScaling calls
// Evaluate. With thousands of services a minute, evaluations that change
// nothing are most of the scalers' minute.
type IdleSkipper interface {
	SkipIdle(now time.Time, s autoscale.State) (next time.Time, ok bool)
}

// ScalingDecision is one evaluation that changed the desired count.
type ScalingDecision struct {
	// At is the evaluation instant.
	At time.Time
	// From and To are the desired counts before and after.
	From, To int
	// Reason is the scaler's one-line explanation.
	Reason string
}

// String renders the decision as "15:04 3 → 5: reason".
func (d ScalingDecision) String() string {
	return fmt.Sprintf("%s %d → %d: %s", d.At.Format("15:04"), d.From, d.To, d.Reason)
}

// ServiceScaling runs a Scaler on a service. Every whole minute, in
// PhaseScaling (after the minute's metrics), it evaluates the scaler's
// alarms (if it is an AlarmEvaluator); at the instants the scaler's
// decisions ask for (Decision.Next: every minute for a Controller with its
// default EvaluationInterval, every 5 minutes for one with 5 minutes, and
// at a scheduled action's own instant, on the minute or not) it calls
// Evaluate with the service's desired and running counts, whether a
// deployment is in progress, and the metrics reader, and applies
// Decision.Desired with SetDesiredCount (or, when the scaler is an
// IdleSkipper that finds nothing to change, only plans the next
// evaluation). Changes are kept in a decision log
// and written to the service's events as "(service web) desired count
// changed from 3 to 5: <reason>"; the reason's text is formatted only for
// them.
type ServiceScaling struct {
	// A minute's tick reads the first cache line and nothing of the
	// service (TestScalingMinuteInOneLine: the object is in the 128-byte
	// size class, so lines are its halves): with thousands of services a
	// minute, the service's line was one more trip to memory, and one
	// that waited for this line's svc.
	due    time.Duration // virtual time of the next Evaluate
	scaler Scaler
	reader metrics.Reader
	// What the scaler reads of the service, mirrored by
	// Service.mirror whenever the service changes it
	// (TestScalerSeesTheService): its desired and running counts (at most
	// Quotas.TasksPerService), whether a deployment is in progress, and
	// whether it left ACTIVE.
	desired, running int32
	deploying, gone  bool
	evaluatesAlarms  bool // scaler is an AlarmEvaluator (asserted each minute: the interface would not fit in this line)
	skipsIdle        bool // scaler is an IdleSkipper (asserted when due, as evaluatesAlarms)
	svc              *Service
	kind             Kind  // the off-grid evaluations (whole minutes are the world's minute ticks)
	activities       int32 // the scaler's activities (Activities)
	offGrid          Timer // an evaluation due between two whole minutes; armed only while due is off the minute grid
	decisions        recentLog[ScalingDecision]
	_                [8]byte // to 128 bytes, two whole lines: each record of a chunk (newScaling) starts on a line
}

// AttachScaler starts evaluating sc for the service, reading metrics from r
// (nil means no data). The first evaluation is at the next whole minute of
// virtual time. A service has one scaler, and a scaler (an
// autoscale.Controller keeps its alarms, cooldowns and history) scales one
// service at a time: AttachScaler refuses (ErrInvalidService) a deleted or
// DAEMON service, a nil scaler, a second scaler for the service, and a
// scaler that scales another service that is still ACTIVE.
func (s *Service) AttachScaler(sc Scaler, r metrics.Reader) (*ServiceScaling, error) {
	const field = "AttachScaler(sc)"
	if err := s.checkActive(); err != nil {
		return nil, err
	}
	l := fielderr.NewList(ErrInvalidService)
	if isNil(sc) {
		l.Add(field, nil, "must be a Scaler, not nil")
	}
	if s.cfg.SchedulingStrategy == Daemon {
		l.Add("Service", s.cfg.Name, "is a DAEMON service; only REPLICA services scale")
	}
	if s.scaling != nil {
		l.Add(field, fmt.Sprintf("%T", sc), "service "+s.cfg.Name+" has a scaler already")
	}
	if lb := classicOf(s.cfg.Observer, s.w.serviceAttachments(s).attachers); lb != nil && !isNil(sc) {
		checkClassicScaler(l, field, sc, lb)
	}
	// Only the service a scaler was last attached to can still be ACTIVE
	// with it: attaching it to another needed that one not ACTIVE, and a
	// service never becomes ACTIVE again.
	keyed := !isNil(sc) && reflect.ValueOf(sc).Comparable()
	if keyed {
		if other := s.w.scaledBy[sc]; other != nil && other.status == ServiceActive {
			l.Add(field, fmt.Sprintf("%T", sc), "scales service "+other.cfg.Name+", which is ACTIVE; a scaler scales one service")
		}
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	ss := s.w.newScaling()
	*ss = ServiceScaling{svc: s, scaler: sc, reader: r}
	s.scaling = ss
	if keyed {
		if s.w.scaledBy == nil {
			s.w.scaledBy = map[any]*Service{}
		}
		s.w.scaledBy[sc] = s
	}
	_, ss.evaluatesAlarms = sc.(AlarmEvaluator)
	_, ss.skipsIdle = sc.(IdleSkipper)
	s.mirror()
	sim := s.w.sim
	ss.kind = sim.Handle("service-scaling", PhaseScaling, ss.onOffGrid)
	s.w.ticks().addScaling(ss)
	return ss, nil
}

// newScaling returns a zero ServiceScaling from the world's chunk of
// them. The scalers' pass reads a line of each ServiceScaling a minute,
// in the order they were attached: from one chunk they lie 128 bytes
// apart, 32 to a page, where each allocated alone lay among the other
// objects of its size class that attaching a scaler and making its
// service allocate, about 640 bytes apart, every sixth service a page of
// its own and, with thousands of services, a page walk (BENCHMARKS.md,
// issue 13, round 21). The first chunks have one, two and four records,
// so that a world with a few scalers keeps few spare, and the others are
// a scalingBlock. A chunk stays in memory while any of its records is
// reachable.
func (w *World) newScaling() *ServiceScaling {
	if len(w.scalingChunk) == 0 {
		if n := w.scalingChunkSize; n < 4 {
			w.scalingChunkSize = max(2*n, 1)
			w.scalingChunk = make([]ServiceScaling, w.scalingChunkSize)
		} else {
			w.scalingChunk = new(scalingBlock).recs[:]
		}
	}
	ss := &w.scalingChunk[0]
	w.scalingChunk = w.scalingChunk[1:]
	return ss
}

// scalingBlock is a chunk of ServiceScaling records for newScaling: 31
// of them, each on a line of its own. An object of more than 512 bytes
// that holds pointers starts with the allocator's 8-byte header (since Go
// 1.22), in a size class of whole lines: the pad puts the records on the
// next line, and the block takes 4,032 bytes of the 4,096-byte class.
// The four records of the first chunks, 512 bytes at most, have no
// header (TestScalersLieTogether holds every record to a line).
type scalingBlock struct {
	_    [64 - 8]byte
	recs [31]ServiceScaling
}

// Scaling returns the service's scaler as AttachScaler attached it, or nil
// without one: a report reads its activities whoever attached it.
func (s *Service) Scaling() *ServiceScaling { return s.scaling }

// Decisions returns the evaluations that changed the desired count, oldest
// first: every one, or the last WorldConfig.Retention.Events.
func (ss *ServiceScaling) Decisions() []ScalingDecision {
	return ss.decisions.items()
}

// Activities returns the number of scaling activities the scaler reported.
func (ss *ServiceScaling) Activities() int { return int(ss.activities) }

// tick is the whole-minute tick (the world's minute ticks call it): the
// scaler's alarms, then its evaluation if due. It reports false, and ticks
// no more, once the service is not ACTIVE. It reads the service's state
// from the mirror (ss.desired and the rest), so that a minute with no
// decision reads nothing of the service. lines are the scaler's
// controller's, whose memory the pass asked for ahead, or the zero Lines
// (autoscale.Lines.EvaluateAlarms).
func (ss *ServiceScaling) tick(sim *Sim, now time.Time, lines *autoscale.Lines) bool {
	if ss.gone {
		return false
	}
	if ss.evaluatesAlarms && !lines.EvaluateAlarms(now, ss.reader) {
		ss.scaler.(AlarmEvaluator).EvaluateAlarms(now, ss.reader)
	}
	ss.evaluate(sim, now)
	return true
}

// onOffGrid is an evaluation due between two whole minutes.
func (ss *ServiceScaling) onOffGrid(uint64) {
	if !ss.gone {
		sim := ss.svc.w.sim
		ss.evaluate(sim, sim.Now())
	}
}

// evaluate runs the scaler if its evaluation is due and applies its
// decision; now is the world's calendar time.
func (ss *ServiceScaling) evaluate(sim *Sim, now time.Time) {
	if sim.Elapsed() < ss.due {
		return
	}
	st := autoscale.State{Desired: int(ss.desired), Running: int(ss.running), DeploymentInProgress: ss.deploying, Metrics: ss.reader}
	if ss.skipsIdle {
		if next, ok := ss.scaler.(IdleSkipper).SkipIdle(now, st); ok {
			ss.plan(sim, next)
			return
		}
	}
	d := ss.scaler.Evaluate(now, st)
	ss.plan(sim, d.Next)
	if n := len(d.Activities); n > 0 { // most minutes have none: leave the line alone
		ss.activities += int32(n)
	}
	if d.Desired == int(ss.desired) {
		return
	}
	s := ss.svc
	from := s.desired
	reason := d.Reason.String()
	if err := s.SetDesiredCount(d.Desired); err != nil {
		b := appendInt(append(s.beginEvent(), "scaling decision "...), from)
		b = appendInt(append(b, " → "...), d.Desired)
		s.endEvent(append(append(b, " not applied: "...), err.Error()...))
		return
	}
	ss.decisions.add(ScalingDecision{At: now, From: from, To: d.Desired, Reason: reason}, s.w.cfg.Retention.Events)
	b := appendInt(append(s.beginEvent(), "desired count changed from "...), from)
	b = appendInt(append(b, " to "...), d.Desired)
	s.endEvent(append(append(b, ": "...), reason...))
}

// plan sets the next evaluation at next (a minute later if next is zero or
// not after now) and, when it falls between two whole minutes, schedules an
// event for it; whole minutes have their tick.
func (ss *ServiceScaling) plan(sim *Sim, next time.Time) {
	now := sim.Elapsed()
	if ss.due%time.Minute != 0 {
		ss.offGrid.Stop() // only an off-grid due armed it
	}
	ss.due = now + time.Minute
	if at := next.Sub(sim.Start()); !next.IsZero() && at > now {
		ss.due = at // Sub saturates: a Next centuries away is never reached
	}
	if ss.due%time.Minute != 0 {
		ss.offGrid = sim.ScheduleAt(ss.kind, ss.due, 0)
	}
}

// mirror copies what the per-minute passes read of the service into
// their own lines: its scaler's (ServiceScaling.desired and the rest)
// and its workloads' (Workload.mirrorService). Every change of the
// service's status, desired count, running count or deployments calls
// it, so that thousands of services a minute are evaluated, stepped and
// published without reading a line of any of them.
func (s *Service) mirror() {
	if ss := s.scaling; ss != nil {
		ss.desired, ss.running, ss.deploying, ss.gone = int32(s.desired), int32(s.running), s.deploying, s.status != ServiceActive
	}
	for _, wl := range s.followers {
		if wl.svc == s { // not a workload another service took over
			wl.mirrorService()
		}
	}
}
