package sim_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/dist"
	"github.com/ecssim/ecssim/sim/traffic"
)

// Regression tests for the defect classes of the robustness issue, one
// named test per class, driven through the World's API as the hostile
// inputs were. Each input was accepted by the simulator before, and then
// panicked, hung or corrupted the run; now it is refused at the call with
// an error naming the field, or it runs to a correct end. The engine's
// clock is TestRegressionClockNeverRunsBackwards (engine_test.go), the
// distributions' draws TestRegressionDistNegativeDuration (sim/dist), and
// the files a scenario reads TestRegressionTraceSymlink, ...DevZero and
// ...SizeCap (sim/scenario).

// wantFieldError fails unless err matches sentinel and one of its
// *fielderr.Error values names a field containing field.
func wantFieldError(t *testing.T, what string, err, sentinel error, field string) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: error %v does not match %v", what, err, sentinel)
	}
	for _, e := range flattenErrors(err) {
		var fe *fielderr.Error
		if errors.As(e, &fe) && strings.Contains(fe.Field, field) {
			return
		}
	}
	t.Fatalf("%s: no problem names a field with %q: %v", what, field, err)
}

// portDef registers a bridge task definition that a load balancer can
// front (a container port, host port chosen per task).
func (f *fixture) portDef(family string) {
	f.t.Helper()
	if _, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: family, Containers: []sim.ContainerDefinition{{
		Name: "app", Image: family + ":1", CPU: 256, MemoryMiB: 512, PortMappings: []sim.PortMapping{{ContainerPort: 80}}}}}); err != nil {
		f.t.Fatal(err)
	}
}

// TestRegressionLoadBalancerReusedAfterDelete: blue/green, a new service
// takes over the load balancer of one just deleted, while the old one's
// targets still drain. The second service used to be wired to a target
// table the first still owned, and the run panicked.
func TestRegressionLoadBalancerReusedAfterDelete(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 3)
	f.portDef("web")
	lb, err := f.w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	blue := f.service(sim.ServiceConfig{Name: "blue", TaskDefinition: "web", DesiredCount: 2, Observer: lb})
	f.run(5 * time.Minute)
	if got := lb.TargetGroup().Counts().Healthy; got != 2 {
		t.Fatalf("blue: %d healthy targets, want 2", got)
	}
	// While blue is ACTIVE the load balancer is its own.
	_, err = f.c.CreateService(sim.ServiceConfig{Name: "green", TaskDefinition: "web", DesiredCount: 2, Observer: lb})
	wantFieldError(t, "a load balancer of an ACTIVE service", err, sim.ErrInvalidService, "Observer")
	if err := blue.Delete(true); err != nil {
		t.Fatal(err)
	}
	green := f.service(sim.ServiceConfig{Name: "green", TaskDefinition: "web", DesiredCount: 3, Observer: lb})
	f.run(15 * time.Minute)
	if blue.Status() != sim.ServiceInactive || len(blue.Tasks()) != 0 {
		t.Errorf("blue is %v with %d tasks", blue.Status(), len(blue.Tasks()))
	}
	c := lb.TargetGroup().Counts()
	if green.RunningCount() != 3 || c.Healthy != 3 || c.Draining != 0 || c.Initial != 0 {
		t.Errorf("green runs %d tasks; targets %+v; want 3 healthy and nothing else", green.RunningCount(), c)
	}
}

// TestRegressionEmptyAttributeName: a custom attribute with an empty name
// (or any name or value ECS refuses) used to be accepted at launch and
// panic at registration, 30 s later. It is refused at the call, and the
// cluster is left as it was.
func TestRegressionEmptyAttributeName(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	for _, attrs := range []map[string]string{{"": "x"}, {"stack": ""}, {strings.Repeat("k", 129): "v"}, {"k": strings.Repeat("v", 129)}} {
		in, err := f.c.LaunchInstance(sim.InstanceSpec{Type: "m5.large", Zone: "us-east-1a", Attributes: attrs})
		wantFieldError(t, "attributes", err, sim.ErrConfig, "Attributes")
		if in != nil {
			t.Errorf("%v: an instance was returned with the error", attrs)
		}
	}
	f.run(time.Minute)
	if n := len(f.c.Instances()); n != 0 {
		t.Errorf("%d instances launched by refused calls", n)
	}
}

// rateSource is a caller's own Source whose rate and bound can be
// anything: the workload cannot validate it at construction.
type rateSource struct{ rate, bound float64 }

func (s rateSource) Rate(time.Duration) float64         { return s.rate }
func (s rateSource) MaxRate(_, _ time.Duration) float64 { return s.bound }

