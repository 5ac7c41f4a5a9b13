package sim

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// drawnTask is a task as the property tests draw it, field by field: the
// oracle the properties check the decision's stops against, apart from
// the roles the snapshot holds.
type drawnTask struct {
	deployment     int
	state, desired TaskState
	healthy        bool // counts toward minimumHealthyPercent once RUNNING
	draining       bool
}

// serving reports whether the task counts toward minimumHealthyPercent.
func (d drawnTask) serving() bool {
	return d.desired == TaskRunning && d.state == TaskRunning && d.healthy
}

// drawTask draws a task of one of deployments deployments.
func drawTask(t *rapid.T, deployments int) drawnTask {
	d := drawnTask{
		deployment: rapid.IntRange(0, deployments-1).Draw(t, "task deployment"),
		state:      TaskState(rapid.IntRange(int(TaskProvisioning), int(TaskDeprovisioning)).Draw(t, "state")),
		draining:   rapid.Float64Range(0, 1).Draw(t, "draining") < 0.2,
		desired:    TaskRunning,
	}
	if d.state > TaskRunning || rapid.Float64Range(0, 1).Draw(t, "stopping") < 0.15 {
		d.desired = TaskStopped // a task past RUNNING is on its way out
	}
	d.healthy = d.state == TaskRunning && rapid.Bool().Draw(t, "healthy")
	return d
}

func (d drawnTask) role() taskRole {
	return roleOf(d.state, d.desired, d.deployment == 0, d.healthy, d.draining)
}

// drawReplicaSnapshot draws a REPLICA service in the middle of anything:
// a deployment or not, tasks in every state, healthy or not, some on
// draining instances, throttled or not, rebalancing or not; and its tasks
// as drawn.
func drawReplicaSnapshot(t *rapid.T) (*serviceSnapshot, []drawnTask) {
	desired := rapid.IntRange(0, 12).Draw(t, "desired")
	minPct := rapid.IntRange(0, 100).Draw(t, "min")
	maxPct := rapid.IntRange(max(100, minPct+1), 250).Draw(t, "max")
	if rapid.Bool().Draw(t, "max below 100") && minPct < 99 {
		maxPct = rapid.IntRange(minPct+1, 99).Draw(t, "low max") // allowed when above the minimum
	}
	snap := &serviceSnapshot{
		Name: "web", Status: ServiceActive, Strategy: Replica,
		Now:     time.Duration(rapid.IntRange(0, 600).Draw(t, "now s")) * time.Second,
		Desired: desired, MinimumHealthyPercent: minPct, MaximumPercent: maxPct,
		Steady: rapid.Bool().Draw(t, "steady"), WaitingForCapacity: rapid.Bool().Draw(t, "waiting"),
		DeadlockReported: rapid.Bool().Draw(t, "deadlock reported"),
		LaunchRate:       rapid.SampledFrom([]int{1, 2, 250, 500}).Draw(t, "rate"),
		Breaker:          breakerSettings{MinThreshold: 3},
	}
	if rapid.Bool().Draw(t, "bucket started") {
		snap.Bucket = launchBucket{Started: true, Tokens: rapid.IntRange(0, snap.LaunchRate).Draw(t, "tokens"),
			RefilledAt: time.Duration(rapid.Int64Range(0, int64(snap.Now)).Draw(t, "refilled"))}
	}
	if rapid.Bool().Draw(t, "throttled") {
		snap.Throttle = launchThrottle{Failures: 2, Until: time.Duration(rapid.IntRange(0, 1200).Draw(t, "until s")) * time.Second}
	}
	rollouts := []RolloutState{RolloutInProgress, RolloutCompleted, RolloutFailed}
	deployments := rapid.IntRange(1, 3).Draw(t, "deployments")
	for i := range deployments {
		d := deploymentView{ID: fmt.Sprintf("d%d", i), TaskDefinition: taskDefinitionID{"web", deployments - i},
			Rollout: RolloutCompleted, StopReason: fmt.Sprintf("Scaling activity initiated by (deployment d%d)", i)}
		if i == 0 {
			d.Rollout = rapid.SampledFrom(rollouts).Draw(t, "primary rollout")
		}
		snap.Deployments = append(snap.Deployments, d)
	}
	var drawn []drawnTask
	for range rapid.IntRange(0, 20).Draw(t, "tasks") {
		d := drawTask(t, deployments)
		drawn = append(drawn, d)
		snap.Tasks = append(snap.Tasks, d.role())
	}
	snap.Rebalance.On = rapid.Bool().Draw(t, "rebalance")
	snap.Rebalance.InProgress = rapid.Bool().Draw(t, "rebalancing")
	snap.Rebalance.Blocked = rapid.Bool().Draw(t, "blocked")
	snap.Rebalance.Task = -1
	if len(snap.Tasks) > 0 && rapid.Bool().Draw(t, "tracking") {
		snap.Rebalance.Tracking = true
		snap.Rebalance.Task = rapid.IntRange(-1, len(snap.Tasks)-1).Draw(t, "rebalancing task")
	}
	for z := range rapid.IntRange(0, 3).Draw(t, "zones") {
		snap.Rebalance.Zones = append(snap.Rebalance.Zones,
			zoneTasks{Zone: fmt.Sprintf("zone-%c", 'a'+z), Tasks: rapid.IntRange(0, 6).Draw(t, "zone tasks")})
	}
	snap.recount()
	return snap, drawn
}

