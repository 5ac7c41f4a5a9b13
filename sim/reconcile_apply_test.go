package sim

import (
	"cmp"
	"reflect"
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
		events := len(svc.Events())
		if n := testing.AllocsPerRun(100, svc.reconcileNow); n != 0 {
			t.Errorf("%s: a steady reconcile allocates %v times", svc.Name(), n)
		}
		if got := svc.Events(); len(got) != events || !svc.Steady() {
			t.Errorf("%s: a steady reconcile did something: %v", svc.Name(), got[events:])
		}
	}
}

// TestSnapshotLeavesNothingBehind: the services of a world share one
// reconciler, so a snapshot must set every field, whatever the snapshot
// before it held. A snapshot taken over one scribbled all over, or over
// another service's, must equal a fresh one, field by field; reflection
// makes a field added later and forgotten fail here.
func TestSnapshotLeavesNothingBehind(t *testing.T) {
	s, _ := New(Config{Seed: 1})
	w, _ := NewWorld(s, WorldConfig{})
	c, _ := w.CreateCluster("prod")
	for i := range 3 {
		if _, err := c.LaunchInstance(InstanceSpec{Type: "m5.xlarge", Zone: []string{"us-east-1a", "us-east-1b", "us-east-1c"}[i]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, family := range []string{"web", "agent"} {
		for range 2 {
			if _, err := w.RegisterTaskDefinition(TaskDefinitionInput{Family: family, CPU: 128, MemoryMiB: 256,
				Containers: []ContainerDefinition{{Name: "app", Image: family + ":1", MemoryMiB: 256}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	busy, err := c.CreateService(ServiceConfig{Name: "busy", TaskDefinition: "web:1", DesiredCount: 6,
		DeploymentConfiguration: DeploymentConfiguration{MinimumHealthyPercent: Percent(50), MaximumPercent: Percent(150),
			CircuitBreaker: CircuitBreaker{Enable: true, Rollback: true}}})
	if err != nil {
		t.Fatal(err)
	}
	daemon, err := c.CreateService(ServiceConfig{Name: "daemon", TaskDefinition: "agent:1", SchedulingStrategy: Daemon,
		AvailabilityZoneRebalancing: AZRebalancingDisabled})
	if err != nil {
		t.Fatal(err)
	}
	quiet, err := c.CreateService(ServiceConfig{Name: "quiet", TaskDefinition: "web:2", DesiredCount: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunFor(10 * time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := busy.UpdateService(ServiceUpdate{TaskDefinition: "web:2"}); err != nil {
		t.Fatal(err)
	}
	if err := s.RunFor(5 * time.Second); err != nil {
		t.Fatal(err)
	}
	services := []*Service{busy, daemon, quiet}
	for _, before := range append([]*Service{nil}, services...) {
		for _, after := range services {
			var reused, fresh serviceSnapshot
			if before == nil {
				scribble(reflect.ValueOf(&reused).Elem())
			} else {
				before.snapshot(&reused)
			}
			after.snapshot(&reused)
			after.snapshot(&fresh)
			rv, fv := reflect.ValueOf(reused), reflect.ValueOf(fresh)
			for i := range rv.NumField() {
				if !sameValue(rv.Field(i), fv.Field(i)) {
					t.Errorf("snapshot of %s over %s: %s is %+v, a fresh snapshot's %+v",
						after.Name(), cmp.Or(before, &Service{cfg: ServiceConfig{Name: "scribbles"}}).Name(),
						rv.Type().Field(i).Name, rv.Field(i), fv.Field(i))
				}
			}
		}
	}
}

// sameValue is reflect.DeepEqual with a nil slice equal to an empty one.
func sameValue(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return a.Equal(b)
}

// scribble sets v to values no snapshot starts from: every number 7, every
// bool true, every string "x", every slice one scribbled element.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			scribble(v.Field(i))
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		scribble(v.Index(0))
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint8:
		v.SetUint(7)
	default:
		panic("scribble: no value for " + v.Type().String())
	}
}
