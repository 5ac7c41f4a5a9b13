package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ecssim/ecssim/placement"
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
// minute on Fargate (aws-behaviour.md §9).
const DefaultFargateServiceLaunchRate = 500

// DefaultProvisioningTimeout is how long a task waits in PROVISIONING for
// an instance of its Auto Scaling group capacity provider before it is
// stopped: the upper end of the "between 10 and 30 minutes" of AWS's deep
// dive on cluster auto scaling (UNCONFIRMED; CapacityConfig.ProvisioningTimeout
// changes it).
const DefaultProvisioningTimeout = 30 * time.Minute

// ProvisioningTimeoutReason is the stopped reason of a task that waited
// CapacityConfig.ProvisioningTimeout in PROVISIONING. ECS documents no
// wording; this is the simulator's.
const ProvisioningTimeoutReason = "Timeout waiting for capacity: the task stayed in PROVISIONING with no container instance to place it on"

// DefaultFargateZones are the Availability Zones Fargate tasks use in a
// cluster that sets none.
var DefaultFargateZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

// CapacityConfig configures Fargate, Fargate Spot and billing for the
// whole world (the AWS account and Region). The zero value is valid.
type CapacityConfig struct {
	// Zones are the Availability Zones (one subnet each) Fargate tasks are
	// spread over in clusters that do not set their own (Cluster.SetZones);
	// nil means DefaultFargateZones.
	Zones []string
	// StartLatency is the Fargate start model; zero fields take the
	// defaults documented on capacity.StartLatency (median ≈ 23.5 s).
	StartLatency capacity.StartLatency
	// LaunchBucket is the account's Fargate On-Demand launch token bucket;
	// zero fields mean burst 100, 20 per second.
	LaunchBucket capacity.LaunchBucketConfig
	// SpotLaunchBucket is the same for Fargate Spot.
	SpotLaunchBucket capacity.LaunchBucketConfig
	// OnDemandVCPUQuota is the account's Fargate On-Demand vCPU quota, in
	// vCPUs; 0 means unlimited.
	OnDemandVCPUQuota int
	// SpotVCPUQuota is the Fargate Spot vCPU quota, in vCPUs; 0 means
	// unlimited.
	SpotVCPUQuota int
	// FargateServiceLaunchRate is how many tasks one service may launch per
	// minute on Fargate; 0 means 500 (§9).
	FargateServiceLaunchRate int
	// FargateSpotInterruptions is when Fargate Spot tasks are interrupted:
	// a rate per task-hour (drawn from the "spot" stream) or a scripted
	// schedule of instants, each interrupting one running Fargate Spot
	// task chosen at random; zero means never.
	FargateSpotInterruptions capacity.InterruptionProcess
	// FargateSpotUnavailability is when Fargate Spot capacity cannot be
	// had: scripted windows or an alternating process (stream
	// "spot-capacity"); zero means always available. Meanwhile new Fargate
	// Spot tasks are not created: RunTask reports
	// capacity.CapacityUnavailableReason as a failure, and a service logs
	// "was unable to place a task. Reason: Capacity is unavailable ..." and
	// tries again when capacity returns. As in AWS, nothing falls back to
	// on-demand Fargate by itself.
	FargateSpotUnavailability capacity.Unavailability
	// ProvisioningTimeout is how long a task of an Auto Scaling group
	// capacity provider waits in PROVISIONING for an instance with room
	// before ECS stops it (stop code TaskFailedToStart; a service then
	// starts another). Zero means DefaultProvisioningTimeout. AWS has no
	// such setting: its deep dive on cluster auto scaling says tasks
	// "wait for capacity for between 10 and 30 minutes" (aws-behaviour.md
	// §1.6), and this is the simulator's knob over that range.
	ProvisioningTimeout time.Duration
	// Prices is the price list of World.Cost; nil means
	// capacity.USEast1Prices().
	Prices *capacity.Prices
}

