package scenario

import (
	"cmp"
	"encoding"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

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

// MaxDuration is the longest scenario: a leap year.
const MaxDuration = 366 * 24 * time.Hour

// MaxReportRows is the most report periods a scenario may ask for,
// duration / reportPeriod: a week of one-minute rows, or a leap year of
// hourly ones. Each service keeps a row (and, with traffic, a period) per
// report period, so this bounds a report's memory by the services' count
// rather than by what a few bytes of duration and period can ask for.
const MaxReportRows = 10_080

// fargateNames are the capacity providers every cluster can name without
// declaring them.
var fargateNames = []string{"FARGATE", "FARGATE_SPOT"}

// Enumerated fields are typed with the module's enums (sim.LaunchType,
// placement.StrategyType, metrics.ComparisonOperator, ...), which read and
// write their AWS spellings and list them when a name is unknown; the
// shape pass reads them, and Validate checks only what a file cannot say
// with the type alone: a name the field requires, and the few values the
// types know that a scenario cannot use (the EXTERNAL launch type, custom
// placement written in Go).

// validator collects every problem of a scenario.
type validator struct {
	errs *fielderr.List
	// refused holds the problems of the fields whose name the shape pass
	// refused. Their value here is the zero one, which says nothing about
	// the file: the check of such a field reports the refusal instead (in
	// the order of the checks, as any other problem), and no check that
	// reads the field runs.
	refused  map[string]*FieldError
	reported map[string]bool
}

func (v *validator) add(field string, value any, rule string, args ...any) {
	if v.refused[field] == nil {
		v.errs.Add(field, value, fmt.Sprintf(rule, args...))
	}
}

// refusedName reports whether the shape pass refused field's name, and
// records that problem the first time.
func (v *validator) refusedName(field string) bool {
	fe := v.refused[field]
	if fe != nil && !v.reported[field] {
		v.reported[field] = true
		v.errs.Join(fe)
	}
	return fe != nil
}

// enum checks an enumerated field: a name the shape pass refused, or a
// value its type does not know (a scenario built in Go can hold any
// number), with the type's rule.
func (v *validator) enum(field string, value encoding.TextMarshaler) {
	if v.refusedName(field) {
		return
	}
	if _, err := value.MarshalText(); err != nil {
		v.leaf(field, err)
	}
}

// requiredEnum checks an enumerated field that has no default: its zero
// value (the field absent, null or "") is refused with the rule its type
// gives a name it does not know, which lists the valid ones; any other
// value must be one the type knows.
func requiredEnum[E interface {
	comparable
	encoding.TextMarshaler
}, P interface {
	*E
	encoding.TextUnmarshaler
}](v *validator, field string, value E) {
	if v.refusedName(field) {
		return
	}
	if value != *new(E) {
		v.enum(field, value)
		return
	}
	rule := "is required"
	if err := P(new(E)).UnmarshalText([]byte(noName)); err != nil {
		rule = fieldErrors(err)[0].Rule
	}
	v.add(field, "", "%s", rule)
}

// noName is a name no enumerated type reads (a NUL byte): what a type
// answers to it is the list of the names it reads.
const noName = "\x00"

// simulated refuses the launch type sim.LaunchType knows but does not
// simulate.
func (v *validator) simulated(field string, lt sim.LaunchType) {
	if lt == sim.External {
		v.add(field, string(lt), "is not simulated: a scenario runs tasks on EC2 and Fargate")
	}
}

// leaf records the problems a leaf package reported under the scenario's
// field name, keeping the leaf's value and rule.
func (v *validator) leaf(field string, err error) {
	for _, fe := range fieldErrors(err) {
		v.add(field, fe.Value, "%s", fe.Rule)
	}
}

// fieldErrors flattens err into its field errors; an error that is not
// one becomes a field error without a value.
func fieldErrors(err error) []*fielderr.Error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*fielderr.Error
		for _, e := range j.Unwrap() {
			out = append(out, fieldErrors(e)...)
		}
		return out
	}
	var fe *fielderr.Error
	if errors.As(err, &fe) {
		return []*fielderr.Error{fe}
	}
	return []*fielderr.Error{{Value: fielderr.Omit, Rule: err.Error()}}
}

