package sim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

func perInstance(s *sim.Service) map[*sim.Instance]int {
	out := map[*sim.Instance]int{}
	for _, t := range s.Tasks() {
		if t.DesiredStatus() == sim.TaskRunning {
			out[t.Instance()]++
		}
	}
	return out
}

// TestDaemonService: one task per ACTIVE instance that meets the
// constraints, on new instances too; none on a draining instance; a
// deployment (min 0 / max 100 by default) replaces them instance by
// instance.
func TestDaemonService(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	ins := f.launch("m5.large", zones3, 3)
	arm, err := f.c.LaunchInstance(sim.InstanceSpec{Type: "m7g.large", Zone: "us-east-1a"})
	if err != nil {
		t.Fatal(err)
	}
	f.taskDef("agent", 128, 128, sim.Behavior{Shutdown: sim.Fixed(0)})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "log-agent", TaskDefinition: "agent", SchedulingStrategy: sim.Daemon,
		PlacementConstraints: []placement.Constraint{{Type: placement.MemberOf, Expression: "attribute:ecs.cpu-architecture == x86_64"}}})
	f.run(time.Minute)
	got := perInstance(svc)
	if len(got) != 3 || got[arm] != 0 || svc.DesiredCount() != 3 {
		t.Fatalf("daemon tasks %v (arm64 instance %d), desired %d; want one on each x86_64 instance", got, got[arm], svc.DesiredCount())
	}
	if svc.MinimumHealthyPercent() != 0 || svc.MaximumPercent() != 100 {
		t.Errorf("daemon defaults %d/%d, want 0/100", svc.MinimumHealthyPercent(), svc.MaximumPercent())
	}
	late := f.launch("m5.large", zones3[:1], 1)[0]
	f.run(2 * time.Minute)
	if perInstance(svc)[late] != 1 {
		t.Errorf("no daemon task on a newly registered instance")
	}
	if err := ins[0].Drain(); err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	if n := len(ins[0].Tasks()); n != 0 || svc.DesiredCount() != 3 {
		t.Errorf("draining instance keeps %d daemon tasks; desired %d", n, svc.DesiredCount())
	}
	f.taskDef("agent", 128, 128, sim.Behavior{Shutdown: sim.Fixed(0)})
	if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "agent:2"}); err != nil {
		t.Fatal(err)
	}
	f.run(5 * time.Minute)
	for in, n := range perInstance(svc) {
		if n != 1 {
			t.Errorf("%s runs %d daemon tasks", in.EC2InstanceID(), n)
		}
	}
	for _, tk := range svc.Tasks() {
		if tk.TaskDefinition().Revision() != 2 || tk.State() != sim.TaskRunning {
			t.Errorf("after the deployment a task runs %s in %v", tk.TaskDefinition(), tk.State())
		}
	}
	if svc.DeploymentInProgress() || !svc.Steady() {
		t.Errorf("daemon deployment not finished: %v", svc.Deployments()[0].RolloutState())
	}
	if err := svc.SetDesiredCount(5); !errors.Is(err, sim.ErrInvalidService) {
		t.Errorf("SetDesiredCount on a daemon: %v", err)
	}
}

// TestServiceConfigErrors: configuration mistakes are errors, all at once.
func TestServiceConfigErrors(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.taskDef("app", 128, 128, sim.Behavior{})
	_, err := f.c.CreateService(sim.ServiceConfig{Name: "bad name", TaskDefinition: "nope", DesiredCount: -1,
		DeploymentConfiguration: sim.DeploymentConfiguration{MinimumHealthyPercent: sim.Percent(120), MaximumPercent: sim.Percent(50)}})
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 5 {
		t.Errorf("five mistakes: %v", err)
	}
	_, err = f.c.CreateService(sim.ServiceConfig{Name: "d", TaskDefinition: "app", SchedulingStrategy: sim.Daemon,
		DeploymentConfiguration: sim.DeploymentConfiguration{MaximumPercent: sim.Percent(200)},
		PlacementStrategy:       []placement.Strategy{{Type: placement.Random}}})
	if !errors.As(err, &joined) || len(joined.Unwrap()) != 2 {
		t.Errorf("daemon with max 200 and a strategy: %v", err)
	}
	if _, err := f.c.CreateService(sim.ServiceConfig{Name: "f", TaskDefinition: "app", LaunchType: sim.External}); !errors.Is(err, sim.ErrNotSupported) {
		t.Errorf("EXTERNAL service: %v", err)
	}
	if _, err := f.c.CreateService(sim.ServiceConfig{Name: "f", TaskDefinition: "app", LaunchType: sim.Fargate}); !errors.Is(err, sim.ErrInvalidService) {
		t.Errorf("FARGATE service of a bridge-mode definition: %v, want ErrInvalidService", err)
	}
	svc := f.service(sim.ServiceConfig{Name: "ok", TaskDefinition: "app", DesiredCount: 1})
	if _, err := f.c.CreateService(sim.ServiceConfig{Name: "ok", TaskDefinition: "app"}); !errors.Is(err, sim.ErrInvalidService) {
		t.Errorf("duplicate name: %v", err)
	}
	if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "app:9"}); !errors.Is(err, sim.ErrNotFound) {
		t.Errorf("unknown revision: %v", err)
	}
	if err := svc.SetDesiredCount(5001); !errors.Is(err, sim.ErrInvalidService) {
		t.Errorf("desired 5001: %v", err)
	}
}