func (c CapacityConfig) validate() []error {
	var errs []error
	wrap := func(field string, err error) {
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: Capacity.%s: %w", ErrConfig, field, err))
		}
	}
	wrap("StartLatency", c.StartLatency.Validate())
	wrap("LaunchBucket", c.LaunchBucket.Validate())
	wrap("SpotLaunchBucket", c.SpotLaunchBucket.Validate())
	wrap("FargateSpotInterruptions", c.FargateSpotInterruptions.Validate())
	wrap("FargateSpotUnavailability", c.FargateSpotUnavailability.Validate())
	if c.Prices != nil {
		wrap("Prices", c.Prices.Validate())
	}
	if c.OnDemandVCPUQuota < 0 {
		errs = append(errs, fmt.Errorf("%w: Capacity.OnDemandVCPUQuota is %d; it must be 0 (unlimited) or positive", ErrConfig, c.OnDemandVCPUQuota))
	}
	if c.SpotVCPUQuota < 0 {
		errs = append(errs, fmt.Errorf("%w: Capacity.SpotVCPUQuota is %d; it must be 0 (unlimited) or positive", ErrConfig, c.SpotVCPUQuota))
	}
	if c.ProvisioningTimeout < 0 {
		errs = append(errs, fmt.Errorf("%w: Capacity.ProvisioningTimeout is %v; it must be 0 (default %v) or positive", ErrConfig, c.ProvisioningTimeout, DefaultProvisioningTimeout))
	}
	if c.FargateServiceLaunchRate < 0 {
		errs = append(errs, fmt.Errorf("%w: Capacity.FargateServiceLaunchRate is %d; it must be 0 (default 500) or positive", ErrConfig, c.FargateServiceLaunchRate))
	}
	errs = append(errs, validateZones("Capacity.Zones", c.Zones)...)
	return errs
}

func validateZones(field string, zones []string) []error {
	var errs []error
	for i, z := range zones {
		if z == "" {
			errs = append(errs, fmt.Errorf("%w: %s[%d] is empty", ErrConfig, field, i))
		} else if slices.Index(zones, z) < i {
			errs = append(errs, fmt.Errorf("%w: %s[%d] %q repeats an earlier zone", ErrConfig, field, i, z))
		}
	}
	return errs
}

// Indexes of the two Fargate pools: On-Demand and Spot have a launch bucket
// and a vCPU quota each.
const (
	poolOnDemand = 0
	poolSpot     = 1
)

// worldCapacity is the world's capacity state: the Fargate pools, the
// capacity providers and the cost accumulator.
type worldCapacity struct {
	w                    *World
	cfg                  CapacityConfig
	latency              capacity.StartLatency
	eniShare             float64 // mean ENI time / mean start latency
	buckets              [2]*capacity.LaunchBucket
	quotas               [2]*capacity.VCPUQuota
	queues               [2][]*Task // tasks waiting for a launch token, FIFO
	pump                 [2]Timer
	providers            []*CapacityProvider // FARGATE, FARGATE_SPOT, then ASG providers in creation order
	cost                 *capacity.Accumulator
	fargateInterruptions int
	spotOut              bool          // Fargate Spot capacity is unavailable now
	spotOutSince         time.Duration // when it last became unavailable
	spotOutTotal         time.Duration // unavailable time before spotOutSince

	kLaunch, kSpotWarning, kSpotDeadline, kScriptedSpot, kScaling, kSpotCapacity, kProvisionTimeout Kind
	rngStart, rngZone, rngSpot, rngSpotCapacity                                                     *rand.Rand
}

// taskCapacity is what a task knows of its capacity: its cluster, its
// provider (nil for a launch type), Fargate or not, its zone.
type taskCapacity struct {
	c        *Cluster
	provider *CapacityProvider
	fargate  bool
	spot     bool
	zone     string
	pending  time.Duration   // Fargate: the PENDING share of the start latency
	started  bool            // Fargate: got its launch token
	billed   bool            // an accumulator meter is open under the task ID
	quota    int             // CPU units reserved in a Fargate vCPU quota
	waiting  bool            // ASG provider: in PROVISIONING, waiting for an instance
	plan     *placement.Plan // ASG provider: where the task may be placed
}