func (v *validator) nonNegative(field string, d Duration) {
	if d < 0 {
		v.add(field, d, "must not be negative")
	}
}

func (v *validator) required(field, value string) {
	if value == "" {
		v.add(field, value, "is required")
	}
}

// Validate checks the scenario's structure: required fields, names, the
// enumerated values, references between its parts (a service's cluster,
// task definition family and capacity providers, an action's service) and
// the ranges the simulator cannot check on its own. It returns every
// problem at once, each a *FieldError. Rules of ECS itself (Fargate sizes,
// container limits, the query language) are checked by the simulator when
// Build creates each part, with the same kind of error.
func (sc *Scenario) Validate() error { return sc.validate(nil) }

// validate is Validate after a shape pass that refused the names of some
// enumerated fields, with those problems.
func (sc *Scenario) validate(refused []*FieldError) error {
	v := &validator{errs: fielderr.NewList(ErrInvalid), refused: map[string]*FieldError{}, reported: map[string]bool{}}
	for _, fe := range refused {
		v.refused[fe.Field] = fe
	}
	v.scenario(sc)
	for _, fe := range refused {
		v.refusedName(fe.Field) // a field no check visits is still reported
	}
	return v.errs.Err()
}

func (v *validator) scenario(sc *Scenario) {
	v.limits(sc)
	if sc.Duration <= 0 || sc.Duration.D() > MaxDuration {
		v.add("duration", sc.Duration, "must be positive and at most %v", MaxDuration)
	}
	if p := sc.ReportPeriod.D(); p != 0 && (p < 0 || p%time.Minute != 0 || (24*time.Hour)%p != 0) {
		v.add("reportPeriod", sc.ReportPeriod, "must be a whole number of minutes that divides a day")
	} else if p := cmp.Or(p, time.Hour); sc.Duration > 0 && (sc.Duration.D()+p-1)/p > MaxReportRows {
		v.add("reportPeriod", Duration(p), "makes %d report rows of a %v run; at most %d (MaxReportRows): take a longer period",
			(sc.Duration.D()+p-1)/p, sc.Duration.D(), MaxReportRows)
	}

	families := map[string]int{} // family → revisions
	for i, td := range sc.TaskDefinitions {
		at := fmt.Sprintf("taskDefinitions[%d]", i)
		v.required(at+".family", td.Family)
		families[td.Family]++
		v.enum(at+".networkMode", td.NetworkMode)
		for j, lt := range td.RequiresCompatibilities {
			field := fmt.Sprintf("%s.requiresCompatibilities[%d]", at, j)
			requiredEnum(v, field, lt)
			v.simulated(field, lt)
		}
		v.enum(at+".cpuArchitecture", td.CPUArchitecture)
		v.constraints(at+".placementConstraints", td.PlacementConstraints)
		if len(td.Containers) == 0 {
			v.add(at+".containers", len(td.Containers), "must hold at least one container")
		}
		for j, c := range td.Containers {
			v.nonNegative(fmt.Sprintf("%s.containers[%d].stopTimeout", at, j), c.StopTimeout)
		}
		if slices.Contains(td.RequiresCompatibilities, sim.Fargate) {
			v.fargate(at, td)
		}
	}

	providers := map[string]bool{}
	for i, cp := range sc.CapacityProviders {
		at := fmt.Sprintf("capacityProviders[%d]", i)
		v.required(at+".name", cp.Name)
		if slices.Contains(fargateNames, cp.Name) {
			v.add(at+".name", cp.Name, "is reserved for Fargate; clusters name it without an entry here")
		}
		if providers[cp.Name] && cp.Name != "" {
			v.add(at+".name", cp.Name, "is used by an earlier capacity provider")
		}
		providers[cp.Name] = true
		v.required(at+".instanceType", cp.InstanceType)
		v.zones(at+".zones", cp.Zones)
		if !(cp.InterruptionsPerHour >= 0) || math.IsInf(cp.InterruptionsPerHour, 0) {
			v.add(at+".interruptionsPerHour", cp.InterruptionsPerHour, "must be a finite rate of at least 0")
		}
		if cp.InterruptionsPerHour > 0 && !cp.Spot {
			v.add(at+".interruptionsPerHour", cp.InterruptionsPerHour, "needs spot: only Spot instances are interrupted")
		}
		if ms := cp.ManagedScaling; ms != nil {
			v.nonNegative(at+".managedScaling.instanceWarmupPeriod", ms.InstanceWarmupPeriod)
		}
	}

	clusters := map[string]*Cluster{}
	if len(sc.Clusters) == 0 {
		v.add("clusters", 0, "must hold at least one cluster")
	}
	for i := range sc.Clusters {
		c := &sc.Clusters[i]
		at := fmt.Sprintf("clusters[%d]", i)
		v.required(at+".name", c.Name)
		if clusters[c.Name] != nil {
			v.add(at+".name", c.Name, "is used by an earlier cluster")
		}
		clusters[c.Name] = c
		v.zones(at+".zones", c.Zones)
		for j, g := range c.Instances {
			v.instances(fmt.Sprintf("%s.instances[%d]", at, j), g)
		}
		for j, name := range c.CapacityProviders {
			if !providers[name] && !slices.Contains(fargateNames, name) {
				v.add(fmt.Sprintf("%s.capacityProviders[%d]", at, j), name, "names no capacity provider of the scenario (nor FARGATE or FARGATE_SPOT)")
			}
		}
		v.strategy(at+".defaultCapacityProviderStrategy", c.DefaultCapacityProviderStrategy, c)
	}

	services := map[string]bool{} // "cluster/name"
	for i := range sc.Services {
		s := &sc.Services[i]
		at := fmt.Sprintf("services[%d]", i)
		c := clusters[s.Cluster]
		if c == nil {
			v.add(at+".cluster", s.Cluster, "names no cluster of the scenario")
		}
		v.required(at+".name", s.Name)
		key := s.Cluster + "/" + s.Name
		if services[key] {
			v.add(at+".name", s.Name, "is used by an earlier service of cluster %q", s.Cluster)
		}
		services[key] = true
		v.taskDefinition(at+".taskDefinition", s.TaskDefinition, families)
		if s.DesiredCount < 0 {
			v.add(at+".desiredCount", s.DesiredCount, "must not be negative")
		}
		v.enum(at+".schedulingStrategy", s.SchedulingStrategy)
		v.enum(at+".launchType", s.LaunchType)
		v.simulated(at+".launchType", s.LaunchType)
		if c != nil {
			v.strategy(at+".capacityProviderStrategy", s.CapacityProviderStrategy, c)
		}
		for j, st := range s.PlacementStrategy {
			field := fmt.Sprintf("%s.placementStrategy[%d].type", at, j)
			requiredEnum(v, field, st.Type)
			if st.Type == placement.Custom {
				v.add(field, string(st.Type), "needs a scorer written in Go, which a scenario file cannot hold")
			}
		}
		v.constraints(at+".placementConstraints", s.PlacementConstraints)
		v.nonNegative(at+".healthCheckGracePeriod", s.HealthCheckGracePeriod)
		v.enum(at+".availabilityZoneRebalancing", s.AvailabilityZoneRebalancing)
		if lb := s.LoadBalancer; lb != nil {
			v.enum(at+".loadBalancer.type", lb.Type)
			v.enum(at+".loadBalancer.algorithm", lb.Algorithm)
			v.nonNegative(at+".loadBalancer.slowStart", lb.SlowStart)
			if lb.Nodes < 0 || lb.Nodes > loadbalancer.MaxNodes {
				v.add(at+".loadBalancer.nodes", lb.Nodes, "must be from 0 (one per zone) to %d", loadbalancer.MaxNodes)
			}
			if lb.DeregistrationDelay != nil {
				v.nonNegative(at+".loadBalancer.deregistrationDelay", *lb.DeregistrationDelay)
			}
			if hc := lb.HealthCheck; hc != nil {
				v.nonNegative(at+".loadBalancer.healthCheck.interval", hc.Interval)
				v.nonNegative(at+".loadBalancer.healthCheck.timeout", hc.Timeout)
			}
		}
		if s.Traffic != nil {
			if s.LoadBalancer == nil {
				v.add(at+".traffic", "{…}", "needs loadBalancer: requests reach tasks through it")
			}
			v.traffic(at+".traffic", s.Traffic)
		}
		if s.AutoScaling != nil {
			v.autoScaling(at+".autoScaling", s)
		}
	}

	for i, a := range sc.Actions {
		at := fmt.Sprintf("actions[%d]", i)
		if a.At < 0 || a.At >= sc.Duration {
			v.add(at+".at", a.At, "must be within the scenario's duration (%v)", sc.Duration.D())
		}
		n := 0
		if u := a.UpdateService; u != nil {
			n++
			if !services[u.Cluster+"/"+u.Service] {
				v.add(at+".updateService.service", u.Cluster+"/"+u.Service, "names no service of the scenario")
			}
			if u.TaskDefinition != "" {
				v.taskDefinition(at+".updateService.taskDefinition", u.TaskDefinition, families)
			}
			if u.DesiredCount != nil && *u.DesiredCount < 0 {
				v.add(at+".updateService.desiredCount", *u.DesiredCount, "must not be negative")
			}
		}
		if z := a.ZoneOutage; z != nil {
			n++
			v.required(at+".zoneOutage.zone", z.Zone)
			if z.Duration <= 0 {
				v.add(at+".zoneOutage.duration", z.Duration, "must be positive")
			}
		}
		if l := a.LaunchInstances; l != nil {
			n++
			if clusters[l.Cluster] == nil {
				v.add(at+".launchInstances.cluster", l.Cluster, "names no cluster of the scenario")
			}
			v.instances(at+".launchInstances", l.InstanceGroup)
		}
		if n != 1 {
			v.add(at, n, "must hold exactly one of updateService, zoneOutage and launchInstances")
		}
	}
}

