package capacity

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"
)

// CapacityProviderReservation returns the metric ECS publishes for an Auto
// Scaling group capacity provider with managed scaling
// (AWS/ECS/ManagedScaling CapacityProviderReservation; the cluster auto
// scaling guide, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html, and
// https://aws.amazon.com/blogs/containers/deep-dive-on-amazon-ecs-cluster-auto-scaling/),
// in percent:
//
//	CPR = M / N × 100,   with CPR = 100 when M = 0 and N = 0,
//	                     and  CPR = 200 when M > 0 and N = 0,
//
// where N is the number of instances running in the group and M the number
// of instances ECS estimates the group needs (EstimateM).
func CapacityProviderReservation(m, n int) float64 {
	if n <= 0 {
		if m <= 0 {
			return 100
		}
		return 200
	}
	return float64(m) * 100 / float64(n)
}

// InstanceType is what the scale-out estimate needs of an EC2 instance type.
type InstanceType struct {
	// Name is the instance type, e.g. "c6i.large"; informational.
	Name string
	// CPU is the registered CPU in CPU units (vCPUs × 1024).
	CPU int
	// MemoryMiB is the registered memory in MiB.
	MemoryMiB int
	// ENIs is how many awsvpc tasks the instance can host (ENIs minus the
	// primary one, or the trunk limit); zero means not limiting.
	ENIs int
}

// TaskRequirement is what a task waiting in PROVISIONING needs of an
// instance.
type TaskRequirement struct {
	// CPU in CPU units; zero means no CPU reservation.
	CPU int
	// MemoryMiB in MiB; zero means no memory reservation.
	MemoryMiB int
	// AWSVPC reports whether the task uses the awsvpc network mode and so
	// one ENI; false for bridge and host mode.
	AWSVPC bool
}

func (t TaskRequirement) key() [3]int {
	v := 0
	if t.AWSVPC {
		v = 1
	}
	return [3]int{t.CPU, t.MemoryMiB, v}
}

// perInstance returns how many tasks of requirement t fit on an empty
// instance of type it (0 if none); -1 means unlimited (the task reserves
// nothing).
func (t TaskRequirement) perInstance(it InstanceType) int {
	n := -1
	limit := func(capacity, need int) {
		if need <= 0 {
			return
		}
		k := capacity / need
		if n < 0 || k < n {
			n = k
		}
	}
	limit(it.CPU, t.CPU)
	limit(it.MemoryMiB, t.MemoryMiB)
	if t.AWSVPC && it.ENIs > 0 {
		limit(it.ENIs, 1)
	}
	return n
}

// EstimateInstancesNeeded estimates how many new instances the tasks
// waiting in PROVISIONING need, the way the cluster auto scaling guide
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html) describes ECS
// doing it:
//
//  1. group the tasks with identical requirements;
//  2. sort the group's instance types by CPU, memory and ENIs and take the
//     smallest and the largest;
//  3. the smallest type is a guard: a task that does not fit on an empty
//     smallest instance is excluded (reported in excluded);
//  4. for each group, the instances needed on the largest type:
//     ceil(tasks / tasks-per-instance), tasks-per-instance being the
//     binpack limit min(CPU/cpu, memory/mem, ENIs/1);
//  5. the estimate is the largest group's count.
//
// Taking the maximum over groups, not the sum, reads the reference's "the
// largest type gives the maximum count" as the deep-dive blog's design: the
// estimate is a lower bound and scaling repeats each minute until nothing
// waits (an interpretation; see the package doc). Ports and GPUs are not
// modelled. A zero result with tasks waiting means no task fits: scaling
// stops and the reservation stays at 100.
func EstimateInstancesNeeded(pending []TaskRequirement, types []InstanceType) (needed, excluded int) {
	if len(pending) == 0 || len(types) == 0 {
		return 0, 0
	}
	sorted := slices.Clone(types)
	slices.SortStableFunc(sorted, func(a, b InstanceType) int {
		return cmp.Or(cmp.Compare(a.CPU, b.CPU), cmp.Compare(a.MemoryMiB, b.MemoryMiB), cmp.Compare(a.ENIs, b.ENIs))
	})
	smallest, largest := sorted[0], sorted[len(sorted)-1]
	groups := slices.Clone(pending)
	slices.SortFunc(groups, func(a, b TaskRequirement) int {
		ka, kb := a.key(), b.key()
		return slices.Compare(ka[:], kb[:])
	})
	for i := 0; i < len(groups); {
		j := i
		for j < len(groups) && groups[j] == groups[i] {
			j++
		}
		t, size := groups[i], j-i
		i = j
		if t.perInstance(smallest) == 0 {
			excluded += size
			continue
		}
		per := t.perInstance(largest)
		// per < 0: the task reserves nothing, one instance hosts them all.
		// per = 0: the lexicographically largest type (most CPU) lacks
		// memory or ENIs the smallest has; count one instance, a lower
		// bound the next minute's estimate refines.
		count := 1
		if per > 0 {
			count = (size + per - 1) / per
		}
		needed = max(needed, count)
	}
	return needed, excluded
}

