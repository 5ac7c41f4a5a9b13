package sim

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
)

// InstanceStatus is a container instance's status.
type InstanceStatus uint8

// Container instance statuses, in the order an instance goes through them.
const (
	// InstanceLaunching: the EC2 instance is booting and its agent has not
	// registered yet; ECS does not know it.
	InstanceLaunching InstanceStatus = iota
	// InstanceActive: registered, accepts tasks.
	InstanceActive
	// InstanceDraining: accepts no new tasks; service tasks are replaced
	// elsewhere, standalone tasks keep running.
	InstanceDraining
	// InstanceInactive: deregistered or failed; holds no tasks.
	InstanceInactive
)

var instanceStatusNames = [...]string{"LAUNCHING", "ACTIVE", "DRAINING", "INACTIVE"}

// String returns the ECS spelling (LAUNCHING for an instance ECS does not
// know yet).
func (s InstanceStatus) String() string { return instanceStatusNames[s] }

// InstanceSpec describes an EC2 instance to launch into a cluster.
type InstanceSpec struct {
	// Type is the instance type name, looked up in the world's catalog.
	Type string
	// Zone is the availability zone, e.g. "us-east-1a"; required.
	Zone string
	// Attributes are custom attributes set at registration; nil means none.
	// The built-in ecs.* attributes are set by the world.
	Attributes map[string]string
}

// Instance is one EC2 container instance.
type Instance struct {
	c        *Cluster
	id       int // index in World.instances
	placeID  placement.InstanceID
	ec2ID    string
	arnID    string
	typ      InstanceType
	zone     string
	attrs    map[string]string
	status   InstanceStatus
	launched time.Time
	regAt    time.Time
	tasks    roster[Task] // tasks placed here and not yet STOPPED, in placement order
	daemons  int          // of tasks, those of DAEMON services
	alone    int          // of tasks, standalone ones (RunTask)
	images   []string     // image cache
	provider *CapacityProvider
	provPos  int // position in provider.instances while not INACTIVE
	provZone int // index of zone in provider's zones
	billed   bool
	trunk    bool // launched with awsvpcTrunking on, on a type that supports it
}

// EC2InstanceID returns the EC2 ID, e.g. "i-0a1b2c3d4e5f60718".
func (in *Instance) EC2InstanceID() string { return in.ec2ID }

// ContainerInstanceID returns the ID of the container instance's ARN.
func (in *Instance) ContainerInstanceID() string { return in.arnID }

// Type returns the instance type.
func (in *Instance) Type() InstanceType { return in.typ }

// Zone returns the availability zone.
func (in *Instance) Zone() string { return in.zone }

// Status returns the status.
func (in *Instance) Status() InstanceStatus { return in.status }

// Cluster returns the cluster the instance belongs to.
func (in *Instance) Cluster() *Cluster { return in.c }

// RegisteredAt returns when the agent registered, or the zero time.
func (in *Instance) RegisteredAt() time.Time { return in.regAt }

// Tasks returns the tasks placed on the instance that are not yet STOPPED.
func (in *Instance) Tasks() []*Task { return in.tasks.members() }

// PlacementID returns the instance's ID in the cluster's placement index,
// or placement.NoInstance before registration.
func (in *Instance) PlacementID() placement.InstanceID { return in.placeID }

// LaunchInstance launches an EC2 instance into the cluster. Its agent
// registers after a delay drawn from Latencies.InstanceLaunch, at which point
// the instance becomes ACTIVE, takes tasks, and daemon services place a task
// on it. Every problem with spec is reported at once, each a
// *fielderr.Error matching ErrConfig; a cluster holds at most
// Quotas.InstancesPerCluster instances that are not INACTIVE, and a zone
// that is out refuses the launch with ErrZoneUnavailable.
func (c *Cluster) LaunchInstance(spec InstanceSpec) (*Instance, error) {
	l := fielderr.NewList(ErrConfig)
	t := c.checkLaunch(l, "InstanceSpec.", spec.Type, []string{spec.Zone}, 1)
	checkAttributes(l, ErrConfig, "InstanceSpec.Attributes", spec.Attributes)
	if err := l.Err(); err != nil {
		return nil, err
	}
	return c.launch(t, spec.Zone, spec.Attributes), nil
}

