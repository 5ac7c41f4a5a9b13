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

// At2 asks for the lines at two addresses. On this architecture it does
// nothing (see Prefetch).
func At2(p0, p1 uintptr) {}

// At4 asks for the lines at four addresses: see At2.
func At4(p0, p1, p2, p3 uintptr) {}

// At8 asks for the lines at eight addresses: see At2.
func At8(p0, p1, p2, p3, p4, p5, p6, p7 uintptr) {}
