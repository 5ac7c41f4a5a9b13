package sim

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Attachments. A task carries an ordered list of attachments: what is
// attached to it beyond its containers, such as its load balancer target
// (LoadBalancer), and tomorrow a volume or a network interface. Each hears
// the task's life at the points named by Lifecycle, in list order, and
// answers with a Verdict: it can hold the task where it is (a load
// balancer holds a stopping task in DEACTIVATING for its deregistration
// delay, and releases it early once the target has drained), fail its
// start with a stopped reason (a volume that cannot mount), and gate its
// health (the task counts as healthy only once its target does).
//
// Attachers make the attachments: Service.Attach and World.Attach register
// one for every task of a service or of the world. A task's list is fixed
// when it is created: the service's Observer first (a *LoadBalancer
// attaches itself; any other TaskObserver is adapted), then the service's
// attachers, then the world's, each in the order registered.

// Lifecycle names a point of a task's life that its attachments hear.
type Lifecycle uint8

// The lifecycle points, in the order a task passes them. A task that stops
// hears LifecycleStopRequested, LifecycleContainersExited and
// LifecycleStopped once each, in that order, from whatever point it had
// reached; LifecycleSIGTERM only when it stops gracefully from RUNNING.
const (
	// LifecyclePlaced: the task has its capacity (an instance, or Fargate)
	// and begins PROVISIONING, or PENDING on an instance without awsvpc.
	// A task of an Auto Scaling group provider that waits for an instance
	// is placed when one takes it.
	LifecyclePlaced Lifecycle = iota + 1
	// LifecycleResourcesAcquired: PROVISIONING is done (its network
	// interface attached, for awsvpc) and PENDING begins.
	LifecycleResourcesAcquired
	// LifecycleRunning: the task is RUNNING.
	LifecycleRunning
	// LifecycleHealthChanged: Task.Health or Task.CountsHealthy changed.
	LifecycleHealthChanged
	// LifecycleStopRequested: the desired status became STOPPED. The
	// event's Graceful says how the task stops.
	LifecycleStopRequested
	// LifecycleSIGTERM: DEACTIVATING is over and the application gets
	// SIGTERM: STOPPING begins.
	LifecycleSIGTERM
	// LifecycleContainersExited: the task's containers have stopped (or
	// never started): what was in flight is lost.
	LifecycleContainersExited
	// LifecycleStopped: the task is STOPPED; its resources are released.
	LifecycleStopped
)

var lifecycleNames = [...]string{"", "Placed", "ResourcesAcquired", "Running", "HealthChanged", "StopRequested", "SIGTERM", "ContainersExited", "Stopped"}

// String returns the point's name, e.g. "Placed".
func (p Lifecycle) String() string {
	if int(p) < len(lifecycleNames) && p > 0 {
		return lifecycleNames[p]
	}
	return fmt.Sprintf("Lifecycle(%d)", uint8(p))
}

// TaskEvent is one lifecycle point of a task, as its attachments hear it.
type TaskEvent struct {
	// Point is the lifecycle point.
	Point Lifecycle
	// Task is the task. Its State is, at LifecyclePlaced, PROVISIONING (a
	// new task's), at LifecycleRunning RUNNING, at LifecycleStopped
	// STOPPED, and otherwise the state it is about to leave.
	Task *Task
	// Now is the virtual instant.
	Now time.Time
	// Graceful, at LifecycleStopRequested, is true when the task is asked
	// to stop: its targets are deregistered and drain, then its
	// application gets SIGTERM and, after the stop timeout, SIGKILL. It is
	// false when the task dies: its work in flight is lost at once.
	Graceful bool
}