func newWorldCapacity(w *World, cfg CapacityConfig) *worldCapacity {
	wc := &worldCapacity{w: w, cfg: cfg}
	if len(wc.cfg.Zones) == 0 {
		wc.cfg.Zones = DefaultFargateZones
	}
	wc.cfg.Zones = slices.Clone(wc.cfg.Zones)
	if wc.cfg.ProvisioningTimeout == 0 {
		wc.cfg.ProvisioningTimeout = DefaultProvisioningTimeout
	}
	if wc.cfg.FargateServiceLaunchRate == 0 {
		wc.cfg.FargateServiceLaunchRate = DefaultFargateServiceLaunchRate
	}
	prices := capacity.USEast1Prices()
	if cfg.Prices != nil {
		prices = *cfg.Prices
	}
	var err error
	wc.latency = cfg.StartLatency.WithDefaults()
	m := wc.latency
	eni := float64(m.ENIAttachMin+m.ENIAttachMax) / 2
	total := eni + m.ImageSizeMB/m.PullThroughputMBps*float64(time.Second) + float64(m.AppStartMin+m.AppStartMax)/2
	wc.eniShare = eni / total
	must := func(e error) {
		if e != nil {
			panic(fmt.Sprintf("sim: capacity configuration validated but rejected: %v", e))
		}
	}
	wc.buckets[poolOnDemand], err = capacity.NewLaunchBucket(cfg.LaunchBucket)
	must(err)
	wc.buckets[poolSpot], err = capacity.NewLaunchBucket(cfg.SpotLaunchBucket)
	must(err)
	wc.quotas[poolOnDemand], err = capacity.NewVCPUQuota(cfg.OnDemandVCPUQuota)
	must(err)
	wc.quotas[poolSpot], err = capacity.NewVCPUQuota(cfg.SpotVCPUQuota)
	must(err)
	wc.cost, err = capacity.NewAccumulator(prices)
	must(err)
	s := w.sim
	wc.kLaunch = s.Handle("fargate-launch", PhaseLifecycle, wc.onLaunch)
	wc.kSpotWarning = s.Handle("spot-warning", PhaseLifecycle, wc.onSpotWarning)
	wc.kSpotDeadline = s.Handle("spot-deadline", PhaseLifecycle, wc.onSpotDeadline)
	wc.kScriptedSpot = s.Handle("spot-scripted", PhaseLifecycle, wc.onScriptedSpot)
	wc.kScaling = s.Handle("managed-scaling", PhaseScaling, wc.onManagedScaling)
	wc.rngStart = s.Rand("fargate-start")
	wc.rngZone = s.Rand("fargate-zone")
	wc.rngSpot = s.Rand("spot")
	wc.providers = []*CapacityProvider{
		{w: w, name: capacity.Fargate, kind: providerFargate},
		{w: w, name: capacity.FargateSpot, kind: providerFargateSpot},
	}
	wc.scheduleScripted(wc.providers[1], cfg.FargateSpotInterruptions)
	wc.kSpotCapacity = s.Handle("spot-capacity", PhaseLifecycle, wc.onSpotCapacity)
	wc.kProvisionTimeout = s.Handle("provisioning-timeout", PhaseLifecycle, wc.onProvisioningTimeout)
	wc.rngSpotCapacity = s.Rand("spot-capacity")
	wc.scheduleSpotCapacity()
	return wc
}

// scheduleSpotCapacity arranges the changes of Fargate Spot availability:
// every window boundary still ahead (entering a window already begun at
// once), or the first change of the alternating process.
func (wc *worldCapacity) scheduleSpotCapacity() {
	u, s := wc.cfg.FargateSpotUnavailability, wc.w.sim
	now := s.Elapsed()
	if u.Random() {
		s.Schedule(wc.kSpotCapacity, u.Period(wc.rngSpotCapacity, false), 1)
		return
	}
	for _, win := range u.Windows {
		switch {
		case win.End <= now:
		case win.Start <= now:
			wc.setSpotOut(true)
			s.ScheduleAt(wc.kSpotCapacity, win.End, 0)
		default:
			s.ScheduleAt(wc.kSpotCapacity, win.Start, 1)
			s.ScheduleAt(wc.kSpotCapacity, win.End, 0)
		}
	}
}

// onSpotCapacity makes Fargate Spot capacity unavailable (arg 1) or
// available again (arg 0).
func (wc *worldCapacity) onSpotCapacity(arg uint64) {
	out := arg == 1
	wc.setSpotOut(out)
	if u := wc.cfg.FargateSpotUnavailability; u.Random() {
		next := uint64(1)
		if out {
			next = 0
		}
		wc.w.sim.Schedule(wc.kSpotCapacity, u.Period(wc.rngSpotCapacity, out), next)
	}
	if !out {
		// Services of every cluster may be waiting for Spot capacity.
		for _, c := range wc.w.clusters {
			c.capacityChanged(false)
		}
	}
}

func (wc *worldCapacity) setSpotOut(out bool) {
	if out == wc.spotOut {
		return
	}
	now := wc.w.sim.Elapsed()
	if out {
		wc.spotOutSince = now
	} else {
		wc.spotOutTotal += now - wc.spotOutSince
	}
	wc.spotOut = out
}

// zones returns the Availability Zones of Fargate tasks in c.
func (c *Cluster) fargateZones() []string {
	if c.capc != nil && len(c.capc.zones) > 0 {
		return c.capc.zones
	}
	return c.w.capw.cfg.Zones
}

