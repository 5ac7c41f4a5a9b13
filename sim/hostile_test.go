package sim_test

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/dist"
	"github.com/ecssim/ecssim/sim/traffic"
)

// The hostile machine drives the world's public API with random sequences
// of calls whose values come from a hostile generator: zero, negative,
// NaN, ±Inf, huge, empty, duplicate, another World's objects, deleted
// ones. It asserts after every call and every run:
//
//   - no panic (rapid reports one as a failure), no hang: the run of each
//     Advance is bounded by the sequence's event budget (Config.MaxEvents),
//     the runaway guard never trips (the world's latencies are never all
//     zero here, so a loop at one instant is a bug), and the events of each
//     run are bounded per simulated minute by the objects alive, the
//     requests that arrived and, for a caller's own Source whose bound is
//     far above its rate, that bound (one event per 64 candidates);
//   - the clock never goes backwards (checked at every event);
//   - the world's invariants hold (hostileMachine.Check): every task in one
//     state, counted once by its service and its instance; requests
//     conserved per workload; no instance over-committed; quotas kept;
//     scaling decisions inside their scalable target; counters and the
//     bill finite and non-negative;
//   - every refused call returns only *fielderr.Error values that name a
//     field, and changes nothing that can be counted.
//
// `go test ./sim -run TestHostileStateMachine` runs 100 sequences (a few
// seconds); `go test ./sim -run TestHostileStateMachine -rapid.checks=10000`
// is the long run.

// hostileBudget bounds the events of one sequence, so a hostile rate (a
// hundred million requests a second is a valid one) ends the sequence with
// ErrEventLimit instead of running for hours.
const hostileBudget = 100_000

type hostileMachine struct {
	s        *sim.Sim
	w        *sim.World
	quotas   sim.Quotas
	store    *metrics.Store
	clusters []*sim.Cluster
	services []*sim.Service
	lbs      []*sim.LoadBalancer
	wls      []*sim.Workload
	scalers  []*hostileScaling
	families []string
	provs    []string
	attacher *countingAttacher

	foreign hostileForeign

	last      time.Duration // the clock at the last event seen
	dead      bool          // the event budget is spent
	perKind   []int64       // events run, by Kind
	traffic   []bool        // by Kind: a request's arrival or server event
	lastState map[*sim.Task]sim.TaskState
	// loose is the sum of the bounds (requests per second, clamped) of
	// the request-level workloads whose Source is the caller's own: a
	// bound far above the rate costs one event per 64 rejected candidates
	// (traffic.Thinning), so those events are bounded by the bound, not
	// by the arrivals.
	loose  float64
	loaded map[*sim.LoadBalancer]bool // those with a workload
	scaled map[*sim.Service]bool      // those with a scaler
}

// hostileScaling is an attached scaler with the bounds its decisions must
// respect.
type hostileScaling struct {
	ss       *sim.ServiceScaling
	scaler   sim.Scaler
	min, max int
}

// hostileForeign are objects of another World.
type hostileForeign struct {
	w        *sim.World
	instance *sim.Instance
	task     *sim.Task
	lb       *sim.LoadBalancer
}

var hostileTypes = []string{"t3.medium", "m5.large", "c6g.large", "m5.4xlarge", "m5.large", "m5.xlarge", "", "x9.huge", "m5.large "}

// Hostile values beyond 32 bits, held in int64 variables so that the
// tests build where int has 32 bits; converted there, they wrap to other
// hostile values (math.MinInt and 0).
var (
	beyondInt32 int64 = 1 << 31 // the first value an int32 field cannot hold
	wide40      int64 = 1 << 40 // a count of instances, a strategy's base
)

func hostileInt(t *rapid.T, label string) int {
	return rapid.OneOf(
		rapid.IntRange(0, 6),
		rapid.IntRange(0, 6),
		rapid.SampledFrom([]int{math.MinInt, -1, 0, 1, 10, 30, 100, 5000, 5001, int(beyondInt32), math.MaxInt}),
	).Draw(t, label)
}

// mostly draws from valid two times in three, else from hostile: the
// world must be built up for the hostile values to reach deep states.
func mostly[V any](t *rapid.T, label string, valid, hostile []V) V {
	if rapid.IntRange(0, 2).Draw(t, label+"Hostile") > 0 {
		return rapid.SampledFrom(valid).Draw(t, label)
	}
	return rapid.SampledFrom(hostile).Draw(t, label)
}

func hostileDuration(t *rapid.T, label string) time.Duration {
	return rapid.SampledFrom([]time.Duration{
		math.MinInt64, -time.Second, 0, 1, time.Millisecond, time.Second, 5 * time.Second, 30 * time.Second,
		time.Minute, 5 * time.Minute, time.Hour, 24 * time.Hour, 200 * 365 * 24 * time.Hour, math.MaxInt64,
	}).Draw(t, label)
}

func hostileName(t *rapid.T, label string, valid ...string) string {
	return mostly(t, label, append([]string{"a", "svc-1"}, valid...),
		[]string{"", "bad name!", "ecs.thing", "FARGATE", "\x00", strings.Repeat("x", 300)})
}

func hostileZone(t *rapid.T, label string) string {
	return mostly(t, label, zones3, []string{"", "bad zone!", " us-east-1a", strings.Repeat("z", 125), "us-east-1a"})
}

func hostileZones(t *rapid.T, label string) []string {
	switch rapid.IntRange(0, 4).Draw(t, label+"Kind") {
	case 0:
		return nil
	case 1:
		return []string{"us-east-1a", "us-east-1a"}
	case 2:
		return zones3
	}
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) string { return hostileZone(t, "zone") }), 0, 4).Draw(t, label)
}

func hostileDist(t *rapid.T, label string) sim.Dist {
	return rapid.SampledFrom([]sim.Dist{
		{}, sim.Fixed(0), sim.Fixed(time.Second), sim.Fixed(-time.Second), sim.Fixed(math.MaxInt64),
		sim.Uniform(time.Second, 2*time.Second), sim.Uniform(2*time.Second, time.Second),
		sim.Exponential(0), sim.Exponential(time.Minute), sim.Exponential(math.MaxInt64),
		sim.LogNormal(time.Second, math.NaN()), sim.LogNormal(time.Second, 1e300), sim.LogNormal(time.Hour, 3),
		dist.HyperExponential(time.Second, 0.5), dist.HyperExponential(time.Second, 4),
	}).Draw(t, label)
}

// hostileTime is an instant around the clock: unset, long past, now, soon,
// centuries ahead.
func (m *hostileMachine) hostileTime(t *rapid.T, label string) time.Time {
	now := m.s.Now()
	return rapid.SampledFrom([]time.Time{{}, m.s.Start().Add(-time.Hour), now, now.Add(time.Minute), now.Add(time.Hour),
		now.AddDate(400, 0, 0), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}).Draw(t, label)
}

