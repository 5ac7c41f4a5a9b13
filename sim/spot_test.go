package sim_test

import (
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// drainObserver records when tasks start to stop and holds SIGTERM for
// drain, as a load balancer deregistering a target does.
type drainObserver struct {
	drain       time.Duration
	deactivated map[string]time.Time
}

func (o *drainObserver) TaskRunning(time.Time, *sim.Task) {}

func (o *drainObserver) TaskDeactivating(now time.Time, t *sim.Task) time.Duration {
	o.deactivated[t.ID()] = now
	return o.drain
}

// spotDef is a Fargate task definition whose application ignores SIGTERM
// for 60 s, so that SIGKILL at the stop timeout ends it.
func (f *fixture) spotDef(stopTimeout time.Duration) {
	f.t.Helper()
	_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "worker", CPU: 256, MemoryMiB: 512, NetworkMode: sim.AWSVPC,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "worker", StopTimeout: stopTimeout}},
		Behavior:   sim.Behavior{Shutdown: sim.Fixed(time.Minute)},
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// TestFargateSpotInterruptionWorkedExampleL: a Fargate Spot task warned at
// t is deregistered first (the observer runs at t), gets SIGTERM at t and
// SIGKILL at t + stopTimeout (30 s), and stops with capacity's code and
// reason (plus the 3 s ENI detachment of fixedLatencies); the service
// starts a replacement on FARGATE_SPOT at t. With a drain longer than the
// notice, the task is forced down at t + 120 s.
func TestFargateSpotInterruptionWorkedExampleL(t *testing.T) {
	warn := 3 * time.Minute
	for _, tc := range []struct {
		drain, stoppedAfter time.Duration
	}{{0, 30*time.Second + 3*time.Second}, {5 * time.Minute, 2 * time.Minute}} {
		f := newFixture(t, 1, sim.WorldConfig{Capacity: sim.CapacityConfig{
			FargateSpotInterruptions: capacity.InterruptionProcess{Schedule: []time.Duration{warn}},
		}})
		f.spotDef(0)
		if err := f.c.PutCapacityProviders([]string{"FARGATE_SPOT"}, nil); err != nil {
			t.Fatal(err)
		}
		obs := &drainObserver{drain: tc.drain, deactivated: map[string]time.Time{}}
		svc := f.service(sim.ServiceConfig{Name: "worker", TaskDefinition: "worker", DesiredCount: 1, Observer: obs,
			CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{{Provider: "FARGATE_SPOT", Weight: 1}}})
		f.run(warn - time.Second)
		victim := svc.Tasks()[0]
		f.run(10 * time.Minute)
		at := f.s.Start().Add(warn)
		if got := obs.deactivated[victim.ID()]; !got.Equal(at) {
			t.Errorf("drain %v: deregistered at %v, want the warning %v", tc.drain, got, at)
		}
		if got := victim.StoppedAt().Sub(at); got != tc.stoppedAfter {
			t.Errorf("drain %v: STOPPED %v after the warning, want %v", tc.drain, got, tc.stoppedAfter)
		}
		if victim.StopCode() != capacity.StopCodeTerminationNotice || victim.StoppedReason() != capacity.FargateSpotStoppedReason {
			t.Errorf("stop code %q reason %q", victim.StopCode(), victim.StoppedReason())
		}
		tasks := svc.Tasks()
		if len(tasks) != 1 || tasks[0] == victim || !tasks[0].CreatedAt().Equal(at) || !tasks[0].IsSpot() || svc.RunningCount() != 1 {
			t.Errorf("replacement: %d tasks, created %v, running %d", len(tasks), tasks[0].CreatedAt(), svc.RunningCount())
		}
		if n := f.w.CapacityProvider("FARGATE_SPOT").Interruptions(); n != 1 {
			t.Errorf("interruptions %d, want 1", n)
		}
	}
}

// TestEC2SpotInterruption: a Spot instance warned at t is DRAINING at t;
// at t + 120 s EC2 reclaims it and the tasks still on it stop with
// SpotInterruption; the Auto Scaling group launches a replacement at its
// next minute tick and the service runs again there.
func TestEC2SpotInterruption(t *testing.T) {
	warn := 3 * time.Minute
	f := newFixture(t, 1, sim.WorldConfig{})
	f.taskDef("web", 512, 512, sim.Behavior{})
	p := f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "spot", Zones: zones3[:1], MaxSize: 2, DesiredCapacity: 1, Spot: true,
		Interruptions: capacity.InterruptionProcess{Schedule: []time.Duration{warn}}})
	if err := f.c.PutCapacityProviders([]string{"spot"}, []sim.CapacityProviderStrategyItem{{Provider: "spot", Weight: 1}}); err != nil {
		t.Fatal(err)
	}
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1})
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web"})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatal(err, out)
	}
	f.run(warn + time.Second)
	in := p.Instances()[0]
	if in.Status() != sim.InstanceDraining {
		t.Fatalf("instance %s after the warning, want DRAINING", in.Status())
	}
	old := in.Tasks()
	f.run(2 * time.Minute)
	if in.Status() != sim.InstanceInactive {
		t.Errorf("instance %s at warning + 121 s, want INACTIVE", in.Status())
	}
	if len(old) != 2 {
		t.Fatalf("%d tasks on the instance at the warning, want 2", len(old))
	}
	for _, tk := range old {
		if tk.StopCode() != sim.StopSpotInterruption || !tk.StoppedAt().Equal(f.s.Start().Add(warn+capacity.SpotWarning)) {
			t.Errorf("task %s: code %q stopped %v", tk.ID(), tk.StopCode(), tk.StoppedAt())
		}
	}
	f.run(3 * time.Minute)
	if svc.RunningCount() != 1 || p.InstancesLaunched() != 2 || len(p.Instances()) != 1 || p.Interruptions() != 1 {
		t.Errorf("after replacement: running %d, launched %d, live %d, interruptions %d; want 1, 2, 1, 1",
			svc.RunningCount(), p.InstancesLaunched(), len(p.Instances()), p.Interruptions())
	}
}

// TestFargateSpotInterruptionRate: at 2 interruptions per task-hour, a
// service of 20 Fargate Spot tasks running for 2 hours (≈40 task-hours)
// sees a Poisson number of interruptions with mean ≈ 80 (a 3.5σ band is
// 49 to 111), keeps its 20 tasks, and replays identically from its seed.
func TestFargateSpotInterruptionRate(t *testing.T) {
	run := func() (int, int, uint64) {
		f := newFixture(t, 3, sim.WorldConfig{Capacity: sim.CapacityConfig{
			FargateSpotInterruptions: capacity.InterruptionProcess{RatePerHour: 2},
		}})
		f.spotDef(0)
		if err := f.c.PutCapacityProviders([]string{"FARGATE_SPOT"}, nil); err != nil {
			t.Fatal(err)
		}
		svc := f.service(sim.ServiceConfig{Name: "worker", TaskDefinition: "worker", DesiredCount: 20,
			CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{{Provider: "FARGATE_SPOT", Weight: 1}}})
		f.run(2 * time.Hour)
		return f.w.CapacityProvider("FARGATE_SPOT").Interruptions(), svc.RunningCount(), f.s.TraceHash()
	}
	n, running, h := run()
	if n < 49 || n > 111 {
		t.Errorf("%d interruptions, want about 80 (49..111)", n)
	}
	if running < 18 {
		t.Errorf("running %d at the end, want about 20", running)
	}
	if n2, _, h2 := run(); n2 != n || h2 != h {
		t.Errorf("replay: %d interruptions trace %x, first run %d trace %x", n2, h2, n, h)
	}
}
