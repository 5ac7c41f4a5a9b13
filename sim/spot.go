package sim

import (
	"time"

	"github.com/ecssim/ecssim/sim/capacity"
)

// Spot interruptions
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html).
//
// Fargate Spot: at the two-minute warning the task's desired status
// becomes STOPPED with capacity's stop code and reason; a RUNNING task
// first goes through DEACTIVATING, where its attachments (the load
// balancer target) deregister and drain, then gets SIGTERM and SIGKILL
// after its stopTimeout; whatever is left at warning + 120 s is reclaimed:
// the task stops at once and its requests in flight are aborted. The
// service replaces the task through its capacity provider strategy.
//
// EC2 Spot: at the warning the instance is set to DRAINING
// (Instance.InterruptSpot: ECS_ENABLE_SPOT_INSTANCE_DRAINING), so services
// start replacements through their strategy and stop the old tasks within
// their deployment bounds, deregistering them first; at warning + 120 s EC2
// reclaims the instance and tasks still on it stop with SpotInterruption.
// The Auto Scaling group replaces the instance at its next minute tick.
//
// With a rate, each Fargate Spot task (at creation) and each Spot instance
// (at launch) draws its warning time from the "spot" stream; with a
// schedule, each instant interrupts one running task or ACTIVE instance of
// the provider, chosen uniformly from the "spot" stream.

// spotArg packs a Spot warning's target: a task ID or an instance ID.
func spotArg(id int, instance bool) uint64 {
	a := uint64(id) << 1
	if instance {
		a |= 1
	}
	return a
}

// armFargateSpot draws a Fargate Spot task's interruption, if any.
func (a *account) armFargateSpot(t *Task) {
	proc := a.cfg.FargateSpotInterruptions
	if proc.RatePerHour <= 0 {
		return
	}
	if at, ok := proc.NextWarning(a.rngSpot, a.w.sim.Elapsed()); ok {
		a.w.sim.ScheduleAt(a.kSpotWarning, at, spotArg(t.id, false))
	}
}

// armEC2Spot draws a Spot instance's interruption, if any.
func (a *account) armEC2Spot(in *Instance) {
	proc := in.provider.cfg.Interruptions
	if proc.RatePerHour <= 0 {
		return
	}
	if at, ok := proc.NextWarning(a.rngSpot, a.w.sim.Elapsed()); ok {
		a.w.sim.ScheduleAt(a.kSpotWarning, at, spotArg(in.id, true))
	}
}

// scheduleScripted arranges a provider's scripted interruptions that are
// still ahead.
func (a *account) scheduleScripted(p *CapacityProvider, proc capacity.InterruptionProcess) {
	now := a.w.sim.Elapsed()
	for _, at := range proc.Schedule {
		if at >= now {
			a.w.sim.ScheduleAt(a.kScriptedSpot, at, uint64(p.index))
		}
	}
}

func (a *account) onSpotWarning(arg uint64) {
	id := int(arg >> 1)
	if arg&1 == 0 {
		if t := a.w.task(uint64(id)); t != nil {
			a.interruptFargateSpot(t)
		}
		return
	}
	in := a.w.instances[id]
	switch in.status {
	case InstanceLaunching:
		// Not registered yet: the warning comes once ECS can drain it.
		a.w.sim.Schedule(a.kSpotWarning, time.Second, arg)
	case InstanceActive:
		in.provider.interruptions++
		if err := in.InterruptSpot(); err != nil {
			panic(err) // the status was checked
		}
	}
}

// onScriptedSpot interrupts one running Fargate Spot task or ACTIVE Spot
// instance of the provider, if there is one.
func (a *account) onScriptedSpot(arg uint64) {
	p := a.providers[arg]
	if p.kind == providerASG {
		var live []*Instance
		for in := range p.instances.all() {
			if in.status == InstanceActive {
				live = append(live, in)
			}
		}
		if len(live) > 0 {
			in := live[a.rngSpot.IntN(len(live))]
			p.interruptions++
			if err := in.InterruptSpot(); err != nil {
				panic(err)
			}
		}
		return
	}
	var live []*Task
	for _, t := range a.w.tasks {
		if t != nil && t.host.spot && t.host.fargate && t.desired == TaskRunning && t.state == TaskRunning {
			live = append(live, t)
		}
	}
	if len(live) > 0 {
		a.interruptFargateSpot(live[a.rngSpot.IntN(len(live))])
	}
}

// interruptFargateSpot gives a Fargate Spot task its two-minute warning.
func (a *account) interruptFargateSpot(t *Task) {
	if t.desired != TaskRunning {
		return
	}
	now := a.w.sim.Elapsed()
	tl := capacity.NewFargateSpotInterruption(now, t.def.stopTimeout)
	a.fargateInterruptions++
	a.w.stopTask(t, StopCode(tl.StopCode), tl.StoppedReason)
	a.w.sim.ScheduleAt(a.kSpotDeadline, tl.Deadline, uint64(t.id))
}

// onSpotDeadline forces down an interrupted Fargate Spot task that is
// still not STOPPED two minutes after its warning.
func (a *account) onSpotDeadline(arg uint64) {
	if t := a.w.task(arg); t != nil {
		a.w.stop(t, stopHostLost, "", "") // its stop code and reason are the warning's
	}
}
