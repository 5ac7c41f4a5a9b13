package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/ecssim/ecssim/internal/fielderr"
	"slices"
	"time"

	"github.com/ecssim/ecssim/sim/capacity"
)

// The account is what the world's tasks draw on beyond their cluster: the
// AWS account and Region's Fargate pools (launch token buckets and vCPU
// quotas, On-Demand and Spot), its capacity providers, and the bill.

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
	// minute on Fargate; 0 means 500, the ECS service quota.
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
	// "wait for capacity for between 10 and 30 minutes"
	// (https://aws.amazon.com/blogs/containers/deep-dive-on-amazon-ecs-cluster-auto-scaling/),
	// and this is the simulator's knob over that range.
	ProvisioningTimeout time.Duration
	// Prices is the price list of World.Cost; nil means
	// capacity.USEast1Prices().
	Prices *capacity.Prices
}

func (c CapacityConfig) validate(l *fielderr.List) {
	const at = "WorldConfig.Capacity."
	joinLeaf(l, ErrConfig, at+"StartLatency", "StartLatency", c.StartLatency.Validate())
	joinLeaf(l, ErrConfig, at+"LaunchBucket", "LaunchBucketConfig", c.LaunchBucket.Validate())
	joinLeaf(l, ErrConfig, at+"SpotLaunchBucket", "LaunchBucketConfig", c.SpotLaunchBucket.Validate())
	joinLeaf(l, ErrConfig, at+"FargateSpotInterruptions", "InterruptionProcess", c.FargateSpotInterruptions.Validate())
	joinLeaf(l, ErrConfig, at+"FargateSpotUnavailability", "Unavailability", c.FargateSpotUnavailability.Validate())
	if c.Prices != nil {
		joinLeaf(l, ErrConfig, at+"Prices", "Prices", c.Prices.Validate())
	}
	if c.OnDemandVCPUQuota < 0 {
		l.Add(at+"OnDemandVCPUQuota", c.OnDemandVCPUQuota, "must be 0 (unlimited) or positive")
	}
	if c.SpotVCPUQuota < 0 {
		l.Add(at+"SpotVCPUQuota", c.SpotVCPUQuota, "must be 0 (unlimited) or positive")
	}
	if c.ProvisioningTimeout < 0 {
		l.Addf(at+"ProvisioningTimeout", c.ProvisioningTimeout, "must be 0 (default %v) or positive", DefaultProvisioningTimeout)
	}
	if c.FargateServiceLaunchRate < 0 || c.FargateServiceLaunchRate > MaxLaunchRate {
		l.Addf(at+"FargateServiceLaunchRate", c.FargateServiceLaunchRate, "must be 0 (default %d per minute) to %d (MaxLaunchRate)", DefaultFargateServiceLaunchRate, MaxLaunchRate)
	}
	checkZones(l, at+"Zones", c.Zones)
}

// account is the world's capacity state: the Fargate pools, the
// capacity providers and the cost accumulator.
type account struct {
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

func newAccount(w *World, cfg CapacityConfig) *account {
	a := &account{w: w, cfg: cfg}
	if len(a.cfg.Zones) == 0 {
		a.cfg.Zones = DefaultFargateZones
	}
	a.cfg.Zones = slices.Clone(a.cfg.Zones)
	if a.cfg.ProvisioningTimeout == 0 {
		a.cfg.ProvisioningTimeout = DefaultProvisioningTimeout
	}
	if a.cfg.FargateServiceLaunchRate == 0 {
		a.cfg.FargateServiceLaunchRate = DefaultFargateServiceLaunchRate
	}
	prices := capacity.USEast1Prices()
	if cfg.Prices != nil {
		prices = *cfg.Prices
	}
	var err error
	a.latency = cfg.StartLatency.WithDefaults()
	m := a.latency
	eni := float64(m.ENIAttachMin+m.ENIAttachMax) / 2
	total := eni + m.ImageSizeMB/m.PullThroughputMBps*float64(time.Second) + float64(m.AppStartMin+m.AppStartMax)/2
	a.eniShare = eni / total
	must := func(e error) {
		if e != nil {
			panic(fmt.Sprintf("sim: capacity configuration validated but rejected: %v", e))
		}
	}
	a.buckets[poolOnDemand], err = capacity.NewLaunchBucket(cfg.LaunchBucket)
	must(err)
	a.buckets[poolSpot], err = capacity.NewLaunchBucket(cfg.SpotLaunchBucket)
	must(err)
	a.quotas[poolOnDemand], err = capacity.NewVCPUQuota(cfg.OnDemandVCPUQuota)
	must(err)
	a.quotas[poolSpot], err = capacity.NewVCPUQuota(cfg.SpotVCPUQuota)
	must(err)
	a.cost, err = capacity.NewAccumulator(prices)
	must(err)
	s := w.sim
	a.kLaunch = s.Handle("fargate-launch", PhaseLifecycle, a.onLaunch)
	a.kSpotWarning = s.Handle("spot-warning", PhaseLifecycle, a.onSpotWarning)
	a.kSpotDeadline = s.Handle("spot-deadline", PhaseLifecycle, a.onSpotDeadline)
	a.kScriptedSpot = s.Handle("spot-scripted", PhaseLifecycle, a.onScriptedSpot)
	a.kScaling = s.Handle("managed-scaling", PhaseScaling, a.onManagedScaling)
	a.rngStart = s.Rand("fargate-start")
	a.rngZone = s.Rand("fargate-zone")
	a.rngSpot = s.Rand("spot")
	a.providers = []*CapacityProvider{
		{w: w, name: capacity.Fargate, kind: providerFargate},
		{w: w, name: capacity.FargateSpot, kind: providerFargateSpot},
	}
	a.scheduleScripted(a.providers[1], cfg.FargateSpotInterruptions)
	a.kSpotCapacity = s.Handle("spot-capacity", PhaseLifecycle, a.onSpotCapacity)
	a.kProvisionTimeout = s.Handle("provisioning-timeout", PhaseLifecycle, a.onProvisioningTimeout)
	a.rngSpotCapacity = s.Rand("spot-capacity")
	a.scheduleSpotCapacity()
	return a
}

// taskStopped is the capacity side of a task reaching STOPPED: billing
// ends, the vCPU quota is released, and a waiting task leaves its queue.
func (a *account) taskStopped(t *Task) {
	now := a.w.sim.Elapsed()
	if t.host.billed {
		t.host.billed = false
		if err := a.cost.Stop(t.arnID, now); err != nil {
			panic(fmt.Sprintf("sim: billing task %s: %v", t.arnID, err))
		}
	}
	if t.host.quota > 0 {
		pool := poolOnDemand
		if t.host.spot {
			pool = poolSpot
		}
		a.quotas[pool].Release(t.host.quota)
		t.host.quota = 0
		if a.quotas[pool].LimitUnits() > 0 {
			// The quota is the account's: every cluster may have a
			// service waiting for it.
			for _, c := range a.w.clusters {
				if c != t.cluster() {
					c.capacityChanged(false)
				}
			}
		}
	}
	if t.host.fargate && t.service == nil {
		t.host.c.tallyStandalone(t, -1)
	}
	if t.host.waiting {
		t.host.waiting = false
		p := t.host.provider
		if i := slices.Index(p.waiting, t); i >= 0 {
			p.waiting = slices.Delete(p.waiting, i, i+1)
		}
	}
}
