package sim

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// A service's scheduler is a pure decision. Service.snapshot (in
// reconcile_apply.go) copies what the scheduler may look at into a
// serviceSnapshot, plain data with no pointer into the world; the
// reconciler turns the snapshot into a list of actions; Service.apply
// carries them out in order. What needs the world's random streams or its
// placement index (which instance a task lands on, which running task a
// scale-in removes) stays with the applier: the decision names the
// deployment and the count, or the candidates and the count.
//
// One reconcile is decide, apply, then settle on the snapshot as the
// actions left it (the applier keeps its tasks and desired count in step):
// the deployment completes and the service reports a steady state once
// exactly the desired number of healthy primary tasks remain.
// A task that fails feeds the circuit breaker through failure, and a new
// deployment may reset the launch throttle (deploy).
//
// The rules and their sources:
//   - minimumHealthyPercent and maximumPercent bound a rolling update:
//     ceil(desired × min / 100) healthy tasks stay, floor(desired × max /
//     100) tasks that are not STOPPED at most
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html).
//   - The circuit breaker trips when the failed tasks of the deployment
//     reach ceil(desired / 2) clamped to [3, 200]; with rollback a
//     deployment of the last COMPLETED revision follows
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html).
//   - A daemon keeps one task on every ACTIVE instance, and its task on a
//     draining instance stops last
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html).
//   - Tasks that keep failing to start space the launches out, up to 15
//     minutes apart; a new task definition resets that
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-throttle-logic.html).
//   - The service scheduler launches at most 250 tasks per minute per
//     service on EC2, 500 on Fargate
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
//   - Availability Zone rebalancing starts a task in the emptiest zone and
//     then stops one in the fullest
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html).

// serviceSnapshot is a service as its scheduler sees it at one instant.
type serviceSnapshot struct {
	Name     string
	Status   ServiceStatus
	Strategy SchedulingStrategy
	Now      time.Duration // virtual time since the simulation started

	// Desired is the desired count (for DAEMON, the instances it last ran
	// or tried to run a task on).
	Desired               int
	MinimumHealthyPercent int
	MaximumPercent        int
	Steady                bool // reported a steady state and has not left it since
	WaitingForCapacity    bool // some tasks found no room; capacity changes wake it
	DeadlockReported      bool // the deployment-configuration deadlock event was sent for the primary

	Deployments []deploymentView // [0] is PRIMARY, then the older ACTIVE ones
	// Completed is the last COMPLETED deployment, the target of a
	// rollback; its ID is empty if no deployment ever completed.
	Completed deploymentView
	Tasks     []taskRole // the tasks not yet STOPPED, oldest first; actions name a task by its index
	// Counts count Tasks as the snapshot was taken, for decide; the
	// applier's later updates of Tasks, for settle (which reads Tasks
	// only), do not keep them.
	Counts    taskCounts
	Instances []instanceView // DAEMON only: the cluster's instances, by placement ID
	// TaskInstances, DAEMON only: Tasks[i] is on Instances[TaskInstances[i]]
	// (-1 if on none).
	TaskInstances []int32

	Throttle   launchThrottle
	LaunchRate int // launches per minute the service's bucket refills at
	Bucket     launchBucket
	Breaker    breakerSettings
	Rebalance  rebalanceState
}

// deploymentView is a deployment in a snapshot.
type deploymentView struct {
	ID             string
	TaskDefinition taskDefinitionID
	Rollout        RolloutState
	FailedTasks    int    // the circuit breaker's count
	StopReason     string // the stopped reason of the tasks the scheduler stops while it is PRIMARY
}

// taskDefinitionID names a task definition revision.
type taskDefinitionID struct {
	Family   string
	Revision int
}

func (d taskDefinitionID) String() string { return d.Family + ":" + strconv.Itoa(d.Revision) }

// taskRole is what the scheduler needs to know of a task, one bit a
// fact: every reconcile copies every task of its service, so the copy is
// a byte (and holds no pointer: no write barrier, nothing for the garbage
// collector to scan). roleOf makes it from the task's fields.
type taskRole uint8

const (
	roleRunning  taskRole = 1 << iota // desired status RUNNING: meant to keep running
	rolePrimary                       // of the primary deployment
	roleServing                       // RUNNING and counts toward minimumHealthyPercent
	rolePending                       // meant to run, not yet RUNNING
	roleDraining                      // on a DRAINING instance
)

