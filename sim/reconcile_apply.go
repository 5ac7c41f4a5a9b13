package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/ecssim/ecssim/placement"
)

// reconcileNow runs the service's scheduler at once: decide on a snapshot,
// apply the actions, then settle (complete the deployment, report a steady
// state) on a snapshot of the result.
func (s *Service) reconcileNow() {
	if s.status == ServiceInactive {
		return
	}
	r := &s.scheduler
	s.snapshot(&r.snap)
	if s.apply(r.decide(&r.snap)) {
		s.snapshot(&r.snap)
	}
	s.apply(r.settle(&r.snap))
}

// reconcileDaemon is the first half of reconcileNow, decide and apply, and
// checkSteady the second; capacityChanged runs them for a daemon service
// as soon as a new instance registers.
func (s *Service) reconcileDaemon() {
	r := &s.scheduler
	s.snapshot(&r.snap)
	s.apply(r.decide(&r.snap))
}

// checkSteady settles the service: see reconcileNow.
func (s *Service) checkSteady() {
	r := &s.scheduler
	s.snapshot(&r.snap)
	s.apply(r.settle(&r.snap))
}

// countFailure feeds the circuit breaker a failed task of deployment d. It
// decides with its own buffers: a task can fail while a reconcile applies.
func (s *Service) countFailure(d *Deployment) {
	r := &s.breaker
	s.snapshotDeployments(&r.snap)
	s.apply(r.failure(&r.snap, s.deploymentIndex(d)))
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
	start := s.w.sim.Start()
	*snap = serviceSnapshot{
		Name:                  s.cfg.Name,
		Status:                s.status,
		Strategy:              s.cfg.SchedulingStrategy,
		Now:                   s.w.sim.Elapsed(),
		Desired:               s.desired,
		MinimumHealthyPercent: s.minPct,
		MaximumPercent:        s.maxPct,
		Steady:                s.steady,
		WaitingForCapacity:    s.waiting,
		DeadlockReported:      s.deadlockEventSent != nil && s.deadlockEventSent == s.deployments[0],
		Deployments:           snap.Deployments[:0],
		Tasks:                 snap.Tasks[:0],
		Instances:             snap.Instances[:0],
		Throttle:              launchThrottle{Failures: s.throttleFailures},
		LaunchRate:            s.launchRate(),
		Bucket:                launchBucket{Started: s.bucketStarted, Tokens: s.launchTokens, RefilledAt: s.refilledAt},
		Breaker: breakerSettings{
			Enable:       s.cfg.DeploymentConfiguration.CircuitBreaker.Enable,
			Rollback:     s.cfg.DeploymentConfiguration.CircuitBreaker.Rollback,
			MinThreshold: s.w.cfg.CircuitBreakerMinThreshold,
		},
		Rebalance: rebalanceState{
			On: s.rebalanceOn, InProgress: s.rebalancing, Blocked: s.rebalanceBlocked, Tracking: s.rebalanceTask != nil,
			Zones: snap.Rebalance.Zones[:0],
		},
	}
	if !s.throttleUntil.IsZero() {
		snap.Throttle.Until = s.throttleUntil.Sub(start)
	}
	for _, d := range s.deployments {
		snap.Deployments = append(snap.Deployments, d.view())
	}
	if s.completed != nil {
		snap.Completed = s.completed.view()
	}
}

func (d *Deployment) view() deploymentView {
	return deploymentView{ID: d.id, TaskDefinition: d.def.identity(), Rollout: d.rollout, FailedTasks: d.failedTasks, StopReason: d.stopReason}
}

func (def *TaskDefinition) identity() taskDefinitionID {
	return taskDefinitionID{Family: def.in.Family, Revision: def.revision}
}

