package sim_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
)

func perProvider(ts []*sim.Task) map[string]int {
	m := map[string]int{}
	for _, t := range ts {
		if p := t.CapacityProvider(); p != nil {
			m[p.Name()]++
		}
	}
	return m
}

// TestStrategyWorkedExampleIFargate: a service of 10 tasks with FARGATE
// base 2 weight 1 and FARGATE_SPOT weight 3 ends with 4 On-Demand and 6
// Spot tasks (worked example I); 2 tasks give 2 and 0, 6 give 3 and 3.
func TestStrategyWorkedExampleIFargate(t *testing.T) {
	for _, tc := range []struct{ desired, od, spot int }{{10, 4, 6}, {2, 2, 0}, {6, 3, 3}} {
		f := newFixture(t, 1, sim.WorldConfig{})
		f.fargateDef("web", 512, 1024)
		if err := f.c.PutCapacityProviders([]string{"FARGATE", "FARGATE_SPOT"}, nil); err != nil {
			t.Fatal(err)
		}
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: tc.desired,
			CapacityProviderStrategy: []sim.CapacityProviderStrategyItem{
				{Provider: "FARGATE", Base: 2, Weight: 1}, {Provider: "FARGATE_SPOT", Weight: 3}}})
		f.run(2 * time.Minute)
		got := perProvider(svc.Tasks())
		if got["FARGATE"] != tc.od || got["FARGATE_SPOT"] != tc.spot || svc.RunningCount() != tc.desired {
			t.Errorf("desired %d: %v running %d, want FARGATE %d FARGATE_SPOT %d", tc.desired, got, svc.RunningCount(), tc.od, tc.spot)
		}
		for _, tk := range svc.Tasks() {
			if tk.IsSpot() != (tk.CapacityProvider().Name() == "FARGATE_SPOT") {
				t.Errorf("task on %s reports spot %v", tk.CapacityProvider().Name(), tk.IsSpot())
			}
		}
	}
}

// asgProvider creates an Auto Scaling group provider of m5.large.
func (f *fixture) asgProvider(cfg sim.AutoScalingGroupProviderConfig) *sim.CapacityProvider {
	f.t.Helper()
	if cfg.InstanceType == "" {
		cfg.InstanceType = "m5.large"
	}
	if cfg.Zones == nil {
		cfg.Zones = zones3
	}
	p, err := f.w.CreateCapacityProvider(cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// TestStrategyWorkedExampleIAutoScalingGroups: the workshop's CP-OD base 2
// weight 1 and CP-SPOT weight 3, as Auto Scaling group providers with
// room for everything, split 10 tasks 4 and 6, each on its own group's
// instances; the cluster default strategy applies to a service that names
// none.
func TestStrategyWorkedExampleIAutoScalingGroups(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.taskDef("web", 256, 512, sim.Behavior{})
	od := f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "CP-OD", MinSize: 0, MaxSize: 10, DesiredCapacity: 3})
	spot := f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "CP-SPOT", MinSize: 0, MaxSize: 10, DesiredCapacity: 3, Spot: true})
	err := f.c.PutCapacityProviders([]string{"CP-OD", "CP-SPOT"}, []sim.CapacityProviderStrategyItem{
		{Provider: "CP-OD", Base: 2, Weight: 1}, {Provider: "CP-SPOT", Weight: 3}})
	if err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute) // the groups' instances register (30 s)
	svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 10})
	f.run(time.Minute)
	got := perProvider(svc.Tasks())
	if got["CP-OD"] != 4 || got["CP-SPOT"] != 6 || svc.RunningCount() != 10 {
		t.Errorf("%v running %d, want CP-OD 4 CP-SPOT 6", got, svc.RunningCount())
	}
	for _, tk := range svc.Tasks() {
		if tk.Instance().CapacityProvider() != tk.CapacityProvider() {
			t.Errorf("task of %s placed on an instance of %v", tk.CapacityProvider().Name(), tk.Instance().CapacityProvider())
		}
	}
	if len(od.Instances()) != 3 || len(spot.Instances()) != 3 || !spot.Instances()[0].IsSpot() || od.Instances()[0].IsSpot() {
		t.Errorf("groups: %d and %d instances", len(od.Instances()), len(spot.Instances()))
	}
}

