package sim_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
)

// TestUsableAddressesWorkedExamples: AWS reserves the first four and the
// last address of every subnet, so "a /24 has 251 usable addresses" and
// a /28 has 16 − 5 = 11
// (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
func TestUsableAddressesWorkedExamples(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	for _, c := range []struct {
		cidr string
		want int
	}{{"10.0.1.0/24", 251}, {"10.0.2.0/28", 11}, {"10.1.0.0/16", 65531}} {
		s, err := f.w.CreateSubnet(sim.SubnetConfig{SubnetId: "subnet-" + c.cidr[:len(c.cidr)-3], AvailabilityZone: "us-east-1a", CidrBlock: c.cidr})
		if err != nil {
			t.Fatal(err)
		}
		if s.Capacity() != c.want || s.Free() != c.want {
			t.Errorf("%s: capacity %d, free %d; want %d", c.cidr, s.Capacity(), s.Free(), c.want)
		}
	}
	if got := sim.UsableAddresses(24); got != 251 {
		t.Errorf("UsableAddresses(24) = %d, want 251", got)
	}
}

// TestENILimitsWorkedExamples holds the catalog to ECS's ENI trunking
// table
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/eni-trunking-supported-instance-types.html,
// transcribed here by hand): awsvpc tasks per instance without trunking
// (maximum ENIs − 1) and with it. AWS's own worked example: "a c5.large
// instance may have up to three ENIs ... the primary network interface
// counts as one, so you can attach two more"; with trunking "a c5.large
// ... can run 10 tasks"
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-eni.html).
func TestENILimitsWorkedExamples(t *testing.T) {
	table := map[string][2]int{
		"m5.large": {2, 10}, "m5.xlarge": {3, 20}, "m5.2xlarge": {3, 40}, "m5.4xlarge": {7, 60},
		"c5.large": {2, 10}, "c5.xlarge": {3, 20}, "c5.2xlarge": {3, 40}, "c5.4xlarge": {7, 60},
		"m6i.large": {2, 10}, "m6i.4xlarge": {7, 60},
		"m7g.medium": {1, 4}, "m7g.large": {2, 10}, "c6g.medium": {1, 4}, "c7g.xlarge": {3, 20},
		"r5.large": {2, 10}, "r5.2xlarge": {3, 40}, "r6g.large": {2, 10},
		// The T family supports no trunking: the limit stays.
		"t3.medium": {2, 2}, "t3.xlarge": {3, 3},
	}
	cat := sim.DefaultCatalog()
	for name, want := range table {
		typ, ok := cat.Lookup(name)
		if !ok {
			t.Errorf("%s: not in the catalog", name)
			continue
		}
		if got := [2]int{typ.AWSVPCTasks(false), typ.AWSVPCTasks(true)}; got != want {
			t.Errorf("%s: awsvpc tasks without/with trunking %v, want %v", name, got, want)
		}
	}
}

// eniDef registers an awsvpc task definition for EC2 and Fargate.
func (f *fixture) eniDef(family string) {
	f.t.Helper()
	if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: family, NetworkMode: sim.AWSVPC, CPU: 256, MemoryMiB: 512,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: family}},
	}); err != nil {
		f.t.Fatal(err)
	}
}

