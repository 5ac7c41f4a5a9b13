package sim_test

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/traffic"
)

// TestServiceScalingFollowsTargetTracking: 20 requests/s of 100 ms of CPU
// on 4 one-vCPU tasks keep them 50 % busy (λ·E[work]/(n·vCPU), utilisation
// law), so the published CPUUtilization is near 50 %; with target tracking
// at 25 % the first scale-out comes after 3 datapoints above the target and
// sets ceil(4 × metric / 25) (≈ 8), which the service applies and logs.
func TestServiceScalingFollowsTargetTracking(t *testing.T) {
	f, lb, svc, store := webBehindALB(t, 7)
	f.workload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 20},
		Demand: traffic.Exponential{Mean: 100 * time.Millisecond},
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited}, Metrics: store})
	policy, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "cpu25", ResourceID: "service/prod/web",
		TargetValue: 25, PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization})
	if err != nil {
		t.Fatal(err)
	}
	scaling := attachPolicy(t, svc, store, policy, 10)
	f.run(5 * time.Minute)
	ds := scaling.Decisions()
	if len(ds) == 0 {
		t.Fatalf("no scaling decision in 5 minutes at 50 %% CPU against a 25 %% target")
	}
	d := ds[0]
	cpu, ok := store.Statistic(metrics.ServiceMetric(metrics.MetricCPUUtilization, "prod", "web"), metrics.Average, time.Minute, d.At)
	if !ok {
		t.Fatalf("no CPU datapoint for the minute before %v", d.At)
	}
	if math.Abs(cpu-50) > 7.5 {
		t.Errorf("CPUUtilization %.1f %%, utilisation law says 50 %%", cpu)
	}
	if want := int(math.Ceil(4 * cpu / 25)); d.From != 4 || d.To != want {
		t.Errorf("decision %v, want 4 → ceil(4 × %.2f / 25) = %d", d, cpu, want)
	}
	if svc.DesiredCount() != ds[len(ds)-1].To {
		t.Errorf("service desired %d, last decision %v", svc.DesiredCount(), ds[len(ds)-1])
	}
	logged := false
	for _, m := range messages(svc) {
		if strings.HasPrefix(m, "desired count changed from 4 to ") && strings.Contains(m, "cpu25") {
			logged = true
		}
	}
	if !logged {
		t.Errorf("the decision is not in the service events: %q", messages(svc))
	}
}

// TestServiceScalingOnRequestCountPerTarget: the load balancer's
// ResourceLabel and metric dimensions are what ALBRequestCountPerTarget
// target tracking reads. 20 requests/s over 4 healthy targets are 300
// requests per target per minute (Poisson: ± 9); against a target of 150
// the first scale-out sets ceil(4 × metric / 150) ≈ 8.
func TestServiceScalingOnRequestCountPerTarget(t *testing.T) {
	f, lb, svc, store := webBehindALB(t, 3)
	f.workload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 20},
		Demand: traffic.Exponential{Mean: 10 * time.Millisecond},
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, QueueLimit: traffic.Unlimited}, Metrics: store})
	policy, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "requests150",
		TargetValue: 150, PredefinedMetric: autoscale.ALBRequestCountPerTarget, ResourceLabel: lb.ResourceLabel()})
	if err != nil {
		t.Fatal(err)
	}
	scaling := attachPolicy(t, svc, store, policy, 20)
	f.run(5 * time.Minute)
	ds := scaling.Decisions()
	if len(ds) == 0 {
		t.Fatalf("no scaling decision at 300 requests per target per minute against a target of 150")
	}
	m, _, err := autoscale.PredefinedMetricSpec(autoscale.ALBRequestCountPerTarget, "", lb.ResourceLabel())
	if err != nil {
		t.Fatal(err)
	}
	v, ok := store.Statistic(m, metrics.Sum, time.Minute, ds[0].At)
	if !ok {
		t.Fatalf("no RequestCountPerTarget datapoint for the minute before %v", ds[0].At)
	}
	if math.Abs(v-300) > 45 {
		t.Errorf("RequestCountPerTarget %.1f, want 300 ± 45", v)
	}
	if want := int(math.Ceil(4 * v / 150)); ds[0].From != 4 || ds[0].To != want {
		t.Errorf("decision %v, want 4 → ceil(4 × %.1f / 150) = %d", ds[0], v, want)
	}
}

