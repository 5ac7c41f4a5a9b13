package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim/capacity"
)

// TaskState is a task's lastStatus. The states are ordered: a task only
// moves forward through them, possibly skipping some (a task that fails to
// start goes from PENDING to STOPPED).
type TaskState uint8

// Task states, in lifecycle order
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle.html).
const (
	TaskProvisioning   TaskState = iota // pre-launch work: awsvpc ENI attachment
	TaskPending                         // image pull, container creation and start
	TaskActivating                      // post-launch work: service discovery, target registration
	TaskRunning                         // running
	TaskDeactivating                    // pre-stop work: target deregistration and draining
	TaskStopping                        // SIGTERM sent; SIGKILL after the stop timeout
	TaskDeprovisioning                  // post-stop work: ENI detachment
	TaskStopped                         // stopped; resources released
)

var taskStateNames = [...]string{"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED"}

// String returns the ECS spelling.
func (s TaskState) String() string { return taskStateNames[s] }

// StopCode is the ECS TaskStopCode of a stopped task.
type StopCode string

// Stop codes (TaskStopCode,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html).
const (
	StopTaskFailedToStart           StopCode = "TaskFailedToStart"
	StopEssentialContainerExited    StopCode = "EssentialContainerExited"
	StopUserInitiated               StopCode = "UserInitiated"
	StopServiceSchedulerInitiated   StopCode = "ServiceSchedulerInitiated"
	StopSpotInterruption            StopCode = "SpotInterruption"
	StopTerminationNotice           StopCode = "TerminationNotice"
	reasonEssentialExited                    = "Essential container in task exited"
	reasonUserStopped                        = "Task stopped by user"
	reasonHealthCheck                        = "Task failed container health checks"
	defaultStartFailureReasonFormat          = "CannotPullContainerError: pull image manifest has been retried 5 time(s): %s: not found"
)

// Health is a task's health status.
type Health uint8

// Health statuses. A task is HEALTHY when all its essential containers with
// health checks are, UNHEALTHY when one is not, and UNKNOWN while the checks
// have not decided or when no essential container has one.
const (
	HealthUnknown Health = iota
	HealthHealthy
	HealthUnhealthy
)

var healthNames = [...]string{"UNKNOWN", "HEALTHY", "UNHEALTHY"}

// String returns the ECS spelling.
func (h Health) String() string { return healthNames[h] }

// Task is one task: a running copy of a task definition on an instance.
type Task struct {
	w         *World
	id        int
	arnID     string
	def       *TaskDefinition
	inst      *Instance
	instPos   int // position in inst.tasks while there
	req       placement.Task
	groupName string
	service   *Service
	dep       *Deployment
	startedBy string

	state, desired TaskState
	health         Health
	countsHealthy  bool // counts toward minimumHealthyPercent
	onDraining     bool // its instance is DRAINING (kept here: reconcile reads it for every task)
	released       bool
	checked        bool // the container health check, or the 40-second rule, has decided
	inRunningCount bool // counted in its service's RunningCount (Service.running)
	exited         bool // the containers have stopped (LifecycleContainersExited told)
	createdAt      time.Time
	startedAt      time.Time // entered RUNNING
	stoppedAt      time.Time
	stopCode       StopCode
	stoppedReason  string
	host           taskHost // where it runs: cluster, provider, Fargate, zone

	// step ends the current state; healthTimer is the container health
	// check's decision, graceTimer the end of a health check grace period
	// that a failing check waits for, exitTimer the essential container's
	// own exit.
	step, healthTimer, graceTimer, exitTimer Timer

	attached *attachments // its attachments; nil without any (attachment.go)
	// first is its first attachment, held in the task itself because a
	// request reads it: a load balancer finds its target here without two
	// more cache misses (BenchmarkRequestLevel).
	first Attachment
}

// ID returns the task ID (the last part of its ARN), 32 hex digits.
func (t *Task) ID() string { return t.arnID }

