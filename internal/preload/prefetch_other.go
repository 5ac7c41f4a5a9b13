//go:build !amd64 && !arm64

package preload

import "unsafe"

// Prefetch asks the processor to fetch the line at each offset from p
// into its cache. On this architecture it does nothing: a prefetch is a
// hint, and the code that reads the lines loads them itself.
func Prefetch(p unsafe.Pointer, offs []uintptr) {}

// Runs asks for the lines of runs of memory from p. On this architecture
// it does nothing (see Prefetch).
func Runs(p unsafe.Pointer, runs []Run) {}