// LaunchInstances launches n instances of one type, spread round-robin over
// zones in the order given: all of them, or none and every problem with the
// request (n from 1 to what Quotas.InstancesPerCluster leaves room for).
func (c *Cluster) LaunchInstances(typ string, zones []string, n int) ([]*Instance, error) {
	l := fielderr.NewList(ErrConfig)
	t := c.checkLaunch(l, "LaunchInstances.", typ, zones, n)
	if err := l.Err(); err != nil {
		return nil, err
	}
	out := make([]*Instance, n)
	for i := range n {
		out[i] = c.launch(t, zones[i%len(zones)], nil)
	}
	return out, nil
}

// checkLaunch adds to l what is wrong with launching n instances of type
// typ in zones (the fields named with prefix), and returns the type.
func (c *Cluster) checkLaunch(l *fielderr.List, prefix, typ string, zones []string, n int) InstanceType {
	w := c.w
	t, ok := w.cfg.Catalog.Lookup(typ)
	if !ok {
		l.Add(prefix+"Type", typ, "is not in the catalog")
	} else if t.RegisteredMemoryMiB(w.cfg.ReservedMemoryMiB) <= 0 {
		l.Addf(prefix+"Type", typ, "has no memory left for tasks with WorldConfig.ReservedMemoryMiB %d", w.cfg.ReservedMemoryMiB)
	}
	zoneField := prefix + "Zones"
	if prefix == "InstanceSpec." {
		zoneField = prefix + "Zone"
		if zones[0] == "" {
			l.Add(zoneField, "", "is required")
		} else if rule := zoneRule(zones[0]); rule != "" {
			l.Add(zoneField, zones[0], rule)
		}
	} else {
		if len(zones) == 0 {
			l.Add(zoneField, 0, "must name at least one zone")
		}
		checkZones(l, zoneField, zones)
	}
	left := w.quotas.InstancesPerCluster - c.live
	switch {
	case n < 1:
		l.Add(prefix+"n", n, "must be at least 1")
	case n > left:
		l.Addf(prefix+"n", n, "would take cluster %s to %d instances that are not INACTIVE; Quotas.InstancesPerCluster allows %d", c.name, c.live+n, w.quotas.InstancesPerCluster)
	}
	if l.Len() == 0 {
		for i, z := range zones {
			if w.zoneOut(z) {
				f := zoneField
				if prefix != "InstanceSpec." {
					f = fmt.Sprintf("%s[%d]", zoneField, i)
				}
				l.Join(fielderr.New(ErrZoneUnavailable, f, z, "is out; no instance launches there until it returns"))
			}
		}
	}
	return t
}

// launch starts an instance that checkLaunch has allowed.
func (c *Cluster) launch(t InstanceType, zone string, attrs map[string]string) *Instance {
	w := c.w
	in := c.newInstance(t, zone, attrs)
	w.account.instanceLaunched(in)
	w.sim.Schedule(w.kInstanceUp, w.lat.InstanceLaunch.Sample(w.rngLaunch), uint64(in.id))
	return in
}