// TaskDefinition returns the task's task definition.
func (t *Task) TaskDefinition() *TaskDefinition { return t.def }

// Instance returns the instance the task was placed on, or nil for a
// Fargate task and a task still waiting for an instance.
func (t *Task) Instance() *Instance { return t.inst }

// Group returns the task group, e.g. "service:web" or "family:batch".
func (t *Task) Group() string { return t.groupName }

// Service returns the service that started the task, or nil.
func (t *Task) Service() *Service { return t.service }

// StartedBy returns the tag the task was started with: RunTaskInput.StartedBy,
// or the deployment ID for a service task.
func (t *Task) StartedBy() string { return t.startedBy }

// State returns the task's lastStatus.
func (t *Task) State() TaskState { return t.state }

// DesiredStatus returns RUNNING or STOPPED.
func (t *Task) DesiredStatus() TaskState { return t.desired }

// Health returns the task's health status.
func (t *Task) Health() Health { return t.health }

// CreatedAt returns when the task was placed.
func (t *Task) CreatedAt() time.Time { return t.createdAt }

// StartedAt returns when the task reached RUNNING, or the zero time.
func (t *Task) StartedAt() time.Time { return t.startedAt }

// StoppedAt returns when the task reached STOPPED, or the zero time.
func (t *Task) StoppedAt() time.Time { return t.stoppedAt }

// CountsHealthy reports whether the task counts as healthy for the
// service's minimumHealthyPercent: RUNNING and desired RUNNING, and HEALTHY
// if an essential container has a health check, else RUNNING for 40 s.
func (t *Task) CountsHealthy() bool {
	return t.desired == TaskRunning && t.state == TaskRunning && t.countsHealthy
}

// StopCode returns the stop code, or "" while the task is meant to run.
func (t *Task) StopCode() StopCode { return t.stopCode }

// StoppedReason returns the stopped reason, or "".
func (t *Task) StoppedReason() string { return t.stoppedReason }

// Resources returns what the task holds on its instance until it stops:
// CPU units, MiB, ENIs and static host ports.
func (t *Task) Resources() placement.Task { return t.req }

// pendingTime draws PENDING: the pull of every image the instance lacks
// (pulled one after another) and the container start.
func (w *World) pendingTime(t *Task) time.Duration {
	if t.inst == nil {
		return w.fargatePending(t)
	}
	var d time.Duration
	for _, img := range t.def.images {
		if !t.inst.hasImage(img) {
			d += w.lat.ImagePull.Sample(w.rngStart)
			t.inst.images = append(t.inst.images, img)
		}
	}
	return d + w.lat.ContainerStart.Sample(w.rngStart)
}

// enter puts the task in state s, whose own work takes after; the state
// ends then, or when the last attachment holding it lets go (Verdict.Hold).
func (t *Task) enter(s TaskState, after time.Duration) {
	t.state = s
	if a := t.attached; a != nil && a.holds > 0 {
		now := t.w.sim.Elapsed()
		a.ownEnd = addTime(now, after)
		for i := range a.list {
			if x := &a.list[i]; x.held {
				after = max(after, x.holdUntil-now)
			}
		}
	}
	t.step = t.w.sim.Schedule(t.w.kTaskStep, after, uint64(t.id))
}

// onTaskStep moves a task to its next state when the current one is done.
func (w *World) onTaskStep(arg uint64) {
	t := w.task(arg)
	if t == nil {
		return
	}
	t.endHolds()
	switch t.state {
	case TaskProvisioning:
		if why := t.startFailure(); why != "" {
			w.failStart(t, why)
			return
		}
		t.notify(LifecycleResourcesAcquired, false)
		if t.startFailure() != "" {
			t.enter(TaskPending, 0)
			return
		}
		t.enter(TaskPending, w.pendingTime(t))
	case TaskPending:
		if why := t.startFailure(); why != "" {
			w.failStart(t, why)
			return
		}
		if p := t.def.in.Behavior.StartFailureProbability; p > 0 && w.rngFail.Float64() < p {
			reason := t.def.in.Behavior.StartFailureReason
			if reason == "" {
				reason = fmt.Sprintf(defaultStartFailureReasonFormat, t.def.images[0])
			}
			w.failStart(t, reason)
			return
		}
		t.enter(TaskActivating, w.lat.Activating.Sample(w.rngStart))
	case TaskActivating:
		w.taskRunning(t)
	case TaskDeactivating:
		w.sigterm(t)
	case TaskStopping:
		t.containersExited() // requests still in flight are lost
		w.afterContainersStopped(t)
	case TaskDeprovisioning:
		w.finishTask(t)
	}
}