// fargate checks a task definition that requires Fargate against
// Fargate's rules, under the fields that break them, once: ECS refuses
// such a task definition when it is registered, not once per service that
// runs it
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size).
func (v *validator) fargate(at string, td TaskDefinition) {
	if td.NetworkMode != sim.AWSVPC && !v.refusedName(at+".networkMode") {
		v.add(at+".networkMode", string(td.NetworkMode), "must be awsvpc: Fargate requires it")
	}
	size := capacity.FargateTaskSize{CPU: td.CPU, MemoryMiB: td.MemoryMiB}
	if td.CPUArchitecture == sim.ARM64 {
		size.Arch = capacity.ARM64
	}
	for _, fe := range fieldErrors(size.Validate()) {
		field := map[string]string{"cpu": ".cpu", "memory": ".memoryMiB", "Arch": ".cpuArchitecture"}[fe.Field]
		v.add(at+field, fe.Value, "is no Fargate size: %s", fe.Rule)
	}
	for j, c := range td.Containers {
		if c.StopTimeout.D() > sim.MaxFargateStopTimeout {
			v.add(fmt.Sprintf("%s.containers[%d].stopTimeout", at, j), c.StopTimeout, "must be at most %v on Fargate", sim.MaxFargateStopTimeout)
		}
	}
}

