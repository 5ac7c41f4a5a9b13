package sim_test

import (
	"testing"
	"time"

	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/traffic"
)

// drainingALB is the load balancer of the draining tests: fast health
// checks (5 s × 2) and the given deregistration delay.
func drainingALB(f *fixture, dereg time.Duration) *sim.LoadBalancer {
	return f.loadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
		DeregistrationDelay: dereg,
		HealthCheck:         loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2},
	}})
}

// steadyLoad sends 2 requests per second of 1 s of CPU on average
// (exponential), served by processor sharing with no queue limit.
func steadyLoad(f *fixture, lb *sim.LoadBalancer) *sim.Workload {
	return f.workload(sim.WorkloadConfig{
		LoadBalancer: lb, Source: traffic.Constant{PerSecond: 2},
		Demand: traffic.Exponential{Mean: time.Second},
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited},
	})
}

// deployUnderLoad runs a rolling deployment (ForceNewDeployment) of a
// 4-task service behind an ALB while clients send 2 requests/s of 1 s of
// CPU work on average (exponential) to 1-vCPU tasks (ρ = 0.5, so a request
// takes 2 s on average and a task has requests in flight half the time),
// and returns the workload's counters once the deployment has completed.
func deployUnderLoad(t *testing.T, seed uint64, dereg, stopTimeout time.Duration) sim.WorkloadCounters {
	t.Helper()
	f := newFixture(t, seed, sim.WorldConfig{})
	f.launch("m5.xlarge", zones3, 3)
	f.webDef("web", 1024, 1024, stopTimeout)
	f.run(time.Minute)
	lb := drainingALB(f, dereg)
	// AZ rebalancing is off: the 4 tasks over 3 zones may end the
	// deployment 2/2/0, and a rebalancing stop would blur the count of the
	// deployment's own.
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 4, Observer: lb,
		AvailabilityZoneRebalancing: sim.AZRebalancingDisabled})
	f.run(2 * time.Minute)
	if !svc.Steady() {
		t.Fatalf("service not steady before the load starts")
	}
	wl := steadyLoad(f, lb)
	f.run(5 * time.Minute)
	if err := svc.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}); err != nil {
		t.Fatal(err)
	}
	f.run(15 * time.Minute)
	if d := svc.Deployments(); len(d) != 1 || d[0].RolloutState() != sim.RolloutCompleted {
		t.Fatalf("deployment did not complete")
	}
	if got := svc.Counters().TasksStopped; got != 4 {
		t.Fatalf("%d tasks stopped, want the 4 old ones", got)
	}
	c := wl.Counters()
	checkConserved(t, c)
	return c
}

// TestRollingDeploymentUnderLoadDrainsCleanly: set as AWS advises
// (stopTimeout > deregistration delay > the longest request; here 120 s >
// 60 s ≫ the 2 s mean request), a rolling deployment under load loses no
// request: the old tasks stop receiving requests when deregistered, finish
// the ones in flight while draining, and get SIGTERM only then.
func TestRollingDeploymentUnderLoadDrainsCleanly(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		c := deployUnderLoad(t, seed, 60*time.Second, 120*time.Second)
		if c.Errors5xx() != 0 || c.TimedOut != 0 {
			t.Errorf("seed %d: %d 5xx (no target %d, rejected %d, aborted %d), %d timed out; want none",
				seed, c.Errors5xx(), c.NoTarget, c.Rejected, c.Aborted, c.TimedOut)
		}
		if c.Served < 1500 {
			t.Errorf("seed %d: only %d requests served in 20 minutes at 2/s", seed, c.Served)
		}
	}
}

// TestRollingDeploymentWithoutDrainingDrops5xx: with a deregistration
// delay of 0 s the old tasks get SIGTERM while requests are still in
// flight, and with a 2 s stop timeout (shorter than the 2 s mean request,
// let alone its tail) SIGKILL aborts them: the load balancer answers 502.
func TestRollingDeploymentWithoutDrainingDrops5xx(t *testing.T) {
	total := int64(0)
	for _, seed := range []uint64{1, 2, 3} {
		c := deployUnderLoad(t, seed, loadbalancer.NoDeregistrationDelay, 2*time.Second)
		total += c.Aborted
		if c.Aborted != c.Errors5xx() {
			t.Errorf("seed %d: 5xx %d, aborted %d: every error should be an abort", seed, c.Errors5xx(), c.Aborted)
		}
	}
	// Each of 4 stopped tasks has requests in flight with probability
	// ρ = 0.5 at SIGTERM, and one in flight outlives 2 s with probability
	// about e^-1 (PS sojourn ≈ exponential, mean 2 s): over 12 stops,
	// no abort at all is very unlikely, and the seeds are fixed.
	if total == 0 {
		t.Errorf("no request aborted over 3 deployments without draining")
	}
}

