// Package capacity holds the pure models of where ECS tasks run and what
// that costs: Fargate task sizes and start latency, the Fargate launch rate
// limit and vCPU quotas, capacity provider strategies, cluster auto scaling
// (managed scaling) of Auto Scaling group capacity providers, Spot
// interruptions and billing. The ECS world in package sim wires them in;
// this package imports nothing of sim.
//
// # Time and randomness
//
// ecssim has one rule for how a package takes time. The top-level
// packages (metrics, autoscale, loadbalancer, placement) model AWS
// services that are usable without a simulation, and speak calendar time:
// instants are time.Time, as CloudWatch timestamps and cron schedules are.
// The sub-packages of sim (traffic, capacity) are the engine's model parts
// and speak the engine's clock: an instant is a time.Duration since the
// simulation's virtual zero.
//
// So this package keeps no clock. Every time-dependent method takes now as
// a time.Duration since the start of the simulation (sim's virtual time)
// and, where it needs waking later, returns that instant as a
// time.Duration too (LaunchBucket.Take's next, ScalingDecision.Next);
// Window, InterruptionProcess.Schedule and Instance.LaunchedAt are instants
// of the same clock. Lengths of time are time.Duration everywhere. Adding a
// length to an instant saturates at the largest Duration instead of
// wrapping, and sampled latencies (StartLatency, InstanceLaunch) saturate
// the same way, so no instant this package returns runs backwards. Randomness comes
// only from a *rand.Rand (math/rand/v2) passed in by the caller: start
// latencies (StartLatency.Sample, InstanceLaunch.Sample), zone ties
// (LaunchZone, StopZone) and Spot interruption times
// (InterruptionProcess.NextWarning).
//
// # Fargate
//
// ValidateFargateSize checks a task's CPU and memory against the size table
// (0.25 to 16 vCPU,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html)
// and lists the valid values when
// it fails; FargateTaskSize adds the OS, the architecture and ephemeral
// storage (20 GiB by default, 21–200 GiB configurable). StartLatency models
// the time from launch to RUNNING:
//
//	latency = (ENI + image MB / throughput + app start) × exp(σ·Z)
//
// with defaults fitted to the published measurements (see its doc).
// LaunchZone and StopZone keep a service's tasks balanced across
// Availability Zones, as Fargate does. InstanceLaunch models how long a new
// EC2 instance takes to register with the cluster.
// LaunchBucket is the Fargate launch token bucket (burst 100, 20 per
// second; one for On-Demand and one for Spot) and VCPUQuota the per-account
// vCPU concurrency quota. APIThrottle holds the ECS API's token buckets,
// one per action (APIRateLimits: RunTask, StartTask, StopTask,
// CreateService, UpdateService, with their sources).
//
// # Capacity provider strategies
//
// A Strategy is a list of {Provider, Base, Weight}. Distribute sends each new
// task to the base provider until its base is met, then, among the providers
// still below their exact weighted share R·w_i/Σw of the R tasks beyond the
// base, to the one with the largest w_i / (post_i + 1) (Balinski and Young's
// quota method), which reproduces the API reference's examples (weights 1
// and 4 put 2 of 10 tasks on the first) and keeps every provider within one
// task of its share.
//
// # Managed scaling
//
//	CapacityProviderReservation = M / N × 100   (100 if M = N = 0; 200 if M > 0, N = 0)
//
// M is estimated from the tasks waiting in PROVISIONING
// (EstimateInstancesNeeded, ScaleOutStep, EstimateM); ManagedScaling is the
// controller that turns one datapoint a minute into the Auto Scaling group's
// desired capacity: target tracking N' = ceil(M × 100 / targetCapacity), one
// datapoint above target to scale out (after the instance warm-up), fifteen
// below to scale in, at most half the group per minute. CanTerminate and
// ChooseInstancesToTerminate implement managed termination protection: an
// instance that runs a non-daemon task is never terminated.
//
// Interpretations where the reference is silent or inconsistent: the
// estimate takes the largest per-group count (a lower bound that repeats
// each minute) rather than the sum; scale-in uses M/N × 100 rather than the
// 2023 guide's "100 minus empty instances"; at N = 0 the controller launches
// ceil(M × 100 / targetCapacity) instances rather than the guide's "always
// two".
//
// # Spot
//
// InterruptionProcess draws Spot interruption warnings (exponential gaps at
// a rate per hour) or replays a scripted schedule. NewFargateSpotInterruption
// gives a Fargate Spot task's timeline (SIGTERM at the warning, SIGKILL
// after stopTimeout, gone by warning + 120 s); NewEC2SpotInterruption an EC2
// Spot instance's (draining at the warning, terminated 120 s later). The
// world deregisters load balancer targets at the warning. Unavailability
// is when Fargate Spot capacity cannot be had at all (scripted windows, or
// an alternating process of exponential periods): new Spot tasks are not
// created, with CapacityUnavailableReason, and nothing falls back to
// on-demand capacity, as in AWS.
//
// # Cost
//
// Prices are data with a Region and a date (USEast1Prices); BilledSeconds
// rounds a run up to whole seconds with a 60-second minimum, for Fargate
// and EC2 alike. Accumulator adds up cost per service, capacity provider and
// cluster, and reports the idle part of EC2 instances: an EC2 task pays the
// mean of its CPU and memory shares of its instance's rate, and what no
// task pays is idle.
package capacity