func (v *validator) instances(at string, g InstanceGroup) {
	v.required(at+".type", g.Type)
	v.zones(at+".zones", g.Zones)
	if g.Count < 1 || g.Count > 100_000 {
		v.add(at+".count", g.Count, "must be 1 to 100000")
	}
}

// zones checks the names of zones that instances are launched in: each
// becomes the ecs.availability-zone attribute of its instances, so it
// must be a valid attribute value (the simulator, given another, fails
// when the instance registers).
func (v *validator) zones(at string, zones []string) {
	for j, z := range zones {
		err := placement.ValidateAttributes(map[string]string{placement.AttrAvailabilityZone: z})
		for _, fe := range fieldErrors(err) {
			v.add(fmt.Sprintf("%s[%d]", at, j), z, "becomes the %s attribute of its instances: %s", placement.AttrAvailabilityZone, fe.Rule)
		}
	}
}

func (v *validator) constraints(at string, cs []Constraint) {
	for j, c := range cs {
		field := fmt.Sprintf("%s[%d]", at, j)
		requiredEnum(v, field+".type", c.Type)
		if c.Type == placement.CustomFilter {
			v.add(field+".type", string(c.Type), "needs a filter written in Go, which a scenario file cannot hold")
		}
		if c.Type == placement.MemberOf && c.Expression == "" {
			v.add(field+".expression", c.Expression, "is required for memberOf")
		}
		if c.Type == placement.DistinctInstance && c.Expression != "" {
			v.add(field+".expression", c.Expression, "must be empty for distinctInstance")
		}
	}
}

