package sim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
)

// The VPC under awsvpc tasks. "Each Amazon ECS task that uses the awsvpc
// network mode receives its own elastic network interface", with a private
// address of one of the subnets of its networkConfiguration
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking-awsvpc.html).
// A Subnet (World.CreateSubnet) counts its addresses; a service or a
// RunTask call that gives a NetworkConfiguration puts its tasks only in
// the Availability Zones of its subnets, and each task holds one address,
// through an attachment on its lifecycle, from PROVISIONING (when its
// network interface is created) until DEPROVISIONING ends (when it is
// deleted). A task without a NetworkConfiguration (or not awsvpc) takes no
// address: the world then has one unbounded subnet per zone.
//
// A full subnet:
//
//   - Fargate: the task is created (RunTask succeeds) and in PROVISIONING
//     its network interface cannot be created: after the attempt
//     (Latencies.ENIAttach) it stops with stop code TaskFailedToStart and
//     ECS's text, "Unexpected EC2 error while attempting to Create Network
//     Interface with public IP assignment enabled in subnet '<id>'" with
//     assignPublicIp ENABLED
//     (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/failed-to-start-error.html),
//     or "Unexpected EC2 error while attempting to Create Network Interface
//     in subnet '<id>': InsufficientFreeAddressesInSubnet" without, the
//     form seen in production reports. The service counts the failure
//     (launch throttle, circuit breaker) and launches again.
//   - EC2: placement keeps only container instances in a zone of the
//     subnets (RunTask's LOCATION failure,
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html)
//     where one of them has a free address, so the task is not placed;
//     the service records "was unable to place a task" naming the closest
//     instance and the subnet, and waits until addresses or instances
//     free up. AWS documents no EC2 text for this; the wording is the
//     Fargate one.
//
// Which subnet of a zone a task's interface goes to is not documented:
// here the one with the most free addresses (the first given on a tie).
//
// Things other than tasks take addresses too (container instances'
// primary and trunk ENIs, load balancer nodes, NAT gateways, EFS mount
// targets, interface endpoints): SubnetConfig.ReservedAddresses holds
// them back.

// ReservedSubnetAddresses is how many addresses AWS reserves in every
// subnet: the first four and the last
// (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html).
const ReservedSubnetAddresses = 5

// Subnet sizes AWS allows: a /16 to a /28
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSubnet.html).
const (
	MinSubnetPrefix = 16
	MaxSubnetPrefix = 28
)

// Limits of an awsvpcConfiguration
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html).
const (
	MaxAWSVPCSubnets        = 16
	MaxAWSVPCSecurityGroups = 5
)

// AttrAWSVPCTrunkID is the attribute ECS sets on a container instance with
// a trunk ENI (awsvpcTrunking on).
const AttrAWSVPCTrunkID = "ecs.awsvpc-trunk-id"

// UsableAddresses is how many addresses a subnet of CIDR prefix length
// prefix has for network interfaces: 2^(32−prefix) − 5. A /24 has 251, a
// /28 has 11.
func UsableAddresses(prefix int) int {
	return 1<<(32-prefix) - ReservedSubnetAddresses
}

// SubnetConfig describes a subnet, with the EC2 API's field names.
type SubnetConfig struct {
	// SubnetId names the subnet, e.g. "subnet-0a1b2c3d"; required,
	// unique in the world, at most 255 characters.
	SubnetId string
	// AvailabilityZone is the subnet's zone, e.g. "us-east-1a"; required.
	AvailabilityZone string
	// CidrBlock is the subnet's IPv4 range, e.g. "10.0.1.0/24": a /16 to
	// a /28.
	CidrBlock string
	// Public says the subnet's route table sends 0.0.0.0/0 to an internet
	// gateway. It is reported, not acted on: the world does not model
	// image pulls over the network.
	Public bool
	// ReservedAddresses are addresses taken by things other than tasks
	// (instances, load balancer nodes, NAT gateways, endpoints): 0 to the
	// usable count.
	ReservedAddresses int
}

