package sim_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/sim"
)

// TestServiceNameAndQuotaUntilInactive: a service's name stays taken, and
// counts against Quotas.ServicesPerCluster, until the service is INACTIVE,
// and not after; CreateService names the rule it breaks.
func TestServiceNameAndQuotaUntilInactive(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{Quotas: sim.Quotas{ServicesPerCluster: 2}})
	f.launch("m5.large", zones3, 1)
	f.taskDef("web", 256, 512, sim.Behavior{})
	a := f.service(sim.ServiceConfig{Name: "a", TaskDefinition: "web", DesiredCount: 0})
	f.service(sim.ServiceConfig{Name: "b", TaskDefinition: "web", DesiredCount: 0})
	create := func(name string) error {
		_, err := f.c.CreateService(sim.ServiceConfig{Name: name, TaskDefinition: "web"})
		return err
	}
	if err := create("a"); !errors.Is(err, sim.ErrInvalidService) || !strings.Contains(err.Error(), "not yet INACTIVE") {
		t.Errorf("a second ACTIVE service a: %v, want the name refused", err)
	}
	if err := create("c"); !errors.Is(err, sim.ErrInvalidService) || !strings.Contains(err.Error(), "would be service 3") {
		t.Errorf("a third service with a quota of 2: %v, want the quota named", err)
	}
	if err := a.Delete(false); err != nil {
		t.Fatal(err)
	}
	if a.Status() == sim.ServiceInactive {
		t.Fatal("a deleted service went INACTIVE before the world ran")
	}
	if err := create("a"); err == nil {
		t.Error("the name of a DRAINING service was taken again")
	}
	f.run(time.Minute)
	if a.Status() != sim.ServiceInactive {
		t.Fatalf("deleted service a is %v after a minute, want INACTIVE", a.Status())
	}
	if err := create("a"); err != nil {
		t.Errorf("the name and the place of an INACTIVE service: %v", err)
	}
	if err := create("d"); err == nil || !strings.Contains(err.Error(), "would be service 3") {
		t.Errorf("a third live service: %v, want the quota named", err)
	}
}

// TestScalerScalesOneActiveService: a scaler attached to an ACTIVE service
// is refused for another, naming the first; once that one is no longer
// ACTIVE it may scale another, which then holds it.
func TestScalerScalesOneActiveService(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 1)
	f.taskDef("web", 256, 512, sim.Behavior{})
	svcs := map[string]*sim.Service{}
	for _, n := range []string{"a", "b", "c"} {
		svcs[n] = f.service(sim.ServiceConfig{Name: n, TaskDefinition: "web", DesiredCount: 0})
	}
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{Target: autoscale.ScalableTarget{MinCapacity: 0, MaxCapacity: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svcs["a"].AttachScaler(ctl, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := svcs["b"].AttachScaler(ctl, nil); !errors.Is(err, sim.ErrInvalidService) || !strings.Contains(err.Error(), "scales service a, which is ACTIVE") {
		t.Errorf("the scaler of ACTIVE service a attached to b: %v, want it refused naming a", err)
	}
	if err := svcs["a"].Delete(false); err != nil {
		t.Fatal(err)
	}
	if _, err := svcs["b"].AttachScaler(ctl, nil); err != nil {
		t.Errorf("the scaler of DRAINING service a attached to b: %v", err)
	}
	if _, err := svcs["c"].AttachScaler(ctl, nil); err == nil || !strings.Contains(err.Error(), "scales service b, which is ACTIVE") {
		t.Errorf("the scaler of ACTIVE service b attached to c: %v, want it refused naming b", err)
	}
}