// roleOf is the role of a task in lastStatus state and desired status
// desired; ofPrimary: of the primary deployment; countsHealthy: it counts
// toward minimumHealthyPercent once RUNNING (40 s after RUNNING without
// health checks, else once HEALTHY); onDraining: its instance is DRAINING.
// Only a task meant to keep running has a role beyond that (0).
func roleOf(state, desired TaskState, ofPrimary, countsHealthy, onDraining bool) taskRole {
	if desired != TaskRunning {
		return 0
	}
	r := roleRunning
	if ofPrimary {
		r |= rolePrimary
	}
	if state == TaskRunning && countsHealthy {
		r |= roleServing
	} else if state < TaskRunning {
		r |= rolePending
	}
	if onDraining {
		r |= roleDraining
	}
	return r
}

// running reports whether the task is meant to keep running.
func (r taskRole) running() bool { return r&roleRunning != 0 }

// serving reports whether the task counts toward minimumHealthyPercent.
func (r taskRole) serving() bool { return r&roleServing != 0 }

// pending reports whether the task is meant to run but is not yet RUNNING.
func (r taskRole) pending() bool { return r&rolePending != 0 }

// ofPrimary reports whether the task, meant to keep running, is of the
// primary deployment.
func (r taskRole) ofPrimary() bool { return r&rolePrimary != 0 }

// draining reports whether the task, meant to keep running, is on a
// DRAINING instance.
func (r taskRole) draining() bool { return r&roleDraining != 0 }

// active reports whether the task is one the primary deployment keeps: of
// the primary and not on a draining instance.
func (r taskRole) active() bool {
	return r&(roleRunning|rolePrimary|roleDraining) == roleRunning|rolePrimary
}

// retiring reports whether the task is meant to keep running but is to be
// replaced: of an older deployment, or on a draining instance.
func (r taskRole) retiring() bool { return r.running() && !r.active() }

// taskCounts counts the tasks of a snapshot by role. The snapshot counts
// them as it copies the tasks, so that a decision looks at the tasks one
// by one only when it has something to do with them.
type taskCounts struct {
	Active          int // tasks the primary keeps (taskRole.active)
	ActiveServing   int // of them, those that serve healthy
	Retiring        int // tasks to replace (taskRole.retiring)
	RetiringServing int // of them, those that serve healthy
}

// add counts a task of role r.
func (counts *taskCounts) add(r taskRole) {
	switch {
	case r.active():
		counts.Active++
		if r.serving() {
			counts.ActiveServing++
		}
	case r.retiring():
		counts.Retiring++
		if r.serving() {
			counts.RetiringServing++
		}
	}
}

// recount counts the tasks anew: for snapshots written by hand (tests) or
// changed after they were taken.
func (snap *serviceSnapshot) recount() {
	snap.Counts = taskCounts{}
	for _, r := range snap.Tasks {
		snap.Counts.add(r)
	}
}

// instanceView is a container instance in a DAEMON service's snapshot.
type instanceView struct {
	ID     string // the EC2 instance ID
	Status InstanceStatus
	// HasReplicaTasks: tasks of REPLICA services still run there. Set for
	// instances that are not ACTIVE and hold a task of the service, the
	// only ones whose daemon task waits for it.
	HasReplicaTasks bool
}

// launchThrottle is the back-off for tasks that keep failing to start.
type launchThrottle struct {
	Failures int           // consecutive tasks that stopped before RUNNING
	Until    time.Duration // no launch before this virtual time; 0 for none
}

// launchBucket is the service's launch-rate token bucket: it holds up to
// the rate (a minute of launches) and refills one token per minute / rate.
type launchBucket struct {
	Started    bool // the first launch filled it
	Tokens     int
	RefilledAt time.Duration // virtual time the bucket was last refilled up to
}

// take grants up to n launches at virtual time now, at rate launches per
// minute. It returns the bucket afterwards and, when it grants fewer than
// n, when the next token comes.
func (b launchBucket) take(now time.Duration, rate, n int) (after launchBucket, granted int, next time.Duration) {
	per := time.Minute / time.Duration(rate)
	if !b.Started {
		b = launchBucket{Started: true, Tokens: rate, RefilledAt: now}
	}
	if add := int((now - b.RefilledAt) / per); add > 0 {
		b.Tokens = min(b.Tokens+add, rate)
		b.RefilledAt += time.Duration(add) * per
		if b.Tokens == rate {
			b.RefilledAt = now
		}
	}
	granted = min(n, b.Tokens)
	b.Tokens -= granted
	if granted < n {
		next = b.RefilledAt + per
	}
	return b, granted, next
}