// loadedService returns a fixture with two tasks behind a load balancer,
// for a workload.
func loadedService(t *testing.T, cfg sim.Config) (*fixture, *sim.LoadBalancer) {
	f := newFixtureSim(t, cfg, sim.WorldConfig{Latencies: fixedLatencies})
	f.launch("m5.large", zones3, 2)
	f.portDef("web")
	lb, err := f.w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "web"})
	if err != nil {
		t.Fatal(err)
	}
	f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 2, Observer: lb})
	f.run(3 * time.Minute)
	return f, lb
}

func fluidWorkload(lb *sim.LoadBalancer, src traffic.Source) sim.WorkloadConfig {
	return sim.WorkloadConfig{LoadBalancer: lb, Mode: sim.FluidMode, Source: src, MeanWork: 50 * time.Millisecond,
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 8, QueueLimit: 20, Timeout: 5 * time.Second}}
}

func checkCounters(t *testing.T, what string, c sim.WorkloadCounters) {
	t.Helper()
	for _, v := range []int64{c.Arrived, c.Served, c.NoTarget, c.Rejected, c.TimedOut, c.Aborted, c.InFlight} {
		if v < 0 {
			t.Fatalf("%s: a negative counter: %+v", what, c)
		}
	}
	if c.Arrived != c.Served+c.NoTarget+c.Rejected+c.TimedOut+c.Aborted+c.InFlight {
		t.Fatalf("%s: requests not conserved: %+v", what, c)
	}
}

// TestRegressionNegativeFluidRate: a negative or NaN rate reached the
// fluid formulas mid-run and panicked there. A package Source with such a
// rate is refused at NewWorkload; a caller's own Source, which can only
// be read as the run goes, has such rates read as zero.
func TestRegressionNegativeFluidRate(t *testing.T) {
	f, lb := loadedService(t, sim.Config{Seed: 1})
	for _, r := range []float64{-1, math.NaN(), math.Inf(-1)} {
		_, err := f.w.NewWorkload(fluidWorkload(lb, traffic.Constant{PerSecond: r}))
		wantFieldError(t, "Constant rate", err, sim.ErrInvalidWorkload, "Source")
	}
	for _, src := range []rateSource{{-1, -1}, {math.NaN(), math.NaN()}, {-5, 10}} {
		f, lb := loadedService(t, sim.Config{Seed: 1})
		wl, err := f.w.NewWorkload(fluidWorkload(lb, src))
		if err != nil {
			t.Fatal(err)
		}
		f.run(10 * time.Minute)
		c := wl.Counters()
		checkCounters(t, "own source", c)
		if c.Arrived != 0 {
			t.Errorf("rate %v: %d requests arrived, want 0", src.rate, c.Arrived)
		}
	}
}

// TestRegressionNaNPrice: a catalog price of NaN (or negative, or
// infinite) was accepted, and the bill panicked or went NaN.
func TestRegressionNaNPrice(t *testing.T) {
	m5, ok := sim.DefaultCatalog().Lookup("m5.large")
	if !ok {
		t.Fatal("no m5.large")
	}
	for _, p := range []float64{math.NaN(), -0.1, math.Inf(1)} {
		it := m5
		it.PricePerHour = p
		_, err := sim.NewCatalog([]sim.InstanceType{it})
		wantFieldError(t, "price", err, sim.ErrConfig, "PricePerHour")
	}
	if _, err := sim.NewCatalog([]sim.InstanceType{m5}); err != nil {
		t.Fatalf("the default m5.large: %v", err)
	}
}

// TestRegressionNegativeInstanceCount: LaunchInstances with a negative
// count panicked (a slice of negative length); one of a billion took
// minutes and all memory. Both are refused, with nothing launched.
func TestRegressionNegativeInstanceCount(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	for _, n := range []int{-1, math.MinInt, 0, sim.DefaultInstancesPerCluster + 1, 1 << 30, math.MaxInt} {
		ins, err := f.c.LaunchInstances("m5.large", zones3, n)
		wantFieldError(t, "count", err, sim.ErrConfig, "n")
		if ins != nil {
			t.Errorf("LaunchInstances(%d) returned %d instances with its error", n, len(ins))
		}
	}
	if n := len(f.c.Instances()); n != 0 {
		t.Errorf("%d instances launched by refused calls", n)
	}
	// The whole quota in one call is all or nothing: it fills the
	// cluster, and one more is refused.
	if _, err := f.c.LaunchInstances("m5.large", zones3, sim.DefaultInstancesPerCluster); err != nil {
		t.Fatal(err)
	}
	_, err := f.c.LaunchInstances("m5.large", zones3, 1)
	wantFieldError(t, "one over the quota", err, sim.ErrConfig, "n")
}

