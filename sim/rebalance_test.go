package sim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

// TestAZRebalancingAfterOutageFargate: a Fargate service of 6 tasks runs
// 0/3/3 over the zones while us-east-1a is out; once the zone is back,
// rebalancing (the default) starts tasks there and stops tasks in the
// fullest zones, one at a time, until 2/2/2, with the ECS service events;
// with rebalancing disabled it stays 0/3/3.
func TestAZRebalancingAfterOutageFargate(t *testing.T) {
	run := func(r sim.AZRebalancing) (map[string]int, []string) {
		f := newFixture(t, 6, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
		f.fargateDef("web", 256, 512)
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6, LaunchType: sim.Fargate,
			AvailabilityZoneRebalancing: r})
		f.run(2 * time.Minute)
		now := f.s.Now()
		if err := f.w.ScheduleZoneOutage("us-east-1a", now, now.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
		f.run(5 * time.Minute)
		if got := tasksPerZone(svc); got["us-east-1a"] != 0 || got["us-east-1b"] != 3 || got["us-east-1c"] != 3 {
			t.Fatalf("%v during the outage: %v, want 0/3/3", r, got)
		}
		f.run(20 * time.Minute)
		var msgs []string
		for _, e := range svc.Events() {
			msgs = append(msgs, e.Message)
		}
		if svc.RunningCount() != 6 || len(svc.Tasks()) != 6 {
			t.Errorf("%v: %d running of %d tasks after rebalancing, want 6 and 6", r, svc.RunningCount(), len(svc.Tasks()))
		}
		return tasksPerZone(svc), msgs
	}
	got, msgs := run(sim.AZRebalancingDefault)
	if got["us-east-1a"] != 2 || got["us-east-1b"] != 2 || got["us-east-1c"] != 2 {
		t.Errorf("rebalancing: %v, want 2/2/2", got)
	}
	for _, want := range []string{
		"(service web) is not AZ balanced with 0 tasks in us-east-1a, 3 in us-east-1b, and 3 in us-east-1c. AZ Rebalancing in progress.",
		"(service web) has started 1 tasks in Availability Zone us-east-1a to AZ Rebalance:",
		"(service web) is AZ balanced with 2 tasks in us-east-1a, 2 in us-east-1b, and 2 in us-east-1c.",
	} {
		found := false
		for _, m := range msgs {
			found = found || strings.HasPrefix(m, want)
		}
		if !found {
			t.Errorf("no event %q", want)
		}
	}
	if got, _ := run(sim.AZRebalancingDisabled); got["us-east-1a"] != 0 {
		t.Errorf("rebalancing disabled: %v, want 0/3/3 to stay", got)
	}
}

// TestAZRebalancingEC2: after an outage of us-east-1a the tasks run in the
// other zones; new instances registered there draw tasks back to 2/2/2.
// A binpack service is not compatible: by default it does not rebalance,
// and asking for it is an error.
func TestAZRebalancingEC2(t *testing.T) {
	f := newFixture(t, 7, sim.WorldConfig{})
	f.launch("m5.xlarge", zones3, 3)
	f.taskDef("web", 512, 512, sim.Behavior{Shutdown: sim.Fixed(0)})
	f.run(time.Minute)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6})
	f.run(time.Minute)
	now := f.s.Now()
	if err := f.w.ScheduleZoneOutage("us-east-1a", now, now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	f.run(15 * time.Minute)
	if got := tasksPerZone(svc); got["us-east-1a"] != 0 || svc.RunningCount() != 6 {
		t.Fatalf("after the outage, before new instances: %v, %d running", got, svc.RunningCount())
	}
	f.launch("m5.xlarge", zones3[:1], 1)
	f.run(10 * time.Minute)
	if got := tasksPerZone(svc); got["us-east-1a"] != 2 || got["us-east-1b"] != 2 || got["us-east-1c"] != 2 || svc.RunningCount() != 6 {
		t.Errorf("with an instance in us-east-1a again: %v, %d running; want 2/2/2", got, svc.RunningCount())
	}

	_, err := f.c.CreateService(sim.ServiceConfig{Name: "packed", TaskDefinition: "web", DesiredCount: 1,
		PlacementStrategy:           []placement.Strategy{{Type: placement.Binpack, Field: "memory"}},
		AvailabilityZoneRebalancing: sim.AZRebalancingEnabled})
	if !errors.Is(err, sim.ErrInvalidService) || !strings.Contains(err.Error(), "AvailabilityZoneRebalancing") {
		t.Errorf("rebalancing a binpack service: %v, want ErrInvalidService naming the setting", err)
	}
}

// TestAZRebalancingUpdate: UpdateService turns rebalancing on for a service
// created with it off, which then evens out its zones; an update without
// the setting keeps it.
func TestAZRebalancingUpdate(t *testing.T) {
	f := newFixture(t, 8, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	f.fargateDef("web", 256, 512)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6, LaunchType: sim.Fargate,
		AvailabilityZoneRebalancing: sim.AZRebalancingDisabled})
	f.run(2 * time.Minute)
	now := f.s.Now()
	if err := f.w.ScheduleZoneOutage("us-east-1a", now, now.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	f.run(10 * time.Minute)
	n := 6
	if err := svc.UpdateService(sim.ServiceUpdate{DesiredCount: &n}); err != nil {
		t.Fatal(err)
	}
	f.run(5 * time.Minute)
	if got := tasksPerZone(svc); got["us-east-1a"] != 0 {
		t.Fatalf("an update without the setting turned rebalancing on: %v", got)
	}
	if err := svc.UpdateService(sim.ServiceUpdate{AvailabilityZoneRebalancing: sim.AZRebalancingEnabled}); err != nil {
		t.Fatal(err)
	}
	f.run(10 * time.Minute)
	if got := tasksPerZone(svc); got["us-east-1a"] != 2 || got["us-east-1b"] != 2 || got["us-east-1c"] != 2 {
		t.Errorf("after enabling rebalancing: %v, want 2/2/2", got)
	}
}

// TestAZRebalancingFargateZonesInAnyOrder: a cluster whose zones are not
// in sorted order rebalances into the zone it names. The rebalancing task
// once went to the zone at the same index of the sorted list (here
// us-east-1a instead of us-east-1c), so the service never reached 2/2/2.
func TestAZRebalancingFargateZonesInAnyOrder(t *testing.T) {
	f := newFixture(t, 6, sim.WorldConfig{Capacity: sim.CapacityConfig{StartLatency: exactStart}})
	if err := f.c.SetZones([]string{"us-east-1c", "us-east-1b", "us-east-1a"}); err != nil {
		t.Fatal(err)
	}
	f.fargateDef("web", 256, 512)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 6, LaunchType: sim.Fargate})
	f.run(2 * time.Minute)
	now := f.s.Now()
	if err := f.w.ScheduleZoneOutage("us-east-1c", now, now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	f.run(5 * time.Minute)
	if got := tasksPerZone(svc); got["us-east-1c"] != 0 || got["us-east-1a"] != 3 || got["us-east-1b"] != 3 {
		t.Fatalf("during the outage: %v, want 3/3/0", got)
	}
	f.run(30 * time.Minute)
	if got := tasksPerZone(svc); got["us-east-1a"] != 2 || got["us-east-1b"] != 2 || got["us-east-1c"] != 2 {
		t.Errorf("after rebalancing: %v, want 2/2/2", got)
	}
}
