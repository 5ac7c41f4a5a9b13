package placement

import (
	"fmt"
	"slices"
)

// Reason is why an instance (or the whole cluster) could not take a task,
// spelled as in RunTask failures
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html).
type Reason string

// Rejection reasons, in the order the pipeline checks them.
const (
	ReasonNoActiveInstance Reason = "NO_ACTIVE_INSTANCE" // no instance is ACTIVE
	ReasonCPU              Reason = "RESOURCE:CPU"
	ReasonMemory           Reason = "RESOURCE:MEMORY"
	ReasonPorts            Reason = "RESOURCE:PORTS"
	ReasonENI              Reason = "RESOURCE:ENI"
	ReasonConstraint       Reason = "CONSTRAINT" // see Rejection.Constraint
)

// Rejection explains why a task could not be placed. Every ACTIVE instance
// is checked in pipeline order (CPU, memory, ports, ENIs, then the
// constraints in spec order) and is counted under the first check it fails.
// The closest matching instance is one that got furthest down that list;
// among those, the lowest InstanceID.
type Rejection struct {
	// Reason is the check the closest matching instance failed.
	Reason Reason
	// Closest is the closest matching instance, or NoInstance when no
	// instance is ACTIVE.
	Closest InstanceID
	// ClosestEC2InstanceID is Closest's EC2 instance ID.
	ClosestEC2InstanceID string
	// Constraint is the index (in Spec.Constraints) of the constraint
	// Closest fails when Reason is ReasonConstraint, else -1.
	Constraint int
	// ConstraintText renders that constraint, e.g. "distinctInstance" or
	// "memberOf(attribute:ecs.instance-type == t3.large)".
	ConstraintText string
	// PortLimit is true when Reason is ReasonPorts because the task's ports
	// would take the instance past MaxReservedPorts rather than because a
	// port is already taken.
	PortLimit bool
	// Failed counts ACTIVE instances by the first check they fail.
	Failed struct{ CPU, Memory, Ports, ENI, Constraint int }
	// Draining counts instances skipped because they are DRAINING.
	Draining int
}

// Message renders the rejection in the style of an ECS service event,
// without the "service X was" prefix the caller adds.
func (r *Rejection) Message() string {
	const head = "unable to place a task because no container instance met all of its requirements."
	var tail string
	switch r.Reason {
	case ReasonNoActiveInstance:
		return head + " Reason: No Container Instances were found in your cluster."
	case ReasonCPU:
		tail = "has insufficient CPU units available."
	case ReasonMemory:
		tail = "has insufficient memory available."
	case ReasonPorts:
		if r.PortLimit {
			tail = fmt.Sprintf("can not exceed the maximum allowed reserved port limit of %d host ports.", MaxReservedPorts)
		} else {
			tail = "is already using a port required by your task."
		}
	case ReasonENI:
		tail = "encountered error \"RESOURCE:ENI\"."
	case ReasonConstraint:
		tail = fmt.Sprintf("did not satisfy the placement constraint %s.", r.ConstraintText)
	}
	return fmt.Sprintf("%s The closest matching container-instance %s %s", head, r.ClosestEC2InstanceID, tail)
}

// stage numbers the checks in pipeline order; constraints are stage
// stageConstraint+k.
const (
	stageCPU = iota
	stageMemory
	stagePorts
	stageENI
	stageConstraint
)

// explain builds the Rejection for a task that chooses found no place for.
// It scans every instance: rejections are rare next to placements.
func (c *Cluster) explain(p *Plan, t *Task, on *groupCounts) *Rejection {
	r := &Rejection{Reason: ReasonNoActiveInstance, Closest: NoInstance, Constraint: -1}
	bestStage := -1
	for i := range int32(len(c.res)) {
		switch c.res[i].status {
		case Draining:
			r.Draining++
			continue
		case removed:
			continue
		}
		stage, portLimit := c.firstFailure(p, t, on, i)
		switch {
		case stage == stageCPU:
			r.Failed.CPU++
		case stage == stageMemory:
			r.Failed.Memory++
		case stage == stagePorts:
			r.Failed.Ports++
		case stage == stageENI:
			r.Failed.ENI++
		default:
			r.Failed.Constraint++
		}
		if stage > bestStage {
			bestStage = stage
			r.Closest, r.ClosestEC2InstanceID, r.PortLimit = InstanceID(i), c.ec2ID[i], portLimit
		}
	}
	switch {
	case bestStage < 0:
	case bestStage == stageCPU:
		r.Reason = ReasonCPU
	case bestStage == stageMemory:
		r.Reason = ReasonMemory
	case bestStage == stagePorts:
		r.Reason = ReasonPorts
	case bestStage == stageENI:
		r.Reason = ReasonENI
	default:
		r.Reason = ReasonConstraint
		r.Constraint = bestStage - stageConstraint
		r.ConstraintText = p.constraints[r.Constraint].text
	}
	return r
}

// firstFailure returns the first stage instance i fails. An instance that
// passes every stage cannot exist here (choose would have taken it), but
// would report a stage past the last constraint.
func (c *Cluster) firstFailure(p *Plan, t *Task, on *groupCounts, i int32) (stage int, portLimit bool) {
	switch {
	case c.res[i].cpu < int32(t.CPU):
		return stageCPU, false
	case c.res[i].mem < int32(t.MemoryMiB):
		return stageMemory, false
	}
	if len(t.HostPorts) > 0 {
		for _, port := range t.HostPorts {
			if slices.Contains(c.ports[i], port) {
				return stagePorts, false
			}
		}
		if len(c.ports[i])+len(t.HostPorts) > MaxReservedPorts {
			return stagePorts, true
		}
	}
	if c.res[i].eni < int32(t.ENIs) {
		return stageENI, false
	}
	if k := c.constraintsHold(p, t, on, i); k >= 0 {
		return stageConstraint + k, false
	}
	return stageConstraint + len(p.constraints), false
}
