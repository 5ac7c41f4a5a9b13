package loadbalancer

import (
	"errors"
	"fmt"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Sentinel errors. Every error this package returns matches one of them with
// errors.Is.
var (
	// ErrInvalidConfig reports a Config that breaks one of ELB's rules.
	ErrInvalidConfig = errors.New("loadbalancer: invalid config")
	// ErrInvalidTarget reports a target ID that is negative or too large.
	ErrInvalidTarget = errors.New("loadbalancer: invalid target")
	// ErrAlreadyRegistered reports a Register of a target that is still
	// registered or draining.
	ErrAlreadyRegistered = errors.New("loadbalancer: target already registered")
	// ErrNotRegistered reports a Deregister or SetResponse of a target that
	// is not registered.
	ErrNotRegistered = errors.New("loadbalancer: target not registered")
)

// MaxNodes is the largest Config.Nodes: a regional ALB has a node in each
// of at most a few dozen zones, scaled out a few times.
const MaxNodes = 256

// MaxTargetID is the largest target ID a group accepts. IDs index dense
// slices, so an absurd ID is refused rather than allocated.
const MaxTargetID = 1<<24 - 1

// Type is the kind of load balancer a target group belongs to.
type Type int

const (
	// ALB is an Application Load Balancer: layer 7, routes each request.
	ALB Type = iota
	// NLB is a Network Load Balancer: layer 4, routes each flow by hash.
	NLB
	// CLB is a Classic Load Balancer with its registered instances: each
	// node routes requests round robin on a TCP or SSL listener and by
	// least outstanding requests on an HTTP or HTTPS listener
	// (https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html).
	// Its defaults differ from a target group's (DefaultConfig).
	CLB
)

// String returns "alb", "nlb" or "clb".
func (t Type) String() string {
	switch t {
	case ALB:
		return "alb"
	case NLB:
		return "nlb"
	case CLB:
		return "clb"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Algorithm is a target group's routing algorithm
// (load_balancing.algorithm.type for an ALB).
type Algorithm int

const (
	// AlgorithmDefault is round_robin for an ALB and flow hash for an NLB.
	AlgorithmDefault Algorithm = iota
	// RoundRobin sends requests to the routable targets in turn
	// (ALB round_robin, the ALB default).
	RoundRobin
	// LeastOutstandingRequests sends each request to a routable target with
	// the fewest requests in flight (ALB least_outstanding_requests).
	LeastOutstandingRequests
	// WeightedRandom sends each request to a routable target chosen at
	// random (ALB weighted_random). Without Automatic Target Weights'
	// anomaly mitigation, which this package does not model, every weight is
	// equal and the choice is uniform, as the ALB guide documents.
	WeightedRandom
	// FlowHash maps each flow key to a target (the NLB algorithm).
	FlowHash
)

// String returns the AWS attribute value (round_robin,
// least_outstanding_requests, weighted_random) or "flow_hash".
func (a Algorithm) String() string {
	switch a {
	case AlgorithmDefault:
		return "default"
	case RoundRobin:
		return "round_robin"
	case LeastOutstandingRequests:
		return "least_outstanding_requests"
	case WeightedRandom:
		return "weighted_random"
	case FlowHash:
		return "flow_hash"
	}
	return fmt.Sprintf("Algorithm(%d)", int(a))
}

// CrossZone is the target group's load_balancing.cross_zone.enabled setting.
type CrossZone int

const (
	// CrossZoneDefault uses the load balancer's setting: always on for an
	// ALB, off by default for an NLB.
	CrossZoneDefault CrossZone = iota
	// CrossZoneOn lets every load balancer node route to targets in every
	// zone.
	CrossZoneOn
	// CrossZoneOff keeps each load balancer node to the targets in its own
	// zone.
	CrossZoneOff
)

// HealthCheck holds a target group's health check settings. A zero field
// takes the API default for the group's Type (see DefaultConfig).
type HealthCheck struct {
	// Interval is HealthCheckIntervalSeconds: the time between the starts of
	// two checks of one target. Whole seconds, 5–300 s; zero means 30 s.
	Interval time.Duration
	// Timeout is HealthCheckTimeoutSeconds: a check without a response
	// after Timeout fails. Whole seconds, 2–120 s (2–60 s for a CLB), less
	// than Interval; zero means 5 s for an ALB and a CLB and 10 s for an
	// NLB.
	Timeout time.Duration
	// HealthyThreshold is HealthyThresholdCount: consecutive passing checks
	// that bring an unhealthy target back to healthy. 2–10; zero means 5
	// (10 for a CLB).
	HealthyThreshold int
	// UnhealthyThreshold is UnhealthyThresholdCount: consecutive failing
	// checks that make an initial or healthy target unhealthy. 2–10; zero
	// means 2.
	UnhealthyThreshold int
	// InitialHealthyThreshold is the number of consecutive passing checks a
	// newly registered target needs to leave the initial state. 1–10; zero
	// means HealthyThreshold, the model of the ECS best-practices guide
	// (30 s × 5 = 150 s with the defaults). Set 1 to follow the current ELB
	// user guide, which says a new target receives traffic after its first
	// passing check "irrespective of the configured threshold".
	InitialHealthyThreshold int
}

// NoDeregistrationDelay asks for AWS's deregistration_delay of 0 s; a zero
// Config.DeregistrationDelay means the 300 s default instead.
const NoDeregistrationDelay time.Duration = -1

// Config describes one target group. The zero Config is a valid ALB target
// group with the AWS API defaults.
type Config struct {
	// Type is ALB (zero), NLB or CLB.
	Type Type
	// Algorithm is the routing algorithm; zero means round_robin for an
	// ALB, FlowHash for an NLB and LeastOutstandingRequests for a CLB (its
	// HTTP or HTTPS listener; RoundRobin is its TCP or SSL listener). An
	// NLB accepts only FlowHash, a CLB only those two.
	Algorithm Algorithm
	// HealthCheck holds the health check settings; zero fields take the API
	// defaults.
	HealthCheck HealthCheck
	// DeregistrationDelay is deregistration_delay.timeout_seconds (a CLB's
	// connection draining timeout): how long a deregistered target stays
	// draining. Whole seconds, 0–3600 s; zero means the 300 s default and
	// NoDeregistrationDelay means 0 s (a CLB without connection draining).
	DeregistrationDelay time.Duration
	// SlowStart is slow_start.duration_seconds: the window over which a
	// newly healthy target's weight rises linearly to a full share. Whole
	// seconds, 30–900 s; zero disables slow start (the default). ALB with
	// round_robin only: AWS refuses slow start with least outstanding
	// requests and weighted random, and NLBs have no slow start.
	SlowStart time.Duration
	// CrossZone is the cross-zone setting; zero uses the load balancer
	// default (ALB on, NLB off, CLB off as the API and CLI create it).
	CrossZone CrossZone
	// MinimumHealthyTargets is
	// target_group_health.unhealthy_state_routing.minimum_healthy_targets.count:
	// when fewer targets than this are healthy in a routing scope, the scope
	// fails open to every registered target. At least 1; zero means 1.
	MinimumHealthyTargets int
	// Nodes is the number of load-balancer nodes an ALB's requests enter
	// through, each request entering one chosen uniformly at random (DNS
	// hands the nodes' addresses to the clients). Zero means one node per
	// Availability Zone of the group's registered targets: ELB creates a
	// node in each zone enabled for the load balancer, and a target in a
	// zone that is not enabled receives no traffic
	// (https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html).
	// ELB also adds nodes as traffic grows; how many, it does not say. With
	// cross-zone off each zone's node routes within its zone, and Nodes is
	// not used. From 0 to MaxNodes.
	Nodes int
	// SharedRoundRobin makes round robin keep one cursor for the whole
	// group instead of one per node. The same page says the node that
	// receives a request selects the target with the target group's routing
	// algorithm, so the default is a cursor per node; AWS does not say
	// whether nodes share round-robin state. With several independent
	// cursors a target no longer sees every N-th request, and waits grow
	// (three cursors: about 6 % at four FCFS targets, ρ = 0.8).
	SharedRoundRobin bool
	// Router, if set, routes an ALB's requests instead of Algorithm (which
	// must then be left zero, and slow start off): a policy of the caller's
	// own, such as join the shortest queue or power of two choices. Nil
	// means Algorithm. ELB has no such setting; it is this package's
	// extension point.
	Router Router
}

// DefaultConfig returns the AWS API defaults for a target group of type t
// (CreateTargetGroup and the target group attributes reference): interval
// 30 s, healthy threshold 5, unhealthy threshold 2, timeout 5 s for an ALB
// (the ALB guide's figure; the current API text says 6 s for HTTP) and 10 s
// for an NLB (TCP), deregistration delay 300 s, slow start off, cross-zone
// on for an ALB and off for an NLB, minimum healthy targets 1.
//
// These are API defaults. Tools differ: Terraform's aws_lb_target_group, for
// example, defaults the healthy threshold to 3, so a target group created
// with it takes 90 s, not 150 s, to turn a target healthy.
//
// A CLB's defaults are those of the CreateLoadBalancer API and its
// ConfigureHealthCheck and connection draining references: interval 30 s,
// timeout 5 s, healthy threshold 10, unhealthy threshold 2
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html),
// connection draining 300 s
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-conn-drain.html),
// cross-zone off
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-disable-crosszone-lb.html),
// least outstanding requests (an HTTP listener). A new instance is
// InService after 10 × 30 s = 300 s, an unhealthy one OutOfService after
// 2 × 30 s = 60 s.
func DefaultConfig(t Type) Config {
	c := Config{Type: t}
	return c.withDefaults()
}

