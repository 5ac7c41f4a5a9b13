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
