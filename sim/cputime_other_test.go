//go:build !unix

package sim_test

import "time"

var cpuStart = time.Now()

// processCPU stands in for the process's CPU time where getrusage is
// missing: wall time since the test binary started.
func processCPU() time.Duration { return time.Since(cpuStart) }
