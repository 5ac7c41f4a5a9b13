package sim_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// TestNewWorkloadReportsEveryProblem: an invalid workload configuration is
// rejected with every problem at once, each naming its field and matching
// ErrInvalidWorkload and ErrConfig.
func TestNewWorkloadReportsEveryProblem(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web"})
	for _, tc := range []struct {
		name   string
		cfg    sim.WorkloadConfig
		fields []string
	}{
		{"empty", sim.WorkloadConfig{}, []string{"LoadBalancer", "Source and Arrivals", "Demand"}},
		{"request-level", sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 1},
			Arrivals: traffic.Poisson{PerSecond: 1}, End: -time.Second, ReportPeriod: 90 * time.Second, MemoryBaseMiB: -1,
			Server: traffic.ServerConfig{CPU: -1}},
			[]string{"Source and Arrivals", "Demand", "End", "ReportPeriod", "MemoryBaseMiB", "Server"}},
		{"fluid", sim.WorkloadConfig{LoadBalancer: lb, Mode: sim.FluidMode, FluidStep: 7 * time.Second, SCV: -1, Arrivals: traffic.Poisson{PerSecond: 1}},
			[]string{"Source", "MeanWork", "SCV", "FluidStep", "Arrivals"}},
		{"mode", sim.WorkloadConfig{LoadBalancer: lb, Mode: 9}, []string{"Mode"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.w.NewWorkload(tc.cfg)
			if !errors.Is(err, sim.ErrInvalidWorkload) || !errors.Is(err, sim.ErrConfig) {
				t.Fatalf("error %v does not match ErrInvalidWorkload and ErrConfig", err)
			}
			for _, field := range tc.fields {
				if !strings.Contains(err.Error(), field) {
					t.Errorf("error does not name %s:\n%v", field, err)
				}
			}
			if n := strings.Count(err.Error(), "\n") + 1; n != len(tc.fields) {
				t.Errorf("%d problems reported, want %d:\n%v", n, len(tc.fields), err)
			}
		})
	}
	if _, err := f.w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "-bad-", TargetGroup: loadbalancer.Config{DeregistrationDelay: time.Hour + time.Second}}); !errors.Is(err, sim.ErrInvalidLoadBalancer) ||
		!strings.Contains(err.Error(), "Name") || !strings.Contains(err.Error(), "DeregistrationDelay") {
		t.Errorf("NewLoadBalancer: %v; want both the name and the deregistration delay named", err)
	}
}

// TestNLBWorkloadRoutesByFlowHash: behind an NLB every request is routed
// by flow hash to a registered target, requests are conserved, and with
// three healthy targets each gets about a third (flows are uniform over
// targets: within 5 standard deviations of a binomial third).
func TestNLBWorkloadRoutesByFlowHash(t *testing.T) {
	f := newFixture(t, 3, sim.WorldConfig{})
	f.launch("m5.xlarge", zones3, 3)
	f.webDef("web", 1024, 1024, 0)
	f.run(time.Minute)
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{Type: loadbalancer.NLB, CrossZone: loadbalancer.CrossZoneOn,
		HealthCheck: loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2}}})
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 3, Observer: lb})
	f.run(2 * time.Minute)
	wl := f.workload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 10}, End: 4*time.Minute + 10*time.Minute,
		Demand: traffic.Fixed{CPU: 10 * time.Millisecond}, Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited}})
	f.run(11 * time.Minute)
	c := wl.Counters()
	checkConserved(t, c)
	if c.Served != c.Arrived || c.Arrived < 5000 {
		t.Fatalf("served %d of %d", c.Served, c.Arrived)
	}
	n := float64(c.Arrived)
	sd := math.Sqrt(n * (1.0 / 3) * (2.0 / 3))
	for _, tk := range svc.Tasks() {
		tc, ok := wl.TaskCounters(tk)
		if !ok {
			t.Fatalf("task %s has no server", tk.ID())
		}
		if got := float64(tc.Arrived); math.Abs(got-n/3) > 5*sd {
			t.Errorf("task %s got %v requests of %v, want %.0f ± %.0f", tk.ID(), got, n, n/3, 5*sd)
		}
	}
}
