package scenario

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ecssim/ecssim/autoscale"
	"github.com/ecssim/ecssim/loadbalancer"
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/capacity"
	"github.com/ecssim/ecssim/sim/traffic"
)

// Options are what a scenario file does not hold.
type Options struct {
	// Files holds the files a scenario names (traffic series); nil means
	// it can name none. DirFS(filepath.Dir(path)) resolves them beside
	// the scenario file, following only links that stay in its directory;
	// Build reads only regular files from it (see DirFS).
	Files fs.FS
	// MaxFileBytes is the most Build reads of one file the scenario names;
	// a longer file is refused. Zero means DefaultMaxFileBytes.
	MaxFileBytes int64
	// World configures the world (catalog, latencies, retention, Fargate
	// capacity); the zero value is sim's defaults.
	World sim.WorldConfig
	// Observer, if set, sees every engine event (sim.Config.Observer).
	Observer func(sim.Event)
	// MaxEvents bounds the engine events of the run (sim.Config.MaxEvents):
	// Run stops with an error matching sim.ErrEventLimit once they are
	// spent. Zero means DefaultMaxEvents; NoEventLimit means none. With
	// the world's quotas (Options.World.Quotas) and MaxReportRows it is
	// what bounds the time and memory a file of a few hundred bytes can
	// ask for (a year of a million requests a second is a valid request).
	MaxEvents int64
}

// DefaultMaxEvents is the engine events a run may take when
// Options.MaxEvents is zero: ten million, a few seconds of a busy world.
// Every example scenario takes far fewer; a larger run says so with
// Options.MaxEvents.
const DefaultMaxEvents = 10_000_000

// NoEventLimit as Options.MaxEvents lets a run take any number of events.
const NoEventLimit = -1

// Simulation is a built scenario: the world exists, its instances are
// launching, its services are created and its actions are scheduled;
// nothing has run yet. Sim and World are there for what a file cannot
// say: a custom policy, an observer, a look at the state between runs.
type Simulation struct {
	Scenario *Scenario
	Sim      *sim.Sim
	World    *sim.World
	// Metrics is the CloudWatch store the services' traffic publishes to
	// and their scaling policies read.
	Metrics *metrics.Store
	// Between, if set, is called by Run after every whole minute it runs
	// (and at the scenario's end), between engine runs: reading the world
	// there adds no event and leaves the trace hash as it was.
	Between func()

	opt      Options
	end      time.Time
	period   time.Duration
	services []*built
	actions  []ActionRecord
	rows     []Row
}

// built is one service of the scenario with what Build made for it.
type built struct {
	spec *Service
	svc  *sim.Service
	lb   *sim.LoadBalancer
	wl   *sim.Workload

	minDesired, maxDesired int
	// The running count sampled every minute: its sum, samples and
	// largest value.
	taskMinutes, minutes, maxTasks int
}

// Run builds and runs a scenario and returns its report.
func Run(sc *Scenario, opt Options) (*Report, error) {
	s, err := Build(sc, opt)
	if err != nil {
		return nil, err
	}
	return s.Run()
}