// attachPolicy scales svc by policy alone, between 1 and max tasks, reading
// store.
func attachPolicy(t *testing.T, svc *sim.Service, store *metrics.Store, policy autoscale.Policy, max int) *sim.ServiceScaling {
	t.Helper()
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{
		Target: autoscale.ScalableTarget{MinCapacity: 1, MaxCapacity: max}, Policies: []autoscale.Policy{policy}})
	if err != nil {
		t.Fatal(err)
	}
	scaling, err := svc.AttachScaler(ctl, store)
	if err != nil {
		t.Fatal(err)
	}
	return scaling
}

// TestScheduledActionAtItsInstant: a Controller whose scheduled action is
// due at 00:05:30 says so in Decision.Next, and ServiceScaling evaluates it
// then, not at the next whole minute: the desired count rises to the new
// minimum at 00:05:30.
func TestScheduledActionAtItsInstant(t *testing.T) {
	f, _, svc, _ := webBehindALB(t, 5) // the clock is at 00:03
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{
		Target: autoscale.ScalableTarget{MinCapacity: 1, MaxCapacity: 10},
		ScheduledActions: []autoscale.ScheduledAction{
			{Name: "half-past", Schedule: "at(2024-01-01T00:05:30)", MinCapacity: autoscale.Capacity(6)},
		}})
	if err != nil {
		t.Fatal(err)
	}
	scaling, err := svc.AttachScaler(ctl, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.run(5 * time.Minute)
	ds := scaling.Decisions()
	want := sim.DefaultStart.Add(5*time.Minute + 30*time.Second)
	if len(ds) != 1 || !ds[0].At.Equal(want) || ds[0].From != 4 || ds[0].To != 6 {
		t.Fatalf("decisions %v, want one 4 → 6 at %v", ds, want.Format("15:04:05"))
	}
	if !strings.Contains(ds[0].Reason, "scheduled action half-past") {
		t.Errorf("reason %q does not name the action", ds[0].Reason)
	}
}

// recordingPolicy is a policy that records when it proposes and when its
// alarms are evaluated, and abstains.
type recordingPolicy struct {
	proposed, alarms []time.Duration
	start            time.Time
}

func (p *recordingPolicy) Name() string { return "recorder" }

func (p *recordingPolicy) Propose(in autoscale.Input) autoscale.Proposal {
	p.proposed = append(p.proposed, in.Now.Sub(p.start))
	return autoscale.Proposal{}
}

func (p *recordingPolicy) EvaluateAlarms(now time.Time, _ metrics.Reader) {
	p.alarms = append(p.alarms, now.Sub(p.start))
}