// Verdict is an attachment's answer at a lifecycle point. The zero value
// lets the task go on.
type Verdict struct {
	// Hold keeps the task, for at most Hold, in the state it enters after
	// the point, until the attachment calls Task.Release: PROVISIONING
	// after LifecyclePlaced (PENDING for a task on an instance without
	// awsvpc), PENDING after LifecycleResourcesAcquired, DEACTIVATING after
	// a graceful LifecycleStopRequested (STOPPING for a task that was not
	// yet RUNNING), STOPPING after LifecycleSIGTERM (at most until the stop
	// timeout: SIGKILL comes then), DEPROVISIONING after
	// LifecycleContainersExited. The state's own work goes on meanwhile:
	// the state ends when that work is done and every hold on it is over.
	// Ignored at the other points.
	Hold time.Duration
	// Fail, at LifecyclePlaced or LifecycleResourcesAcquired, fails the
	// start: the task stops at once with stop code TaskFailedToStart and
	// Fail as its stopped reason. Ignored at the other points.
	Fail string
	// GateHealth, at LifecycleRunning, makes the attachment a health gate:
	// the task counts as healthy only once the gate reports HealthHealthy
	// (Task.ReportHealth), on top of its container health check; without
	// a container health check the gates replace the 40-second rule. A
	// gate that reports HealthUnhealthy gets a service task replaced once
	// the service's health check grace period is over. Ignored at the
	// other points.
	GateHealth bool
}

// An Attachment is something attached to one task (or shared by many).
// OnTask is called at every lifecycle point of each task it is attached
// to, in the order of the task's attachments. It may call the task's
// Release and ReportHealth, and read the task; it must not call back into
// the world (RunTask, StopTask, ...) and must be deterministic.
type Attachment interface {
	OnTask(e TaskEvent) Verdict
}

// An Attacher attaches something to each new task: Attach returns the
// task's attachment, or nil for none. An attacher that returns one shared
// Attachment for every task can be that Attachment itself.
type Attacher interface {
	Attach(t *Task) Attachment
}

// Attach makes a attach to every task the world creates from now on,
// after the attachers of the task's service. It refuses (ErrConfig) a nil
// attacher, one already attached to the world, and a *LoadBalancer, which
// fronts one service (ServiceConfig.Observer or Service.Attach).
func (w *World) Attach(a Attacher) error {
	const field = "World.Attach(a)"
	switch lb, isLB := a.(*LoadBalancer); {
	case isNil(a):
		return fielderr.New(ErrConfig, field, nil, "must be an Attacher, not nil")
	case isLB:
		return fielderr.New(ErrConfig, field, lb.cfg.Name, "is a LoadBalancer, which fronts one service: give it as ServiceConfig.Observer or to Service.Attach")
	case slices.ContainsFunc(w.attachers, func(b Attacher) bool { return sameObject(a, b) }):
		return fielderr.New(ErrConfig, field, fmt.Sprintf("%T", a), "is attached to the world already")
	}
	w.attachers = append(w.attachers, a)
	return nil
}

// Attach makes a attach to every task the service starts from now on,
// after its Observer and the attachers registered before a. It refuses
// (ErrInvalidService) a deleted service, a nil attacher, one attached to
// the service already (as its Observer or here), and a *LoadBalancer that
// fronts another service that is still ACTIVE; a *LoadBalancer of another
// world is ErrNotFound, as everywhere a reference is another world's.
func (s *Service) Attach(a Attacher) error {
	const field = "Service.Attach(a)"
	if err := s.checkActive(); err != nil {
		return err
	}
	sa := s.w.serviceAttachments(s)
	if isNil(a) {
		return fielderr.New(ErrInvalidService, field, nil, "must be an Attacher, not nil")
	}
	if sameObject(a, s.cfg.Observer) || slices.ContainsFunc(sa.attachers, func(b Attacher) bool { return sameObject(a, b) }) {
		return fielderr.New(ErrInvalidService, field, fmt.Sprintf("%T", a), "is attached to service "+s.cfg.Name+" already")
	}
	l := fielderr.NewList(ErrInvalidService)
	lb, isLB := a.(*LoadBalancer)
	if isLB {
		s.w.checkLoadBalancer(l, field, lb, s)
		if lb.classic() {
			checkClassic(l, field, lb, s.deployments[0].def, &s.ls)
		}
	}
	if err := l.Err(); err != nil {
		return err
	}
	if isLB {
		lb.owner = s
	}
	sa.attachers = append(sa.attachers, a)
	return nil
}

// checkObserver adds to l what is wrong with obs as the Observer of a new
// service: a nil pointer, or a load balancer that cannot front it.
func (w *World) checkObserver(l *fielderr.List, field string, obs TaskObserver, s *Service) {
	if obs == nil {
		return
	}
	if isNil(obs) {
		l.Add(field, fmt.Sprintf("(%T)(nil)", obs), "must be nil or a TaskObserver, not a nil pointer")
		return
	}
	if lb, ok := obs.(*LoadBalancer); ok {
		w.checkLoadBalancer(l, field, lb, s)
	}
}

