package scenario

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/sim"
)

// TestScenarioSubnets runs testdata/vpc-subnets.json: the Fargate service
// asks for 12 tasks per zone in subnets of 11 and 8 addresses, so tasks
// fail to start until it is scaled to 16 (8 per zone); the EC2 service
// runs 15 tasks on two trunked m5.large (10 each, 2 without trunking) in
// the one zone of its subnet. No subnet ever holds more than it has.
func TestScenarioSubnets(t *testing.T) {
	data, err := os.ReadFile("testdata/vpc-subnets.json")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	subnets := map[string]SubnetReport{}
	for _, sn := range r.Subnets {
		subnets[sn.SubnetId] = sn
		if sn.PeakInUse > sn.Capacity {
			t.Errorf("%s: peak %d above capacity %d", sn.SubnetId, sn.PeakInUse, sn.Capacity)
		}
	}
	if a, b := subnets["subnet-public-a"], subnets["subnet-public-b"]; a.Capacity != 11 || b.Capacity != 8 || a.PeakInUse != 11 || b.PeakInUse != 8 || b.Exhaustions == 0 {
		t.Errorf("public subnets %+v %+v: want capacities 11 and 8, both filled, exhaustions in b", a, b)
	}
	api, worker := s.Service("prod", "api"), s.Service("prod", "worker")
	if api.RunningCount() != 16 || worker.RunningCount() != 15 {
		t.Errorf("running api %d, worker %d; want 16 and 15", api.RunningCount(), worker.RunningCount())
	}
	for _, tk := range worker.Tasks() {
		if tk.Zone() != "us-east-1c" || tk.Subnet() != "subnet-private-c" || !tk.Instance().Trunked() {
			t.Errorf("worker task %s in %s, subnet %q, trunked %v", tk.ID(), tk.Zone(), tk.Subnet(), tk.Instance().Trunked())
		}
	}
	stoppedReason := "Unexpected EC2 error while attempting to Create Network Interface with public IP assignment enabled in subnet '"
	failed := 0
	for _, tk := range s.World.Tasks() {
		if tk.StopCode() == sim.StopTaskFailedToStart && strings.HasPrefix(tk.StoppedReason(), stoppedReason) {
			failed++
		}
	}
	if failed == 0 || failed != subnets["subnet-public-a"].Exhaustions+subnets["subnet-public-b"].Exhaustions {
		t.Errorf("%d tasks failed with the ENI text; exhaustions %d + %d", failed, subnets["subnet-public-a"].Exhaustions, subnets["subnet-public-b"].Exhaustions)
	}
}

// TestScenarioNetworkErrors: subnet and networkConfiguration mistakes come
// back from Build with the file's field path, all at once.
func TestScenarioNetworkErrors(t *testing.T) {
	const file = `{
  "duration": "1h",
  "subnets": [{"subnetId": "subnet-a", "availabilityZone": "us-east-1a", "cidrBlock": "10.0.0.0/29"}],
  "taskDefinitions": [{"family": "api", "cpu": 256, "memoryMiB": 512, "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "api:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "api", "taskDefinition": "api", "desiredCount": 1, "launchType": "FARGATE",
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["subnet-nope"], "assignPublicIp": "MAYBE"}}}]
}`
	sc, err := Parse([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Build(sc, Options{})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Build: %v, want ErrInvalid", err)
	}
	for _, want := range []string{
		"subnets[0]: ", "CidrBlock", "/16 to a /28",
		"services[0]: ", "Subnets[0]", "subnet-nope", "must be ENABLED or DISABLED",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v\nlacks %q", err, want)
		}
	}
}

// TestScenarioClassicLoadBalancer runs testdata/classic-lb.json: three
// instances hold three tasks of a static host port; the fourth task waits
// unplaced (the port) until the fourth instance comes at 1h30, and the
// Classic Load Balancer registers the instances and serves the traffic.
// A CLB in front of Fargate is refused with the file's field path.
func TestScenarioClassicLoadBalancer(t *testing.T) {
	data, err := os.ReadFile("testdata/classic-lb.json")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Build(sc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Run()
	if err != nil {
		t.Fatal(err)
	}
	web := r.Services[0]
	if web.Running != 4 || web.Counters.UnplacedTasks == 0 || web.Requests.Served == 0 {
		t.Errorf("web: running %d, unplaced %d, served %d; want 4, some, some", web.Running, web.Counters.UnplacedTasks, web.Requests.Served)
	}
	svc := s.Service("prod", "web")
	if len(svc.Tasks()) != 4 {
		t.Fatalf("%d tasks", len(svc.Tasks()))
	}
	seen := map[string]bool{}
	for _, tk := range svc.Tasks() {
		if seen[tk.Instance().EC2InstanceID()] {
			t.Errorf("two tasks on %s", tk.Instance().EC2InstanceID())
		}
		seen[tk.Instance().EC2InstanceID()] = true
	}

	sc.Services[0].LaunchType = "FARGATE"
	sc.TaskDefinitions[0].NetworkMode = "awsvpc"
	sc.TaskDefinitions[0].RequiresCompatibilities = []sim.LaunchType{sim.Fargate}
	sc.TaskDefinitions[0].CPU, sc.TaskDefinitions[0].MemoryMiB = 512, 1024
	sc.TaskDefinitions[0].Containers[0].PortMappings[0].HostPort = 0
	_, err = Build(sc, Options{})
	if err == nil || !strings.Contains(err.Error(), "services[0]: ") || !strings.Contains(err.Error(), "Fargate does not support") {
		t.Errorf("a CLB in front of Fargate: %v", err)
	}
}
