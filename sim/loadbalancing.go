package sim

import (
	"fmt"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/internal/preload"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim/traffic"
)

// LoadBalancerConfig attaches an Elastic Load Balancing target group to a
// service.
type LoadBalancerConfig struct {
	// Name is the load balancer's and the target group's name, 1 to 32
	// letters, digits and hyphens; required. It appears in the target group
	// ARN, in the metric dimensions and in the ALBRequestCountPerTarget
	// resource label.
	Name string
	// TargetGroup is the target group: type, algorithm, health checks,
	// deregistration delay, slow start. The zero value is an ALB target
	// group with the AWS API defaults (loadbalancer.DefaultConfig).
	TargetGroup loadbalancer.Config
}

// LoadBalancer is a load balancer with one target group in front of one
// service. Attach it to the service's tasks as ServiceConfig.Observer (or
// with Service.Attach) of exactly one service: it is an Attacher, and
// gives each task a target (an Attachment) that it registers when the
// task reaches RUNNING, that gates the task's health, and that on a
// graceful stop it deregisters, holding the task in DEACTIVATING until the
// target has drained (the deregistration delay elapsed, or earlier once
// nothing is in flight).
//
// Health and the service. Behind a load balancer a task counts toward
// minimumHealthyPercent (and toward a steady state) only once its target is
// healthy, in addition to its container health check if it has one; the
// 40-second rule for tasks without health checks does not apply. A target
// that turns unhealthy after the service's HealthCheckGracePeriod (counted
// from RUNNING) gets its task stopped and replaced, as ECS does ("Task
// failed ELB health checks"); inside the grace period the failure is
// ignored and looked at again when the grace period ends.
//
// The application answers the target group's health checks with Pass once
// RUNNING, or Refuse when its Behavior makes its health checks fail
// (UnhealthyAfterStart). Overload does not fail health checks here.
//
// Requests, if a Workload is attached, are routed per request through the
// target group to the task's traffic.Server: to healthy targets only, or,
// while no target is healthy, to every registered one (ELB's fail-open).
// After SIGTERM the application stops taking new requests (its target is
// already deregistered) and finishes those in flight, exiting once none is
// left and its Behavior.Shutdown time has passed; SIGKILL at the stop
// timeout aborts what is still in flight, which the load balancer answers
// with 502. A task whose containers stop without a graceful stop (an
// essential container exit, a lost instance or zone) takes its target out
// of routing at once, and what it had in flight is aborted.
type LoadBalancer struct {
	w       *World
	cfg     LoadBalancerConfig
	tg      *loadbalancer.TargetGroup
	id      string      // the 16-hex-digit suffix of the ARNs
	owner   *Service    // the service it is wired to (Observer or Service.Attach); nil until then
	svc     *Service    // the service whose tasks registered last took it over; nil before
	targets []*lbTarget // by target ID; nil where free
	free    []int       // target IDs whose targets are unused again
	failed  string      // the stopped reason of a task whose target failed its health checks

	wake   Timer
	wakeAt time.Time
	kWake  Kind
	buf    []loadbalancer.Transition

	wl *Workload
}

// lbTarget is one task's target and, with a workload, its request server:
// the task's Attachment.
type lbTarget struct {
	lb     *LoadBalancer
	t      *Task
	id     int  // the target ID; -1 until registered
	unused bool // the target is unused again (deregistration delay over)
	exited bool // the task's containers have stopped

	srv    *traffic.Server
	timer  Timer
	wakeAt time.Duration
	since  time.Duration    // start of the current metrics interval for this task
	prev   traffic.Counters // server counters at since

	base, resp loadbalancer.Response // the task's own health answer, and the one the group has

	terminating bool // SIGTERM received, requests still in flight

	fs         *FileSystem // where its requests' I/O goes (WorkloadConfig.IO), or nil
	ioInFlight int         // its requests in their I/O part
}

// ErrInvalidLoadBalancer marks a LoadBalancerConfig that NewLoadBalancer
// rejects.
var ErrInvalidLoadBalancer = fmt.Errorf("%w: load balancer", ErrConfig)

