package sim

import (
	"fmt"

	"github.com/ecssim/ecssim/sim/capacity"
)

// Billing. The world feeds a capacity.Accumulator from the lifecycle:
//
//	Fargate task: billed from PENDING (the start of the image pull) to
//	    STOPPED, per second with a one-minute minimum; a task stopped
//	    before PENDING costs nothing
//	EC2 instance: billed from launch to INACTIVE, per second with a
//	    60-second minimum, at its catalog price (Spot discount for Spot
//	    instances)
//	EC2 task: charged its share of its instance from placement to STOPPED
//	    (a split of the instance's bill; the rest is idle capacity)
//
// Report keys: the service name (a standalone task's group), the capacity
// provider name (or the launch type, FARGATE or EC2, for tasks and
// instances launched without a provider), and the cluster name.

// Cost returns what the world has cost up to the current virtual instant:
// per service, per capacity provider and per cluster, with the idle part of
// EC2 capacity. Running usage is billed as if it stopped now.
func (w *World) Cost() capacity.Report { return w.account.cost.Report(w.sim.Elapsed()) }

// Prices returns the price list the world bills with.
func (w *World) Prices() capacity.Prices {
	if w.account.cfg.Prices != nil {
		return *w.account.cfg.Prices
	}
	return capacity.USEast1Prices()
}

func (t *Task) costKey() string {
	if t.service != nil {
		return t.service.cfg.Name
	}
	return t.groupName
}

func providerKey(p *CapacityProvider, fallback LaunchType) string {
	if p != nil {
		return p.name
	}
	return string(fallback)
}

func (a *account) must(err error) {
	if err != nil {
		panic(fmt.Sprintf("sim: billing: %v", err))
	}
}

// startFargateBilling opens a Fargate task's meter (at PENDING).
func (a *account) startFargateBilling(t *Task) {
	if t.host.billed {
		return
	}
	t.host.billed = true
	a.must(a.cost.StartFargateTask(t.arnID, capacity.FargateUsage{
		Service: t.costKey(), Provider: providerKey(t.host.provider, Fargate), Cluster: t.host.c.name,
		Size: fargateSize(t.def), Spot: t.host.spot,
	}, a.w.sim.Elapsed()))
}

// taskPlaced opens an EC2 task's share meter (at placement).
func (a *account) taskPlaced(t *Task) {
	if t.host.billed || t.inst == nil {
		return
	}
	t.host.billed = true
	a.must(a.cost.StartEC2Task(t.arnID, capacity.EC2TaskUsage{
		Service: t.costKey(), InstanceID: t.inst.ec2ID, CPU: t.req.CPU, MemoryMiB: t.req.MemoryMiB,
	}, a.w.sim.Elapsed()))
}

// instanceLaunched opens an instance's meter (at launch).
func (a *account) instanceLaunched(in *Instance) {
	in.billed = true
	a.must(a.cost.StartInstance(in.ec2ID, capacity.InstanceUsage{
		Provider: providerKey(in.provider, EC2), Cluster: in.c.name, OnDemandPerHour: in.typ.PricePerHour, Spot: in.spot(),
		CPU: in.typ.RegisteredCPU(), MemoryMiB: max(in.typ.RegisteredMemoryMiB(a.w.cfg.ReservedMemoryMiB), 1),
	}, a.w.sim.Elapsed()))
}

// instanceGone closes an instance's meter and takes it out of its group
// (at INACTIVE).
func (a *account) instanceGone(in *Instance) {
	if in.billed {
		in.billed = false
		a.must(a.cost.Stop(in.ec2ID, a.w.sim.Elapsed()))
	}
	if p := in.provider; p != nil {
		p.instanceGone(in)
	}
}
