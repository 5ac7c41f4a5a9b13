// Package ecssim simulates Amazon ECS and AWS Fargate in virtual time.
//
// ecssim is a pure discrete-event simulation library: a virtual-clock event
// queue drives clusters of EC2 container instances and Fargate capacity, task
// definitions, tasks with their real lifecycle, services with rolling
// deployments, task placement, capacity providers, load balancers,
// CloudWatch-style metrics and alarms, and Application Auto Scaling. A week of
// a busy cluster runs in seconds, and the same seed always gives the same
// result.
//
// This root package holds no code; it maps the module:
//
//   - [github.com/ecssim/ecssim/sim] is the hub: the event loop, the virtual
//     clock, named random streams, the ECS world (clusters, instances, task
//     definitions, tasks, services, deployments, capacity providers,
//     Fargate, Spot, cost) and the wiring between the leaves (load
//     balancers, workloads, metric publication, autoscaling). It is the only
//     package that keeps a clock.
//   - [github.com/ecssim/ecssim/sim/traffic] holds the pure traffic models
//     the hub drives: demand sources, trace readers, arrival processes, the
//     per-task server (FCFS or processor sharing), fluid mode and the
//     queueing formulas.
//   - [github.com/ecssim/ecssim/sim/capacity] holds the pure capacity models:
//     Fargate sizes and start latency, the launch token bucket, capacity
//     provider strategies, managed scaling, Spot timelines, Spot capacity
//     outages and billing.
//   - [github.com/ecssim/ecssim/sim/scenario] reads experiments written as
//     JSON files (the world, services, traffic, scaling and timed actions),
//     reports their mistakes with line, column and field path, builds them
//     on the hub and runs them to a report.
//   - [github.com/ecssim/ecssim/placement] is a pure leaf: the instance index,
//     placement constraints (with the cluster query language), the binpack,
//     spread and random strategies, custom filters and strategies (Filter,
//     Scorer) and the placement engine; placement/placementtest is its naive
//     reference implementation.
//   - [github.com/ecssim/ecssim/autoscale] is a pure leaf that imports only
//     metrics: scalable targets, target tracking, step and scheduled scaling.
//   - [github.com/ecssim/ecssim/metrics] is a pure leaf: the metric store,
//     statistics and CloudWatch alarms.
//   - [github.com/ecssim/ecssim/loadbalancer] is a pure leaf: ALB and NLB
//     target groups, routing (and custom routing through a Router), health
//     checks, slow start and draining.
//   - [github.com/ecssim/ecssim/sweep] runs independent simulations side by
//     side (an ordered parallel map over arms × seeds, one Sim per
//     goroutine, shards for cluster schedulers, per-arm statistics): the
//     one package that starts goroutines.
//   - [github.com/ecssim/ecssim/tidy] turns runs and sweeps into
//     long-format tables (CSV, JSON Lines, Markdown);
//     [github.com/ecssim/ecssim/chart] draws them (SVG, PNG);
//     [github.com/ecssim/ecssim/progress] shows a progress line on a
//     terminal.
//   - examples/... are runnable programs, each answering a real question:
//     quickstart (the main job: a day of the NASA trace on Fargate behind an
//     ALB with target tracking), rollingdeploy, fargatevsec2, targetsweep
//     (parallel Sims over policy settings and seeds), albrouting (ALB's
//     routing algorithms against custom routers), ec2packing (placement
//     and spare capacity against an Availability Zone outage) and scenario
//     (runs scenario files).
//   - internal/... holds helpers the module shares (the event queue, random
//     streams).
//
// Policies AWS does not have plug in through small interfaces, each held to
// a reference or to theory by tests: placement.Filter and placement.Scorer,
// loadbalancer.Router, autoscale.Policy (and sim.Scaler for a whole
// scaler).
//
// Dependencies point one way: examples import sim; sim imports the leaves;
// autoscale imports metrics; no leaf imports sim. Leaves never keep a clock:
// every time-dependent method takes the current instant as an argument.
package ecssim