// Build validates the scenario and creates its world: clusters and
// instances, capacity providers, task definitions, services with their load
// balancers, traffic and scaling, and the actions at their times. It
// returns every problem at once, each naming the scenario field it comes
// from.
func Build(sc *Scenario, opt Options) (*Simulation, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	maxEvents := opt.MaxEvents
	switch {
	case maxEvents == 0:
		maxEvents = DefaultMaxEvents
	case maxEvents == NoEventLimit:
		maxEvents = 0
	case maxEvents < 0:
		return nil, &FieldError{Err: ErrInvalid, Field: "Options.MaxEvents", Value: opt.MaxEvents, Rule: "must be 0 (DefaultMaxEvents), NoEventLimit or positive"}
	}
	s, err := sim.New(sim.Config{Seed: sc.Seed, Start: sc.Start, Observer: opt.Observer, MaxEvents: maxEvents})
	if err != nil {
		return nil, fmt.Errorf("%w: start: %w", ErrInvalid, err)
	}
	// The scenario's clusters and services are the account as it stands
	// when the run begins, not API calls made during it: they are built
	// with throttling off, and the API rate limits apply from the first
	// action on.
	world, err := sc.worldConfig(opt.World)
	if err != nil {
		return nil, err
	}
	built := world
	built.APIRateLimits.Disabled = true
	w, err := sim.NewWorld(s, built)
	if err != nil {
		return nil, fmt.Errorf("%w: Options.World: %w", ErrInvalid, err)
	}
	store, err := metrics.NewStore(metrics.Config{})
	if err != nil {
		return nil, err
	}
	b := &builder{opt: opt, sim: s, world: w, duration: sc.Duration.D(), period: cmp.Or(sc.ReportPeriod.D(), time.Hour), refused: map[string]bool{}}
	out := &Simulation{Scenario: sc, Sim: s, World: w, Metrics: store, opt: opt,
		end: s.Start().Add(sc.Duration.D()), period: b.period}

	if sc.AWSVPCTrunking {
		w.SetAWSVPCTrunking(true)
	}
	for i, sn := range sc.Subnets {
		_, err := w.CreateSubnet(sim.SubnetConfig{SubnetId: sn.SubnetId, AvailabilityZone: sn.AvailabilityZone,
			CidrBlock: sn.CidrBlock, Public: sn.Public, ReservedAddresses: sn.ReservedAddresses})
		b.check(fmt.Sprintf("subnets[%d]", i), err)
	}
	for i, fs := range sc.FileSystems {
		b.check(fmt.Sprintf("fileSystems[%d]", i), b.fileSystem(fs, store))
	}
	for i, td := range sc.TaskDefinitions {
		if !b.check(fmt.Sprintf("taskDefinitions[%d]", i), b.taskDefinition(td)) {
			b.refused[td.Family] = true
		}
	}
	for i, cp := range sc.CapacityProviders {
		_, err := w.CreateCapacityProvider(b.provider(cp))
		if !b.check(fmt.Sprintf("capacityProviders[%d]", i), err) {
			b.refused[cp.Name] = true
		}
	}
	for i := range sc.Clusters {
		b.cluster(fmt.Sprintf("clusters[%d]", i), &sc.Clusters[i])
	}
	for i := range sc.Services {
		if bs := b.service(fmt.Sprintf("services[%d]", i), &sc.Services[i], store); bs != nil {
			out.services = append(out.services, bs)
		}
	}
	if err := errors.Join(b.errs...); err != nil {
		return nil, err
	}
	if err := w.SetAPIRateLimits(world.APIRateLimits); err != nil {
		return nil, fmt.Errorf("%w: Options.World: %w", ErrInvalid, err) // validated by NewWorld
	}
	out.scheduleActions()
	return out, nil
}

// builder creates the world's parts and collects their errors.
type builder struct {
	opt      Options
	sim      *sim.Sim
	world    *sim.World
	duration time.Duration // the scenario's length
	period   time.Duration // the report's rows
	errs     []error
	// refused are the task definition families and capacity providers
	// the simulator refused, and the clusters that name such a provider
	// (clusterKey): their services are not created, so that a problem is
	// reported once, under the part that has it.
	refused map[string]bool
}

// clusterKey is a cluster's key in builder.refused, apart from families
// and providers of the same name.
func clusterKey(name string) string { return "cluster " + name }

// check records err, if any, as a problem of the part at field.
func (b *builder) check(field string, err error) bool {
	if err == nil {
		return true
	}
	b.errs = append(b.errs, fmt.Errorf("%w: %s: %w", ErrInvalid, field, err))
	return false
}

