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

// Runs asks the processor to fetch every 64-byte line that holds a byte
// of each run of memory, run.Len bytes from run.Off bytes past p, and
// returns at once, like Prefetch: one call for a few runs, such as rows
// of a ring, costs a few instructions a line where Prefetch first needs
// an offset on each. A run of length 0 asks for nothing.
//
//go:noescape
func Runs(p unsafe.Pointer, runs []Run)