// checkLoadBalancer adds to l why lb cannot front service s (nil for a
// service being created): it is another world's, or it fronts a service
// that is still ACTIVE. A load balancer whose service was deleted may
// front a new one: a blue/green switch.
func (w *World) checkLoadBalancer(l *fielderr.List, field string, lb *LoadBalancer, s *Service) {
	switch o := lb.owner; {
	case lb.w != w:
		l.Join(fielderr.New(ErrNotFound, field, lb.cfg.Name, "is a load balancer of another World"))
	case o != nil && o == s:
		l.Add(field, lb.cfg.Name, "fronts service "+o.cfg.Name+" already")
	case o != nil && o.status == ServiceActive:
		l.Add(field, lb.cfg.Name, "fronts service "+o.cfg.Name+", which is ACTIVE; a load balancer fronts one service, and another may take it over once that one is deleted")
	}
}

// isNil reports whether x is nil or a nil pointer, map, slice, channel or
// function in an interface.
func isNil(x any) bool {
	if x == nil {
		return true
	}
	switch v := reflect.ValueOf(x); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Chan, reflect.Func, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// sameObject reports whether a and b are the same value, without the panic
// == raises on two values of one type that is not comparable (such values
// are never the same object).
func sameObject(a, b any) bool {
	if a == nil || b == nil || reflect.TypeOf(a) != reflect.TypeOf(b) {
		return false
	}
	// Value.Comparable looks inside interfaces, where Type.Comparable
	// cannot: a struct holding a slice in an interface field panics on ==.
	return reflect.ValueOf(a).Comparable() && reflect.ValueOf(b).Comparable() && a == b
}

// serviceAttachments is what a service attaches to its tasks: its
// Observer, made an Attacher once, and the attachers of Service.Attach.
type serviceAttachments struct {
	observer  Attacher
	attachers []Attacher
}

// serviceAttachments returns s's attachments, made on first use.
func (w *World) serviceAttachments(s *Service) *serviceAttachments {
	for len(w.serviceAttach) <= s.index {
		w.serviceAttach = append(w.serviceAttach, nil)
	}
	if sa := w.serviceAttach[s.index]; sa != nil {
		return sa
	}
	sa := &serviceAttachments{}
	if o := s.cfg.Observer; o != nil {
		if a, ok := o.(Attacher); ok {
			sa.observer = a
		} else {
			sa.observer = &observerAttachment{o}
		}
	}
	w.serviceAttach[s.index] = sa
	return sa
}

// attachments are a task's attachments, in the order they hear its life,
// with what they ask of it. A task without attachments has none (nil), so
// that it pays nothing for them.
type attachments struct {
	list         []attachment
	holds        int           // attachments holding the current state
	ownEnd       time.Duration // when the current state's own work ends, while held
	startFailure string        // an attachment failed the start with this reason
}

// attachments returns t's attachments, in order.
func (t *Task) attachments() []attachment {
	if t.attached == nil {
		return nil
	}
	return t.attached.list
}

// startFailure returns the stopped reason an attachment failed t's start
// with, or "".
func (t *Task) startFailure() string {
	if t.attached == nil {
		return ""
	}
	return t.attached.startFailure
}

// attachment is one attachment of a task, with its hold and health gate.
type attachment struct {
	a          Attachment
	held       bool          // a hold on the task's state is on
	holdUntil  time.Duration // when the hold ends at the latest
	gate       bool          // a health gate (Verdict.GateHealth)
	gateHealth Health        // the gate's last report
	gateReason string        // the stopped reason of an unhealthy gate
}

// attach gives a new task its attachments: with net (its
// networkConfiguration, or nil) an awsvpc task gets its network
// interface's (vpc.go).
func (w *World) attach(t *Task, net *vpcConfig) {
	var sa *serviceAttachments
	n := len(w.attachers)
	eni := net != nil && t.def.in.NetworkMode == AWSVPC
	if eni {
		n++
	}
	if s := t.service; s != nil {
		sa = w.serviceAttachments(s)
		n += len(sa.attachers)
		if sa.observer != nil {
			n++
		}
	}
	if n == 0 {
		return
	}
	list := make([]attachment, 0, n)
	add := func(a Attacher) {
		if x := a.Attach(t); x != nil {
			list = append(list, attachment{a: x})
		}
	}
	if sa != nil {
		if sa.observer != nil {
			add(sa.observer)
		}
		for _, a := range sa.attachers {
			add(a)
		}
	}
	for _, a := range w.attachers {
		add(a)
	}
	if eni {
		// Last, so that a load balancer's target stays the first
		// attachment, which requests read (Task.first).
		list = append(list, attachment{a: &eniAttachment{v: net}})
	}
	if len(list) > 0 {
		t.attached = &attachments{list: list}
		t.first = list[0].a
	}
}

// notify tells t's attachments, in order, that t has reached point p, and
// applies their verdicts.
func (t *Task) notify(p Lifecycle, graceful bool) {
	as := t.attached
	if as == nil {
		return
	}
	e := TaskEvent{Point: p, Task: t, Now: t.w.now(), Graceful: graceful}
	for i := range as.list {
		v := as.list[i].a.OnTask(e)
		x := &as.list[i]
		switch p {
		case LifecyclePlaced, LifecycleResourcesAcquired:
			if v.Fail != "" && as.startFailure == "" {
				as.startFailure = v.Fail
			}
			t.hold(x, v.Hold)
		case LifecycleStopRequested:
			if graceful {
				t.hold(x, v.Hold)
			}
		case LifecycleSIGTERM:
			t.hold(x, min(v.Hold, t.def.stopTimeout))
		case LifecycleContainersExited:
			t.hold(x, v.Hold)
		case LifecycleRunning:
			if v.GateHealth {
				x.gate = true
			}
		}
	}
}

// hold records x's hold of d on the state t enters next.
func (t *Task) hold(x *attachment, d time.Duration) {
	if d <= 0 {
		return
	}
	if !x.held {
		x.held = true
		t.attached.holds++
	}
	x.holdUntil = max(x.holdUntil, addTime(t.w.sim.Elapsed(), d))
}

// endHolds forgets every hold: the state they held is over.
func (t *Task) endHolds() {
	as := t.attached
	if as == nil || as.holds == 0 {
		return
	}
	for i := range as.list {
		as.list[i].held, as.list[i].holdUntil = false, 0
	}
	as.holds = 0
}

// Release ends attachment a's hold on the task's current state (see
// Verdict.Hold). Once no hold is left the state ends as soon as its own
// work is done. It does nothing when a holds nothing. An attachment that
// calls Release must be comparable (a pointer, typically).
func (t *Task) Release(a Attachment) {
	as := t.attached
	if as == nil || as.holds == 0 {
		return
	}
	for i := range as.list {
		x := &as.list[i]
		if !x.held || x.a != a {
			continue
		}
		x.held, x.holdUntil = false, 0
		if as.holds--; as.holds == 0 {
			t.step.Reset(max(as.ownEnd-t.w.sim.Elapsed(), 0))
		}
		return
	}
}

// ReportHealth is health gate a's verdict on the task (see
// Verdict.GateHealth): HealthHealthy lets it count as healthy, with its
// container health check and every other gate; HealthUnhealthy makes a
// service replace it, with reason as its stopped reason, once the health
// check grace period is over; HealthUnknown withholds the gate's consent.
// It does nothing unless a declared itself a gate at LifecycleRunning. An
// attachment that calls ReportHealth must be comparable.
func (t *Task) ReportHealth(a Attachment, h Health, reason string) {
	for i := range t.attachments() {
		if x := &t.attached.list[i]; x.gate && x.a == a {
			x.gateHealth, x.gateReason = h, reason
			t.w.judgeHealth(t, false, false)
			return
		}
	}
}

// observerAttachment adapts a TaskObserver: TaskRunning at
// LifecycleRunning, and TaskDeactivating when a RUNNING task stops, whose
// delay holds the task in DEACTIVATING if it stops gracefully.
type observerAttachment struct{ obs TaskObserver }

func (o *observerAttachment) Attach(*Task) Attachment { return o }

func (o *observerAttachment) OnTask(e TaskEvent) Verdict {
	switch e.Point {
	case LifecycleRunning:
		o.obs.TaskRunning(e.Now, e.Task)
	case LifecycleStopRequested:
		if e.Task.state == TaskRunning {
			if d := o.obs.TaskDeactivating(e.Now, e.Task); e.Graceful {
				return Verdict{Hold: d}
			}
		}
	}
	return Verdict{}
}
