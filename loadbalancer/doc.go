// Package loadbalancer models Elastic Load Balancing target groups: ALB and
// NLB routing, target health, slow start and deregistration, and a Classic
// Load Balancer's registered instances (Type CLB: the same routing and
// health machinery with the classic defaults and rules). It is a pure
// leaf: it keeps no clock (every time-dependent method takes now and says
// when it next needs waking), draws randomness only from a *rand.Rand the
// caller passes, and imports nothing else from the module.
//
// # Time
//
// ecssim has one rule for how a package takes time. The top-level
// packages (metrics, autoscale, loadbalancer, placement) model AWS
// services that are usable without a simulation, and speak calendar time:
// instants are time.Time, as CloudWatch timestamps and cron schedules are.
// The sub-packages of sim (traffic, capacity) are the engine's model parts
// and speak the engine's clock, a time.Duration since the simulation's
// virtual zero. So every instant here (now, Transition.At,
// TargetInfo.SlowStartUntil, the wake-ups Advance returns) is a time.Time,
// and lengths (HealthCheck.Interval, DeregistrationDelay, SlowStart,
// Target.FirstCheckAfter) are time.Duration.
//
// # Text forms
//
// Type, Algorithm, CrossZone, State, Reason and Response implement
// encoding.TextMarshaler and encoding.TextUnmarshaler with the AWS
// spellings where AWS has one: "alb" and "nlb" (also read as the ELB API's
// "application" and "network"), the load_balancing.algorithm.type values
// round_robin, least_outstanding_requests and weighted_random (and
// flow_hash), the cross-zone values true, false and
// use_load_balancer_configuration, the DescribeTargetHealth states and
// reason codes.
//
// # Using a target group
//
// A TargetGroup is built from a Config (the zero Config is an ALB target
// group with the AWS API defaults). Targets are identified by dense,
// caller-chosen integer IDs, each in an availability zone. A simulation hub
// drives it like this:
//
//   - Register(now, Target{ID, Zone}) when the task is RUNNING; the target
//     is initial until it passes its health checks.
//   - SetResponse(now, id, Pass | Refuse | NoResponse) whenever the task's
//     ability to answer changes (starting, overloaded, hung, stopped). The
//     group sends the checks itself at their scheduled instants and decides
//     each outcome from this setting, so the hub never schedules checks. A
//     healthy target that answers Pass needs no wake-ups at all: its checks
//     would change nothing, so the group skips them until SetResponse
//     changes the answer (the same transitions at the same instants as
//     running every check, held to a model that does so by
//     TestHealthMatchesEveryCheckModel).
//   - Advance(now, buf) at the instant it last returned (or NextWake): it
//     runs the due checks, applies timeouts and ends deregistration delays,
//     appends every state change to buf and returns the next wake-up.
//   - Per request: Route(now, rng) on an ALB or RouteFlow(now, flowKey) on
//     an NLB, then Begin(id); End(now, id) when the response is complete.
//   - Deregister(now, id) on stop. Deregistration completes when nothing is
//     in flight (Deregister or End returns true) or when the delay elapses
//     (Advance reports draining → unused), whichever is first; the hub sends
//     SIGTERM then.
//
// # Target states
//
// States and reason codes follow DescribeTargetHealth:
//
//	unused     ──Register──────────────────────────► initial
//	initial    ──InitialHealthyThreshold passes────► healthy
//	initial    ──UnhealthyThreshold failures───────► unhealthy
//	healthy    ──UnhealthyThreshold failures───────► unhealthy
//	unhealthy  ──HealthyThreshold passes───────────► healthy
//	registered ──Deregister────────────────────────► draining
//	draining   ──DeregistrationDelay elapses───────► unused
//
// Counts are of consecutive checks. Checks of one target start every
// Interval after the first (one Interval after registration unless
// Target.FirstCheckAfter says otherwise); Pass and Refuse decide a check when
// it is sent, NoResponse fails it Timeout later. Draining and unused targets
// are not checked.
//
// Time to healthy. With InitialHealthyThreshold defaulting to
// HealthyThreshold, a new target answering from the start is healthy after
//
//	FirstCheckAfter + (InitialHealthyThreshold − 1) · Interval
//
// which is 30 s × 5 = 150 s with the defaults and 5 s × 2 = 10 s tuned, the
// figures of the ECS best-practices guide
// (https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/load-balancer-healthcheck.html). The current
// ELB user guide says instead that a new target receives traffic after its
// first passing check "irrespective of the configured threshold"; set
// InitialHealthyThreshold to 1 for that reading. A healthy target that stops
// answering turns unhealthy (UnhealthyThreshold − 1) · Interval + Timeout
// after its first failing check is sent (Timeout replaced by 0 for Refuse).
//
// # Defaults
//
// DefaultConfig and zero fields give the AWS API defaults (CreateTargetGroup
// and the target group attributes): interval 30 s, healthy threshold 5,
// unhealthy threshold 2, timeout 5 s for an ALB (the ALB guide; the current
// API text says 6 s for HTTP) and 10 s for an NLB, deregistration delay
// 300 s, slow start off, round_robin, cross-zone on for an ALB and off for
// an NLB, unhealthy-state routing minimum of 1 healthy target. These are API
// defaults, not those of every tool: Terraform's aws_lb_target_group, for
// example, defaults the healthy threshold to 3.
//
// # Routing
//
// Routable targets. A routing scope (the whole group with cross-zone on,
// each zone with it off) with at least MinimumHealthyTargets healthy targets
// routes to those; otherwise it fails open to all its registered targets
// (initial, healthy and unhealthy, as the ELB guide's "sends traffic to all
// registered targets"). Draining and unused targets never receive a new
// request. With cross-zone off, DNS hands out only zones with a healthy
// target (all zones with a registered target when none has one); a request
// enters one of them uniformly at random and stays in it, so a zone with
// fewer targets gives each a larger share.
//
// Load-balancer nodes. ELB creates a load-balancer node in each
// Availability Zone enabled for the load balancer, DNS hands the nodes'
// addresses to clients, and "the load balancer node that receives the
// request" selects the target with the target group's routing algorithm
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html).
// So an ALB group has Config.Nodes nodes, by default one per zone of its
// targets, and each request enters one uniformly at random (in turn when
// Route has no rng). AWS does not say whether the nodes share round-robin
// state, how many nodes it adds as traffic grows, or whether least
// outstanding requests counts each node's requests or all of them; this
// package keeps one round-robin cursor per node (Config.SharedRoundRobin
// for one cursor), and least outstanding requests counts every request in
// flight at the target. With cross-zone off each zone's node routes within
// its zone, as below.
//
// Round robin takes the routable targets in ascending ID order in turn, each
// node with its own cursor (a new node's cursor starts its share of the way
// round); over any run of requests with the set unchanged, counts differ by
// at most one per node. With several cursors a target no longer sees every
// N-th request: at four FCFS targets, ρ = 0.8, three nodes raise the mean
// wait by about 6 % over one shared cursor.
//
// Slow start (round robin only; AWS refuses it with the other algorithms). A
// target that turns healthy while another target is already healthy and out
// of slow start ramps for SlowStart with weight
//
//	w(t) = (t − t_healthy) / SlowStart,    0 ≤ w < 1,
//
// against weight 1 for every full-share target; it leaves slow start early if
// it turns unhealthy or is deregistered, and re-enters it when healthy again.
// Weights are integers (w · 2²⁰) and the choice is a smooth weighted round
// robin (as in nginx): every entry gains its weight in credit, the entry with
// most credit is chosen and pays the total. A ramping target's share is then
// w / (F + Σw) for F full-share targets, exact over each period.
//
// Least outstanding requests picks a routable target with the fewest
// requests in flight, ties broken uniformly with the caller's rng. Targets
// are kept in buckets by in-flight count, so Route, Begin and End are O(1).
//
// Weighted random picks uniformly with the caller's rng: without Automatic
// Target Weights' anomaly mitigation every weight is equal, as the ALB guide
// documents. Anomaly mitigation is not modelled (its formulas are not
// published).
//
// Flow hash (NLB). For a flow key k (the caller's hash of the 5-tuple and,
// for TCP, the sequence number) the target is
//
//	members[⌊mix(k) · n / 2⁶⁴⌋]
//
// with members the n routable targets in ascending ID order and mix the
// SplitMix64 finaliser; with cross-zone off a second mix of k picks the
// entry zone. The map depends only on the routable set, so it is stable
// while the set is unchanged; as on a real NLB the caller keeps an open
// connection on its target for the connection's lifetime.
//
// A Router (Config.Router) replaces the algorithm of an ALB target group
// with a policy of the caller's own: it is shown the routable targets of
// the request's scope with their requests in flight and returns its pick
// (ExampleRouter: the power of two choices). ELB has no such setting; it is
// the extension point for routing studies, and the sim package's tests
// hold a power-of-two router to the supermarket model of queueing theory.
//
// # Performance
//
// Routing state (one pool of routable targets per scope) is rebuilt in
// O(targets) only when a state changes or a slow start ends; a request then
// costs O(1) (O(ramping targets) during slow start) and allocates nothing.
// Health checks run from a binary heap of per-target wake-ups, O(log n)
// each.
//
// # Not modelled
//
// Sticky sessions, Automatic Target Weights, DNS-failover thresholds other
// than one healthy target per zone, percentage thresholds, changing
// attributes of a live group (so the "targets already healthy when slow
// start is enabled" rule does not arise), NLB connection termination, and an
// NLB whose load-balancer-level cross-zone setting is on (use CrossZoneOn on
// the group instead).
package loadbalancer