func (b *builder) taskDefinition(td TaskDefinition) error {
	in := sim.TaskDefinitionInput{
		Family: td.Family, CPU: td.CPU, MemoryMiB: td.MemoryMiB,
		NetworkMode:             td.NetworkMode,
		RequiresCompatibilities: slices.Clone(td.RequiresCompatibilities),
		CPUArchitecture:         td.CPUArchitecture,
		PlacementConstraints:    constraints(td.PlacementConstraints),
	}
	for _, c := range td.Containers {
		cd := sim.ContainerDefinition{
			Name: c.Name, Image: c.Image, CPU: c.CPU, MemoryMiB: c.MemoryMiB,
			MemoryReservationMiB: c.MemoryReservationMiB, Essential: c.Essential, StopTimeout: c.StopTimeout.D(),
		}
		for _, p := range c.PortMappings {
			cd.PortMappings = append(cd.PortMappings, sim.PortMapping{ContainerPort: p.ContainerPort, HostPort: p.HostPort})
		}
		cd.MountPoints = mountPoints(c.MountPoints)
		in.Containers = append(in.Containers, cd)
	}
	in.Volumes = volumes(td.Volumes)
	_, err := b.world.RegisterTaskDefinition(in)
	return err
}

func constraints(cs []Constraint) []placement.Constraint {
	var out []placement.Constraint
	for _, c := range cs {
		out = append(out, placement.Constraint{Type: c.Type, Expression: c.Expression})
	}
	return out
}

func (b *builder) provider(cp CapacityProvider) sim.AutoScalingGroupProviderConfig {
	cfg := sim.AutoScalingGroupProviderConfig{
		Name: cp.Name, InstanceType: cp.InstanceType, Zones: b.zones(cp.Zones, &Cluster{}),
		MinSize: cp.MinSize, MaxSize: cp.MaxSize, DesiredCapacity: cp.DesiredCapacity,
		Spot: cp.Spot, Interruptions: capacity.InterruptionProcess{RatePerHour: cp.InterruptionsPerHour},
		ManagedTerminationProtection: cp.ManagedTerminationProtection,
	}
	if ms := cp.ManagedScaling; ms != nil {
		cfg.ManagedScaling = &capacity.ManagedScalingConfig{
			TargetCapacity: ms.TargetCapacity, MinimumScalingStepSize: ms.MinimumScalingStepSize,
			MaximumScalingStepSize: ms.MaximumScalingStepSize, InstanceWarmupPeriod: ms.InstanceWarmupPeriod.D(),
		}
	}
	return cfg
}

func (b *builder) cluster(at string, c *Cluster) {
	cl, err := b.world.CreateCluster(c.Name)
	if !b.check(at+".name", err) {
		return
	}
	if len(c.Zones) > 0 {
		b.check(at+".zones", cl.SetZones(c.Zones))
	}
	if len(c.CapacityProviders) > 0 {
		if slices.ContainsFunc(c.CapacityProviders, func(name string) bool { return b.refused[name] }) {
			// A provider was refused (its error is recorded): the cluster
			// cannot have its providers, and its services are not made.
			b.refused[clusterKey(c.Name)] = true
		} else {
			b.check(at+".capacityProviders", cl.PutCapacityProviders(c.CapacityProviders, strategyItems(c.DefaultCapacityProviderStrategy)))
		}
	}
	for j, g := range c.Instances {
		_, err := cl.LaunchInstances(g.Type, b.zones(g.Zones, c), g.Count)
		b.check(fmt.Sprintf("%s.instances[%d]", at, j), err)
	}
}

// zones are an instance group's zones: its own, else its cluster's, else
// the world's.
func (b *builder) zones(own []string, c *Cluster) []string {
	switch {
	case len(own) > 0:
		return own
	case len(c.Zones) > 0:
		return c.Zones
	case len(b.opt.World.Capacity.Zones) > 0:
		return b.opt.World.Capacity.Zones
	}
	return sim.DefaultFargateZones
}

func strategyItems(items []StrategyItem) []sim.CapacityProviderStrategyItem {
	var out []sim.CapacityProviderStrategyItem
	for _, it := range items {
		out = append(out, sim.CapacityProviderStrategyItem{Provider: it.CapacityProvider, Base: it.Base, Weight: it.Weight})
	}
	return out
}