// withDefaults returns c with every zero field replaced by its default.
func (c Config) withDefaults() Config {
	if c.Algorithm == AlgorithmDefault {
		switch c.Type {
		case NLB:
			c.Algorithm = FlowHash
		case CLB:
			c.Algorithm = LeastOutstandingRequests
		default:
			c.Algorithm = RoundRobin
		}
	}
	h := &c.HealthCheck
	if h.Interval == 0 {
		h.Interval = 30 * time.Second
	}
	if h.Timeout == 0 {
		h.Timeout = 5 * time.Second
		if c.Type == NLB {
			h.Timeout = 10 * time.Second
		}
	}
	if h.HealthyThreshold == 0 {
		h.HealthyThreshold = 5
		if c.Type == CLB {
			h.HealthyThreshold = 10
		}
	}
	if h.UnhealthyThreshold == 0 {
		h.UnhealthyThreshold = 2
	}
	if h.InitialHealthyThreshold == 0 {
		h.InitialHealthyThreshold = h.HealthyThreshold
	}
	switch c.DeregistrationDelay {
	case 0:
		c.DeregistrationDelay = 300 * time.Second
	case NoDeregistrationDelay:
		c.DeregistrationDelay = 0
	}
	if c.CrossZone == CrossZoneDefault {
		c.CrossZone = CrossZoneOn
		if c.Type == NLB || c.Type == CLB {
			c.CrossZone = CrossZoneOff
		}
	}
	if c.MinimumHealthyTargets == 0 {
		c.MinimumHealthyTargets = 1
	}
	return c
}