// Subnet is a subnet of the world's VPC: its addresses and who holds them.
type Subnet struct {
	cfg    SubnetConfig
	usable int // usable addresses less the reserved ones
	inUse  int // held by tasks' network interfaces
	peak   int // the most ever in use
	failed int // network interfaces that found no free address
}

// ID returns the subnet's ID.
func (s *Subnet) ID() string { return s.cfg.SubnetId }

// Zone returns the subnet's Availability Zone.
func (s *Subnet) Zone() string { return s.cfg.AvailabilityZone }

// Public reports whether the subnet routes to an internet gateway.
func (s *Subnet) Public() bool { return s.cfg.Public }

// Config returns the subnet's configuration.
func (s *Subnet) Config() SubnetConfig { return s.cfg }

// Capacity is how many task network interfaces the subnet can hold: its
// usable addresses less SubnetConfig.ReservedAddresses.
func (s *Subnet) Capacity() int { return s.usable }

// InUse is how many addresses tasks hold now.
func (s *Subnet) InUse() int { return s.inUse }

// Free is how many addresses are free for tasks.
func (s *Subnet) Free() int { return s.usable - s.inUse }

// PeakInUse is the most addresses tasks have held at once.
func (s *Subnet) PeakInUse() int { return s.peak }

// Exhaustions counts network interfaces that found the subnet full.
func (s *Subnet) Exhaustions() int { return s.failed }

// vpcState is the world's subnets and its awsvpcTrunking setting.
type vpcState struct {
	trunking bool
	subnets  []*Subnet
	byID     map[string]*Subnet // lookup only
	rng      *rand.Rand         // the "vpc" stream, made on first use
}

// CreateSubnet adds a subnet to the world's VPC. Every problem with cfg
// is reported at once (ErrConfig).
func (w *World) CreateSubnet(cfg SubnetConfig) (*Subnet, error) {
	const at = "SubnetConfig."
	l := fielderr.NewList(ErrConfig)
	switch {
	case cfg.SubnetId == "":
		l.Add(at+"SubnetId", cfg.SubnetId, "is required, e.g. subnet-0a1b2c3d")
	case len(cfg.SubnetId) > 255:
		l.Add(at+"SubnetId", cfg.SubnetId, "must have at most 255 characters")
	case w.vpc.byID[cfg.SubnetId] != nil:
		l.Add(at+"SubnetId", cfg.SubnetId, "names a subnet of the world already")
	}
	if cfg.AvailabilityZone == "" {
		l.Add(at+"AvailabilityZone", cfg.AvailabilityZone, "is required, e.g. us-east-1a")
	} else if rule := zoneRule(cfg.AvailabilityZone); rule != "" {
		l.Add(at+"AvailabilityZone", cfg.AvailabilityZone, rule)
	}
	usable := 0
	p, err := netip.ParsePrefix(cfg.CidrBlock)
	switch {
	case err != nil || !p.Addr().Is4():
		l.Add(at+"CidrBlock", cfg.CidrBlock, "must be an IPv4 CIDR block, e.g. 10.0.1.0/24")
	case p.Bits() < MinSubnetPrefix || p.Bits() > MaxSubnetPrefix:
		l.Addf(at+"CidrBlock", cfg.CidrBlock, "must be a /%d to a /%d", MinSubnetPrefix, MaxSubnetPrefix)
	case p.Masked() != p:
		l.Addf(at+"CidrBlock", cfg.CidrBlock, "must name its network address (%s)", p.Masked())
	default:
		usable = UsableAddresses(p.Bits())
	}
	if cfg.ReservedAddresses < 0 || usable > 0 && cfg.ReservedAddresses > usable {
		l.Addf(at+"ReservedAddresses", cfg.ReservedAddresses, "must be 0 to the subnet's %d usable addresses", usable)
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	s := &Subnet{cfg: cfg, usable: usable - cfg.ReservedAddresses}
	if w.vpc.byID == nil {
		w.vpc.byID = map[string]*Subnet{}
	}
	w.vpc.byID[cfg.SubnetId] = s
	w.vpc.subnets = append(w.vpc.subnets, s)
	return s, nil
}

// Subnet returns the subnet called id, or nil.
func (w *World) Subnet(id string) *Subnet { return w.vpc.byID[id] }

// Subnets returns the world's subnets in the order they were created.
func (w *World) Subnets() []*Subnet { return slices.Clone(w.vpc.subnets) }

// SetAWSVPCTrunking turns the account setting awsvpcTrunking on or off.
// Only container instances launched afterwards follow it, as in AWS:
// "Only Amazon EC2 instances launched after opting in will receive" a
// trunk ENI
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-eni.html).
func (w *World) SetAWSVPCTrunking(on bool) { w.vpc.trunking = on }