func newHostileMachine(t *rapid.T) *hostileMachine {
	m := &hostileMachine{lastState: map[*sim.Task]sim.TaskState{}, loaded: map[*sim.LoadBalancer]bool{}, scaled: map[*sim.Service]bool{}}
	s, err := sim.New(sim.Config{
		Seed: rapid.Uint64().Draw(t, "seed"), MaxEventsPerInstant: 200_000, MaxEvents: hostileBudget,
		Observer: m.observe,
	})
	if err != nil {
		t.Fatal(err)
	}
	m.s = s
	m.quotas = sim.Quotas{
		Clusters:            rapid.IntRange(1, 3).Draw(t, "quotaClusters"),
		InstancesPerCluster: rapid.IntRange(3, 30).Draw(t, "quotaInstances"),
		ServicesPerCluster:  rapid.IntRange(1, 6).Draw(t, "quotaServices"),
		TasksPerService:     rapid.IntRange(1, 30).Draw(t, "quotaTasks"),
		TasksPerRunTask:     rapid.IntRange(1, 10).Draw(t, "quotaRunTask"),
		AutoScalingGroups:   rapid.IntRange(1, 3).Draw(t, "quotaGroups"),
	}
	cfg := sim.WorldConfig{Quotas: m.quotas}
	// Latencies are never all zero: a loop at one instant is then a bug,
	// and the runaway guard must never trip.
	if rapid.Bool().Draw(t, "fixedLatencies") {
		cfg.Latencies = fixedLatencies
	}
	switch rapid.IntRange(0, 2).Draw(t, "retention") {
	case 1:
		cfg.Retention = sim.Retention{StoppedTasks: time.Minute, Events: 5}
	case 2:
		cfg.Retention = sim.Retention{StoppedTasks: time.Hour}
	}
	cfg.Capacity.OnDemandVCPUQuota = rapid.SampledFrom([]int{0, 4}).Draw(t, "vcpuQuota")
	cfg.Capacity.FargateSpotInterruptions = capacity.InterruptionProcess{RatePerHour: rapid.SampledFrom([]float64{0, 1, 60}).Draw(t, "spotRate")}
	w, err := sim.NewWorld(s, cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.w = w
	m.store, _ = metrics.NewStore(metrics.Config{})
	m.attacher = &countingAttacher{}
	c, err := w.CreateCluster("prod")
	if err != nil {
		t.Fatal(err)
	}
	m.clusters = append(m.clusters, c)
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "web", Containers: []sim.ContainerDefinition{{
		Name: "app", Image: "web:1", CPU: 256, MemoryMiB: 512, PortMappings: []sim.PortMapping{{ContainerPort: 80}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "fg", NetworkMode: sim.AWSVPC, CPU: 256, MemoryMiB: 512,
		RequiresCompatibilities: []sim.LaunchType{sim.EC2, sim.Fargate}, Containers: []sim.ContainerDefinition{{Name: "app", Image: "fg:1"}}}); err != nil {
		t.Fatal(err)
	}
	m.families = []string{"web", "fg"}
	m.foreign = newForeign(t)
	m.baseline(t)
	return m
}

// baseline builds a working world for the hostile calls to act on: three
// instances, a service behind a load balancer with clients and a scaler.
func (m *hostileMachine) baseline(t *rapid.T) {
	c := m.clusters[0]
	if _, err := c.LaunchInstances("m5.xlarge", zones3, 3); err != nil {
		t.Fatal(err)
	}
	lb, err := m.w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "base"})
	if err != nil {
		t.Fatal(err)
	}
	m.lbs = append(m.lbs, lb)
	desired := min(2, m.quotas.TasksPerService)
	s, err := c.CreateService(sim.ServiceConfig{Name: "base", TaskDefinition: "web", DesiredCount: desired, Observer: lb,
		HealthCheckGracePeriod: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	m.services = append(m.services, s)
	cfg := sim.WorkloadConfig{LoadBalancer: lb, Source: traffic.Constant{PerSecond: rapid.SampledFrom([]float64{1, 20, 200}).Draw(t, "baseRate")},
		Demand: dist.Exponential(50 * time.Millisecond), MeanWork: 50 * time.Millisecond, Metrics: m.store,
		Server: traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 8, QueueLimit: 20, Timeout: 5 * time.Second}}
	if rapid.Bool().Draw(t, "baseFluid") {
		cfg.Mode = sim.FluidMode
	}
	wl, err := m.w.NewWorkload(cfg)
	if err != nil {
		t.Fatal(err)
	}
	m.wls = append(m.wls, wl)
	m.loaded[lb] = true
	tt, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "cpu", ResourceID: "service/prod/base", TargetValue: 50,
		PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization})
	if err != nil {
		t.Fatal(err)
	}
	hi := min(6, m.quotas.TasksPerService)
	ctl, err := autoscale.NewController(autoscale.ControllerConfig{Target: autoscale.ScalableTarget{ResourceID: "service/prod/base", MinCapacity: 1, MaxCapacity: hi},
		Policies: []autoscale.Policy{tt}})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := s.AttachScaler(ctl, m.store)
	if err != nil {
		t.Fatal(err)
	}
	m.scalers = append(m.scalers, &hostileScaling{ss: ss, scaler: ctl, min: 1, max: hi})
	m.scaled[s] = true
	if err := m.s.RunFor(2 * time.Minute); err != nil {
		t.Fatal(err)
	}
	m.Check(t)
}

// newForeign builds another world with one of each object to hand to this
// world's calls.
func newForeign(t *rapid.T) hostileForeign {
	s, _ := sim.New(sim.Config{})
	w, _ := sim.NewWorld(s, sim.WorldConfig{Latencies: fixedLatencies})
	c, _ := w.CreateCluster("prod")
	ins, err := c.LaunchInstances("m5.large", zones3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "web", Containers: []sim.ContainerDefinition{{Name: "app", Image: "web:1", CPU: 256, MemoryMiB: 512}}}); err != nil {
		t.Fatal(err)
	}
	lb, err := w.NewLoadBalancer(sim.LoadBalancerConfig{Name: "foreign"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RunFor(time.Minute); err != nil {
		t.Fatal(err)
	}
	out, err := w.RunTask(sim.RunTaskInput{Cluster: "prod", TaskDefinition: "web"})
	if err != nil || len(out.Tasks) != 1 {
		t.Fatalf("foreign task: %v %+v", err, out)
	}
	return hostileForeign{w: w, instance: ins[0], task: out.Tasks[0], lb: lb}
}

// observe is the simulation's Observer: the clock never runs backwards,
// and the events are counted by kind.
func (m *hostileMachine) observe(e sim.Event) {
	if e.At < m.last {
		panic(fmt.Sprintf("clock ran backwards: event %q at %v after %v", e.Name, e.At, m.last))
	}
	m.last = e.At
	for int(e.Kind) >= len(m.perKind) {
		m.perKind = append(m.perKind, 0)
		m.traffic = append(m.traffic, false)
	}
	if m.perKind[e.Kind] == 0 {
		m.traffic[e.Kind] = e.Name == "request-arrival" || e.Name == "request-server"
	}
	m.perKind[e.Kind]++
}

// refused checks a refusal: every problem is a *fielderr.Error that names a
// field, matches a sentinel of sim (or of the leaf it comes from), and
// the call changed nothing that can be counted.
func (m *hostileMachine) refused(t *rapid.T, call string, err error, before worldCounts) {
	t.Helper()
	for _, e := range flattenErrors(err) {
		var fe *fielderr.Error
		if !errors.As(e, &fe) || fe.Field == "" {
			t.Fatalf("%s: %q is not a field error naming a field", call, e)
		}
		if !errors.Is(e, sim.ErrConfig) && !errors.Is(e, sim.ErrNotFound) && !errors.Is(e, sim.ErrNotSupported) && !errors.Is(e, sim.ErrZoneUnavailable) {
			t.Fatalf("%s: %q matches none of sim's sentinels", call, e)
		}
	}
	if after := m.counts(); after != before {
		t.Fatalf("%s was refused (%v) but changed the world: %+v → %+v", call, err, before, after)
	}
}

func flattenErrors(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		parts := j.Unwrap()
		msgs := make([]string, len(parts))
		for i, e := range parts {
			msgs[i] = e.Error()
		}
		if err.Error() == strings.Join(msgs, "\n") { // errors.Join, not fmt's %w %w
			var out []error
			for _, e := range parts {
				out = append(out, flattenErrors(e)...)
			}
			return out
		}
	}
	return []error{err}
}

// worldCounts are what a refused call must leave as it was.
type worldCounts struct {
	clusters, instances, tasks, services, pending int
}

func (m *hostileMachine) counts() worldCounts {
	return worldCounts{clusters: len(m.clusters), instances: len(m.w.Instances()), tasks: len(m.w.Tasks()),
		services: len(m.w.Services()), pending: m.s.Pending()}
}

// call runs a call of the API: a refusal is checked by refused, an
// acceptance by the invariants.
func (m *hostileMachine) call(t *rapid.T, name string, f func() error) bool {
	t.Helper()
	if hostileTally[name] == nil {
		hostileTally[name] = &[2]int{}
	}
	before := m.counts()
	if err := f(); err != nil {
		m.refused(t, name, err, before)
		hostileTally[name][1]++
		return false
	}
	m.Check(t)
	hostileTally[name][0]++
	return true
}

// hostileTally counts, per call, the calls accepted and refused over a
// test run; -v prints it, to show that both outcomes of every call are
// reached.
var hostileTally = map[string]*[2]int{}

func (m *hostileMachine) cluster(t *rapid.T) *sim.Cluster {
	return rapid.SampledFrom(m.clusters).Draw(t, "cluster")
}

func (m *hostileMachine) instance(t *rapid.T) *sim.Instance {
	all := m.w.Instances()
	if len(all) == 0 || rapid.IntRange(0, 9).Draw(t, "foreignInstance") == 0 {
		return m.foreign.instance
	}
	return rapid.SampledFrom(all).Draw(t, "instance")
}

func (m *hostileMachine) task(t *rapid.T) *sim.Task {
	all := m.w.Tasks()
	switch k := rapid.IntRange(0, 9).Draw(t, "taskKind"); {
	case k == 0 || len(all) == 0 && k < 5:
		return m.foreign.task
	case len(all) == 0 || k == 1:
		return nil
	}
	return rapid.SampledFrom(all).Draw(t, "task")
}