func (b *builder) service(at string, spec *Service, store *metrics.Store) *built {
	cl := b.world.Cluster(spec.Cluster)
	if family, _, _ := strings.Cut(spec.TaskDefinition, ":"); cl == nil || b.refused[family] || b.refused[clusterKey(spec.Cluster)] {
		return nil // its cluster, a provider or its task definition failed to build; that error is recorded
	}
	bs := &built{spec: spec}
	cfg := sim.ServiceConfig{
		Name: spec.Name, TaskDefinition: spec.TaskDefinition, DesiredCount: spec.DesiredCount,
		SchedulingStrategy:          spec.SchedulingStrategy,
		LaunchType:                  spec.LaunchType,
		PlatformVersion:             spec.PlatformVersion,
		CapacityProviderStrategy:    strategyItems(spec.CapacityProviderStrategy),
		PlacementConstraints:        constraints(spec.PlacementConstraints),
		HealthCheckGracePeriod:      spec.HealthCheckGracePeriod.D(),
		AvailabilityZoneRebalancing: spec.AvailabilityZoneRebalancing,
	}
	for _, st := range spec.PlacementStrategy {
		cfg.PlacementStrategy = append(cfg.PlacementStrategy, placement.Strategy{Type: st.Type, Field: st.Field})
	}
	if dc := spec.DeploymentConfiguration; dc != nil {
		cfg.DeploymentConfiguration = sim.DeploymentConfiguration{MinimumHealthyPercent: dc.MinimumHealthyPercent, MaximumPercent: dc.MaximumPercent}
		if cb := dc.CircuitBreaker; cb != nil {
			cfg.DeploymentConfiguration.CircuitBreaker = sim.CircuitBreaker{Enable: cb.Enable, Rollback: cb.Rollback}
		}
	}
	if nc := spec.NetworkConfiguration; nc != nil {
		cfg.NetworkConfiguration = &sim.NetworkConfiguration{}
		if a := nc.AwsvpcConfiguration; a != nil {
			cfg.NetworkConfiguration.AwsvpcConfiguration = &sim.AwsVpcConfiguration{Subnets: slices.Clone(a.Subnets),
				SecurityGroups: slices.Clone(a.SecurityGroups), AssignPublicIp: sim.AssignPublicIP(a.AssignPublicIp)}
		}
	}
	if spec.LoadBalancer != nil {
		lb, err := b.world.NewLoadBalancer(sim.LoadBalancerConfig{Name: spec.Cluster + "-" + spec.Name, TargetGroup: targetGroup(spec.LoadBalancer)})
		if !b.check(at+".loadBalancer", err) {
			return nil
		}
		bs.lb = lb
		cfg.Observer = lb
	}
	svc, err := cl.CreateService(cfg)
	if !b.check(at, err) {
		return nil
	}
	bs.svc = svc
	bs.minDesired, bs.maxDesired = svc.DesiredCount(), svc.DesiredCount()
	if t := spec.Traffic; t != nil {
		wc, err := b.workload(t, bs.lb, store)
		if !b.check(at+".traffic", err) {
			return nil
		}
		wl, err := b.world.NewWorkload(wc)
		if !b.check(at+".traffic", err) {
			return nil
		}
		bs.wl = wl
	}
	if as := spec.AutoScaling; as != nil {
		ctl, err := b.controller(at+".autoScaling", spec, bs.lb)
		if ctl == nil {
			b.check(at+".autoScaling", err)
			return nil
		}
		if _, err := svc.AttachScaler(ctl, store); !b.check(at+".autoScaling", err) {
			return nil
		}
	}
	return bs
}

func targetGroup(lb *LoadBalancer) loadbalancer.Config {
	cfg := loadbalancer.Config{Type: lb.Type, Algorithm: lb.Algorithm, SlowStart: lb.SlowStart.D(),
		Nodes: lb.Nodes, SharedRoundRobin: lb.SharedRoundRobin}
	if hc := lb.HealthCheck; hc != nil {
		cfg.HealthCheck = loadbalancer.HealthCheck{Interval: hc.Interval.D(), Timeout: hc.Timeout.D(),
			HealthyThreshold: hc.HealthyThreshold, UnhealthyThreshold: hc.UnhealthyThreshold}
	}
	if d := lb.DeregistrationDelay; d != nil {
		cfg.DeregistrationDelay = d.D()
		if *d == 0 {
			cfg.DeregistrationDelay = loadbalancer.NoDeregistrationDelay
		}
	}
	return cfg
}

