package sim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

// TestDefaultCatalog checks the families the issue asks for, the ENI rule
// and the registered-memory rule anchored on AWS's m4.large figure (8 GiB
// installed, 7985 MiB usable).
func TestDefaultCatalog(t *testing.T) {
	c := sim.DefaultCatalog()
	families := map[string]int{}
	for _, it := range c.Types() {
		families[strings.Split(it.Name, ".")[0]]++
		if it.PricePerHour <= 0 {
			t.Errorf("%s has no price", it.Name)
		}
		if it.TaskENIs() != it.MaxENIs-1 {
			t.Errorf("%s: TaskENIs %d, want MaxENIs-1", it.Name, it.TaskENIs())
		}
		if strings.Contains(it.Name, "g.") != (it.Arch == sim.ARM64) {
			t.Errorf("%s: architecture %s; Graviton (…g) types are arm64, the others x86_64", it.Name, it.Arch)
		}
	}
	for _, fam := range []string{"m5", "m6i", "m7g", "c5", "c6g", "c7g", "r5", "r6g", "t3"} {
		if families[fam] < 3 {
			t.Errorf("family %s has %d sizes, want at least 3", fam, families[fam])
		}
	}
	m5, ok := c.Lookup("m5.large")
	if !ok {
		t.Fatal("m5.large missing")
	}
	if m5.RegisteredCPU() != 2048 || m5.RegisteredMemoryMiB(0) != 7985 || m5.RegisteredMemoryMiB(256) != 7729 {
		t.Errorf("m5.large registers %d CPU, %d MiB (%d with 256 reserved); want 2048, 7985, 7729",
			m5.RegisteredCPU(), m5.RegisteredMemoryMiB(0), m5.RegisteredMemoryMiB(256))
	}
	if _, ok := c.Lookup("m4.large"); ok {
		t.Error("m4.large found in a catalog that does not list it")
	}
	_, err := sim.NewCatalog([]sim.InstanceType{{Name: "x"}, {Name: "x", VCPU: 1, MemoryMiB: 1, MaxENIs: 1, Arch: "sparc"}})
	if !errors.Is(err, sim.ErrConfig) || strings.Count(err.Error(), "\n") < 4 {
		t.Errorf("NewCatalog with five problems: %v", err)
	}
}

// TestInstanceRegistration: an instance is unknown to ECS until its agent
// registers, then ACTIVE with the built-in attributes and its catalog
// resources.
func TestInstanceRegistration(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{ReservedMemoryMiB: 256})
	in, err := f.c.LaunchInstance(sim.InstanceSpec{Type: "m7g.xlarge", Zone: "us-east-1b", Attributes: map[string]string{"team": "search"}})
	if err != nil {
		t.Fatal(err)
	}
	f.run(29 * time.Second)
	if in.Status() != sim.InstanceLaunching || in.PlacementID() != placement.NoInstance {
		t.Fatalf("before registration: %v", in.Status())
	}
	f.run(time.Second)
	if in.Status() != sim.InstanceActive || !in.RegisteredAt().Equal(sim.DefaultStart.Add(30*time.Second)) {
		t.Fatalf("after 30 s: %v registered at %v", in.Status(), in.RegisteredAt())
	}
	pc := f.c.Placement()
	for name, want := range map[string]string{
		placement.AttrAvailabilityZone: "us-east-1b", placement.AttrInstanceType: "m7g.xlarge",
		placement.AttrCPUArchitecture: "arm64", placement.AttrOSType: "linux", "team": "search",
		placement.AttrVPCID: "vpc-0sim", placement.AttrSubnetID: "subnet-us-east-1b", placement.AttrOSFamily: "LINUX",
	} {
		if got, _ := pc.Attribute(in.PlacementID(), name); got != want {
			t.Errorf("attribute %s = %q, want %q", name, got, want)
		}
	}
	st, _ := pc.State(in.PlacementID())
	if st.FreeCPU != 4096 || st.FreeMemoryMiB != 16384*7985/8192-256 || st.FreeENI != 3 || st.ReservedPorts != 5 {
		t.Errorf("registered resources %+v", st)
	}
	_, err = f.c.LaunchInstance(sim.InstanceSpec{Type: "z9.huge", Attributes: map[string]string{"ecs.os-type": "x"}})
	if !errors.Is(err, sim.ErrConfig) || strings.Count(err.Error(), "\n") != 2 {
		t.Errorf("three mistakes: %v", err)
	}
}

