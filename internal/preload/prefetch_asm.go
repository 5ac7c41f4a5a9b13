//go:build amd64 || arm64

package preload

import "unsafe"

// Prefetch asks the processor to fetch the line at each offset from p
// into its cache, and returns at once: a prefetch instruction
// (PREFETCHT0, PRFM PLDL1KEEP) neither waits for its line nor holds up
// the instructions after it, and never faults. Offsets may point past
// the object or be any address the caller can name; a prefetch changes
// nothing that a program can observe but its speed.
//
//go:noescape
func Prefetch(p unsafe.Pointer, offs []uintptr)
