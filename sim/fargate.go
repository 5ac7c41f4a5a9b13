package sim

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/sim/capacity"
)

// Fargate in the world. A Fargate task has no container instance: it is
// isolated on capacity of its own (no packing), in one of its cluster's
// Availability Zones. Its way to RUNNING:
//
//	created in PROVISIONING --wait for a launch token (account bucket,
//	On-Demand or Spot)--> ENI share of the start latency --> PENDING
//	(billing starts: the image pull) --rest of the start latency-->
//	ACTIVATING --Latencies.Activating--> RUNNING
//
// The start latency is one draw of capacity.StartLatency from the
// "fargate-start" stream, split between PROVISIONING and PENDING in the
// proportion of the model's mean ENI time to its mean total (the model
// does not say which part of a slow start was slow). The vCPU quota is
// checked when the task is created: a task that would exceed it is not
// created; RunTask reports a failure and a service records an event and
// tries again when capacity is released. Fargate Spot capacity being
// unavailable (CapacityConfig.FargateSpotUnavailability) works the same
// way, and the service tries again when the capacity returns.

// DefaultFargateServiceLaunchRate is the tasks a service may launch per
// minute on Fargate, the ECS service quota
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
const DefaultFargateServiceLaunchRate = 500

// DefaultFargateZones are the Availability Zones Fargate tasks use in a
// cluster that sets none.
var DefaultFargateZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

// Indexes of the two Fargate pools: On-Demand and Spot have a launch bucket
// and a vCPU quota each.
const (
	poolOnDemand = 0
	poolSpot     = 1
)

// scheduleSpotCapacity arranges the changes of Fargate Spot availability:
// every window boundary still ahead (entering a window already begun at
// once), or the first change of the alternating process.
func (a *account) scheduleSpotCapacity() {
	u, s := a.cfg.FargateSpotUnavailability, a.w.sim
	now := s.Elapsed()
	if u.Random() {
		s.Schedule(a.kSpotCapacity, u.Period(a.rngSpotCapacity, false), 1)
		return
	}
	for _, win := range u.Windows {
		switch {
		case win.End <= now:
		case win.Start <= now:
			a.setSpotOut(true)
			s.ScheduleAt(a.kSpotCapacity, win.End, 0)
		default:
			s.ScheduleAt(a.kSpotCapacity, win.Start, 1)
			s.ScheduleAt(a.kSpotCapacity, win.End, 0)
		}
	}
}

// onSpotCapacity makes Fargate Spot capacity unavailable (arg 1) or
// available again (arg 0).
func (a *account) onSpotCapacity(arg uint64) {
	out := arg == 1
	a.setSpotOut(out)
	if u := a.cfg.FargateSpotUnavailability; u.Random() {
		next := uint64(1)
		if out {
			next = 0
		}
		a.w.sim.Schedule(a.kSpotCapacity, u.Period(a.rngSpotCapacity, out), next)
	}
	if !out {
		// Services of every cluster may be waiting for Spot capacity.
		for _, c := range a.w.clusters {
			c.capacityChanged(false)
		}
	}
}

func (a *account) setSpotOut(out bool) {
	if out == a.spotOut {
		return
	}
	now := a.w.sim.Elapsed()
	if out {
		a.spotOutSince = now
	} else {
		a.spotOutTotal += now - a.spotOutSince
	}
	a.spotOut = out
}

// zones returns the Availability Zones of Fargate tasks in c.
func (c *Cluster) fargateZones() []string {
	if len(c.zones) > 0 {
		return c.zones
	}
	return c.w.account.cfg.Zones
}

// launchZones returns the Availability Zones new Fargate tasks of c may
// use: its zones less those out (World.ScheduleZoneOutage).
func (c *Cluster) launchZones() []string {
	zones := c.fargateZones()
	if len(c.w.zonesOut) == 0 || !slices.ContainsFunc(zones, c.w.zoneOut) {
		return zones
	}
	return slices.DeleteFunc(slices.Clone(zones), c.w.zoneOut)
}

// SetZones sets the Availability Zones (the subnets of the cluster's
// awsvpc configuration) Fargate tasks of the cluster are spread over; nil
// means the world's Capacity.Zones. Tasks already running stay where they
// are.
func (c *Cluster) SetZones(zones []string) error {
	l := fielderr.NewList(ErrConfig)
	checkZones(l, "SetZones(zones)", zones)
	if err := l.Err(); err != nil {
		return err
	}
	c.zones = slices.Clone(zones)
	return nil
}

