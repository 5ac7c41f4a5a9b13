package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

func zoneCounts(s *sim.Service) map[string]int {
	out := map[string]int{}
	for _, t := range s.Tasks() {
		if t.DesiredStatus() == sim.TaskRunning {
			out[t.Instance().Zone()]++
		}
	}
	return out
}

// TestWorkedExampleJ_DefaultAZSpread: without a strategy a new task goes
// to the zone with the fewest tasks of the service (A=1, B=0, C=0 → B or
// C), so three tasks land in three zones whatever the seed.
func TestWorkedExampleJ_DefaultAZSpread(t *testing.T) {
	for seed := range uint64(10) {
		f := newFixture(t, seed, sim.WorldConfig{})
		f.launch("m5.large", zones3, 6) // two per zone
		f.taskDef("app", 256, 512, sim.Behavior{})
		f.run(time.Minute)
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 1})
		f.run(time.Minute)
		first := zoneCounts(svc)
		_ = svc.SetDesiredCount(3)
		f.run(time.Minute)
		got := zoneCounts(svc)
		if len(first) != 1 || len(got) != 3 {
			t.Fatalf("seed %d: zones %v after 1 task, %v after 3; want 1 then 3 distinct zones", seed, first, got)
		}
	}
}

// TestWorkedExampleJ_DefaultScaleIn: A=1, B=2, C=2 and one task to stop →
// the victim is in B or C, so the zones end 1, 1, 2 in some order with A
// still holding its one task.
func TestWorkedExampleJ_DefaultScaleIn(t *testing.T) {
	for seed := range uint64(10) {
		f := newFixture(t, seed, sim.WorldConfig{})
		f.launch("m5.large", zones3, 3)
		f.taskDef("app", 256, 512, sim.Behavior{Shutdown: sim.Fixed(0)})
		f.run(time.Minute)
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 5})
		f.run(2 * time.Minute)
		before := zoneCounts(svc)
		var single string
		for z, n := range before {
			if n == 1 {
				single = z
			}
		}
		if single == "" {
			t.Fatalf("seed %d: 5 tasks spread as %v, want 2, 2, 1", seed, before)
		}
		_ = svc.SetDesiredCount(4)
		f.run(time.Minute)
		after := zoneCounts(svc)
		if after[single] != 1 || len(svc.Tasks()) != 4 {
			t.Errorf("seed %d: scale-in from %v left %v; the zone with one task must keep it", seed, before, after)
		}
	}
}

// TestWorkedExampleJ_Binpack: instances with 1000, 600 and 300 MiB free and
// a 400 MiB task under binpack(memory) → the 600 MiB instance.
func TestWorkedExampleJ_Binpack(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	ins := f.launch("m5.large", zones3, 3) // 7985 MiB each
	for i, fill := range []int{6985, 7385, 7685} {
		_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "filler" + string(rune('a'+i)),
			Containers: []sim.ContainerDefinition{{Name: "f", Image: "f", MemoryMiB: fill}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	f.taskDef("app", 0, 400, sim.Behavior{})
	f.run(time.Minute)
	for i, in := range ins {
		_, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "filler" + string(rune('a'+i)),
			PlacementConstraints: []placement.Constraint{{Type: placement.MemberOf, Expression: "ec2InstanceId == " + in.EC2InstanceID()}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "app",
		PlacementStrategy: []placement.Strategy{{Type: placement.Binpack, Field: "memory"}}})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("placed %d, err %v", len(out.Tasks), err)
	}
	if got := out.Tasks[0].Instance(); got != ins[1] {
		t.Errorf("binpack chose %s, want %s (600 MiB free)", got.EC2InstanceID(), ins[1].EC2InstanceID())
	}
}

// TestWorkedExampleJ_DistinctInstance: distinctInstance with three
// instances and desired 4 → 3 tasks run, the fourth is unplaceable and the
// event names the constraint.
func TestWorkedExampleJ_DistinctInstance(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.xlarge", zones3, 3)
	f.taskDef("app", 256, 512, sim.Behavior{})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 4,
		PlacementConstraints: []placement.Constraint{{Type: placement.DistinctInstance}}})
	f.run(10 * time.Minute)
	if svc.RunningCount() != 3 || svc.Counters().UnplacedTasks == 0 {
		t.Errorf("%v, unplaced %d; want 3 running and the 4th unplaced", svc, svc.Counters().UnplacedTasks)
	}
	var found bool
	for _, m := range messages(svc) {
		found = found || strings.HasSuffix(m, "did not satisfy the placement constraint distinctInstance. For more information, see the Troubleshooting section.")
	}
	if !found || svc.Steady() {
		t.Errorf("steady %v; events:\n%s", svc.Steady(), strings.Join(messages(svc), "\n"))
	}
}

