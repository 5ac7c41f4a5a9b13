package sim

import (
	"slices"
	"time"

	"github.com/ecssim/ecssim/sim/capacity"
)

// Cluster auto scaling. Every Auto Scaling group provider attached to a
// cluster ticks once a minute (PhaseScaling, so the tick sees the minute's
// lifecycle changes). With managed scaling the tick feeds one datapoint to
// capacity.ManagedScaling:
//
//	N = the group's instances that are not INACTIVE (launching ones count:
//	    the Auto Scaling group has them InService before ECS sees them)
//	non-empty = those running at least one non-daemon task
//	pending = the provider's tasks waiting in PROVISIONING
//	M, CapacityProviderReservation and the new desired capacity: the
//	controller's (capacity.EstimateM, CapacityProviderReservation)
//
// Then, with or without managed scaling, the group converges on its
// desired capacity: it launches the instances it lacks (a Spot
// interruption or a failure is replaced this way, at the next tick) and
// terminates the surplus chosen by capacity.ChooseInstancesToTerminate,
// which under managed termination protection never picks an instance
// that runs a non-daemon task; those stay until they are empty.

// ScalingRecord is one managed scaling evaluation of a provider.
type ScalingRecord struct {
	// At is the instant of the evaluation.
	At time.Time
	// Instances is N and NonEmpty the instances running a non-daemon task.
	Instances, NonEmpty int
	// Pending is how many tasks waited in PROVISIONING.
	Pending int
	// Decision is the controller's decision (M, the reservation, the
	// desired capacity and why).
	Decision capacity.ScalingDecision
}

// ScalingHistory returns the provider's managed scaling evaluations, oldest
// first; nil without managed scaling.
func (p *CapacityProvider) ScalingHistory() []ScalingRecord { return slices.Clone(p.decisions) }

// onManagedScaling is the minute tick of an Auto Scaling group provider.
func (a *account) onManagedScaling(arg uint64) {
	p := a.providers[arg]
	w := a.w
	now := w.sim.Elapsed()
	p.tick = w.sim.Schedule(a.kScaling, capacity.ManagedScalingPeriod, arg)
	if p.scaling != nil {
		in := p.scalingInput()
		d := p.scaling.Evaluate(now, in)
		p.group = p.scaling.Group()
		p.decisions = append(p.decisions, ScalingRecord{At: w.now(), Instances: in.Instances, NonEmpty: in.NonEmptyInstances, Pending: len(in.Pending), Decision: d})
	}
	p.converge()
}

// scalingInput is the minute's view of the group for the controller.
func (p *CapacityProvider) scalingInput() capacity.ScalingInput {
	in := capacity.ScalingInput{
		Instances: p.instances.len(),
		InstanceTypes: []capacity.InstanceType{{
			Name: p.typ.Name, CPU: p.typ.RegisteredCPU(),
			MemoryMiB: p.typ.RegisteredMemoryMiB(p.w.cfg.ReservedMemoryMiB), ENIs: p.typ.AWSVPCTasks(p.w.vpc.trunking),
		}},
	}
	for inst := range p.instances.all() {
		if inst.nonDaemonTasks() > 0 {
			in.NonEmptyInstances++
		}
		in.NewestLaunch = max(in.NewestLaunch, inst.launched.Sub(p.w.sim.Start()))
	}
	for _, t := range p.waiting {
		if t.desired == TaskRunning {
			in.Pending = append(in.Pending, capacity.TaskRequirement{CPU: t.req.CPU, MemoryMiB: t.req.MemoryMiB, AWSVPC: t.def.in.NetworkMode == AWSVPC})
		}
	}
	return in
}

// converge launches or terminates instances until the group holds its
// desired capacity, as far as termination protection allows.
func (p *CapacityProvider) converge() {
	for p.instances.len() < p.group.DesiredCapacity {
		if p.launchInstance() == nil {
			break // every zone of the group is out, or the cluster is full
		}
	}
	surplus := p.instances.len() - p.group.DesiredCapacity
	if surplus <= 0 {
		return
	}
	members := p.instances.members()
	view := make([]capacity.Instance, len(members))
	byID := make(map[string]*Instance, len(members))
	for i, in := range members {
		view[i] = capacity.Instance{ID: in.ec2ID, LaunchedAt: in.launched.Sub(p.w.sim.Start()), NonDaemonTasks: in.nonDaemonTasks()}
		byID[in.ec2ID] = in
	}
	protect := p.cfg.ManagedTerminationProtection
	for _, id := range capacity.ChooseInstancesToTerminate(view, surplus, protect) {
		in := byID[id]
		if protect && in.nonDaemonTasks() > 0 {
			panic("sim: managed termination protection chose a busy instance " + id)
		}
		_ = in.Fail() // the Auto Scaling group terminates it; its daemon tasks stop with it
	}
}