func (m *hostileMachine) service(t *rapid.T) *sim.Service {
	if len(m.services) == 0 {
		t.Skip("no service")
	}
	return rapid.SampledFrom(m.services).Draw(t, "service")
}

func (m *hostileMachine) loadBalancer(t *rapid.T) *sim.LoadBalancer {
	switch k := rapid.IntRange(0, 9).Draw(t, "lbKind"); {
	case k == 0:
		return m.foreign.lb
	case k == 1 || len(m.lbs) == 0:
		return nil
	}
	return rapid.SampledFrom(m.lbs).Draw(t, "lb")
}

// freeLoadBalancer is a load balancer without a workload, if there is one.
func (m *hostileMachine) freeLoadBalancer(t *rapid.T) *sim.LoadBalancer {
	var free []*sim.LoadBalancer
	for _, lb := range m.lbs {
		if !m.loaded[lb] {
			free = append(free, lb)
		}
	}
	if len(free) == 0 {
		return rapid.SampledFrom(m.lbs).Draw(t, "lb")
	}
	return rapid.SampledFrom(free).Draw(t, "lb")
}

func (m *hostileMachine) family(t *rapid.T) string {
	return rapid.SampledFrom(append([]string{"", "nope", "web:99", "web:0", "web:1", ":1"}, m.families...)).Draw(t, "family")
}

// CreateCluster: names, duplicates, the clusters quota.
func (m *hostileMachine) CreateCluster(t *rapid.T) {
	name := hostileName(t, "name", "prod", "second", "third", "fourth")
	var c *sim.Cluster
	if m.call(t, "CreateCluster", func() (err error) { c, err = m.w.CreateCluster(name); return err }) {
		m.clusters = append(m.clusters, c)
	}
}

// mutation is one hostile change to a valid value: a field given a value
// that is zero, negative, NaN, huge, empty, duplicate, foreign or deleted.
type mutation[V any] struct {
	field string
	apply func(t *rapid.T, v *V)
}

// mutate leaves v valid half the time; otherwise it applies one to three
// of the mutations. Built from a valid value, the call reaches the checks
// of every field, and an accepted call goes on to change the world.
func mutate[V any](t *rapid.T, v *V, muts []mutation[V]) {
	n := rapid.SampledFrom([]int{0, 0, 0, 1, 1, 2, 3}).Draw(t, "mutations")
	for range n {
		mu := rapid.SampledFrom(muts).Draw(t, "mutate")
		mu.apply(t, v)
	}
}

func set[V, F any](field string, get func(*V) *F, values ...F) mutation[V] {
	return mutation[V]{field, func(t *rapid.T, v *V) { *get(v) = rapid.SampledFrom(values).Draw(t, field) }}
}

func hostileAttrs(t *rapid.T) map[string]string {
	return mostly(t, "attrs", []map[string]string{nil, {}, {"stack": "blue"}, {"tier": "a@b:c/d"}},
		[]map[string]string{{"": "x"}, {"ecs.os-type": "windows"}, {"stack": ""}, {"stack": " blue"}, {sim.AttrCapacityProvider: "mine"},
			{strings.Repeat("k", 129): "v"}, {"k": strings.Repeat("v", 129)}})
}

// LaunchInstance: types, zones, attributes, the instances quota, zones out.
func (m *hostileMachine) LaunchInstance(t *rapid.T) {
	c := m.cluster(t)
	spec := sim.InstanceSpec{Type: rapid.SampledFrom(hostileTypes).Draw(t, "type"), Zone: hostileZone(t, "zone"), Attributes: hostileAttrs(t)}
	m.call(t, "LaunchInstance", func() error { _, err := c.LaunchInstance(spec); return err })
}

// LaunchInstances: counts from negative to huge, all or nothing.
func (m *hostileMachine) LaunchInstances(t *rapid.T) {
	c := m.cluster(t)
	typ, zones, n := rapid.SampledFrom(hostileTypes).Draw(t, "type"), hostileZones(t, "zones"), mostly(t, "n", []int{1, 2, 3}, []int{-1, 0, 31, int(wide40), math.MaxInt})
	m.call(t, "LaunchInstances", func() error {
		ins, err := c.LaunchInstances(typ, zones, n)
		if err == nil && len(ins) != n || err != nil && ins != nil {
			t.Fatalf("LaunchInstances(%d) gave %d instances and %v", n, len(ins), err)
		}
		return err
	})
}

var containerMutations = []mutation[sim.ContainerDefinition]{
	set("name", func(c *sim.ContainerDefinition) *string { return &c.Name }, "", "bad name", "app"),
	set("image", func(c *sim.ContainerDefinition) *string { return &c.Image }, "", strings.Repeat("i", 256)),
	set("cpu", func(c *sim.ContainerDefinition) *int { return &c.CPU }, -1, sim.MaxTaskCPU, sim.MaxTaskCPU+1, math.MaxInt),
	set("memory", func(c *sim.ContainerDefinition) *int { return &c.MemoryMiB }, 0, 4, 6, -1, placement.MaxInstanceMemory, placement.MaxInstanceMemory+1, math.MaxInt),
	set("reservation", func(c *sim.ContainerDefinition) *int { return &c.MemoryReservationMiB }, -1, 1024, math.MaxInt),
	set("essential", func(c *sim.ContainerDefinition) **bool { return &c.Essential }, sim.Bool(false)),
	set("stop", func(c *sim.ContainerDefinition) *time.Duration { return &c.StopTimeout }, -1, time.Hour, math.MaxInt64),
	set("ports", func(c *sim.ContainerDefinition) *[]sim.PortMapping { return &c.PortMappings },
		[]sim.PortMapping{{ContainerPort: 8080, HostPort: 8080}}, []sim.PortMapping{{ContainerPort: 0}}, []sim.PortMapping{{ContainerPort: 70000}},
		[]sim.PortMapping{{ContainerPort: 80, HostPort: -1}}, []sim.PortMapping{{ContainerPort: 80, HostPort: 80}, {ContainerPort: 81, HostPort: 80}},
		make([]sim.PortMapping, 2000)),
	set("health", func(c *sim.ContainerDefinition) **sim.HealthCheck { return &c.HealthCheck },
		&sim.HealthCheck{Command: []string{"CMD", "true"}}, &sim.HealthCheck{}, &sim.HealthCheck{Command: []string{"x"}, Interval: time.Second},
		&sim.HealthCheck{Command: []string{"x"}, Interval: 5 * time.Second, Retries: 1, StartPeriod: 300 * time.Second},
		&sim.HealthCheck{Command: []string{"x"}, Timeout: time.Hour, Retries: 11, StartPeriod: -1}),
}

var taskDefinitionMutations = []mutation[sim.TaskDefinitionInput]{
	set("family", func(d *sim.TaskDefinitionInput) *string { return &d.Family }, "", "bad family", strings.Repeat("f", 256)),
	set("cpu", func(d *sim.TaskDefinitionInput) *int { return &d.CPU }, 64, -1, 4096, sim.MaxTaskCPU+1, math.MaxInt),
	set("memory", func(d *sim.TaskDefinitionInput) *int { return &d.MemoryMiB }, 128, -1, placement.MaxInstanceMemory+1, math.MaxInt),
	set("mode", func(d *sim.TaskDefinitionInput) *sim.NetworkMode { return &d.NetworkMode }, sim.Host, sim.AWSVPC, "nat"),
	set("compat", func(d *sim.TaskDefinitionInput) *[]sim.LaunchType { return &d.RequiresCompatibilities },
		[]sim.LaunchType{sim.Fargate}, []sim.LaunchType{"MARS"}, []sim.LaunchType{sim.External}),
	set("arch", func(d *sim.TaskDefinitionInput) *sim.Architecture { return &d.CPUArchitecture }, sim.ARM64, "sparc"),
	set("storage", func(d *sim.TaskDefinitionInput) *int { return &d.EphemeralStorageGiB }, 20, 201, -1),
	set("containers", func(d *sim.TaskDefinitionInput) *[]sim.ContainerDefinition { return &d.Containers },
		nil, make([]sim.ContainerDefinition, 11), []sim.ContainerDefinition{{Name: "a", Image: "x", MemoryMiB: 6}, {Name: "a", Image: "x", MemoryMiB: 6}},
		[]sim.ContainerDefinition{{Name: "a", Image: "x", CPU: sim.MaxTaskCPU, MemoryMiB: placement.MaxInstanceMemory}, {Name: "b", Image: "x", CPU: sim.MaxTaskCPU, MemoryMiB: placement.MaxInstanceMemory}}),
	set("constraints", func(d *sim.TaskDefinitionInput) *[]placement.Constraint { return &d.PlacementConstraints },
		[]placement.Constraint{{Type: placement.DistinctInstance}}, []placement.Constraint{{Type: placement.MemberOf, Expression: "attribute:x =="}},
		[]placement.Constraint{{Type: placement.MemberOf, Expression: "attribute:ecs.availability-zone != us-east-1c"}}, make([]placement.Constraint, 11)),
	set("startFail", func(d *sim.TaskDefinitionInput) *float64 { return &d.Behavior.StartFailureProbability }, 0.5, 1, math.NaN(), -1, 2),
	set("startReason", func(d *sim.TaskDefinitionInput) *string { return &d.Behavior.StartFailureReason }, "boom", strings.Repeat("r", 300)),
	set("unhealthy", func(d *sim.TaskDefinitionInput) *bool { return &d.Behavior.UnhealthyAfterStart }, true),
	set("crashes", func(d *sim.TaskDefinitionInput) *float64 { return &d.Behavior.CrashesPerHour }, 1e-300, 1, 60, 1e9, 1e10, math.NaN(), math.Inf(1), -1),
	{"runFor", func(t *rapid.T, d *sim.TaskDefinitionInput) { d.Behavior.RunFor = hostileDist(t, "runFor") }},
	{"shutdown", func(t *rapid.T, d *sim.TaskDefinitionInput) { d.Behavior.Shutdown = hostileDist(t, "shutdown") }},
	{"container", func(t *rapid.T, d *sim.TaskDefinitionInput) {
		if len(d.Containers) > 0 {
			c := d.Containers[0]
			mutate(t, &c, containerMutations)
			d.Containers = append([]sim.ContainerDefinition{c}, d.Containers[1:]...)
		}
	}},
}

