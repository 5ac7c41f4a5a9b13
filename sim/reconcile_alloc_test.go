package sim

import (
	"testing"
	"time"
)

// TestSteadyReconcileAllocatesNothing: a reconcile of a service with
// nothing to do (the commonest on a busy world) snapshots, decides and
// settles without allocating: on EC2 with zone rebalancing, on Fargate,
// and for a daemon.
func TestSteadyReconcileAllocatesNothing(t *testing.T) {
	s, err := New(Config{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorld(s, WorldConfig{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.CreateCluster("prod")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		if _, err := c.LaunchInstance(InstanceSpec{Type: "m5.xlarge", Zone: []string{"us-east-1a", "us-east-1b", "us-east-1c"}[i%3]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, family := range []string{"web", "agent"} {
		if _, err := w.RegisterTaskDefinition(TaskDefinitionInput{Family: family, NetworkMode: AWSVPC, CPU: 256, MemoryMiB: 512,
			Containers: []ContainerDefinition{{Name: "app", Image: family + ":1", MemoryMiB: 512}}}); err != nil {
			t.Fatal(err)
		}
	}
	ec2, err := c.CreateService(ServiceConfig{Name: "ec2", TaskDefinition: "web", DesiredCount: 12})
	if err != nil {
		t.Fatal(err)
	}
	fargate, err := c.CreateService(ServiceConfig{Name: "fargate", TaskDefinition: "web", DesiredCount: 12, LaunchType: Fargate})
	if err != nil {
		t.Fatal(err)
	}
	daemon, err := c.CreateService(ServiceConfig{Name: "daemon", TaskDefinition: "agent", SchedulingStrategy: Daemon})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunFor(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, svc := range []*Service{ec2, fargate, daemon} {
		if !svc.Steady() || len(svc.tasks) == 0 {
			t.Fatalf("%s: not steady after 10 minutes: %v", svc.Name(), svc)
		}
		events := len(svc.events)
		if n := testing.AllocsPerRun(100, svc.reconcileNow); n != 0 {
			t.Errorf("%s: a steady reconcile allocates %v times", svc.Name(), n)
		}
		if len(svc.events) != events || !svc.Steady() {
			t.Errorf("%s: a steady reconcile did something: %v", svc.Name(), svc.events[events:])
		}
	}
}
