package sim

import (
	"fmt"
	"slices"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/preload"
	"github.com/ecssim/ecssim/placement"
)

// reconcileNow runs the service's scheduler at once: decide on a snapshot,
// apply the actions, then settle (complete the deployment, report a steady
// state) on the snapshot as the actions left it.
func (s *Service) reconcileNow() {
	if s.status == ServiceInactive {
		return
	}
	r := s.scheduler
	s.snapshot(&r.snap)
	s.apply(&r.snap, r.decide(&r.snap))
	s.apply(nil, r.settle(&r.snap))
}

// reconcileDaemon is the first half of reconcileNow, decide and apply, and
// checkSteady the second; capacityChanged runs them for a daemon service
// as soon as a new instance registers.
func (s *Service) reconcileDaemon() {
	r := s.scheduler
	s.snapshot(&r.snap)
	s.apply(&r.snap, r.decide(&r.snap))
}

// checkSteady settles the service: see reconcileNow.
func (s *Service) checkSteady() {
	r := s.scheduler
	s.snapshot(&r.snap)
	s.apply(nil, r.settle(&r.snap))
}

// reconcilers returns the two reconcilers a new service of w uses. The
// scheduler's is shared by every service of the world: reconciles run one
// at a time (the world starts them from events, a reconcile or a new
// instance, never from inside one, and WorldConfig.OnServiceEvent must not
// call back into the world), and
// one set of buffers stays in the processor's cache where one per service
// would not (every reconcile copies every task of its service). The
// breaker's decisions, which can come while a reconcile applies its
// actions, share another.
func (w *World) reconcilers() (scheduler, breaker *reconciler) {
	if len(w.services) > 0 {
		return w.services[0].scheduler, w.services[0].breaker
	}
	return &reconciler{}, &reconciler{}
}

// countFailure feeds the circuit breaker a failed task of deployment d. It
// decides with its own buffers: a task can fail while a reconcile applies.
func (s *Service) countFailure(d *Deployment) {
	r := s.breaker
	s.snapshotDeployments(&r.snap)
	s.apply(nil, r.failure(&r.snap, s.deploymentIndex(d)))
}

// deploymentIndex returns d's index in the service's deployments, or -1.
func (s *Service) deploymentIndex(d *Deployment) int {
	for i, x := range s.deployments {
		if x == d {
			return i
		}
	}
	return -1
}

// snapshotDeployments fills snap with everything but the tasks, the
// instances and the zones, reusing its slices.
func (s *Service) snapshotDeployments(snap *serviceSnapshot) {
	// Field by field: a composite literal of the whole snapshot would be
	// built on the stack and copied, on every reconcile.
	snap.Name, snap.Status, snap.Strategy = s.cfg.Name, s.status, s.cfg.SchedulingStrategy
	snap.Now = s.w.sim.Elapsed()
	snap.Desired, snap.MinimumHealthyPercent, snap.MaximumPercent = s.desired, s.minPct, s.maxPct
	snap.Steady, snap.WaitingForCapacity = s.steady, s.waiting
	snap.DeadlockReported = s.deadlockEventSent != nil && s.deadlockEventSent == s.deployments[0]
	snap.Deployments = snap.Deployments[:0]
	for _, d := range s.deployments {
		snap.Deployments = append(snap.Deployments, d.view())
	}
	snap.Completed = deploymentView{}
	if s.completed != nil {
		snap.Completed = s.completed.view()
	}
	snap.Tasks = snap.Tasks[:0]
	snap.Counts = taskCounts{}
	snap.Instances, snap.TaskInstances = snap.Instances[:0], snap.TaskInstances[:0]
	snap.Throttle = launchThrottle{Failures: s.throttleFailures}
	if !s.throttleUntil.IsZero() {
		snap.Throttle.Until = s.throttleUntil.Sub(s.w.sim.Start())
	}
	snap.LaunchRate = s.launchRate()
	snap.Bucket = launchBucket{Started: s.bucketStarted, Tokens: s.launchTokens, RefilledAt: s.refilledAt}
	breaker := &s.cfg.DeploymentConfiguration.CircuitBreaker
	snap.Breaker = breakerSettings{Enable: breaker.Enable, Rollback: breaker.Rollback, MinThreshold: s.w.cfg.CircuitBreakerMinThreshold}
	snap.Rebalance = rebalanceState{
		On: s.rebalanceOn, InProgress: s.rebalancing, Blocked: s.rebalanceBlocked(), Tracking: s.rebalanceTask != nil,
		Task: -1, Zones: snap.Rebalance.Zones[:0],
	}
}