// failStart stops a task that could not start: TaskFailedToStart.
func (w *World) failStart(t *Task, reason string) {
	t.desired, t.stopCode, t.stoppedReason = TaskStopped, StopTaskFailedToStart, reason
	t.notify(LifecycleStopRequested, false)
	t.containersExited()
	w.afterContainersStopped(t)
}

// healthDecision is how long after RUNNING the container health check of
// def decides, or, without one, the task counts as healthy.
func healthDecision(def *TaskDefinition) time.Duration {
	h := def.health
	if h == nil {
		// Without health checks a task counts as healthy 40 s after
		// RUNNING (service_definition_parameters).
		return NoHealthCheckHealthyAt
	}
	if def.in.Behavior.UnhealthyAfterStart {
		// Checks run every Interval from container start; failures inside
		// StartPeriod do not count; Retries counted failures in a row make
		// the container UNHEALTHY.
		first := int64(h.StartPeriod/h.Interval) + 1
		return time.Duration(first+int64(h.Retries)-1) * h.Interval
	}
	return h.Interval // the first check passes
}

// taskRunning enters RUNNING and arms the health and exit clocks.
func (w *World) taskRunning(t *Task) {
	t.state, t.startedAt = TaskRunning, w.now()
	t.healthTimer = w.sim.Schedule(w.kTaskHealth, healthDecision(t.def), uint64(t.id))
	b := &t.def.in.Behavior
	exit := time.Duration(math.MaxInt64)
	if !b.RunFor.IsZero() {
		exit = b.RunFor.Sample(w.rngFail)
	}
	if b.CrashesPerHour > 0 {
		crash := Exponential(crashMean(b.CrashesPerHour)).Sample(w.rngFail)
		exit = min(exit, crash)
	}
	if exit != time.Duration(math.MaxInt64) {
		t.exitTimer = w.sim.Schedule(w.kTaskExit, exit, uint64(t.id))
	}
	t.notify(LifecycleRunning, false)
	if s := t.service; s != nil {
		s.onTaskRunning(t)
	}
}

// crashMean is the mean time to a crash at rate crashes per task-hour: at
// least a nanosecond, and End for a rate so small that the quotient leaves
// int64 (converting such a float to a Duration is undefined, and gave a
// negative mean).
func crashMean(perHour float64) time.Duration {
	mean := float64(time.Hour) / perHour
	if !(mean < float64(End)) {
		return End
	}
	return max(time.Duration(mean), 1)
}

// onTaskHealth is the task's health timer: the container health check
// (without one, the 40-second rule) decides, or a health check grace
// period that a failing check waits for ends.
func (w *World) onTaskHealth(arg uint64) {
	t := w.task(arg)
	if t == nil || t.state != TaskRunning || t.desired != TaskRunning {
		return
	}
	decided, changed := false, false
	if !t.checked && !w.now().Before(t.startedAt.Add(healthDecision(t.def))) {
		t.checked, decided = true, true
		if t.def.health != nil {
			h := HealthHealthy
			if t.def.in.Behavior.UnhealthyAfterStart {
				h = HealthUnhealthy
			}
			changed, t.health = h != t.health, h
		}
	}
	w.judgeHealth(t, decided, changed)
}