// checkFargateDefinition adds to l, under field (which names def), why def
// cannot run on Fargate: its network mode, its size, its stop timeouts.
func checkFargateDefinition(l *fielderr.List, sentinel error, field string, def *TaskDefinition) {
	if def.in.NetworkMode != AWSVPC {
		l.Join(fielderr.New(sentinel, field, def.String(), fmt.Sprintf("has network mode %q; Fargate requires awsvpc", def.in.NetworkMode)))
	}
	if err := fargateSize(def).Validate(); err != nil {
		for _, fe := range flatten(err) {
			l.Join(fielderr.New(sentinels{sentinel, fe}, field, def.String(), fmt.Sprintf("is no Fargate size: %s %s: %s", fe.Field, fielderr.Show(fe.Value), fe.Rule)))
		}
	}
	for _, ct := range def.in.Containers {
		if ct.StopTimeout > MaxFargateStopTimeout {
			l.Join(fielderr.New(sentinel, field, def.String(), fmt.Sprintf("container %s has StopTimeout %v, above the Fargate maximum %v", ct.Name, ct.StopTimeout, MaxFargateStopTimeout)))
		}
	}
}

// fargateSize is the capacity package's view of a Fargate task definition.
func fargateSize(def *TaskDefinition) capacity.FargateTaskSize {
	size := capacity.FargateTaskSize{CPU: def.in.CPU, MemoryMiB: def.in.MemoryMiB, EphemeralStorageGiB: def.in.EphemeralStorageGiB}
	if def.in.CPUArchitecture == ARM64 {
		size.Arch = capacity.ARM64
	}
	return size
}

// zoneCounts counts the live tasks of a service, or of a standalone group,
// in cluster c per zone of zones. A service's tasks are counted while they
// are meant to run; a standalone group's Fargate tasks until they are
// STOPPED (a tally kept per group, so that a burst of RunTask calls does
// not rescan every task).
func (w *World) zoneCounts(c *Cluster, s *Service, group string, zones []string) []int {
	counts := make([]int, len(zones))
	if s == nil {
		tally := c.standalone[group]
		if tally == nil {
			return counts
		}
		for i, z := range zones {
			if j := slices.Index(tally.zones, z); j >= 0 {
				counts[i] = tally.counts[j]
			}
		}
		return counts
	}
	for _, t := range s.tasks {
		if t.desired == TaskRunning {
			if i := slices.Index(zones, t.Zone()); i >= 0 {
				counts[i]++
			}
		}
	}
	return counts
}

// zoneTally counts a standalone group's live Fargate tasks per zone.
type zoneTally struct {
	zones  []string
	counts []int
}

// tallyStandalone adds delta to the zone count of a standalone Fargate
// task's group.
func (c *Cluster) tallyStandalone(t *Task, delta int) {
	if c.standalone == nil {
		c.standalone = map[string]*zoneTally{}
	}
	tally := c.standalone[t.groupName]
	if tally == nil {
		tally = &zoneTally{}
		c.standalone[t.groupName] = tally
	}
	j := slices.Index(tally.zones, t.host.zone)
	if j < 0 {
		tally.zones, tally.counts = append(tally.zones, t.host.zone), append(tally.counts, 0)
		j = len(tally.zones) - 1
	}
	tally.counts[j] += delta
}

// fargatePool is the FARGATE launch type: Fargate On-Demand capacity,
// without a capacity provider.
type fargatePool struct{}

func (fargatePool) start(r *launchRequest, k int) { r.onFargate(nil, false, k) }

// onFargate starts k Fargate tasks, On-Demand or Spot, launched with
// provider p (nil for the launch type).
func (r *launchRequest) onFargate(p *CapacityProvider, spot bool, k int) {
	for range k {
		t, why := r.fargateTask(p, spot)
		if t == nil {
			r.fail(launchFailure{n: 1, reason: why})
			continue
		}
		r.own(t)
	}
}

// fargateTask creates a Fargate task in the zone with the fewest tasks of
// its group, reserving its vCPUs in the pool's quota. It returns nil and
// the reason when Fargate Spot capacity is unavailable, no zone is
// available or the quota would be exceeded.
func (r *launchRequest) fargateTask(p *CapacityProvider, spot bool) (*Task, string) {
	a := r.w.account
	pool := poolOnDemand
	if spot {
		pool = poolSpot
	}
	if spot && a.spotOut {
		return nil, capacity.CapacityUnavailableReason
	}
	zones := r.c.launchZones()
	if r.net != nil {
		zones = r.net.launchZones()
	}
	if len(zones) == 0 {
		return nil, capacity.CapacityUnavailableReason
	}
	if !a.quotas[pool].TryReserve(r.def.cpu) {
		return nil, capacity.QuotaExceededReason
	}
	if r.zoneCounts == nil {
		r.zoneCounts = r.w.zoneCounts(r.c, r.svc, r.group, zones)
	}
	zi := capacity.LaunchZone(a.rngZone, r.zoneCounts)
	r.zoneCounts[zi]++
	host := taskHost{c: r.c, provider: p, fargate: true, spot: spot, zone: zones[zi], quota: r.def.cpu}
	return r.w.newTask(r.def, r.group, r.req, host, nil), ""
}