// AWSVPCTrunking reports the account setting awsvpcTrunking.
func (w *World) AWSVPCTrunking() bool { return w.vpc.trunking }

// Trunked reports whether the instance has a trunk ENI: it was launched
// with awsvpcTrunking on and its type supports trunking.
func (in *Instance) Trunked() bool { return in.trunk }

// AssignPublicIP is an awsvpcConfiguration's assignPublicIp.
type AssignPublicIP string

// The assignPublicIp values; empty means DISABLED, AWS's default.
const (
	AssignPublicIPEnabled  AssignPublicIP = "ENABLED"
	AssignPublicIPDisabled AssignPublicIP = "DISABLED"
)

// NetworkConfiguration is a service's or a RunTask call's
// networkConfiguration.
type NetworkConfiguration struct {
	// AwsvpcConfiguration is required.
	AwsvpcConfiguration *AwsVpcConfiguration
}

// AwsVpcConfiguration says where awsvpc tasks' network interfaces go
// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html).
type AwsVpcConfiguration struct {
	// Subnets are 1 to 16 IDs of the world's subnets (World.CreateSubnet);
	// tasks go only to their Availability Zones.
	Subnets []string
	// SecurityGroups are at most 5 security group names; they are
	// recorded, not enforced.
	SecurityGroups []string
	// AssignPublicIp is ENABLED or DISABLED (empty means DISABLED);
	// ENABLED only on Fargate.
	AssignPublicIp AssignPublicIP
}

// vpcConfig is a validated NetworkConfiguration: its subnets and zones.
type vpcConfig struct {
	w        *World
	subnets  []*Subnet
	zones    []string // the subnets' zones, distinct, in the order given
	publicIP bool
	groups   []string
	filter   placement.Constraint // EC2: a zone of the subnets with a free address
}

