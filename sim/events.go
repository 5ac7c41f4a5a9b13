package sim

import (
	"fmt"
	"time"

	"github.com/ecssim/ecssim/placement"
)

// ServiceEvent is one entry of a service's event log, worded as ECS words
// its service events
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
type ServiceEvent struct {
	// At is the virtual instant of the event.
	At time.Time
	// Service is the service name.
	Service string
	// Message is the full text, e.g. "(service web) has reached a steady state.".
	Message string
}

// String renders the event as "15:04:05 message".
func (e ServiceEvent) String() string { return e.At.Format("15:04:05") + " " + e.Message }

// unplaceableMessage words a placement rejection as the ECS service event
// does, naming the closest matching container instance by its ID.
func (c *Cluster) unplaceableMessage(r *placement.Rejection) string {
	const head = "was unable to place a task because no container instance met all of its requirements."
	const tail = " For more information, see the Troubleshooting section."
	var why string
	switch r.Reason {
	case placement.ReasonNoActiveInstance:
		return head + " Reason: No Container Instances were found in your cluster." + tail
	case placement.ReasonCPU:
		why = "has insufficient CPU units available."
	case placement.ReasonMemory:
		why = "has insufficient memory available."
	case placement.ReasonPorts:
		if r.PortLimit {
			why = fmt.Sprintf("can not exceed the maximum allowed reserved port limit of %d host ports.", placement.MaxReservedPorts)
		} else {
			why = "is already using a port required by your task."
		}
	case placement.ReasonENI:
		why = "encountered error \"RESOURCE:ENI\"."
	default:
		why = fmt.Sprintf("did not satisfy the placement constraint %s.", r.ConstraintText)
	}
	id := r.ClosestEC2InstanceID
	if r.Closest != placement.NoInstance && int(r.Closest) < len(c.byPlaceID) && c.byPlaceID[r.Closest] != nil {
		id = c.byPlaceID[r.Closest].arnID
	}
	return fmt.Sprintf("%s The closest matching (container-instance %s) %s%s", head, id, why, tail)
}