// TestDrainReplacesServiceTasksFirst drains an instance holding service
// and standalone tasks: with minimumHealthyPercent 100 the replacements
// start elsewhere and become healthy before the old tasks are stopped; the
// standalone task keeps running; a PENDING task does not survive.
func TestDrainReplacesServiceTasksFirst(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	ins := f.launch("m5.large", zones3[:1], 1)
	f.taskDef("app", 256, 512, sim.Behavior{Shutdown: sim.Fixed(0)})
	f.taskDef("batch", 256, 512, sim.Behavior{})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 3})
	standalone := runOne(t, f, "batch")
	f.run(5 * time.Minute)
	old := svc.Tasks()
	spare := f.launch("m5.large", zones3[1:2], 1)[0]
	f.run(time.Minute)
	if err := ins[0].Drain(); err != nil {
		t.Fatal(err)
	}
	minHealthy := 3
	for range 100000 {
		ok, err := f.s.Step()
		if err != nil || !ok || f.s.Elapsed() > 30*time.Minute {
			break
		}
		healthy := countIf(svc.Tasks(), func(t *sim.Task) bool {
			return t.State() == sim.TaskRunning && t.DesiredStatus() == sim.TaskRunning && f.s.Now().Sub(t.StartedAt()) >= 40*time.Second
		})
		if healthy < minHealthy {
			t.Fatalf("at %v only %d healthy tasks during the drain", f.s.Elapsed(), healthy)
		}
	}
	for _, tk := range old {
		if tk.State() != sim.TaskStopped || tk.StopCode() != sim.StopServiceSchedulerInitiated {
			t.Errorf("old task %v %q", tk.State(), tk.StopCode())
		}
	}
	if len(spare.Tasks()) != 3 || svc.RunningCount() != 3 {
		t.Errorf("replacements: %d on the spare instance, %v", len(spare.Tasks()), svc)
	}
	if standalone.State() != sim.TaskRunning || len(ins[0].Tasks()) != 1 {
		t.Errorf("standalone task %v; %d tasks left on the draining instance", standalone.State(), len(ins[0].Tasks()))
	}
	if err := ins[0].Deregister(false); err == nil {
		t.Error("Deregister without force succeeded with a task running")
	}
	if err := ins[0].Deregister(true); err != nil {
		t.Fatal(err)
	}
	if standalone.State() != sim.TaskStopped || ins[0].Status() != sim.InstanceInactive {
		t.Errorf("after forced deregistration: task %v, instance %v", standalone.State(), ins[0].Status())
	}
	if err := ins[0].Drain(); err == nil {
		t.Error("draining an INACTIVE instance succeeded")
	}
}

// TestDrainStopsPendingTasksAtOnce: ECS stops PENDING service tasks on a
// draining instance immediately (container-instance-draining).
func TestDrainStopsPendingTasksAtOnce(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	ins := f.launch("m5.large", zones3[:1], 1)
	f.taskDef("app", 256, 512, sim.Behavior{})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 2})
	f.run(time.Second) // placed, still PENDING (10 s)
	pending := svc.Tasks()
	if err := ins[0].Drain(); err != nil {
		t.Fatal(err)
	}
	f.run(time.Second)
	for _, tk := range pending {
		if tk.DesiredStatus() != sim.TaskStopped {
			t.Errorf("PENDING task on a draining instance still desired %v", tk.DesiredStatus())
		}
	}
	var unable bool
	for _, m := range messages(svc) {
		unable = unable || strings.HasPrefix(m, "was unable to place a task because no container instance met all of its requirements.")
	}
	if !unable {
		t.Errorf("no unable-to-place event with the only instance draining: %q", messages(svc))
	}
}