// judgeHealth is the one health path. The container health check and the
// attachments' health gates (a load balancer's target health) feed it: a
// RUNNING task counts as healthy when its container check is HEALTHY (or,
// without one, once every gate is healthy, or 40 s after RUNNING when it
// has no gate) and every gate is healthy. A service task that fails one
// (its container check first, then its gates in order) goes to the
// service's health rule (Service.onTaskHealth); so does any other change
// the scheduler may act on. decided says the container check (or the
// 40-second rule) has just decided, healthChanged that Health changed.
func (w *World) judgeHealth(t *Task, decided, healthChanged bool) {
	if t.state != TaskRunning || t.desired != TaskRunning {
		return
	}
	counts, gated, failure := true, false, ""
	if t.health == HealthUnhealthy {
		failure = reasonHealthCheck
	}
	for _, x := range t.attachments() {
		if !x.gate {
			continue
		}
		gated = true
		if x.gateHealth != HealthHealthy {
			counts = false
			if x.gateHealth == HealthUnhealthy && failure == "" {
				failure = x.gateReason
			}
		}
	}
	switch {
	case t.def.health != nil:
		counts = counts && t.health == HealthHealthy
	case !gated:
		counts = counts && t.checked
	}
	s := t.service
	if failure != "" {
		if healthChanged {
			t.notify(LifecycleHealthChanged, false)
		}
		if s != nil {
			s.onTaskHealth(t, failure)
			return
		}
		counts = false // a standalone task keeps running, however unhealthy
	}
	changed := counts != t.countsHealthy
	t.countsHealthy = counts
	if changed || healthChanged {
		t.notify(LifecycleHealthChanged, false)
	}
	if s != nil && (changed || decided) {
		s.onTaskHealth(t, "")
	}
}

// judgeHealthAt arranges for t's health to be judged again at at (the end
// of a health check grace period), unless that is arranged already.
func (w *World) judgeHealthAt(t *Task, at time.Time) {
	if !t.graceTimer.Pending() {
		t.graceTimer = w.sim.Schedule(w.kTaskHealth, at.Sub(w.now()), uint64(t.id))
	}
}

// onTaskExit is an essential container exiting by itself.
func (w *World) onTaskExit(arg uint64) {
	t := w.task(arg)
	if t == nil || t.state != TaskRunning || t.desired != TaskRunning {
		return
	}
	w.stop(t, stopExited, StopEssentialContainerExited, reasonEssentialExited)
}

// stopCause is why a task stops. It decides, in one place (graceful), what
// becomes of the task's work in flight.
type stopCause uint8

const (
	// stopRequested: the task is asked to stop: a scheduler stop
	// (scale-in, deployment, draining instance, failed health check,
	// rebalancing, service deletion), StopTask, a Fargate Spot warning, a
	// provisioning timeout.
	stopRequested stopCause = iota
	// stopExited: an essential container exited by itself (a crash,
	// Behavior.RunFor, a scripted task failure).
	stopExited
	// stopHostLost: the task's host is gone: its instance failed, was
	// deregistered with force or reclaimed by Spot, its Fargate Spot
	// capacity was reclaimed at the end of the warning, or its
	// Availability Zone went out.
	stopHostLost
)

// graceful reports whether a task stopped for c stops gracefully: its
// targets deregister and drain, then SIGTERM, and SIGKILL at the stop
// timeout. Otherwise the task is dead: its containers have stopped, what
// it had in flight is lost at once (an ALB answers 502, an NLB resets the
// connections) and its targets leave routing at once; a lost host takes
// the task straight to STOPPED, an exited container through
// DEPROVISIONING.
func (c stopCause) graceful() bool { return c == stopRequested }

// stopTask asks a task to stop (stopRequested): its desired status becomes
// STOPPED and it starts its graceful way there from whatever state it is in.
func (w *World) stopTask(t *Task, code StopCode, reason string) {
	w.stop(t, stopRequested, code, reason)
}