// subnet creates a subnet or fails the test.
func (f *fixture) subnet(id, zone, cidr string, reserved int) *sim.Subnet {
	f.t.Helper()
	s, err := f.w.CreateSubnet(sim.SubnetConfig{SubnetId: id, AvailabilityZone: zone, CidrBlock: cidr, ReservedAddresses: reserved})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func netConfig(public bool, subnets ...string) *sim.NetworkConfiguration {
	a := &sim.AwsVpcConfiguration{Subnets: subnets, SecurityGroups: []string{"web"}}
	if public {
		a.AssignPublicIp = sim.AssignPublicIPEnabled
	}
	return &sim.NetworkConfiguration{AwsvpcConfiguration: a}
}

// TestENISlotsLimitPlacement: without trunking a c5.large takes 2 awsvpc
// tasks, with trunking 10 (the worked example above), and placement
// refuses the rest with RESOURCE:ENI. Trunking applies to instances
// launched after the opt-in only.
func TestENISlotsLimitPlacement(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	// Small tasks, so that ENIs bind before CPU or memory do.
	if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "eni", NetworkMode: sim.AWSVPC, CPU: 128, MemoryMiB: 256,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "eni"}},
	}); err != nil {
		t.Fatal(err)
	}
	plain := f.launch("c5.large", zones3[:1], 1)[0]
	f.w.SetAWSVPCTrunking(true)
	trunked := f.launch("c5.large", zones3[:1], 1)[0]
	f.run(time.Minute)
	if plain.Trunked() || !trunked.Trunked() {
		t.Fatalf("trunked: plain %v, after opt-in %v; want false, true", plain.Trunked(), trunked.Trunked())
	}
	if _, ok := f.c.Placement().Attribute(trunked.PlacementID(), sim.AttrAWSVPCTrunkID); !ok {
		t.Errorf("trunked instance lacks %s", sim.AttrAWSVPCTrunkID)
	}
	placed := map[*sim.Instance]int{}
	var failures []sim.RunTaskFailure
	for range 2 {
		out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "eni", Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range out.Tasks {
			placed[tk.Instance()]++
		}
		failures = append(failures, out.Failures...)
	}
	if placed[plain] != 2 || placed[trunked] != 10 {
		t.Errorf("placed %d on the plain c5.large, %d on the trunked one; want 2 and 10", placed[plain], placed[trunked])
	}
	if len(failures) != 8 || failures[0].Reason != "RESOURCE:ENI" {
		t.Errorf("failures %d (%v), want 8 RESOURCE:ENI", len(failures), failures)
	}
}

// TestCreateSubnetReportsEveryProblem: one call, every problem named.
func TestCreateSubnetReportsEveryProblem(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.subnet("subnet-a", "us-east-1a", "10.0.0.0/24", 0)
	for _, c := range []struct {
		cfg   sim.SubnetConfig
		wants []string
	}{
		{sim.SubnetConfig{}, []string{"SubnetId", "AvailabilityZone", "CidrBlock"}},
		{sim.SubnetConfig{SubnetId: "subnet-a", AvailabilityZone: "us-east-1a", CidrBlock: "10.0.0.0/29"}, []string{"names a subnet of the world already", "/16 to a /28"}},
		{sim.SubnetConfig{SubnetId: "subnet-b", AvailabilityZone: "us-east-1a", CidrBlock: "10.0.0.1/24", ReservedAddresses: -1}, []string{"network address (10.0.0.0/24)", "ReservedAddresses"}},
		{sim.SubnetConfig{SubnetId: "subnet-c", AvailabilityZone: "us-east-1a", CidrBlock: "10.0.0.0/28", ReservedAddresses: 12}, []string{"0 to the subnet's 11 usable addresses"}},
		{sim.SubnetConfig{SubnetId: "subnet-d", AvailabilityZone: "us-east-1a", CidrBlock: "fd00::/64"}, []string{"IPv4 CIDR block"}},
	} {
		_, err := f.w.CreateSubnet(c.cfg)
		if !errors.Is(err, sim.ErrConfig) {
			t.Errorf("%+v: err %v, want ErrConfig", c.cfg, err)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: %v\nlacks %q", c.cfg, err, w)
			}
		}
	}
}

