//go:build unix

package placement_test

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user and system) the process has used.
// On a machine shared with other jobs, CPU time per op is steadier than
// wall time per op, which also counts the time the benchmark waited for a
// core.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
