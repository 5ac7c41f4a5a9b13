package sim_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

func tasksPerZone(svc *sim.Service) map[string]int {
	out := map[string]int{}
	for _, tk := range svc.Tasks() {
		if tk.DesiredStatus() == sim.TaskRunning {
			out[tk.Zone()]++
		}
	}
	return out
}

// TestZoneOutageEC2: an outage of us-east-1a from minute 10 to minute 40
// fails the zone's instances and their tasks; the service runs all 6 tasks
// in the other two zones within minutes, no instance launches in the zone
// while it is out, and afterwards it does again.
func TestZoneOutageEC2(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	ins := f.launch("m5.xlarge", zones3, 6)
	f.taskDef("web", 512, 512, sim.Behavior{})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6})
	start := f.s.Now().Add(9 * time.Minute)
	if err := f.w.ScheduleZoneOutage("us-east-1a", start, start.Add(30*time.Minute)); err != nil {
		t.Fatal(err)
	}
	f.run(8 * time.Minute)
	if got := tasksPerZone(svc); got["us-east-1a"] != 2 || svc.RunningCount() != 6 {
		t.Fatalf("before the outage: %v, %d running; want 2 per zone", got, svc.RunningCount())
	}
	f.run(5 * time.Minute) // 4 minutes into the outage
	for _, in := range ins {
		if (in.Zone() == "us-east-1a") != (in.Status() == sim.InstanceInactive) {
			t.Errorf("%s in %s is %v during the outage", in.EC2InstanceID(), in.Zone(), in.Status())
		}
	}
	if got := tasksPerZone(svc); got["us-east-1a"] != 0 || svc.RunningCount() != 6 {
		t.Errorf("during the outage: %v, %d running; want 6 running, none in us-east-1a", got, svc.RunningCount())
	}
	if _, err := f.c.LaunchInstance(sim.InstanceSpec{Type: "m5.large", Zone: "us-east-1a"}); !errors.Is(err, sim.ErrZoneUnavailable) {
		t.Errorf("LaunchInstance in the zone that is out: %v, want ErrZoneUnavailable", err)
	}
	f.run(30 * time.Minute)
	if _, err := f.c.LaunchInstance(sim.InstanceSpec{Type: "m5.large", Zone: "us-east-1a"}); err != nil {
		t.Errorf("LaunchInstance after the outage: %v", err)
	}
}

// TestZoneOutageFargate: a Fargate service's tasks in the zone that goes
// out stop with the outage's reason and are replaced in the two other
// zones; no task starts in the zone until it returns. With every zone out,
// new Fargate tasks fail for lack of capacity.
func TestZoneOutageFargate(t *testing.T) {
	f := newFixture(t, 2, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	f.fargateDef("web", 256, 512)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6, LaunchType: sim.Fargate})
	f.run(2 * time.Minute)
	if got := tasksPerZone(svc); got["us-east-1a"] != 2 || svc.RunningCount() != 6 {
		t.Fatalf("before the outage: %v, %d running; want 2 per zone", got, svc.RunningCount())
	}
	var inZone []*sim.Task
	for _, tk := range svc.Tasks() {
		if tk.Zone() == "us-east-1a" {
			inZone = append(inZone, tk)
		}
	}
	now := f.s.Now()
	if err := f.w.ScheduleZoneOutage("us-east-1a", now, now.Add(20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	f.run(5 * time.Minute)
	for _, tk := range inZone {
		if tk.State() != sim.TaskStopped || tk.StoppedReason() != sim.ZoneOutageReason {
			t.Errorf("task in the zone: %v, %q; want STOPPED for the outage", tk.State(), tk.StoppedReason())
		}
	}
	if got := tasksPerZone(svc); got["us-east-1a"] != 0 || svc.RunningCount() != 6 {
		t.Errorf("during the outage: %v, %d running; want 6 running, none in us-east-1a", got, svc.RunningCount())
	}
	for _, z := range []string{"us-east-1b", "us-east-1c"} {
		if err := f.w.ScheduleZoneOutage(z, f.s.Now(), f.s.Now().Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	f.run(time.Second)
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web", LaunchType: sim.Fargate})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 0 || len(out.Failures) != 1 || out.Failures[0].Detail != capacity.CapacityUnavailableReason {
		t.Errorf("RunTask with every zone out: %d tasks, failures %+v; want one failure for lack of capacity", len(out.Tasks), out.Failures)
	}
	f.run(30 * time.Minute) // every zone back
	if svc.RunningCount() != 6 {
		t.Errorf("%d running after the outages, want 6", svc.RunningCount())
	}
}

// TestZoneOutageAutoScalingGroup: an Auto Scaling group over three zones
// replaces its instance in the zone that went out with one in another zone.
func TestZoneOutageAutoScalingGroup(t *testing.T) {
	f := newFixture(t, 3, sim.WorldConfig{})
	ms := capacity.ManagedScalingConfig{TargetCapacity: 100}
	p := f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", MinSize: 3, MaxSize: 6, DesiredCapacity: 3, ManagedScaling: &ms})
	if err := f.c.PutCapacityProviders([]string{"asg"}, []sim.CapacityProviderStrategyItem{{Provider: "asg", Weight: 1}}); err != nil {
		t.Fatal(err)
	}
	f.run(2 * time.Minute)
	now := f.s.Now()
	if err := f.w.ScheduleZoneOutage("us-east-1a", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	f.run(10 * time.Minute)
	live := map[string]int{}
	for _, in := range p.Instances() {
		if in.Status() != sim.InstanceInactive {
			live[in.Zone()]++
		}
	}
	if live["us-east-1a"] != 0 || live["us-east-1b"]+live["us-east-1c"] != 3 {
		t.Errorf("group instances per zone during the outage: %v; want 3, none in us-east-1a", live)
	}
}

// TestZoneOutageValidation: every problem at once.
func TestZoneOutageValidation(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	now := f.s.Now()
	if err := f.w.ScheduleZoneOutage("us-east-1a", now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	err := f.w.ScheduleZoneOutage("", now, now)
	if !errors.Is(err, sim.ErrConfig) || !slices.Equal(errorFields(err), []string{"ScheduleZoneOutage(zone)", "ScheduleZoneOutage(end)"}) {
		t.Errorf("empty zone and empty span: %v; want both reported", err)
	}
	if err := f.w.ScheduleZoneOutage("us-east-1a", now.Add(30*time.Minute), now.Add(2*time.Hour)); !errors.Is(err, sim.ErrConfig) {
		t.Errorf("overlapping outage of one zone: %v, want ErrConfig", err)
	}
}
