package preload

import (
	"testing"
	"unsafe"
)

type rater interface{ rate() float64 }

type wide struct{ mean, amplitude, peak float64 }

func (w wide) rate() float64 { return w.mean }

type narrow struct{ p *float64 }

func (n narrow) rate() float64 { return *n.p }

// TestData holds Data to the address a method called through the
// interface reads, for a value boxed in the interface, a pointer-shaped
// value held in the interface's word itself, and a pointer.
func TestData(t *testing.T) {
	var r rater = wide{mean: 3}
	if got := (*wide)(Data(r)); got == nil || got.mean != 3 || got.amplitude != 0 {
		t.Errorf("Data of a boxed struct points to %+v, want its copy {mean: 3}", got)
	}
	x := 5.0
	r = narrow{p: &x}
	if got := Data(r); got != unsafe.Pointer(&x) {
		t.Errorf("Data of a one-pointer struct = %p, want the pointer it holds, %p", got, &x)
	}
	w := &wide{mean: 4}
	if got := Data(w); got != unsafe.Pointer(w) {
		t.Errorf("Data of a pointer = %p, want the pointer %p", got, w)
	}
	if got := Data(nil); got != nil {
		t.Errorf("Data(nil) = %p, want nil", got)
	}
	var none rater
	if got := Data(none); got != nil {
		t.Errorf("Data of a nil interface value = %p, want nil", got)
	}
	if n := testing.AllocsPerRun(100, func() { Data(r) }); n != 0 {
		t.Errorf("Data allocates %v times a call, want 0", n)
	}
}