// ManagedScalingConfig is the managedScaling block of an Auto Scaling group
// capacity provider
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html)
// plus the alarm timing ECS uses: one datapoint above target to scale out,
// fifteen below to scale in (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html).
type ManagedScalingConfig struct {
	// TargetCapacity is the CapacityProviderReservation to hold, percent
	// 1–100; zero means 100 (no spare instances). 90 keeps about 10% of
	// instances free.
	TargetCapacity int
	// MinimumScalingStepSize is the fewest instances one scale-out adds,
	// 1–10000; zero means 1.
	MinimumScalingStepSize int
	// MaximumScalingStepSize is the most instances one scale-out adds,
	// 1–10000; zero means 10000. Step sizes do not limit scale-in.
	MaximumScalingStepSize int
	// InstanceWarmupPeriod is how long after a scale-out (and after the
	// newest instance's launch) the next scale-out waits, 0–10000 s; zero
	// means 300 s unless NoWarmup is set.
	InstanceWarmupPeriod time.Duration
	// NoWarmup makes the warm-up period exactly zero; false keeps
	// InstanceWarmupPeriod (or its default).
	NoWarmup bool
	// MultipleInstanceTypesOrAZs reports that the Auto Scaling group has
	// more than one instance type or Availability Zone; ECS then scales out
	// by exactly MinimumScalingStepSize, ignoring the estimate and the
	// maximum step. False means one type in one zone.
	MultipleInstanceTypesOrAZs bool
	// ScaleOutDatapoints is how many consecutive one-minute datapoints above
	// TargetCapacity start a scale-out; zero means 1 (the AlarmHigh of 1 of
	// 1 minute reported in containers-roadmap#638; UNCONFIRMED).
	ScaleOutDatapoints int
	// ScaleInDatapoints is how many consecutive one-minute datapoints below
	// TargetCapacity start a scale-in; zero means 15 (documented).
	ScaleInDatapoints int
	// MaxScaleInFraction is the largest share of the desired capacity one
	// scale-in minute removes, in percent; zero means 50 (the "Faster
	// scaling-in" blog raised it from 5% to 50%). At least one instance is
	// always removed per step while scale-in continues.
	MaxScaleInFraction int
}