// TestRegressionForeignWorld: an instance, task or load balancer of
// another World was accepted, and the run panicked (or acted on the
// other world). Every call that takes one refuses it, naming the field.
func TestRegressionForeignWorld(t *testing.T) {
	other, otherLB := loadedService(t, sim.Config{Seed: 2})
	foreignTask := other.w.Tasks()[0]
	foreignInstance := other.c.Instances()[0]
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 1)
	f.portDef("web")
	f.run(time.Minute)

	_, err := f.c.CreateService(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1, Observer: otherLB})
	wantFieldError(t, "CreateService", err, sim.ErrNotFound, "Observer")
	_, err = f.w.NewWorkload(fluidWorkload(otherLB, traffic.Constant{PerSecond: 1}))
	wantFieldError(t, "NewWorkload", err, sim.ErrNotFound, "LoadBalancer")
	wantFieldError(t, "StopTask", f.w.StopTask(foreignTask, "bye"), sim.ErrNotFound, "")
	wantFieldError(t, "ScheduleFailure(Instance)", f.w.ScheduleFailure(sim.ScriptedFailure{At: f.s.Now(), Instance: foreignInstance}),
		sim.ErrNotFound, "ScriptedFailure.Instance")
	wantFieldError(t, "ScheduleFailure(Task)", f.w.ScheduleFailure(sim.ScriptedFailure{At: f.s.Now(), Task: foreignTask}),
		sim.ErrNotFound, "ScriptedFailure.Task")
	s := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1})
	wantFieldError(t, "Service.Attach", s.Attach(otherLB), sim.ErrNotFound, "Service.Attach")

	f.run(10 * time.Minute)
	other.run(10 * time.Minute)
	if foreignTask.State() != sim.TaskRunning || foreignInstance.Status() != sim.InstanceActive {
		t.Errorf("the other world's task is %v and instance %v: a refused call acted on them", foreignTask.State(), foreignInstance.Status())
	}
	if s.RunningCount() != 1 {
		t.Errorf("this world's service runs %d tasks, want 1", s.RunningCount())
	}
}

// TestRegressionInfiniteArrivalRate: an infinite rate (or a bound far
// above the rate) spun inside one arrival draw, where the runaway guard
// cannot see it: RunFor never returned. A package Source is refused; a
// caller's own is drawn at most at traffic.MaxPerSecond, a bounded amount
// of work per draw, so the event budget ends the run.
func TestRegressionInfiniteArrivalRate(t *testing.T) {
	f, lb := loadedService(t, sim.Config{Seed: 1})
	cfg := sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: math.Inf(1)}, Demand: dist.Exponential(50 * time.Millisecond),
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 8, QueueLimit: 20, Timeout: 5 * time.Second}}
	_, err := f.w.NewWorkload(cfg)
	wantFieldError(t, "Constant{+Inf}", err, sim.ErrInvalidWorkload, "Source")

	for _, src := range []rateSource{{math.Inf(1), math.Inf(1)}, {0, math.Inf(1)}, {1e-9, 1e300}, {1, math.NaN()}} {
		const budget = 200_000
		f, lb := loadedService(t, sim.Config{Seed: 1, MaxEvents: budget})
		cfg.LoadBalancer, cfg.Source = lb, src
		wl, err := f.w.NewWorkload(cfg)
		if err != nil {
			t.Fatal(err)
		}
		err = f.s.RunFor(time.Hour)
		if err != nil && !errors.Is(err, sim.ErrEventLimit) {
			t.Fatalf("rate %v, bound %v: %v", src.rate, src.bound, err)
		}
		c := wl.Counters()
		checkCounters(t, "own source", c)
		if secs := f.s.Elapsed().Seconds() - 180; float64(c.Arrived) > traffic.MaxPerSecond*secs+1000 {
			t.Errorf("rate %v: %d arrivals in %v s, above MaxPerSecond", src.rate, c.Arrived, secs)
		}
	}
}

