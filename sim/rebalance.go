package sim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ecssim/ecssim/placement"
)

// AZRebalancing is a service's availabilityZoneRebalancing setting
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-rebalancing.html).
type AZRebalancing int

const (
	// AZRebalancingDefault is what CreateService does without a value
	// since 30 June 2025: ENABLED, except for services that are not
	// compatible, which get DISABLED. Compatible here means a REPLICA
	// service on the EC2 launch type (without capacity providers) or on
	// FARGATE whose placement spreads over Availability Zones first (the
	// default placement, or spread(attribute:ecs.availability-zone)
	// first): a binpack strategy, which AWS names as incompatible, makes
	// it DISABLED, as does any other first strategy.
	AZRebalancingDefault AZRebalancing = iota
	// AZRebalancingEnabled asks for rebalancing; CreateService rejects it
	// for a service that is not compatible.
	AZRebalancingEnabled
	// AZRebalancingDisabled turns it off.
	AZRebalancingDisabled
)

// String returns the API spelling.
func (r AZRebalancing) String() string {
	switch r {
	case AZRebalancingEnabled:
		return "ENABLED"
	case AZRebalancingDisabled:
		return "DISABLED"
	}
	return "DEFAULT"
}

// rebalanceCompatible reports whether AZ rebalancing can apply to a service
// with this configuration and launch.
func rebalanceCompatible(cfg *ServiceConfig, ls *launchSpec) bool {
	if cfg.SchedulingStrategy == Daemon || len(ls.providers) > 0 {
		return false
	}
	st := cfg.PlacementStrategy
	return len(st) == 0 || st[0].Type == placement.Spread && st[0].Field == "attribute:"+placement.AttrAvailabilityZone
}

// rebalance is one step of Availability Zone rebalancing, decided at the
// end of a quiet reconcile (one deployment, every primary task healthy,
// nothing to start or stop): when the service's tasks differ by more than
// one between the zones it can use, it starts one extra task in the zone
// with the fewest (within maximumPercent). Once that task is healthy the
// next reconcile's scale-in stops one in the zone with the most, as ECS's
// scale-in rule does for a service spread over zones. Events follow the
// ECS service rebalancing messages
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/track-service-rebalancing.html).
func (r *reconciler) rebalance(snap *serviceSnapshot, total, maxTotal int) {
	zones := snap.Rebalance.Zones
	if len(zones) < 2 {
		return
	}
	fewest, most := 0, 0
	for i, z := range zones {
		if z.Tasks < zones[fewest].Tasks {
			fewest = i
		}
		if z.Tasks > zones[most].Tasks {
			most = i
		}
	}
	if zones[most].Tasks-zones[fewest].Tasks <= 1 {
		if snap.Rebalance.InProgress {
			r.emit(action{Kind: actRebalanced})
			r.emit(action{Kind: actEvent, Text: "is AZ balanced with " + zoneList(zones) + "."})
		}
		return
	}
	if total >= maxTotal {
		return
	}
	if throttled(snap) {
		r.emit(action{Kind: actWait, At: snap.Throttle.Until, N: 1})
		return
	}
	// The task may find no room: the event announcing the rebalancing
	// waits until it started, and so does its wording.
	r.emit(action{Kind: actStartRebalance, N: 1, Zone: zones[fewest].Zone, Zones: zones, Announce: !snap.Rebalance.InProgress})
}

// unbalancedEvent is the event that announces a rebalancing, e.g. "is not
// AZ balanced with 3 tasks in us-east-1a, 3 in us-east-1b, and 0 in
// us-east-1c. AZ Rebalancing in progress."
func unbalancedEvent(zones []zoneTasks) string {
	return "is not AZ balanced with " + zoneList(zones) + ". AZ Rebalancing in progress."
}