// newFargateTask creates a Fargate task of def in group for a caller that
// chose its zone itself (zoneCounts, which it updates: the task goes where
// the count is lowest) and adopts it into a service (AZ rebalancing); see
// launchRequest.fargateTask.
func (w *World) newFargateTask(c *Cluster, def *TaskDefinition, group string, provider *CapacityProvider, spot bool, zoneCounts []int, net *vpcConfig) (*Task, string) {
	r := launchRequest{w: w, c: c, def: def, group: group, req: def.placementTask(0), zoneCounts: zoneCounts, net: net}
	return r.fargateTask(provider, spot)
}

// queueFargate queues a new Fargate task for its pool's launch token.
func (a *account) queueFargate(t *Task) {
	pool := poolOnDemand
	if t.host.spot {
		pool = poolSpot
	}
	if t.service == nil {
		t.host.c.tallyStandalone(t, +1)
	}
	if t.notify(LifecyclePlaced, false); t.startFailure() != "" {
		t.enter(TaskProvisioning, 0) // and fail, without a launch token
		return
	}
	a.queues[pool] = append(a.queues[pool], t)
	a.pumpLaunches(pool)
	if t.host.spot {
		a.armFargateSpot(t)
	}
}

// pumpLaunches grants launch tokens to the tasks waiting in pool's queue,
// oldest first, and arranges to be called again when the bucket is empty.
func (a *account) pumpLaunches(pool int) {
	q := a.queues[pool]
	now := a.w.sim.Elapsed()
	i := 0
	for ; i < len(q); i++ {
		t := q[i]
		if t.desired != TaskRunning {
			continue // stopped while it waited
		}
		granted, next := a.buckets[pool].Take(now, 1)
		if granted == 0 {
			if !a.pump[pool].Pending() {
				a.pump[pool] = a.w.sim.ScheduleAt(a.kLaunch, next, uint64(pool))
			}
			break
		}
		a.beginFargateStart(t)
	}
	if i > 0 {
		n := copy(q, q[i:])
		clear(q[n:])
		a.queues[pool] = q[:n]
	}
}

func (a *account) onLaunch(arg uint64) { a.pumpLaunches(int(arg)) }

// beginFargateStart starts a Fargate task's start latency once it has its
// launch token.
func (a *account) beginFargateStart(t *Task) {
	total := a.latency.Sample(a.rngStart)
	prov := time.Duration(math.Round(float64(total) * a.eniShare))
	t.host.pending, t.host.started = total-prov, true
	t.enter(TaskProvisioning, prov)
}

// fargatePending is PENDING of a Fargate task: the image pull and
// application start; billing starts here.
func (w *World) fargatePending(t *Task) time.Duration {
	w.account.startFargateBilling(t)
	return t.host.pending
}

// launchRate is the per-service launch rate of s, tasks per minute: 500 on
// Fargate, the world's ServiceLaunchRate (250) otherwise.
func (s *Service) launchRate() int {
	if s.ls.fargate() {
		return s.w.account.cfg.FargateServiceLaunchRate
	}
	return s.w.cfg.ServiceLaunchRate
}

// fargateVictims chooses surplus RUNNING tasks of a Fargate service to stop
// on scale-in: each from a zone with the most of the service's tasks
// (capacity.StopZone), the newest task there.
func (s *Service) fargateVictims(active []*Task, surplus int) []*Task {
	var zones []string
	for _, t := range active {
		if t.desired == TaskRunning && !slices.Contains(zones, t.Zone()) {
			zones = append(zones, t.Zone())
		}
	}
	slices.Sort(zones)
	byZone := make([][]*Task, len(zones))
	for _, t := range active {
		if t.desired == TaskRunning {
			i, _ := slices.BinarySearch(zones, t.Zone())
			byZone[i] = append(byZone[i], t)
		}
	}
	counts := make([]int, len(zones))
	var out []*Task
	for range surplus {
		for i := range zones {
			counts[i] = len(byZone[i])
		}
		if len(zones) == 0 {
			break
		}
		zi := capacity.StopZone(s.w.account.rngZone, counts)
		if counts[zi] == 0 {
			break
		}
		last := len(byZone[zi]) - 1
		out = append(out, byZone[zi][last])
		byZone[zi] = byZone[zi][:last]
	}
	return out
}