func (d *Deployment) view() deploymentView {
	return deploymentView{ID: d.id, TaskDefinition: d.defID, Rollout: d.rollout, FailedTasks: d.failedTasks, StopReason: d.stopReason}
}

func (def *TaskDefinition) identity() taskDefinitionID {
	return taskDefinitionID{Family: def.in.Family, Revision: def.revision}
}

// snapshot fills snap with the service as its scheduler sees it now,
// reusing snap's slices: a reconcile of a busy service allocates nothing.
func (s *Service) snapshot(snap *serviceSnapshot) {
	// With thousands of services a reconcile finds its service's tasks in
	// memory, and the loop below, which branches on what it reads, would
	// wait for them one or two at a time: ask for them all first, a loop
	// that waits for nothing, while the deployments are copied.
	for _, t := range s.tasks {
		preload.Prefetch(unsafe.Pointer(t), reconcileTaskLines[:])
	}
	s.snapshotDeployments(snap)
	daemon := s.cfg.SchedulingStrategy == Daemon
	if daemon {
		for _, in := range s.c.byPlaceID {
			v := instanceView{Status: InstanceInactive}
			if in != nil {
				v = instanceView{ID: in.ec2ID, Status: in.status}
			}
			snap.Instances = append(snap.Instances, v)
		}
	}
	// The busiest loop of a large simulation: every reconcile takes the
	// role of every task (Service.role, with the primary read once) and
	// counts them on the way (taskCounts.add written out over local
	// counters the compiler keeps in registers).
	tasks := slices.Grow(snap.Tasks[:0], len(s.tasks))[:len(s.tasks)]
	primary := s.deployments[0]
	var active, activeServing, retiring, retiringServing int
	for i, t := range s.tasks {
		role := roleOf(t.state, t.desired, t.dep == primary, t.countsHealthy, t.onDraining)
		tasks[i] = role
		switch {
		case role.active():
			active++
			if role.serving() {
				activeServing++
			}
		case role.running():
			retiring++
			if role.serving() {
				retiringServing++
			}
		}
	}
	counts := taskCounts{Active: active, ActiveServing: activeServing, Retiring: retiring, RetiringServing: retiringServing}
	snap.Tasks, snap.Counts = tasks, counts
	if daemon {
		for _, t := range s.tasks {
			snap.TaskInstances = append(snap.TaskInstances, taskInstance(t))
			if t.inst == nil {
				continue
			}
			if in := &snap.Instances[t.inst.placeID]; in.Status != InstanceActive && t.desired == TaskRunning {
				in.HasReplicaTasks = t.inst.hasReplicaTasks()
			}
		}
	}
	if s.rebalanceTask != nil {
		snap.Rebalance.Task = slices.Index(s.tasks, s.rebalanceTask)
	}
	// Zone counts are needed only by a quiet replica service (see
	// rebalanceState.Zones).
	if s.rebalanceOn && !s.rebalanceBlocked() && len(s.deployments) == 1 && !s.waiting && !daemon &&
		counts.Active == s.desired && counts.ActiveServing == s.desired && counts.Retiring == 0 {
		s.countZones(snap)
	}
}

// reconcileTaskLines are the offsets of a field on each line of a Task
// that a reconcile reads: its instance (chooseVictims, countZones) and
// what its role is made of (roleOf), one line (TestTaskReconcileLines).
var reconcileTaskLines = [...]uintptr{unsafe.Offsetof(Task{}.inst), unsafe.Offsetof(Task{}.state)}

// role is task t's role in a snapshot of its service.
func (s *Service) role(t *Task) taskRole {
	return roleOf(t.state, t.desired, t.dep == s.deployments[0], t.countsHealthy, t.onDraining)
}

// taskInstance is the placement ID of t's instance, -1 if it has none.
func taskInstance(t *Task) int32 {
	if t.inst == nil {
		return -1
	}
	return int32(t.inst.placeID)
}

