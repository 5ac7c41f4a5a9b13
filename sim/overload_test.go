package sim_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// overloadRun runs a web service of 3 one-vCPU tasks behind an ALB with
// fast health checks (every 5 s, 2 s timeout, 2 failures to turn
// unhealthy), each task an FCFS server of 4 slots with room for 50 waiting
// (about 1 request/s per task at 1 s of CPU per request). Clients send
// perTask × 3 requests per second for 20 minutes, in request-level or fluid
// mode, and it returns the service's and the workload's counters.
func overloadRun(t *testing.T, seed uint64, perTask float64, work time.Duration, mode sim.WorkloadMode, separate bool) (sim.ServiceCounters, sim.WorkloadCounters, []sim.ServiceEvent) {
	t.Helper()
	f := newFixture(t, seed, sim.WorldConfig{})
	f.launch("m5.2xlarge", zones3, 3)
	f.webDef("web", 1024, 1024, 0)
	f.run(time.Minute)
	lb := drainingALB(f, 0)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 3, Observer: lb})
	f.run(2 * time.Minute)
	if !svc.Steady() {
		t.Fatal("service not steady before the load starts")
	}
	cfg := sim.WorkloadConfig{LoadBalancer: lb, Mode: mode, Source: traffic.Constant{PerSecond: 3 * perTask},
		Server:                 traffic.ServerConfig{Discipline: traffic.FCFS, Concurrency: 4, QueueLimit: 50},
		SeparateHealthEndpoint: separate}
	if mode == sim.FluidMode {
		cfg.MeanWork, cfg.SCV = work, 1
	} else {
		cfg.Demand = traffic.Exponential{Mean: work}
	}
	wl := f.workload(cfg)
	f.run(20 * time.Minute)
	c := wl.Counters()
	if mode != sim.FluidMode {
		checkConserved(t, c)
	}
	return svc.Counters(), c, svc.Events()
}

// TestOverloadFailsHealthChecks: at twice what the tasks can serve, their
// queues fill, the health checks that wait in them fail, and ECS stops the
// unhealthy tasks ("Task failed ELB health checks") and starts others, in
// request-level and in fluid mode. With a separate health endpoint the same
// overload only turns requests away: no task is replaced.
func TestOverloadFailsHealthChecks(t *testing.T) {
	for _, mode := range []sim.WorkloadMode{sim.RequestLevel, sim.FluidMode} {
		svc, wl, events := overloadRun(t, 1, 2, time.Second, mode, false)
		if svc.UnhealthyStopped == 0 {
			t.Errorf("%v: no task stopped for failing health checks at twice the capacity (%+v)", mode, svc)
		}
		said := false
		for _, e := range events {
			said = said || strings.Contains(e.Message, "has stopped 1 running tasks")
		}
		if !said {
			t.Errorf("%v: no service event about stopping an unhealthy task", mode)
		}
		sep, sepWL, _ := overloadRun(t, 1, 2, time.Second, mode, true)
		if sep.UnhealthyStopped != 0 {
			t.Errorf("%v, separate health endpoint: %d tasks stopped as unhealthy, want none", mode, sep.UnhealthyStopped)
		}
		if sepWL.Rejected == 0 || wl.Rejected == 0 {
			t.Errorf("%v: rejected %d (shared endpoint) and %d (separate); the overload should turn requests away in both", mode, wl.Rejected, sepWL.Rejected)
		}
	}
}

// TestLightLoadPassesHealthChecks: at a tenth of the capacity no check
// waits long, so no task is ever unhealthy, in either mode.
func TestLightLoadPassesHealthChecks(t *testing.T) {
	for _, mode := range []sim.WorkloadMode{sim.RequestLevel, sim.FluidMode} {
		for seed := uint64(1); seed <= 3; seed++ {
			svc, wl, _ := overloadRun(t, seed, 0.5, 200*time.Millisecond, mode, false)
			if svc.UnhealthyStopped != 0 || wl.Rejected != 0 {
				t.Errorf("%v seed %d: %d unhealthy stops, %d rejected at light load; want none", mode, seed, svc.UnhealthyStopped, wl.Rejected)
			}
		}
	}
}
