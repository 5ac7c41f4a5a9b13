package preload

import (
	"testing"
	"unsafe"
)

func TestLinesNeitherWritesNorAllocates(t *testing.T) {
	type obj struct {
		a [64]byte
		b [64]byte
	}
	o := &obj{}
	o.a[3], o.b[5] = 7, 9
	// Lines has no result: what it must not do is change the object or
	// allocate (it runs for every service every simulated minute).
	offs := []uintptr{3, unsafe.Offsetof(o.b) + 5}
	if n := testing.AllocsPerRun(100, func() { Lines(unsafe.Pointer(o), offs) }); n != 0 {
		t.Errorf("Lines allocates %v times a call, want 0", n)
	}
	if o.a[3] != 7 || o.b[5] != 9 {
		t.Errorf("Lines changed the object: %d, %d, want 7, 9", o.a[3], o.b[5])
	}
}

func BenchmarkLines(b *testing.B) {
	o := new([8][64]byte)
	offs := []uintptr{0, 64, 128, 192, 256, 320, 384, 448}
	b.ReportAllocs()
	for b.Loop() {
		Lines(unsafe.Pointer(o), offs)
	}
}

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

// BenchmarkPrefetch is BenchmarkLines' eight lines asked for with
// prefetch instructions instead of loaded.
func BenchmarkPrefetch(b *testing.B) {
	o := new([8][64]byte)
	offs := []uintptr{0, 64, 128, 192, 256, 320, 384, 448}
	b.ReportAllocs()
	for b.Loop() {
		Prefetch(unsafe.Pointer(o), offs)
	}
}