func (b *builder) workload(t *Traffic, lb *sim.LoadBalancer, store *metrics.Store) (sim.WorkloadConfig, error) {
	src, err := b.source(t.Rate)
	if err != nil {
		return sim.WorkloadConfig{}, err
	}
	if t.Delay > 0 {
		src = traffic.Delayed{Source: src, By: t.Delay.D()}
	}
	wc := sim.WorkloadConfig{
		LoadBalancer: lb, Mode: t.Mode, Source: src, Metrics: store, End: b.duration, ReportPeriod: b.period,
		MeanWork: t.Work.Mean.D(), SeparateHealthEndpoint: t.SeparateHealthEndpoint,
		IO: requestIO(t.IO),
	}
	work := t.Work.dist()
	wc.Demand, wc.SCV = work, work.SCV()
	wc.Server.Discipline = traffic.ProcessorSharing // the scenario's default
	if s := t.Server; s != nil {
		wc.Server.Concurrency, wc.Server.QueueLimit, wc.Server.Timeout = s.Concurrency, s.QueueLimit, s.Timeout.D()
		if s.Discipline != nil {
			wc.Server.Discipline = *s.Discipline
		}
	}
	return wc, nil
}

func (b *builder) source(r Rate) (traffic.Source, error) {
	switch {
	case r.Constant != nil:
		c := traffic.Constant{PerSecond: *r.Constant}
		return c, c.Validate()
	case r.Diurnal != nil:
		d := traffic.Diurnal{Mean: r.Diurnal.Mean, Amplitude: r.Diurnal.Amplitude, Period: r.Diurnal.Period.D(), Peak: r.Diurnal.Peak.D()}
		return d, d.Validate()
	case r.Steps != nil:
		return traffic.NewSteps(points(r.Steps)...)
	case r.Linear != nil:
		return traffic.NewPiecewiseLinear(points(r.Linear)...)
	}
	return b.series(r.Series)
}

func points(ps []RatePoint) []traffic.Point {
	out := make([]traffic.Point, len(ps))
	for i, p := range ps {
		out[i] = traffic.Point{At: p.At.D(), PerSecond: p.PerSecond}
	}
	return out
}

