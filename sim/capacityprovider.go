package sim

import (
	"fmt"
	"slices"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim/capacity"
)

// Capacity providers
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/asg-capacity-providers.html).
// Every world has FARGATE
// and FARGATE_SPOT; World.CreateCapacityProvider adds Auto Scaling group
// providers. Cluster.PutCapacityProviders associates providers with a
// cluster and sets its default strategy. A service or RunTask names a
// launch type or a capacity provider strategy (not both); with neither it
// uses the cluster's default strategy, or the EC2 launch type when the
// cluster has none.
//
// A strategy's new tasks are split by capacity.DistributeCounts over the
// service's tasks already on each provider (base first, then weight). A
// task of an Auto Scaling group provider is placed on the group's
// instances only (a memberOf constraint on the attribute
// ecssim.capacity-provider, which the world sets on the group's
// instances); when none fits it waits in PROVISIONING, at most
// Quotas.ProvisioningTasksPerCluster per cluster, until an instance registers or frees
// room. Those waiting tasks are what managed scaling's M counts.

// CapacityProviderStrategyItem is one entry of a capacity provider
// strategy: a provider name, a base and a weight (capacity.StrategyItem).
type CapacityProviderStrategyItem = capacity.StrategyItem

// AttrCapacityProvider is the attribute the world sets on instances of an
// Auto Scaling group capacity provider: the provider's name.
const AttrCapacityProvider = "ecssim.capacity-provider"

// MaxProvisioningTasks is AWS's cap on tasks of Auto Scaling group
// providers waiting in PROVISIONING per cluster.
//
// Deprecated: the cap is Quotas.ProvisioningTasksPerCluster (default
// DefaultProvisioningTasksPerCluster, 500; it was 300 before), which a
// world may set.
const MaxProvisioningTasks = DefaultProvisioningTasksPerCluster

type providerKind uint8

const (
	providerFargate providerKind = iota
	providerFargateSpot
	providerASG
)

// AutoScalingGroupProviderConfig is a CreateCapacityProvider request for an
// Auto Scaling group of one instance type.
type AutoScalingGroupProviderConfig struct {
	// Name is 1 to 128 letters, digits, hyphens and underscores, unique in
	// the world, and not FARGATE or FARGATE_SPOT. (ECS allows 255; the
	// simulator sets the name as the AttrCapacityProvider attribute of the
	// group's instances, whose values ECS limits to 128.)
	Name string
	// InstanceType names the group's instance type in the world's catalog;
	// required.
	InstanceType string
	// Zones are the group's Availability Zones; new instances go to the
	// zone with the fewest of the group's instances (the first such zone).
	// At least one.
	Zones []string
	// MinSize, MaxSize and DesiredCapacity are the group's bounds and its
	// initial desired capacity: 0 ≤ MinSize ≤ DesiredCapacity ≤ MaxSize.
	MinSize, MaxSize, DesiredCapacity int
	// Spot makes the group's instances Spot instances (priced with the
	// Spot discount, and interrupted by Interruptions).
	Spot bool
	// Interruptions is when the group's Spot instances are interrupted: a
	// rate per instance-hour (the "spot" stream) or a scripted schedule,
	// each instant interrupting one running instance chosen at random.
	// Only for Spot; zero means never.
	Interruptions capacity.InterruptionProcess
	// ManagedScaling turns cluster auto scaling on; nil means off (the
	// group keeps its desired capacity). With more than one zone the world
	// sets MultipleInstanceTypesOrAZs, as ECS does from the group.
	ManagedScaling *capacity.ManagedScalingConfig
	// ManagedTerminationProtection keeps instances that run non-daemon
	// tasks from being terminated on scale-in. Requires ManagedScaling.
	ManagedTerminationProtection bool
	// InstanceLaunch is how long a new instance takes to register; zero
	// fields take the defaults of capacity.InstanceLaunch (mean 35.5 s).
	InstanceLaunch capacity.InstanceLaunch
}

