package sim

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrZoneUnavailable marks a request for capacity in an Availability Zone
// that is out (World.ScheduleZoneOutage), as EC2's
// InsufficientInstanceCapacity does for an impaired zone.
var ErrZoneUnavailable = errors.New("sim: availability zone unavailable")

// zoneOutage is one scheduled outage of an Availability Zone.
type zoneOutage struct {
	zone       string
	start, end time.Time
	active     bool
}

// ScheduleZoneOutage takes an Availability Zone away from start to end, as
// in an AZ failure: at start every EC2 instance of the world in the zone
// fails (Instance.Fail; its tasks stop) and every Fargate task there stops
// (stop code TerminationNotice, reason ZoneOutageReason); until end no
// instance launches there (LaunchInstance returns ErrZoneUnavailable and
// Auto Scaling groups launch in their other zones) and Fargate places no
// task there (with every zone of a cluster out, new Fargate tasks fail for
// lack of capacity). Services replace their tasks wherever capacity
// remains. At end the zone takes new instances and tasks again; nothing
// moves back by itself. Outages of one zone may not overlap.
func (w *World) ScheduleZoneOutage(zone string, start, end time.Time) error {
	var errs []error
	if zone == "" {
		errs = append(errs, fmt.Errorf("%w: ScheduleZoneOutage: zone is empty", ErrConfig))
	}
	if !end.After(start) {
		errs = append(errs, fmt.Errorf("%w: ScheduleZoneOutage: end %v is not after start %v", ErrConfig, end.UTC(), start.UTC()))
	}
	for _, o := range w.outages {
		if o.zone == zone && start.Before(o.end) && o.start.Before(end) {
			errs = append(errs, fmt.Errorf("%w: ScheduleZoneOutage: %s is already out from %v to %v", ErrConfig, zone, o.start.UTC(), o.end.UTC()))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	i := len(w.outages)
	w.outages = append(w.outages, zoneOutage{zone: zone, start: start, end: end})
	w.sim.ScheduleAt(w.kZoneOutage, max(start.Sub(w.sim.Start()), w.sim.Elapsed()), uint64(2*i))
	w.sim.ScheduleAt(w.kZoneOutage, max(end.Sub(w.sim.Start()), w.sim.Elapsed()), uint64(2*i+1))
	return nil
}

// ZoneOutageReason is the stopped reason of a Fargate task whose zone went
// out; the wording is the simulator's.
const ZoneOutageReason = "Task stopped because its Availability Zone became unavailable"

// zoneOut reports whether zone is out now.
func (w *World) zoneOut(zone string) bool {
	for i := range w.outages {
		if o := &w.outages[i]; o.active && o.zone == zone {
			return true
		}
	}
	return false
}

// onZoneOutage starts (even arg) or ends (odd arg) outage arg/2.
func (w *World) onZoneOutage(arg uint64) {
	o := &w.outages[arg/2]
	if arg%2 == 1 {
		o.active = false
		for _, c := range w.clusters {
			c.capacityChanged(false)
			c.zonesChanged()
		}
		return
	}
	o.active = true
	for _, in := range slices.Clone(w.instances) {
		if in.zone == o.zone && in.status != InstanceInactive {
			_ = in.Fail() // cannot fail: the status was checked
		}
	}
	for _, t := range w.tasks {
		if t != nil && t.host.fargate && t.host.zone == o.zone && t.state != TaskStopped {
			w.stop(t, stopHostLost, StopTerminationNotice, ZoneOutageReason)
		}
	}
}