// Validate reports every rule c breaks, joined with errors.Join; each error
// matches ErrInvalidConfig and names the field, the value and the rule. Zero
// fields are valid: they take their defaults.
func (c Config) Validate() error {
	d := c.withDefaults()
	l := fielderr.NewList(ErrInvalidConfig)
	bad := l.Add
	seconds := func(field string, v, lo, hi time.Duration) {
		if v < lo || v > hi || v%time.Second != 0 {
			bad(field, v, fmt.Sprintf("must be a whole number of seconds from %v to %v", lo, hi))
		}
	}
	if c.Type != ALB && c.Type != NLB && c.Type != CLB {
		bad("Type", c.Type, "must be ALB, NLB or CLB")
	}
	switch {
	case c.Algorithm < AlgorithmDefault || c.Algorithm > FlowHash:
		bad("Algorithm", c.Algorithm, "is not a known algorithm")
	case c.Type == CLB && d.Algorithm != RoundRobin && d.Algorithm != LeastOutstandingRequests:
		bad("Algorithm", c.Algorithm, "a CLB routes round_robin (a TCP or SSL listener) or least_outstanding_requests (an HTTP or HTTPS listener)")
	case c.Type == NLB && d.Algorithm != FlowHash:
		bad("Algorithm", c.Algorithm, "an NLB routes by flow hash only")
	case c.Type == ALB && d.Algorithm == FlowHash:
		bad("Algorithm", c.Algorithm, "flow hash is the NLB algorithm; an ALB uses round_robin, least_outstanding_requests or weighted_random")
	}
	if c.Router != nil {
		switch {
		case c.Type != ALB:
			bad("Router", fielderr.Omit, "only an ALB takes a Router; an NLB routes by flow hash")
		case c.Algorithm != AlgorithmDefault:
			bad("Router", fielderr.Omit, fmt.Sprintf("the Router replaces Algorithm; leave Algorithm zero, not %v", c.Algorithm))
		case c.SlowStart != 0:
			bad("Router", fielderr.Omit, "slow start shapes round_robin only; turn it off to route with a Router")
		}
	}
	h := d.HealthCheck
	seconds("HealthCheck.Interval", h.Interval, 5*time.Second, 300*time.Second)
	if c.Type == CLB {
		seconds("HealthCheck.Timeout", h.Timeout, 2*time.Second, 60*time.Second)
	} else {
		seconds("HealthCheck.Timeout", h.Timeout, 2*time.Second, 120*time.Second)
	}
	if h.Timeout >= h.Interval {
		bad("HealthCheck.Timeout", h.Timeout, fmt.Sprintf("must be less than HealthCheck.Interval (%v)", h.Interval))
	}
	if h.HealthyThreshold < 2 || h.HealthyThreshold > 10 {
		bad("HealthCheck.HealthyThreshold", h.HealthyThreshold, "must be from 2 to 10")
	}
	if h.UnhealthyThreshold < 2 || h.UnhealthyThreshold > 10 {
		bad("HealthCheck.UnhealthyThreshold", h.UnhealthyThreshold, "must be from 2 to 10")
	}
	if h.InitialHealthyThreshold < 1 || h.InitialHealthyThreshold > 10 {
		bad("HealthCheck.InitialHealthyThreshold", h.InitialHealthyThreshold, "must be from 1 to 10 (zero means HealthyThreshold)")
	}
	if c.DeregistrationDelay != NoDeregistrationDelay {
		seconds("DeregistrationDelay", d.DeregistrationDelay, 0, 3600*time.Second)
	}
	if c.SlowStart != 0 {
		seconds("SlowStart", c.SlowStart, 30*time.Second, 900*time.Second)
		switch {
		case c.Type == NLB:
			bad("SlowStart", c.SlowStart, "an NLB has no slow start")
		case c.Type == CLB:
			bad("SlowStart", c.SlowStart, "a CLB has no slow start")
		case d.Algorithm != RoundRobin:
			bad("SlowStart", c.SlowStart, fmt.Sprintf("AWS refuses slow start with %v; use round_robin", d.Algorithm))
		}
	}
	if c.CrossZone < CrossZoneDefault || c.CrossZone > CrossZoneOff {
		bad("CrossZone", c.CrossZone, "must be CrossZoneDefault, CrossZoneOn or CrossZoneOff")
	}
	if c.Nodes < 0 || c.Nodes > MaxNodes {
		bad("Nodes", c.Nodes, fmt.Sprintf("must be from 0 (one per zone) to %d", MaxNodes))
	}
	if c.MinimumHealthyTargets < 0 {
		bad("MinimumHealthyTargets", c.MinimumHealthyTargets, "must be at least 1 (zero means 1)")
	}
	return l.Err()
}