// TestStrategyValidation: the strategies ECS rejects (worked example I's
// all-zero weights, too many providers, unknown or unassociated
// providers, mixing Fargate and Auto Scaling groups) fail CreateService
// and RunTask, every problem at once.
func TestStrategyValidation(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.fargateDef("web", 512, 1024)
	f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", MaxSize: 1})
	if err := f.c.PutCapacityProviders([]string{"FARGATE", "FARGATE_SPOT", "asg"}, nil); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]sim.CapacityProviderStrategyItem{
		"all weights zero": {{Provider: "FARGATE"}, {Provider: "FARGATE_SPOT"}},
		"two bases":        {{Provider: "FARGATE", Base: 1, Weight: 1}, {Provider: "FARGATE_SPOT", Base: 1, Weight: 1}},
		"not associated":   {{Provider: "nope", Weight: 1}},
		"mixed":            {{Provider: "FARGATE", Weight: 1}, {Provider: "asg", Weight: 1}},
	}
	many := make([]sim.CapacityProviderStrategyItem, capacity.MaxStrategyProviders+1)
	for i := range many {
		many[i] = sim.CapacityProviderStrategyItem{Provider: "FARGATE", Weight: 1}
	}
	cases["too many providers"] = many
	for name, s := range cases {
		if _, err := f.c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1, CapacityProviderStrategy: s}); !errors.Is(err, sim.ErrInvalidService) {
			t.Errorf("%s: CreateService err %v, want ErrInvalidService", name, err)
		}
		if _, err := f.w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web", CapacityProviderStrategy: s}); !errors.Is(err, sim.ErrInvalidRunTask) {
			t.Errorf("%s: RunTask err %v, want ErrInvalidRunTask", name, err)
		}
	}
	if err := f.c.PutCapacityProviders([]string{"FARGATE"}, []sim.CapacityProviderStrategyItem{{Provider: "FARGATE"}}); !errors.Is(err, sim.ErrConfig) {
		t.Errorf("removing providers and an all-zero default: %v", err)
	}
	if _, err := f.w.CreateCapacityProvider(sim.AutoScalingGroupProviderConfig{Name: "FARGATE", InstanceType: "m5.huge", MinSize: 2, MaxSize: 1, ManagedTerminationProtection: true}); err == nil || len(err.(interface{ Unwrap() []error }).Unwrap()) < 4 {
		t.Errorf("bad provider: %v, want four problems at once", err)
	}
}

// TestStrategyPropertyBaseThenWeight: for any two-provider strategy and
// any sequence of scale-outs, the service's tasks per provider are base
// first, then within one task of the weighted share of the rest:
//
//	base provider: min(T, base) + share;  |post_i − R·w_i/Σw| < 1,  R = T − min(T, base)
func TestStrategyPropertyBaseThenWeight(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		base := rapid.IntRange(0, 6).Draw(rt, "base")
		w0 := rapid.IntRange(0, 5).Draw(rt, "w0")
		w1 := rapid.IntRange(0, 5).Draw(rt, "w1")
		if w0+w1 == 0 {
			w1 = 1
		}
		steps := rapid.SliceOfN(rapid.IntRange(1, 15), 1, 4).Draw(rt, "steps")
		f := newFixture(t, 1, sim.WorldConfig{})
		f.fargateDef("web", 256, 512)
		if err := f.c.PutCapacityProviders([]string{"FARGATE", "FARGATE_SPOT"}, []sim.CapacityProviderStrategyItem{
			{Provider: "FARGATE", Base: base, Weight: w0}, {Provider: "FARGATE_SPOT", Weight: w1}}); err != nil {
			rt.Fatal(err)
		}
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web"})
		total := 0
		for _, n := range steps {
			total += n
			if err := svc.SetDesiredCount(total); err != nil {
				rt.Fatal(err)
			}
			f.run(time.Minute)
			got := perProvider(svc.Tasks())
			if got["FARGATE"]+got["FARGATE_SPOT"] != total {
				rt.Fatalf("desired %d: %v", total, got)
			}
			b := min(total, base)
			rest := float64(total - b)
			post := []float64{float64(got["FARGATE"] - b), float64(got["FARGATE_SPOT"])}
			for i, w := range []int{w0, w1} {
				share := rest * float64(w) / float64(w0+w1)
				if math.Abs(post[i]-share) >= 1 {
					rt.Fatalf("desired %d base %d weights %d:%d: %v, provider %d has %v beyond the base, share %.2f", total, base, w0, w1, got, i, post[i], share)
				}
			}
		}
	})
}

