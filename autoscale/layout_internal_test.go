package autoscale

import (
	"testing"
	"unsafe"
)

// TestControllerMinuteInTwoLines holds Controller's layout: every field a
// minute of a one-policy controller reads (EvaluateAlarms, then Evaluate
// with its policies due and no scheduled actions) lies in the controller's
// first two 64-byte cache lines, and its size is a whole number of lines
// up to 512 bytes (each such size is one of the Go allocator's size
// classes, whose objects are laid out one after another from the start of
// a page), so that an allocated controller starts on a line and the two
// are two, not three.
func TestControllerMinuteInTwoLines(t *testing.T) {
	var c Controller
	const line, hot = 64, 2 * 64
	if size := unsafe.Sizeof(c); size%line != 0 || size > 512 {
		t.Errorf("Controller is %d bytes, want a whole number of 64-byte lines up to 512 (a size class of whole lines)", size)
	}
	fields := []struct {
		name      string
		off, size uintptr
	}{
		{"target", unsafe.Offsetof(c.target), unsafe.Sizeof(c.target)},
		{"onePolicy", unsafe.Offsetof(c.onePolicy), unsafe.Sizeof(c.onePolicy)},
		{"oneAlarmed", unsafe.Offsetof(c.oneAlarmed), unsafe.Sizeof(c.oneAlarmed)},
		{"policiesDue", unsafe.Offsetof(c.policiesDue), unsafe.Sizeof(c.policiesDue)},
		{"interval", unsafe.Offsetof(c.interval), unsafe.Sizeof(c.interval)},
		{"nPolicies", unsafe.Offsetof(c.nPolicies), unsafe.Sizeof(c.nPolicies)},
		{"started", unsafe.Offsetof(c.started), unsafe.Sizeof(c.started)},
		{"scheduled", unsafe.Offsetof(c.scheduled), unsafe.Sizeof(c.scheduled)},
	}
	for _, f := range fields {
		if f.off+f.size > hot {
			t.Errorf("%s at bytes [%d, %d): beyond the first two cache lines", f.name, f.off, f.off+f.size)
		}
	}
	// An interface value read across a line boundary costs both lines.
	for _, f := range fields[1:3] {
		if f.off/line != (f.off+f.size-1)/line {
			t.Errorf("%s at bytes [%d, %d): straddles a cache line", f.name, f.off, f.off+f.size)
		}
	}
}