// Managed scaling defaults, from the API_ManagedScaling reference and the
// cluster auto scaling guide (see ManagedScalingConfig).
const (
	// DefaultTargetCapacity is the default targetCapacity, percent.
	DefaultTargetCapacity = 100
	// DefaultMinimumScalingStep is the default minimumScalingStepSize.
	DefaultMinimumScalingStep = 1
	// DefaultMaximumScalingStep is the default maximumScalingStepSize
	// (10000 in the current API reference; older CloudFormation text said 1).
	DefaultMaximumScalingStep = 10000
	// DefaultInstanceWarmupPeriod is the default instanceWarmupPeriod.
	DefaultInstanceWarmupPeriod = 300 * time.Second
	// DefaultScaleOutDatapoints is the AlarmHigh length: 1 datapoint of 1
	// minute (UNCONFIRMED, containers-roadmap#638).
	DefaultScaleOutDatapoints = 1
	// DefaultScaleInDatapoints is the AlarmLow length: 15 datapoints of 1
	// minute (documented).
	DefaultScaleInDatapoints = 15
	// DefaultMaxScaleInFraction is the most of the desired capacity one
	// scale-in minute removes, percent.
	DefaultMaxScaleInFraction = 50
	// ManagedScalingPeriod is how often ECS publishes the metric and the
	// controller evaluates.
	ManagedScalingPeriod = time.Minute
)

func (c ManagedScalingConfig) withDefaults() ManagedScalingConfig {
	c.TargetCapacity = cmp.Or(c.TargetCapacity, DefaultTargetCapacity)
	c.MinimumScalingStepSize = cmp.Or(c.MinimumScalingStepSize, DefaultMinimumScalingStep)
	c.MaximumScalingStepSize = cmp.Or(c.MaximumScalingStepSize, DefaultMaximumScalingStep)
	if c.NoWarmup {
		c.InstanceWarmupPeriod = 0
	} else {
		c.InstanceWarmupPeriod = cmp.Or(c.InstanceWarmupPeriod, DefaultInstanceWarmupPeriod)
	}
	c.ScaleOutDatapoints = cmp.Or(c.ScaleOutDatapoints, DefaultScaleOutDatapoints)
	c.ScaleInDatapoints = cmp.Or(c.ScaleInDatapoints, DefaultScaleInDatapoints)
	c.MaxScaleInFraction = cmp.Or(c.MaxScaleInFraction, DefaultMaxScaleInFraction)
	return c
}

// Validate reports every field that breaks a rule, joined.
func (c ManagedScalingConfig) Validate() error {
	var errs []error
	if c.TargetCapacity < 0 || c.TargetCapacity > 100 {
		errs = append(errs, invalid("ManagedScalingConfig.TargetCapacity", c.TargetCapacity, "must be in [1, 100] (0 = 100)"))
	}
	if c.MinimumScalingStepSize < 0 || c.MinimumScalingStepSize > 10000 {
		errs = append(errs, invalid("ManagedScalingConfig.MinimumScalingStepSize", c.MinimumScalingStepSize, "must be in [1, 10000] (0 = 1)"))
	}
	if c.MaximumScalingStepSize < 0 || c.MaximumScalingStepSize > 10000 {
		errs = append(errs, invalid("ManagedScalingConfig.MaximumScalingStepSize", c.MaximumScalingStepSize, "must be in [1, 10000] (0 = 10000)"))
	}
	d := c.withDefaults()
	if d.MinimumScalingStepSize > d.MaximumScalingStepSize && c.MinimumScalingStepSize >= 0 && c.MaximumScalingStepSize >= 0 {
		errs = append(errs, invalid("ManagedScalingConfig.MinimumScalingStepSize", c.MinimumScalingStepSize, fmt.Sprintf("must not exceed MaximumScalingStepSize %d", d.MaximumScalingStepSize)))
	}
	if c.InstanceWarmupPeriod < 0 || c.InstanceWarmupPeriod > 10000*time.Second {
		errs = append(errs, invalid("ManagedScalingConfig.InstanceWarmupPeriod", c.InstanceWarmupPeriod, "must be in [0, 10000s] (0 = 300s; NoWarmup for none)"))
	}
	if c.ScaleOutDatapoints < 0 {
		errs = append(errs, invalid("ManagedScalingConfig.ScaleOutDatapoints", c.ScaleOutDatapoints, "must be ≥ 0 (0 = 1)"))
	}
	if c.ScaleInDatapoints < 0 {
		errs = append(errs, invalid("ManagedScalingConfig.ScaleInDatapoints", c.ScaleInDatapoints, "must be ≥ 0 (0 = 15)"))
	}
	if c.MaxScaleInFraction < 0 || c.MaxScaleInFraction > 100 {
		errs = append(errs, invalid("ManagedScalingConfig.MaxScaleInFraction", c.MaxScaleInFraction, "must be in [1, 100] percent (0 = 50)"))
	}
	return errors.Join(errs...)
}

