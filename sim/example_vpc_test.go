package sim_test

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
)

// ExampleWorld_CreateSubnet puts a Fargate service of 14 tasks in a /28
// subnet, which has 2^4 − 5 = 11 addresses for network interfaces: 11
// tasks run, and the others stop in PROVISIONING with ECS's text, the
// service trying again with its launch throttle.
func ExampleWorld_CreateSubnet() {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, _ := sim.NewWorld(s, sim.WorldConfig{})
	c, _ := w.CreateCluster("prod")
	sub, err := w.CreateSubnet(sim.SubnetConfig{SubnetId: "subnet-small", AvailabilityZone: "us-east-1a", CidrBlock: "10.0.0.0/28"})
	if err != nil {
		fmt.Println(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "api", NetworkMode: sim.AWSVPC, CPU: 256, MemoryMiB: 512,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "api:1"}}}); err != nil {
		fmt.Println(err)
	}
	svc, err := c.CreateService(sim.ServiceConfig{Name: "api", TaskDefinition: "api", LaunchType: sim.Fargate, DesiredCount: 14,
		NetworkConfiguration: &sim.NetworkConfiguration{AwsvpcConfiguration: &sim.AwsVpcConfiguration{
			Subnets: []string{"subnet-small"}, SecurityGroups: []string{"api"}, AssignPublicIp: sim.AssignPublicIPEnabled}}})
	if err != nil {
		fmt.Println(err)
	}
	_ = s.RunFor(10 * time.Minute)
	fmt.Printf("capacity %d, in use %d, running %d\n", sub.Capacity(), sub.InUse(), svc.RunningCount())
	for _, t := range w.Tasks() {
		if t.State() == sim.TaskStopped {
			fmt.Println(t.StopCode(), t.StoppedReason())
			break
		}
	}
	// Output:
	// capacity 11, in use 11, running 11
	// TaskFailedToStart Unexpected EC2 error while attempting to Create Network Interface with public IP assignment enabled in subnet 'subnet-small'
}

// ExampleInstanceType_AWSVPCTasks shows ENI trunking: a c5.large has 3
// ENIs, so 2 awsvpc tasks without trunking and 10 with it.
func ExampleInstanceType_AWSVPCTasks() {
	c5, _ := sim.DefaultCatalog().Lookup("c5.large")
	fmt.Println(c5.MaxENIs, c5.AWSVPCTasks(false), c5.AWSVPCTasks(true))
	// Output: 3 2 10
}

// ExampleLoadBalancer_Instances puts a Classic Load Balancer with its
// defaults in front of an EC2 service with a static host port: it
// registers the container instances, one task each, and a task counts as
// healthy 10 × 30 s = 300 s after RUNNING.
func ExampleLoadBalancer_Instances() {
	s, _ := sim.New(sim.Config{Seed: 1})
	w, _ := sim.NewWorld(s, sim.WorldConfig{})
	c, _ := w.CreateCluster("prod")
	ins, _ := c.LaunchInstances("m5.large", []string{"us-east-1a", "us-east-1b"}, 2)
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "web",
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:1", CPU: 512, MemoryMiB: 1024,
			PortMappings: []sim.PortMapping{{ContainerPort: 8080, HostPort: 80}}}}}); err != nil {
		fmt.Println(err)
	}
	_ = s.RunFor(2 * time.Minute)
	clb, _ := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{Type: loadbalancer.CLB}})
	svc, err := c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", LaunchType: sim.EC2, DesiredCount: 2, Observer: clb})
	if err != nil {
		fmt.Println(err)
	}
	_ = s.RunFor(10 * time.Minute)
	fmt.Println(len(clb.Instances()), clb.Instances()[0] == ins[0].EC2InstanceID() || clb.Instances()[0] == ins[1].EC2InstanceID())
	t := svc.Tasks()[0]
	fmt.Println(t.CountsHealthy(), clb.TargetGroup().Config().HealthCheck.HealthyThreshold, clb.TargetGroup().Config().HealthCheck.Interval)
	// Output:
	// 2 true
	// true 10 30s
}