// CapacityProvider is a capacity provider: FARGATE, FARGATE_SPOT or an
// Auto Scaling group provider.
type CapacityProvider struct {
	w     *World
	name  string
	kind  providerKind
	index int // in account.providers

	// Auto Scaling group providers only.
	cfg           AutoScalingGroupProviderConfig
	typ           InstanceType
	c             *Cluster
	group         capacity.AutoScalingGroup
	scaling       *capacity.ManagedScaling
	instances     roster[Instance] // launched and not yet INACTIVE, in launch order
	zoneCounts    []int            // of instances, those in each of cfg.Zones
	launched      int
	waiting       []*Task // tasks in PROVISIONING waiting for an instance
	decisions     []ScalingRecord
	interruptions int
	tick          Timer
}

// Name returns the provider name.
func (p *CapacityProvider) Name() string { return p.name }

// IsFargate reports whether the provider is FARGATE or FARGATE_SPOT.
func (p *CapacityProvider) IsFargate() bool { return p.kind != providerASG }

// IsSpot reports whether the provider's capacity is Spot.
func (p *CapacityProvider) IsSpot() bool { return p.kind == providerFargateSpot || p.cfg.Spot }

// Instances returns the group's instances that are not INACTIVE, in launch
// order (launching ones included); nil for Fargate providers.
func (p *CapacityProvider) Instances() []*Instance { return p.instances.members() }

// InstancesLaunched returns how many instances the group has launched.
func (p *CapacityProvider) InstancesLaunched() int { return p.launched }

// DesiredCapacity returns the Auto Scaling group's desired capacity.
func (p *CapacityProvider) DesiredCapacity() int { return p.group.DesiredCapacity }

// ProvisioningTasks returns the tasks waiting in PROVISIONING for an
// instance of the group.
func (p *CapacityProvider) ProvisioningTasks() []*Task { return slices.Clone(p.waiting) }

// CapacityUnavailable reports whether the provider's capacity cannot be had
// now: FARGATE_SPOT inside a window of
// CapacityConfig.FargateSpotUnavailability; false for the others.
func (p *CapacityProvider) CapacityUnavailable() bool {
	return p.kind == providerFargateSpot && p.w.account.spotOut
}

// UnavailableTime returns how long FARGATE_SPOT capacity has been
// unavailable since the world was created; 0 for the other providers.
func (p *CapacityProvider) UnavailableTime() time.Duration {
	a := p.w.account
	if p.kind != providerFargateSpot {
		return 0
	}
	if a.spotOut {
		return a.spotOutTotal + a.w.sim.Elapsed() - a.spotOutSince
	}
	return a.spotOutTotal
}

// Interruptions returns how many Spot interruption warnings the provider's
// capacity received.
func (p *CapacityProvider) Interruptions() int {
	if p.kind == providerFargateSpot {
		return p.w.account.fargateInterruptions
	}
	return p.interruptions
}

// CapacityProvider returns the provider called name, or nil.
func (w *World) CapacityProvider(name string) *CapacityProvider {
	for _, p := range w.account.providers {
		if p.name == name {
			return p
		}
	}
	return nil
}