// breakerSettings is the deployment circuit breaker.
type breakerSettings struct {
	Enable, Rollback bool
	MinThreshold     int // the lower clamp of the threshold: 3 today, 10 in 2023
}

// rebalanceState is Availability Zone rebalancing as the scheduler sees it.
type rebalanceState struct {
	On         bool // rebalancing applies to the service
	InProgress bool // the service reported itself unbalanced and not yet balanced
	// Blocked: the last rebalancing task found no room; capacity changes
	// clear it.
	Blocked bool
	// Tracking: a rebalancing task was started and not yet forgotten. It
	// is Tasks[Task], or it has stopped if Task is -1.
	Tracking bool
	Task     int
	// Zones are the zones the service can place in, sorted, each with its
	// active tasks (taskRole.active). The snapshot fills it only when a
	// rebalancing step is possible (On, not Blocked, one deployment, not
	// waiting for capacity, and Counts.Active exactly the desired count,
	// all serving, none retiring), the only time the decision reads it:
	// counting costs a zone lookup per task.
	Zones []zoneTasks
}

// zoneTasks is one zone's count of a service's tasks.
type zoneTasks struct {
	Zone  string
	Tasks int
}

// actionKind is what an action does.
type actionKind uint8

const (
	// actStop stops Tasks (indexes in the snapshot) with code
	// ServiceSchedulerInitiated and Reason as their stopped reason.
	actStop actionKind = iota + 1
	// actStopVictims stops N tasks chosen among the candidates Tasks by
	// the service's placement rules (scale-in), for Reason.
	actStopVictims
	// actReportStopped logs "has stopped n running tasks: ..." for the
	// tasks this reconcile stopped so far.
	actReportStopped
	// actStart starts N tasks of Deployment; Instance >= 0 pins the one
	// task to that instance (DAEMON).
	actStart
	// actReportStarted logs the DAEMON tasks started so far and those that
	// found no room.
	actReportStarted
	// actStartRebalance starts one task of Deployment in Zone, one of
	// Zones, to rebalance; once it started, with Announce, the rebalancing
	// starts and its event (unbalancedEvent) is logged before the start
	// event. If it finds no room, rebalancing is blocked until capacity
	// changes.
	actStartRebalance
	// actWait makes the scheduler run again no later than At; N counts
	// the launches the throttle held back (ServiceCounters.ThrottledAttempts).
	actWait
	// actSetBucket stores Bucket as the launch-rate bucket.
	actSetBucket
	// actEvent logs Text.
	actEvent
	// actMarkDeadlock records that the deadlock event was sent for the
	// primary deployment.
	actMarkDeadlock
	// actForgetRebalanceTask stops tracking the rebalancing task.
	actForgetRebalanceTask
	// actRebalanced ends the rebalancing in progress.
	actRebalanced
	// actSetDesired sets the desired count to N (DAEMON; every pinned
	// start that is placed or finds no room adds one).
	actSetDesired
	// actInactive makes the deleted service INACTIVE.
	actInactive
	// actCompleteDeployment makes the primary COMPLETED, the others
	// INACTIVE, and logs Text.
	actCompleteDeployment
	// actSteady records a steady state and logs Text.
	actSteady
	// actCountFailure adds one to Deployment's failed tasks.
	actCountFailure
	// actFailDeployment makes Deployment FAILED and logs Text.
	actFailDeployment
	// actRollback starts a deployment of the last COMPLETED revision and
	// logs Text.
	actRollback
	// actResetThrottle clears the launch throttle.
	actResetThrottle
)

// action is one step the applier takes.
type action struct {
	Kind       actionKind
	N          int
	Deployment int
	Instance   int
	Tasks      []int // indexes in the snapshot's Tasks
	Zone       string
	Zones      []zoneTasks // actStartRebalance: the zones and their counts
	Announce   bool
	At         time.Duration
	Reason     string
	Text       string
	Bucket     launchBucket
}

// Event texts the scheduler decides (ECS's wording,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
const (
	eventDeadlock = "was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again."
	eventSteady   = "has reached a steady state."
)

