package sim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// autoscaledDay is the project's budget scenario: one simulated day of a
// 1,000-instance cluster running 100 services, each behind its own ALB,
// with the AWS default health checks (every 30 s), each driven by a diurnal
// demand (means 2 to 8 requests per second,
// ±60 %, peaks spread over the afternoon), each scaled by target tracking on
// CPU at 60 % between 2 and 100 tasks of 0.25 vCPU. A request is 200 ms of
// CPU at one vCPU (0.8 s on a task), exponential; tasks serve by processor
// sharing. Every service publishes its metrics to one store every minute.
type autoscaledDayResult struct {
	requests, errors int64
	tasks            int // running at the end, all services
	decisions        int // scaling decisions applied
	replaced         int // tasks stopped for failing health checks
	events           uint64
}

func runAutoscaledDay(tb testing.TB, mode sim.WorkloadMode) autoscaledDayResult {
	s, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	w, err := sim.NewWorld(s, sim.WorldConfig{APIRateLimits: noThrottle})
	if err != nil {
		tb.Fatal(err)
	}
	c, _ := w.CreateCluster("prod")
	types := []string{"m5.xlarge", "m6i.xlarge", "c5.2xlarge", "r5.xlarge"}
	for i := range 1000 {
		if _, err := c.LaunchInstance(sim.InstanceSpec{Type: types[i%len(types)], Zone: zones3[i%3]}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.RunFor(2 * time.Minute); err != nil {
		tb.Fatal(err)
	}
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	var workloads []*sim.Workload
	var scalings []*sim.ServiceScaling
	var services []*sim.Service
	for i := range 100 {
		name := fmt.Sprintf("svc%03d", i)
		if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{
			Family: name, CPU: 256, MemoryMiB: 512,
			Containers: []sim.ContainerDefinition{{Name: "app", Image: name + ":1", MemoryMiB: 512,
				PortMappings: []sim.PortMapping{{ContainerPort: 8080}}}},
		}); err != nil {
			tb.Fatal(err)
		}
		lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: name}) // ALB defaults: checks every 30 s
		if err != nil {
			tb.Fatal(err)
		}
		svc, err := c.CreateService(sim.ServiceConfig{Name: name, TaskDefinition: name, DesiredCount: 2, Observer: lb})
		if err != nil {
			tb.Fatal(err)
		}
		wl, err := w.NewWorkload(sim.WorkloadConfig{
			LoadBalancer: lb, Mode: mode,
			Source: traffic.Diurnal{Mean: float64(2 + i%7), Amplitude: 0.6,
				Peak: 12*time.Hour + time.Duration(i%6)*time.Hour},
			Demand:   traffic.Exponential{Mean: 200 * time.Millisecond},
			MeanWork: 200 * time.Millisecond, SCV: 1,
			Server:  traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 64, QueueLimit: 100, Timeout: 10 * time.Second},
			Metrics: store,
		})
		if err != nil {
			tb.Fatal(err)
		}
		resource := "service/prod/" + name
		policy, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "cpu60", ResourceID: resource,
			TargetValue: 60, PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization})
		if err != nil {
			tb.Fatal(err)
		}
		ctl, err := autoscale.NewController(autoscale.ControllerConfig{
			Target:   autoscale.ScalableTarget{ResourceID: resource, MinCapacity: 2, MaxCapacity: 100},
			Policies: []autoscale.Policy{policy}})
		if err != nil {
			tb.Fatal(err)
		}
		sc, err := svc.AttachScaler(ctl, store)
		if err != nil {
			tb.Fatal(err)
		}
		workloads, scalings, services = append(workloads, wl), append(scalings, sc), append(services, svc)
	}
	if err := s.RunFor(24 * time.Hour); err != nil {
		tb.Fatal(err)
	}
	var r autoscaledDayResult
	for i, wl := range workloads {
		cnt := wl.Counters()
		r.requests += cnt.Arrived
		r.errors += cnt.Errors5xx() + cnt.TimedOut
		r.decisions += len(scalings[i].Decisions())
		r.tasks += services[i].RunningCount()
		r.replaced += services[i].Counters().UnhealthyStopped
	}
	r.events = s.Executed()
	return r
}

// BenchmarkAutoscaledDay measures the project's budget scenario, "one
// simulated day, 1,000 instances, 100 services, autoscaling", in fluid mode
// (budget ≤ 2 s) and request by request (budget ≤ 30 s); budgets are
// benchmarks, read in BENCHMARKS.md, never timed assertions. One op is one simulated day,
// including set-up.
func BenchmarkAutoscaledDay(b *testing.B) {
	for _, m := range []struct {
		name string
		mode sim.WorkloadMode
	}{{"fluid", sim.FluidMode}, {"request-level", sim.RequestLevel}} {
		b.Run("mode="+m.name, func(b *testing.B) {
			b.ReportAllocs()
			var r autoscaledDayResult
			for b.Loop() {
				r = runAutoscaledDay(b, m.mode)
			}
			b.ReportMetric(float64(r.requests), "requests/day")
			b.ReportMetric(float64(r.decisions), "scalings/day")
			b.ReportMetric(float64(r.events), "events/day")
			b.ReportMetric(float64(r.errors), "errors/day")
			b.ReportMetric(float64(r.replaced), "replaced/day")
		})
	}
}

// TestAutoscaledDayFluidScales checks that the benchmark's scenario does
// what it says: a day of diurnal demand makes the services scale, and the
// requests served add up to the demand's integral.
func TestAutoscaledDayFluidScales(t *testing.T) {
	if testing.Short() {
		t.Skip("a simulated day of 100 services")
	}
	r := runAutoscaledDay(t, sim.FluidMode)
	if r.decisions < 100 {
		t.Errorf("%d scaling decisions over 100 services in a day of diurnal demand; want every service to scale", r.decisions)
	}
	// Mean demand is 100 services × 5 req/s × 86,400 s = 43.2 M requests.
	if r.requests < 40e6 || r.requests > 46e6 {
		t.Errorf("%d requests in the day, want about 43.2 M", r.requests)
	}
}