// startRebalance applies actStartRebalance: it starts one task of d in
// zone, one of zones, and with announce logs the start of a rebalancing. A zone without room blocks rebalancing until the
// cluster's capacity changes, rather than pay for a failed placement on
// every reconcile.
func (s *Service) startRebalance(d *Deployment, zones []zoneTasks, zone string, announce bool) {
	var t *Task
	if s.ls.fargate() {
		// newFargateTask puts the task in the launch zone with the fewest
		// tasks: make zone the only one at the minimum. The counts follow
		// the cluster's launch zones, which need not be in the sorted
		// order of zones.
		launch := s.launchZones()
		only := make([]int, len(launch))
		for i, z := range launch {
			if z != zone {
				only[i] = 1
			}
		}
		t, _ = s.w.newFargateTask(s.c, d.def, "service:"+s.cfg.Name, nil, false, only, s.net)
		if t == nil {
			s.rebalanceBlockedAt = s.c.capacityGen + 1
			return
		}
		s.adopt(t, d)
	} else {
		req := d.def.placementTask(s.group)
		res, err := s.c.place.Place(d.zonePlan(zone), req, s.w.rngPlace)
		if err != nil {
			panic(fmt.Sprintf("sim: placing a rebalancing task of %s: %v", s.cfg.Name, err))
		}
		if !res.Placed() {
			s.rebalanceBlockedAt = s.c.capacityGen + 1
			return
		}
		t = s.launch(d, s.c.byPlaceID[res.Instance], req)
	}
	if announce {
		s.rebalancing = true
		s.eventText(unbalancedEvent(zones))
	}
	s.rebalanceTask = t
	b := append(append(s.beginEvent(), "has started 1 tasks in Availability Zone "...), zone...)
	s.endEvent(append(appendTaskList(append(b, " to AZ Rebalance: "...), t), '.'))
}

// rebalanceZones appends to zones the zones the service can place in,
// sorted, with no tasks counted: for Fargate those its cluster launches in
// now, on EC2 those with an ACTIVE instance.
func (s *Service) rebalanceZones(zones []zoneTasks) []zoneTasks {
	if s.ls.fargate() {
		for _, z := range s.launchZones() {
			zones = append(zones, zoneTasks{Zone: z})
		}
		slices.SortFunc(zones, func(a, b zoneTasks) int { return strings.Compare(a.Zone, b.Zone) })
		return zones
	}
	c := s.c
	if c.activeZones == nil { // recomputed only after an instance changed status
		c.activeZones = []string{}
		for _, in := range c.byPlaceID {
			if in != nil && in.status == InstanceActive && !slices.Contains(c.activeZones, in.zone) {
				c.activeZones = append(c.activeZones, in.zone)
			}
		}
		slices.Sort(c.activeZones)
	}
	for _, z := range c.activeZones {
		if s.net == nil || slices.Contains(s.net.zones, z) {
			zones = append(zones, zoneTasks{Zone: z})
		}
	}
	return zones
}

// zoneList words per-zone counts as the rebalancing events do: "2 tasks in
// us-east-1a, 1 in us-east-1b, and 0 in us-east-1c".
func zoneList(zones []zoneTasks) string {
	parts := make([]string, len(zones))
	for i, z := range zones {
		if i == 0 {
			parts[i] = fmt.Sprintf("%d tasks in %s", z.Tasks, z.Zone)
		} else {
			parts[i] = fmt.Sprintf("%d in %s", z.Tasks, z.Zone)
		}
	}
	if len(parts) > 1 {
		parts[len(parts)-1] = "and " + parts[len(parts)-1]
	}
	return strings.Join(parts, ", ")
}

// zonePlan returns d's plan with its tasks restricted to zone, for
// rebalancing; plans are cached per zone.
func (d *Deployment) zonePlan(zone string) *placement.Plan {
	if p, ok := d.zonePlans[zone]; ok {
		return p
	}
	if d.zonePlans == nil {
		d.zonePlans = map[string]*placement.Plan{}
	}
	spec := d.plan.Spec()
	spec.Constraints = append(spec.Constraints, placement.Constraint{Type: placement.MemberOf,
		Expression: "attribute:" + placement.AttrAvailabilityZone + " == " + zone})
	p := placement.MustCompile(spec)
	d.zonePlans[zone] = p
	return p
}

// rebalanceBlocked reports whether the last rebalancing task found no
// room and the cluster's capacity has not changed since.
func (s *Service) rebalanceBlocked() bool { return s.rebalanceBlockedAt == s.c.capacityGen+1 }