// TestProvisioningLimit: tasks of an Auto Scaling group provider with no
// room wait in PROVISIONING, at most 500 per cluster, the ECS quota "Tasks
// in the PROVISIONING state per cluster" (it was 300 before;
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html);
// the rest fail with ECS's service event "was unable to place tasks in
// your cluster because the tasks provisioning capacity limit was
// exceeded." and, with the circuit breaker on, where a pass started some
// tasks of the deployment but not all, "could not launch N tasks for
// deployment ID."
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages-list.html).
// The launch rate is raised so that one scheduling pass asks for every
// task and the pass is partial. The cap is configurable
// (Quotas.ProvisioningTasksPerCluster: 300 reproduces the old figure). A task definition with the maximum of 10
// constraints still gets the provider's condition (joined to its last
// memberOf).
func TestProvisioningLimit(t *testing.T) {
	for _, tc := range []struct {
		quota, desired, want int
	}{{0, 550, 500}, {300, 350, 300}} {
		f := newFixture(t, 1, sim.WorldConfig{Quotas: sim.Quotas{ProvisioningTasksPerCluster: tc.quota}, ServiceLaunchRate: sim.MaxLaunchRate})
		f.taskDef("web", 256, 512, sim.Behavior{})
		p := f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "empty", MaxSize: 0})
		if err := f.c.PutCapacityProviders([]string{"empty"}, []sim.CapacityProviderStrategyItem{{Provider: "empty", Weight: 1}}); err != nil {
			t.Fatal(err)
		}
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: tc.desired,
			DeploymentConfiguration: sim.DeploymentConfiguration{CircuitBreaker: sim.CircuitBreaker{Enable: true}}})
		f.run(5 * time.Minute)
		if got := len(p.ProvisioningTasks()); got != tc.want || svc.PendingCount() != tc.want {
			t.Errorf("quota %d: %d tasks waiting, %d pending, want %d", tc.quota, got, svc.PendingCount(), tc.want)
		}
		if got := svc.Counters().UnplacedTasks; got < tc.desired-tc.want {
			t.Errorf("quota %d: unplaced %d, want at least %d", tc.quota, got, tc.desired-tc.want)
		}
		msgs := messages(svc)
		limit := "was unable to place tasks in your cluster because the tasks provisioning capacity limit was exceeded."
		if !slices.Contains(msgs, limit) {
			t.Errorf("quota %d: no provisioning limit event in %d events", tc.quota, len(msgs))
		}
		partial := fmt.Sprintf("could not launch %d tasks for deployment %s.", tc.desired-tc.want, svc.Deployments()[0].ID())
		if !slices.Contains(msgs, partial) {
			t.Errorf("quota %d: no %q event", tc.quota, partial)
		}
		if tc.quota == 0 {
			// The same without the breaker: no such event.
			g := newFixture(t, 1, sim.WorldConfig{ServiceLaunchRate: sim.MaxLaunchRate})
			g.taskDef("web", 256, 512, sim.Behavior{})
			g.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "empty", MaxSize: 0})
			if err := g.c.PutCapacityProviders([]string{"empty"}, []sim.CapacityProviderStrategyItem{{Provider: "empty", Weight: 1}}); err != nil {
				t.Fatal(err)
			}
			plain := g.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: tc.desired})
			g.run(5 * time.Minute)
			for _, m := range messages(plain) {
				if strings.HasPrefix(m, "could not launch") {
					t.Errorf("without the circuit breaker: %q", m)
				}
			}
		}
	}
	if sim.DefaultProvisioningTasksPerCluster != 500 {
		t.Errorf("default PROVISIONING cap %d, want AWS's 500", sim.DefaultProvisioningTasksPerCluster)
	}

	g := newFixture(t, 1, sim.WorldConfig{})
	var cons []placement.Constraint
	for range placement.MaxConstraints {
		cons = append(cons, placement.Constraint{Type: placement.MemberOf, Expression: "attribute:ecs.os-type == linux"})
	}
	g.taskDef("web", 256, 512, sim.Behavior{})
	g.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "one", MaxSize: 1, DesiredCapacity: 1})
	other := g.launch("m5.large", zones3[:1], 1)[0]
	if err := g.c.PutCapacityProviders([]string{"one"}, []sim.CapacityProviderStrategyItem{{Provider: "one", Weight: 1}}); err != nil {
		t.Fatal(err)
	}
	g.run(time.Minute)
	svc := g.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 4, PlacementConstraints: cons})
	g.run(time.Minute)
	if svc.RunningCount() != 4 || len(other.Tasks()) != 0 {
		t.Errorf("running %d, %d on the instance outside the group; want 4 and 0", svc.RunningCount(), len(other.Tasks()))
	}
}