// onInstanceUp registers a launched instance with its cluster.
func (w *World) onInstanceUp(arg uint64) {
	in := w.instances[arg]
	if in.status != InstanceLaunching {
		return // failed while booting
	}
	attrs := map[string]string{
		placement.AttrOSType:          "linux",
		placement.AttrOSFamily:        "LINUX",
		placement.AttrCPUArchitecture: string(in.typ.Arch),
		placement.AttrAMIID:           "ami-ecs-optimized",
		// One simulated VPC with one subnet per zone.
		placement.AttrVPCID:    "vpc-0sim",
		placement.AttrSubnetID: subnetOf(in.zone),
	}
	if in.trunk {
		// The agent sets it once the trunk ENI is attached
		// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-eni.html).
		attrs[AttrAWSVPCTrunkID] = fmt.Sprintf("eni-%017x", in.id)
	}
	maps.Copy(attrs, in.attrs)
	in.regAt = w.now()
	pid, err := in.c.place.Register(placement.Instance{
		EC2InstanceID: in.ec2ID, InstanceType: in.typ.Name, Zone: in.zone,
		CPU: in.typ.RegisteredCPU(), MemoryMiB: in.typ.RegisteredMemoryMiB(w.cfg.ReservedMemoryMiB),
		ENIs: in.typ.AWSVPCTasks(in.trunk), ReservedPorts: defaultReservedPorts, RegisteredAt: in.regAt, Attributes: attrs,
	})
	if err != nil {
		// The catalog (NewCatalog), the zone, the attributes and the
		// provider's name were checked when the instance launched, against
		// the rules Register applies; a failure here is a bug.
		panic(fmt.Sprintf("sim: registering %s: %v", in.ec2ID, err))
	}
	in.placeID, in.status = pid, InstanceActive
	in.c.activeZones = nil // the set of zones with an ACTIVE instance may change
	for len(in.c.byPlaceID) <= int(pid) {
		in.c.byPlaceID = append(in.c.byPlaceID, nil)
	}
	in.c.byPlaceID[pid] = in
	in.c.capacityChanged(true)
}

// defaultReservedPorts are the host ports the agent reserves on every
// instance: SSH, the Docker daemon and the agent's introspection ports.
var defaultReservedPorts = []uint16{22, 2375, 2376, 51678, 51679}

// capacityChanged wakes services that could not place tasks, and with
// newInstance every daemon service of the cluster.
func (c *Cluster) capacityChanged(newInstance bool) {
	c.capacityGen++ // unblocks every service's rebalancing (Service.rebalanceBlocked)
	if newInstance {
		// Daemon tasks are placed first (see the daemon strategy in
		// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html): on a new
		// instance they go in now, before tasks waiting for capacity and
		// before any replica service reconciles.
		for _, s := range c.services {
			if s.cfg.SchedulingStrategy == Daemon && s.status == ServiceActive {
				s.reconcileDaemon()
				s.checkSteady()
			}
		}
	}
	c.placeWaitingTasks()
	// Waiting daemon services reconcile before waiting replica services.
	slices.SortStableFunc(c.waiting, func(a, b *Service) int {
		return cmp.Compare(daemonRank(a), daemonRank(b))
	})
	for _, s := range c.waiting {
		s.waiting = false
		s.requestReconcile()
	}
	c.waiting = c.waiting[:0]
	if newInstance {
		c.zonesChanged()
	}
}

// zonesChanged asks the services that rebalance over Availability Zones to
// look again: a zone may have become usable (a new instance, the end of an
// outage).
func (c *Cluster) zonesChanged() {
	for _, s := range c.services {
		if s.rebalanceOn && s.status == ServiceActive {
			s.requestReconcile()
		}
	}
}

// Drain sets an ACTIVE instance to DRAINING: it takes no new tasks, its
// service tasks are replaced elsewhere within the services' minimum healthy
// and maximum percent, its daemon tasks stop last, once no replica task is
// left on it (ECS stops daemon tasks last:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html),
// and its standalone tasks keep running.
func (in *Instance) Drain() error {
	if in.status != InstanceActive {
		return in.statusError("Drain", "only an ACTIVE instance can be drained")
	}
	if err := in.c.place.SetStatus(in.placeID, placement.Draining); err != nil {
		panic(err)
	}
	in.status = InstanceDraining
	in.c.activeZones = nil // the set of zones with an ACTIVE instance may change
	seen := map[*Service]bool{}
	var touched []*Service
	for t := range in.tasks.all() {
		t.onDraining = true
		if s := t.service; s != nil && !seen[s] {
			seen[s] = true
			touched = append(touched, s)
		}
	}
	for _, s := range touched {
		s.requestReconcile()
	}
	return nil
}

