// Package sim is the hub of ecssim: the discrete-event engine, its virtual
// clock and random streams, the ECS world built on them (clusters,
// instances, task definitions, tasks, services, deployments, Fargate,
// capacity providers, Spot, cost), and the wiring that puts load balancers,
// traffic, metrics and autoscaling in front of and around it.
//
// # Virtual time
//
// Time inside the engine is an int64 count of nanoseconds since virtual zero.
// The API speaks time.Duration for intervals and time.Time (UTC) for instants;
// Config.Start maps virtual zero to a calendar instant (DefaultStart, Monday
// 2024-01-01 00:00 UTC, when unset). The clock moves only when an event runs
// or RunUntil reaches its bound; nothing reads the wall clock.
//
// # Event order
//
// Events run in the order of the key (at, phase, seq):
//
//   - at is the virtual instant;
//   - phase orders what happens at one instant: PhaseLifecycle (task and
//     instance state changes), PhaseTraffic (requests), PhaseMetrics
//     (sampling), PhaseScaling (alarm evaluation, then scaling decisions),
//     then PhaseUser (callbacks from At and After). So a metric sampled at
//     12:01 sees the tasks that started at 12:01, an alarm evaluated at
//     12:01 sees that sample, and a scaling decision sees the alarm. Alarms
//     are evaluated every whole minute, as CloudWatch does; a scaler decides
//     when its Decision.Next says (every minute by default), a scheduled
//     action at its own instant;
//   - seq is a counter assigned when an event is scheduled (or reset), which
//     breaks every remaining tie: within an instant and phase, first
//     scheduled, first run.
//
// An event scheduled for the current instant in a phase that has already run
// at this instant cannot run in the past: it is promoted to the phase now
// running and runs next, behind the events already queued in that phase.
//
// # Scheduling
//
// After and At take a closure and suit user code. Components that schedule
// millions of events register a Kind once with Handle (a name, a phase and a
// func(arg uint64)) and schedule it with Schedule or ScheduleAt; that path
// allocates nothing. Every scheduling call returns a Timer that can be
// stopped or reset; stopped and reset events leave stale queue entries that
// are skipped when popped and compacted away once they outnumber live ones,
// so timers never leak.
//
// The pending events live in a radix heap of 24-byte value entries
// (internal/eventq). Simulation keys are monotone, which the radix heap turns
// into near-constant-time holds; BENCHMARKS.md at the module root compares it
// with container/heap and a 4-ary heap.
//
// # Randomness
//
// Every random choice draws from a named stream: Rand("demand"),
// Rand("placement"), ... Each stream is a PCG generator seeded with
// (Config.Seed, FNV-1a of the name), so streams are independent: a new draw in
// one component never shifts another's draws, and two experiments with the
// same seed see the same demand (common random numbers).
//
// # Determinism
//
// The same Config, inputs and seed give the same event sequence on every run,
// at every GOMAXPROCS, however RunUntil is split and whether or not an
// Observer is attached. TraceHash summarises the executed sequence (instant,
// phase, seq, kind and argument of every event) and is the check. The core
// packages read no wall clock, use no global random generator, start no
// goroutines and make no decision on map iteration order; a test walks their
// syntax trees to keep it so. Run independent Sims in parallel, one per
// goroutine, and merge their results in a fixed order.
//
// # Runaway guard
//
// A model bug that reschedules an event with zero delay forever would hang a
// simulation. After Config.MaxEventsPerInstant events at one instant the run
// stops with ErrRunaway, naming the instant and the kind of the last event.
// Config.MaxEvents bounds the events of the whole run (ErrEventLimit), for
// inputs that are not trusted.
//
// Virtual time ends at End, about 292 years after Config.Start. Every delay
// added to the clock (Schedule, After, Timer.Reset, RunFor, and every
// latency the world draws) saturates there instead of wrapping, so the
// clock never runs backwards.
//
// # The ECS world
//
// NewWorld puts an ECS world on a Sim: clusters (World.CreateCluster), EC2
// container instances (Cluster.LaunchInstance, with an instance-type
// Catalog), task definitions (World.RegisterTaskDefinition), standalone
// tasks (World.RunTask, World.StopTask) and services (Cluster.CreateService,
// Service.UpdateService). ExampleNewWorld walks from an empty cluster to a
// running service.
//
// Everything that takes time happens in PhaseLifecycle events drawn from
// named random streams ("instance-launch", "task-start", "task-stop",
// "failures", "placement"), with the default durations of Latencies:
//
//	instance:  LAUNCHING --InstanceLaunch--> ACTIVE <--> DRAINING --> INACTIVE
//	task:      PROVISIONING --ENIAttach (awsvpc only)--> PENDING
//	           --ImagePull (if not cached) + ContainerStart--> ACTIVATING
//	           --Activating--> RUNNING --stop--> DEACTIVATING (Deactivating,
//	           and the attachments' drain) --> STOPPING (SIGTERM; exit after
//	           Behavior.Shutdown or SIGKILL at the stop timeout)
//	           --> DEPROVISIONING (ENIDetach, awsvpc only) --> STOPPED
//
// A task's state only moves forward; resources are held from placement to
// STOPPED. That path is a task asked to stop (by the scheduler, StopTask, a
// Spot warning); a task that dies (an essential container exit, its
// instance or Availability Zone lost, its Spot capacity reclaimed) loses
// its work in flight at once and skips to DEPROVISIONING, or to STOPPED
// when its host is gone. Attachments (a load balancer target, a volume:
// Attachment, Service.Attach, World.Attach) hear every point of the way
// and can hold a state, fail a start or gate health. Placement (filter, constrain, rank, choose, explain) is the
// placement package's; a service's task group is "service:<name>", a
// standalone task's "family:<family>" unless given.
//
// A replica service is reconciled whenever something changes (a task stops
// or becomes healthy, the desired count or task definition changes,
// capacity appears). One pass, with D the desired count:
//
//	minHealthy = ceil(D × minimumHealthyPercent / 100)
//	maxTasks   = floor(D × maximumPercent / 100)
//	1. scale in: primary tasks beyond D stop (not yet RUNNING first, then
//	   not yet healthy, then victims chosen by placement.ChooseVictims);
//	2. retire: tasks of older deployments and on DRAINING instances stop,
//	   the unhealthy ones at once, the healthy ones while at least
//	   minHealthy healthy tasks remain;
//	3. start: min(D − primary tasks, maxTasks − tasks not STOPPED) new
//	   tasks of the primary deployment, unless the launch throttle or a
//	   FAILED deployment holds them back, and at most the launch-rate
//	   bucket allows (WorldConfig.ServiceLaunchRate, 250 per minute); those
//	   that do not fit become an "unable to place" event and the service
//	   waits for capacity.
//
// A daemon service keeps one task of its primary deployment on every ACTIVE
// instance that meets its constraints. Its tasks are placed first and
// stopped last (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html):
// a new instance gets its daemon tasks
// before any waiting task or replica service sees it, waiting daemon
// services reconcile before waiting replica services, and on a draining
// instance the daemon task stops once no replica task is left there.
//
// Availability Zone rebalancing (ServiceConfig.AvailabilityZoneRebalancing,
// on by default for services spread over zones, as AWS defaults it since
// June 2025;
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/track-service-rebalancing.html):
// when a quiet service's tasks differ by
// more than one between the zones it can use, it starts one task in the
// emptiest zone and, once that task is healthy, stops one in the fullest,
// until balanced, with ECS's rebalancing events. A new instance and the end
// of a zone outage prompt the check.
//
// A task counts as healthy 40 s after RUNNING without a health check, or
// once HEALTHY with one. The deployment completes, and the service reports
// "has reached a steady state.", when exactly D healthy primary tasks run
// and nothing else does. The circuit breaker counts tasks of the primary
// deployment that fail to start or fail health checks and trips at
// CircuitBreakerThreshold; with rollback a deployment of the last completed
// revision follows. Tasks that keep failing to start space launches out by
// WorldConfig.ThrottleInitial × 2^(n−2) after the n-th consecutive failure,
// at most 15 minutes.
//
// Outcomes are data: unplaceable tasks, failures and throttling are service
// events (Service.Events, World.Events, worded as ECS words them) and
// counters (Service.Counters). Errors are reserved for invalid requests,
// reported all at once, each a *fielderr.Error naming the field, the value
// and the rule, and matching ErrConfig (or ErrNotFound, ErrNotSupported,
// ErrZoneUnavailable), and for calls beyond the ECS API's rate limits:
// RunTask, StopTask, CreateService and UpdateService spend a token of
// their action's bucket (WorldConfig.APIRateLimits; RunTask 20 a second,
// burst and sustained), and a call that finds it empty changes nothing
// and returns a *ThrottlingError matching ErrThrottled, with the time
// until the next token (RetryAfter). World.Retry retries such a call as
// the AWS SDKs do. The service scheduler's own launches spend no API
// tokens: they have their own quotas (ServiceLaunchRate, the Fargate
// launch bucket).
//
// Nothing a call accepts may break a run. Every value is checked where it
// is given (types, ranges, finiteness, sums that could overflow); a
// reference must be live and of this World (another World's instance,
// task or load balancer is ErrNotFound); an object is wired once (one
// scaler per service and one service per scaler, an Attacher once, a
// LoadBalancer to one ACTIVE service, taken over once that service is
// deleted). AWS's service quotas are the default limits (Quotas, in
// WorldConfig.Quotas: clusters, container instances and services per
// cluster, tasks per service and per RunTask, Auto Scaling groups, tasks
// waiting in PROVISIONING per cluster; QuotaSources lists them with their
// pages and dates), raisable
// as AWS lets an account raise them, up to MaxQuota; the quotas AWS does
// not raise are constants (MaxTaskDefinitionBytes, MaxRevisionsPerFamily,
// MaxCapacityProvidersPerCluster). Within them every launch, registration
// and removal costs O(1) or O(log n), and Config.MaxEvents bounds the
// events of a run whose inputs are not trusted.
//
// Failures come from the application (Behavior.CrashesPerHour, health
// checks), from scripts (World.ScheduleFailure: an instance or a task at an
// instant), from Spot (interruptions, Fargate Spot capacity outages) and
// from whole Availability Zones (World.ScheduleZoneOutage: the zone's
// instances and Fargate tasks fail, and nothing launches there until it
// returns), so that a plan can be tested against the AZ outage it must
// survive.
//
// The VPC under awsvpc tasks (vpc.go): World.CreateSubnet adds a subnet
// of a zone with 2^(32−prefix) − 5 usable addresses; a service's or a
// RunTask call's NetworkConfiguration keeps its tasks to the zones of its
// subnets, and each task holds one address from PROVISIONING until
// DEPROVISIONING ends. A full subnet stops a Fargate task in PROVISIONING
// with ECS's ENI-creation text and keeps EC2 tasks unplaced. On EC2 each
// awsvpc task also takes an ENI slot of its instance: the instance type's
// ENIs less the primary one, or its trunk ENI's branches when
// awsvpcTrunking was on at launch (InstanceType.AWSVPCTasks,
// WorldConfig.AWSVPCTrunking).
//
// A long run should bound what the world remembers: by default it keeps
// every task it started and every service event, about 80 MiB per busy
// simulated day (1,000 instances, 100,000 tasks). WorldConfig.Retention
// forgets STOPPED tasks after a while and keeps the last N events per log,
// as ECS itself does (stopped tasks are listed for an hour, a service shows
// its last 100 events); WorldConfig.OnServiceEvent streams every event
// wherever the caller wants it. Forgetting does not change the run.
//
// Amazon EFS (efs.go, efs_io.go, efs_volumes.go; the arithmetic is
// package sim/storage's): World.CreateFileSystem makes a file system with
// its throughput mode, data stored, mount target zones and connection
// limit. A task whose definition declares an EFS volume mounts it when
// PENDING begins, through its own zone's mount target, and holds one
// connection per volume until STOPPED; a zone without a mount target, a
// mount target whose zone is out or a full file system fails the start
// with the mount helper's stopped reason (EFSNoMountTargetReason,
// EFSMountTimeoutReason). WorkloadConfig.IO gives requests reads and
// writes there, served by processor sharing over every mounting task's
// requests with a per-client cap; Bursting credits drain and refill as
// time passes. Storage and throughput are billed (Cost().ByFileSystem) and
// the AWS/EFS metrics published every minute
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html).
//
// LaunchType EXTERNAL exists in the types and returns ErrNotSupported.
//
// # Load balancers, traffic, metrics and autoscaling
//
// The pure models are packages loadbalancer, sim/traffic, metrics and
// autoscale; the world wires them in (loadbalancing.go, workload.go,
// autoscaling.go):
//
//   - World.NewLoadBalancer gives a target group to one service, passed as
//     ServiceConfig.Observer: tasks register at RUNNING, count as healthy
//     only once their target is (after the target group's health checks,
//     not the 40-second rule), are replaced when their target turns
//     unhealthy after the health check grace period, and when asked to
//     stop are deregistered and drain (the deregistration delay, or until
//     nothing is in flight) before SIGTERM. After SIGTERM the application
//     finishes its requests in flight; SIGKILL at the stop timeout aborts
//     the rest, as does a task's death, which takes it out of routing at
//     once.
//   - Health checks wait in the request queue unless
//     WorkloadConfig.SeparateHealthEndpoint: a task whose queue is full, or
//     whose oldest waiting request has waited the check's timeout, fails
//     them, so overload makes tasks unhealthy and ECS replaces them, which
//     can feed on itself (examples/targetsweep shows it at an 80 % target).
//   - World.NewWorkload sends clients' requests through the load balancer:
//     request by request (arrivals by thinning on the "demand" stream,
//     work on "request-work", routing on "routing", one traffic.Server per
//     task with the task's CPU) or in fluid steps (traffic.Fluid). It
//     counts every request (arrived = served + no target + rejected +
//     timed out + aborted + in flight), keeps latency percentiles per
//     report period, and every minute (PhaseMetrics) publishes the ECS
//     service and ALB metrics to a metrics.Store.
//   - A LoadBalancer of TargetGroup.Type loadbalancer.CLB is a Classic
//     Load Balancer (classic.go): EC2 tasks in bridge or host mode with
//     static host ports only, registering container instances, with the
//     classic health check defaults (healthy after 10 × 30 s) and the
//     AWS/ELB metrics per LoadBalancerName.
//   - Service.AttachScaler evaluates an autoscale.Controller (any Scaler)
//     every minute in PhaseScaling and applies its desired count.
//
// # Fargate, capacity providers, Spot and cost
//
// The pure models live in package sim/capacity; the world wires them in
// (fargate.go, capacityprovider.go, managedscaling.go, spot.go, cost.go):
//
//   - Fargate (LaunchType FARGATE, or the FARGATE and FARGATE_SPOT capacity
//     providers): sizes checked against the Fargate table, one task per
//     isolated host (no instance, no packing), tasks balanced over the
//     cluster's zones (Cluster.SetZones, CapacityConfig.Zones), the
//     account's launch token buckets (100 + 20/s, On-Demand and Spot) that
//     tasks in PROVISIONING wait on, vCPU quotas that a task exceeding
//     fails on (the service retries when capacity frees), and a start
//     latency drawn from capacity.StartLatency ("fargate-start" stream);
//     500 launches per service per minute.
//   - Capacity providers: World.CreateCapacityProvider (Auto Scaling
//     groups of one instance type), Cluster.PutCapacityProviders (with a
//     default strategy), strategies with base and weight on services and
//     RunTask (capacity.DistributeCounts). Tasks of a group that does not
//     fit wait in PROVISIONING (at most 500 per cluster,
//     Quotas.ProvisioningTasksPerCluster) for an instance.
//   - Managed scaling: a PhaseScaling tick per group each minute feeds
//     capacity.ManagedScaling with N, the busy instances and the waiting
//     tasks; the group launches (capacity.InstanceLaunch) or terminates
//     instances, never a busy one under managed termination protection.
//   - Spot: Fargate Spot tasks and Spot instances are interrupted at a
//     rate or on a schedule ("spot" stream); the warning stops the task
//     gracefully (its load balancer target drains before SIGTERM), the end
//     of the warning reclaims what is left; the strategy places the
//     replacements.
//   - Cost: World.Cost reports the bill per service, provider and
//     cluster, with idle EC2 capacity (capacity.Accumulator).
package sim