// NewLoadBalancer returns a load balancer for one service of w, or every
// problem with cfg, each a *fielderr.Error matching ErrInvalidLoadBalancer.
// Attach it with ServiceConfig.Observer (or Service.Attach) of one service
// of w; once that service is deleted, a new service may take it over.
func (w *World) NewLoadBalancer(cfg LoadBalancerConfig) (*LoadBalancer, error) {
	l := fielderr.NewList(ErrInvalidLoadBalancer)
	if !validLBName(cfg.Name) {
		l.Add("LoadBalancerConfig.Name", cfg.Name, "must be 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen")
	}
	tg, err := loadbalancer.New(cfg.TargetGroup)
	joinLeaf(l, ErrInvalidLoadBalancer, "LoadBalancerConfig.TargetGroup", "Config", err)
	if err := l.Err(); err != nil {
		return nil, err
	}
	lb := &LoadBalancer{w: w, cfg: cfg, tg: tg, id: fmt.Sprintf("%016x", w.nextID())}
	lb.failed = "Task failed ELB health checks in (target-group " + lb.TargetGroupARN() + ")"
	if lb.classic() {
		lb.failed = "Task failed ELB health checks in (elb " + cfg.Name + ")"
	}
	lb.kWake = w.sim.Handle("lb-health", PhaseLifecycle, lb.onWake)
	w.sim.setPrefetch(lb.kWake, lb.prefetch)
	return lb, nil
}

