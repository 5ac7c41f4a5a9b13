package sim

import (
	"errors"
	"fmt"
	"time"

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
// service: pass it as ServiceConfig.Observer of exactly one service. It
// registers every task of
// the service as a target when the task reaches RUNNING, lets the target
// group's health checks decide when the task counts as healthy, and on stop
// deregisters the target and holds SIGTERM until the target has drained
// (the deregistration delay elapsed, or earlier once nothing is in flight).
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
// while no target is healthy, to every registered one (ELB's fail-open). After SIGTERM the application
// stops taking new requests (its target is already deregistered) and
// finishes those in flight, exiting once none is left and its
// Behavior.Shutdown time has passed; SIGKILL at the stop timeout aborts what
// is still in flight, which the load balancer answers with 502.
type LoadBalancer struct {
	w       *World
	cfg     LoadBalancerConfig
	tg      *loadbalancer.TargetGroup
	id      string // the 16-hex-digit suffix of the ARNs
	svc     *Service
	targets []*lbTarget // by target ID; nil where free
	free    []int       // target IDs whose targets are unused again

	wake         Timer
	wakeAt       time.Time
	kWake, kGrac Kind
	buf          []loadbalancer.Transition

	wl *Workload
}

// lbTarget is one task's target and, with a workload, its request server.
type lbTarget struct {
	lb      *LoadBalancer
	t       *Task
	id      int
	healthy bool // the target is healthy (the service's health gate)
	unused  bool // the target is unused again (deregistration delay over)
	exited  bool // the task's containers have stopped

	srv    *traffic.Server
	timer  Timer
	wakeAt time.Duration
	since  time.Duration    // start of the current metrics interval for this task
	prev   traffic.Counters // server counters at since

	base, resp loadbalancer.Response // the task's own health answer, and the one the group has

	sigterm0    time.Duration // when SIGTERM came; -1 before
	shutdown    time.Duration // the application's exit time after SIGTERM
	terminating bool          // SIGTERM received, requests still in flight
}

// ErrInvalidLoadBalancer marks a LoadBalancerConfig that NewLoadBalancer
// rejects.
var ErrInvalidLoadBalancer = fmt.Errorf("%w: load balancer", ErrConfig)

// NewLoadBalancer returns a load balancer for one service of w, or every
// problem with cfg. Attach it with ServiceConfig.Observer.
func (w *World) NewLoadBalancer(cfg LoadBalancerConfig) (*LoadBalancer, error) {
	var errs []error
	if !validLBName(cfg.Name) {
		errs = append(errs, fmt.Errorf("%w: Name %q: must be 1 to 32 letters, digits and hyphens, not starting or ending with a hyphen", ErrInvalidLoadBalancer, cfg.Name))
	}
	tg, err := loadbalancer.New(cfg.TargetGroup)
	if err != nil {
		errs = append(errs, fmt.Errorf("%w: TargetGroup: %w", ErrInvalidLoadBalancer, err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	lb := &LoadBalancer{w: w, cfg: cfg, tg: tg, id: fmt.Sprintf("%016x", w.nextID())}
	lb.kWake = w.sim.Handle("lb-health", PhaseLifecycle, lb.onWake)
	lb.kGrac = w.sim.Handle("lb-grace-end", PhaseLifecycle, lb.onGraceEnd)
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
func (lb *LoadBalancer) TargetGroupARN() string {
	return "arn:aws:elasticloadbalancing:us-east-1:123456789012:" + lb.TargetGroupDimension()
}

// LoadBalancerDimension returns the LoadBalancer metric dimension,
// "app/<name>/<id>" ("net/..." for an NLB).
func (lb *LoadBalancer) LoadBalancerDimension() string {
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
// needs: "app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>".
func (lb *LoadBalancer) ResourceLabel() string {
	return lb.LoadBalancerDimension() + "/" + lb.TargetGroupDimension()
}

// Service returns the service whose tasks registered, or nil before the
// first one did.
func (lb *LoadBalancer) Service() *Service { return lb.svc }

// TaskTarget returns the target ID of task t and whether it has one (it
// registered and its target is not yet unused again).
func (lb *LoadBalancer) TaskTarget(t *Task) (id int, ok bool) {
	if t.lb == nil || t.lb.lb != lb || lb.targets[t.lb.id] != t.lb {
		return 0, false
	}
	return t.lb.id, true
}

// TaskRunning registers t's target (TaskObserver).
func (lb *LoadBalancer) TaskRunning(now time.Time, t *Task) {
	if lb.svc == nil {
		lb.svc = t.service
	} else if t.service != lb.svc {
		panic(fmt.Sprintf("sim: load balancer %s fronts service %s; service %s cannot share it", lb.cfg.Name, lb.svc.cfg.Name, t.service.cfg.Name))
	}
	id := len(lb.targets)
	if n := len(lb.free); n > 0 {
		id, lb.free = lb.free[n-1], lb.free[:n-1]
	} else {
		lb.targets = append(lb.targets, nil)
	}
	lt := &lbTarget{lb: lb, t: t, id: id, sigterm0: -1}
	lb.targets[id] = lt
	t.lb = lt
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

// TaskDeactivating deregisters t's target (TaskObserver). SIGTERM waits for
// the deregistration delay, or less: the target's last request in flight
// ending completes deregistration early and SIGTERM follows at once.
func (lb *LoadBalancer) TaskDeactivating(now time.Time, t *Task) time.Duration {
	lt := t.lb
	if lt == nil {
		return 0
	}
	lt.healthy = false
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

// drained ends a task's deregistration early: its last request in flight
// finished while it was DEACTIVATING.
func (lb *LoadBalancer) drained(lt *lbTarget) {
	if t := lt.t; t.state == TaskDeactivating {
		t.step.Reset(0)
	}
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
// ends and reacts to every state change.
func (lb *LoadBalancer) onWake(uint64) {
	now := lb.w.now()
	lb.buf, _, _ = lb.tg.Advance(now, lb.buf[:0])
	for _, tr := range lb.buf {
		lt := lb.targets[tr.Target]
		if lt == nil {
			continue
		}
		switch {
		case tr.To == loadbalancer.Unused:
			lt.unused = true
			lb.release(lt)
			lb.drained(lt) // the delay elapsed: SIGTERM if still waiting
		case tr.To == loadbalancer.Healthy:
			lb.targetHealthy(lt)
		case tr.To == loadbalancer.Unhealthy:
			lb.targetUnhealthy(lt)
		}
	}
	lb.rearm()
}

// targetHealthy lets a task count as healthy once its container health
// check (if any) agrees.
func (lb *LoadBalancer) targetHealthy(lt *lbTarget) {
	lt.healthy = true
	t := lt.t
	if t.state != TaskRunning || t.desired != TaskRunning || t.countsHealthy {
		return
	}
	if t.def.health != nil && t.health != HealthHealthy {
		return // onTaskHealth decides when the container check passes
	}
	t.countsHealthy = true
	if s := t.service; s != nil {
		s.onTaskHealth(t)
	}
}

// targetUnhealthy stops and replaces the task once the service's health
// check grace period is over.
func (lb *LoadBalancer) targetUnhealthy(lt *lbTarget) {
	lt.healthy = false
	t := lt.t
	if t.state != TaskRunning || t.desired != TaskRunning {
		return
	}
	s := t.service
	if s == nil {
		return
	}
	now := lb.w.now()
	if graceEnd := t.startedAt.Add(s.cfg.HealthCheckGracePeriod); now.Before(graceEnd) {
		lb.w.sim.Schedule(lb.kGrac, graceEnd.Sub(now), uint64(t.id))
		return
	}
	t.countsHealthy = false
	s.counters.UnhealthyStopped++
	lb.w.stopTask(t, StopServiceSchedulerInitiated, "Task failed ELB health checks in (target-group "+lb.TargetGroupARN()+")")
	s.event("has stopped 1 running tasks: %s.", taskList([]*Task{t}))
	s.countFailure(t.dep)
	s.requestReconcile()
}

// onGraceEnd looks again at a target that failed inside the grace period.
func (lb *LoadBalancer) onGraceEnd(arg uint64) {
	t := lb.w.task(arg)
	if t == nil {
		return
	}
	if lt := t.lb; lt != nil && lt.lb == lb && !lt.healthy {
		if info, ok := lb.tg.Target(lt.id); ok && info.State == loadbalancer.Unhealthy {
			lb.targetUnhealthy(lt)
		}
	}
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

// lbHealthy reports whether the load balancer lets t count as healthy:
// always without one, else once its target is healthy.
func (t *Task) lbHealthy() bool { return t.lb == nil || t.lb.healthy }

// sigterm is the application receiving SIGTERM with requests possibly in
// flight. It reports whether it took over the exit: with requests in flight
// the application exits when the last one ends (but not before shutdown),
// or at SIGKILL at the stop timeout.
func (lt *lbTarget) sigterm(shutdown time.Duration) bool {
	if lt.srv == nil || lt.srv.InFlight() == 0 {
		return false
	}
	t := lt.t
	lt.sigterm0, lt.shutdown, lt.terminating = lt.lb.w.sim.Elapsed(), shutdown, true
	t.enter(TaskStopping, t.def.stopTimeout)
	return true
}

// idle is called when a terminating application has nothing left in
// flight: it exits after its shutdown time, if SIGKILL has not come first.
func (lt *lbTarget) idle(now time.Duration) {
	lt.terminating = false
	exit := lt.sigterm0 + min(lt.shutdown, lt.t.def.stopTimeout)
	lt.t.step.Reset(max(exit-now, 0))
}

// containersExited is the task's containers stopping (exit or SIGKILL):
// whatever is still in flight is aborted.
func (lt *lbTarget) containersExited() {
	if lt.exited {
		return
	}
	lb := lt.lb
	if info, ok := lb.tg.Target(lt.id); ok && info.State != loadbalancer.Draining && info.State != loadbalancer.Unused {
		// Forced down without deregistering first (a reclaimed instance):
		// the target goes now, so no new request reaches a dead task.
		lb.TaskDeactivating(lb.w.now(), lt.t)
	}
	if lt.lb.wl != nil {
		lt.lb.wl.taskExited(lt)
	}
	lt.exited = true
	lt.lb.release(lt)
}
