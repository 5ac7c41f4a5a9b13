package preload

import (
	"testing"
	"unsafe"
)

func TestPrefetchNeitherWritesNorAllocates(t *testing.T) {
	o := new([4][64]byte)
	o[0][3], o[2][5] = 7, 9
	// Offsets past the object are allowed: a prefetch never faults.
	offs := []uintptr{3, 2*64 + 5, 4 * 64, 1 << 20}
	if n := testing.AllocsPerRun(100, func() { Prefetch(unsafe.Pointer(o), offs) }); n != 0 {
		t.Errorf("Prefetch allocates %v times a call, want 0", n)
	}
	Prefetch(unsafe.Pointer(o), nil)
	want := new([4][64]byte)
	want[0][3], want[2][5] = 7, 9
	if *o != *want {
		t.Errorf("Prefetch changed the object")
	}
}

// TestRunsNeitherWritesNorAllocates asks for runs that start and end
// inside lines, on whole lines, of one byte, of none, and past the
// object: a prefetch never faults, writes or allocates.
func TestRunsNeitherWritesNorAllocates(t *testing.T) {
	o := new([4][64]byte)
	o[1][7] = 3
	runs := []Run{{0, 0}, {0, 1}, {5, 64}, {63, 2}, {0, 256}, {17, 239}, {200, 1 << 20}}
	Runs(unsafe.Pointer(o), runs)
	Runs(unsafe.Pointer(o), nil)
	if n := testing.AllocsPerRun(100, func() { Runs(unsafe.Pointer(o), runs) }); n != 0 {
		t.Errorf("Runs allocates %v times a call, want 0", n)
	}
	want := new([4][64]byte)
	want[1][7] = 3
	if *o != *want {
		t.Errorf("Runs changed the object")
	}
}

// TestAtNeitherWritesNorAllocates asks At2, At4 and At8 for lines of an
// object, repeated, and for addresses no object holds (0 and one far past
// the object): a prefetch never faults, writes or allocates.
func TestAtNeitherWritesNorAllocates(t *testing.T) {
	o := new([4][64]byte)
	o[3][1] = 5
	p := uintptr(unsafe.Pointer(o))
	if n := testing.AllocsPerRun(100, func() {
		At2(p, p+200)
		At4(p, p+64, p+64, 0)
		At8(p, p+1, p+130, p+255, p+1<<30, 0, p, p+192)
	}); n != 0 {
		t.Errorf("At2, At4 and At8 allocate %v times a call, want 0", n)
	}
	want := new([4][64]byte)
	want[3][1] = 5
	if *o != *want {
		t.Errorf("At2, At4 or At8 changed the object")
	}
}

// loads is the plain-load way to the same lines: a byte of each, kept.
func loads(p unsafe.Pointer, offs []uintptr) {
	var x uintptr
	for _, o := range offs {
		x += uintptr(*(*byte)(unsafe.Add(p, o)))
	}
	Keep(x)
}

// BenchmarkLoads is the baseline of BenchmarkPrefetch: eight lines in
// the cache, loaded.
func BenchmarkLoads(b *testing.B) {
	p, offs := eightLines()
	b.ReportAllocs()
	for b.Loop() {
		loads(p, offs)
	}
}

// BenchmarkPrefetch is BenchmarkLoads' eight lines asked for with
// prefetch instructions instead. Both call their function directly: a
// call through a func value would add Go's wrapper for an assembly
// function to one side only.
func BenchmarkPrefetch(b *testing.B) {
	p, offs := eightLines()
	b.ReportAllocs()
	for b.Loop() {
		Prefetch(p, offs)
	}
}

// BenchmarkAt8 is BenchmarkPrefetch's eight lines asked for by their
// addresses, in one call and no loop.
func BenchmarkAt8(b *testing.B) {
	p, offs := eightLines()
	a := uintptr(p)
	b.ReportAllocs()
	for b.Loop() {
		At8(a+offs[0], a+offs[1], a+offs[2], a+offs[3], a+offs[4], a+offs[5], a+offs[6], a+offs[7])
	}
}

// eightLines returns eight lines of memory and an offset on each.
func eightLines() (unsafe.Pointer, []uintptr) {
	return unsafe.Pointer(new([8][64]byte)), []uintptr{0, 64, 128, 192, 256, 320, 384, 448}
}

// BenchmarkRuns is BenchmarkPrefetch's eight lines asked for as two
// runs of 256 bytes.
func BenchmarkRuns(b *testing.B) {
	p, _ := eightLines()
	runs := []Run{{0, 256}, {256, 256}}
	b.ReportAllocs()
	for b.Loop() {
		Runs(p, runs)
	}
}