func validLBName(s string) bool {
	if len(s) == 0 || len(s) > 32 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// TargetGroup returns the target group, for inspection (Counts, Target).
// Registering or deregistering targets directly corrupts the bookkeeping.
func (lb *LoadBalancer) TargetGroup() *loadbalancer.TargetGroup { return lb.tg }

// TargetGroupARN returns the target group's ARN.
func (lb *LoadBalancer) TargetGroupARN() string { return string(lb.appendTargetGroupARN(nil)) }

// appendTargetGroupARN appends TargetGroupARN to b.
func (lb *LoadBalancer) appendTargetGroupARN(b []byte) []byte {
	b = append(b, "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"...)
	return append(append(append(b, lb.cfg.Name...), '/'), lb.id...)
}

// LoadBalancerDimension returns the LoadBalancer metric dimension,
// "app/<name>/<id>" ("net/..." for an NLB), or a Classic Load Balancer's
// LoadBalancerName dimension, its name.
func (lb *LoadBalancer) LoadBalancerDimension() string {
	if lb.classic() {
		return lb.cfg.Name
	}
	kind := "app"
	if lb.cfg.TargetGroup.Type == loadbalancer.NLB {
		kind = "net"
	}
	return kind + "/" + lb.cfg.Name + "/" + lb.id
}

// TargetGroupDimension returns the TargetGroup metric dimension,
// "targetgroup/<name>/<id>".
func (lb *LoadBalancer) TargetGroupDimension() string {
	return "targetgroup/" + lb.cfg.Name + "/" + lb.id
}

// ResourceLabel returns the label ALBRequestCountPerTarget target tracking
// needs: "app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>"; "" for a
// Classic Load Balancer, which has no target group.
func (lb *LoadBalancer) ResourceLabel() string {
	if lb.classic() {
		return ""
	}
	return lb.LoadBalancerDimension() + "/" + lb.TargetGroupDimension()
}

// Service returns the service whose tasks registered, or nil before the
// first one did. After a blue/green switch (a new service given the load
// balancer once the old one was deleted) it is the new service from its
// first registered task on.
func (lb *LoadBalancer) Service() *Service { return lb.svc }

// TaskTarget returns the target ID of task t and whether it has one (it
// registered and its target is not yet unused again).
func (lb *LoadBalancer) TaskTarget(t *Task) (id int, ok bool) {
	lt := lb.target(t)
	if lt == nil || lt.id < 0 || lb.targets[lt.id] != lt {
		return 0, false
	}
	return lt.id, true
}

// target returns task t's target in lb, or nil.
func (lb *LoadBalancer) target(t *Task) *lbTarget {
	if lt, ok := t.first.(*lbTarget); ok && lt.lb == lb {
		return lt
	}
	for _, x := range t.attachments() {
		if lt, ok := x.a.(*lbTarget); ok && lt.lb == lb {
			return lt
		}
	}
	return nil
}

// Attach gives task t a target in the target group (Attacher).
func (lb *LoadBalancer) Attach(t *Task) Attachment { return &lbTarget{lb: lb, t: t, id: -1} }

// TaskRunning registers t's target, if t has one and it is not registered
// yet. The target registers by itself when its task reaches RUNNING; this
// method makes *LoadBalancer a TaskObserver, so that it can be
// ServiceConfig.Observer.
func (lb *LoadBalancer) TaskRunning(now time.Time, t *Task) {
	if lt := lb.target(t); lt != nil && lt.id < 0 {
		lt.register(now)
	}
}

// TaskDeactivating deregisters t's target, if t has a registered one, and
// returns how long it may take to drain: the deregistration delay, or 0
// when nothing is in flight. The target deregisters by itself when its task
// stops; this method makes *LoadBalancer a TaskObserver.
func (lb *LoadBalancer) TaskDeactivating(now time.Time, t *Task) time.Duration {
	if lt := lb.target(t); lt != nil && lt.id >= 0 && !lt.exited {
		return lt.deregister(now)
	}
	return 0
}

// OnTask is the target's part in its task's life (Attachment): it
// registers at RUNNING and gates the task's health; on a graceful stop it
// deregisters and holds DEACTIVATING while it drains, and after SIGTERM
// holds STOPPING while requests are in flight; when the containers stop it
// leaves routing and aborts what is still in flight.
func (lt *lbTarget) OnTask(e TaskEvent) Verdict {
	switch e.Point {
	case LifecycleRunning:
		lt.register(e.Now)
		return Verdict{GateHealth: true}
	case LifecycleStopRequested:
		if e.Graceful && lt.id >= 0 {
			return Verdict{Hold: lt.deregister(e.Now)}
		}
	case LifecycleSIGTERM:
		if lt.srv != nil && lt.srv.InFlight()+lt.ioInFlight > 0 {
			// The application exits when its last request ends (but not
			// before its shutdown time), or at SIGKILL.
			lt.terminating = true
			return Verdict{Hold: e.Task.def.stopTimeout}
		}
	case LifecycleContainersExited:
		lt.containersExited()
	}
	return Verdict{}
}

// register registers the target.
func (lt *lbTarget) register(now time.Time) {
	lb, t := lt.lb, lt.t
	if lb.svc == nil || t.service == lb.owner {
		// The service wired to the load balancer takes it over with its
		// first target; a deleted service's last targets (a blue/green
		// switch) only drain.
		lb.svc = t.service
	}
	id := len(lb.targets)
	if n := len(lb.free); n > 0 {
		id, lb.free = lb.free[n-1], lb.free[:n-1]
	} else {
		lb.targets = append(lb.targets, nil)
	}
	lt.id = id
	lb.targets[id] = lt
	resp := loadbalancer.Pass
	if t.def.health != nil && t.def.in.Behavior.UnhealthyAfterStart {
		resp = loadbalancer.Refuse
	}
	lt.base, lt.resp = resp, resp
	if err := lb.tg.SetResponse(now, id, resp); err != nil {
		panic(fmt.Sprintf("sim: load balancer %s: %v", lb.cfg.Name, err))
	}
	if err := lb.tg.Register(now, loadbalancer.Target{ID: id, Zone: t.Zone()}); err != nil {
		panic(fmt.Sprintf("sim: load balancer %s: %v", lb.cfg.Name, err))
	}
	if lb.wl != nil {
		lb.wl.taskRegistered(lt)
	}
	lb.rearm()
}

// deregister deregisters the target and returns how long draining may
// take: the deregistration delay, or 0 when nothing is in flight (the
// target's last request in flight ending completes it early).
func (lt *lbTarget) deregister(now time.Time) time.Duration {
	lb := lt.lb
	drained, err := lb.tg.Deregister(now, lt.id)
	if err != nil {
		panic(fmt.Sprintf("sim: load balancer %s: %v", lb.cfg.Name, err))
	}
	if lb.tg.Config().DeregistrationDelay == 0 {
		lt.unused = true
		lb.release(lt)
	}
	lb.rearm()
	if drained {
		return 0
	}
	return lb.tg.Config().DeregistrationDelay
}

// release frees the target's ID for another task once the target is
// unused and the task has exited: until then late request ends still count
// against the ID.
func (lb *LoadBalancer) release(lt *lbTarget) {
	if lt.unused && lt.exited && lb.targets[lt.id] == lt {
		lb.targets[lt.id] = nil
		lb.free = append(lb.free, lt.id)
	}
}

// rearm keeps the health-check timer at the target group's next wake-up.
func (lb *LoadBalancer) rearm() {
	at, ok := lb.tg.NextWake()
	if !ok {
		lb.wake.Stop()
		return
	}
	if lb.wake.Pending() && at.Equal(lb.wakeAt) {
		return
	}
	d := at.Sub(lb.w.now())
	if !lb.wake.Reset(d) {
		lb.wake = lb.w.sim.Schedule(lb.kWake, d, 0)
	}
	lb.wakeAt = at
}

// onWake runs the target group's due health checks and deregistration
// ends and reacts to every state change: a target healthy or unhealthy is
// its task's health gate, an unused target has drained.
func (lb *LoadBalancer) onWake(uint64) {
	now := lb.w.now()
	lb.buf, _, _ = lb.tg.Advance(now, lb.buf[:0])
	for _, tr := range lb.buf {
		lt := lb.targets[tr.Target]
		if lt == nil {
			continue
		}
		switch tr.To {
		case loadbalancer.Unused:
			lt.unused = true
			lb.release(lt)
			lt.t.Release(lt) // the delay elapsed: SIGTERM if still waiting
		case loadbalancer.Healthy:
			lt.t.ReportHealth(lt, HealthHealthy, "")
		case loadbalancer.Unhealthy:
			lt.t.ReportHealth(lt, HealthUnhealthy, lb.failed)
		}
	}
	lb.rearm()
}

// answer sets how the target answers health checks under its load (see
// WorkloadConfig.SeparateHealthEndpoint): r, unless the task's own answer
// is already a failure or its containers have stopped.
func (lt *lbTarget) answer(r loadbalancer.Response) {
	if lt.base != loadbalancer.Pass || lt.exited || r == lt.resp {
		return
	}
	lb := lt.lb
	lt.resp = r
	if err := lb.tg.SetResponse(lb.w.now(), lt.id, r); err != nil {
		panic(fmt.Sprintf("sim: load balancer %s: %v", lb.cfg.Name, err))
	}
	lb.rearm()
}

// idle is called when a terminating application has nothing left in
// flight: it exits after its shutdown time, if SIGKILL has not come first.
func (lt *lbTarget) idle() {
	lt.terminating = false
	lt.t.Release(lt)
}

// containersExited is the task's containers stopping (exit or SIGKILL):
// the target leaves routing if it has not already, and whatever is still
// in flight is aborted.
func (lt *lbTarget) containersExited() {
	if lt.exited || lt.id < 0 {
		return
	}
	lb := lt.lb
	if info, ok := lb.tg.Target(lt.id); ok && info.State != loadbalancer.Draining && info.State != loadbalancer.Unused {
		// Down without deregistering first: the target goes now, so no
		// new request reaches a dead task.
		lt.deregister(lb.w.now())
	}
	if lb.wl != nil {
		lb.wl.taskExited(lt)
	}
	lt.exited = true
	lb.release(lt)
}

// prefetch asks for what the load balancer's next wake reads (see
// Sim.setPrefetch): its lines, then its target group's first lines and
// its targets' list.
func (lb *LoadBalancer) prefetch(_ uint64, deep bool) {
	if !deep {
		preload.Runs(unsafe.Pointer(lb), lbRun[:])
		return
	}
	none := uintptr(unsafe.Pointer(lb))
	tg := addr(lb.tg, none)
	preload.At8(tg, tg+64, tg+128, tg+192, addr(unsafe.SliceData(lb.targets), none), none, none, none)
}
