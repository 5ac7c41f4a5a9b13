package sim_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// webDef registers a one-container bridge task definition with a stop
// timeout, for load-balanced services.
func (f *fixture) webDef(family string, cpu, memMiB int, stopTimeout time.Duration) *sim.TaskDefinition {
	f.t.Helper()
	d, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: family,
		CPU:    cpu, MemoryMiB: memMiB,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: family + ":latest", MemoryMiB: memMiB, StopTimeout: stopTimeout}},
		Behavior:   sim.Behavior{Shutdown: sim.Fixed(time.Second)},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return d
}

func (f *fixture) loadBalancer(cfg sim.LoadBalancerConfig) *sim.LoadBalancer {
	f.t.Helper()
	lb, err := f.w.NewLoadBalancer(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return lb
}

func (f *fixture) workload(cfg sim.WorkloadConfig) *sim.Workload {
	f.t.Helper()
	wl, err := f.w.NewWorkload(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return wl
}

// webBehindALB is the set-up the scaling and fluid tests share: three
// m5.2xlarge instances, a web service of four one-vCPU tasks behind an ALB
// with fast health checks (5 s × 2), running and healthy, and an empty
// metric store for a workload to publish into.
func webBehindALB(t *testing.T, seed uint64) (*fixture, *sim.LoadBalancer, *sim.Service, *metrics.Store) {
	t.Helper()
	return webBehindALBRouting(t, seed, loadbalancer.AlgorithmDefault)
}

// webBehindALBRouting is webBehindALB with the target group's algorithm.
func webBehindALBRouting(t *testing.T, seed uint64, alg loadbalancer.Algorithm) (*fixture, *sim.LoadBalancer, *sim.Service, *metrics.Store) {
	t.Helper()
	f := newFixture(t, seed, sim.WorldConfig{})
	f.launch("m5.2xlarge", zones3, 3)
	f.webDef("web", 1024, 1024, 0)
	f.run(time.Minute)
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{Algorithm: alg,
		HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2}}})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 4, Observer: lb})
	f.run(2 * time.Minute)
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return f, lb, svc, store
}

// checkConserved asserts request conservation.
func checkConserved(t *testing.T, c sim.WorkloadCounters) {
	t.Helper()
	if sum := c.Served + c.NoTarget + c.Rejected + c.TimedOut + c.Aborted + c.InFlight; sum != c.Arrived {
		t.Errorf("arrived %d != served %d + no target %d + rejected %d + timed out %d + aborted %d + in flight %d = %d",
			c.Arrived, c.Served, c.NoTarget, c.Rejected, c.TimedOut, c.Aborted, c.InFlight, sum)
	}
}

// TestLoadBalancerHealthGatesHealthyCount is worked example L: with the
// target group's default health checks (30 s × 5) a task counts as healthy
// 150 s after it registers at RUNNING, not 40 s as without a load
// balancer; tuned to 5 s × 2 it takes 10 s.
func TestLoadBalancerHealthGatesHealthyCount(t *testing.T) {
	for _, tc := range []struct {
		name string
		hc   loadbalancer.HealthCheck
		want time.Duration
	}{
		{"defaults", loadbalancer.HealthCheck{}, 150 * time.Second},
		{"tuned", loadbalancer.HealthCheck{Interval: 5 * time.Second, HealthyThreshold: 2, Timeout: 2 * time.Second}, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 1, sim.WorldConfig{})
			f.launch("m5.large", zones3, 3)
			f.webDef("web", 256, 512, 0)
			f.run(time.Minute)
			lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{HealthCheck: tc.hc}})
			svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1, Observer: lb})
			f.run(10 * time.Second) // pull 8 s + start 2 s: RUNNING at +10 s
			task := svc.Tasks()[0]
			if task.State() != sim.TaskRunning {
				t.Fatalf("task is %v, want RUNNING", task.State())
			}
			f.run(tc.want - time.Second)
			if task.CountsHealthy() {
				t.Fatalf("task counts healthy %v after RUNNING, before its target is healthy", tc.want-time.Second)
			}
			if tc.want > 40*time.Second && svc.Steady() {
				t.Errorf("service steady before the target is healthy")
			}
			f.run(time.Second)
			if !task.CountsHealthy() {
				t.Fatalf("task does not count healthy %v after RUNNING", tc.want)
			}
			if info, _ := lb.TargetGroup().Target(0); info.State != loadbalancer.Healthy {
				t.Errorf("target is %v, want healthy", info.State)
			}
			if !svc.Steady() {
				t.Errorf("service not steady once its only task is healthy")
			}
		})
	}
}

