package sim

import (
	"errors"
	"slices"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
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
	l := fielderr.NewList(ErrConfig)
	if zone == "" {
		l.Add("ScheduleZoneOutage(zone)", zone, "is required")
	} else if rule := zoneRule(zone); rule != "" {
		l.Add("ScheduleZoneOutage(zone)", zone, rule)
	}
	if !end.After(start) {
		l.Addf("ScheduleZoneOutage(end)", end, "must be after start %s", start.UTC().Format(time.RFC3339Nano))
	}
	for _, o := range w.outages {
		if o.zone == zone && start.Before(o.end) && o.start.Before(end) {
			l.Addf("ScheduleZoneOutage(start)", start, "overlaps the outage of %s from %s to %s", zone, o.start.UTC().Format(time.RFC3339Nano), o.end.UTC().Format(time.RFC3339Nano))
		}
	}
	if err := l.Err(); err != nil {
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

// zoneOut reports whether zone is out now: a lookup, since every launch
// asks it of each zone it could use, however many outages were scheduled.
func (w *World) zoneOut(zone string) bool { return w.zonesOut[zone] > 0 }

// onZoneOutage starts (even arg) or ends (odd arg) outage arg/2.
func (w *World) onZoneOutage(arg uint64) {
	o := &w.outages[arg/2]
	if arg%2 == 1 {
		o.active = false
		if w.zonesOut[o.zone]--; w.zonesOut[o.zone] == 0 {
			delete(w.zonesOut, o.zone)
		}
		for _, c := range w.clusters {
			c.capacityChanged(false)
			c.zonesChanged()
		}
		return
	}
	o.active = true
	if w.zonesOut == nil {
		w.zonesOut = map[string]int{}
	}
	w.zonesOut[o.zone]++
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
