package sim_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

// worldMachine drives a world with random operations and checks its
// invariants after every event.
type worldMachine struct {
	s        *sim.Sim
	w        *sim.World
	c        *sim.Cluster
	services []*sim.Service
	families []string
	lastSeen map[*sim.Task]sim.TaskState
	lastDes  map[*sim.Task]sim.TaskState
}

var rapidTypes = []string{"t3.medium", "m5.large", "c6g.large", "m5.xlarge"}

func newWorldMachine(t *rapid.T) *worldMachine {
	s, _ := sim.New(sim.Config{Seed: rapid.Uint64().Draw(t, "seed")})
	w, err := sim.NewWorld(s, sim.WorldConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := w.CreateCluster("prod")
	m := &worldMachine{s: s, w: w, c: c, lastSeen: map[*sim.Task]sim.TaskState{}, lastDes: map[*sim.Task]sim.TaskState{}}
	// Three kinds of task: bridge with a dynamic port, bridge with a static
	// port, awsvpc (one ENI each).
	for _, in := range []sim.TaskDefinitionInput{
		{Family: "dyn", Containers: []sim.ContainerDefinition{{Name: "a", Image: "dyn", CPU: 256, MemoryMiB: 512, PortMappings: []sim.PortMapping{{ContainerPort: 80}}}}},
		{Family: "static", Containers: []sim.ContainerDefinition{{Name: "a", Image: "static", CPU: 128, MemoryMiB: 256, PortMappings: []sim.PortMapping{{ContainerPort: 80, HostPort: 8080}}}}},
		{Family: "eni", NetworkMode: sim.AWSVPC, CPU: 512, MemoryMiB: 1024, Containers: []sim.ContainerDefinition{{Name: "a", Image: "eni"}}},
	} {
		// No random crashes: the settling check needs a quiet end; StopTask
		// and FailInstance supply the disruptions.
		if _, err := w.RegisterTaskDefinition(in); err != nil {
			t.Fatal(err)
		}
		m.families = append(m.families, in.Family)
	}
	return m
}

func (m *worldMachine) liveInstances() []*sim.Instance {
	var out []*sim.Instance
	for _, in := range m.c.Instances() {
		if in.Status() == sim.InstanceActive || in.Status() == sim.InstanceDraining {
			out = append(out, in)
		}
	}
	return out
}

func (m *worldMachine) LaunchInstance(t *rapid.T) {
	typ := rapid.SampledFrom(rapidTypes).Draw(t, "type")
	zone := rapid.SampledFrom(zones3).Draw(t, "zone")
	if _, err := m.c.LaunchInstance(sim.InstanceSpec{Type: typ, Zone: zone}); err != nil {
		t.Fatal(err)
	}
}

func (m *worldMachine) CreateService(t *rapid.T) {
	if len(m.services) >= 5 {
		t.Skip("enough services")
	}
	pcts := rapid.SampledFrom([][2]int{{100, 200}, {50, 200}, {50, 100}, {0, 100}, {100, 150}, {75, 125}}).Draw(t, "percents")
	cfg := sim.ServiceConfig{
		Name: fmt.Sprintf("svc%d", len(m.services)), TaskDefinition: rapid.SampledFrom(m.families).Draw(t, "family"),
		DesiredCount:            rapid.IntRange(0, 8).Draw(t, "desired"),
		DeploymentConfiguration: sim.DeploymentConfiguration{MinimumHealthyPercent: sim.Percent(pcts[0]), MaximumPercent: sim.Percent(pcts[1])},
	}
	if rapid.Bool().Draw(t, "binpack") {
		cfg.PlacementStrategy = []placement.Strategy{{Type: placement.Binpack, Field: "memory"}}
	}
	s, err := m.c.CreateService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.services = append(m.services, s)
}

func (m *worldMachine) pickService(t *rapid.T) *sim.Service {
	if len(m.services) == 0 {
		t.Skip("no service")
	}
	return m.services[rapid.IntRange(0, len(m.services)-1).Draw(t, "service")]
}

func (m *worldMachine) DeleteService(t *rapid.T) {
	s := m.pickService(t)
	if s.Status() != sim.ServiceActive {
		t.Skip("already deleted")
	}
	if err := s.Delete(true); err != nil {
		t.Fatal(err)
	}
}

func (m *worldMachine) UpdateDesired(t *rapid.T) {
	s := m.pickService(t)
	if s.Status() != sim.ServiceActive {
		t.Skip("deleted")
	}
	if err := s.SetDesiredCount(rapid.IntRange(0, 8).Draw(t, "desired")); err != nil {
		t.Fatal(err)
	}
}

func (m *worldMachine) NewDeployment(t *rapid.T) {
	s := m.pickService(t)
	if s.Status() != sim.ServiceActive {
		t.Skip("deleted")
	}
	fam := s.Deployments()[0].TaskDefinition().Family()
	if rapid.Bool().Draw(t, "newRevision") {
		d, _ := m.w.TaskDefinition(fam)
		if _, err := m.w.RegisterTaskDefinition(d.Input()); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateService(sim.ServiceUpdate{TaskDefinition: fam}); err != nil {
			t.Fatal(err)
		}
		return
	}
	if err := s.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}); err != nil {
		t.Fatal(err)
	}
}