// TestUnableToPlaceMessage checks the ECS wording of the insufficient
// memory event, naming the closest container instance.
func TestUnableToPlaceMessage(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	in := f.launch("t3.small", zones3[:1], 1)[0] // 1996 MiB registered
	f.taskDef("app", 256, 1500, sim.Behavior{})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 2})
	f.run(time.Minute)
	want := "(service web) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance " +
		in.ContainerInstanceID() + ") has insufficient memory available. For more information, see the Troubleshooting section."
	var got []string
	for _, e := range svc.Events() {
		if strings.Contains(e.Message, "unable to place") {
			got = append(got, e.Message)
		}
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("unable-to-place events %q, want exactly [%q]", got, want)
	}
	// The same text repeats at most every five minutes while the service
	// keeps retrying on every capacity change.
	for range 20 {
		_, _ = f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "app"})
		f.run(10 * time.Second)
		for _, tk := range f.w.Tasks() {
			if tk.Service() == nil {
				_ = f.w.StopTask(tk, "")
			}
		}
		f.run(10 * time.Second)
	}
	n := countIf(svc.Events(), func(e sim.ServiceEvent) bool { return strings.Contains(e.Message, "unable to place") })
	if n < 1 || n > 3 {
		t.Errorf("%d unable-to-place events in ~7 minutes, want 1 to 3", n)
	}
}

// TestHostPortsConflict: two bridge tasks with the same static host port
// cannot share an instance; dynamic ports (HostPort 0) can.
func TestHostPortsConflict(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3[:1], 1)
	for _, tc := range []struct {
		family   string
		hostPort int
		mode     sim.NetworkMode
	}{{"static", 8080, sim.Bridge}, {"dynamic", 0, sim.Bridge}, {"hostmode", 0, sim.Host}} {
		_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: tc.family, NetworkMode: tc.mode,
			Containers: []sim.ContainerDefinition{{Name: "a", Image: "a", MemoryMiB: 64, PortMappings: []sim.PortMapping{{ContainerPort: 9090, HostPort: tc.hostPort}}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	f.run(time.Minute)
	run := func(family string, n int) sim.RunTaskOutput {
		out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: family, Count: n})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := run("static", 2); len(out.Tasks) != 1 || len(out.Failures) != 1 || out.Failures[0].Reason != "RESOURCE:PORTS" {
		t.Errorf("two tasks on static port 8080: %d placed, failures %+v", len(out.Tasks), out.Failures)
	}
	if out := run("dynamic", 5); len(out.Tasks) != 5 {
		t.Errorf("dynamic ports: %d of 5 placed", len(out.Tasks))
	}
	if out := run("hostmode", 2); len(out.Tasks) != 1 {
		t.Errorf("host mode port 9090 twice: %d placed, want 1", len(out.Tasks))
	}
}

// preferType is a custom placement strategy: instances of one instance
// type first.
type preferType string

func (p preferType) Score(_ placement.Task, c placement.Candidate) float64 {
	if typ, _ := c.Attribute(placement.AttrInstanceType); typ == string(p) {
		return 0
	}
	return 1
}

// TestCustomPlacementStrategyInTheWorld: a service whose strategy is a
// custom Scorer (c5.large first) followed by spread(instanceId) runs its 6
// tasks two per c5.large, none on the m5.large instances, and keeps them
// there when it scales in to 3 (one per c5.large: the victims come from
// the instances with the most tasks).
func TestCustomPlacementStrategyInTheWorld(t *testing.T) {
	f := newFixture(t, 5, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	c5 := f.launch("c5.large", zones3, 3)
	f.taskDef("app", 256, 256, sim.Behavior{Shutdown: sim.Fixed(0)})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "batch", TaskDefinition: "app", DesiredCount: 6,
		PlacementStrategy: []placement.Strategy{{Type: placement.Custom, Scorer: preferType("c5.large")},
			{Type: placement.Spread, Field: "instanceId"}}})
	f.run(2 * time.Minute)
	perInstance := func() map[*sim.Instance]int {
		out := map[*sim.Instance]int{}
		for _, tk := range svc.Tasks() {
			out[tk.Instance()]++
		}
		return out
	}
	check := func(when string, want int) {
		got := perInstance()
		for _, in := range c5 {
			if got[in] != want {
				t.Errorf("%s: %d tasks on %s, want %d on each c5.large (%v)", when, got[in], in.EC2InstanceID(), want, got)
			}
		}
		if n := len(svc.Tasks()); n != want*len(c5) {
			t.Errorf("%s: %d tasks, want %d, all on c5.large", when, n, want*len(c5))
		}
	}
	check("after placing 6", 2)
	if err := svc.SetDesiredCount(3); err != nil {
		t.Fatal(err)
	}
	f.run(2 * time.Minute)
	check("after scaling in to 3", 1)
}