func (v *validator) strategy(at string, items []StrategyItem, c *Cluster) {
	for j, it := range items {
		field := fmt.Sprintf("%s[%d].capacityProvider", at, j)
		if !slices.Contains(c.CapacityProviders, it.CapacityProvider) {
			v.add(field, it.CapacityProvider, "is not one of cluster %q's capacityProviders", c.Name)
		}
	}
}

// taskDefinition checks "family" or "family:revision" against the families
// the scenario registers.
func (v *validator) taskDefinition(at, ref string, families map[string]int) {
	family, rev, hasRev := strings.Cut(ref, ":")
	n, ok := families[family]
	switch {
	case ref == "":
		v.add(at, ref, "is required")
	case !ok:
		v.add(at, ref, "names no family of taskDefinitions")
	case hasRev:
		r, err := strconv.Atoi(rev)
		if err != nil || r < 1 || r > n {
			v.add(at, ref, "revision must be 1 to %d (family %q has %d)", n, family, n)
		}
	}
}

func (v *validator) traffic(at string, t *Traffic) {
	v.enum(at+".mode", t.Mode)
	v.nonNegative(at+".delay", t.Delay)
	r := t.Rate
	kinds := 0
	if r.Constant != nil {
		kinds++
		v.leaf(at+".rate.constant", traffic.Constant{PerSecond: *r.Constant}.Validate())
	}
	if r.Diurnal != nil {
		kinds++
		v.nonNegative(at+".rate.diurnal.period", r.Diurnal.Period)
	}
	if r.Steps != nil {
		kinds++
	}
	if r.Linear != nil {
		kinds++
	}
	if s := r.Series; s != nil {
		kinds++
		v.required(at+".rate.series.file", s.File)
		v.required(at+".rate.series.valueColumn", s.ValueColumn)
		v.nonNegative(at+".rate.series.offset", s.Offset)
	}
	if kinds != 1 {
		v.add(at+".rate", kinds, "must hold exactly one of constant, diurnal, steps, linear and series")
	}
	w := t.Work
	v.enum(at+".work.distribution", w.Distribution)
	switch kind := w.Distribution; {
	case v.refused[at+".work.distribution"] != nil:
		// The file's name is not a distribution: no rule of one applies.
	case kind == dist.KindUniform:
		v.add(at+".work.distribution", w.Distribution.String(), "takes two bounds, not a mean; use exponential, fixed, lognormal or hyperexponential")
	case kind == dist.Unset, kind == dist.KindExponential, kind == dist.KindFixed:
		if w.SCV != 0 {
			v.add(at+".work.scv", w.SCV, "is fixed by the %q distribution; leave it out", w.dist().Kind())
		}
	case kind == dist.KindHyperExponential:
		if w.SCV <= 1 {
			v.add(at+".work.scv", w.SCV, "must be above 1 for a hyperexponential distribution")
		}
	}
	if w.Mean <= 0 {
		v.add(at+".work.mean", w.Mean, "must be positive")
	}
	if !(w.SCV >= 0) || math.IsInf(w.SCV, 0) {
		v.add(at+".work.scv", w.SCV, "must be finite and at least 0")
	}
	if s := t.Server; s != nil {
		if !v.refusedName(at+".server.discipline") && s.Discipline != nil {
			v.enum(at+".server.discipline", *s.Discipline)
		}
		v.nonNegative(at+".server.timeout", s.Timeout)
	}
}

