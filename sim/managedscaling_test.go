package sim_test

import (
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

// scalingFixture is a cluster whose default strategy is one Auto Scaling
// group provider of m5.large (2048 CPU units) with managed scaling, and a
// task definition "whole" of 2048 CPU units: one task fills an instance,
// so M is simply the number of busy instances plus the waiting tasks.
func scalingFixture(t *testing.T, seed uint64, desired int, ms capacity.ManagedScalingConfig) (*fixture, *sim.CapacityProvider) {
	t.Helper()
	f := newFixtureDefaults(t, seed, sim.WorldConfig{})
	f.taskDef("whole", 2048, 1024, sim.Behavior{})
	p := f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", Zones: zones3[:1], MinSize: 0, MaxSize: 20,
		DesiredCapacity: desired, ManagedScaling: &ms, ManagedTerminationProtection: true})
	if err := f.c.PutCapacityProviders([]string{"asg"}, []sim.CapacityProviderStrategyItem{{Provider: "asg", Weight: 1}}); err != nil {
		t.Fatal(err)
	}
	return f, p
}

func lastRecord(p *sim.CapacityProvider) sim.ScalingRecord {
	h := p.ScalingHistory()
	return h[len(h)-1]
}

// TestManagedScalingWorkedExampleHScaleIn: M = 2, N = 3, targetCapacity
// 100 → CPR 66.7 → after 15 one-minute datapoints below target the
// desired capacity goes to 2 and the empty instance is terminated; the two
// busy ones stay (worked example H).
func TestManagedScalingWorkedExampleHScaleIn(t *testing.T) {
	f, p := scalingFixture(t, 1, 3, capacity.ManagedScalingConfig{TargetCapacity: 100})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "whole", DesiredCount: 2})
	f.run(14*time.Minute + 30*time.Second)
	r := lastRecord(p)
	if r.Decision.M != 2 || r.Instances != 3 || math.Abs(r.Decision.Reservation-200.0/3) > 1e-9 {
		t.Errorf("datapoint: M %d N %d CPR %.3f, want M 2 N 3 CPR 66.667", r.Decision.M, r.Instances, r.Decision.Reservation)
	}
	if got := len(p.ScalingHistory()); got != 14 || p.DesiredCapacity() != 3 || len(p.Instances()) != 3 {
		t.Errorf("after 14 datapoints: %d records, desired %d, %d instances; want 14, 3, 3", got, p.DesiredCapacity(), len(p.Instances()))
	}
	f.run(time.Minute)
	if p.DesiredCapacity() != 2 || len(p.Instances()) != 2 {
		t.Errorf("after the 15th datapoint: desired %d, %d instances; want 2 and 2", p.DesiredCapacity(), len(p.Instances()))
	}
	for _, in := range p.Instances() {
		if len(in.Tasks()) != 1 {
			t.Errorf("instance %s kept with %d tasks, want the busy ones kept", in.EC2InstanceID(), len(in.Tasks()))
		}
	}
	if svc.RunningCount() != 2 {
		t.Errorf("running %d, want 2", svc.RunningCount())
	}
}

// TestManagedScalingWorkedExampleHTarget50: M = 2, N = 3, targetCapacity
// 50 → CPR 66.7 > 50 → N to 4 (2/4 = 50 %), once the instances launched at
// the start are past the 300 s warm-up; then it holds.
func TestManagedScalingWorkedExampleHTarget50(t *testing.T) {
	f, p := scalingFixture(t, 1, 3, capacity.ManagedScalingConfig{TargetCapacity: 50})
	f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "whole", DesiredCount: 2})
	f.run(4*time.Minute + 30*time.Second)
	if p.DesiredCapacity() != 3 {
		t.Errorf("during warm-up: desired %d, want 3", p.DesiredCapacity())
	}
	f.run(time.Minute)
	if p.DesiredCapacity() != 4 {
		t.Errorf("after warm-up: desired %d, want 4 (%s)", p.DesiredCapacity(), lastRecord(p).Decision.Reason)
	}
	f.run(20 * time.Minute)
	if p.DesiredCapacity() != 4 || len(p.Instances()) != 4 || lastRecord(p).Decision.Reservation != 50 {
		t.Errorf("later: desired %d, %d instances, CPR %v; want 4, 4, 50", p.DesiredCapacity(), len(p.Instances()), lastRecord(p).Decision.Reservation)
	}
}

// TestManagedScalingWorkedExampleHScaleOut: M = 5, N = 4, target 100 →
// CPR 125 → N to 5: four full instances and one task waiting in
// PROVISIONING; the new instance takes the waiting task.
func TestManagedScalingWorkedExampleHScaleOut(t *testing.T) {
	f, p := scalingFixture(t, 1, 4, capacity.ManagedScalingConfig{NoWarmup: true})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "whole", DesiredCount: 5})
	f.run(61 * time.Second)
	if len(p.ProvisioningTasks()) != 1 {
		t.Errorf("%d tasks waiting in PROVISIONING, want 1", len(p.ProvisioningTasks()))
	}
	r := lastRecord(p)
	if r.Decision.M != 5 || r.Instances != 4 || r.Decision.Reservation != 125 || p.DesiredCapacity() != 5 {
		t.Errorf("datapoint M %d N %d CPR %v desired %d, want 5, 4, 125, 5", r.Decision.M, r.Instances, r.Decision.Reservation, p.DesiredCapacity())
	}
	f.run(2 * time.Minute)
	if svc.RunningCount() != 5 || len(p.ProvisioningTasks()) != 0 {
		t.Errorf("running %d, waiting %d; want 5 and 0", svc.RunningCount(), len(p.ProvisioningTasks()))
	}
}

