package sim_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// portDefs registers web tasks of 1 vCPU: "static" maps port 80 to host
// port 80 (bridge), "dynamic" to a dynamic host port, "hostmode" uses the
// host network mode, "vpc" awsvpc.
func (f *fixture) portDefs() {
	f.t.Helper()
	for _, in := range []sim.TaskDefinitionInput{
		{Family: "static", Containers: []sim.ContainerDefinition{{Name: "app", Image: "web", CPU: 1024, MemoryMiB: 1024,
			PortMappings: []sim.PortMapping{{ContainerPort: 80, HostPort: 80}}}}},
		{Family: "dynamic", Containers: []sim.ContainerDefinition{{Name: "app", Image: "web", CPU: 1024, MemoryMiB: 1024,
			PortMappings: []sim.PortMapping{{ContainerPort: 80}}}}},
		{Family: "hostmode", NetworkMode: sim.Host, Containers: []sim.ContainerDefinition{{Name: "app", Image: "web", CPU: 1024, MemoryMiB: 1024,
			PortMappings: []sim.PortMapping{{ContainerPort: 80}}}}},
		{Family: "vpc", NetworkMode: sim.AWSVPC, CPU: 1024, MemoryMiB: 2048, Containers: []sim.ContainerDefinition{{Name: "app", Image: "web",
			PortMappings: []sim.PortMapping{{ContainerPort: 80}}}}},
	} {
		if _, err := f.w.RegisterTaskDefinition(in); err != nil {
			f.t.Fatal(err)
		}
	}
}

// TestClassicLoadBalancerValidSetupsOnly: ECS supports a Classic Load
// Balancer for EC2 tasks in bridge or host mode with static host ports,
// without capacity providers; each other setup is refused, naming the
// field and the rule.
func TestClassicLoadBalancerValidSetupsOnly(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.portDefs()
	f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", InstanceType: "m5.large", Zones: zones3, MaxSize: 3})
	if err := f.c.PutCapacityProviders([]string{"asg"}, nil); err != nil {
		t.Fatal(err)
	}
	clb := func(name string) *sim.LoadBalancer {
		return f.loadBalancer(sim.LoadBalancerConfig{Name: name, TargetGroup: loadbalancer.Config{Type: loadbalancer.CLB}})
	}
	for _, c := range []struct {
		name string
		cfg  sim.ServiceConfig
		want string // "" means valid
	}{
		{"EC2 bridge static port", sim.ServiceConfig{TaskDefinition: "static", LaunchType: sim.EC2}, ""},
		{"EC2 host mode", sim.ServiceConfig{TaskDefinition: "hostmode", LaunchType: sim.EC2}, ""},
		{"Fargate", sim.ServiceConfig{TaskDefinition: "vpc", LaunchType: sim.Fargate}, "Fargate does not support"},
		{"awsvpc on EC2", sim.ServiceConfig{TaskDefinition: "vpc", LaunchType: sim.EC2}, "uses the awsvpc network mode"},
		{"dynamic host port", sim.ServiceConfig{TaskDefinition: "dynamic", LaunchType: sim.EC2}, "requires static host port mappings; task definition dynamic:1 maps container app port 80 to a dynamic host port"},
		{"capacity provider strategy", sim.ServiceConfig{TaskDefinition: "static",
			CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{{Provider: "asg", Weight: 1}}}, "using capacity providers is not supported"},
	} {
		cfg := c.cfg
		cfg.Name = strings.ReplaceAll(c.name, " ", "-")
		cfg.DesiredCount = 1
		cfg.Observer = clb(cfg.Name)
		_, err := f.c.CreateService(cfg)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (!errors.Is(err, sim.ErrInvalidService) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "ServiceConfig.Observer")):
			t.Errorf("%s: %v, want ServiceConfig.Observer ... %q", c.name, err, c.want)
		}
	}
	// The same rules when the CLB comes later, or the task definition
	// changes under it.
	svc := f.service(sim.ServiceConfig{Name: "later", TaskDefinition: "dynamic", LaunchType: sim.EC2})
	if err := svc.Attach(clb("later")); err == nil || !strings.Contains(err.Error(), "dynamic host port") {
		t.Errorf("Attach to a dynamic-port service: %v", err)
	}
	ok := f.service(sim.ServiceConfig{Name: "ok", TaskDefinition: "static", LaunchType: sim.EC2, Observer: clb("ok")})
	if err := ok.UpdateService(sim.ServiceUpdate{TaskDefinition: "dynamic"}); err == nil || !strings.Contains(err.Error(), "ServiceUpdate.TaskDefinition") {
		t.Errorf("UpdateService to dynamic ports behind a CLB: %v", err)
	}
}