// TestNetworkConfigurationValidated: CreateService and RunTask refuse what
// ECS refuses, every problem at once.
func TestNetworkConfigurationValidated(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.eniDef("eni")
	f.taskDef("bridge", 256, 512, sim.Behavior{})
	f.subnet("subnet-a", "us-east-1a", "10.0.0.0/24", 0)
	many := make([]string, 17)
	for i := range many {
		many[i] = "subnet-a"
	}
	cases := []struct {
		name  string
		cfg   sim.ServiceConfig
		wants []string
	}{
		{"bridge task definition", sim.ServiceConfig{Name: "a", TaskDefinition: "bridge", NetworkConfiguration: netConfig(false, "subnet-a")},
			[]string{"ServiceConfig.NetworkConfiguration", "not valid for the given networkMode"}},
		{"no awsvpcConfiguration", sim.ServiceConfig{Name: "b", TaskDefinition: "eni", NetworkConfiguration: &sim.NetworkConfiguration{}},
			[]string{"AwsvpcConfiguration", "is required"}},
		{"too many subnets, unknown subnet, public IP on EC2, bad groups", sim.ServiceConfig{Name: "c", TaskDefinition: "eni", LaunchType: sim.EC2,
			NetworkConfiguration: &sim.NetworkConfiguration{AwsvpcConfiguration: &sim.AwsVpcConfiguration{
				Subnets: append(many, "subnet-nope"), SecurityGroups: []string{"a", "b", "c", "d", "e", ""}, AssignPublicIp: sim.AssignPublicIPEnabled}}},
			[]string{"1 to 16 subnets", "Subnets[1]", "repeats an earlier subnet", "Subnets[17]", "names no subnet", "at most 5 security groups", "SecurityGroups[5]", "not supported for this launch type"}},
		{"no subnets, bad assignPublicIp", sim.ServiceConfig{Name: "d", TaskDefinition: "eni", LaunchType: sim.Fargate,
			NetworkConfiguration: &sim.NetworkConfiguration{AwsvpcConfiguration: &sim.AwsVpcConfiguration{AssignPublicIp: "YES"}}},
			[]string{"1 to 16 subnets", "must be ENABLED or DISABLED"}},
	}
	for _, c := range cases {
		_, err := f.c.CreateService(c.cfg)
		if !errors.Is(err, sim.ErrInvalidService) {
			t.Errorf("%s: err %v, want ErrInvalidService", c.name, err)
			continue
		}
		for _, w := range c.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v\nlacks %q", c.name, err, w)
			}
		}
	}
	_, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "eni", NetworkConfiguration: netConfig(false, "subnet-nope")})
	if !errors.Is(err, sim.ErrNotFound) || !strings.Contains(err.Error(), "RunTaskInput.NetworkConfiguration.AwsvpcConfiguration.Subnets[0]") {
		t.Errorf("RunTask with an unknown subnet: %v", err)
	}
	// Fargate takes a public IP.
	if _, err := f.c.CreateService(sim.ServiceConfig{Name: "ok", TaskDefinition: "eni", LaunchType: sim.Fargate, NetworkConfiguration: netConfig(true, "subnet-a")}); err != nil {
		t.Errorf("Fargate with assignPublicIp ENABLED: %v", err)
	}
}

// TestFargateFullSubnetFailsInProvisioning: a /28 holds 11 task
// interfaces. A Fargate service of 14 in it runs 11; the others are
// created, wait in PROVISIONING for the interface attempt (5 s here) and
// stop with TaskFailedToStart and ECS's text, and the service keeps
// trying. Scaling in to 11 ends the failures; addresses never exceed 11.
func TestFargateFullSubnetFailsInProvisioning(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.eniDef("eni")
	sub := f.subnet("subnet-small", "us-east-1a", "10.0.9.0/28", 0)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "eni", LaunchType: sim.Fargate, DesiredCount: 14,
		NetworkConfiguration: netConfig(true, "subnet-small")})
	var failed []*sim.Task
	seen := map[*sim.Task]bool{}
	for range 60 { // ten minutes, looking every 10 s
		f.run(10 * time.Second)
		if sub.InUse() > sub.Capacity() {
			t.Fatalf("%d addresses in use in a subnet of %d", sub.InUse(), sub.Capacity())
		}
		for _, tk := range f.w.Tasks() {
			if tk.State() == sim.TaskStopped && !seen[tk] {
				seen[tk] = true
				failed = append(failed, tk)
			}
		}
	}
	if svc.RunningCount() != 11 || sub.InUse() != 11 || sub.PeakInUse() != 11 {
		t.Errorf("running %d, in use %d, peak %d; want 11 each", svc.RunningCount(), sub.InUse(), sub.PeakInUse())
	}
	if len(failed) < 3 {
		t.Fatalf("%d tasks stopped, want at least 3", len(failed))
	}
	const want = "Unexpected EC2 error while attempting to Create Network Interface with public IP assignment enabled in subnet 'subnet-small'"
	for _, tk := range failed {
		if tk.StopCode() != sim.StopTaskFailedToStart || tk.StoppedReason() != want {
			t.Errorf("task %s: %s %q, want TaskFailedToStart %q", tk.ID(), tk.StopCode(), tk.StoppedReason(), want)
		}
		if !tk.StartedAt().IsZero() {
			t.Errorf("task %s ran", tk.ID())
		}
		if d := tk.StoppedAt().Sub(tk.CreatedAt()); d < 5*time.Second {
			t.Errorf("task %s stopped %v after creation, want the 5 s interface attempt at least", tk.ID(), d)
		}
	}
	if sub.Exhaustions() != len(failed) {
		t.Errorf("exhaustions %d, failed tasks %d", sub.Exhaustions(), len(failed))
	}
	for _, tk := range svc.Tasks() {
		if tk.State() == sim.TaskRunning && tk.Subnet() != "subnet-small" {
			t.Errorf("running task %s in subnet %q", tk.ID(), tk.Subnet())
		}
	}
	if !hasEvent(svc, "deployment failed: tasks failed to start") && !hasEvent(svc, "is unable to consistently start tasks successfully") {
		t.Errorf("no failed-start event: %v", svc.Events())
	}
	if err := svc.SetDesiredCount(11); err != nil {
		t.Fatal(err)
	}
	f.run(30 * time.Minute)
	before := len(failed)
	for _, tk := range f.w.Tasks() {
		if tk.State() == sim.TaskStopped && !seen[tk] {
			failed = append(failed, tk)
		}
	}
	if svc.RunningCount() != 11 || len(failed) > before+3 {
		t.Errorf("after scale-in: running %d, %d more failures", svc.RunningCount(), len(failed)-before)
	}
}