// snapshot fills snap with the service as its scheduler sees it now,
// reusing snap's slices: a reconcile of a busy service allocates nothing.
func (s *Service) snapshot(snap *serviceSnapshot) {
	s.snapshotDeployments(snap)
	primary := s.deployments[0]
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
	// Zone counts are needed only by a quiet replica service (see
	// rebalanceState.Zones): count what makes it quiet on the way.
	primaryTasks, allServe, others := 0, true, false
	for _, t := range s.tasks {
		dep := int32(0)
		if t.dep != primary {
			dep = int32(s.deploymentIndex(t.dep))
		}
		v := taskView{
			ID: t.arnID, Deployment: dep, Instance: -1, State: t.state, Desired: t.desired,
			CountsHealthy: t.countsHealthy, OnDraining: t.onDraining, Rebalancing: t == s.rebalanceTask,
		}
		if daemon && t.inst != nil {
			v.Instance = int32(t.inst.placeID)
			if in := &snap.Instances[v.Instance]; in.Status != InstanceActive && v.Desired == TaskRunning {
				in.HasReplicaTasks = t.inst.hasReplicaTasks()
			}
		}
		switch {
		case v.Desired != TaskRunning:
		case dep == 0 && !v.OnDraining:
			primaryTasks++
			allServe = allServe && v.servesHealthy()
		default:
			others = true
		}
		snap.Tasks = append(snap.Tasks, v)
	}
	if s.rebalanceOn && !s.rebalanceBlocked && len(s.deployments) == 1 && !s.waiting &&
		!daemon && primaryTasks == s.desired && allServe && !others {
		s.countZones(snap)
	}
}

// countZones fills snap.Rebalance.Zones: the zones the service can place
// in, sorted, with its primary tasks in each.
func (s *Service) countZones(snap *serviceSnapshot) {
	zones := s.rebalanceZones(snap.Rebalance.Zones[:0])
	primary := s.deployments[0]
	for _, t := range s.tasks {
		if t.desired != TaskRunning || t.dep != primary || t.onDraining {
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

// apply carries out the actions of one decision, in order, and reports
// whether it started or stopped a task or changed the desired count (what
// settle looks at).
func (s *Service) apply(actions []action) (changed bool) {
	if len(actions) == 0 {
		return false
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
	stop := func(t *Task, reason string) {
		if stopped == nil {
			stopped = w.scratchStopped[:0]
		}
		w.stopTask(t, StopServiceSchedulerInitiated, reason)
		stopped = append(stopped, t)
		changed = true
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
				stop(tasks[j], a.Reason)
			}
		case actStopVictims:
			s.chooseVictims(deployments[0], tasks, a.Tasks, a.N, func(t *Task) { stop(t, a.Reason) })
		case actReportStopped:
			s.event("has stopped %d running tasks: %s.", len(stopped), taskList(stopped))
		case actStart:
			d := deployments[a.Deployment]
			changed = true
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
				s.event("has started %d tasks: %s.", len(started), taskList(started))
			}
			if rejection != nil {
				s.unplaced(rejection, unplaced)
			}
		case actStartRebalance:
			s.startRebalance(deployments[a.Deployment], a.Zones, a.Zone, a.Announce)
			changed = true
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
			changed = changed || s.desired != a.N
			s.desired = a.N
		case actInactive:
			s.status = ServiceInactive
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
			s.counters.DeploymentsFailed++
			s.eventText(a.Text)
		case actRollback:
			back, err := s.newDeployment(s.completed.def)
			if err != nil {
				panic(err) // the plan compiled before
			}
			s.counters.Rollbacks++
			s.eventText(a.Text)
			s.startDeployment(back)
		case actResetThrottle:
			s.throttleFailures, s.throttleUntil = 0, time.Time{}
		default:
			panic(fmt.Sprintf("sim: unknown scheduler action %d", a.Kind))
		}
	}
	return changed
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
// tasks) and stops each: on Fargate from the zones with the most tasks,
// else by the placement rules of deployment d.
func (s *Service) chooseVictims(d *Deployment, tasks []*Task, candidates []int, n int, stop func(*Task)) {
	w := s.w
	owners := w.scratchOwners[:0]
	for _, j := range candidates {
		owners = append(owners, tasks[j])
	}
	defer func() { w.scratchOwners = clearTasks(owners) }()
	if s.ls.fargate() {
		for _, t := range s.fargateVictims(owners, n) {
			stop(t)
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
		stop(owners[v])
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