// countZones fills snap.Rebalance.Zones: the zones the service can place
// in, sorted, with its active tasks (taskRole.active) in each.
func (s *Service) countZones(snap *serviceSnapshot) {
	zones := s.rebalanceZones(snap.Rebalance.Zones[:0])
	for i, t := range s.tasks {
		if !snap.Tasks[i].active() {
			continue
		}
		zone := t.Zone()
		for i := range zones {
			if zones[i].Zone == zone {
				zones[i].Tasks++
				break
			}
		}
	}
	snap.Rebalance.Zones = zones
}

// apply carries out the actions of one decision, in order. With a
// snapshot it keeps the snapshot's tasks and desired count in step with
// what it does (the tasks it stops, those it starts), for settle.
func (s *Service) apply(snap *serviceSnapshot, actions []action) {
	if len(actions) == 0 {
		return
	}
	w := s.w
	// The deployments as the decision saw them, should a task fail and a
	// rollback start one in between.
	deployments := s.deployments
	// tasks is the snapshot's tasks, which the actions stop by index:
	// copied before the first stop, in case a stop takes a task out of
	// s.tasks at once. stopped and started are the tasks this pass stopped
	// and the DAEMON tasks it started, for their events. They live in the
	// World's scratch slices (reconciles never nest), taken only when
	// needed: the decision on a failed task, which can come in the middle
	// of a reconcile, neither stops nor starts tasks.
	var tasks, stopped, started []*Task
	defer func() {
		if tasks != nil {
			w.scratchActive = clearTasks(tasks)
		}
		if stopped != nil {
			w.scratchStopped = clearTasks(stopped)
		}
		if started != nil {
			w.scratchRetire = clearTasks(started)
		}
	}()
	stop := func(j int, reason string) {
		t := tasks[j]
		if stopped == nil {
			stopped = w.scratchStopped[:0]
		}
		w.stopTask(t, StopServiceSchedulerInitiated, reason)
		stopped = append(stopped, t)
		if snap != nil {
			snap.Tasks[j] = s.role(t)
		}
	}
	launched := len(s.tasks) // tasks from here on are new
	if snap != nil {
		defer s.stepSnapshot(snap, launched)
	}
	var rejection *placement.Rejection
	unplaced := 0
	for i := range actions {
		a := &actions[i]
		if (a.Kind == actStop || a.Kind == actStopVictims) && tasks == nil {
			tasks = append(w.scratchActive[:0], s.tasks...)
		}
		switch a.Kind {
		case actStop:
			for _, j := range a.Tasks {
				stop(j, a.Reason)
			}
		case actStopVictims:
			s.chooseVictims(deployments[0], tasks, a.Tasks, a.N, func(j int) { stop(j, a.Reason) })
		case actReportStopped:
			s.stoppedEvent(stopped...)
		case actStart:
			d := deployments[a.Deployment]
			if a.Instance < 0 {
				s.place(d, a.N)
				break
			}
			t, r := s.placeDaemon(d, s.c.byPlaceID[a.Instance])
			switch {
			case t != nil:
				if started == nil {
					started = w.scratchRetire[:0]
				}
				started = append(started, t)
				s.desired++
			case r != nil:
				rejection = r
				unplaced++
				s.desired++
			}
		case actReportStarted:
			if len(started) > 0 {
				s.startedEvent(started...)
			}
			if rejection != nil {
				s.unplaced(rejection, unplaced)
			}
		case actStartRebalance:
			s.startRebalance(deployments[a.Deployment], a.Zones, a.Zone, a.Announce)
		case actWait:
			s.counters.ThrottledAttempts += a.N
			s.reconcileBy(a.At)
		case actSetBucket:
			s.bucketStarted, s.launchTokens, s.refilledAt = a.Bucket.Started, a.Bucket.Tokens, a.Bucket.RefilledAt
		case actEvent:
			s.eventText(a.Text)
		case actMarkDeadlock:
			s.deadlockEventSent = deployments[0]
		case actForgetRebalanceTask:
			s.rebalanceTask = nil
		case actRebalanced:
			s.rebalancing = false
		case actSetDesired:
			s.desired = a.N
			s.mirror()
		case actInactive:
			s.status = ServiceInactive
			s.mirror()
			delete(s.c.named, s.cfg.Name)
			if s.waiting {
				s.c.waiting = slices.DeleteFunc(s.c.waiting, func(x *Service) bool { return x == s })
				s.waiting = false
			}
		case actCompleteDeployment:
			primary := deployments[0]
			primary.rollout = RolloutCompleted
			for _, d := range deployments[1:] {
				d.status = DeploymentInactive
			}
			s.deployments = deployments[:1]
			s.deploymentsChanged()
			s.completed = primary
			s.counters.DeploymentsCompleted++
			s.eventText(a.Text)
		case actSteady:
			s.steady = true
			s.eventText(a.Text)
		case actCountFailure:
			deployments[a.Deployment].failedTasks++
		case actFailDeployment:
			deployments[a.Deployment].rollout = RolloutFailed
			s.deploymentsChanged()
			s.counters.DeploymentsFailed++
			s.eventText(a.Text)
		case actRollback:
			back, err := s.newDeployment(s.completed.def)
			if err != nil {
				panic(err) // the plan compiled before
			}
			back.stampID()
			s.counters.Rollbacks++
			s.eventText(a.Text)
			s.startDeployment(back)
		case actResetThrottle:
			s.throttleFailures, s.throttleUntil = 0, time.Time{}
		default:
			panic(fmt.Sprintf("sim: unknown scheduler action %d", a.Kind))
		}
	}
}