// checkNetwork validates nc (the field field) for tasks of def launched
// by ls, adds the problems to l and returns the configuration; nil for a
// nil nc or an invalid one. AWS requires a networkConfiguration for
// awsvpc tasks; here it is optional, and without one awsvpc tasks take no
// address.
func (w *World) checkNetwork(l *fielderr.List, field string, nc *NetworkConfiguration, def *TaskDefinition, ls *launchSpec) *vpcConfig {
	if nc == nil {
		return nil
	}
	before := l.Len()
	if def != nil && def.in.NetworkMode != AWSVPC {
		// ECS: "Network Configuration is not valid for the given
		// networkMode of this task definition."
		l.Add(field, string(def.in.NetworkMode), "is not valid for the given networkMode of this task definition: only awsvpc tasks take a network configuration")
	}
	a := nc.AwsvpcConfiguration
	if a == nil {
		l.Add(field+".AwsvpcConfiguration", nil, "is required")
		return nil
	}
	at := field + ".AwsvpcConfiguration."
	v := &vpcConfig{w: w}
	if n := len(a.Subnets); n == 0 || n > MaxAWSVPCSubnets {
		l.Addf(at+"Subnets", n, "must name 1 to %d subnets", MaxAWSVPCSubnets)
	}
	for i, id := range a.Subnets {
		f := fmt.Sprintf("%sSubnets[%d]", at, i)
		s := w.vpc.byID[id]
		switch {
		case s == nil:
			l.Join(fielderr.New(ErrNotFound, f, id, "names no subnet of the world (World.CreateSubnet)"))
		case slices.Contains(v.subnets, s):
			l.Add(f, id, "repeats an earlier subnet")
		default:
			v.subnets = append(v.subnets, s)
			if !slices.Contains(v.zones, s.Zone()) {
				v.zones = append(v.zones, s.Zone())
			}
		}
	}
	if n := len(a.SecurityGroups); n > MaxAWSVPCSecurityGroups {
		l.Addf(at+"SecurityGroups", n, "must name at most %d security groups", MaxAWSVPCSecurityGroups)
	}
	for i, g := range a.SecurityGroups {
		if g == "" || len(g) > 255 {
			l.Add(fmt.Sprintf("%sSecurityGroups[%d]", at, i), g, "must be 1 to 255 characters")
		}
	}
	switch a.AssignPublicIp {
	case "", AssignPublicIPDisabled:
	case AssignPublicIPEnabled:
		if ls != nil && !ls.fargate() {
			// ECS: "Assign public IP is not supported for this launch
			// type."; awsvpc tasks on instances get no public address.
			l.Add(at+"AssignPublicIp", string(a.AssignPublicIp), "is not supported for this launch type: ENABLED is for Fargate only")
		}
		v.publicIP = true
	default:
		l.Add(at+"AssignPublicIp", string(a.AssignPublicIp), "must be ENABLED or DISABLED")
	}
	if l.Len() > before {
		return nil
	}
	v.groups = slices.Clone(a.SecurityGroups)
	v.filter = placement.Constraint{Type: placement.CustomFilter, Filter: &subnetFilter{v}}
	return v
}

// withFilter returns constraints with v's subnet filter added, for the
// plan of EC2 tasks; v may be nil.
func (v *vpcConfig) withFilter(constraints []placement.Constraint) []placement.Constraint {
	if v == nil {
		return constraints
	}
	return append(constraints, v.filter)
}

// launchZones returns the zones v's tasks may launch in now: its subnets'
// zones less those out (World.ScheduleZoneOutage).
func (v *vpcConfig) launchZones() []string {
	if len(v.w.zonesOut) == 0 || !slices.ContainsFunc(v.zones, v.w.zoneOut) {
		return v.zones
	}
	return slices.DeleteFunc(slices.Clone(v.zones), v.w.zoneOut)
}

// pick returns the subnet of zone with the most free addresses (the
// first given on a tie), and the first subnet of zone when all are full;
// nil when v has no subnet there.
func (v *vpcConfig) pick(zone string) *Subnet {
	var best *Subnet
	for _, s := range v.subnets {
		if s.Zone() == zone && (best == nil || s.Free() > best.Free()) {
			best = s
		}
	}
	return best
}

// eniFailure is the stopped reason of a task whose network interface
// found subnet s full.
func (v *vpcConfig) eniFailure(s *Subnet) string {
	if v.publicIP {
		return "Unexpected EC2 error while attempting to Create Network Interface with public IP assignment enabled in subnet '" + s.ID() + "'"
	}
	return "Unexpected EC2 error while attempting to Create Network Interface in subnet '" + s.ID() + "': InsufficientFreeAddressesInSubnet"
}

// subnetFilter keeps the container instances in a zone where one of the
// configuration's subnets has a free address.
type subnetFilter struct{ v *vpcConfig }

// subnetFilterText is how a rejection names the subnet filter.
const subnetFilterText = "custom(*sim.subnetFilter)"

func (f *subnetFilter) Keep(_ placement.Task, c placement.Candidate) bool {
	zone, _ := c.Attribute(placement.AttrAvailabilityZone)
	s := f.v.pick(zone)
	return s != nil && s.Free() > 0
}