// TestProvisioningTimeout: with the Auto Scaling group at its maximum, the
// tasks that do not fit wait in PROVISIONING and are stopped
// ProvisioningTimeout after they were created (TaskFailedToStart, the
// simulator's reason), and the service starts others that wait again; by
// default after 30 minutes.
func TestProvisioningTimeout(t *testing.T) {
	for _, tc := range []struct {
		cfg, want time.Duration
	}{{10 * time.Minute, 10 * time.Minute}, {0, sim.DefaultProvisioningTimeout}} {
		f := newFixture(t, 4, sim.WorldConfig{Capacity: sim.CapacityConfig{ProvisioningTimeout: tc.cfg}})
		f.taskDef("web", 1024, 1024, sim.Behavior{})
		ms := capacity.ManagedScalingConfig{TargetCapacity: 100}
		f.asgProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", MinSize: 1, MaxSize: 1, DesiredCapacity: 1, ManagedScaling: &ms})
		if err := f.c.PutCapacityProviders([]string{"asg"}, []sim.CapacityProviderStrategyItem{{Provider: "asg", Weight: 1}}); err != nil {
			t.Fatal(err)
		}
		f.run(time.Minute)
		created := f.s.Now()
		svc := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 4})
		f.run(tc.want - time.Second)
		waiting := 0
		for _, tk := range svc.Tasks() {
			if tk.State() == sim.TaskProvisioning {
				waiting++
			}
		}
		if waiting != 2 || svc.RunningCount() != 2 {
			t.Fatalf("timeout %v: %d waiting, %d running just before the timeout; want 2 and 2 (one m5.large holds two 1-vCPU tasks)", tc.want, waiting, svc.RunningCount())
		}
		f.run(2 * time.Minute)
		timedOut := 0
		for _, tk := range f.w.Tasks() {
			if tk.StoppedReason() == sim.ProvisioningTimeoutReason {
				timedOut++
				if tk.StopCode() != sim.StopTaskFailedToStart || tk.CreatedAt() != created {
					t.Errorf("timed-out task: code %v, created %v (service created %v)", tk.StopCode(), tk.CreatedAt(), created)
				}
				if d := tk.StoppedAt().Sub(tk.CreatedAt()); d < tc.want || d > tc.want+time.Minute {
					t.Errorf("timeout %v: task stopped %v after it was created", tc.want, d)
				}
			}
		}
		if timedOut != 2 {
			t.Errorf("timeout %v: %d tasks stopped for waiting too long, want 2", tc.want, timedOut)
		}
		if got := len(svc.Tasks()); got != 4 || svc.RunningCount() != 2 {
			t.Errorf("timeout %v: after the timeout the service has %d tasks, %d running; want 2 new ones waiting beside the 2 running", tc.want, got, svc.RunningCount())
		}
	}
}