// launchZones returns the Availability Zones new Fargate tasks of c may
// use: its zones less those out (World.ScheduleZoneOutage).
func (c *Cluster) launchZones() []string {
	zones := c.fargateZones()
	if len(c.w.outages) == 0 || !slices.ContainsFunc(zones, c.w.zoneOut) {
		return zones
	}
	return slices.DeleteFunc(slices.Clone(zones), c.w.zoneOut)
}

// SetZones sets the Availability Zones (the subnets of the cluster's
// awsvpc configuration) Fargate tasks of the cluster are spread over; nil
// means the world's Capacity.Zones. Tasks already running stay where they
// are.
func (c *Cluster) SetZones(zones []string) error {
	if err := errors.Join(validateZones("SetZones", zones)...); err != nil {
		return err
	}
	c.cap().zones = slices.Clone(zones)
	return nil
}

// validateFargateDefinition reports why def cannot run on Fargate.
func validateFargateDefinition(def *TaskDefinition) error {
	var errs []error
	if def.in.NetworkMode != AWSVPC {
		errs = append(errs, fmt.Errorf("task definition %s has network mode %q; Fargate requires awsvpc", def, def.in.NetworkMode))
	}
	if err := fargateSize(def).Validate(); err != nil {
		errs = append(errs, fmt.Errorf("task definition %s: %w", def, err))
	}
	for _, ct := range def.in.Containers {
		if ct.StopTimeout > MaxFargateStopTimeout {
			errs = append(errs, fmt.Errorf("task definition %s: container %s StopTimeout %v exceeds the Fargate maximum %v", def, ct.Name, ct.StopTimeout, MaxFargateStopTimeout))
		}
	}
	return errors.Join(errs...)
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
		tally := c.cap().standalone[group]
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
	cc := c.cap()
	if cc.standalone == nil {
		cc.standalone = map[string]*zoneTally{}
	}
	tally := cc.standalone[t.groupName]
	if tally == nil {
		tally = &zoneTally{}
		cc.standalone[t.groupName] = tally
	}
	j := slices.Index(tally.zones, t.capt.zone)
	if j < 0 {
		tally.zones, tally.counts = append(tally.zones, t.capt.zone), append(tally.counts, 0)
		j = len(tally.zones) - 1
	}
	tally.counts[j] += delta
}

// newFargateTask creates a Fargate task in PROVISIONING in the zone with the
// fewest tasks of its group, reserving its vCPUs in the pool's quota, and
// queues it for a launch token. It returns nil and the failure reason when
// Fargate Spot capacity is unavailable or the quota would be exceeded.
func (w *World) newFargateTask(c *Cluster, def *TaskDefinition, group string, provider *CapacityProvider, spot bool, zoneCounts []int) (*Task, string) {
	wc := w.capw
	pool := poolOnDemand
	if spot {
		pool = poolSpot
	}
	if spot && wc.spotOut {
		return nil, capacity.CapacityUnavailableReason
	}
	if !wc.quotas[pool].TryReserve(def.cpu) {
		return nil, capacity.QuotaExceededReason
	}
	zones := c.launchZones()
	if len(zones) == 0 {
		return nil, capacity.CapacityUnavailableReason
	}
	zi := capacity.LaunchZone(wc.rngZone, zoneCounts)
	zoneCounts[zi]++
	t := &Task{
		w: w, id: len(w.tasks), arnID: fmt.Sprintf("%016x%016x", w.nextID(), w.nextID()),
		def: def, req: def.placementTask(0), groupName: group, desired: TaskRunning, createdAt: w.now(),
		state: TaskProvisioning,
	}
	t.capt = taskCapacity{c: c, provider: provider, fargate: true, spot: spot, zone: zones[zi], quota: def.cpu}
	w.tasks = append(w.tasks, t)
	if !strings.HasPrefix(group, "service:") {
		c.tallyStandalone(t, +1)
	}
	wc.queues[pool] = append(wc.queues[pool], t)
	wc.pumpLaunches(pool)
	if spot {
		wc.armFargateSpot(t)
	}
	return t, ""
}

