package sim

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

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
	tasks    []*Task  // tasks placed here and not yet STOPPED
	images   []string // image cache
	provider *CapacityProvider
	billed   bool
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
func (in *Instance) Tasks() []*Task { return append([]*Task(nil), in.tasks...) }

// PlacementID returns the instance's ID in the cluster's placement index,
// or placement.NoInstance before registration.
func (in *Instance) PlacementID() placement.InstanceID { return in.placeID }

// LaunchInstance launches an EC2 instance into the cluster. Its agent
// registers after a delay drawn from Latencies.InstanceLaunch, at which point
// the instance becomes ACTIVE, takes tasks, and daemon services place a task
// on it.
func (c *Cluster) LaunchInstance(spec InstanceSpec) (*Instance, error) {
	w := c.w
	t, ok := w.cfg.Catalog.Lookup(spec.Type)
	var errs []error
	if !ok {
		errs = append(errs, fmt.Errorf("%w: InstanceSpec.Type %q is not in the catalog", ErrConfig, spec.Type))
	}
	if spec.Zone == "" {
		errs = append(errs, fmt.Errorf("%w: InstanceSpec.Zone is empty; it is required", ErrConfig))
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Attributes)) {
		if len(k) > 3 && k[:4] == "ecs." {
			errs = append(errs, fmt.Errorf("%w: InstanceSpec.Attributes[%q]: built-in ecs.* attributes are set by the world", ErrConfig, k))
		}
	}
	if ok && t.RegisteredMemoryMiB(w.cfg.ReservedMemoryMiB) <= 0 {
		errs = append(errs, fmt.Errorf("%w: ReservedMemoryMiB %d leaves no memory on a %s", ErrConfig, w.cfg.ReservedMemoryMiB, t.Name))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if w.zoneOut(spec.Zone) {
		return nil, fmt.Errorf("%w: %s is out; no instance launches there until it returns", ErrZoneUnavailable, spec.Zone)
	}
	in := c.newInstance(t, spec.Zone, spec.Attributes)
	w.account.instanceLaunched(in)
	w.sim.Schedule(w.kInstanceUp, w.lat.InstanceLaunch.Sample(w.rngLaunch), uint64(in.id))
	return in, nil
}

// LaunchInstances launches n instances of one type, spread round-robin over
// zones in the order given.
func (c *Cluster) LaunchInstances(typ string, zones []string, n int) ([]*Instance, error) {
	if len(zones) == 0 {
		return nil, fmt.Errorf("%w: LaunchInstances needs at least one zone", ErrConfig)
	}
	out := make([]*Instance, 0, n)
	for i := range n {
		in, err := c.LaunchInstance(InstanceSpec{Type: typ, Zone: zones[i%len(zones)]})
		if err != nil {
			return out, err
		}
		out = append(out, in)
	}
	return out, nil
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
		placement.AttrSubnetID: "subnet-" + in.zone,
	}
	maps.Copy(attrs, in.attrs)
	in.regAt = w.now()
	pid, err := in.c.place.Register(placement.Instance{
		EC2InstanceID: in.ec2ID, InstanceType: in.typ.Name, Zone: in.zone,
		CPU: in.typ.RegisteredCPU(), MemoryMiB: in.typ.RegisteredMemoryMiB(w.cfg.ReservedMemoryMiB),
		ENIs: in.typ.TaskENIs(), ReservedPorts: defaultReservedPorts, RegisteredAt: in.regAt, Attributes: attrs,
	})
	if err != nil {
		// Catalog and spec were validated at launch; a failure here is a bug.
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
	for _, s := range c.services {
		s.rebalanceBlocked = false
	}
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
		return fmt.Errorf("%w: instance %s is %s; only an ACTIVE instance can be drained", ErrConfig, in.ec2ID, in.status)
	}
	if err := in.c.place.SetStatus(in.placeID, placement.Draining); err != nil {
		panic(err)
	}
	in.status = InstanceDraining
	in.c.activeZones = nil // the set of zones with an ACTIVE instance may change
	seen := map[*Service]bool{}
	var touched []*Service
	for _, t := range in.tasks {
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
		return fmt.Errorf("%w: instance %s is %s; only a DRAINING instance can be activated", ErrConfig, in.ec2ID, in.status)
	}
	if err := in.c.place.SetStatus(in.placeID, placement.Active); err != nil {
		panic(err)
	}
	in.status = InstanceActive
	in.c.activeZones = nil // the set of zones with an ACTIVE instance may change
	for _, t := range in.tasks {
		t.onDraining = false
	}
	in.c.capacityChanged(true)
	for _, t := range in.tasks {
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
		return fmt.Errorf("%w: instance %s is already INACTIVE", ErrConfig, in.ec2ID)
	case InstanceLaunching:
		in.status = InstanceInactive
		in.c.activeZones = nil // the set of zones with an ACTIVE instance may change
		in.c.w.account.instanceGone(in)
		return nil
	}
	if len(in.tasks) > 0 && !force {
		return fmt.Errorf("%w: instance %s still has %d tasks; drain it first or deregister with force", ErrConfig, in.ec2ID, len(in.tasks))
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
		return fmt.Errorf("%w: instance %s is already INACTIVE", ErrConfig, in.ec2ID)
	}
	if in.status == InstanceLaunching {
		in.status = InstanceInactive
		in.c.activeZones = nil // the set of zones with an ACTIVE instance may change
		in.c.w.account.instanceGone(in)
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
		return fmt.Errorf("%w: instance %s is %s; only a registered instance can be interrupted", ErrConfig, in.ec2ID, in.status)
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
	in.status = InstanceInactive
	in.c.activeZones = nil // the set of zones with an ACTIVE instance may change
	tasks := in.tasks
	in.tasks = nil
	for _, t := range tasks {
		t.released = true // the placement index forgot the instance already
		w.stop(t, stopHostLost, code, reason)
	}
	w.account.instanceGone(in)
	in.c.capacityChanged(false)
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
func (in *Instance) hasReplicaTasks() bool {
	for _, t := range in.tasks {
		if t.service != nil && t.service.cfg.SchedulingStrategy != Daemon {
			return true
		}
	}
	return false
}

// replicaLeft asks the daemon services running on a draining instance to
// look again once its last replica task has stopped: their tasks stop last.
func (in *Instance) replicaLeft() {
	if in.hasReplicaTasks() {
		return
	}
	for _, t := range in.tasks {
		if s := t.service; s != nil && s.cfg.SchedulingStrategy == Daemon && t.desired == TaskRunning {
			s.requestReconcile()
		}
	}
}

func (in *Instance) removeTask(t *Task) {
	if i := slices.Index(in.tasks, t); i >= 0 {
		in.tasks = slices.Delete(in.tasks, i, i+1)
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
	}
	w.instances = append(w.instances, in)
	c.instances = append(c.instances, in)
	return in
}

// CapacityProvider returns the Auto Scaling group provider that launched
// the instance, or nil.
func (in *Instance) CapacityProvider() *CapacityProvider { return in.provider }

func (in *Instance) spot() bool { return in.provider != nil && in.provider.cfg.Spot }

// IsSpot reports whether the instance is a Spot instance.
func (in *Instance) IsSpot() bool { return in.spot() }