func (v *validator) autoScaling(at string, s *Service) {
	as := s.AutoScaling
	if as.MinCapacity < 0 {
		v.add(at+".minCapacity", as.MinCapacity, "must not be negative")
	}
	if as.MaxCapacity < as.MinCapacity {
		v.add(at+".maxCapacity", as.MaxCapacity, "must be at least minCapacity (%d)", as.MinCapacity)
	}
	if (len(as.TargetTracking) > 0 || len(as.StepScaling) > 0) && s.Traffic == nil {
		v.add(at, "{…}", "target tracking and step scaling need the service's traffic: its metrics come from serving requests")
	}
	for j, tt := range as.TargetTracking {
		field := fmt.Sprintf("%s.targetTracking[%d]", at, j)
		v.required(field+".name", tt.Name)
		v.policyMetric(field, tt.Metric, tt.CustomizedMetric, s, true)
		v.nonNegative(field+".scaleOutCooldown", tt.ScaleOutCooldown)
		v.nonNegative(field+".scaleInCooldown", tt.ScaleInCooldown)
	}
	for j, st := range as.StepScaling {
		field := fmt.Sprintf("%s.stepScaling[%d]", at, j)
		v.required(field+".name", st.Name)
		v.policyMetric(field, st.Metric, st.CustomizedMetric, s, false)
		if st.CustomizedMetric != nil && st.Statistic != "" {
			v.add(field+".statistic", st.Statistic, "must not be set with customizedMetric, which has its own statistic")
		} else if st.Statistic != "" {
			if _, err := metrics.ParseStatistic(st.Statistic); err != nil {
				v.add(field+".statistic", st.Statistic, "must be a CloudWatch statistic (Average, Sum, SampleCount, Minimum, Maximum or pNN)")
			}
		}
		requiredEnum(v, field+".comparisonOperator", st.ComparisonOperator)
		v.enum(field+".treatMissingData", st.TreatMissingData)
		requiredEnum(v, field+".adjustmentType", st.AdjustmentType)
		if len(st.StepAdjustments) == 0 {
			v.add(field+".stepAdjustments", 0, "must hold at least one step")
		}
		if st.Cooldown != nil {
			v.nonNegative(field+".cooldown", *st.Cooldown)
		}
	}
	if len(as.Predictive) > 0 && s.Traffic == nil {
		v.add(at+".predictive", "[…]", "predictive scaling needs the service's traffic: its load metric comes from serving requests")
	}
	for j, ps := range as.Predictive {
		field := fmt.Sprintf("%s.predictive[%d]", at, j)
		v.required(field+".name", ps.Name)
		v.enum(field+".mode", ps.Mode)
		requiredEnum(v, field+".metricPair", ps.MetricPair)
		if ps.MetricPair == autoscale.PredictiveALBRequestCount && (s.LoadBalancer == nil || s.LoadBalancer.Type != loadbalancer.ALB) {
			v.add(field+".metricPair", ps.MetricPair.String(), "needs the service's loadBalancer to be an alb")
		}
		v.enum(field+".maxCapacityBreachBehavior", ps.MaxCapacityBreachBehavior)
		if b := ps.SchedulingBufferTime; b != nil && (b.D() < 0 || b.D() >= time.Hour) {
			v.add(field+".schedulingBufferTime", b.D().String(), "must be 0s to less than 1h (the forecast's hour)")
		}
	}
	for j, sa := range as.ScheduledActions {
		field := fmt.Sprintf("%s.scheduledActions[%d]", at, j)
		v.required(field+".name", sa.Name)
		v.required(field+".schedule", sa.Schedule)
	}
}

// policyMetric checks a scaling policy's metric at field at: a predefined
// one (metric) or a customized one, exactly one of the two.
func (v *validator) policyMetric(at string, m autoscale.PredefinedMetric, custom *CustomizedMetric, s *Service, targetTracking bool) {
	var zero autoscale.PredefinedMetric
	switch {
	case custom == nil:
		v.metric(at+".metric", m, s)
	case m != zero:
		v.add(at+".customizedMetric", "{…}", "must not be set with metric %q: a policy tracks one metric", m.String())
	default:
		v.customizedMetric(at+".customizedMetric", custom, s, targetTracking)
	}
}

func (v *validator) metric(at string, m autoscale.PredefinedMetric, s *Service) {
	requiredEnum(v, at, m)
	if m == autoscale.ALBRequestCountPerTarget && (s.LoadBalancer == nil || s.LoadBalancer.Type != loadbalancer.ALB) {
		v.add(at, m.String(), "needs the service's loadBalancer to be an alb")
	}
}