// RegisterTaskDefinition: a valid definition (bridge, or awsvpc for EC2
// and Fargate) with hostile fields: sums that would overflow, sizes past
// the quota, distributions that do not hold.
func (m *hostileMachine) RegisterTaskDefinition(t *rapid.T) {
	family := rapid.SampledFrom([]string{"web", "fg", "batch"}).Draw(t, "family")
	in := sim.TaskDefinitionInput{Family: family, Containers: []sim.ContainerDefinition{{Name: "app", Image: family + ":2", CPU: 256, MemoryMiB: 512,
		PortMappings: []sim.PortMapping{{ContainerPort: 80}}}}}
	if rapid.Bool().Draw(t, "awsvpc") {
		in.NetworkMode, in.CPU, in.MemoryMiB = sim.AWSVPC, 256, 512
		in.RequiresCompatibilities = []sim.LaunchType{sim.EC2, sim.Fargate}
	}
	mutate(t, &in, taskDefinitionMutations)
	if m.call(t, "RegisterTaskDefinition", func() error { _, err := m.w.RegisterTaskDefinition(in); return err }) {
		m.families = append(m.families, in.Family)
	}
}

var providerMutations = []mutation[sim.AutoScalingGroupProviderConfig]{
	set("name", func(c *sim.AutoScalingGroupProviderConfig) *string { return &c.Name }, "", "FARGATE", "asg", "bad name", strings.Repeat("p", 129)),
	set("type", func(c *sim.AutoScalingGroupProviderConfig) *string { return &c.InstanceType }, "", "x9.huge"),
	set("zones", func(c *sim.AutoScalingGroupProviderConfig) *[]string { return &c.Zones }, nil, []string{"us-east-1a", "us-east-1a"},
		[]string{"bad zone!"}, []string{strings.Repeat("z", 125)}),
	set("min", func(c *sim.AutoScalingGroupProviderConfig) *int { return &c.MinSize }, -1, 5, math.MaxInt),
	set("max", func(c *sim.AutoScalingGroupProviderConfig) *int { return &c.MaxSize }, 0, -1, 31, 1<<30, math.MaxInt),
	set("desired", func(c *sim.AutoScalingGroupProviderConfig) *int { return &c.DesiredCapacity }, -1, 30, 1<<30, math.MaxInt),
	set("spot", func(c *sim.AutoScalingGroupProviderConfig) *bool { return &c.Spot }, true),
	set("interruptions", func(c *sim.AutoScalingGroupProviderConfig) *capacity.InterruptionProcess { return &c.Interruptions },
		capacity.InterruptionProcess{RatePerHour: 60}, capacity.InterruptionProcess{RatePerHour: math.NaN()},
		capacity.InterruptionProcess{Schedule: []time.Duration{time.Minute, 2 * time.Minute}}, capacity.InterruptionProcess{Schedule: []time.Duration{-time.Minute}}),
	set("managed", func(c *sim.AutoScalingGroupProviderConfig) **capacity.ManagedScalingConfig { return &c.ManagedScaling },
		&capacity.ManagedScalingConfig{}, &capacity.ManagedScalingConfig{TargetCapacity: 101}, &capacity.ManagedScalingConfig{InstanceWarmupPeriod: math.MaxInt64}),
	set("protect", func(c *sim.AutoScalingGroupProviderConfig) *bool { return &c.ManagedTerminationProtection }, true),
	set("launch", func(c *sim.AutoScalingGroupProviderConfig) *capacity.InstanceLaunch { return &c.InstanceLaunch },
		capacity.InstanceLaunch{API: -1}, capacity.InstanceLaunch{API: math.MaxInt64}, capacity.InstanceLaunch{SlowFraction: 2}),
}

// CreateCapacityProvider: a small valid group with hostile fields: sizes
// up to huge, zones, Spot and managed scaling settings; the groups quota.
func (m *hostileMachine) CreateCapacityProvider(t *rapid.T) {
	cfg := sim.AutoScalingGroupProviderConfig{Name: rapid.SampledFrom([]string{"asg", "asg2", "spot"}).Draw(t, "name"), InstanceType: "m5.large",
		Zones: zones3, MaxSize: 4, DesiredCapacity: rapid.IntRange(0, 2).Draw(t, "desired")}
	if rapid.Bool().Draw(t, "managed") {
		cfg.ManagedScaling = &capacity.ManagedScalingConfig{}
	}
	mutate(t, &cfg, providerMutations)
	if m.call(t, "CreateCapacityProvider", func() error { _, err := m.w.CreateCapacityProvider(cfg); return err }) {
		m.provs = append(m.provs, cfg.Name)
	}
}

func (m *hostileMachine) hostileStrategy(t *rapid.T) []sim.CapacityProviderStrategyItem {
	if rapid.Bool().Draw(t, "noStrategy") {
		return nil
	}
	names := append([]string{"FARGATE", "FARGATE_SPOT", "nope", ""}, m.provs...)
	var out []sim.CapacityProviderStrategyItem
	for range rapid.IntRange(1, 3).Draw(t, "items") {
		out = append(out, sim.CapacityProviderStrategyItem{Provider: rapid.SampledFrom(names).Draw(t, "provider"),
			Base: mostly(t, "base", []int{0, 1}, []int{-1, int(wide40)}), Weight: mostly(t, "weight", []int{1, 3}, []int{0, -1, 1001})})
	}
	return out
}

// PutCapacityProviders: unknown, duplicate, taken and too many providers.
func (m *hostileMachine) PutCapacityProviders(t *rapid.T) {
	c := m.cluster(t)
	names := append([]string{"FARGATE", "FARGATE_SPOT", "nope"}, m.provs...)
	var ps []string
	for range rapid.SampledFrom([]int{0, 1, 2, 3, 21}).Draw(t, "n") {
		ps = append(ps, rapid.SampledFrom(names).Draw(t, "provider"))
	}
	strategy := m.hostileStrategy(t)
	m.call(t, "PutCapacityProviders", func() error { return c.PutCapacityProviders(ps, strategy) })
}

// SetZones: Fargate subnets' zones.
func (m *hostileMachine) SetZones(t *rapid.T) {
	c, zones := m.cluster(t), hostileZones(t, "zones")
	m.call(t, "SetZones", func() error { return c.SetZones(zones) })
}

var loadBalancerMutations = []mutation[sim.LoadBalancerConfig]{
	set("name", func(c *sim.LoadBalancerConfig) *string { return &c.Name }, "", "-x", strings.Repeat("l", 33), "a_b"),
	set("type", func(c *sim.LoadBalancerConfig) *loadbalancer.Type { return &c.TargetGroup.Type }, loadbalancer.NLB, 9),
	set("delay", func(c *sim.LoadBalancerConfig) *time.Duration { return &c.TargetGroup.DeregistrationDelay }, time.Second, loadbalancer.NoDeregistrationDelay, -5, math.MaxInt64),
	set("interval", func(c *sim.LoadBalancerConfig) *time.Duration { return &c.TargetGroup.HealthCheck.Interval }, 5*time.Second, time.Nanosecond, math.MaxInt64),
	set("slowStart", func(c *sim.LoadBalancerConfig) *time.Duration { return &c.TargetGroup.SlowStart }, 30*time.Second, -1),
	set("minHealthy", func(c *sim.LoadBalancerConfig) *int { return &c.TargetGroup.MinimumHealthyTargets }, -1, 1, math.MaxInt),
}

