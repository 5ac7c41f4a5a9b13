// Package placement is the ECS task placement engine for EC2 capacity: an
// instance index, placement constraints with the cluster query language,
// the binpack, spread and random strategies (and custom filters and
// strategies through Filter and Scorer), and scale-in victim selection.
// It is a pure leaf: no clock, no global randomness, no goroutines; every
// random choice draws from the *rand.Rand the caller passes.
//
// # Pipeline
//
// Cluster.Place runs the four stages ECS documents
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html)
// and a fifth that explains failure:
//
//  1. filter: ACTIVE instances with enough free CPU units, memory (MiB) and
//     ENIs (awsvpc), none of the task's host ports taken, and at most
//     MaxReservedPorts reserved afterwards;
//  2. constrain: every constraint holds — distinctInstance (no task of the
//     group on the instance) and memberOf (a cluster query Expression);
//  3. rank: the strategies, in order, each a tie-breaker for the previous
//     one (see Compile for the keys, e.g. binpack(memory) ranks by free
//     memory, spread(attribute:x) by the group's tasks per value of x);
//  4. choose: the best instance; ties left after the last strategy are
//     broken uniformly at random (ECS leaves them unspecified);
//  5. explain: if nothing survives, a Rejection names the closest matching
//     instance and the check it failed (RESOURCE:CPU, RESOURCE:MEMORY,
//     RESOURCE:PORTS, RESOURCE:ENI, a constraint, or no ACTIVE instance),
//     with an ECS-style service event message.
//
// Cluster.Diagnose is the dry run of the same pipeline: for every instance,
// the check it fails first, or its rank keys and whether Place would choose
// among it; placementtest.Reference.Diagnose is held equal to it.
//
// A Spec (constraints and strategies, as in the ECS API) is compiled once
// into a Plan and reused. With no strategy, the replica scheduler's built-in
// AZ balancing applies. ECS documents it
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html) as: place in
// the AZ with the fewest running tasks of the service, preferring the
// instance with the fewest; stop in the AZ with the most, then on the
// instance with the most. That is exactly [spread(attribute:ecs.availability-zone),
// spread(instanceId)] for placement and the same ranking reversed for
// ChooseVictims, which is how this package implements it. Availability Zone
// rebalancing (a service setting since 2025,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/track-service-rebalancing.html) moves running tasks; that
// is the hub's business, built from Place and ChooseVictims.
//
// # Custom strategies and filters
//
// The two stages that decide are pluggable, as in the Kubernetes scheduler
// framework's filter and score plugins. A Constraint of type CustomFilter
// keeps the instances its Filter keeps (rules the query language cannot
// say; see ExampleFilter), and a Strategy of type Custom ranks instances by
// a Scorer, the extension point for packing policies ECS does not have
// (Tetris-style alignment, dominant-resource fits, Nomad-style scores; see
// ExampleScorer). A custom filter counts as a constraint everywhere: in
// constraint order, in the rejection ("custom(Go type)"), and in
// placementtest.Reference. A custom strategy composes with everything
// above: constraints filter first, a custom rank can come before or after
// ECS's own, ties fall through to the next rank and then to the uniform
// draw, ChooseVictims stops first the task whose instance scores highest,
// and placementtest.Reference implements it too, so the same property test
// holds the engine to both. A custom rank first in the list is served by a
// scan of the feasible instances, O(n) per placement, since the index
// cannot know the Scorer's order.
//
// # Index
//
// Instances have dense IDs (InstanceID). Their free and registered
// resources sit in one small record per instance; statuses, EC2 IDs,
// reserved ports, interned attribute columns and per-group task counts
// (per instance and per attribute value) are separate arrays. Static
// memberOf expressions (attributes, ec2InstanceId, registeredAt) are cached
// per Plan as bitsets over instances and evaluated once per new instance;
// dynamic ones (runningTasksCount, task:group) are evaluated per candidate.
//
// Placement cost by plan (n ACTIVE instances, B tree leaves):
//
//   - binpack first: a segment tree over free memory (or free CPU) whose
//     nodes hold the maximum of the other resource finds the least-remaining
//     instance that also fits the other resource in O(log B) (one leaf per
//     MiB or CPU unit, at most 2^18; 16 children per node, so that a
//     node's children fill one cache line and 2^17 leaves need 5 levels).
//     Each leaf is a max-heap by the other resource, so the tied candidates
//     in a leaf are enumerated in time proportional to their number. An
//     update moves one instance between two leaves: O(log B + log leaf size).
//   - binpack first with a memberOf of the form "attribute:name == v" or
//     "attribute:name in [v, ...]": the same trees, one per named value, so
//     the search never meets the instances the constraint excludes.
//   - spread over an attribute first (including the default plan): the
//     attribute's values are visited by increasing task count of the group;
//     within the best value(s), binpack uses one tree per value, random uses
//     rejection sampling, spread(instanceId) uses the group's index (below),
//     and other continuations scan that value's instances.
//   - spread(instanceId), first or after an attribute spread, and
//     distinctInstance: each task group that needs it keeps an index of
//     the instances running its tasks: the bitmasks of the group's paged
//     task counts with member counts per block of 4096 slots (memory grows
//     with the instances the group runs on, not with the cluster), so
//     that an instance free of the group is drawn
//     uniformly by rank selection even when the group runs almost
//     everywhere; and buckets of members by task count (the LFU-bucket
//     technique), each split into cells by power-of-two classes of free CPU
//     and free memory, so that the least-loaded instances that can still
//     take the task are drawn without visiting full ones. A placement or
//     release moves one instance between buckets, and between cells in
//     each group it runs, in O(groups on the instance). Draws are rejection
//     sampling (exactly uniform among ties) with an exact pass over the
//     candidate cells as fallback, which only a constraint that rejects
//     most candidates makes long.
//   - binpack first with distinctInstance, ports, ENIs or a dynamic
//     constraint: the first leaf with a feasible instance is found as
//     above, and its tied instances are drawn by rejection sampling.
//   - random first: rejection sampling, exactly uniform; an exact scan after
//     32 misses (with distinctInstance, the group's index instead).
//   - a static memberOf that selects fewer than 1/8 of the instances: its
//     members are scanned, O(members + n/64), since the index would mostly
//     visit non-members.
//   - dynamic memberOf and custom filters are checked per candidate on
//     whichever path runs; when most cheap candidates fail them the index
//     path degrades towards a scan.
//
// Rejections (Rejection) and ChooseVictims scan: O(n) and O(victims × tasks).
//
// The package placementtest holds a naive reference implementation that a
// rapid property holds the engine to, and the baseline of BenchmarkPlace.
package placement