// stop is the one way a task stops: asked to, or dead (see stopCause).
// code and reason are its stop code and stopped reason, unless it was
// already stopping.
func (w *World) stop(t *Task, cause stopCause, code StopCode, reason string) {
	if t.state == TaskStopped || cause.graceful() && t.desired == TaskStopped {
		return
	}
	if t.desired != TaskStopped {
		t.leaveRunningCount()
		t.desired, t.stopCode, t.stoppedReason = TaskStopped, code, reason
		t.healthTimer.Stop()
		t.graceTimer.Stop()
		t.exitTimer.Stop()
		if !cause.graceful() {
			t.notify(LifecycleStopRequested, false)
		}
	}
	if !cause.graceful() {
		t.step.Stop()
		t.endHolds()
		t.containersExited() // what is in flight is lost; targets leave routing
		if cause == stopHostLost {
			w.finishTask(t) // the service hears of it there
			return
		}
		if s := t.service; s != nil {
			s.requestReconcile()
		}
		w.afterContainersStopped(t)
		return
	}
	switch t.state {
	case TaskProvisioning, TaskPending, TaskActivating:
		// Nothing is serving yet: stop the containers that exist, no
		// deregistration needed.
		t.step.Stop()
		t.endHolds()
		t.notify(LifecycleStopRequested, true)
		t.enter(TaskStopping, 0)
	case TaskRunning:
		drain := w.lat.Deactivating.Sample(w.rngStop)
		t.notify(LifecycleStopRequested, true) // targets deregister and hold DEACTIVATING while they drain
		if s := t.service; s != nil {
			if lb := classicOf(s.cfg.Observer, nil); lb != nil {
				s.eventText("has begun draining connections on 1 tasks.")
				s.endEvent(append(append(append(s.beginEvent(), "deregistered 1 instances in (elb "...), lb.cfg.Name...), ')'))
			} else if tg, ok := s.cfg.Observer.(TargetGroupObserver); ok {
				s.eventText("has begun draining connections on 1 tasks.")
				s.endEvent(append(appendTargetGroupARN(append(s.beginEvent(), "deregistered 1 targets in (target-group "...), tg), ')'))
			}
		}
		t.enter(TaskDeactivating, drain)
	}
	if s := t.service; s != nil && code != StopServiceSchedulerInitiated {
		// The scheduler's own stops happen inside a reconcile that already
		// accounts for them; other stops need the scheduler to look again.
		s.requestReconcile()
	}
}

// sigterm enters STOPPING: the application gets SIGTERM and exits after its
// shutdown time, or gets SIGKILL at the stop timeout. An attachment with
// work in flight (a load balancer target's requests) holds STOPPING until
// that work is done.
func (w *World) sigterm(t *Task) {
	shutdown := t.def.in.Behavior.Shutdown.Or(Uniform(0, 2*time.Second)).Sample(w.rngStop)
	t.notify(LifecycleSIGTERM, true)
	t.enter(TaskStopping, min(shutdown, t.def.stopTimeout))
}

// containersExited tells the attachments, once, that the task's containers
// have stopped.
func (t *Task) containersExited() {
	if !t.exited {
		t.exited = true
		t.notify(LifecycleContainersExited, false)
	}
}

// afterContainersStopped enters DEPROVISIONING for awsvpc tasks, else STOPPED.
func (w *World) afterContainersStopped(t *Task) {
	if t.def.in.NetworkMode == AWSVPC && t.hasENI() {
		t.enter(TaskDeprovisioning, w.lat.ENIDetach.Sample(w.rngStop))
		return
	}
	w.finishTask(t)
}