// Activate returns a DRAINING instance to ACTIVE.
func (in *Instance) Activate() error {
	if in.status != InstanceDraining {
		return in.statusError("Activate", "only a DRAINING instance can be activated")
	}
	if err := in.c.place.SetStatus(in.placeID, placement.Active); err != nil {
		panic(err)
	}
	in.status = InstanceActive
	in.c.activeZones = nil // the set of zones with an ACTIVE instance may change
	for t := range in.tasks.all() {
		t.onDraining = false
	}
	in.c.capacityChanged(true)
	for t := range in.tasks.all() {
		if t.service != nil {
			t.service.requestReconcile()
		}
	}
	return nil
}

// Deregister removes the instance from its cluster. Without force it
// refuses while tasks remain (drain it first); with force its remaining
// tasks stop at once, as if the instance had been terminated.
func (in *Instance) Deregister(force bool) error {
	switch in.status {
	case InstanceInactive:
		return in.statusError("Deregister", "it is already deregistered")
	case InstanceLaunching:
		in.inactive()
		return nil
	}
	if n := in.tasks.len(); n > 0 && !force {
		return fielderr.New(ErrConfig, "Instance.Deregister(force)", force, fmt.Sprintf("instance %s still has %d tasks; drain it first or deregister with force", in.ec2ID, n))
	}
	in.terminate(StopTerminationNotice, fmt.Sprintf("Container instance %s was deregistered.", in.arnID))
	return nil
}

// Fail terminates the instance unexpectedly (hardware failure, EC2
// termination): its tasks stop at once with stop code TerminationNotice and
// reason "Host EC2 (instance i-...) terminated.", and services replace them.
//
// ECS documents the reason text but not the stop code of tasks on a
// terminated host; TerminationNotice is an assumption.
func (in *Instance) Fail() error {
	if in.status == InstanceInactive {
		return in.statusError("Fail", "it is already INACTIVE")
	}
	if in.status == InstanceLaunching {
		in.inactive()
		return nil
	}
	in.terminate(StopTerminationNotice, fmt.Sprintf("Host EC2 (instance %s) terminated.", in.ec2ID))
	return nil
}

// SpotInterruptionWarning is the notice EC2 gives before it reclaims a
// Spot instance.
const SpotInterruptionWarning = 2 * time.Minute

// InterruptSpot models an EC2 Spot interruption notice with ECS Spot
// instance draining enabled (ECS_ENABLE_SPOT_INSTANCE_DRAINING): the
// instance is set to DRAINING at once, so services move their tasks, and
// SpotInterruptionWarning later EC2 reclaims it; tasks still on it then stop
// with stop code SpotInterruption. The reason text is an assumption: ECS
// documents the stop code, not the EC2 wording.
func (in *Instance) InterruptSpot() error {
	if in.status != InstanceActive && in.status != InstanceDraining {
		return in.statusError("InterruptSpot", "only a registered (ACTIVE or DRAINING) instance can be interrupted")
	}
	if in.status == InstanceActive {
		if err := in.Drain(); err != nil {
			return err
		}
	}
	w := in.c.w
	w.scripted = append(w.scripted, ScriptedFailure{Instance: in, spot: true})
	w.sim.Schedule(w.kScripted, SpotInterruptionWarning, uint64(len(w.scripted)-1))
	return nil
}