// controller builds the service's scalable target and policies. It returns
// nil and the joined errors if any part is refused.
func (b *builder) controller(at string, spec *Service, lb *sim.LoadBalancer) (*autoscale.Controller, error) {
	as := spec.AutoScaling
	id := "service/" + spec.Cluster + "/" + spec.Name
	label := ""
	if lb != nil {
		label = lb.ResourceLabel()
	}
	var errs []error
	fail := func(field string, err error) {
		errs = append(errs, fmt.Errorf("%s: %w", field, err))
	}
	var policies []autoscale.Policy
	for j, tt := range as.TargetTracking {
		cfg := autoscale.TargetTrackingConfig{
			Name: tt.Name, ResourceID: id, TargetValue: tt.TargetValue,
			PredefinedMetric: tt.Metric, ResourceLabel: label,
			ScaleOutCooldown: tt.ScaleOutCooldown.D(), ScaleInCooldown: tt.ScaleInCooldown.D(), DisableScaleIn: tt.DisableScaleIn,
		}
		if cm := tt.CustomizedMetric; cm != nil {
			m, stat, err := cm.resolve(spec.Cluster, spec.Name, lb)
			if err != nil {
				fail(fmt.Sprintf("targetTracking[%d].customizedMetric", j), err)
				continue
			}
			cfg.CustomizedMetric = &autoscale.CustomizedMetric{Metric: m, Statistic: stat}
		}
		p, err := autoscale.NewTargetTracking(cfg)
		if err != nil {
			fail(fmt.Sprintf("targetTracking[%d]", j), err)
			continue
		}
		policies = append(policies, p)
	}
	for j, st := range as.StepScaling {
		p, err := stepScaling(st, id, label, spec, lb)
		if err != nil {
			fail(fmt.Sprintf("stepScaling[%d]", j), err)
			continue
		}
		policies = append(policies, p)
	}
	for j, ps := range as.Predictive {
		cfg := autoscale.PredictiveScalingConfig{
			Name: ps.Name, ResourceID: id, ResourceLabel: label, Mode: ps.Mode,
			MetricPair: ps.MetricPair, TargetValue: ps.TargetValue,
			MaxCapacityBreachBehavior: ps.MaxCapacityBreachBehavior, MaxCapacityBuffer: ps.MaxCapacityBuffer,
		}
		if b := ps.SchedulingBufferTime; b != nil {
			cfg.SchedulingBufferTime = b.D()
			if cfg.SchedulingBufferTime == 0 {
				cfg.SchedulingBufferTime = autoscale.NoSchedulingBuffer // "0s" in the file is AWS's 0
			}
		}
		p, err := autoscale.NewPredictiveScaling(cfg)
		if err != nil {
			fail(fmt.Sprintf("predictive[%d]", j), err)
			continue
		}
		policies = append(policies, p)
	}
	var actions []autoscale.ScheduledAction
	for _, sa := range as.ScheduledActions {
		actions = append(actions, autoscale.ScheduledAction{Name: sa.Name, Schedule: sa.Schedule, Timezone: sa.Timezone,
			MinCapacity: sa.MinCapacity, MaxCapacity: sa.MaxCapacity})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return autoscale.NewController(autoscale.ControllerConfig{
		Target:   autoscale.ScalableTarget{ResourceID: id, MinCapacity: as.MinCapacity, MaxCapacity: as.MaxCapacity},
		Policies: policies, ScheduledActions: actions,
		// The world's quota: a capacity it would refuse is refused here.
		TasksPerService: b.world.Quotas().TasksPerService,
	})
}

func stepScaling(st StepScaling, id, label string, spec *Service, lb *sim.LoadBalancer) (*autoscale.StepScaling, error) {
	var metric metrics.Metric
	var stat metrics.Statistic
	var err error
	if cm := st.CustomizedMetric; cm != nil {
		metric, stat, err = cm.resolve(spec.Cluster, spec.Name, lb)
	} else {
		metric, stat, err = autoscale.PredefinedMetricSpec(st.Metric, id, label)
	}
	if err != nil {
		return nil, err
	}
	if st.Statistic != "" {
		if stat, err = metrics.ParseStatistic(st.Statistic); err != nil {
			return nil, err
		}
	}
	cfg := autoscale.StepScalingConfig{
		Name: st.Name,
		Alarm: metrics.AlarmConfig{
			Name: st.Name, Metric: metric, Statistic: stat, Period: st.Period.D(),
			EvaluationPeriods: st.EvaluationPeriods, DatapointsToAlarm: st.DatapointsToAlarm, Threshold: st.Threshold,
			Comparison: st.ComparisonOperator, TreatMissingData: st.TreatMissingData,
		},
		AdjustmentType:         st.AdjustmentType,
		MinAdjustmentMagnitude: st.MinAdjustmentMagnitude,
	}
	switch {
	case st.Cooldown == nil:
	case *st.Cooldown == 0:
		cfg.Cooldown = -1 // none
	default:
		cfg.Cooldown = st.Cooldown.D()
	}
	for _, a := range st.StepAdjustments {
		lo, hi := math.Inf(-1), math.Inf(1)
		if a.MetricIntervalLowerBound != nil {
			lo = *a.MetricIntervalLowerBound
		}
		if a.MetricIntervalUpperBound != nil {
			hi = *a.MetricIntervalUpperBound
		}
		cfg.StepAdjustments = append(cfg.StepAdjustments, autoscale.StepAdjustment{LowerBound: lo, UpperBound: hi, ScalingAdjustment: a.ScalingAdjustment})
	}
	return autoscale.NewStepScaling(cfg)
}
