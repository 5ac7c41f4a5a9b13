// Package sim is the hub of ecssim: the discrete-event engine, its virtual
// clock and random streams, and (as the library grows) the ECS world built on
// them.
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
//     (sampling), PhaseAlarms (alarm evaluation), PhaseScaling (scaling
//     decisions), then PhaseUser (callbacks from At and After). So a metric
//     sampled at 12:01 sees the tasks that started at 12:01, an alarm
//     evaluated at 12:01 sees that sample, and a scaling decision sees the
//     alarm;
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
package sim