// finishTask enters STOPPED: resources are released and the service told.
func (w *World) finishTask(t *Task) {
	t.leaveRunningCount() // in case a task reached STOPPED another way
	t.state, t.stoppedAt = TaskStopped, w.now()
	t.step.Stop()
	t.endHolds()
	t.containersExited() // a task forced down skips STOPPING
	t.healthTimer.Stop()
	t.graceTimer.Stop()
	t.exitTimer.Stop()
	if !t.released {
		t.released = true
		if t.inst != nil {
			if err := t.inst.c.place.Release(t.inst.placeID, t.req); err != nil {
				panic(fmt.Sprintf("sim: releasing task %s: %v", t.arnID, err))
			}
			t.inst.removeTask(t)
			if t.inst.status == InstanceDraining && t.service != nil && t.service.cfg.SchedulingStrategy != Daemon {
				t.inst.replicaLeft()
			}
		}
	}
	w.account.taskStopped(t)
	t.notify(LifecycleStopped, false)
	if s := t.service; s != nil {
		s.onTaskStopped(t)
	}
	t.cluster().capacityChanged(false)
	w.retire(t)
}

// StopTask stops a task as ECS StopTask does: SIGTERM, then SIGKILL after
// the stop timeout. The stop code is UserInitiated; reason "" means "Task
// stopped by user", and a reason longer than MaxStoppedReason is refused
// (ErrConfig). Stopping a task that is already stopping, or stopped, does
// nothing. A nil task, or a task of another World, is ErrNotFound. A call
// beyond the StopTask rate limit (WorldConfig.APIRateLimits) stops nothing
// and returns a *ThrottlingError matching ErrThrottled.
func (w *World) StopTask(t *Task, reason string) error {
	switch {
	case t == nil:
		return fielderr.New(ErrNotFound, "StopTask(t)", nil, "must be a task, not nil")
	case t.w != w:
		return fielderr.New(ErrNotFound, "StopTask(t)", t.arnID, "is a task of another World")
	case len(reason) > MaxStoppedReason:
		return fielderr.New(ErrConfig, "StopTask(reason)", reason, fmt.Sprintf("must have at most %d characters", MaxStoppedReason))
	}
	if err := w.throttle(capacity.StopTask); err != nil {
		return err
	}
	if reason == "" {
		reason = reasonUserStopped
	}
	w.stopTask(t, StopUserInitiated, reason)
	return nil
}

// Zone returns the Availability Zone the task runs in: its instance's, or
// the one Fargate chose. It is "" for a task still waiting for an instance.
func (t *Task) Zone() string {
	if t.inst != nil {
		return t.inst.zone
	}
	return t.host.zone
}

// IsFargate reports whether the task runs on Fargate (launch type FARGATE,
// or the FARGATE or FARGATE_SPOT capacity provider).
func (t *Task) IsFargate() bool { return t.host.fargate }

// IsSpot reports whether the task runs on Spot capacity: Fargate Spot, or
// an instance of a Spot Auto Scaling group provider.
func (t *Task) IsSpot() bool {
	if t.inst != nil {
		return t.inst.spot()
	}
	return t.host.spot
}

// CapacityProvider returns the capacity provider the task was launched
// with, or nil for a task with a launch type.
func (t *Task) CapacityProvider() *CapacityProvider { return t.host.provider }

// cluster returns the task's cluster.
func (t *Task) cluster() *Cluster {
	if t.inst != nil {
		return t.inst.c
	}
	return t.host.c
}

// hasENI reports whether the task got its elastic network interface: it
// has an instance, or it is a Fargate task that got its launch token. A
// task stopped while it waited has nothing to detach.
func (t *Task) hasENI() bool { return t.inst != nil || t.host.fargate && t.host.started }

// MaxStoppedReason is the longest reason StopTask accepts, 255 characters
// as ECS's StopTask
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopTask.html).
const MaxStoppedReason = 255

// taskHost is what a task knows of its capacity: its cluster, its
// provider (nil for a launch type), Fargate or not, its zone.
type taskHost struct {
	c        *Cluster
	provider *CapacityProvider
	fargate  bool
	spot     bool
	zone     string
	pending  time.Duration   // Fargate: the PENDING share of the start latency
	started  bool            // Fargate: got its launch token
	billed   bool            // an accumulator meter is open under the task ID
	quota    int             // CPU units reserved in a Fargate vCPU quota
	waiting  bool            // ASG provider: in PROVISIONING, waiting for an instance
	plan     *placement.Plan // ASG provider: where the task may be placed
}