// cloneSnapshot copies snap deeply.
func cloneSnapshot(snap *serviceSnapshot) *serviceSnapshot {
	c := *snap
	c.Deployments = slices.Clone(snap.Deployments)
	c.Tasks = slices.Clone(snap.Tasks)
	c.TaskInstances = slices.Clone(snap.TaskInstances)
	c.Instances = slices.Clone(snap.Instances)
	c.Rebalance.Zones = slices.Clone(snap.Rebalance.Zones)
	return &c
}

// TestReplicaDecisionProperties: whatever the snapshot, one replica pass
// reads it without changing it, gives the same actions twice, stops only
// tasks meant to run (each once), never starts beyond maximumPercent,
// never stops healthy tasks below minimumHealthyPercent (unhealthy ones go
// whatever the minimum), and starts nothing for a FAILED deployment or
// while the throttle holds launches back.
func TestReplicaDecisionProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		snap, drawn := drawReplicaSnapshot(t)
		before := cloneSnapshot(snap)
		var r, again reconciler
		actions := r.decide(snap)
		if !reflect.DeepEqual(snap, before) {
			t.Fatalf("decide changed its snapshot")
		}
		if other := again.decide(cloneSnapshot(snap)); !reflect.DeepEqual(actions, other) {
			t.Fatalf("two decisions on one snapshot differ:\n%v\n%v", actions, other)
		}

		serves := func(i int) bool { return drawn[i].serving() }
		healthy := 0
		for i := range snap.Tasks {
			if serves(i) {
				healthy++
			}
		}
		minHealthy := MinimumHealthyTasks(snap.Desired, snap.MinimumHealthyPercent)
		maxTotal := MaximumTasks(snap.Desired, snap.MaximumPercent)
		stopped := map[int]bool{}
		healthyStopped, starts := 0, 0
		for _, a := range actions {
			switch a.Kind {
			case actStop:
				for _, i := range a.Tasks {
					if drawn[i].desired != TaskRunning || stopped[i] {
						t.Fatalf("stops task %d (desired %v, stopped before: %v)", i, drawn[i].desired, stopped[i])
					}
					stopped[i] = true
					if serves(i) {
						healthyStopped++
					}
				}
			case actStopVictims:
				if a.N > len(a.Tasks) {
					t.Fatalf("%d victims among %d candidates", a.N, len(a.Tasks))
				}
				for _, i := range a.Tasks {
					if !serves(i) || stopped[i] || drawn[i].deployment != 0 || drawn[i].draining {
						t.Fatalf("candidate %d is not a healthy primary task left to run: %+v", i, drawn[i])
					}
				}
				healthyStopped += a.N
			case actStart, actStartRebalance:
				starts += a.N
				if snap.Deployments[0].Rollout == RolloutFailed {
					t.Fatalf("starts tasks of a FAILED deployment")
				}
				if throttled(snap) {
					t.Fatalf("starts tasks at %v, throttled until %v", snap.Now, snap.Throttle.Until)
				}
			}
		}
		if starts > 0 && len(snap.Tasks)+starts > maxTotal {
			t.Fatalf("%d tasks and %d starts exceed maximumPercent %d%% of %d = %d",
				len(snap.Tasks), starts, snap.MaximumPercent, snap.Desired, maxTotal)
		}
		if after := healthy - healthyStopped; after < min(healthy, minHealthy) {
			t.Fatalf("healthy tasks %d → %d, below minimumHealthyPercent %d%% of %d = %d",
				healthy, after, snap.MinimumHealthyPercent, snap.Desired, minHealthy)
		}
	})
}