// TestCLBHealthTimingInWorld: behind a Classic Load Balancer with its
// defaults (30 s checks, healthy threshold 10) a task counts as healthy
// 10 × 30 s = 300 s after RUNNING; the load balancer registers the
// container instances, one task each (static port 80).
func TestCLBHealthTimingInWorld(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.portDefs()
	ins := f.launch("m5.xlarge", zones3[:2], 2)
	f.run(time.Minute)
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{Type: loadbalancer.CLB}})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "static", LaunchType: sim.EC2, DesiredCount: 2, Observer: lb})
	f.run(time.Minute)
	tasks := svc.Tasks()
	if len(tasks) != 2 || tasks[0].State() != sim.TaskRunning || tasks[0].Instance() == tasks[1].Instance() {
		t.Fatalf("tasks %v: want 2 RUNNING on two instances", tasks)
	}
	running := tasks[0].StartedAt()
	want := []string{ins[0].EC2InstanceID(), ins[1].EC2InstanceID()}
	slices.Sort(want)
	if got := lb.Instances(); !slices.Equal(got, want) {
		t.Errorf("registered instances %v, want %v", got, want)
	}
	f.run(running.Add(300*time.Second - time.Nanosecond).Sub(f.s.Now()))
	if tasks[0].CountsHealthy() {
		t.Errorf("healthy before 300 s")
	}
	f.run(time.Nanosecond)
	if !tasks[0].CountsHealthy() {
		t.Errorf("not healthy at 300 s after RUNNING")
	}
	if !hasEvent(svc, "registered 1 instances in (elb web)") {
		t.Errorf("no registration event: %v", svc.Events())
	}
}

// TestCLBMetricsAndScaling: a CLB publishes AWS/ELB RequestCount,
// Latency and HealthyHostCount per LoadBalancerName; target tracking on
// ALBRequestCountPerTarget is refused, and on the CLB's own RequestCount
// (a custom metric) it scales: 20 requests/s are 1,200 a minute, and
// against a target of 600 the first decision is 2 → ceil(2 × 1200 / 600)
// = 4, on eight seeds (the minute's count is Poisson: standard deviation
// √1200 ≈ 35, tolerance 4 of them, ± 140).
func TestCLBMetricsAndScaling(t *testing.T) {
	for seed := uint64(1); seed <= 8; seed++ {
		clbScaling(t, seed)
	}
}