// TestLoadBalancerReplacesTaskFailingHealthChecksAfterGrace: a task whose
// application refuses the target group's checks is stopped once the
// health check grace period is over, not before.
func TestLoadBalancerReplacesTaskFailingHealthChecksAfterGrace(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "web", CPU: 256, MemoryMiB: 512,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web", MemoryMiB: 512,
			HealthCheck: &sim.HealthCheck{Command: []string{"CMD-SHELL", "curl -f localhost"}}}},
		Behavior: sim.Behavior{UnhealthyAfterStart: true, Shutdown: sim.Fixed(time.Second)},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
		HealthCheck: loadbalancer.HealthCheck{Interval: 10 * time.Second, Timeout: 5 * time.Second}}})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1, Observer: lb, HealthCheckGracePeriod: 5 * time.Minute})
	f.run(10 * time.Second)
	task := svc.Tasks()[0]
	if task.State() != sim.TaskRunning {
		t.Fatalf("task is %v, want RUNNING", task.State())
	}
	// The target is unhealthy after 2 refused checks (20 s) and the
	// container UNHEALTHY after 3 × 30 s, both inside the 5-minute grace.
	f.run(5*time.Minute - time.Second)
	if info, _ := lb.TargetGroup().Target(0); info.State != loadbalancer.Unhealthy {
		t.Errorf("target is %v, want unhealthy", info.State)
	}
	if task.DesiredStatus() != sim.TaskRunning {
		t.Fatalf("task stopped inside the grace period")
	}
	f.run(time.Second)
	if task.DesiredStatus() != sim.TaskStopped {
		t.Fatalf("task still desired RUNNING at the end of the grace period")
	}
	if r := task.StoppedReason(); !strings.HasPrefix(r, "Task failed ELB health checks") && r != "Task failed container health checks" {
		t.Errorf("stopped reason %q, want a failed health check", r)
	}
}

// TestWorkloadConservesRequestsAndLittlesLaw runs a load-balanced service
// through overload, queue-full rejections, client timeouts and a scale-in
// (draining) and checks, at every minute, that every request is accounted
// for (arrived = served + no target + rejected + timed out + aborted + in
// flight), and at the end, with nothing left in flight, Little's law: the
// time-integral of requests in flight equals the summed time in system.
func TestWorkloadConservesRequestsAndLittlesLaw(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		f := newFixture(t, seed, sim.WorldConfig{})
		f.launch("m5.large", zones3, 3)
		f.webDef("web", 512, 1024, 0)
		f.run(time.Minute)
		lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
			DeregistrationDelay: 20 * time.Second,
			HealthCheck:         loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2}}})
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 4, Observer: lb})
		steps, err := traffic.NewSteps(
			traffic.Point{At: 0, PerSecond: 5},
			traffic.Point{At: 10 * time.Minute, PerSecond: 60}, // overload: 4 × 0.5 vCPU / 0.05 s = 40/s
			traffic.Point{At: 15 * time.Minute, PerSecond: 8},
		)
		if err != nil {
			t.Fatal(err)
		}
		wl := f.workload(sim.WorkloadConfig{
			LoadBalancer: lb, Source: steps, End: 30 * time.Minute,
			Demand: traffic.Exponential{Mean: 50 * time.Millisecond},
			Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 8, QueueLimit: 20, Timeout: 3 * time.Second},
		})
		for m := 0; m < 45; m++ {
			if m == 20 {
				if err := svc.SetDesiredCount(2); err != nil {
					t.Fatal(err)
				}
			}
			f.run(time.Minute)
			checkConserved(t, wl.Counters())
		}
		c := wl.Counters()
		if c.InFlight != 0 {
			t.Fatalf("seed %d: %d requests still in flight 15 minutes after arrivals ended", seed, c.InFlight)
		}
		if c.Served == 0 || c.Rejected == 0 || c.TimedOut == 0 || c.NoTarget == 0 {
			t.Errorf("seed %d: the scenario should exercise every outcome: %+v", seed, c)
		}
		if rel := math.Abs(c.InFlightSeconds-c.SojournSeconds) / c.SojournSeconds; rel > 1e-9 {
			t.Errorf("seed %d: Little's law: ∫L dt = %.6f request·s, Σ sojourn = %.6f s (rel %.2g)", seed, c.InFlightSeconds, c.SojournSeconds, rel)
		}
	}
}

