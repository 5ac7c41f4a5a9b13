package sim_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/sim"
)

// vpcMachine drives a world of small subnets with random operations:
// instances with and without ENI trunking, Fargate and EC2 services and
// RunTask calls in those subnets, scaling, StopTask, instance failures,
// zone outages and time. After every event it checks the address
// invariants (Check).
type vpcMachine struct {
	s        *sim.Sim
	w        *sim.World
	c        *sim.Cluster
	subnets  []*sim.Subnet
	services []*sim.Service
	nets     map[*sim.Task][]string    // the subnets each standalone task was given
	svcNets  map[*sim.Service][]string // the subnets each service was given
}

func newVPCMachine(t *rapid.T) *vpcMachine {
	s, _ := sim.New(sim.Config{Seed: rapid.Uint64().Draw(t, "seed")})
	w, err := sim.NewWorld(s, sim.WorldConfig{AWSVPCTrunking: rapid.Bool().Draw(t, "trunking")})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := w.CreateCluster("prod")
	m := &vpcMachine{s: s, w: w, c: c, nets: map[*sim.Task][]string{}, svcNets: map[*sim.Service][]string{}}
	// Two /28 subnets in 1a (11 addresses, some reserved), one in 1b.
	for i, z := range []string{"us-east-1a", "us-east-1a", "us-east-1b"} {
		sub, err := w.CreateSubnet(sim.SubnetConfig{SubnetId: fmt.Sprintf("subnet-%d", i), AvailabilityZone: z,
			CidrBlock: fmt.Sprintf("10.0.%d.0/28", i), ReservedAddresses: rapid.IntRange(0, 11).Draw(t, "reserved")})
		if err != nil {
			t.Fatal(err)
		}
		m.subnets = append(m.subnets, sub)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "eni", NetworkMode: sim.AWSVPC, CPU: 256, MemoryMiB: 512,
		Containers: []sim.ContainerDefinition{{Name: "a", Image: "eni"}}}); err != nil {
		t.Fatal(err)
	}
	return m
}

func (m *vpcMachine) drawNet(t *rapid.T) (*sim.NetworkConfiguration, []string) {
	ids := []string{"subnet-0", "subnet-1", "subnet-2"}
	n := rapid.IntRange(1, 3).Draw(t, "subnets")
	chosen := ids[:n]
	if rapid.Bool().Draw(t, "lastOnly") {
		chosen = ids[2:]
	}
	return &sim.NetworkConfiguration{AwsvpcConfiguration: &sim.AwsVpcConfiguration{Subnets: chosen}}, chosen
}

func (m *vpcMachine) LaunchInstance(t *rapid.T) {
	typ := rapid.SampledFrom([]string{"m5.large", "t3.medium", "c6g.medium"}).Draw(t, "type")
	zone := rapid.SampledFrom(zones3).Draw(t, "zone")
	if _, err := m.c.LaunchInstance(sim.InstanceSpec{Type: typ, Zone: zone}); errors.Is(err, sim.ErrZoneUnavailable) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
}

func (m *vpcMachine) FailInstance(t *rapid.T) {
	var live []*sim.Instance
	for _, in := range m.c.Instances() {
		if in.Status() == sim.InstanceActive {
			live = append(live, in)
		}
	}
	if len(live) == 0 {
		t.Skip("no instance")
	}
	if err := live[rapid.IntRange(0, len(live)-1).Draw(t, "instance")].Fail(); err != nil {
		t.Fatal(err)
	}
}

func (m *vpcMachine) CreateService(t *rapid.T) {
	if len(m.services) >= 4 {
		t.Skip("enough services")
	}
	net, ids := m.drawNet(t)
	lt := rapid.SampledFrom([]sim.LaunchType{sim.EC2, sim.Fargate}).Draw(t, "launchType")
	s, err := m.c.CreateService(sim.ServiceConfig{Name: fmt.Sprintf("svc%d", len(m.services)), TaskDefinition: "eni",
		LaunchType: lt, DesiredCount: rapid.IntRange(0, 15).Draw(t, "desired"), NetworkConfiguration: net})
	if err != nil {
		t.Fatal(err)
	}
	m.services = append(m.services, s)
	m.svcNets[s] = ids
}