func (m *worldMachine) DrainInstance(t *rapid.T) {
	var active []*sim.Instance
	for _, in := range m.c.Instances() {
		if in.Status() == sim.InstanceActive {
			active = append(active, in)
		}
	}
	if len(active) == 0 {
		t.Skip("no active instance")
	}
	if err := active[rapid.IntRange(0, len(active)-1).Draw(t, "instance")].Drain(); err != nil {
		t.Fatal(err)
	}
}

func (m *worldMachine) FailInstance(t *rapid.T) {
	live := m.liveInstances()
	if len(live) == 0 {
		t.Skip("no instance")
	}
	if err := live[rapid.IntRange(0, len(live)-1).Draw(t, "instance")].Fail(); err != nil {
		t.Fatal(err)
	}
}

func (m *worldMachine) RunTask(t *rapid.T) {
	out, err := m.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: rapid.SampledFrom(m.families).Draw(t, "family"),
		Count: rapid.IntRange(1, 10).Draw(t, "count")})
	if err != nil {
		t.Fatal(err)
	}
	_ = out
}

func (m *worldMachine) StopTask(t *rapid.T) {
	if err := m.w.StopTask(drawLiveTask(t, m.w), ""); err != nil {
		t.Fatal(err)
	}
}

// AdvanceTime runs the world event by event, checking the per-event
// deployment bounds as it goes.
func (m *worldMachine) AdvanceTime(t *rapid.T) {
	d := time.Duration(rapid.Int64Range(1, 600).Draw(t, "seconds")) * time.Second
	m.advance(t, d)
}

func (m *worldMachine) advance(t *rapid.T, d time.Duration) {
	end := m.s.Now().Add(d)
	for {
		before := m.snapshot()
		ok, err := m.s.Step()
		if err != nil {
			t.Fatal(err)
		}
		if !ok || m.s.Now().After(end) {
			// The event just run may lie past end; that is fine: RunUntil
			// would have run it next anyway.
			m.checkDeploymentBounds(t, before)
			break
		}
		m.checkDeploymentBounds(t, before)
		m.Check(t)
	}
}

type svcSnap struct {
	tasks, healthy int
	ids            map[*sim.Task]bool
}

func (m *worldMachine) snapshot() []svcSnap {
	out := make([]svcSnap, len(m.services))
	for i, s := range m.services {
		ts := s.Tasks()
		out[i] = svcSnap{tasks: len(ts), healthy: countIf(ts, (*sim.Task).CountsHealthy), ids: map[*sim.Task]bool{}}
		for _, tk := range ts {
			out[i].ids[tk] = true
		}
	}
	return out
}

// checkDeploymentBounds: an event that starts tasks leaves at most
// floor(desired × max / 100) tasks not STOPPED; an event in which the
// scheduler retires healthy tasks (and nothing else stops any) keeps at
// least min(ceil(desired × min / 100), healthy before) healthy.
func (m *worldMachine) checkDeploymentBounds(t *rapid.T, before []svcSnap) {
	for i, s := range m.services {
		ts := s.Tasks()
		started := 0
		for _, tk := range ts {
			if !before[i].ids[tk] {
				started++
			}
		}
		if max := sim.MaximumTasks(s.DesiredCount(), s.MaximumPercent()); started > 0 && len(ts) > max {
			t.Fatalf("%s started %d tasks and now has %d not STOPPED, above the maximum %d (desired %d, max %d%%)",
				s.Name(), started, len(ts), max, s.DesiredCount(), s.MaximumPercent())
		}
		healthy := countIf(ts, (*sim.Task).CountsHealthy)
		if healthy >= before[i].healthy {
			continue
		}
		onlyRetirement := true
		for tk := range before[i].ids {
			if tk.DesiredStatus() == sim.TaskStopped && !strings.HasPrefix(tk.StoppedReason(), "Scaling activity") {
				onlyRetirement = false
			}
			if tk.Instance().Status() != sim.InstanceActive {
				onlyRetirement = false // draining replaces within the bounds too, but a failed instance does not
			}
		}
		minHealthy := sim.MinimumHealthyTasks(s.DesiredCount(), s.MinimumHealthyPercent())
		if onlyRetirement && healthy < min(minHealthy, before[i].healthy) {
			t.Fatalf("%s: the scheduler took healthy tasks from %d to %d, below the minimum %d (desired %d, min %d%%)",
				s.Name(), before[i].healthy, healthy, minHealthy, s.DesiredCount(), s.MinimumHealthyPercent())
		}
	}
}

