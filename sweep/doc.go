// Package sweep runs many independent simulations side by side and sums
// them up: an ordered parallel map, the grid of arms × seeds an experiment
// runs, deterministic shards of that grid for a cluster scheduler, and
// per-arm statistics over seeds.
//
// Each simulation is deterministic on its own (one sim.Sim per goroutine,
// never shared), and results come back in the order of their inputs
// whatever order they finish in, so a sweep's output depends only on its
// arms and seeds, not on GOMAXPROCS, the pool size or the machine count.
// The simulator's core starts no goroutines; this package is the one place
// of the module that does (TestNoAmbientNondeterminism and
// TestOnlySweepStartsGoroutines, in the module root, hold both).
//
// A grid is arm-major: cell k is arm k / len(seeds) with seed
// seeds[k % len(seeds)]. Shard{Index: i, Count: n} takes the cells whose
// index is i modulo n, so every shard gets a share of every arm (arms of
// unequal cost spread evenly), and Merge puts the shards' results back in
// cell order: a sweep run whole and a sweep run as n shards and merged
// give the same results, cell for cell.
//
// Shards map onto the index that cluster schedulers give each worker of an
// array job: JOB_COMPLETION_INDEX in a Kubernetes Indexed Job
// (https://kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode)
// and AWS_BATCH_JOB_ARRAY_INDEX with AWS_BATCH_JOB_ARRAY_SIZE in an AWS
// Batch array job
// (https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html);
// see ShardFromEnv.
package sweep