// CreateCapacityProvider creates an Auto Scaling group capacity provider.
// It launches nothing until a cluster takes it (PutCapacityProviders).
// Every problem with cfg is reported at once, each a *fielderr.Error
// matching ErrConfig; the world may have Quotas.AutoScalingGroups of them.
func (w *World) CreateCapacityProvider(cfg AutoScalingGroupProviderConfig) (*CapacityProvider, error) {
	const at = "AutoScalingGroupProviderConfig."
	l := fielderr.NewList(ErrConfig)
	if !validName(cfg.Name) || len(cfg.Name) > placement.MaxAttributeLength {
		// ECS allows 255 characters; the simulator's instances carry the
		// name as an attribute value, which ECS limits to 128.
		l.Addf(at+"Name", cfg.Name, "must be 1 to %d letters, digits, hyphens or underscores (it becomes the %s attribute of the group's instances)", placement.MaxAttributeLength, AttrCapacityProvider)
	} else if w.CapacityProvider(cfg.Name) != nil {
		l.Add(at+"Name", cfg.Name, "names a capacity provider that exists")
	}
	if n := len(w.account.providers) - 2; n >= w.quotas.AutoScalingGroups {
		l.Addf(at+"Name", cfg.Name, "would be Auto Scaling group %d; Quotas.AutoScalingGroups allows %d", n+1, w.quotas.AutoScalingGroups)
	}
	typ, ok := w.cfg.Catalog.Lookup(cfg.InstanceType)
	if !ok {
		l.Add(at+"InstanceType", cfg.InstanceType, "is not in the catalog")
	} else if typ.RegisteredMemoryMiB(w.cfg.ReservedMemoryMiB) <= 0 {
		l.Addf(at+"InstanceType", cfg.InstanceType, "has no memory left for tasks with WorldConfig.ReservedMemoryMiB %d", w.cfg.ReservedMemoryMiB)
	}
	if len(cfg.Zones) == 0 {
		l.Add(at+"Zones", len(cfg.Zones), "must hold at least one zone")
	}
	checkZones(l, at+"Zones", cfg.Zones)
	group := capacity.AutoScalingGroup{MinSize: cfg.MinSize, MaxSize: cfg.MaxSize, DesiredCapacity: cfg.DesiredCapacity}
	groupErr := group.Validate()
	joinLeaf(l, ErrConfig, "AutoScalingGroupProviderConfig", "AutoScalingGroup", groupErr)
	if cfg.MaxSize > w.quotas.InstancesPerCluster {
		l.Addf(at+"MaxSize", cfg.MaxSize, "must be at most %d: the group launches into one cluster, which Quotas.InstancesPerCluster bounds", w.quotas.InstancesPerCluster)
	}
	joinLeaf(l, ErrConfig, at+"InstanceLaunch", "InstanceLaunch", cfg.InstanceLaunch.Validate())
	joinLeaf(l, ErrConfig, at+"Interruptions", "InterruptionProcess", cfg.Interruptions.Validate())
	if !cfg.Spot && (cfg.Interruptions.RatePerHour > 0 || len(cfg.Interruptions.Schedule) > 0) {
		l.Add(at+"Interruptions", "set", "needs Spot: only Spot instances are interrupted")
	}
	if cfg.ManagedTerminationProtection && cfg.ManagedScaling == nil {
		l.Add(at+"ManagedTerminationProtection", true, "requires ManagedScaling")
	}
	var scaling *capacity.ManagedScaling
	if cfg.ManagedScaling != nil && groupErr == nil {
		ms := *cfg.ManagedScaling
		// ECS sees the group's zones: with more than one it scales out by
		// exactly the minimum step (ManagedScaling.minimumScalingStepSize,
		// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html).
		ms.MultipleInstanceTypesOrAZs = ms.MultipleInstanceTypesOrAZs || len(cfg.Zones) > 1
		sc, err := capacity.NewManagedScaling(ms, group)
		joinLeaf(l, ErrConfig, at+"ManagedScaling", "ManagedScalingConfig", err)
		scaling = sc
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	cfg.Zones = slices.Clone(cfg.Zones)
	cfg.Interruptions.Schedule = slices.Clone(cfg.Interruptions.Schedule)
	p := &CapacityProvider{w: w, name: cfg.Name, kind: providerASG, index: len(w.account.providers), cfg: cfg, typ: typ, group: group, scaling: scaling,
		zoneCounts: make([]int, len(cfg.Zones))}
	w.account.providers = append(w.account.providers, p)
	return p, nil
}

// CapacityProviders returns the providers associated with the cluster.
func (c *Cluster) CapacityProviders() []*CapacityProvider { return slices.Clone(c.providers) }

// PutCapacityProviders associates providers with the cluster and sets its
// default capacity provider strategy (nil for none), as
// PutClusterCapacityProviders does. An Auto Scaling group provider can
// belong to one cluster only; when it first joins, its group launches
// DesiredCapacity instances and, with managed scaling, its controller
// starts evaluating once a minute. Providers cannot be removed here; a
// cluster takes at most MaxCapacityProvidersPerCluster.
//
// The group's minute tick never stops, so a simulation with an attached
// Auto Scaling group provider always has an event pending: run it with
// RunFor or RunUntil, not Run.
func (c *Cluster) PutCapacityProviders(providers []string, defaultStrategy []CapacityProviderStrategyItem) error {
	w := c.w
	l := fielderr.NewList(ErrConfig)
	if len(providers) > MaxCapacityProvidersPerCluster {
		l.Addf("PutCapacityProviders(providers)", len(providers), "must name at most %d capacity providers (MaxCapacityProvidersPerCluster)", MaxCapacityProvidersPerCluster)
	}
	var ps []*CapacityProvider
	for i, name := range providers {
		field := fmt.Sprintf("PutCapacityProviders(providers)[%d]", i)
		p := w.CapacityProvider(name)
		switch {
		case p == nil:
			l.Join(fielderr.New(ErrNotFound, field, name, "names no capacity provider of the world"))
			continue
		case p.kind == providerASG && p.c != nil && p.c != c:
			l.Addf(field, name, "belongs to cluster %s; an Auto Scaling group provider serves one cluster", p.c.name)
		case slices.Contains(ps, p):
			l.Add(field, name, "is listed twice")
		}
		ps = append(ps, p)
	}
	for _, p := range c.providers {
		if !slices.Contains(ps, p) {
			l.Add("PutCapacityProviders(providers)", p.name, "is in use by the cluster and cannot be removed")
		}
	}
	var def launchSpec
	if len(defaultStrategy) > 0 && l.Len() == 0 {
		def = resolveStrategy(l, ps, defaultStrategy, ErrConfig, "PutCapacityProviders(defaultStrategy)")
	}
	if err := l.Err(); err != nil {
		return err
	}
	c.providers = ps
	c.defaultLaunch = def
	for _, p := range ps {
		if p.kind == providerASG && p.c == nil {
			p.attach(c)
		}
	}
	return nil
}

// launchSpec is where a service's or RunTask's tasks run: a launch type, or
// a capacity provider strategy.
type launchSpec struct {
	launchType LaunchType // EC2 or FARGATE, when no strategy applies
	strategy   capacity.Strategy
	providers  []*CapacityProvider // providers[i] is strategy[i]'s
	plans      []providerPlan      // cached placement plans per deployment and ASG provider
}

type providerPlan struct {
	d    *Deployment
	p    *CapacityProvider
	plan *placement.Plan
}

// fargate reports whether the tasks run on Fargate.
func (l *launchSpec) fargate() bool {
	return l.launchType == Fargate || len(l.providers) > 0 && l.providers[0].kind != providerASG
}

// resolveStrategy validates items (the field field) against the providers
// available and returns the launch spec; problems go to l, wrapping
// sentinel.
func resolveStrategy(l *fielderr.List, available []*CapacityProvider, items []CapacityProviderStrategyItem, sentinel error, field string) launchSpec {
	before := l.Len()
	strategy := capacity.Strategy(slices.Clone(items))
	joinLeaf(l, sentinel, field, "strategy", strategy.Validate())
	var ps []*CapacityProvider
	for i, it := range strategy {
		var p *CapacityProvider
		for _, q := range available {
			if q.name == it.Provider {
				p = q
			}
		}
		if p == nil {
			l.Join(fielderr.New(sentinel, fmt.Sprintf("%s[%d].Provider", field, i), it.Provider, "is not associated with the cluster"))
			continue
		}
		ps = append(ps, p)
	}
	if len(ps) > 0 {
		for i, p := range ps[1:] {
			if p.IsFargate() != ps[0].IsFargate() {
				l.Join(fielderr.New(sentinel, fmt.Sprintf("%s[%d].Provider", field, i+1), p.name,
					"cannot be mixed with "+ps[0].name+": a strategy holds Fargate providers or Auto Scaling group providers, not both"))
				break
			}
		}
	}
	if l.Len() > before {
		return launchSpec{}
	}
	return launchSpec{strategy: strategy, providers: ps}
}

// resolveLaunch decides where a request's tasks run: its launch type (the
// field ltField), its strategy (itemsField), or the cluster's default. def
// (the field defField) may be nil (its errors are the caller's); problems
// go to l, wrapping sentinel.
func (c *Cluster) resolveLaunch(l *fielderr.List, lt LaunchType, items []CapacityProviderStrategyItem, def *TaskDefinition, sentinel error, ltField, itemsField, defField string) launchSpec {
	var ls launchSpec
	before := l.Len()
	switch {
	case lt != "" && len(items) > 0:
		l.Join(fielderr.New(sentinel, ltField, lt, "cannot be set with "+itemsField))
		return ls
	case lt == External:
		l.Join(fielderr.New(ErrNotSupported, ltField, lt, "is not simulated yet"))
		return ls
	case lt == EC2 || lt == Fargate:
		ls.launchType = lt
	case lt != "":
		l.Join(fielderr.New(sentinel, ltField, lt, "must be EC2, FARGATE or EXTERNAL"))
		return ls
	case len(items) > 0:
		if c == nil {
			return ls
		}
		ls = resolveStrategy(l, c.providers, items, sentinel, itemsField)
	case c != nil && len(c.defaultLaunch.providers) > 0:
		ls = c.defaultLaunch
		ls.plans = nil
	default:
		ls.launchType = EC2
	}
	if l.Len() == before && ls.fargate() && def != nil {
		checkFargateDefinition(l, sentinel, defField, def)
	}
	return ls
}

// providerPlan returns the placement plan of d's tasks on p's instances:
// d's plan plus memberOf(attribute:ecssim.capacity-provider == name).
func (l *launchSpec) providerPlan(d *Deployment, spec placement.Spec, p *CapacityProvider) (*placement.Plan, error) {
	for _, pp := range l.plans {
		if pp.d == d && pp.p == p {
			return pp.plan, nil
		}
	}
	plan, err := compileProviderPlan(spec, p)
	if err != nil {
		return nil, err
	}
	l.plans = append(l.plans, providerPlan{d, p, plan})
	return plan, nil
}

// compileProviderPlan adds the provider's memberOf constraint to spec. When
// spec already has placement.MaxConstraints constraints, the provider's
// condition is joined with "and" to the last memberOf expression instead,
// so that it never takes a constraint the user may use.
func compileProviderPlan(spec placement.Spec, p *CapacityProvider) (*placement.Plan, error) {
	cond := "attribute:" + AttrCapacityProvider + " == " + p.name
	spec.Constraints = slices.Clone(spec.Constraints)
	if len(spec.Constraints) >= placement.MaxConstraints {
		for i := len(spec.Constraints) - 1; i >= 0; i-- {
			if c := &spec.Constraints[i]; c.Type == placement.MemberOf {
				c.Expression = "(" + c.Expression + ") and " + cond
				return placement.Compile(spec)
			}
		}
	}
	spec.Constraints = append(spec.Constraints, placement.Constraint{Type: placement.MemberOf, Expression: cond})
	return placement.Compile(spec)
}

// start starts tasks with the provider: on Fargate or Fargate Spot, or on
// the Auto Scaling group's instances, where those that do not fit wait in
// PROVISIONING for the group to grow.
func (p *CapacityProvider) start(r *launchRequest, k int) {
	switch p.kind {
	case providerFargate:
		r.onFargate(p, false, k)
	case providerFargateSpot:
		r.onFargate(p, true, k)
	default:
		plan, err := r.ls.providerPlan(r.dep, r.plan.Spec(), p)
		if err != nil {
			// Only a query too long for the joined expression gets here.
			r.fail(launchFailure{n: k, reason: err.Error(), provider: p})
			return
		}
		r.onInstances(plan, p, k)
	}
}

// provisioningTasks counts the tasks waiting for an instance in c.
func (c *Cluster) provisioningTasks() int {
	n := 0
	for _, p := range c.CapacityProviders() {
		n += len(p.waiting)
	}
	return n
}

// onProvisioningTimeout stops a task still waiting in PROVISIONING for an
// instance CapacityConfig.ProvisioningTimeout after it was created.
func (a *account) onProvisioningTimeout(arg uint64) {
	t := a.w.task(arg)
	if t == nil || !t.host.waiting || t.desired != TaskRunning {
		return // placed, stopped or forgotten meanwhile
	}
	a.w.stopTask(t, StopTaskFailedToStart, ProvisioningTimeoutReason)
}

// placeWaitingTasks places tasks waiting in PROVISIONING on instances that
// now have room, oldest first. After a task that does not fit, tasks of the
// same plan and requirements are not tried again in this pass.
func (c *Cluster) placeWaitingTasks() {
	w := c.w
	for _, p := range c.providers {
		if len(p.waiting) == 0 {
			continue
		}
		type key struct {
			plan *placement.Plan
			req  placement.Task
		}
		var failed []key
		for _, t := range slices.Clone(p.waiting) {
			if t.desired != TaskRunning {
				continue
			}
			k := key{t.host.plan, t.req}
			if slices.ContainsFunc(failed, func(f key) bool {
				return f.plan == k.plan && f.req.CPU == k.req.CPU && f.req.MemoryMiB == k.req.MemoryMiB && f.req.ENIs == k.req.ENIs && f.req.Group == k.req.Group && slices.Equal(f.req.HostPorts, k.req.HostPorts)
			}) {
				continue
			}
			res, err := c.place.Place(t.host.plan, t.req, w.rngPlace)
			if err != nil {
				panic(fmt.Sprintf("sim: placing waiting task %s: %v", t.arnID, err))
			}
			if !res.Placed() {
				failed = append(failed, k)
				continue
			}
			t.host.waiting = false
			p.waiting = slices.DeleteFunc(p.waiting, func(x *Task) bool { return x == t })
			w.placeOn(t, c.byPlaceID[res.Instance])
		}
	}
}

// attach makes c the cluster of an Auto Scaling group provider: the group
// launches its desired capacity and the minute tick starts.
func (p *CapacityProvider) attach(c *Cluster) {
	p.c = c
	for range p.group.DesiredCapacity {
		if p.launchInstance() == nil {
			break
		}
	}
	w := p.w
	p.tick = w.sim.Schedule(w.account.kScaling, capacity.ManagedScalingPeriod, uint64(p.index))
	w.account.scheduleScripted(p, p.cfg.Interruptions)
}

// launchInstance launches one instance of the group into its cluster, in
// the available zone with the fewest of the group's instances (the first
// such zone), or returns nil when every zone of the group is out
// (World.ScheduleZoneOutage) or the cluster holds
// Quotas.InstancesPerCluster instances already. The group keeps its count
// per zone, so that a launch costs O(zones), not O(instances).
func (p *CapacityProvider) launchInstance() *Instance {
	w := p.w
	if p.c.live >= w.quotas.InstancesPerCluster {
		return nil
	}
	zi := -1
	for i, n := range p.zoneCounts {
		if !w.zoneOut(p.cfg.Zones[i]) && (zi < 0 || n < p.zoneCounts[zi]) {
			zi = i
		}
	}
	if zi < 0 {
		return nil
	}
	attrs := map[string]string{AttrCapacityProvider: p.name}
	in := p.c.newInstance(p.typ, p.cfg.Zones[zi], attrs)
	in.provider, in.provZone = p, zi
	p.instances.add(in, &in.provPos)
	p.zoneCounts[zi]++
	p.launched++
	w.account.instanceLaunched(in)
	w.sim.Schedule(w.kInstanceUp, p.cfg.InstanceLaunch.Sample(w.rngLaunch), uint64(in.id))
	if p.cfg.Spot {
		w.account.armEC2Spot(in)
	}
	return in
}

// instanceGone takes an instance that is INACTIVE out of the group.
func (p *CapacityProvider) instanceGone(in *Instance) {
	if in.provPos < 0 {
		return
	}
	p.instances.remove(&in.provPos, func(in *Instance) *int { return &in.provPos })
	p.zoneCounts[in.provZone]--
}

// DefaultProvisioningTimeout is how long a task waits in PROVISIONING for
// an instance of its Auto Scaling group capacity provider before it is
// stopped: the upper end of the "between 10 and 30 minutes" of AWS's deep
// dive on cluster auto scaling (UNCONFIRMED; CapacityConfig.ProvisioningTimeout
// changes it).
const DefaultProvisioningTimeout = 30 * time.Minute

// ProvisioningTimeoutReason is the stopped reason of a task that waited
// CapacityConfig.ProvisioningTimeout in PROVISIONING. ECS documents no
// wording; this is the simulator's.
const ProvisioningTimeoutReason = "Timeout waiting for capacity: the task stayed in PROVISIONING with no container instance to place it on"