// TestRegressionTinyFluidStep: a 1 ns fluid step divides a minute, so it
// was accepted, and a simulated minute cost 6·10¹⁰ steps: in effect a
// hang. Steps shorter than traffic.MinFluidStep are refused.
func TestRegressionTinyFluidStep(t *testing.T) {
	f, lb := loadedService(t, sim.Config{Seed: 1})
	for _, step := range []time.Duration{time.Nanosecond, time.Millisecond, 999 * time.Millisecond, -time.Second} {
		cfg := fluidWorkload(lb, traffic.Constant{PerSecond: 10})
		cfg.FluidStep = step
		_, err := f.w.NewWorkload(cfg)
		wantFieldError(t, step.String(), err, sim.ErrInvalidWorkload, "FluidStep")
	}
	cfg := fluidWorkload(lb, traffic.Constant{PerSecond: 10})
	cfg.FluidStep = traffic.MinFluidStep
	wl, err := f.w.NewWorkload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.run(time.Minute)
	if got := wl.Counters().Arrived; got != 600 {
		t.Errorf("10/s for a minute in steps of %v: %d arrived, want 600", traffic.MinFluidStep, got)
	}
}

// TestRegressionCounterWrap: a rate of 1e300 was accepted, and the
// request counters (int64 conversions of the fluid model's cumulative
// expectations) wrapped to negative numbers. Rates are bounded by
// traffic.MaxPerSecond, at which the counters of the longest run the
// clock allows (End, about 292 years: 9.2·10¹⁷ requests) stay below
// 2⁶³ ≈ 9.2·10¹⁸; a day at that rate counts exactly.
func TestRegressionCounterWrap(t *testing.T) {
	f, lb := loadedService(t, sim.Config{Seed: 1})
	for _, r := range []float64{1e300, traffic.MaxPerSecond * 1.01, math.MaxFloat64} {
		_, err := f.w.NewWorkload(fluidWorkload(lb, traffic.Constant{PerSecond: r}))
		wantFieldError(t, "rate above MaxPerSecond", err, sim.ErrInvalidWorkload, "Source")
	}
	if limit := traffic.MaxPerSecond * sim.End.Seconds(); limit >= math.MaxInt64 {
		t.Fatalf("MaxPerSecond for End is %g requests, past int64", limit)
	}
	cfg := fluidWorkload(lb, traffic.Constant{PerSecond: traffic.MaxPerSecond})
	cfg.FluidStep = time.Hour
	wl, err := f.w.NewWorkload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.run(24*time.Hour - 3*time.Minute) // to the whole hour, where a step ends
	c := wl.Counters()
	checkCounters(t, "a day at MaxPerSecond", c)
	if want := int64(traffic.MaxPerSecond * (24*time.Hour - 3*time.Minute).Seconds()); c.Arrived != want {
		t.Errorf("arrived %d, want %d", c.Arrived, want)
	}
}

// TestRegressionTaskDefinitionSumOverflow: the containers' CPU and memory
// were summed in int, so two huge containers wrapped to a small or
// negative task size that placement then accepted. Every size and sum is
// bounded, and the problems are named.
func TestRegressionTaskDefinitionSumOverflow(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	half := math.MaxInt/2 + 1
	_, err := f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "big", Containers: []sim.ContainerDefinition{
		{Name: "a", Image: "x", CPU: half, MemoryMiB: half}, {Name: "b", Image: "x", CPU: half, MemoryMiB: half}}})
	wantFieldError(t, "huge containers", err, sim.ErrInvalidTaskDefinition, "CPU")
	wantFieldError(t, "huge containers", err, sim.ErrInvalidTaskDefinition, "Memory")
	// Each container alone at the largest size, two of them: the sum is
	// what is refused.
	_, err = f.w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "big", Containers: []sim.ContainerDefinition{
		{Name: "a", Image: "x", CPU: sim.MaxTaskCPU, MemoryMiB: 1024}, {Name: "b", Image: "x", CPU: sim.MaxTaskCPU, MemoryMiB: 1024}}})
	wantFieldError(t, "two containers at MaxTaskCPU", err, sim.ErrInvalidTaskDefinition, "Containers")
	if !strings.Contains(err.Error(), "CPU adds up to more than") {
		t.Errorf("the sum is not what is refused: %v", err)
	}
	if _, err := f.w.TaskDefinition("big"); err == nil {
		t.Error("a refused task definition was registered")
	}
}

// TestRegressionWorkDistributionHang: a hyperexponential work with C² < 1
// (or a lognormal with a NaN C²) drew NaN, read as a work that never
// ends, so every request hung with no error. Such a Demand is refused.
func TestRegressionWorkDistributionHang(t *testing.T) {
	f, lb := loadedService(t, sim.Config{Seed: 1})
	for _, d := range []traffic.Demand{
		traffic.HyperExponential{Mean: time.Second, SCV: 0.5}, traffic.HyperExponential{Mean: time.Second, SCV: math.NaN()},
		traffic.Lognormal{Mean: time.Second, SCV: math.NaN()}, traffic.Exponential{Mean: 0},
		dist.HyperExponential(time.Second, 0.5), dist.LogNormal(time.Second, math.NaN()), dist.Dist{},
	} {
		cfg := sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: 10}, Demand: d,
			Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 8, QueueLimit: 20}}
		_, err := f.w.NewWorkload(cfg)
		wantFieldError(t, "demand", err, sim.ErrInvalidWorkload, "Demand")
	}
}

