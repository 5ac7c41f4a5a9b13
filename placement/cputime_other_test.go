//go:build !unix

package placement_test

import "time"

// processCPU is not measured on this platform; the cpu-ns/op metric is
// then omitted.
func processCPU() time.Duration { return 0 }