// rejection words a placement rejection by the subnet filter: the closest
// instance's zone has none of the subnets (LOCATION) or only full ones.
// It returns RunTask's failure code and the reason of the service event.
func (v *vpcConfig) rejection(c *Cluster, r *placement.Rejection) (code, why string) {
	zone := ""
	if r.Closest != placement.NoInstance && int(r.Closest) < len(c.byPlaceID) && c.byPlaceID[r.Closest] != nil {
		zone = c.byPlaceID[r.Closest].zone
	}
	s := v.pick(zone)
	if s == nil {
		return "LOCATION", fmt.Sprintf("encountered error \"LOCATION\": its Availability Zone %s has none of the task's subnets.", zone)
	}
	return "InsufficientFreeAddressesInSubnet", fmt.Sprintf("encountered error \"%s\".", v.eniFailure(s))
}

// unplaceable is the service event of a rejection by the subnet filter.
func (v *vpcConfig) unplaceable(c *Cluster, r *placement.Rejection) string {
	_, why := v.rejection(c, r)
	id := r.ClosestEC2InstanceID
	if r.Closest != placement.NoInstance && int(r.Closest) < len(c.byPlaceID) && c.byPlaceID[r.Closest] != nil {
		id = c.byPlaceID[r.Closest].arnID
	}
	return fmt.Sprintf("was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance %s) %s For more information, see the Troubleshooting section.", id, why)
}

// eniAttachment is a task's network interface in a subnet: it takes an
// address when the task is placed (PROVISIONING begins) and gives it back
// when the task is STOPPED (DEPROVISIONING is over).
type eniAttachment struct {
	v      *vpcConfig
	subnet *Subnet // the subnet whose address the task holds, or nil
}

func (a *eniAttachment) OnTask(e TaskEvent) Verdict {
	switch e.Point {
	case LifecyclePlaced:
		t := e.Task
		s := a.v.pick(t.Zone())
		if s == nil {
			return Verdict{Fail: fmt.Sprintf("Unexpected EC2 error while attempting to Create Network Interface: no subnet of the task's awsvpcConfiguration is in Availability Zone %s", t.Zone())}
		}
		if s.Free() <= 0 {
			s.failed++
			w := t.w
			// The attempt to create the interface takes as long as an
			// attachment would; the task stays in PROVISIONING meanwhile.
			return Verdict{Fail: a.v.eniFailure(s), Hold: w.lat.ENIAttach.Sample(w.vpcRand())}
		}
		s.inUse++
		s.peak = max(s.peak, s.inUse)
		a.subnet = s
	case LifecycleStopped:
		if s := a.subnet; s != nil {
			a.subnet = nil
			s.inUse--
			if s.inUse == s.usable-1 {
				a.v.w.addressFreed(e.Task.cluster())
			}
		}
	}
	return Verdict{}
}

// vpcRand is the "vpc" stream, made on first use so that worlds without
// subnets draw nothing from it.
func (w *World) vpcRand() *rand.Rand {
	if w.vpc.rng == nil {
		w.vpc.rng = w.sim.Rand("vpc")
	}
	return w.vpc.rng
}

// addressFreed wakes the services of other clusters than own that wait
// for capacity: a full subnet has an address again (own's wake when the
// task's STOPPED frees its capacity).
func (w *World) addressFreed(own *Cluster) {
	for _, c := range w.clusters {
		if c == own {
			continue
		}
		for _, s := range c.waiting {
			s.waiting = false
			s.requestReconcile()
		}
		c.waiting = c.waiting[:0]
	}
}

// Subnet returns the ID of the subnet whose address the task's network
// interface holds, or "" (not awsvpc, no NetworkConfiguration, not yet
// placed, or already STOPPED).
func (t *Task) Subnet() string {
	for _, x := range t.attachments() {
		if a, ok := x.a.(*eniAttachment); ok && a.subnet != nil {
			return a.subnet.ID()
		}
	}
	return ""
}

// launchZones returns the zones the service's Fargate tasks may launch in
// now: its subnets' zones, or its cluster's.
func (s *Service) launchZones() []string {
	if s.net != nil {
		return s.net.launchZones()
	}
	return s.c.launchZones()
}