// pumpLaunches grants launch tokens to the tasks waiting in pool's queue,
// oldest first, and arranges to be called again when the bucket is empty.
func (wc *worldCapacity) pumpLaunches(pool int) {
	q := wc.queues[pool]
	now := wc.w.sim.Elapsed()
	i := 0
	for ; i < len(q); i++ {
		t := q[i]
		if t.desired != TaskRunning {
			continue // stopped while it waited
		}
		granted, next := wc.buckets[pool].Take(now, 1)
		if granted == 0 {
			if !wc.pump[pool].Pending() {
				wc.pump[pool] = wc.w.sim.ScheduleAt(wc.kLaunch, next, uint64(pool))
			}
			break
		}
		wc.beginFargateStart(t)
	}
	if i > 0 {
		n := copy(q, q[i:])
		clear(q[n:])
		wc.queues[pool] = q[:n]
	}
}

func (wc *worldCapacity) onLaunch(arg uint64) { wc.pumpLaunches(int(arg)) }

// beginFargateStart starts a Fargate task's start latency once it has its
// launch token.
func (wc *worldCapacity) beginFargateStart(t *Task) {
	total := wc.latency.Sample(wc.rngStart)
	prov := time.Duration(math.Round(float64(total) * wc.eniShare))
	t.capt.pending, t.capt.started = total-prov, true
	t.enter(TaskProvisioning, prov)
}

// fargatePending is PENDING of a Fargate task: the image pull and
// application start; billing starts here.
func (w *World) fargatePending(t *Task) time.Duration {
	w.capw.startFargateBilling(t)
	return t.capt.pending
}

// Zone returns the Availability Zone the task runs in: its instance's, or
// the one Fargate chose. It is "" for a task still waiting for an instance.
func (t *Task) Zone() string {
	if t.inst != nil {
		return t.inst.zone
	}
	return t.capt.zone
}

// IsFargate reports whether the task runs on Fargate (launch type FARGATE,
// or the FARGATE or FARGATE_SPOT capacity provider).
func (t *Task) IsFargate() bool { return t.capt.fargate }

// IsSpot reports whether the task runs on Spot capacity: Fargate Spot, or
// an instance of a Spot Auto Scaling group provider.
func (t *Task) IsSpot() bool {
	if t.inst != nil {
		return t.inst.spot()
	}
	return t.capt.spot
}

// CapacityProvider returns the capacity provider the task was launched
// with, or nil for a task with a launch type.
func (t *Task) CapacityProvider() *CapacityProvider { return t.capt.provider }

// cluster returns the task's cluster.
func (t *Task) cluster() *Cluster {
	if t.inst != nil {
		return t.inst.c
	}
	return t.capt.c
}

// taskStopped is the capacity side of a task reaching STOPPED: billing
// ends, the vCPU quota is released, and a waiting task leaves its queue.
func (wc *worldCapacity) taskStopped(t *Task) {
	now := wc.w.sim.Elapsed()
	if t.capt.billed {
		t.capt.billed = false
		if err := wc.cost.Stop(t.arnID, now); err != nil {
			panic(fmt.Sprintf("sim: billing task %s: %v", t.arnID, err))
		}
	}
	if t.capt.quota > 0 {
		pool := poolOnDemand
		if t.capt.spot {
			pool = poolSpot
		}
		wc.quotas[pool].Release(t.capt.quota)
		t.capt.quota = 0
		if wc.quotas[pool].LimitUnits() > 0 {
			// The quota is the account's: every cluster may have a
			// service waiting for it.
			for _, c := range wc.w.clusters {
				if c != t.cluster() {
					c.capacityChanged(false)
				}
			}
		}
	}
	if t.capt.fargate && t.service == nil && !strings.HasPrefix(t.groupName, "service:") {
		t.capt.c.tallyStandalone(t, -1)
	}
	if t.capt.waiting {
		t.capt.waiting = false
		p := t.capt.provider
		if i := slices.Index(p.waiting, t); i >= 0 {
			p.waiting = slices.Delete(p.waiting, i, i+1)
		}
	}
}

// launchRate is the per-service launch rate of s, tasks per minute: 500 on
// Fargate, the world's ServiceLaunchRate (250) otherwise.
func (s *Service) launchRate() int {
	if s.ls.fargate() {
		return s.w.capw.cfg.FargateServiceLaunchRate
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
		zi := capacity.StopZone(s.w.capw.rngZone, counts)
		if counts[zi] == 0 {
			break
		}
		last := len(byZone[zi]) - 1
		out = append(out, byZone[zi][last])
		byZone[zi] = byZone[zi][:last]
	}
	return out
}

// hasENI reports whether the task got its elastic network interface: it
// has an instance, or it is a Fargate task that got its launch token. A
// task stopped while it waited has nothing to detach.
func (t *Task) hasENI() bool { return t.inst != nil || t.capt.fargate && t.capt.started }