// spotUnderLoad runs 4 Fargate Spot tasks behind an ALB under the load of
// deployUnderLoad and interrupts one task every two minutes, four times;
// it returns the workload's counters 15 minutes after the last warning.
func spotUnderLoad(t *testing.T, seed uint64, dereg, stopTimeout time.Duration) sim.WorkloadCounters {
	t.Helper()
	warnings := []time.Duration{10 * time.Minute, 12 * time.Minute, 14 * time.Minute, 16 * time.Minute}
	f := newFixture(t, seed, sim.WorldConfig{Capacity: sim.CapacityConfig{
		FargateSpotInterruptions: capacity.InterruptionProcess{Schedule: warnings}}})
	if err := f.c.PutCapacityProviders([]string{capacity.FargateSpot}, []sim.CapacityProviderStrategyItem{{Provider: capacity.FargateSpot, Weight: 1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "web", CPU: 1024, MemoryMiB: 2048, NetworkMode: sim.AWSVPC,
		RequiresCompatibilities: []sim.LaunchType{sim.Fargate},
		Containers:              []sim.ContainerDefinition{{Name: "app", Image: "web:1", StopTimeout: stopTimeout}},
		Behavior:                sim.Behavior{Shutdown: sim.Fixed(time.Second)},
	}); err != nil {
		t.Fatal(err)
	}
	lb := drainingALB(f, dereg)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 4, Observer: lb})
	f.run(5 * time.Minute)
	if !svc.Steady() {
		t.Fatalf("service not steady before the load starts")
	}
	wl := steadyLoad(f, lb)
	f.run(26 * time.Minute)
	spot := 0
	for _, tk := range f.w.Tasks() {
		if tk.StopCode() == sim.StopCode(capacity.StopCodeTerminationNotice) {
			spot++
		}
	}
	if spot != len(warnings) {
		t.Fatalf("%d tasks stopped by a Spot interruption, want %d", spot, len(warnings))
	}
	if svc.RunningCount() != 4 {
		t.Fatalf("%d tasks running after the interruptions, want 4 replacements in place", svc.RunningCount())
	}
	c := wl.Counters()
	checkConserved(t, c)
	return c
}

// TestSpotInterruptionUnderLoadDrainsCleanly: with the deregistration
// delay (30 s) and the stop timeout (60 s) inside Fargate Spot's two-minute
// warning, as AWS advises, interrupted tasks drain and lose no request.
func TestSpotInterruptionUnderLoadDrainsCleanly(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		c := spotUnderLoad(t, seed, 30*time.Second, 60*time.Second)
		if c.Errors5xx() != 0 || c.TimedOut != 0 {
			t.Errorf("seed %d: %d 5xx (no target %d, rejected %d, aborted %d), %d timed out; want none",
				seed, c.Errors5xx(), c.NoTarget, c.Rejected, c.Aborted, c.TimedOut)
		}
	}
}

// TestSpotInterruptionWithoutDrainingDrops5xx: without a deregistration
// delay and with a 2 s stop timeout, interrupted tasks are killed with
// requests in flight: 502s.
func TestSpotInterruptionWithoutDrainingDrops5xx(t *testing.T) {
	total := int64(0)
	for _, seed := range []uint64{1, 2, 3} {
		c := spotUnderLoad(t, seed, loadbalancer.NoDeregistrationDelay, 2*time.Second)
		total += c.Aborted
		if c.Aborted != c.Errors5xx() {
			t.Errorf("seed %d: 5xx %d, aborted %d: every error should be an abort", seed, c.Errors5xx(), c.Aborted)
		}
	}
	if total == 0 {
		t.Errorf("no request aborted over 12 Spot interruptions without draining")
	}
}