func hasEvent(s *sim.Service, text string) bool {
	for _, e := range s.Events() {
		if strings.Contains(e.Message, text) {
			return true
		}
	}
	return false
}

// TestEC2FullSubnetNotPlaced: on EC2 a task whose instances' zones have
// only full subnets is not placed; the service says so, naming the
// subnet, and places the task once an address is free (here freed by
// standalone tasks of the same subnet stopping).
func TestEC2FullSubnetNotPlaced(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{AWSVPCTrunking: true})
	f.eniDef("eni")
	f.launch("m5.large", zones3[:1], 2) // 10 trunked tasks each
	sub := f.subnet("subnet-a", "us-east-1a", "10.0.9.0/28", 6)
	f.run(time.Minute)
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "eni", Count: 2, NetworkConfiguration: netConfig(false, "subnet-a")})
	if err != nil || len(out.Tasks) != 2 {
		t.Fatalf("RunTask: %v %v", out, err)
	}
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "eni", DesiredCount: 5, NetworkConfiguration: netConfig(false, "subnet-a")})
	f.run(time.Minute)
	if svc.RunningCount() != 3 || sub.InUse() != 5 {
		t.Fatalf("running %d, in use %d; want 3 and 5 (the subnet's capacity)", svc.RunningCount(), sub.InUse())
	}
	if !hasEvent(svc, "Create Network Interface in subnet 'subnet-a': InsufficientFreeAddressesInSubnet") || !hasEvent(svc, "was unable to place a task") {
		t.Errorf("no unable-to-place event naming the subnet: %v", svc.Events())
	}
	out2, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "eni", NetworkConfiguration: netConfig(false, "subnet-a")})
	if err != nil || len(out2.Tasks) != 0 || len(out2.Failures) != 1 || out2.Failures[0].Reason != "InsufficientFreeAddressesInSubnet" {
		t.Errorf("RunTask into a full subnet: %+v %v", out2, err)
	}
	for _, tk := range out.Tasks {
		if err := f.w.StopTask(tk, ""); err != nil {
			t.Fatal(err)
		}
	}
	f.run(time.Minute)
	if svc.RunningCount() != 5 || sub.InUse() != 5 {
		t.Errorf("after freeing: running %d, in use %d; want 5 and 5", svc.RunningCount(), sub.InUse())
	}
}

