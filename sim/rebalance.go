package sim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ecssim/ecssim/placement"
)

// AZRebalancing is a service's availabilityZoneRebalancing setting
// (aws-behaviour.md §1.4).
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

// rebalance is one step of Availability Zone rebalancing, run at the end of
// a quiet reconcile (one deployment, every primary task healthy, nothing to
// start or stop): when the service's tasks differ by more than one between
// the zones it can use, it starts one extra task in the zone with the
// fewest (within maximumPercent). Once that task is healthy the next
// reconcile's scale-in stops one in the zone with the most, as ECS's
// scale-in rule does for a service spread over zones. Events follow the
// ECS service rebalancing messages.
func (s *Service) rebalance(p *Deployment, active []*Task, maxTotal int) {
	zones := s.rebalanceZones()
	if len(zones) < 2 {
		return
	}
	counts := make([]int, len(zones))
	for _, t := range active {
		if i := slices.Index(zones, t.Zone()); i >= 0 {
			counts[i]++
		}
	}
	lo, hi := 0, 0
	for i, n := range counts {
		if n < counts[lo] {
			lo = i
		}
		if n > counts[hi] {
			hi = i
		}
	}
	if counts[hi]-counts[lo] <= 1 {
		if s.rebalancing {
			s.rebalancing = false
			s.event("is AZ balanced with %s.", zoneList(zones, counts))
		}
		return
	}
	if len(s.tasks) >= maxTotal || s.throttled() {
		return
	}
	var t *Task
	if s.ls.fargate() {
		only := make([]int, len(zones)) // the zone with the fewest is the only one at the minimum
		for i := range only {
			if i != lo {
				only[i] = 1
			}
		}
		t, _ = s.w.newFargateTask(s.c, p.def, "service:"+s.cfg.Name, nil, false, only)
		if t == nil {
			s.rebalanceBlocked = true
			return
		}
		s.adopt(t, p)
	} else {
		req := p.def.placementTask(s.group)
		res, err := s.c.place.Place(p.zonePlan(zones[lo]), req, s.w.rngPlace)
		if err != nil {
			panic(fmt.Sprintf("sim: placing a rebalancing task of %s: %v", s.cfg.Name, err))
		}
		if !res.Placed() {
			// No room in that zone: wait until capacity changes rather
			// than pay for a failed placement on every reconcile.
			s.rebalanceBlocked = true
			return
		}
		t = s.launch(p, s.c.byPlaceID[res.Instance], req)
	}
	if !s.rebalancing {
		s.rebalancing = true
		s.event("is not AZ balanced with %s. AZ Rebalancing in progress.", zoneList(zones, counts))
	}
	s.rebalanceTask = t
	s.event("has started 1 tasks in Availability Zone %s to AZ Rebalance: %s.", zones[lo], taskList([]*Task{t}))
}

// rebalanceZones returns the zones the service can place in, sorted: for
// Fargate those its cluster launches in now, on EC2 those with an ACTIVE
// instance.
func (s *Service) rebalanceZones() []string {
	if s.ls.fargate() {
		return slices.Sorted(slices.Values(s.c.launchZones()))
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
	return c.activeZones
}

// zoneList words per-zone counts as the rebalancing events do: "2 tasks in
// us-east-1a, 1 in us-east-1b, and 0 in us-east-1c".
func zoneList(zones []string, counts []int) string {
	parts := make([]string, len(zones))
	for i, z := range zones {
		if i == 0 {
			parts[i] = fmt.Sprintf("%d tasks in %s", counts[i], z)
		} else {
			parts[i] = fmt.Sprintf("%d in %s", counts[i], z)
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