// NewLoadBalancer: names and target group settings.
func (m *hostileMachine) NewLoadBalancer(t *rapid.T) {
	cfg := sim.LoadBalancerConfig{Name: rapid.SampledFrom([]string{"lb", "lb-2", "blue", "green"}).Draw(t, "name")}
	mutate(t, &cfg, loadBalancerMutations)
	var lb *sim.LoadBalancer
	if m.call(t, "NewLoadBalancer", func() (err error) { lb, err = m.w.NewLoadBalancer(cfg); return err }) {
		m.lbs = append(m.lbs, lb)
	}
}

type noopObserver struct{}

func (noopObserver) TaskRunning(time.Time, *sim.Task)                    {}
func (noopObserver) TaskDeactivating(time.Time, *sim.Task) time.Duration { return math.MaxInt64 }

func hostilePercents(t *rapid.T) sim.DeploymentConfiguration {
	pct := func(label string) *int {
		if v := mostly(t, label, []int{-2, 50, 100, 200}, []int{-1, 0, 150, 1001}); v != -2 {
			return sim.Percent(v)
		}
		return nil
	}
	return sim.DeploymentConfiguration{MinimumHealthyPercent: pct("minPct"), MaximumPercent: pct("maxPct"),
		CircuitBreaker: sim.CircuitBreaker{Enable: rapid.Bool().Draw(t, "breaker"), Rollback: rapid.Bool().Draw(t, "rollback")}}
}

// CreateService: a valid service with hostile fields; observers shared,
// foreign, deleted, nil pointers.
func (m *hostileMachine) CreateService(t *rapid.T) {
	c := m.cluster(t)
	cfg := sim.ServiceConfig{
		Name:           rapid.SampledFrom([]string{"web", "api", "worker", "base"}).Draw(t, "name"),
		TaskDefinition: rapid.SampledFrom(m.families).Draw(t, "family"),
		DesiredCount:   rapid.IntRange(0, 4).Draw(t, "desired"),
	}
	switch rapid.IntRange(0, 3).Draw(t, "launch") {
	case 1:
		cfg.LaunchType, cfg.TaskDefinition = sim.Fargate, "fg"
	case 2:
		cfg.CapacityProviderStrategy = m.hostileStrategy(t)
	}
	if len(m.lbs) > 0 && rapid.Bool().Draw(t, "behindLB") {
		cfg.Observer = rapid.SampledFrom(m.lbs).Draw(t, "lb")
	}
	mutate(t, &cfg, []mutation[sim.ServiceConfig]{
		set("name", func(c *sim.ServiceConfig) *string { return &c.Name }, "", "bad name", strings.Repeat("n", 256)),
		set("def", func(c *sim.ServiceConfig) *string { return &c.TaskDefinition }, "", "nope", "web:99", "web:0", ":1", "fg"),
		set("desired", func(c *sim.ServiceConfig) *int { return &c.DesiredCount }, -1, m.quotas.TasksPerService, m.quotas.TasksPerService+1, math.MaxInt),
		set("strategy", func(c *sim.ServiceConfig) *sim.SchedulingStrategy { return &c.SchedulingStrategy }, sim.Daemon, "BURST"),
		set("launchType", func(c *sim.ServiceConfig) *sim.LaunchType { return &c.LaunchType }, sim.EC2, sim.Fargate, sim.External, "MARS"),
		{"providers", func(t *rapid.T, c *sim.ServiceConfig) { c.CapacityProviderStrategy = m.hostileStrategy(t) }},
		{"deployment", func(t *rapid.T, c *sim.ServiceConfig) { c.DeploymentConfiguration = hostilePercents(t) }},
		set("grace", func(c *sim.ServiceConfig) *time.Duration { return &c.HealthCheckGracePeriod }, -1, time.Minute, sim.MaxHealthCheckGracePeriod, math.MaxInt64),
		{"observer", func(t *rapid.T, c *sim.ServiceConfig) {
			c.Observer = rapid.SampledFrom([]sim.TaskObserver{nil, m.foreign.lb, (*sim.LoadBalancer)(nil), noopObserver{}, m.lbs[0]}).Draw(t, "observer")
		}},
		set("rebalancing", func(c *sim.ServiceConfig) *sim.AZRebalancing { return &c.AvailabilityZoneRebalancing }, sim.AZRebalancingEnabled, sim.AZRebalancingDisabled, 9),
		set("placement", func(c *sim.ServiceConfig) *[]placement.Strategy { return &c.PlacementStrategy },
			[]placement.Strategy{{Type: placement.Binpack, Field: "memory"}}, []placement.Strategy{{Type: placement.Binpack, Field: "disk"}}, make([]placement.Strategy, 6)),
		set("constraints", func(c *sim.ServiceConfig) *[]placement.Constraint { return &c.PlacementConstraints },
			[]placement.Constraint{{Type: placement.DistinctInstance}}, make([]placement.Constraint, 10),
			[]placement.Constraint{{Type: placement.MemberOf, Expression: "attribute:stack == blue"}}),
	})
	var s *sim.Service
	if m.call(t, "CreateService", func() (err error) { s, err = c.CreateService(cfg); return err }) {
		m.services = append(m.services, s)
	}
}

// UpdateService: desired counts, revisions, deployment settings.
func (m *hostileMachine) UpdateService(t *rapid.T) {
	s := m.service(t)
	u := sim.ServiceUpdate{ForceNewDeployment: rapid.Bool().Draw(t, "force"),
		AvailabilityZoneRebalancing: mostly(t, "rebalancing", []sim.AZRebalancing{0, sim.AZRebalancingDisabled}, []sim.AZRebalancing{sim.AZRebalancingEnabled, 7})}
	if rapid.Bool().Draw(t, "setDesired") {
		n := hostileInt(t, "desired")
		u.DesiredCount = &n
	}
	if rapid.Bool().Draw(t, "setDef") {
		u.TaskDefinition = m.family(t)
	}
	if rapid.Bool().Draw(t, "setDeployment") {
		d := hostilePercents(t)
		u.DeploymentConfiguration = &d
	}
	m.call(t, "UpdateService", func() error { return s.UpdateService(u) })
}

// SetDesiredCount: what an autoscaler calls, with any count.
func (m *hostileMachine) SetDesiredCount(t *rapid.T) {
	s, n := m.service(t), hostileInt(t, "n")
	m.call(t, "SetDesiredCount", func() error { return s.SetDesiredCount(n) })
}

// DeleteService: with or without force, twice.
func (m *hostileMachine) DeleteService(t *rapid.T) {
	s, force := m.service(t), rapid.Bool().Draw(t, "force")
	m.call(t, "Delete", func() error { return s.Delete(force) })
}

// RunTask: clusters, definitions, counts, launch types and strategies.
func (m *hostileMachine) RunTask(t *rapid.T) {
	in := sim.RunTaskInput{Cluster: m.cluster(t).Name(), TaskDefinition: rapid.SampledFrom(m.families).Draw(t, "family"), Count: rapid.IntRange(0, 3).Draw(t, "count")}
	if rapid.Bool().Draw(t, "fargate") {
		in.LaunchType, in.TaskDefinition = sim.Fargate, "fg"
	}
	mutate(t, &in, []mutation[sim.RunTaskInput]{
		set("cluster", func(r *sim.RunTaskInput) *string { return &r.Cluster }, "", "nope"),
		set("def", func(r *sim.RunTaskInput) *string { return &r.TaskDefinition }, "", "nope", "web:99"),
		set("count", func(r *sim.RunTaskInput) *int { return &r.Count }, -1, m.quotas.TasksPerRunTask, m.quotas.TasksPerRunTask+1, math.MaxInt),
		set("group", func(r *sim.RunTaskInput) *string { return &r.Group }, "batch", strings.Repeat("g", 256)),
		set("launchType", func(r *sim.RunTaskInput) *sim.LaunchType { return &r.LaunchType }, sim.EC2, sim.External, "MARS"),
		{"providers", func(t *rapid.T, r *sim.RunTaskInput) { r.CapacityProviderStrategy = m.hostileStrategy(t) }},
		set("startedBy", func(r *sim.RunTaskInput) *string { return &r.StartedBy }, "me", strings.Repeat("s", 129)),
		set("constraints", func(r *sim.RunTaskInput) *[]placement.Constraint { return &r.PlacementConstraints },
			[]placement.Constraint{{Type: placement.DistinctInstance}}, make([]placement.Constraint, 11)),
	})
	m.call(t, "RunTask", func() error {
		out, err := m.w.RunTask(in)
		if err == nil && len(out.Tasks)+len(out.Failures) != max(in.Count, 1) {
			t.Fatalf("RunTask(Count %d) started %d and failed %d", in.Count, len(out.Tasks), len(out.Failures))
		}
		return err
	})
}

