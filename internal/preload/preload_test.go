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