// ScaleOutStep returns how many instances one scale-out adds for an
// estimated need (EstimateInstancesNeeded):
//
//	step = 0                                  if need = 0 (nothing fits: no scale-out)
//	step = minimumScalingStepSize             if the group has several types or AZs
//	step = max(minStep, min(maxStep, need))   otherwise
func (c ManagedScalingConfig) ScaleOutStep(need int) int {
	d := c.withDefaults()
	if need <= 0 {
		return 0
	}
	if d.MultipleInstanceTypesOrAZs {
		return d.MinimumScalingStepSize
	}
	return max(d.MinimumScalingStepSize, min(d.MaximumScalingStepSize, need))
}

// EstimateM returns M, the instances the group needs: with tasks waiting
// that some instance type fits (step > 0), every running instance plus the
// scale-out step, M = N + step; otherwise the instances running at least
// one non-daemon task (an instance running only daemon tasks counts as
// empty), M = nonEmpty.
func EstimateM(n, nonEmpty, step int) int {
	if step > 0 {
		return n + step
	}
	return nonEmpty
}

// AutoScalingGroup is the capacity part of an EC2 Auto Scaling group.
type AutoScalingGroup struct {
	// MinSize is the fewest instances, ≥ 0. ECS never changes it.
	MinSize int
	// MaxSize is the most instances, ≥ MinSize; must be > 0 for managed
	// scaling to scale out. ECS never changes it.
	MaxSize int
	// DesiredCapacity is the number of instances the group maintains;
	// MinSize ≤ DesiredCapacity ≤ MaxSize.
	DesiredCapacity int
}

// Validate reports every field that breaks a rule, joined.
func (g AutoScalingGroup) Validate() error {
	var errs []error
	if g.MinSize < 0 {
		errs = append(errs, invalid("AutoScalingGroup.MinSize", g.MinSize, "must be ≥ 0"))
	}
	if g.MaxSize < g.MinSize {
		errs = append(errs, invalid("AutoScalingGroup.MaxSize", g.MaxSize, fmt.Sprintf("must be ≥ MinSize %d", g.MinSize)))
	}
	if g.DesiredCapacity < g.MinSize || g.DesiredCapacity > g.MaxSize {
		errs = append(errs, invalid("AutoScalingGroup.DesiredCapacity", g.DesiredCapacity, fmt.Sprintf("must be in [MinSize %d, MaxSize %d]", g.MinSize, g.MaxSize)))
	}
	return errors.Join(errs...)
}

// Clamp returns desired limited to [MinSize, MaxSize], as the Auto Scaling
// group does with every scaling request.
func (g AutoScalingGroup) Clamp(desired int) int {
	return max(g.MinSize, min(g.MaxSize, desired))
}

// ScalingInput is one minute's view of an Auto Scaling group capacity
// provider.
type ScalingInput struct {
	// Instances is N, the instances running in the group and registered
	// with the cluster.
	Instances int
	// NonEmptyInstances is how many of them run at least one non-daemon
	// task.
	NonEmptyInstances int
	// Pending are the tasks of this provider waiting in PROVISIONING.
	Pending []TaskRequirement
	// InstanceTypes are the group's instance types (for the estimate).
	InstanceTypes []InstanceType
	// NewestLaunch is when the newest running instance launched (time since
	// the start of the simulation; negative for instances that predate it);
	// ignored when Instances is 0.
	NewestLaunch time.Duration
}