// TestEvaluationIntervalHonoured: with EvaluationInterval 5 minutes the
// policies are evaluated every 5 minutes from the first whole minute after
// AttachScaler, while their alarms are evaluated every minute, as
// CloudWatch evaluates alarms.
func TestEvaluationIntervalHonoured(t *testing.T) {
	f, _, svc, store := webBehindALB(t, 5) // the clock is at 00:03
	rec := &recordingPolicy{start: sim.DefaultStart}
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{
		Target: autoscale.ScalableTarget{MinCapacity: 1, MaxCapacity: 10}, Policies: []autoscale.Policy{rec},
		EvaluationInterval: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AttachScaler(ctl, store); err != nil {
		t.Fatal(err)
	}
	f.run(20 * time.Minute) // to 00:23
	var wantProposed, wantAlarms []time.Duration
	for m := 4; m <= 23; m++ {
		wantAlarms = append(wantAlarms, time.Duration(m)*time.Minute)
		if (m-4)%5 == 0 {
			wantProposed = append(wantProposed, time.Duration(m)*time.Minute)
		}
	}
	if !slices.Equal(rec.proposed, wantProposed) {
		t.Errorf("policy evaluated at %v, want %v", rec.proposed, wantProposed)
	}
	if !slices.Equal(rec.alarms, wantAlarms) {
		t.Errorf("alarms evaluated at %v, want every minute %v", rec.alarms, wantAlarms)
	}
}

// stateChecker is a Scaler that holds the State each evaluation is given
// to the service's own accessors at that instant, and then asks for the
// next of a cycle of desired counts.
type stateChecker struct {
	t         *testing.T
	svc       *sim.Service
	counts    []int
	calls     int
	deploying int // evaluations that saw a deployment in progress
	alarms    int // EvaluateAlarms calls
}

func (c *stateChecker) Evaluate(now time.Time, s autoscale.State) autoscale.Decision {
	if c.svc.Status() != sim.ServiceActive {
		c.t.Errorf("%v: evaluated for a service that is %v", now, c.svc.Status())
	}
	if want := (autoscale.State{Desired: c.svc.DesiredCount(), Running: c.svc.RunningCount(), DeploymentInProgress: c.svc.DeploymentInProgress(), Metrics: s.Metrics}); s != want {
		c.t.Errorf("%v: the scaler was given %+v, the service says %+v", now, s, want)
	}
	if s.DeploymentInProgress {
		c.deploying++
	}
	c.calls++
	return autoscale.Decision{Desired: c.counts[c.calls%len(c.counts)]}
}

func (c *stateChecker) EvaluateAlarms(time.Time, metrics.Reader) { c.alarms++ }

// TestScalerSeesTheService: every evaluation is given the service's
// desired count, running count and deployment state as the service itself
// reports them at that instant, while the scaler, UpdateService, a
// deployment and crashing tasks all change them, and no evaluation comes
// once the service is deleted (at desired and running 0, so that nothing
// else about the service changes after Delete).
func TestScalerSeesTheService(t *testing.T) {
	f := newFixture(t, 3, sim.WorldConfig{})
	f.launch("m5.2xlarge", zones3, 3)
	if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
		Family: "web", CPU: 512, MemoryMiB: 512,
		Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:latest", MemoryMiB: 512}},
		Behavior:   sim.Behavior{CrashesPerHour: 4, Shutdown: sim.Fixed(time.Second)},
	}); err != nil {
		t.Fatal(err)
	}
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 3})
	checker := &stateChecker{t: t, svc: svc, counts: []int{3, 3, 6, 6, 6, 2, 2, 9, 9, 9, 4}}
	if _, err := svc.AttachScaler(checker, nil); err != nil {
		t.Fatal(err)
	}
	f.run(20 * time.Minute)
	n := 5
	if err := svc.UpdateService(sim.ServiceUpdate{DesiredCount: &n, ForceNewDeployment: true}); err != nil {
		t.Fatal(err)
	}
	f.run(40 * time.Minute)
	if checker.calls < 59 || checker.alarms < 59 {
		t.Fatalf("%d evaluations and %d alarm evaluations in an hour, want one a minute", checker.calls, checker.alarms)
	}
	if checker.deploying == 0 {
		t.Errorf("no evaluation saw the deployment in progress")
	}
	if svc.Counters().TasksStopped == 0 {
		t.Errorf("no task stopped in an hour of scaling and crashes: the running count never fell")
	}
	checker.counts = []int{0} // scaled in to nothing, so that no task stopping follows the deletion
	f.run(5 * time.Minute)
	if svc.DesiredCount() != 0 || svc.RunningCount() != 0 {
		t.Fatalf("desired %d, running %d after the scaler asked for 0 for 5 minutes", svc.DesiredCount(), svc.RunningCount())
	}
	if err := svc.Delete(false); err != nil {
		t.Fatal(err)
	}
	calls := checker.calls
	f.run(10 * time.Minute)
	if checker.calls != calls {
		t.Errorf("%d evaluations after the service was deleted", checker.calls-calls)
	}
}