// TestManagedScalingWorkedExampleHFromZero: M > 0, N = 0 → CPR 200: an
// empty group scales out for the waiting tasks (ceil(M × 100 / target)
// instances) and the tasks run once the instances register.
func TestManagedScalingWorkedExampleHFromZero(t *testing.T) {
	f, p := scalingFixture(t, 1, 0, capacity.ManagedScalingConfig{})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "whole", DesiredCount: 5})
	f.run(61 * time.Second)
	if r := lastRecord(p); r.Decision.Reservation != 200 || p.DesiredCapacity() != 5 {
		t.Errorf("CPR %v desired %d, want 200 and 5", r.Decision.Reservation, p.DesiredCapacity())
	}
	f.run(2 * time.Minute)
	if svc.RunningCount() != 5 {
		t.Errorf("running %d, want 5", svc.RunningCount())
	}
}

// TestManagedScalingPropertyTerminationProtection: under managed
// termination protection no instance that runs a task is ever terminated,
// whatever the desired counts do: no task ever stops because its host
// went away, and every scale-in leaves busy instances alone.
func TestManagedScalingPropertyTerminationProtection(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		seed := rapid.Uint64().Draw(rt, "seed")
		f, p := scalingFixture(t, seed, rapid.IntRange(0, 4).Draw(rt, "initial"), capacity.ManagedScalingConfig{
			TargetCapacity: rapid.IntRange(50, 100).Draw(rt, "target"), NoWarmup: rapid.Bool().Draw(rt, "noWarmup"),
		})
		f.taskDef("half", 1024, 512, sim.Behavior{})
		web := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "whole"})
		api := f.service(sim.ServiceConfig{Name: "api", TaskDefinition: "half"})
		for range rapid.IntRange(1, 5).Draw(rt, "phases") {
			if err := web.SetDesiredCount(rapid.IntRange(0, 8).Draw(rt, "web")); err != nil {
				rt.Fatal(err)
			}
			if err := api.SetDesiredCount(rapid.IntRange(0, 8).Draw(rt, "api")); err != nil {
				rt.Fatal(err)
			}
			f.run(time.Duration(rapid.IntRange(1, 25).Draw(rt, "minutes")) * time.Minute)
		}
		for _, tk := range f.w.Tasks() {
			if tk.StopCode() == sim.StopTerminationNotice {
				rt.Fatalf("task %s stopped with its instance: %s", tk.ID(), tk.StoppedReason())
			}
		}
		if len(p.Instances()) > 20 {
			rt.Fatalf("%d instances above MaxSize 20", len(p.Instances()))
		}
	})
}

// TestManagedScalingWorkedExampleHStepSizes: the scale-out step of an
// empty single-zone group is clamp(need, min, max): 3 waiting tasks with
// minimumScalingStepSize 5 launch 5; 30 with maximumScalingStepSize 10
// launch 10. A group in three zones scales out by exactly the minimum step
// (2), whatever the need (worked example H).
func TestManagedScalingWorkedExampleHStepSizes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		zones      []string
		ms         capacity.ManagedScalingConfig
		tasks      int
		wantLaunch int
	}{
		{"need 3, min 5", zones3[:1], capacity.ManagedScalingConfig{MinimumScalingStepSize: 5}, 3, 5},
		{"need 30, max 10", zones3[:1], capacity.ManagedScalingConfig{MaximumScalingStepSize: 10}, 30, 10},
		{"need 7, three zones, min 2", zones3, capacity.ManagedScalingConfig{MinimumScalingStepSize: 2}, 7, 2},
	} {
		f := newFixtureDefaults(t, 1, sim.WorldConfig{})
		f.taskDef("whole", 2048, 1024, sim.Behavior{})
		ms := tc.ms
		p := f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", Zones: tc.zones, MaxSize: 50, ManagedScaling: &ms})
		if err := f.c.PutCapacityProviders([]string{"asg"}, []sim.CapacityProviderStrategyItem{{Provider: "asg", Weight: 1}}); err != nil {
			t.Fatal(err)
		}
		f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "whole", DesiredCount: tc.tasks})
		f.run(61 * time.Second)
		if p.DesiredCapacity() != tc.wantLaunch || p.InstancesLaunched() != tc.wantLaunch {
			t.Errorf("%s: desired %d, launched %d, want %d (%s)", tc.name, p.DesiredCapacity(), p.InstancesLaunched(), tc.wantLaunch, lastRecord(p).Decision.Reason)
		}
	}
}