// ScalingDecision is what the controller decided at one evaluation.
type ScalingDecision struct {
	// Desired is the Auto Scaling group's desired capacity after the
	// decision; Previous the one before.
	Desired, Previous int
	// M is the estimated instances needed and Reservation the published
	// CapacityProviderReservation, percent.
	M           int
	Reservation float64
	// Excluded counts pending tasks no instance type of the group fits.
	Excluded int
	// Reason says, in the style of an Auto Scaling activity, why Desired is
	// what it is.
	Reason string
	// Next is when the controller wants its next evaluation: one minute
	// later.
	Next time.Duration
}

// ManagedScaling is the cluster auto scaling controller of one Auto Scaling
// group capacity provider. The world calls Evaluate once a minute; each call
// is one datapoint of the metric. It decides:
//
//   - the target tracking capacity N' = ceil(M × 100 / targetCapacity)
//     (for M = 0, N' = 0);
//   - scale-out when the last ScaleOutDatapoints datapoints were above
//     targetCapacity and N' exceeds the desired capacity, unless the
//     previous scale-out or the newest instance is younger than the warm-up
//     period: desired = clamp(N');
//   - scale-in when the last ScaleInDatapoints (15) datapoints were below
//     targetCapacity and N' is below the desired capacity: each minute
//     desired falls by at most max(1, desired × MaxScaleInFraction / 100),
//     never below N'. A datapoint above target (a scale-out request) resets
//     the count, aborting and restarting the scale-in;
//   - every result is clamped to the group's [MinSize, MaxSize].
//
// Because M counts every instance that runs a non-daemon task and
// targetCapacity ≤ 100, N' never asks for fewer instances than are busy;
// which instances go is ChooseInstancesToTerminate's decision.
type ManagedScaling struct {
	cfg     ManagedScalingConfig
	group   AutoScalingGroup
	above   int // consecutive datapoints above target
	below   int // consecutive datapoints below target
	lastOut time.Duration
	everOut bool
}

// NewManagedScaling returns a controller for the group, or every
// configuration error joined.
func NewManagedScaling(cfg ManagedScalingConfig, group AutoScalingGroup) (*ManagedScaling, error) {
	if err := errors.Join(cfg.Validate(), group.Validate()); err != nil {
		return nil, err
	}
	return &ManagedScaling{cfg: cfg.withDefaults(), group: group}, nil
}

// Group returns the Auto Scaling group as the controller last set it.
func (c *ManagedScaling) Group() AutoScalingGroup { return c.group }

