package metrics

import (
	"testing"
	"unsafe"
)

// sizeClasses are the Go allocator's size classes up to 1 KiB
// (runtime/sizeclasses.go): a small object takes the room of the first
// class at least its size, and objects of a class are laid out from the
// start of a page, one after another.
var sizeClasses = []uintptr{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024}

// sizeClass returns the size class an object of size bytes is allocated in.
func sizeClass(size uintptr) uintptr {
	for _, c := range sizeClasses {
		if c >= size {
			return c
		}
	}
	return 0
}

// TestAlarmEvaluationFieldsInThreeLines holds MetricAlarm's layout: every
// field an evaluation against a *Store reads or writes in the common case
// (a range slid by one period) lies in the alarm's first three 64-byte
// cache lines, and the alarm is allocated in a size class of whole lines
// (384 bytes), so that an allocated alarm starts on a line and the three
// are three, not four.
func TestAlarmEvaluationFieldsInThreeLines(t *testing.T) {
	var a MetricAlarm
	const line, hot = 64, 3 * 64
	if size := unsafe.Sizeof(a); sizeClass(size)%line != 0 {
		t.Errorf("MetricAlarm is %d bytes, allocated in the %d-byte size class: want a class of whole cache lines", size, sizeClass(size))
	}
	inc := unsafe.Offsetof(a.inc)
	fields := []struct {
		name      string
		off, size uintptr
	}{
		{"state", unsafe.Offsetof(a.state), unsafe.Sizeof(a.state)},
		{"previous", unsafe.Offsetof(a.previous), unsafe.Sizeof(a.previous)},
		{"evaluated", unsafe.Offsetof(a.evaluated), unsafe.Sizeof(a.evaluated)},
		{"checkSamples", unsafe.Offsetof(a.checkSamples), unsafe.Sizeof(a.checkSamples)},
		{"rng", unsafe.Offsetof(a.rng), unsafe.Sizeof(a.rng)},
		{"rule", unsafe.Offsetof(a.rule), unsafe.Sizeof(a.rule)},
		{"grid", unsafe.Offsetof(a.grid), unsafe.Sizeof(a.grid)},
		{"lastAt", unsafe.Offsetof(a.lastAt), unsafe.Sizeof(a.lastAt)},
		{"lastLoc", unsafe.Offsetof(a.lastLoc), unsafe.Sizeof(a.lastLoc)},
		{"lead", unsafe.Offsetof(a.lead), unsafe.Sizeof(a.lead)},
		{"period", unsafe.Offsetof(a.period), unsafe.Sizeof(a.period)},
		{"stat", unsafe.Offsetof(a.stat), unsafe.Sizeof(a.stat)},
		{"inc.store", inc + unsafe.Offsetof(a.inc.store), unsafe.Sizeof(a.inc.store)},
		{"inc.series", inc + unsafe.Offsetof(a.inc.series), unsafe.Sizeof(a.inc.series)},
		{"inc.late", inc + unsafe.Offsetof(a.inc.late), unsafe.Sizeof(a.inc.late)},
		{"inc.off", inc + unsafe.Offsetof(a.inc.off), unsafe.Sizeof(a.inc.off)},
		{"inc.open", inc + unsafe.Offsetof(a.inc.open), unsafe.Sizeof(a.inc.open)},
		{"inc.all", inc + unsafe.Offsetof(a.inc.all), unsafe.Sizeof(a.inc.all)},
		{"inc.recent", inc + unsafe.Offsetof(a.inc.recent), unsafe.Sizeof(a.inc.recent)},
		{"inc.prevOK", inc + unsafe.Offsetof(a.inc.prevOK), unsafe.Sizeof(a.inc.prevOK)},
		{"inc.raw", inc + unsafe.Offsetof(a.inc.raw), unsafe.Sizeof(a.inc.raw)},
		{"inc.gen", inc + unsafe.Offsetof(a.inc.gen), unsafe.Sizeof(a.inc.gen)},
		{"inc.view", inc + unsafe.Offsetof(a.inc.view), unsafe.Sizeof(a.inc.view)},
		{"inc.win", inc + unsafe.Offsetof(a.inc.win), unsafe.Sizeof(a.inc.win)},
		{"outcome", unsafe.Offsetof(a.outcome), unsafe.Sizeof(a.outcome)},
	}
	for _, f := range fields {
		if f.off+f.size > hot {
			t.Errorf("%s at bytes [%d, %d): beyond the first three cache lines", f.name, f.off, f.off+f.size)
		}
	}
}