// TestWorkloadMetricsWorkedExampleK is worked example K through the world:
// a 512-unit, 1024-MiB task that uses 128 CPU units and 128 MiB reports
// CPUUtilization 25 % and MemoryUtilization 12.5 %. One request per second
// with 125 ms of work at one vCPU uses 0.125 vCPU = 128 units; on 0.5 vCPU
// each request is in flight 0.25 s, so 120 MiB idle + 32 MiB per request
// in flight is 128 MiB. The ALB metrics follow: 60 requests a minute on one
// target, each 0.25 s.
func TestWorkloadMetricsWorkedExampleK(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3[:1], 1)
	f.webDef("web", 512, 1024, 0)
	f.run(time.Minute)
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web"})
	f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1, Observer: lb})
	trace := &traffic.RequestTrace{}
	for i := range 3600 {
		trace.At = append(trace.At, time.Duration(i)*time.Second)
		trace.Size = append(trace.Size, 1)
	}
	arr, err := traffic.NewTraceArrivals(trace, 5*time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f.workload(sim.WorkloadConfig{LoadBalancer: lb, Arrivals: arr, Demand: traffic.Fixed{CPU: 125 * time.Millisecond},
		Metrics: store, MemoryBaseMiB: 120, MemoryPerRequestMiB: 32})
	f.run(15 * time.Minute)
	minute := sim.DefaultStart.Add(10 * time.Minute)
	end := minute.Add(time.Minute)
	read := func(m metrics.Metric, st metrics.Statistic) float64 {
		t.Helper()
		v, ok := store.Statistic(m, st, time.Minute, end)
		if !ok {
			t.Fatalf("no datapoint for %v at %v", m, minute)
		}
		return v
	}
	tg, lbd := lb.TargetGroupDimension(), lb.LoadBalancerDimension()
	for _, c := range []struct {
		name string
		got  float64
		want float64
	}{
		{"CPUUtilization", read(metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web"), metrics.Average), 25},
		{"MemoryUtilization", read(metrics.ServiceMetric(metrics.MetricMemoryUtilization, "prod", "web"), metrics.Average), 12.5},
		{"RunningTaskCount", read(metrics.RunningTaskCountMetric("prod", "web"), metrics.Average), 1},
		{"RequestCount", read(metrics.TargetGroupMetric(metrics.MetricRequestCount, tg, lbd), metrics.Sum), 60},
		{"RequestCountPerTarget", read(metrics.TargetGroupMetric(metrics.MetricRequestCountPerTarget, tg, lbd), metrics.Sum), 60},
		{"TargetResponseTime", read(metrics.TargetGroupMetric(metrics.MetricTargetResponseTime, tg, lbd), metrics.Average), 0.25},
		{"HTTPCode_ELB_5XX_Count", read(metrics.TargetGroupMetric(metrics.MetricHTTPCodeELB5XXCount, tg, lbd), metrics.Sum), 0},
	} {
		if math.Abs(c.got-c.want) > 1e-9*math.Max(1, c.want) {
			t.Errorf("%s = %.12g, want %g", c.name, c.got, c.want)
		}
	}
}