// StopTask: live, stopped, nil and foreign tasks, long reasons.
func (m *hostileMachine) StopTask(t *rapid.T) {
	tk, reason := m.task(t), mostly(t, "reason", []string{"", "bye"}, []string{strings.Repeat("r", 256)})
	m.call(t, "StopTask", func() error { return m.w.StopTask(tk, reason) })
}

// InstanceOp: drain, activate, deregister, fail or interrupt any instance,
// in any state (another world's instance acts in its own world).
func (m *hostileMachine) InstanceOp(t *rapid.T) {
	in := m.instance(t)
	if in == m.foreign.instance {
		t.Skip("another world's instance acts on its own world")
	}
	op := rapid.SampledFrom([]string{"Drain", "Activate", "Deregister", "DeregisterForce", "Fail", "InterruptSpot"}).Draw(t, "op")
	m.call(t, "Instance."+op, func() error {
		switch op {
		case "Drain":
			return in.Drain()
		case "Activate":
			return in.Activate()
		case "Deregister":
			return in.Deregister(false)
		case "DeregisterForce":
			return in.Deregister(true)
		case "Fail":
			return in.Fail()
		}
		return in.InterruptSpot()
	})
}

// NewWorkload: a valid workload on one of the load balancers, with
// hostile fields: load balancers missing, foreign or taken; every mode and
// rate; servers, steps and memory settings.
func (m *hostileMachine) NewWorkload(t *rapid.T) {
	steps, _ := traffic.NewSteps(traffic.Point{At: 0, PerSecond: 5}, traffic.Point{At: 10 * time.Minute, PerSecond: 50})
	cfg := sim.WorkloadConfig{
		LoadBalancer: m.freeLoadBalancer(t),
		Mode:         rapid.SampledFrom([]sim.WorkloadMode{sim.RequestLevel, sim.FluidMode}).Draw(t, "mode"),
		Source:       rapid.SampledFrom([]traffic.Source{traffic.Constant{PerSecond: 2}, steps}).Draw(t, "source"),
		Demand:       dist.Exponential(50 * time.Millisecond),
		MeanWork:     50 * time.Millisecond,
		Server:       traffic.ServerConfig{Discipline: traffic.ProcessorSharing, Concurrency: 16, QueueLimit: 32, Timeout: 10 * time.Second},
	}
	if rapid.Bool().Draw(t, "metrics") {
		cfg.Metrics = m.store
	}
	tr := &traffic.RequestTrace{At: []time.Duration{0, time.Second, time.Second, time.Minute}, Size: []float64{1, 1, 2, 1}}
	arrivals, err := traffic.NewTraceArrivals(tr, time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	mutate(t, &cfg, []mutation[sim.WorkloadConfig]{
		set("lb", func(c *sim.WorkloadConfig) **sim.LoadBalancer { return &c.LoadBalancer }, nil, m.foreign.lb),
		set("mode", func(c *sim.WorkloadConfig) *sim.WorkloadMode { return &c.Mode }, 7),
		set("source", func(c *sim.WorkloadConfig) *traffic.Source { return &c.Source }, []traffic.Source{nil, (*traffic.Steps)(nil),
			traffic.Constant{PerSecond: math.NaN()}, traffic.Constant{PerSecond: -1}, traffic.Constant{PerSecond: math.Inf(1)},
			traffic.Constant{PerSecond: 1e300}, traffic.Constant{PerSecond: traffic.MaxPerSecond}, traffic.Constant{PerSecond: 1e5},
			// A caller's own Source, which NewWorkload cannot check: rates
			// and bounds that are negative, NaN, infinite or useless.
			rateSource{0, math.Inf(1)}, rateSource{1e-9, 1e300}, rateSource{math.NaN(), math.NaN()}, rateSource{-1, 5},
			rateSource{math.Inf(1), math.Inf(1)}}...),
		set("arrivals", func(c *sim.WorkloadConfig) *traffic.Arrivals { return &c.Arrivals }, []traffic.Arrivals{arrivals, (*traffic.TraceArrivals)(nil)}...),
		set("demand", func(c *sim.WorkloadConfig) *traffic.Demand { return &c.Demand }, []traffic.Demand{nil, dist.Exponential(0),
			dist.Fixed(math.MaxInt64), dist.Dist{}, dist.LogNormal(time.Second, 1e300)}...),
		set("end", func(c *sim.WorkloadConfig) *time.Duration { return &c.End }, time.Hour, -1, math.MaxInt64),
		set("step", func(c *sim.WorkloadConfig) *time.Duration { return &c.FluidStep }, time.Second, time.Nanosecond, 7*time.Second, time.Hour, 48*time.Hour),
		set("meanWork", func(c *sim.WorkloadConfig) *time.Duration { return &c.MeanWork }, 0, -1, math.MaxInt64),
		set("scv", func(c *sim.WorkloadConfig) *float64 { return &c.SCV }, math.NaN(), math.Inf(1), -1, 1e300),
		set("period", func(c *sim.WorkloadConfig) *time.Duration { return &c.ReportPeriod }, time.Minute, time.Second, -time.Minute, math.MaxInt64/time.Minute*time.Minute),
		set("memBase", func(c *sim.WorkloadConfig) *int { return &c.MemoryBaseMiB }, 128, -1, math.MaxInt),
		set("memPerRequest", func(c *sim.WorkloadConfig) *float64 { return &c.MemoryPerRequestMiB }, 2, math.NaN(), math.Inf(1), 1e300, -1),
		set("separate", func(c *sim.WorkloadConfig) *bool { return &c.SeparateHealthEndpoint }, true),
		set("server", func(c *sim.WorkloadConfig) *traffic.ServerConfig { return &c.Server },
			traffic.ServerConfig{}, traffic.ServerConfig{Discipline: 5}, traffic.ServerConfig{Concurrency: -1}, traffic.ServerConfig{QueueLimit: -5},
			traffic.ServerConfig{Timeout: -1}, traffic.ServerConfig{Timeout: math.MaxInt64}, traffic.ServerConfig{Discipline: traffic.FCFS, Concurrency: 1, QueueLimit: traffic.Unlimited}),
	})
	var wl *sim.Workload
	if m.call(t, "NewWorkload", func() (err error) { wl, err = m.w.NewWorkload(cfg); return err }) {
		m.wls = append(m.wls, wl)
		m.loaded[cfg.LoadBalancer] = true
		// A nil *TraceArrivals is no process (NewWorkload reads it as nil).
		noArrivals := cfg.Arrivals == nil || cfg.Arrivals == (*traffic.TraceArrivals)(nil)
		if src, own := cfg.Source.(rateSource); own && cfg.Mode == sim.RequestLevel && noArrivals {
			m.loose += traffic.ClampRate(src.bound)
		}
	}
}

// AttachScaler: nil, a new controller, one already scaling a service.
func (m *hostileMachine) AttachScaler(t *rapid.T) {
	s := m.service(t)
	if m.scaled[s] && rapid.IntRange(0, 3).Draw(t, "again") > 0 {
		t.Skip("the service has a scaler; try another now and then")
	}
	var sc sim.Scaler
	lo, hi := 0, 0
	switch k := rapid.IntRange(0, 3).Draw(t, "scaler"); {
	case k == 0:
	case k == 1:
		sc = (*autoscale.Controller)(nil)
	case k == 2 && len(m.scalers) > 0:
		h := rapid.SampledFrom(m.scalers).Draw(t, "reuse")
		sc, lo, hi = h.scaler, h.min, h.max
	default:
		lo = rapid.IntRange(0, 5).Draw(t, "min")
		hi = lo + rapid.IntRange(0, 10).Draw(t, "span")
		tt, err := autoscale.NewTargetTracking(autoscale.TargetTrackingConfig{Name: "cpu", ResourceID: "service/prod/x", TargetValue: 50,
			PredefinedMetric: autoscale.ECSServiceAverageCPUUtilization})
		if err != nil {
			t.Fatal(err)
		}
		ctl, err := autoscale.NewController(autoscale.ControllerConfig{Target: autoscale.ScalableTarget{ResourceID: "service/prod/x", MinCapacity: lo, MaxCapacity: hi},
			Policies: []autoscale.Policy{tt}})
		if err != nil {
			t.Fatal(err)
		}
		sc = ctl
	}
	var ss *sim.ServiceScaling
	if m.call(t, "AttachScaler", func() (err error) { ss, err = s.AttachScaler(sc, m.store); return err }) {
		m.scalers = append(m.scalers, &hostileScaling{ss: ss, scaler: sc, min: lo, max: hi})
		m.scaled[s] = true
	}
}

// Attach: attachers nil, a load balancer, the same one twice, one that
// cannot be compared.
func (m *hostileMachine) Attach(t *rapid.T) {
	var a sim.Attacher
	switch rapid.IntRange(0, 4).Draw(t, "attacher") {
	case 1:
		a = m.attacher
	case 2:
		if lb := m.loadBalancer(t); lb != nil {
			a = lb
		}
	case 3:
		a = uncomparableAttacher{tags: []string{"x"}}
	case 4:
		a = (*countingAttacher)(nil)
	}
	if rapid.Bool().Draw(t, "world") {
		m.call(t, "World.Attach", func() error { return m.w.Attach(a) })
		return
	}
	s := m.service(t)
	m.call(t, "Service.Attach", func() error { return s.Attach(a) })
}

// countingAttacher holds every task a little in each state it may hold,
// and checks that a task hears its lifecycle points in order.
type countingAttacher struct{ last map[*sim.Task]sim.Lifecycle }

func (a *countingAttacher) Attach(*sim.Task) sim.Attachment { return a }

func (a *countingAttacher) OnTask(e sim.TaskEvent) sim.Verdict {
	if a.last == nil {
		a.last = map[*sim.Task]sim.Lifecycle{}
	}
	if prev := a.last[e.Task]; e.Point < prev && e.Point != sim.LifecycleHealthChanged && prev != sim.LifecycleHealthChanged {
		panic(fmt.Sprintf("task %s heard %v after %v", e.Task.ID(), e.Point, prev))
	}
	a.last[e.Task] = e.Point
	if e.Point == sim.LifecycleStopped {
		delete(a.last, e.Task)
	}
	return sim.Verdict{Hold: time.Second}
}

// uncomparableAttacher cannot be compared with ==.
type uncomparableAttacher struct{ tags []string }

func (uncomparableAttacher) Attach(*sim.Task) sim.Attachment { return nil }

// ScheduleFailure: instances and tasks of this world and another, none or
// both, at any instant.
func (m *hostileMachine) ScheduleFailure(t *rapid.T) {
	f := sim.ScriptedFailure{At: m.hostileTime(t, "at")}
	switch rapid.IntRange(0, 3).Draw(t, "what") {
	case 0:
		f.Instance = m.instance(t)
	case 1:
		f.Task = m.task(t)
	case 2:
		f.Instance, f.Task = m.instance(t), m.task(t)
	}
	m.call(t, "ScheduleFailure", func() error { return m.w.ScheduleFailure(f) })
}

// ScheduleZoneOutage: zones and spans, overlaps.
func (m *hostileMachine) ScheduleZoneOutage(t *rapid.T) {
	zone, start, end := hostileZone(t, "zone"), m.hostileTime(t, "start"), m.hostileTime(t, "end")
	m.call(t, "ScheduleZoneOutage", func() error { return m.w.ScheduleZoneOutage(zone, start, end) })
}

// NewWorld: another simulation and world from hostile configurations;
// one that is accepted runs a small service for a while, where a loop at
// one instant (all latencies zero, say) must end in ErrRunaway and a long
// one in ErrEventLimit, never in a hang or a panic.
func (m *hostileMachine) NewWorld(t *rapid.T) {
	simCfg := sim.Config{MaxEventsPerInstant: 10_000, MaxEvents: 50_000}
	mutate(t, &simCfg, []mutation[sim.Config]{
		set("start", func(c *sim.Config) *time.Time { return &c.Start }, time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
			time.Date(9706, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 0)),
		set("perInstant", func(c *sim.Config) *int { return &c.MaxEventsPerInstant }, -1, 1),
		set("events", func(c *sim.Config) *int64 { return &c.MaxEvents }, -1, 1),
	})
	zero := sim.Latencies{InstanceLaunch: sim.Fixed(0), ENIAttach: sim.Fixed(0), ImagePull: sim.Fixed(0), ContainerStart: sim.Fixed(0), ENIDetach: sim.Fixed(0)}
	huge := sim.Latencies{InstanceLaunch: sim.Fixed(math.MaxInt64), ContainerStart: sim.Exponential(math.MaxInt64)}
	cfg := sim.WorldConfig{}
	mutate(t, &cfg, []mutation[sim.WorldConfig]{
		set("latencies", func(c *sim.WorldConfig) *sim.Latencies { return &c.Latencies }, zero, huge, sim.Latencies{ImagePull: sim.Fixed(-1)},
			sim.Latencies{ENIAttach: sim.Uniform(2, 1)}),
		set("reserved", func(c *sim.WorldConfig) *int { return &c.ReservedMemoryMiB }, -1, 8000, math.MaxInt),
		set("breaker", func(c *sim.WorldConfig) *int { return &c.CircuitBreakerMinThreshold }, -1, 201, 200),
		set("throttle", func(c *sim.WorldConfig) *time.Duration { return &c.ThrottleInitial }, -1, time.Nanosecond, sim.MaxThrottleDelay, math.MaxInt64),
		set("launchRate", func(c *sim.WorldConfig) *int { return &c.ServiceLaunchRate }, -1, 1, sim.MaxLaunchRate, sim.MaxLaunchRate+1, math.MaxInt),
		set("retention", func(c *sim.WorldConfig) *sim.Retention { return &c.Retention }, sim.Retention{StoppedTasks: -1}, sim.Retention{Events: -1},
			sim.Retention{StoppedTasks: 1, Events: 1}),
		set("quotas", func(c *sim.WorldConfig) *sim.Quotas { return &c.Quotas }, sim.Quotas{Clusters: -1}, sim.Quotas{TasksPerService: sim.MaxQuota + 1},
			sim.Quotas{TasksPerRunTask: placement.MaxBatch + 1}, sim.Quotas{InstancesPerCluster: 1, TasksPerService: 1}),
		set("capacity", func(c *sim.WorldConfig) *sim.CapacityConfig { return &c.Capacity }, sim.CapacityConfig{Zones: []string{"", "a"}},
			sim.CapacityConfig{OnDemandVCPUQuota: -1}, sim.CapacityConfig{FargateServiceLaunchRate: math.MaxInt},
			sim.CapacityConfig{StartLatency: capacity.StartLatency{ImageSizeMB: math.NaN()}}, sim.CapacityConfig{ProvisioningTimeout: -1},
			sim.CapacityConfig{FargateSpotInterruptions: capacity.InterruptionProcess{RatePerHour: math.Inf(1)}}),
	})
	var s *sim.Sim
	var w *sim.World
	if !m.call(t, "New", func() (err error) { s, err = sim.New(simCfg); return err }) ||
		!m.call(t, "NewWorld", func() (err error) { w, err = sim.NewWorld(s, cfg); return err }) {
		return
	}
	// Its calls may be refused too (a quota of one, memory all reserved):
	// with field errors.
	step := func(err error) bool {
		for _, e := range flattenErrors(err) {
			var fe *fielderr.Error
			if !errors.As(e, &fe) || fe.Field == "" {
				t.Fatalf("in a world of %+v: %q is not a field error", cfg, e)
			}
		}
		return err == nil
	}
	c, err := w.CreateCluster("prod")
	if !step(err) {
		return
	}
	_, err = c.LaunchInstances("m5.large", zones3, 1)
	step(err)
	_, err = w.RegisterTaskDefinition(sim.TaskDefinitionInput{Family: "crash", Containers: []sim.ContainerDefinition{{Name: "app", Image: "x", MemoryMiB: 64}},
		Behavior: sim.Behavior{CrashesPerHour: 1e9}})
	if !step(err) {
		return
	}
	_, err = c.CreateService(sim.ServiceConfig{Name: "crash", TaskDefinition: "crash", DesiredCount: 1})
	step(err)
	err = s.RunFor(time.Hour)
	if err != nil && !errors.Is(err, sim.ErrRunaway) && !errors.Is(err, sim.ErrEventLimit) {
		t.Fatalf("a world of %+v ran into %v", cfg, err)
	}
}

// UserTimer: the engine's own scheduling, with any delay.
func (m *hostileMachine) UserTimer(t *rapid.T) {
	d := hostileDuration(t, "d")
	tm := m.s.After(d, func() {})
	if rapid.Bool().Draw(t, "reset") {
		tm.Reset(hostileDuration(t, "reset"))
	}
	m.s.At(m.hostileTime(t, "at"), func() {})
}

// Advance runs the world for a random time, and bounds the events the run
// took by what was alive and what arrived.
func (m *hostileMachine) Advance(t *rapid.T) {
	m.advance(t, rapid.SampledFrom([]time.Duration{0, 1, time.Second, 30 * time.Second, time.Minute, time.Minute, 2 * time.Minute, 5 * time.Minute, 20 * time.Minute}).Draw(t, "d"))
}

// AdvanceFar runs for a huge time: to End, which no run reaches before
// the event budget ends it.
func (m *hostileMachine) AdvanceFar(t *rapid.T) {
	m.advance(t, rapid.SampledFrom([]time.Duration{24 * time.Hour, math.MaxInt64}).Draw(t, "d"))
}

func (m *hostileMachine) advance(t *rapid.T, d time.Duration) {
	if m.dead {
		t.Skip("event budget spent")
	}
	objects, started0, arrived0 := m.objects()
	before := slices.Clone(m.perKind)
	from := m.s.Elapsed()
	err := m.s.RunFor(d)
	switch {
	case errors.Is(err, sim.ErrEventLimit):
		m.dead = true
	case err != nil:
		t.Fatalf("RunFor(%v): %v", d, err)
	case m.s.Elapsed() < from:
		t.Fatalf("clock went from %v back to %v", from, m.s.Elapsed())
	}
	_, started1, arrived1 := m.objects()
	var nonTraffic, trafficEvents int64
	for k, n := range m.perKind {
		if k < len(before) {
			n -= before[k]
		}
		if m.traffic[k] {
			trafficEvents += n
		} else {
			nonTraffic += n
		}
	}
	minutes := int64((m.s.Elapsed()-from)/time.Minute) + 1
	if bound := 100*minutes*int64(objects) + 60*int64(started1-started0); nonTraffic > bound {
		t.Fatalf("%d lifecycle, scaling and metrics events in %d minutes with %d objects and %d tasks started; bound %d",
			nonTraffic, minutes, objects, started1-started0, bound)
	}
	if bound := 4*(arrived1-arrived0) + 100*minutes*int64(1+len(m.wls)) + int64(m.loose*60/32)*minutes; trafficEvents > bound {
		t.Fatalf("%d request events in %d minutes for %d arrivals; bound %d", trafficEvents, minutes, arrived1-arrived0, bound)
	}
	m.Check(t)
}

// objects counts what may schedule events every minute (plus one), the
// tasks the services have started and the requests that have arrived.
func (m *hostileMachine) objects() (objects, started int, arrived int64) {
	objects = 1 + len(m.w.Instances()) + len(m.lbs) + 60*len(m.wls) + len(m.scalers) + len(m.provs)
	for _, s := range m.w.Services() {
		objects += 1 + len(s.Tasks())
		started += s.Counters().TasksStarted
	}
	for _, tk := range m.w.Tasks() {
		if tk.State() != sim.TaskStopped {
			objects++
		}
	}
	for _, wl := range m.wls {
		arrived += wl.Counters().Arrived
	}
	return objects, started, arrived
}

// Check is the world's invariants.
func (m *hostileMachine) Check(t *rapid.T) {
	onInstance := map[*sim.Task]*sim.Instance{}
	for _, c := range m.clusters {
		checkInstanceInvariants(t, c, onInstance)
		live := 0
		for _, in := range c.Instances() {
			if in.Status() != sim.InstanceInactive {
				live++
			}
		}
		if live > m.quotas.InstancesPerCluster {
			t.Fatalf("cluster %s has %d instances not INACTIVE; quota %d", c.Name(), live, m.quotas.InstancesPerCluster)
		}
		services := 0
		for _, s := range c.Services() {
			if s.Status() != sim.ServiceInactive {
				services++
			}
		}
		if services > m.quotas.ServicesPerCluster {
			t.Fatalf("cluster %s has %d services; quota %d", c.Name(), services, m.quotas.ServicesPerCluster)
		}
	}
	if len(m.clusters) > m.quotas.Clusters {
		t.Fatalf("%d clusters; quota %d", len(m.clusters), m.quotas.Clusters)
	}
	inService := map[*sim.Task]bool{}
	for _, s := range m.w.Services() {
		c := s.Counters()
		ts := s.Tasks()
		if c.TasksStarted-c.TasksStopped != len(ts) {
			t.Fatalf("%s: started %d − stopped %d ≠ %d tasks not STOPPED", s.Name(), c.TasksStarted, c.TasksStopped, len(ts))
		}
		for _, v := range []int{c.TasksStarted, c.TasksStopped, c.UnplacedTasks, c.StartFailures, c.UnhealthyStopped, c.ThrottledAttempts,
			c.DeploymentsCompleted, c.DeploymentsFailed, c.Rollbacks, s.DesiredCount()} {
			if v < 0 {
				t.Fatalf("%s: a counter is negative: %+v, desired %d", s.Name(), c, s.DesiredCount())
			}
		}
		if s.DesiredCount() > max(m.quotas.TasksPerService, m.quotas.InstancesPerCluster) {
			t.Fatalf("%s: desired %d above the quotas", s.Name(), s.DesiredCount())
		}
		for _, tk := range ts {
			if inService[tk] || tk.Service() != s || tk.State() == sim.TaskStopped {
				t.Fatalf("task %s listed twice, under the wrong service, or STOPPED (%v)", tk.ID(), tk.State())
			}
			inService[tk] = true
		}
	}
	for _, tk := range m.w.Tasks() {
		st, des := tk.State(), tk.DesiredStatus()
		if st > sim.TaskStopped || des != sim.TaskRunning && des != sim.TaskStopped {
			t.Fatalf("task %s in state %d, desired %d", tk.ID(), st, des)
		}
		if tk.Instance() != nil && (st == sim.TaskStopped) == (onInstance[tk] != nil) {
			t.Fatalf("task %s is %v; on its instance's list: %v", tk.ID(), st, onInstance[tk] != nil)
		}
		if tk.Service() != nil && (st == sim.TaskStopped) == inService[tk] {
			t.Fatalf("service task %s is %v; listed by its service: %v", tk.ID(), st, inService[tk])
		}
		if prev, ok := m.lastState[tk]; ok && st < prev {
			t.Fatalf("task %s went back from %v to %v", tk.ID(), prev, st)
		}
		if st == sim.TaskStopped && des != sim.TaskStopped {
			t.Fatalf("task %s is STOPPED with desired %v", tk.ID(), des)
		}
		m.lastState[tk] = st
	}
	for _, wl := range m.wls {
		c := wl.Counters()
		if c.Arrived != c.Served+c.NoTarget+c.Rejected+c.TimedOut+c.Aborted+c.InFlight {
			t.Fatalf("requests not conserved: %+v", c)
		}
		for _, v := range []int64{c.Arrived, c.Served, c.NoTarget, c.Rejected, c.TimedOut, c.Aborted, c.InFlight} {
			if v < 0 {
				t.Fatalf("negative request counter: %+v", c)
			}
		}
		if !(c.InFlightSeconds >= 0) || !(c.SojournSeconds >= 0) || math.IsInf(c.InFlightSeconds, 0) || math.IsInf(c.SojournSeconds, 0) {
			t.Fatalf("request seconds not finite and ≥ 0: %+v", c)
		}
	}
	for _, h := range m.scalers {
		for _, d := range h.ss.Decisions() {
			if d.To < h.min || d.To > h.max {
				t.Fatalf("scaling decision %v outside the scalable target [%d, %d]", d, h.min, h.max)
			}
		}
	}
	cost := m.w.Cost()
	if !(cost.Total >= 0) || math.IsInf(cost.Total, 0) {
		t.Fatalf("cost %v", cost.Total)
	}
}

// TestHostileStateMachine runs the hostile machine (see hostileMachine).
func TestHostileStateMachine(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := newHostileMachine(t)
		actions := rapid.StateMachineActions(m)
		actions[""] = func(*rapid.T) {}
		// Time passes often: a third of the calls.
		for i := range 8 {
			actions[fmt.Sprintf("Advance%d", i)] = m.Advance
		}
		t.Repeat(actions)
		hostileRuns[m.dead]++
	})
	if testing.Verbose() {
		names := slices.Sorted(maps.Keys(hostileTally))
		for _, n := range names {
			t.Logf("%-24s accepted %6d refused %6d", n, hostileTally[n][0], hostileTally[n][1])
		}
		t.Logf("sequences that spent their event budget: %d of %d", hostileRuns[true], hostileRuns[true]+hostileRuns[false])
	}
}

var hostileRuns = map[bool]int{}
