package sim_test

import (
	"fmt"
	"hash/fnv"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/internal/golden"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/traffic"
)

// lifecycleWorld is a load-balanced service under request-level load in a
// world whose every event is hashed by kind name (not kind number, which
// depends on the order components register their kinds), so that the
// golden files below change only when the sequence of events does.
type lifecycleWorld struct {
	*fixture
	svc    *sim.Service
	wl     *sim.Workload
	events int
	hash   interface{ Sum64() uint64 }
}

func newLifecycleWorld(t *testing.T, cfg sim.WorldConfig) *lifecycleWorld {
	t.Helper()
	h := fnv.New64a()
	lw := &lifecycleWorld{hash: h}
	lw.fixture = newFixtureSim(t, sim.Config{Seed: 11, Observer: func(e sim.Event) {
		lw.events++
		fmt.Fprintf(h, "%d %d %d %s %d\n", e.At, e.Phase, e.Seq, e.Name, e.Arg)
	}}, cfg)
	return lw
}

// webDef registers "web": one container with the stop timeout stop and
// health check hc (nil for none), behaving as b; awsvpc for Fargate with
// 2 GiB, bridge with 1 GiB otherwise.
func (lw *lifecycleWorld) webDef(fargate bool, stop time.Duration, hc *sim.HealthCheck, b sim.Behavior) {
	lw.t.Helper()
	b.Shutdown = sim.Fixed(time.Second)
	in := sim.TaskDefinitionInput{Family: "web", CPU: 1024, MemoryMiB: 1024,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:1", MemoryMiB: 1024, StopTimeout: stop, HealthCheck: hc}},
		Behavior:   b,
	}
	if fargate {
		in.MemoryMiB, in.NetworkMode, in.RequiresCompatibilities = 2048, sim.AWSVPC, []sim.LaunchType{sim.Fargate}
		in.Containers[0].MemoryMiB = 0
	}
	if _, err := lw.w.RegisterTaskDefinition(in); err != nil {
		lw.t.Fatal(err)
	}
}

// serve creates the service "web" behind an ALB (health checks 5 s × 2,
// deregistration delay dereg) and sends it perSecond requests per second
// of work CPU on average (exponential, processor sharing, 10 s client
// timeout).
func (lw *lifecycleWorld) serve(cfg sim.ServiceConfig, dereg time.Duration, perSecond float64, work time.Duration) {
	lw.serveWith(cfg, dereg, sim.WorkloadConfig{
		Source: traffic.Constant{PerSecond: perSecond}, Demand: traffic.Exponential{Mean: work},
		Server:                 traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited, Timeout: 10 * time.Second},
		SeparateHealthEndpoint: true,
	})
}

// serveWith is serve with the workload wl (its load balancer set here).
func (lw *lifecycleWorld) serveWith(cfg sim.ServiceConfig, dereg time.Duration, wl sim.WorkloadConfig) {
	t := lw.t
	t.Helper()
	lb, err := lw.w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web", TargetGroup: loadbalancer.Config{
		DeregistrationDelay: dereg,
		HealthCheck:         loadbalancer.HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2},
	}})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Name, cfg.Observer = "web", lb
	if cfg.TaskDefinition == "" {
		cfg.TaskDefinition = "web"
	}
	if lw.svc, err = lw.c.CreateService(cfg); err != nil {
		t.Fatal(err)
	}
	wl.LoadBalancer = lb
	if lw.wl, err = lw.w.NewWorkload(wl); err != nil {
		t.Fatal(err)
	}
}

func (lw *lifecycleWorld) at(d time.Duration) time.Time { return lw.s.Start().Add(d) }