// terminate stops every task on the instance at once and removes it.
func (in *Instance) terminate(code StopCode, reason string) {
	w := in.c.w
	if err := in.c.place.Deregister(in.placeID); err != nil {
		panic(err)
	}
	tasks := in.tasks.members()
	for _, t := range tasks {
		t.instPos = -1
	}
	in.tasks.reset()
	in.daemons, in.alone = 0, 0
	in.status = InstanceInactive // the tasks stop on an instance that is gone
	in.c.activeZones = nil       // the set of zones with an ACTIVE instance may change
	for _, t := range tasks {
		t.released = true // the placement index forgot the instance already
		w.stop(t, stopHostLost, code, reason)
	}
	in.inactive()
	in.c.capacityChanged(false)
}

// inactive makes the instance INACTIVE: it no longer counts against
// Quotas.InstancesPerCluster, its bill ends and it leaves its group.
func (in *Instance) inactive() {
	in.status = InstanceInactive
	in.c.activeZones = nil // the set of zones with an ACTIVE instance may change
	in.c.live--
	in.c.w.account.instanceGone(in)
}

// statusError refuses call on an instance whose status does not allow it.
func (in *Instance) statusError(call, rule string) error {
	return fielderr.New(ErrConfig, "Instance."+call, in.ec2ID, fmt.Sprintf("is %s; %s", in.status, rule))
}

func (in *Instance) hasImage(image string) bool { return slices.Contains(in.images, image) }

// daemonRank orders daemon services (0) before replica services (1).
func daemonRank(s *Service) int {
	if s.cfg.SchedulingStrategy == Daemon {
		return 0
	}
	return 1
}

// hasReplicaTasks reports whether a task of a REPLICA service is still on
// the instance, in any state.
func (in *Instance) hasReplicaTasks() bool { return in.tasks.len()-in.daemons-in.alone > 0 }

// nonDaemonTasks counts the tasks on in that are not daemon-service tasks.
func (in *Instance) nonDaemonTasks() int { return in.tasks.len() - in.daemons }

// replicaLeft asks the daemon services running on a draining instance to
// look again once its last replica task has stopped: their tasks stop last.
func (in *Instance) replicaLeft() {
	if in.hasReplicaTasks() {
		return
	}
	for t := range in.tasks.all() {
		if s := t.service; s != nil && s.cfg.SchedulingStrategy == Daemon && t.desired == TaskRunning {
			s.requestReconcile()
		}
	}
}

// addTask puts t on the instance's list (placement reserved its resources).
func (in *Instance) addTask(t *Task) {
	in.tasks.add(t, &t.instPos)
	switch {
	case t.service == nil:
		in.alone++
	case t.service.cfg.SchedulingStrategy == Daemon:
		in.daemons++
	}
}

// removeTask takes a STOPPED task off the instance's list.
func (in *Instance) removeTask(t *Task) {
	if t.instPos < 0 {
		return
	}
	in.tasks.remove(&t.instPos, func(t *Task) *int { return &t.instPos })
	switch {
	case t.service == nil:
		in.alone--
	case t.service.cfg.SchedulingStrategy == Daemon:
		in.daemons--
	}
}

// newInstance adds a LAUNCHING instance to the cluster; the caller
// schedules its registration.
func (c *Cluster) newInstance(t InstanceType, zone string, attrs map[string]string) *Instance {
	w := c.w
	id := w.nextID()
	in := &Instance{
		c: c, id: len(w.instances), placeID: placement.NoInstance,
		ec2ID: fmt.Sprintf("i-%017x", id), arnID: fmt.Sprintf("%016x%016x", id, w.nextID()),
		typ: t, zone: zone, attrs: maps.Clone(attrs), launched: w.now(),
		trunk: w.vpc.trunking && t.TrunkedTasks > 0,
	}
	w.instances = append(w.instances, in)
	c.instances = append(c.instances, in)
	c.live++
	return in
}

// CapacityProvider returns the Auto Scaling group provider that launched
// the instance, or nil.
func (in *Instance) CapacityProvider() *CapacityProvider { return in.provider }

func (in *Instance) spot() bool { return in.provider != nil && in.provider.cfg.Spot }

// IsSpot reports whether the instance is a Spot instance.
func (in *Instance) IsSpot() bool { return in.spot() }
