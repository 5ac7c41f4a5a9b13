package metrics

import (
	"testing"
	"unsafe"
)

// TestAlarmEvaluationFieldsInFourLines holds MetricAlarm's layout: every
// field an evaluation against a *Store reads or writes in the common case
// (a range slid by one period) lies in the alarm's first four 64-byte
// cache lines, and the alarm's size is a whole number of lines (448 bytes,
// one of the allocator's size classes), so that an allocated alarm starts
// on a line and the four are four, not five.
func TestAlarmEvaluationFieldsInFourLines(t *testing.T) {
	var a MetricAlarm
	const line, hot = 64, 4 * 64
	if size := unsafe.Sizeof(a); size%line != 0 || size != 448 {
		t.Errorf("MetricAlarm is %d bytes, want 448 (a size class of whole cache lines)", size)
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
		{"inc.visible", inc + unsafe.Offsetof(a.inc.visible), unsafe.Sizeof(a.inc.visible)},
		{"inc.view", inc + unsafe.Offsetof(a.inc.view), unsafe.Sizeof(a.inc.view)},
		{"inc.vals", inc + unsafe.Offsetof(a.inc.vals), unsafe.Sizeof(a.inc.vals)},
		{"inc.flags", inc + unsafe.Offsetof(a.inc.flags), unsafe.Sizeof(a.inc.flags)},
		{"outcome", unsafe.Offsetof(a.outcome), unsafe.Sizeof(a.outcome)},
		{"minSamples", unsafe.Offsetof(a.minSamples), unsafe.Sizeof(a.minSamples)},
	}
	for _, f := range fields {
		if f.off+f.size > hot {
			t.Errorf("%s at bytes [%d, %d): beyond the first four cache lines", f.name, f.off, f.off+f.size)
		}
	}
}