// report is what the golden file holds: the hash and count of the events,
// the request and service counters, and every task's life.
func (lw *lifecycleWorld) report() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "events %d, name-keyed trace %016x\n", lw.events, lw.hash.Sum64())
	c := lw.wl.Counters()
	fmt.Fprintf(&b, "requests: arrived %d, served %d, no target %d, rejected %d, timed out %d, aborted %d, in flight %d\n",
		c.Arrived, c.Served, c.NoTarget, c.Rejected, c.TimedOut, c.Aborted, c.InFlight)
	sc := lw.svc.Counters()
	fmt.Fprintf(&b, "service: started %d, stopped %d, unplaced %d, start failures %d, unhealthy %d; %v\n",
		sc.TasksStarted, sc.TasksStopped, sc.UnplacedTasks, sc.StartFailures, sc.UnhealthyStopped, lw.svc)
	fmt.Fprintf(&b, "cost $%.4f\n", lw.w.Cost().Total)
	offset := func(at time.Time) string {
		if at.IsZero() {
			return "-"
		}
		return fmt.Sprintf("%.3f", at.Sub(lw.s.Start()).Seconds())
	}
	for i, tk := range lw.w.Tasks() {
		fmt.Fprintf(&b, "task %3d %-10s %-12s created %9s running %9s stopped %9s %s %s %q\n", i, tk.Zone(), tk.State(),
			offset(tk.CreatedAt()), offset(tk.StartedAt()), offset(tk.StoppedAt()), tk.Health(), tk.StopCode(), tk.StoppedReason())
	}
	return []byte(b.String())
}

// TestLifecycleGolden runs services through every way a task can die
// (crashes, a scripted container exit, an instance failure, a forced
// deregistration, an Availability Zone outage, Fargate Spot reclaim, SIGKILL
// at the stop timeout) under request-level load, and compares what
// happened with testdata/lifecycle/<name>.txt, so that a change in how
// tasks die shows as a diff. Rewrite with
//
//	go test ./sim -run LifecycleGolden -update
func TestLifecycleGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T) *lifecycleWorld
	}{
		{"ec2-failures", lifecycleEC2},
		{"fargate-failures", lifecycleFargate},
		{"sigkill", lifecycleSIGKILL},
		{"health", lifecycleHealth},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lw := tc.run(t)
			golden.Check(t, filepath.Join("testdata", "lifecycle", tc.name+".txt"), lw.report())
		})
	}
}