// reconciler makes scheduling decisions, one at a time (a world's services
// share one: World.reconcilers). Its buffers are reused from one decision
// to the next, so that a reconcile of a busy service allocates nothing;
// the actions it returns are valid until its next call. Each decision
// reads only the snapshot it is given.
type reconciler struct {
	snap    serviceSnapshot // filled by the applier, reused
	actions []action
	indexes []int // backing store of the actions' Tasks
	// open is the index in actions of the actStop that stop extends, or
	// -1; its tasks start at openFrom in indexes.
	open, openFrom int
	stopped        []bool // by task: stopped by this decision
	slots          []daemonSlot
	stops          int // tasks stopped by this decision, victims included
	healthy        int // tasks serving healthy after this decision's stops
}

// daemonSlot is what a DAEMON decision knows of one instance.
type daemonSlot struct {
	primary bool // a task of the primary deployment runs there
	busy    bool // a task there is stopping
	old     int  // the task of an older deployment to replace, or -1
}

func (r *reconciler) reset(snap *serviceSnapshot) {
	r.actions, r.indexes, r.open, r.stops = r.actions[:0], r.indexes[:0], -1, 0
	r.stopped = slices.Grow(r.stopped[:0], len(snap.Tasks))[:len(snap.Tasks)]
	clear(r.stopped)
}

func (r *reconciler) emit(a action) {
	r.actions = append(r.actions, a)
	r.open = -1
}

func (r *reconciler) serves(snap *serviceSnapshot, i int) bool {
	return !r.stopped[i] && snap.Tasks[i].serving()
}

// stop stops task i for reason, in the same action as the stop before it
// when nothing came in between.
func (r *reconciler) stop(snap *serviceSnapshot, i int, reason string) {
	if r.serves(snap, i) {
		r.healthy--
	}
	r.stopped[i] = true
	r.stops++
	if r.open < 0 || r.actions[r.open].Reason != reason {
		r.emit(action{Kind: actStop, Reason: reason})
		r.open, r.openFrom = len(r.actions)-1, len(r.indexes)
	}
	r.indexes = append(r.indexes, i)
	r.actions[r.open].Tasks = r.indexes[r.openFrom:len(r.indexes):len(r.indexes)]
}

// throttled reports whether the launch throttle holds launches back now.
func throttled(snap *serviceSnapshot) bool { return snap.Now < snap.Throttle.Until }

// decide is one pass of the scheduler.
func (r *reconciler) decide(snap *serviceSnapshot) []action {
	r.reset(snap)
	switch {
	case snap.Status == ServiceInactive:
	case snap.Status == ServiceDraining:
		r.drainDeleted(snap)
	case snap.Strategy == Daemon:
		r.reconcileDaemon(snap)
	default:
		r.reconcileReplica(snap)
	}
	return r.actions
}

// drainDeleted stops every task of a deleted service; the service is
// INACTIVE once all are stopping or stopped.
func (r *reconciler) drainDeleted(snap *serviceSnapshot) {
	reason := "Service " + snap.Name + " was deleted"
	for i, role := range snap.Tasks {
		if role.running() {
			r.stop(snap, i, reason)
		}
	}
	if r.stops > 0 {
		r.emit(action{Kind: actReportStopped})
	}
	r.emit(action{Kind: actInactive})
}