// TestRegressionBillionInstanceProvider: a capacity provider of a billion
// instances sat in its launches for minutes, O(N) per instance. A group
// larger than the instances quota is refused at once; one at the quota
// launches in time linear in its size (BenchmarkLaunchInstances).
func TestRegressionBillionInstanceProvider(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	_, err := f.w.CreateCapacityProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", InstanceType: "m5.large", Zones: zones3,
		MinSize: 1e9, MaxSize: 1e9, DesiredCapacity: 1e9})
	wantFieldError(t, "a billion", err, sim.ErrConfig, "MaxSize")
	if f.w.CapacityProvider("asg") != nil {
		t.Fatal("a refused provider exists")
	}
	const n = 2000
	p, err := f.w.CreateCapacityProvider(sim.AutoScalingGroupProviderConfig{Name: "asg", InstanceType: "m5.large", Zones: zones3,
		MinSize: n, MaxSize: n, DesiredCapacity: n})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.c.PutCapacityProviders([]string{"asg"}, nil); err != nil {
		t.Fatal(err)
	}
	f.run(10 * time.Minute)
	if got := len(p.Instances()); got != n {
		t.Errorf("the group has %d instances, want %d", got, n)
	}
}

// newScaler returns a target tracking controller for service/prod/name.
func newScaler(t *testing.T, name string) *autoscale.Controller {
	t.Helper()
	tt, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "cpu", ResourceID: "service/prod/" + name, TargetValue: 50,
		PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization})
	if err != nil {
		t.Fatal(err)
	}
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{Target: autoscale.ScalableTarget{ResourceID: "service/prod/" + name, MinCapacity: 1, MaxCapacity: 4},
		Policies: []autoscale.Policy{tt}})
	if err != nil {
		t.Fatal(err)
	}
	return ctl
}

// TestRegressionScalerAttachedTwice: a second scaler attached to a service
// ran beside the first, each setting the desired count every minute.
func TestRegressionScalerAttachedTwice(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 1)
	f.portDef("web")
	s := f.service(sim.ServiceConfig{Name: "web", TaskDefinition: "web", DesiredCount: 1})
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	first := newScaler(t, "web")
	if _, err := s.AttachScaler(first, store); err != nil {
		t.Fatal(err)
	}
	for _, sc := range []*autoscale.Controller{first, newScaler(t, "web")} {
		_, err := s.AttachScaler(sc, store)
		wantFieldError(t, "a second scaler", err, sim.ErrInvalidService, "AttachScaler")
	}
	// Attachers too are wired once per service and per world.
	a := &countingAttacher{}
	if err := s.Attach(a); err != nil {
		t.Fatal(err)
	}
	wantFieldError(t, "Service.Attach twice", s.Attach(a), sim.ErrInvalidService, "")
	if err := f.w.Attach(a); err != nil {
		t.Fatal(err)
	}
	wantFieldError(t, "World.Attach twice", f.w.Attach(a), sim.ErrConfig, "")
}

// TestRegressionControllerOnTwoServices: one controller attached to two
// services scaled both from one shared state (cooldowns, alarms). It
// scales one ACTIVE service; once that one is deleted it may scale
// another.
func TestRegressionControllerOnTwoServices(t *testing.T) {
	f := newFixture(t, 1, sim.WorldConfig{})
	f.launch("m5.large", zones3, 1)
	f.portDef("web")
	a := f.service(sim.ServiceConfig{Name: "a", TaskDefinition: "web", DesiredCount: 1})
	b := f.service(sim.ServiceConfig{Name: "b", TaskDefinition: "web", DesiredCount: 1})
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctl := newScaler(t, "a")
	if _, err := a.AttachScaler(ctl, store); err != nil {
		t.Fatal(err)
	}
	_, err = b.AttachScaler(ctl, store)
	wantFieldError(t, "the same controller on b", err, sim.ErrInvalidService, "AttachScaler")
	if err := a.Delete(true); err != nil {
		t.Fatal(err)
	}
	if _, err := b.AttachScaler(ctl, store); err != nil {
		t.Errorf("after a is deleted, b may take its controller: %v", err)
	}
}