// lifecycleEC2: six bridge tasks on six instances in three zones that
// crash twice an hour each; at 10 min a task's essential container exits,
// at 20 min an instance fails, at 30 min another is deregistered with
// force, and from 40 to 50 min us-east-1a is out.
func lifecycleEC2(t *testing.T) *lifecycleWorld {
	lw := newLifecycleWorld(t, sim.WorldConfig{})
	ins := lw.launch("m5.xlarge", zones3, 6)
	lw.webDef(false, 20*time.Second, nil, sim.Behavior{CrashesPerHour: 2})
	lw.run(time.Minute)
	lw.serve(sim.ServiceConfig{DesiredCount: 6}, 30*time.Second, 6, 500*time.Millisecond)
	lw.run(9 * time.Minute)
	if err := lw.w.ScheduleFailure(sim.ScriptedFailure{At: lw.s.Now(), Task: lw.svc.Tasks()[0]}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []sim.ScriptedFailure{{At: lw.at(20 * time.Minute), Instance: ins[1]}} {
		if err := lw.w.ScheduleFailure(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := lw.w.ScheduleZoneOutage("us-east-1a", lw.at(40*time.Minute), lw.at(50*time.Minute)); err != nil {
		t.Fatal(err)
	}
	lw.run(20 * time.Minute)
	if err := ins[2].Deregister(true); err != nil {
		t.Fatal(err)
	}
	lw.run(30 * time.Minute)
	return lw
}

// lifecycleFargate: six Fargate tasks, half on FARGATE_SPOT, that crash
// twice an hour each; at 10 min a task's essential container exits, at 20
// min a Spot task is interrupted (its 150 s deregistration delay outlasts
// the two-minute warning, so it is reclaimed while draining), and from 30
// to 40 min us-east-1a is out.
func lifecycleFargate(t *testing.T) *lifecycleWorld {
	lw := newLifecycleWorld(t, sim.WorldConfig{Capacity: sim.CapacityConfig{
		FargateSpotInterruptions: capacity.InterruptionProcess{Schedule: []time.Duration{20 * time.Minute}}}})
	if err := lw.c.PutCapacityProviders([]string{capacity.Fargate, capacity.FargateSpot}, nil); err != nil {
		t.Fatal(err)
	}
	lw.webDef(true, 20*time.Second, nil, sim.Behavior{CrashesPerHour: 2})
	lw.serve(sim.ServiceConfig{DesiredCount: 6, CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{
		{Provider: capacity.Fargate, Weight: 1}, {Provider: capacity.FargateSpot, Weight: 1}}}, 150*time.Second, 6, 500*time.Millisecond)
	lw.run(10 * time.Minute)
	if err := lw.w.ScheduleFailure(sim.ScriptedFailure{At: lw.s.Now(), Task: lw.svc.Tasks()[0]}); err != nil {
		t.Fatal(err)
	}
	if err := lw.w.ScheduleZoneOutage("us-east-1a", lw.at(30*time.Minute), lw.at(40*time.Minute)); err != nil {
		t.Fatal(err)
	}
	lw.run(50 * time.Minute)
	return lw
}

// lifecycleSIGKILL: three rolling deployments of four tasks without a
// deregistration delay whose 2 s stop timeout is shorter than many
// requests (2 s of CPU on average at ρ = 0.5, so 4 s in the task), so
// SIGKILL aborts what is still in flight.
func lifecycleSIGKILL(t *testing.T) *lifecycleWorld {
	lw := newLifecycleWorld(t, sim.WorldConfig{})
	lw.launch("m5.xlarge", zones3, 3)
	lw.webDef(false, 2*time.Second, nil, sim.Behavior{})
	lw.run(time.Minute)
	lw.serve(sim.ServiceConfig{DesiredCount: 4}, loadbalancer.NoDeregistrationDelay, 1, 2*time.Second)
	for range 3 {
		lw.run(10 * time.Minute)
		if err := lw.svc.UpdateService(sim.ServiceUpdate{ForceNewDeployment: true}); err != nil {
			t.Fatal(err)
		}
	}
	lw.run(10 * time.Minute)
	return lw
}

// lifecycleHealth: six tasks with a container health check, near
// overload behind an ALB whose health checks wait in the request queue
// (4 in service, 4 waiting), so that targets turn unhealthy, some inside
// the 30 s health check grace period; at 30 min a revision whose
// container health check fails is deployed, with the circuit breaker
// rolling it back.
func lifecycleHealth(t *testing.T) *lifecycleWorld {
	lw := newLifecycleWorld(t, sim.WorldConfig{})
	lw.launch("m5.xlarge", zones3, 6)
	hc := &sim.HealthCheck{Command: []string{"CMD", "true"}, Interval: 10 * time.Second}
	lw.webDef(false, 20*time.Second, hc, sim.Behavior{})
	lw.webDef(false, 20*time.Second, hc, sim.Behavior{UnhealthyAfterStart: true})
	lw.run(time.Minute)
	lw.serveWith(sim.ServiceConfig{DesiredCount: 6, TaskDefinition: "web:1", HealthCheckGracePeriod: 30 * time.Second,
		DeploymentConfiguration: sim.DeploymentConfiguration{CircuitBreaker: sim.CircuitBreaker{Enable: true, Rollback: true}}},
		20*time.Second, sim.WorkloadConfig{
			Source: traffic.Constant{PerSecond: 11}, Demand: traffic.Exponential{Mean: 500 * time.Millisecond},
			Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 4, QueueLimit: 4, Timeout: 10 * time.Second},
		})
	lw.run(29 * time.Minute)
	if err := lw.svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "web:2"}); err != nil {
		t.Fatal(err)
	}
	lw.run(30 * time.Minute)
	return lw
}