// reconcileReplica is one pass of the replica scheduler: scale in, retire
// tasks of older deployments and on draining instances down to the minimum
// healthy bound, and start primary tasks up to the maximum bound; a quiet
// service may then take a step of zone rebalancing.
func (r *reconciler) reconcileReplica(snap *serviceSnapshot) {
	primary := &snap.Deployments[0]
	desired := snap.Desired
	maxTotal := MaximumTasks(desired, snap.MaximumPercent)
	minHealthy := MinimumHealthyTasks(desired, snap.MinimumHealthyPercent)
	total := len(snap.Tasks)
	counts := &snap.Counts
	r.healthy = counts.ActiveServing + counts.RetiringServing
	reason := primary.StopReason

	// A task started to rebalance keeps its place until it serves; then
	// the surplus it makes is stopped like any other.
	keep, tracking := desired, snap.Rebalance.Tracking
	if tracking {
		role := taskRole(0) // a task that stopped is not running
		if snap.Rebalance.Task >= 0 {
			role = snap.Tasks[snap.Rebalance.Task]
		}
		if !role.running() || !role.ofPrimary() || role.serving() {
			tracking = false
			r.emit(action{Kind: actForgetRebalanceTask})
		} else {
			keep++
		}
	}

	// Scale in: stop the surplus, tasks not yet RUNNING first (newest
	// first), then RUNNING tasks not yet healthy, then healthy victims
	// chosen by the placement rules. ECS documents only the last rule; the
	// preference for tasks that serve nothing yet is an assumption.
	activeLeft := counts.Active
	if surplus := counts.Active - keep; surplus > 0 {
		for pass := range 2 {
			for i := len(snap.Tasks) - 1; i >= 0 && surplus > 0; i-- {
				role := snap.Tasks[i]
				if !role.active() || r.stopped[i] {
					continue
				}
				if pass == 0 && role.pending() || pass == 1 && !role.serving() {
					r.stop(snap, i, reason)
					surplus--
					activeLeft--
				}
			}
		}
		if surplus > 0 {
			// Every candidate left serves healthy: the passes above
			// stopped all the others.
			from := len(r.indexes)
			for i, role := range snap.Tasks {
				if role.active() && !r.stopped[i] {
					r.indexes = append(r.indexes, i)
				}
			}
			r.emit(action{Kind: actStopVictims, N: surplus, Tasks: r.indexes[from:len(r.indexes):len(r.indexes)], Reason: reason})
			r.healthy -= surplus
			r.stops += surplus
			activeLeft -= surplus
		}
	}

	// Retire the other tasks: those that do not count as healthy go at
	// once, then the healthy ones while the healthy count stays at or
	// above the minimum (it only falls: once short, stop looking). Scale-in
	// stopped none of them. A FAILED deployment without rollback keeps the
	// old tasks serving.
	if counts.Retiring > 0 {
		failed := primary.Rollout == RolloutFailed
		for i, role := range snap.Tasks {
			if role.retiring() && !role.serving() && (!failed || role.draining()) {
				r.stop(snap, i, reason)
			}
		}
		for i, role := range snap.Tasks {
			if role.retiring() && role.serving() {
				if r.healthy-1 < minHealthy {
					break
				}
				if !failed || role.draining() {
					r.stop(snap, i, reason)
				}
			}
		}
	}
	if r.stops > 0 {
		r.emit(action{Kind: actReportStopped})
	}

	// Start primary tasks within the maximum.
	need := desired - activeLeft
	room := maxTotal - total
	switch n := min(need, room); {
	case n > 0 && primary.Rollout != RolloutFailed:
		if throttled(snap) {
			r.emit(action{Kind: actWait, At: snap.Throttle.Until, N: 1})
			return
		}
		bucket, granted, next := snap.Bucket.take(snap.Now, snap.LaunchRate, n)
		r.emit(action{Kind: actSetBucket, Bucket: bucket})
		if granted < n {
			r.emit(action{Kind: actWait, At: next})
		}
		if granted > 0 {
			r.emit(action{Kind: actStart, N: granted, Instance: -1})
		}
	case need > 0 && room <= 0 && r.stops == 0 && counts.Retiring > 0 &&
		maxTotal <= desired && minHealthy >= desired && !snap.DeadlockReported:
		r.emit(action{Kind: actMarkDeadlock})
		r.emit(action{Kind: actEvent, Text: eventDeadlock})
	case snap.Rebalance.On && !tracking && !snap.Rebalance.Blocked && need == 0 && r.stops == 0 && counts.Retiring == 0 &&
		len(snap.Deployments) == 1 && !snap.WaitingForCapacity && counts.ActiveServing == counts.Active:
		r.rebalance(snap, total, maxTotal)
	}
}