// TestWorkloadMetricsFollowTheService: every minute's RunningTaskCount is
// the service's running count at the instant the minute is published, and
// its MemoryUtilization divides by the memory of the task definition the
// service's primary deployment runs at that instant (no requests: the
// base of 128 MiB per task over 512 MiB is 25 %, over 1,024 MiB 12.5 %),
// while crashes, UpdateService and a deployment of another revision
// (started a second before a minute is published) change them.
func TestWorkloadMetricsFollowTheService(t *testing.T) {
	type seen struct{ running, memory int }
	var svc *sim.Service
	published := map[time.Time]seen{} // by the published minute's start
	var s *sim.Sim
	f := newFixtureSim(t, sim.Config{Seed: 5, Observer: func(e sim.Event) {
		if e.Name == "workload-minute" && svc != nil {
			published[s.Start().Add(e.At-time.Minute)] = seen{svc.RunningCount(), svc.Deployments()[0].TaskDefinition().MemoryMiB()}
		}
	}}, sim.WorldConfig{Latencies: fixedLatencies})
	s = f.s
	f.launch("m5.2xlarge", zones3, 3)
	web := func(memory int) {
		if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{
			Family: "web", CPU: 512, MemoryMiB: memory,
			Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:latest", MemoryMiB: memory}},
			Behavior:   sim.Behavior{CrashesPerHour: 6, Shutdown: sim.Fixed(time.Second)},
		}); err != nil {
			t.Fatal(err)
		}
	}
	web(512)
	f.run(time.Minute)
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web"})
	svc = f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web:1", DesiredCount: 3, Observer: lb,
		// No old task stops before a new one is healthy: the deployment
		// changes the primary and nothing else at its instant.
		DeploymentConfiguration: sim.DeploymentConfiguration{MinimumHealthyPercent: sim.Percent(100), MaximumPercent: sim.Percent(200)}})
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f.workload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{}, Mode: sim.FluidMode, MeanWork: 100 * time.Millisecond, Metrics: store, MemoryBaseMiB: 128})
	f.run(20 * time.Minute)
	n := 6
	if err := svc.UpdateService(sim.ServiceUpdate{DesiredCount: &n}); err != nil {
		t.Fatal(err)
	}
	f.run(20*time.Minute - time.Second) // so that a minute is published before any task of the deployment changes the running count
	web(1024)
	if err := svc.UpdateService(sim.ServiceUpdate{TaskDefinition: "web:2"}); err != nil {
		t.Fatal(err)
	}
	f.run(20 * time.Minute)
	counts, memories := map[int]bool{}, map[int]bool{}
	for at, want := range published {
		running, ok := store.Statistic(metrics.RunningTaskCountMetric("prod", "web"), metrics.Maximum, time.Minute, at.Add(time.Minute))
		if !ok {
			continue // no task had registered yet
		}
		if int(running) != want.running {
			t.Errorf("minute %v: RunningTaskCount %v, the service's running count %d", at, running, want.running)
		}
		if mem, ok := store.Statistic(metrics.ServiceMetric(metrics.MetricMemoryUtilization, "prod", "web"), metrics.Maximum, time.Minute, at.Add(time.Minute)); ok {
			if w := 100 * 128 / float64(want.memory); math.Abs(mem-w) > 1e-9 {
				t.Errorf("minute %v: MemoryUtilization %v, want 100 × 128 / %d = %v", at, mem, want.memory, w)
			}
			memories[want.memory] = true
		}
		counts[want.running] = true
	}
	if len(counts) < 4 || !memories[512] || !memories[1024] {
		t.Errorf("the run saw running counts %v and task memories %v: too few changes to test", counts, memories)
	}
}

// TestWorkloadFollowsTheServiceThatTakesOver: blue/green, a new service
// takes over the load balancer of one just deleted; the workload's
// RunningTaskCount (still published under the first service's name, whose
// series the workload made) follows the new service's running count, and
// the old service's last tasks stopping change nothing of it.
func TestWorkloadFollowsTheServiceThatTakesOver(t *testing.T) {
	f := newFixture(t, 2, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	f.portDef("web")
	lb := f.loadBalancer(sim.LoadBalancerConfig{Name: "web"})
	blue := f.service(sim.ServiceConfig{Name: "blue", TaskDefinition: "web", DesiredCount: 2, Observer: lb})
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	f.workload(sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 1}, Mode: sim.FluidMode, MeanWork: 10 * time.Millisecond, Metrics: store})
	f.run(5 * time.Minute)
	running := func() float64 {
		t.Helper()
		v, ok := store.Statistic(metrics.RunningTaskCountMetric("prod", "blue"), metrics.Maximum, time.Minute, f.s.Now().Truncate(time.Minute))
		if !ok {
			t.Fatalf("no RunningTaskCount for the minute before %v", f.s.Now())
		}
		return v
	}
	if got := running(); got != 2 {
		t.Fatalf("blue: RunningTaskCount %v, want 2", got)
	}
	if err := blue.Delete(true); err != nil {
		t.Fatal(err)
	}
	green := f.service(sim.ServiceConfig{Name: "green", TaskDefinition: "web", DesiredCount: 3, Observer: lb})
	f.run(15 * time.Minute)
	if green.RunningCount() != 3 || blue.RunningCount() != 0 {
		t.Fatalf("green runs %d tasks and blue %d, want 3 and 0", green.RunningCount(), blue.RunningCount())
	}
	if got := running(); got != 3 {
		t.Errorf("after green took over: RunningTaskCount %v, want green's 3", got)
	}
}
