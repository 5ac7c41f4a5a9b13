// Package preload starts loads from memory ahead of the code that needs
// their data, so that their trips to memory overlap.
//
// A world of thousands of services reads a few lines of each service's
// objects every simulated minute, and by the next minute the other
// services have pushed those lines out of the cache. Reading them field
// by field, in program order, makes each trip to memory wait for the
// one before it whenever the code between them is longer than the
// processor looks ahead (a few hundred instructions), or whenever a
// line's address is itself loaded from memory.
//
// Keep is for plain loads: a caller loads a word of every line a step
// will read, before it reads any, and keeps the loads, so that the
// processor sends for them all at once and the step waits for memory
// about once instead of once a line (metrics.Preload). Each plain load
// holds up the instructions after it until its line arrives, so loading
// the next service's lines this way while working on this one was
// measured slower: they hold up the work in between.
//
// Prefetch asks for lines with prefetch instructions, which return at
// once and hold up nothing. A pass over thousands of services uses it to
// ask for the lines of the services a step or two ahead of the one it
// works on (a software pipeline), each stage reading the addresses it
// needs from lines that an earlier stage asked for. Round 6 of issue 13
// (BENCHMARKS.md) found a prefetch too costly when each service first
// noted dozens of lines for it; asked for a few lines at a time, from
// addresses the pass holds, it costs less than plain loads of the same
// lines (BenchmarkPrefetch against BenchmarkLoads). Runs asks for the
// lines of whole runs of memory, such as rows of a ring, without an
// offset on each: computing the offsets of every line of a row had cost
// more instructions than the prefetches (round 20). At2, At4 and At8 ask
// for the lines at a few addresses the caller has computed, in one call
// with no list and no loop: the passes' stages use them, having found
// that the lists, loops and wrappers around the prefetches cost more
// instructions than the prefetches themselves (round 22).
//
// None of them changes state or results: they only make them sooner.
package preload

import "unsafe"

// Keep keeps the loads that computed x, which would otherwise be dead
// code that the compiler removes: it cannot tell that a function it does
// not inline ignores its argument. It is a call and a return, and it does
// not wait for x: the processor runs on while the loads are in flight.
//
//go:noinline
func Keep(x uintptr) { _ = x }

// Data returns the address of the value x holds: what a method called
// through the interface reads (for a pointer, the pointer itself), nil
// for a nil interface. A pass prefetches from it the state of an
// interface value it is about to call, such as a workload's traffic
// source. It reads the interface's second word, the one Go keeps the
// value's address in for every type that is not pointer-shaped and the
// pointer itself for one that is.
func Data(x any) unsafe.Pointer { return (*[2]unsafe.Pointer)(unsafe.Pointer(&x))[1] }

// Run is a run of memory that Runs asks for: Len bytes, Off bytes past
// the address Runs is given.
type Run struct{ Off, Len uintptr }