// reconcileDaemon keeps one task of the primary deployment on every ACTIVE
// instance, in placement-ID order. With maximumPercent 100 an old task
// must stop before its replacement starts, within the minimum healthy
// bound; a task on an instance that is no longer ACTIVE stops once no
// replica task is left there (daemon tasks stop last).
func (r *reconciler) reconcileDaemon(snap *serviceSnapshot) {
	primary := &snap.Deployments[0]
	reason := primary.StopReason
	r.healthy = 0
	for _, role := range snap.Tasks {
		if role.serving() {
			r.healthy++
		}
	}
	onActive := func(i int) bool {
		in := snap.TaskInstances[i]
		return in >= 0 && snap.Instances[in].Status == InstanceActive
	}
	for i := range snap.Tasks {
		in := snap.TaskInstances[i]
		if snap.Tasks[i].running() && !onActive(i) && (in < 0 || !snap.Instances[in].HasReplicaTasks) {
			r.stop(snap, i, reason)
		}
	}
	eligible := 0
	slots := r.slots[:0]
	for range snap.Instances {
		slots = append(slots, daemonSlot{old: -1})
	}
	r.slots = slots
	for i := range snap.Tasks {
		role := snap.Tasks[i]
		if !onActive(i) {
			continue
		}
		slot := &slots[snap.TaskInstances[i]]
		switch {
		case !role.running():
			slot.busy = true // wait until it is STOPPED: maximumPercent is 100
		case role.ofPrimary():
			eligible++
			slot.primary = true
		default:
			eligible++
			slot.old = i
		}
	}
	r.emit(action{Kind: actSetDesired, N: eligible})
	minHealthy := MinimumHealthyTasks(eligible, snap.MinimumHealthyPercent)
	held := -1 // the action counting launches the throttle holds back
	starts := 0
	for in := range snap.Instances {
		slot := &slots[in]
		if snap.Instances[in].Status != InstanceActive || slot.primary || slot.busy && slot.old < 0 {
			continue
		}
		if slot.old >= 0 {
			if !r.serves(snap, slot.old) || r.healthy-1 >= minHealthy {
				r.stop(snap, slot.old, reason)
			}
			continue
		}
		if primary.Rollout == RolloutFailed {
			continue
		}
		if throttled(snap) {
			if held < 0 {
				r.emit(action{Kind: actWait, At: snap.Throttle.Until})
				held = len(r.actions) - 1
			}
			r.actions[held].N++
			continue
		}
		r.emit(action{Kind: actStart, N: 1, Instance: in})
		starts++
	}
	if r.stops > 0 {
		r.emit(action{Kind: actReportStopped})
	}
	if starts > 0 {
		r.emit(action{Kind: actReportStarted})
	}
}

// settle completes the primary deployment and reports a steady state once
// every task is a healthy RUNNING task of the primary, as many as desired.
func (r *reconciler) settle(snap *serviceSnapshot) []action {
	r.reset(snap)
	if snap.Status != ServiceActive {
		return r.actions
	}
	primary := &snap.Deployments[0]
	if len(snap.Tasks) != snap.Desired || primary.Rollout == RolloutFailed {
		return r.actions
	}
	for _, role := range snap.Tasks {
		if !role.active() || !role.serving() {
			return r.actions
		}
	}
	if primary.Rollout == RolloutInProgress {
		r.emit(action{Kind: actCompleteDeployment, Text: "(deployment " + primary.ID + ") deployment completed."})
	}
	if !snap.Steady {
		r.emit(action{Kind: actSteady, Text: eventSteady})
	}
	return r.actions
}

// failure feeds the circuit breaker a failed task of deployment dep (an
// index in the snapshot's Deployments, -1 if none of them): a task that
// stopped before RUNNING or was stopped for failing health checks.
func (r *reconciler) failure(snap *serviceSnapshot, dep int) []action {
	r.reset(snap)
	breaker := snap.Breaker
	if !breaker.Enable || dep != 0 || snap.Deployments[0].Rollout != RolloutInProgress {
		return r.actions
	}
	primary := &snap.Deployments[0]
	r.emit(action{Kind: actCountFailure, Deployment: dep})
	if primary.FailedTasks+1 < CircuitBreakerThreshold(snap.Desired, breaker.MinThreshold) {
		return r.actions
	}
	r.emit(action{Kind: actFailDeployment, Deployment: dep,
		Text: "(deployment " + primary.ID + ") deployment failed: tasks failed to start."})
	if back := &snap.Completed; breaker.Rollback && back.ID != "" {
		r.emit(action{Kind: actRollback, Text: fmt.Sprintf("(deployment %s) rolling back to deployment %s (task definition %s).",
			primary.ID, back.ID, back.TaskDefinition)})
	}
	return r.actions
}

// deploy decides what a new deployment of next changes besides the
// deployments, primary being the current primary's: a new task definition
// resets the launch throttle. It allocates its answer, once a deployment.
func deploy(primary, next taskDefinitionID) []action {
	if next != primary {
		return []action{{Kind: actResetThrottle}}
	}
	return nil
}
