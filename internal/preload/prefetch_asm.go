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

// At2, At4 and At8 ask the processor for the lines that hold the bytes
// at two, four or eight addresses, and return at once, like Prefetch: a
// caller that computes the addresses of a few lines names them in one
// call with no loop and no list, a few instructions a line in all, where
// Prefetch's list and Runs' runs cost more than the prefetches for a
// handful of lines (BENCHMARKS.md, issue 13, round 22). An address may be
// repeated (the same line twice costs an instruction, not a trip to
// memory) or be any address at all, even one that is not mapped: a
// prefetch never faults.
func At2(p0, p1 uintptr)

// At4 asks for the lines at four addresses: see At2.
func At4(p0, p1, p2, p3 uintptr)

// At8 asks for the lines at eight addresses: see At2.
func At8(p0, p1, p2, p3, p4, p5, p6, p7 uintptr)