func (m *vpcMachine) UpdateDesired(t *rapid.T) {
	if len(m.services) == 0 {
		t.Skip("no service")
	}
	s := m.services[rapid.IntRange(0, len(m.services)-1).Draw(t, "service")]
	if err := s.SetDesiredCount(rapid.IntRange(0, 15).Draw(t, "desired")); err != nil {
		t.Fatal(err)
	}
}

func (m *vpcMachine) RunTask(t *rapid.T) {
	net, ids := m.drawNet(t)
	lt := rapid.SampledFrom([]sim.LaunchType{sim.EC2, sim.Fargate}).Draw(t, "launchType")
	out, err := m.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "eni", LaunchType: lt,
		Count: rapid.IntRange(1, 10).Draw(t, "count"), NetworkConfiguration: net})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range out.Tasks {
		m.nets[tk] = ids
	}
}

func (m *vpcMachine) StopTask(t *rapid.T) {
	if err := m.w.StopTask(drawLiveTask(t, m.w), ""); err != nil {
		t.Fatal(err)
	}
}

func (m *vpcMachine) ZoneOutage(t *rapid.T) {
	start := m.s.Now().Add(time.Duration(rapid.IntRange(0, 300).Draw(t, "in")) * time.Second)
	d := time.Duration(rapid.IntRange(60, 1800).Draw(t, "for")) * time.Second
	if err := m.w.ScheduleZoneOutage(rapid.SampledFrom(zones3[:2]).Draw(t, "zone"), start, start.Add(d)); err != nil {
		t.Skip(err) // overlaps an outage of the zone
	}
}

func (m *vpcMachine) AdvanceTime(t *rapid.T) {
	end := m.s.Now().Add(time.Duration(rapid.IntRange(1, 600).Draw(t, "seconds")) * time.Second)
	for m.s.Now().Before(end) {
		ok, err := m.s.Step()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		m.Check(t)
	}
}

// Check: no subnet ever has more addresses in use than it has; the
// addresses in use are exactly those of the tasks not yet STOPPED that
// hold one; a task's address is in its own zone and in one of the subnets
// it was given; no instance hosts more awsvpc tasks than its ENI slots.
func (m *vpcMachine) Check(t *rapid.T) {
	held := map[string]int{}
	for _, tk := range m.w.Tasks() {
		id := tk.Subnet()
		if id == "" {
			continue
		}
		if tk.State() == sim.TaskStopped {
			t.Fatalf("STOPPED task %s still holds an address in %s", tk.ID(), id)
		}
		held[id]++
		sub := m.w.Subnet(id)
		if sub.Zone() != tk.Zone() {
			t.Fatalf("task %s in %s holds an address of %s in %s", tk.ID(), tk.Zone(), id, sub.Zone())
		}
		given := m.nets[tk]
		if s := tk.Service(); s != nil {
			given = m.svcNets[s]
		}
		if !slices.Contains(given, id) {
			t.Fatalf("task %s holds an address of %s, not one of its subnets %v", tk.ID(), id, given)
		}
	}
	for _, sub := range m.subnets {
		if sub.InUse() > sub.Capacity() || sub.InUse() < 0 {
			t.Fatalf("%s: %d addresses in use of %d", sub.ID(), sub.InUse(), sub.Capacity())
		}
		if sub.InUse() != held[sub.ID()] {
			t.Fatalf("%s: %d addresses in use, but tasks hold %d", sub.ID(), sub.InUse(), held[sub.ID()])
		}
	}
	for _, in := range m.c.Instances() {
		enis := 0
		for _, tk := range in.Tasks() {
			enis += tk.Resources().ENIs
		}
		if limit := in.Type().AWSVPCTasks(in.Trunked()); enis > limit {
			t.Fatalf("%s (%s, trunked %v) hosts %d awsvpc tasks, above %d", in.EC2InstanceID(), in.Type().Name, in.Trunked(), enis, limit)
		}
	}
}

// TestVPCStateMachine holds the address invariants (Check) after every
// event of random runs.
func TestVPCStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := newVPCMachine(t)
		actions := rapid.StateMachineActions(m)
		actions[""] = m.Check
		t.Repeat(actions)
	})
}