func clbScaling(t *testing.T, seed uint64) {
	t.Helper()
	f := newFixture(t, seed, sim.WorldConfig{})
	f.portDefs()
	f.launch("m5.2xlarge", zones3, 6)
	f.run(time.Minute)
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{Type: loadbalancer.CLB,
		HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2}}})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "static", LaunchType: sim.EC2, DesiredCount: 2, Observer: lb})
	f.run(2 * time.Minute)
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f.workload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 20},
		Demand: traffic.Exponential{Mean: 10 * time.Millisecond},
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited}, Metrics: store})

	alb, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "alb", TargetValue: 100,
		PredefinedMetric: autoscale.ALBRequestCountPerTarget, ResourceLabel: "app/web/0123456789abcdef/targetgroup/web/0123456789abcdef"})
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{
		Target: autoscale.ScalableTarget{MinCapacity: 1, MaxCapacity: 6}, Policies: []autoscale.Policy{alb}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AttachScaler(ctl, store); !errors.Is(err, sim.ErrInvalidService) || !strings.Contains(err.Error(), "Classic Load Balancer web") {
		t.Errorf("ALBRequestCountPerTarget behind a CLB: %v", err)
	}

	requests := metrics.ClassicLoadBalancerMetric(metrics.MetricRequestCount, "web")
	custom, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "requests600", TargetValue: 600,
		CustomizedMetric: &autoscale.CustomizedMetric{Metric: requests, Statistic: metrics.Sum}})
	if err != nil {
		t.Fatal(err)
	}
	scaling := attachPolicy(t, svc, store, custom, 6)
	f.run(5 * time.Minute)
	ds := scaling.Decisions()
	if len(ds) == 0 {
		t.Fatalf("no scaling decision at 1,200 requests a minute against 600")
	}
	v, ok := store.Statistic(requests, metrics.Sum, time.Minute, ds[0].At)
	if !ok || math.Abs(v-1200) > 140 {
		t.Errorf("seed %d: AWS/ELB RequestCount %.0f (%v), want 1200 ± 140", seed, v, ok)
	}
	if want := int(math.Ceil(2 * v / 600)); ds[0].From != 2 || ds[0].To != want {
		t.Errorf("decision %v, want 2 → ceil(2 × %.0f / 600) = %d", ds[0], v, want)
	}
	healthy, ok := store.Statistic(metrics.ClassicLoadBalancerMetric(metrics.MetricHealthyHostCount, "web"), metrics.Average, time.Minute, ds[0].At)
	if !ok || healthy != 2 {
		t.Errorf("HealthyHostCount %v (%v), want 2", healthy, ok)
	}
	lat, ok := store.Statistic(metrics.ClassicLoadBalancerMetric(metrics.MetricLatency, "web"), metrics.Average, time.Minute, ds[0].At)
	if !ok || lat <= 0 || lat > 1 {
		t.Errorf("Latency %v s (%v), want a positive figure below 1 s", lat, ok)
	}
	if _, ok := store.Statistic(metrics.TargetGroupMetric(metrics.MetricRequestCount, lb.TargetGroupDimension(), lb.LoadBalancerDimension()), metrics.Sum, time.Minute, ds[0].At); ok {
		t.Errorf("a CLB published AWS/ApplicationELB metrics")
	}
}

// TestCLBUnhealthyInstanceReplaced: an application that fails its checks
// is OutOfService after 2 × 30 s; ECS logs its event for the instance and
// replaces the task with the ELB reason.
func TestCLBUnhealthyInstanceReplaced(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "sick",
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web", CPU: 512, MemoryMiB: 512,
			PortMappings: []sim.PortMapping{{ContainerPort: 80, HostPort: 80}},
			HealthCheck:  &sim.HealthCheck{Command: []string{"CMD-SHELL", "curl -f localhost"}, Interval: 30 * time.Second, Retries: 3}}},
		Behavior: sim.Behavior{UnhealthyAfterStart: true}}); err != nil {
		t.Fatal(err)
	}
	f.launch("m5.large", zones3[:1], 1)
	f.run(time.Minute)
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{Type: loadbalancer.CLB}})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "sick", LaunchType: sim.EC2, DesiredCount: 1, Observer: lb})
	f.run(time.Minute)
	first := svc.Tasks()[0]
	running := first.StartedAt()
	f.run(running.Add(59 * time.Second).Sub(f.s.Now()))
	if first.DesiredStatus() != sim.TaskRunning {
		t.Fatalf("stopped %v after RUNNING, before 2 × 30 s: %q", f.s.Now().Sub(running), first.StoppedReason())
	}
	f.run(2 * time.Second)
	if first.DesiredStatus() != sim.TaskStopped || first.StoppedReason() != "Task failed ELB health checks in (elb web)" {
		t.Fatalf("61 s after RUNNING: desired %v, reason %q; want STOPPED for the ELB checks", first.DesiredStatus(), first.StoppedReason())
	}
	want := "(task " + first.ID() + ") (instance " + first.Instance().EC2InstanceID() + ") is unhealthy in (elb web) due to (reason Instance has failed at least the UnhealthyThreshold number of health checks consecutively.)"
	if !hasEvent(svc, want) {
		t.Errorf("no event %q: %v", want, svc.Events())
	}
}