// TestScaleOutUsesOnlyGivenSubnets: tasks go only to the zones of their
// subnets, on Fargate and on EC2, and an instance in another zone is
// refused with RunTask's LOCATION.
func TestScaleOutUsesOnlyGivenSubnets(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{AWSVPCTrunking: true})
	f.eniDef("eni")
	f.launch("m5.xlarge", zones3, 3)
	f.subnet("subnet-b", "us-east-1b", "10.0.1.0/24", 0)
	f.subnet("subnet-c", "us-east-1c", "10.0.2.0/24", 0)
	f.subnet("subnet-c2", "us-east-1c", "10.0.3.0/24", 0)
	f.run(time.Minute)
	fg := f.service(sim.ServiceConfig{Name: "fg", TaskDefinition: "eni", LaunchType: sim.Fargate, DesiredCount: 6, NetworkConfiguration: netConfig(false, "subnet-b", "subnet-c")})
	ec2 := f.service(sim.ServiceConfig{Name: "ec2", TaskDefinition: "eni", LaunchType: sim.EC2, DesiredCount: 2, NetworkConfiguration: netConfig(false, "subnet-b", "subnet-c", "subnet-c2")})
	f.run(2 * time.Minute)
	if err := ec2.SetDesiredCount(12); err != nil { // scale out
		t.Fatal(err)
	}
	f.run(2 * time.Minute)
	for _, s := range []*sim.Service{fg, ec2} {
		if s.RunningCount() != s.DesiredCount() {
			t.Errorf("%s: running %d of %d: %v", s.Name(), s.RunningCount(), s.DesiredCount(), s.Events())
		}
		for _, tk := range s.Tasks() {
			if tk.Zone() == "us-east-1a" {
				t.Errorf("%s: task %s in us-east-1a, which has none of its subnets", s.Name(), tk.ID())
			}
		}
	}
	if got := zoneSpread(ec2.Tasks()); got["us-east-1b"] != 6 || got["us-east-1c"] != 6 {
		t.Errorf("EC2 zones %v, want 6 in each of 1b and 1c", got)
	}
	// Two subnets in us-east-1c: each interface goes to the freer one.
	c, c2 := f.w.Subnet("subnet-c"), f.w.Subnet("subnet-c2")
	if d := c.InUse() - c2.InUse(); c.InUse()+c2.InUse() != 9 || d < -1 || d > 1 {
		t.Errorf("us-east-1c subnets hold %d and %d, want 9 (3 Fargate and 6 EC2 tasks) balanced", c.InUse(), c2.InUse())
	}
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "eni", Count: 1, NetworkConfiguration: netConfig(false, "subnet-b"),
		PlacementConstraints: nil})
	if err != nil || len(out.Tasks) != 1 || out.Tasks[0].Zone() != "us-east-1b" {
		t.Errorf("RunTask in subnet-b: %+v %v", out, err)
	}
}

// TestLocationFailure: no container instance in the subnets' zones is
// RunTask's LOCATION failure.
func TestLocationFailure(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.eniDef("eni")
	f.launch("m5.large", zones3[:1], 1)
	f.subnet("subnet-c", "us-east-1c", "10.0.2.0/24", 0)
	f.run(time.Minute)
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "eni", NetworkConfiguration: netConfig(false, "subnet-c")})
	if err != nil || len(out.Failures) != 1 || out.Failures[0].Reason != "LOCATION" || !strings.Contains(out.Failures[0].Detail, "us-east-1a has none of the task's subnets") {
		t.Errorf("RunTask: %+v %v", out, err)
	}
}

// addressProbe records, at lifecycle points, how many addresses its
// subnet has in use. It is attached to the world, so it hears each point
// before the task's own network interface does.
type addressProbe struct {
	sub *sim.Subnet
	at  map[sim.Lifecycle]int
	st  map[sim.Lifecycle]sim.TaskState
}

func (p *addressProbe) Attach(*sim.Task) sim.Attachment { return p }
func (p *addressProbe) OnTask(e sim.TaskEvent) sim.Verdict {
	p.at[e.Point], p.st[e.Point] = p.sub.InUse(), e.Task.State()
	return sim.Verdict{}
}

// TestAddressHeldFromProvisioningToDeprovisioning: a task takes its
// address when PROVISIONING begins and gives it back when DEPROVISIONING
// ends.
func TestAddressHeldFromProvisioningToDeprovisioning(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.eniDef("eni")
	f.launch("m5.large", zones3[:1], 1)
	sub := f.subnet("subnet-a", "us-east-1a", "10.0.0.0/24", 0)
	probe := &addressProbe{sub: sub, at: map[sim.Lifecycle]int{}, st: map[sim.Lifecycle]sim.TaskState{}}
	if err := f.w.Attach(probe); err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	out, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "eni", NetworkConfiguration: netConfig(false, "subnet-a")})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("RunTask: %+v %v", out, err)
	}
	tk := out.Tasks[0]
	if tk.State() != sim.TaskProvisioning || sub.InUse() != 1 || tk.Subnet() != "subnet-a" {
		t.Fatalf("after RunTask: %s, in use %d, subnet %q; want PROVISIONING, 1, subnet-a", tk.State(), sub.InUse(), tk.Subnet())
	}
	f.run(time.Minute)
	if err := f.w.StopTask(tk, ""); err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	if tk.State() != sim.TaskStopped || sub.InUse() != 0 || tk.Subnet() != "" {
		t.Fatalf("after stop: %s, in use %d, subnet %q", tk.State(), sub.InUse(), tk.Subnet())
	}
	// Placed: before the interface (0); every later point holds it,
	// Stopped included (DEPROVISIONING is over, the interface attachment
	// hears it after the probe).
	want := map[sim.Lifecycle]int{sim.LifecyclePlaced: 0, sim.LifecycleResourcesAcquired: 1, sim.LifecycleRunning: 1,
		sim.LifecycleStopRequested: 1, sim.LifecycleContainersExited: 1, sim.LifecycleStopped: 1}
	for p, n := range want {
		if got, ok := probe.at[p]; !ok || got != n {
			t.Errorf("%s: in use %d (heard %v), want %d", p, got, ok, n)
		}
	}
	if probe.st[sim.LifecycleContainersExited] != sim.TaskStopping {
		t.Errorf("containers exited in %s, want STOPPING (DEPROVISIONING follows)", probe.st[sim.LifecycleContainersExited])
	}
}

