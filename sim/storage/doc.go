// Package storage holds the pure models of Amazon EFS file systems that
// ECS tasks mount: the throughput a file system permits in each throughput
// mode, the burst credit arithmetic of Bursting mode, how NFS traffic is
// metered, and how a file system's throughput is shared among its clients.
// The ECS world in package sim wires them in (sim/efs.go); this package
// imports nothing of sim.
//
// Units: bytes and bytes per second (float64) throughout; the KiB, MiB,
// GiB and TiB constants are powers of two, as EFS counts them. Lengths of
// time are float64 seconds where the arithmetic is continuous (credit
// balances change linearly between events); the package keeps no clock.
//
// Sources, all AWS documentation:
//
//   - throughput modes, metering and burst credits:
//     https://docs.aws.amazon.com/efs/latest/ug/performance.html
//   - per-file-system and per-client limits, connections:
//     https://docs.aws.amazon.com/efs/latest/ug/limits.html
//   - the 1 MiBps floor of the Bursting baseline:
//     https://aws.amazon.com/about-aws/whats-new/2020/06/amazon-efs--increases-file-system-minimum-throughput/
package storage