// TestDeleteService: a service with tasks needs force (or a scale to 0);
// deleted, it goes DRAINING then INACTIVE with all its tasks stopping, and
// its name is free again.
func TestDeleteService(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	f.taskDef("app", 256, 256, sim.Behavior{})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 3})
	f.run(5 * time.Minute)
	if err := svc.Delete(false); !errors.Is(err, sim.ErrInvalidService) {
		t.Errorf("Delete without force at desired 3: %v", err)
	}
	tasks := svc.Tasks()
	if err := svc.Delete(true); err != nil || svc.Status() != sim.ServiceDraining {
		t.Fatalf("Delete(force): %v, status %s", err, svc.Status())
	}
	f.run(time.Second)
	if svc.Status() != sim.ServiceInactive {
		t.Errorf("status %s after the tasks were told to stop, want INACTIVE", svc.Status())
	}
	f.run(time.Minute)
	for _, tk := range tasks {
		if tk.State() != sim.TaskStopped {
			t.Errorf("task of the deleted service is %v", tk.State())
		}
	}
	if err := svc.SetDesiredCount(1); !errors.Is(err, sim.ErrInvalidService) {
		t.Errorf("SetDesiredCount on an INACTIVE service: %v", err)
	}
	if _, err := f.c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "app", DesiredCount: 1}); err != nil {
		t.Errorf("reusing the name of an INACTIVE service: %v", err)
	}
}

// TestDaemonPlacedFirst: a daemon task is placed on a new instance before
// replica tasks waiting for room can take it, as the daemon strategy
// documents (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html). A
// replica service wants 2 tasks of 2 vCPU; the first shares an m5.xlarge
// with the daemon task, the second waits. A new m5.large (2 vCPU) registers:
// the daemon task (0.25 vCPU) goes there first, and the replica keeps
// waiting, where a replica placed first would have left the daemon out.
func TestDaemonPlacedFirst(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		f := newFixture(t, seed, sim.WorldConfig{})
		big := f.launch("m5.xlarge", zones3[:1], 1)[0]
		f.taskDef("agent", 256, 128, sim.Behavior{})
		f.taskDef("app", 2048, 512, sim.Behavior{})
		f.run(time.Minute)
		daemon := f.service(sim.ServiceConfig{Name: "agent", TaskDefinition: "agent", SchedulingStrategy: sim.Daemon})
		f.run(time.Minute)
		app := f.service(sim.ServiceConfig{Name: "app", TaskDefinition: "app", DesiredCount: 2})
		f.run(time.Minute)
		if perInstance(app)[big] != 1 || len(app.Tasks()) != 1 || perInstance(daemon)[big] != 1 {
			t.Fatalf("seed %d: before the new instance: app %v, daemon %v; want one of each on the m5.xlarge", seed, perInstance(app), perInstance(daemon))
		}
		small := f.launch("m5.large", zones3[:1], 1)[0]
		f.run(2 * time.Minute)
		if got := perInstance(daemon)[small]; got != 1 {
			t.Errorf("seed %d: %d daemon tasks on the new instance, want 1 (daemons are placed first)", seed, got)
		}
		if got := perInstance(app)[small]; got != 0 {
			t.Errorf("seed %d: %d app tasks on the new instance; the daemon's room was taken", seed, got)
		}
	}
}

// TestDaemonStoppedLast: on a draining instance the daemon task keeps
// running while the replica tasks there stop and are replaced, and stops
// once the last of them has stopped
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html).
func TestDaemonStoppedLast(t *testing.T) {
	f := newFixture(t, 3, sim.WorldConfig{})
	ins := f.launch("m5.xlarge", zones3[:2], 2)
	f.taskDef("agent", 256, 128, sim.Behavior{Shutdown: sim.Fixed(0)})
	f.taskDef("app", 512, 512, sim.Behavior{Shutdown: sim.Fixed(20 * time.Second)})
	f.run(time.Minute)
	daemon := f.service(sim.ServiceConfig{Name: "agent", TaskDefinition: "agent", SchedulingStrategy: sim.Daemon})
	app := f.service(sim.ServiceConfig{Name: "app", TaskDefinition: "app", DesiredCount: 4})
	f.run(2 * time.Minute)
	drained := ins[0]
	var replicas []*sim.Task
	for _, tk := range drained.Tasks() {
		if tk.Service() == app {
			replicas = append(replicas, tk)
		}
	}
	if len(replicas) == 0 || perInstance(daemon)[drained] != 1 {
		t.Fatalf("before the drain: %d app tasks and %d daemon tasks on the instance", len(replicas), perInstance(daemon)[drained])
	}
	var agent *sim.Task
	for _, tk := range daemon.Tasks() {
		if tk.Instance() == drained {
			agent = tk
		}
	}
	if err := drained.Drain(); err != nil {
		t.Fatal(err)
	}
	f.run(5 * time.Second)
	if agent.DesiredStatus() != sim.TaskRunning {
		t.Fatalf("the daemon task was told to stop while %d replica tasks were still on the instance", len(replicas))
	}
	f.run(5 * time.Minute)
	if agent.State() != sim.TaskStopped {
		t.Fatalf("daemon task %v after the replicas left; want STOPPED", agent.State())
	}
	var last time.Time
	for _, tk := range replicas {
		if tk.State() != sim.TaskStopped {
			t.Fatalf("replica task still %v", tk.State())
		}
		if tk.StoppedAt().After(last) {
			last = tk.StoppedAt()
		}
	}
	if agent.StoppedAt().Before(last) {
		t.Errorf("daemon task stopped at %v, before the last replica task (%v)", agent.StoppedAt(), last)
	}
	if app.RunningCount() != 4 {
		t.Errorf("%d app tasks running after the drain, want 4 replaced on the other instance", app.RunningCount())
	}
}
