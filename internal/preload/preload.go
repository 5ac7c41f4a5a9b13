// Package preload starts loads from memory ahead of the code that needs
// their data, so that their trips to memory overlap.
//
// A world of thousands of services reads a few lines of each service's
// objects every simulated minute, and by the next minute the other
// services have pushed those lines out of the cache. Reading them field
// by field, in program order, makes each trip to memory wait for the
// one before it whenever the code between them is longer than the
// processor looks ahead (a few hundred instructions), or whenever a
// line's address is itself loaded from memory. Loading every line a
// step will read, before reading any, lets the processor send for them
// all at once: the step then waits for memory about once instead of
// once a line. A load here is a plain load, not a prefetch instruction
// (Go has none outside its runtime): it holds up the instructions after
// it only until the line arrives, which the step would have waited for
// anyway.
//
// Preloading changes no state and no result. It pays only for lines
// that are in memory and read soon after. Loading all of the next
// service's lines while working on this one was measured slower (the
// loads it starts hold up the work in between); loading the first line of
// the next one's chain, whose address the pass already has, was not.
package preload

import "unsafe"

// Lines loads one byte at each offset from p (offsets within the object
// p points to, one on each line to load) and keeps the loads.
func Lines(p unsafe.Pointer, offs []uintptr) {
	var x uintptr
	for _, o := range offs {
		x += uintptr(*(*byte)(unsafe.Add(p, o)))
	}
	Keep(x)
}

// Keep keeps the loads that computed x, which would otherwise be dead
// code that the compiler removes: it cannot tell that a function it does
// not inline ignores its argument. It is a call and a return, and it does
// not wait for x: the processor runs on while the loads are in flight.
//
//go:noinline
func Keep(x uintptr) { _ = x }
