package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/ecssim/ecssim/placement"
)

// TaskState is a task's lastStatus. The states are ordered: a task only
// moves forward through them, possibly skipping some (a task that fails to
// start goes from PENDING to STOPPED).
type TaskState uint8

// Task states, in lifecycle order (aws-behaviour.md §2.1).
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

// Stop codes (aws-behaviour.md §2.1).
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
	req       placement.Task
	groupName string
	service   *Service
	dep       *Deployment
	startedBy string

	state, desired TaskState
	health         Health
	countsHealthy  bool // counts toward minimumHealthyPercent (§3.2)
	onDraining     bool // its instance is DRAINING (kept here: reconcile reads it for every task)
	released       bool
	createdAt      time.Time
	startedAt      time.Time // entered RUNNING
	stoppingAt     time.Time // desired status became STOPPED
	stoppedAt      time.Time
	stopCode       StopCode
	stoppedReason  string
	host           taskHost // where it runs: cluster, provider, Fargate, zone

	step, healthTimer, exitTimer Timer

	lb *lbTarget // load balancer target and request server; nil without a load balancer
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

func (t *Task) enter(s TaskState, after time.Duration) {
	t.state = s
	t.step = t.w.sim.Schedule(t.w.kTaskStep, after, uint64(t.id))
}

// onTaskStep moves a task to its next state when the current one is done.
func (w *World) onTaskStep(arg uint64) {
	t := w.task(arg)
	if t == nil {
		return
	}
	switch t.state {
	case TaskProvisioning:
		t.enter(TaskPending, w.pendingTime(t))
	case TaskPending:
		if p := t.def.in.Behavior.StartFailureProbability; p > 0 && w.rngFail.Float64() < p {
			reason := t.def.in.Behavior.StartFailureReason
			if reason == "" {
				reason = fmt.Sprintf(defaultStartFailureReasonFormat, t.def.images[0])
			}
			t.desired, t.stopCode, t.stoppedReason, t.stoppingAt = TaskStopped, StopTaskFailedToStart, reason, w.now()
			w.afterContainersStopped(t)
			return
		}
		t.enter(TaskActivating, w.lat.Activating.Sample(w.rngStart))
	case TaskActivating:
		w.taskRunning(t)
	case TaskDeactivating:
		w.sigterm(t)
	case TaskStopping:
		if t.lb != nil {
			t.lb.containersExited() // requests still in flight are lost
		}
		w.afterContainersStopped(t)
	case TaskDeprovisioning:
		w.finishTask(t)
	}
}

// taskRunning enters RUNNING and arms the health and exit clocks.
func (w *World) taskRunning(t *Task) {
	t.state, t.startedAt = TaskRunning, w.now()
	if h := t.def.health; h != nil {
		at := h.Interval // the first check passes
		if t.def.in.Behavior.UnhealthyAfterStart {
			// Checks run every Interval from container start; failures
			// inside StartPeriod do not count; Retries counted failures in
			// a row make the container UNHEALTHY.
			first := int64(h.StartPeriod/h.Interval) + 1
			at = time.Duration(first+int64(h.Retries)-1) * h.Interval
		}
		t.healthTimer = w.sim.Schedule(w.kTaskHealth, at, uint64(t.id))
	} else {
		// Without health checks a task counts as healthy 40 s after RUNNING
		// (service_definition_parameters, §3.2).
		t.healthTimer = w.sim.Schedule(w.kTaskHealth, NoHealthCheckHealthyAt, uint64(t.id))
	}
	b := &t.def.in.Behavior
	exit := time.Duration(math.MaxInt64)
	if !b.RunFor.IsZero() {
		exit = b.RunFor.Sample(w.rngFail)
	}
	if b.CrashesPerHour > 0 {
		crash := Exponential(time.Duration(float64(time.Hour) / b.CrashesPerHour)).Sample(w.rngFail)
		exit = min(exit, crash)
	}
	if exit != time.Duration(math.MaxInt64) {
		t.exitTimer = w.sim.Schedule(w.kTaskExit, exit, uint64(t.id))
	}
	if s := t.service; s != nil {
		s.onTaskRunning(t)
	}
}

// onTaskHealth applies the health decision armed at RUNNING.
func (w *World) onTaskHealth(arg uint64) {
	t := w.task(arg)
	if t == nil || t.state != TaskRunning || t.desired != TaskRunning {
		return
	}
	// Behind a load balancer the task also needs a healthy target
	// (lbHealthy); without one, lbHealthy is always true.
	if t.def.health == nil {
		t.countsHealthy = t.lbHealthy()
	} else if t.def.in.Behavior.UnhealthyAfterStart {
		t.health = HealthUnhealthy
	} else {
		t.health, t.countsHealthy = HealthHealthy, t.lbHealthy()
	}
	if s := t.service; s != nil {
		s.onTaskHealth(t)
	}
}

// onTaskExit is an essential container exiting by itself.
func (w *World) onTaskExit(arg uint64) {
	t := w.task(arg)
	if t == nil || t.state != TaskRunning || t.desired != TaskRunning {
		return
	}
	w.stopTask(t, StopEssentialContainerExited, reasonEssentialExited)
}

// stopTask sets a task's desired status to STOPPED and starts its way
// there from whatever state it is in.
func (w *World) stopTask(t *Task, code StopCode, reason string) {
	if t.desired == TaskStopped {
		return
	}
	t.desired, t.stopCode, t.stoppedReason, t.stoppingAt = TaskStopped, code, reason, w.now()
	t.healthTimer.Stop()
	t.exitTimer.Stop()
	switch t.state {
	case TaskProvisioning, TaskPending, TaskActivating:
		// Nothing is serving yet: stop the containers that exist, no
		// deregistration needed.
		t.step.Stop()
		t.enter(TaskStopping, 0)
	case TaskRunning:
		drain := w.lat.Deactivating.Sample(w.rngStop)
		if s := t.service; s != nil && s.cfg.Observer != nil {
			drain += max(s.cfg.Observer.TaskDeactivating(w.now(), t), 0)
			if tg, ok := s.cfg.Observer.(TargetGroupObserver); ok {
				s.event("has begun draining connections on 1 tasks.")
				s.event("deregistered 1 targets in (target-group %s)", tg.TargetGroupARN())
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
// shutdown time, or gets SIGKILL at the stop timeout.
func (w *World) sigterm(t *Task) {
	shutdown := t.def.in.Behavior.Shutdown.or(Uniform(0, 2*time.Second)).Sample(w.rngStop)
	if t.lb != nil && t.lb.sigterm(shutdown) {
		return // the application finishes its requests in flight first
	}
	t.enter(TaskStopping, min(shutdown, t.def.stopTimeout))
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
	t.state, t.stoppedAt = TaskStopped, w.now()
	if t.lb != nil {
		t.lb.containersExited() // a task forced down skips STOPPING
	}
	t.step.Stop()
	t.healthTimer.Stop()
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
	if s := t.service; s != nil {
		s.onTaskStopped(t)
	}
	t.cluster().capacityChanged(false)
	w.retire(t)
}

// StopTask stops a task as ECS StopTask does: SIGTERM, then SIGKILL after
// the stop timeout. The stop code is UserInitiated; reason "" means "Task
// stopped by user". Stopping a task that is already stopping does nothing.
func (w *World) StopTask(t *Task, reason string) error {
	if t == nil || t.w != w {
		return fmt.Errorf("%w: task", ErrNotFound)
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