// Evaluate takes one minute's datapoint at now (time since the start of the
// simulation) and returns the decision; Decision.Next is when to call again.
func (c *ManagedScaling) Evaluate(now time.Duration, in ScalingInput) ScalingDecision {
	need, excluded := EstimateInstancesNeeded(in.Pending, in.InstanceTypes)
	step := c.cfg.ScaleOutStep(need)
	m := EstimateM(in.Instances, in.NonEmptyInstances, step)
	cpr := CapacityProviderReservation(m, in.Instances)
	target := float64(c.cfg.TargetCapacity)
	switch {
	case cpr > target:
		c.above++
		c.below = 0
	case cpr < target:
		c.below++
		c.above = 0
	default:
		c.above, c.below = 0, 0
	}
	tracking := (m*100 + c.cfg.TargetCapacity - 1) / c.cfg.TargetCapacity
	prev := c.group.DesiredCapacity
	d := ScalingDecision{Previous: prev, Desired: prev, M: m, Reservation: cpr, Excluded: excluded, Next: addSat(now, ManagedScalingPeriod)}
	switch {
	case c.above >= c.cfg.ScaleOutDatapoints && tracking > prev:
		hold := c.lastOut
		if in.Instances > 0 && in.NewestLaunch > hold {
			hold = in.NewestLaunch
		}
		if warm := addSat(hold, c.cfg.InstanceWarmupPeriod); (c.everOut || in.Instances > 0) && now < warm {
			d.Reason = fmt.Sprintf("scale-out to %d waits for instance warm-up until %v", tracking, warm)
			return d
		}
		d.Desired = c.group.Clamp(tracking)
		if d.Desired == prev {
			d.Reason = fmt.Sprintf("reservation %.1f%% above target %d%% but desired %d is at MaxSize %d", cpr, c.cfg.TargetCapacity, prev, c.group.MaxSize)
			return d
		}
		c.lastOut, c.everOut = now, true
		d.Reason = fmt.Sprintf("reservation %.1f%% above target %d%%: desired %d → %d", cpr, c.cfg.TargetCapacity, prev, d.Desired)
	case c.below >= c.cfg.ScaleInDatapoints && tracking < prev:
		limit := max(1, prev*c.cfg.MaxScaleInFraction/100)
		d.Desired = c.group.Clamp(max(tracking, prev-limit))
		if d.Desired == prev {
			d.Reason = fmt.Sprintf("reservation %.1f%% below target %d%% but desired %d is at MinSize %d", cpr, c.cfg.TargetCapacity, prev, c.group.MinSize)
			return d
		}
		d.Reason = fmt.Sprintf("reservation %.1f%% below target %d%% for %d datapoints: desired %d → %d", cpr, c.cfg.TargetCapacity, c.below, prev, d.Desired)
	case c.below > 0 && tracking < prev:
		d.Reason = fmt.Sprintf("reservation %.1f%% below target %d%%: %d of %d datapoints before scale-in", cpr, c.cfg.TargetCapacity, c.below, c.cfg.ScaleInDatapoints)
	default:
		d.Reason = fmt.Sprintf("reservation %.1f%%, target %d%%: no change", cpr, c.cfg.TargetCapacity)
	}
	c.group.DesiredCapacity = d.Desired
	return d
}

// Instance is what managed termination protection and the scale-in choice
// need of a container instance.
type Instance struct {
	// ID identifies the instance; ties in the order break on it.
	ID string
	// LaunchedAt is the launch time, since the start of the simulation.
	LaunchedAt time.Duration
	// NonDaemonTasks counts the tasks on it that are not daemon-service
	// tasks (RUNNING or on their way there).
	NonDaemonTasks int
}

// CanTerminate reports whether the Auto Scaling group may terminate the
// instance on scale-in. With managed termination protection ECS keeps
// scale-in protection on every instance that runs a non-daemon task
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html); without it any
// instance may go.
func CanTerminate(inst Instance, managedTerminationProtection bool) bool {
	return !managedTerminationProtection || inst.NonDaemonTasks == 0
}

// ChooseInstancesToTerminate picks up to k instances for the Auto Scaling
// group to terminate when its desired capacity falls by k. Only instances
// CanTerminate allows are chosen, oldest launch first, ties by ID. This
// simplifies the default termination policy (zone balance, oldest launch
// template, closest to the billing hour, random), of which only the age
// order is modelled. Fewer than k are returned when protection blocks the
// rest; the group then keeps them until they empty.
func ChooseInstancesToTerminate(instances []Instance, k int, managedTerminationProtection bool) []string {
	eligible := make([]Instance, 0, len(instances))
	for _, inst := range instances {
		if CanTerminate(inst, managedTerminationProtection) {
			eligible = append(eligible, inst)
		}
	}
	slices.SortFunc(eligible, func(a, b Instance) int {
		return cmp.Or(cmp.Compare(a.LaunchedAt, b.LaunchedAt), cmp.Compare(a.ID, b.ID))
	})
	out := make([]string, 0, min(max(k, 0), len(eligible)))
	for _, inst := range eligible[:min(max(k, 0), len(eligible))] {
		out = append(out, inst.ID)
	}
	return out
}