// stepSnapshot brings snap's tasks and desired count up to what apply did
// (the stops are marked as they happen): the tasks launched from index
// launched on, and the desired count. Should the service's tasks have
// changed otherwise (a task gone at once), it takes a new snapshot.
func (s *Service) stepSnapshot(snap *serviceSnapshot, launched int) {
	if launched != len(snap.Tasks) || len(s.tasks) < launched {
		s.snapshot(snap)
		return
	}
	daemon := s.cfg.SchedulingStrategy == Daemon
	for _, t := range s.tasks[launched:] {
		snap.Tasks = append(snap.Tasks, s.role(t))
		if daemon {
			snap.TaskInstances = append(snap.TaskInstances, taskInstance(t))
		}
	}
	snap.Desired = s.desired
}

// clearTasks empties ts for reuse without keeping its tasks reachable.
func clearTasks(ts []*Task) []*Task {
	clear(ts)
	return ts[:0]
}

// reconcileBy makes the scheduler run again no later than virtual time at.
func (s *Service) reconcileBy(at time.Duration) {
	if !s.reconcile.Pending() || s.reconcileAt > at {
		s.reconcile.Stop()
		s.reconcile, s.reconcileAt = s.w.sim.ScheduleAt(s.w.kReconcile, at, uint64(s.index)), at
	}
}

// chooseVictims picks n scale-in victims among the candidates (indexes in
// tasks) and stops each by its index: on Fargate from the zones with the
// most tasks, else by the placement rules of deployment d.
func (s *Service) chooseVictims(d *Deployment, tasks []*Task, candidates []int, n int, stop func(int)) {
	w := s.w
	owners := w.scratchOwners[:0]
	for _, j := range candidates {
		owners = append(owners, tasks[j])
	}
	defer func() { w.scratchOwners = clearTasks(owners) }()
	if s.ls.fargate() {
		for _, t := range s.fargateVictims(owners, n) {
			stop(candidates[slices.Index(owners, t)])
		}
		return
	}
	running := w.scratchRunning[:0]
	for _, t := range owners {
		running = append(running, placement.RunningTask{Instance: t.inst.placeID, Task: t.req})
	}
	w.scratchRunning = running[:0]
	victims, err := s.c.place.ChooseVictims(d.plan, running, n, w.rngPlace)
	if err != nil {
		panic(fmt.Sprintf("sim: choosing scale-in victims of %s: %v", s.cfg.Name, err))
	}
	for _, v := range victims {
		stop(candidates[v])
	}
}

// placeDaemon places d's task on instance in, through the deployment's
// plan pinned to that instance. It returns the task, or the rejection when
// resources fall short; neither when a constraint rules the instance out
// (the pin itself rules out every other instance, by design).
func (s *Service) placeDaemon(d *Deployment, in *Instance) (*Task, *placement.Rejection) {
	req := d.def.placementTask(s.group)
	res, err := s.c.place.Place(d.daemonPlan(in), req, s.w.rngPlace)
	if err != nil {
		panic(fmt.Sprintf("sim: placing daemon task of %s: %v", s.cfg.Name, err))
	}
	if res.Placed() {
		return s.launch(d, s.c.byPlaceID[res.Instance], req), nil
	}
	if res.Rejection.Reason != placement.ReasonConstraint {
		return nil, res.Rejection
	}
	return nil, nil
}