// TestNetworkConfigurationTakesAConstraint: the subnets' zones are one
// constraint of the placement plan, so a service or RunTask with a
// NetworkConfiguration takes 9 of its own (ECS's limit is 10), and says so.
func TestNetworkConfigurationTakesAConstraint(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.eniDef("eni")
	f.subnet("subnet-a", "us-east-1a", "10.0.0.0/24", 0)
	cons := func(n int) []placement.Constraint {
		out := make([]placement.Constraint, n)
		for i := range out {
			out[i] = placement.Constraint{Type: placement.MemberOf, Expression: "attribute:ecs.os-type == linux"}
		}
		return out
	}
	if _, err := f.c.CreateService(sim.ServiceConfig{Name: "nine", TaskDefinition: "eni", LaunchType: sim.EC2,
		PlacementConstraints: cons(9), NetworkConfiguration: netConfig(false, "subnet-a")}); err != nil {
		t.Errorf("9 constraints: %v", err)
	}
	_, err := f.c.CreateService(sim.ServiceConfig{Name: "ten", TaskDefinition: "eni", LaunchType: sim.EC2,
		PlacementConstraints: cons(10), NetworkConfiguration: netConfig(false, "subnet-a")})
	if !errors.Is(err, sim.ErrInvalidService) || !strings.Contains(err.Error(), "a service with a NetworkConfiguration allows 9 placement constraints") {
		t.Errorf("10 constraints: %v", err)
	}
	_, err = f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "eni", PlacementConstraints: cons(10), NetworkConfiguration: netConfig(false, "subnet-a")})
	if !errors.Is(err, sim.ErrInvalidRunTask) || !strings.Contains(err.Error(), "RunTaskInput.PlacementConstraints 10: with a NetworkConfiguration at most 9") {
		t.Errorf("RunTask with 10 constraints: %v", err)
	}
}

// FuzzCreateSubnet: any configuration is a subnet whose capacity is
// 2^(32−prefix) − 5 less the reserved addresses, or an ErrConfig; never a
// panic.
func FuzzCreateSubnet(f *testing.F) {
	f.Add("subnet-a", "us-east-1a", "10.0.0.0/24", 0)
	f.Add("subnet-b", "us-east-1b", "10.0.0.16/28", 11)
	f.Add("", "", "", -1)
	f.Add("subnet-c", "us east", "300.0.0.0/24", 3)
	f.Add("subnet-d", "us-east-1c", "10.0.0.0/16", 65531)
	f.Add("subnet-e", "us-east-1c", "::/0", 0)
	f.Fuzz(func(t *testing.T, id, zone, cidr string, reserved int) {
		s, _ := sim.New(sim.Config{Seed: 1})
		w, _ := sim.NewWorld(s, sim.WorldConfig{})
		sub, err := w.CreateSubnet(sim.SubnetConfig{SubnetId: id, AvailabilityZone: zone, CidrBlock: cidr, ReservedAddresses: reserved})
		if err != nil {
			if !errors.Is(err, sim.ErrConfig) {
				t.Fatalf("error %v does not match ErrConfig", err)
			}
			return
		}
		p, perr := netip.ParsePrefix(cidr)
		if perr != nil {
			t.Fatalf("accepted CIDR %q: %v", cidr, perr)
		}
		if want := sim.UsableAddresses(p.Bits()) - reserved; sub.Capacity() != want || want < 0 {
			t.Fatalf("%q reserved %d: capacity %d, want %d", cidr, reserved, sub.Capacity(), want)
		}
	})
}