// TestDaemonDecisionProperties: a daemon pass starts at most one task per
// ACTIVE instance, none where a task of the primary runs or a task is
// still stopping, none for a FAILED deployment, and stops a task on an
// instance that is not ACTIVE only once no replica task runs there.
func TestDaemonDecisionProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		statuses := []InstanceStatus{InstanceActive, InstanceActive, InstanceDraining, InstanceInactive}
		snap := &serviceSnapshot{Name: "agent", Status: ServiceActive, Strategy: Daemon, LaunchRate: 250,
			MinimumHealthyPercent: rapid.IntRange(0, 100).Draw(t, "min"), MaximumPercent: 100}
		rollout := rapid.SampledFrom([]RolloutState{RolloutInProgress, RolloutCompleted, RolloutFailed}).Draw(t, "rollout")
		snap.Deployments = []deploymentView{{ID: "new", Rollout: rollout, StopReason: "new"}, {ID: "old", Rollout: RolloutCompleted, StopReason: "old"}}
		for i := range rapid.IntRange(0, 8).Draw(t, "instances") {
			snap.Instances = append(snap.Instances, instanceView{ID: fmt.Sprintf("i-%d", i),
				Status: rapid.SampledFrom(statuses).Draw(t, "status"), HasReplicaTasks: rapid.Bool().Draw(t, "replica tasks")})
		}
		var drawn []drawnTask
		if n := len(snap.Instances); n > 0 {
			for range rapid.IntRange(0, 2*n).Draw(t, "tasks") {
				snap.TaskInstances = append(snap.TaskInstances, int32(rapid.IntRange(0, n-1).Draw(t, "on")))
				d := drawTask(t, 2)
				d.draining = false // a daemon's tasks on a draining instance are in TaskInstances
				drawn = append(drawn, d)
				snap.Tasks = append(snap.Tasks, d.role())
			}
		}
		snap.recount()
		before := cloneSnapshot(snap)
		var r reconciler
		actions := r.decide(snap)
		if !reflect.DeepEqual(snap, before) {
			t.Fatalf("decide changed its snapshot")
		}
		startedOn := map[int]bool{}
		for _, a := range actions {
			switch a.Kind {
			case actStart:
				in := a.Instance
				if a.N != 1 || in < 0 || startedOn[in] || snap.Instances[in].Status != InstanceActive {
					t.Fatalf("start %+v: not one task on an ACTIVE instance not started on before", a)
				}
				startedOn[in] = true
				for i, d := range drawn {
					if int(snap.TaskInstances[i]) == in && (d.deployment == 0 && d.desired == TaskRunning || d.desired != TaskRunning) {
						t.Fatalf("starts on %s, which has a task %+v", snap.Instances[in].ID, d)
					}
				}
				if rollout == RolloutFailed {
					t.Fatalf("starts a task of a FAILED deployment")
				}
			case actStop:
				for _, i := range a.Tasks {
					if in := snap.Instances[snap.TaskInstances[i]]; in.Status != InstanceActive && in.HasReplicaTasks {
						t.Fatalf("stops task %d on %s while replica tasks run there", i, in.ID)
					}
				}
			}
		}
	})
}