// Check is the invariant run after every action and event.
func (m *worldMachine) Check(t *rapid.T) {
	onInstance := map[*sim.Task]*sim.Instance{}
	checkInstanceInvariants(t, m.c, onInstance)
	inService := map[*sim.Task]bool{}
	for _, s := range m.services {
		running := countIf(s.Tasks(), func(tk *sim.Task) bool {
			return tk.State() == sim.TaskRunning && tk.DesiredStatus() == sim.TaskRunning
		})
		if s.RunningCount() != running {
			t.Fatalf("%s: RunningCount %d, but %d of its tasks are RUNNING with desired status RUNNING", s.Name(), s.RunningCount(), running)
		}
		// DeploymentInProgress is kept up to date, not recomputed: hold it
		// to its definition.
		ds := s.Deployments()
		if want := len(ds) > 1 || ds[0].RolloutState() == sim.RolloutInProgress; s.DeploymentInProgress() != want {
			t.Fatalf("%s: DeploymentInProgress %v, but it has %d deployments, the primary's rollout %v", s.Name(), s.DeploymentInProgress(), len(ds), ds[0].RolloutState())
		}
		for _, tk := range s.Tasks() {
			if inService[tk] || tk.Service() != s || tk.State() == sim.TaskStopped {
				t.Fatalf("task %s listed twice, under the wrong service, or STOPPED (%v)", tk.ID(), tk.State())
			}
			inService[tk] = true
		}
	}
	for _, tk := range m.w.Tasks() {
		st, des := tk.State(), tk.DesiredStatus()
		if st > sim.TaskStopped {
			t.Fatalf("task %s in unknown state %d", tk.ID(), st)
		}
		if (st == sim.TaskStopped) != (onInstance[tk] == nil) {
			t.Fatalf("task %s is %v but on-instance is %v", tk.ID(), st, onInstance[tk] != nil)
		}
		if tk.Service() != nil && (st == sim.TaskStopped) == inService[tk] {
			t.Fatalf("service task %s is %v but listed by its service: %v", tk.ID(), st, inService[tk])
		}
		if prev, ok := m.lastSeen[tk]; ok && st < prev {
			t.Fatalf("task %s went back from %v to %v", tk.ID(), prev, st)
		}
		if prev, ok := m.lastDes[tk]; ok && des < prev {
			t.Fatalf("task %s desired status went back from %v to %v", tk.ID(), prev, des)
		}
		if st == sim.TaskStopped && des != sim.TaskStopped || st >= sim.TaskDeactivating && des != sim.TaskStopped {
			t.Fatalf("task %s is %v with desired %v", tk.ID(), st, des)
		}
		m.lastSeen[tk], m.lastDes[tk] = st, des
	}
}

// settle adds ample capacity and checks that every service reaches its
// desired count and a steady state within 30 minutes. Bound: registration
// ≤ 60 s, PENDING ≤ 23 s, healthy 40 s later, old tasks stop in ≤ 2 s plus
// ≤ 5 s of ENI detachment; even the tightest configuration here (0/100 or
// 75/125) finishes in a few such rounds, far below 30 minutes.
func (m *worldMachine) settle(t *rapid.T) {
	for _, in := range m.c.Instances() {
		if in.Status() == sim.InstanceDraining {
			_ = in.Activate()
		}
	}
	// Up to 5 services × 8 tasks may all want host port 8080: 40 instances.
	if _, err := m.c.LaunchInstances("m5.4xlarge", zones3, 40); err != nil {
		t.Fatal(err)
	}
	m.advance(t, 30*time.Minute)
	for _, s := range m.services {
		if s.Status() != sim.ServiceActive {
			if len(s.Tasks()) != 0 {
				t.Fatalf("deleted service %s still has %d tasks after 30 minutes", s.Name(), len(s.Tasks()))
			}
			continue
		}
		// A configuration that allows neither a start above desired nor a
		// stop below it (75/125 with desired 1..3, 100/100) can never roll
		// a deployment; ECS says so in an event and keeps the old tasks.
		stuck := sim.MaximumTasks(s.DesiredCount(), s.MaximumPercent()) <= s.DesiredCount() &&
			sim.MinimumHealthyTasks(s.DesiredCount(), s.MinimumHealthyPercent()) >= s.DesiredCount() && s.DesiredCount() > 0
		if s.RunningCount() != s.DesiredCount() || !stuck && (!s.Steady() || s.DeploymentInProgress()) {
			t.Fatalf("%s: %d running, desired %d after 30 minutes with ample capacity; events:\n%s",
				s.Name(), s.RunningCount(), s.DesiredCount(), strings.Join(messagesTail(s, 15), "\n"))
		}
	}
}

func messagesTail(s *sim.Service, n int) []string {
	var out []string
	for _, e := range s.Events() {
		out = append(out, e.String())
	}
	return out[max(len(out)-n, 0):]
}

// TestWorldStateMachine is a rapid state-machine property of the world:
// random sequences of instance launches, drains and failures, service
// creation, desired-count changes, deployments, RunTask, StopTask and time
// advancing, with the invariants of Check and checkDeploymentBounds after
// every event, then a settling phase with ample capacity.
func TestWorldStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := newWorldMachine(t)
		actions := rapid.StateMachineActions(m)
		actions[""] = m.Check
		t.Repeat(actions)
		m.settle(t)
	})
}
