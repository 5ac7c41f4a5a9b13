// Package traffic models the requests that reach an ECS service: demand
// sources, arrival processes, the request-serving process inside one task,
// and a fluid (queueing-theory) mode for fast sweeps.
//
// It is a pure leaf: it keeps no clock and imports nothing of the
// simulation. Randomness comes only from the *rand.Rand the caller passes,
// normally one of the engine's named streams.
//
// # Time
//
// ecssim has one rule for how a package takes time. The top-level
// packages (metrics, autoscale, loadbalancer, placement) model AWS
// services that are usable without a simulation, and speak calendar time:
// instants are time.Time, as CloudWatch timestamps and cron schedules are.
// The sub-packages of sim (traffic, capacity) are the engine's model parts
// and speak the engine's clock: an instant is a time.Duration since the
// simulation's virtual zero (the engine's Elapsed), the clock traces and
// rate functions are defined against, and eight bytes on the per-request
// path. So here every instant (now, Arrival.At, Point.At, Completion.Done,
// Diurnal.Peak) is a time.Duration offset, and a model that needs to be
// woken later says when in the same clock (Server.Next, Arrivals.Next).
// Lengths of time are time.Duration everywhere. Arithmetic on instants
// saturates at Never instead of wrapping.
//
// # Demand
//
// A Source gives a request rate over time: Constant, Diurnal (a sinusoid
// with a period, a peak instant and an amplitude), Steps, PiecewiseLinear,
// or Replay of a Series read from CSV (ReadSeriesCSV; e.g. the NASA 1995
// requests per minute, scaled and time-compressed). Utilisation series (the
// Google 2019 and Azure VM 2019 traces) load the same way and can shape a
// rate. ReadRequestCSV reads traces with one row per request (the Azure LLM
// 2023 traces), with a per-request size such as generated tokens. Both
// read at most MaxBytes of their input (DefaultMaxTraceBytes, 64 MiB,
// unless set), and their errors quote at most 64 bytes of any field.
//
// # Arrivals
//
// Poisson is the homogeneous process. Thinning samples a non-homogeneous
// Poisson process of intensity Source.Rate by Lewis–Shedler thinning: in
// each window, candidates at the bound λ* = MaxRate, each kept with
// probability Rate(t)/λ*. TraceArrivals replays exact timestamps.
//
// Rates are at most MaxPerSecond (10⁸ requests per second). Sources
// validate their rates (ValidateSource), and the samplers read any rate
// through ClampRate, so a NaN, negative or infinite rate of a Source of the
// caller's own neither panics nor spins: one Next call does a bounded
// amount of work and otherwise asks to be called again later.
//
// # One task: Server
//
// A Server is the process inside one ECS task. Each request brings CPU work
// (CPU time at one vCPU, drawn from a Demand: any distribution of package
// sim/dist, the same distributions under the names Fixed, Exponential,
// Lognormal and HyperExponential with a given C_s², or PerSize from trace
// tokens). The task has CPU units (1024 = 1 vCPU) and serves
//
//   - FCFS: c parallel slots, each running at CPU/c; or
//   - ProcessorSharing: the n requests in service share the CPU, each at
//     CPU/n (optionally at most c at once).
//
// Requests beyond c wait first come, first served up to QueueLimit; beyond
// that they are rejected (the load balancer's 5xx). A client timeout
// abandons requests still waiting or in service. Counters give arrived,
// served, rejected, timed out, aborted and in flight, with
//
//	Arrived = Served + Rejected + TimedOut + Aborted + InFlight,
//
// and two integrals: CPUSeconds (work done, vCPU·s; CPUUtilization over a
// period is ΔCPUSeconds / (CPU/1024 · period)) and InFlightSeconds (for
// Little's law, L = λW). Steady-state traffic allocates nothing.
//
// The world wires one Server per RUNNING task: route each arrival to a task
// (through a load balancer), call Arrive, keep one engine timer per task at
// Server.Next, call Advance when it fires, and read Counters every minute.
//
// # Fluid mode
//
// Fluid estimates one service for one step (offered rate, tasks, per-task
// CPU, c, queue and C_s²) from queueing theory: M/M/c/K and Erlang C with
// the Allen–Cunneen correction (C_a² + C_s²)/2 for FCFS, M/G/1-PS for
// processor sharing. ErlangB, ErlangC, MMcWait, PKWait, PSSojourn and
// SolveMMcK are the formulas, tested against worked cases computed from
// them and published values (Erlang's 1 % blocking tables; Kleinrock,
// Queueing Systems, vol. 1, 1975, for M/G/1 and processor sharing).
// A workload steps the fluid model every FluidStep, at least MinFluidStep
// (ValidateFluidStep).
package traffic
