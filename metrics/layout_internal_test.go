package metrics

import (
	"slices"
	"testing"
	"unsafe"
)

// sizeClasses are the Go allocator's size classes (runtime/sizeclasses.go):
// a small object (up to 32 KiB) takes the room of the first class at least
// its size, and objects of a class are laid out from the start of a page,
// one after another; a larger one starts on a page.
var sizeClasses = []uintptr{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
	2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240,
	10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// sizeClass returns the size class an object of size bytes is allocated
// in, or for a large object its size in whole 8 KiB pages.
func sizeClass(size uintptr) uintptr {
	for _, c := range sizeClasses {
		if c >= size {
			return c
		}
	}
	return (size + 8191) &^ 8191
}

// TestAlarmEvaluationFieldsInThreeLines holds MetricAlarm's layout: every
// field an evaluation against a *Store reads or writes in the common case
// (a range slid by one period) lies in the alarm's first three 64-byte
// cache lines, and the alarm is allocated in a size class of whole lines
// (256 bytes), so that an allocated alarm starts on a line and the three
// are three, not four.
func TestAlarmEvaluationFieldsInThreeLines(t *testing.T) {
	skipUnless64(t)
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

// TestAlarmWindowInWholeLines holds the room of an alarm's compact window
// (its flags and values, see incremental.points): for a range of up to 3
// datapoints, the alarm's last cache line (small, which ends the alarm
// and shares the line only with the pointer to its cold part); for every
// longer range up to the largest, an allocation of whole
// cache lines in a size class of whole lines, so that it starts on a line.
// The flags and values do not overlap: each flag byte lies in the words
// before the values.
func TestAlarmWindowInWholeLines(t *testing.T) {
	skipUnless64(t)
	var a0 MetricAlarm
	if off, size, all := unsafe.Offsetof(a0.small), unsafe.Sizeof(a0.small), unsafe.Sizeof(a0); all%64 != 0 || off/64 != all/64-1 || off+size != all {
		t.Errorf("small at bytes [%d, %d) of %d: want the end of the alarm's last cache line", off, off+size, all)
	}
	for n := 1; n <= 8642; n++ {
		var a MetricAlarm
		inc := &a.inc
		vals, flags := a.window(n)
		if len(vals) != 2*n || len(flags) != 2*n {
			t.Fatalf("range %d: %d values and %d flags, want %d of each", n, len(vals), len(flags), 2*n)
		}
		first, last := uintptr(unsafe.Pointer(&flags[0])), uintptr(unsafe.Pointer(&flags[2*n-1]))
		if v := uintptr(unsafe.Pointer(&vals[0])); first != uintptr(unsafe.Pointer(&inc.win[0])) || last >= v {
			t.Fatalf("range %d: flags at [%#x, %#x], values from %#x: they overlap", n, first, last, v)
		}
		if inSmall := &inc.win[0] == &a.small[0]; inSmall != (n <= 3) {
			t.Fatalf("range %d: window in the alarm's small array %v, want %v", n, inSmall, n <= 3)
		} else if inSmall {
			continue
		}
		if size := uintptr(cap(inc.win)) * 8; size%64 != 0 || sizeClass(size)%64 != 0 {
			t.Fatalf("range %d: window of %d bytes (size class %d), want whole cache lines", n, size, sizeClass(size))
		}
	}
}

// TestSeriesLayout holds series' layout: the series is whole cache lines
// and allocated in a size class of whole lines, so that it starts on one
// alone or in a chunk of records (newSeries); the fields an
// alarm's read and a put look at every minute lie in its first line; and
// what a roll-up of queued rows reads (rollRun, rollUpIn) in the next two:
// the first tier's resolution, complete, evictAt, base and its buckets'
// n, head and buf in line 1, the tiers' slice and the raw samples' count
// in line 2.
func TestSeriesLayout(t *testing.T) {
	skipUnless64(t)
	var sr series
	const line = 64
	if size := unsafe.Sizeof(sr); sizeClass(size)%line != 0 || size%line != 0 {
		t.Errorf("series is %d bytes, allocated in the %d-byte size class: want whole cache lines, so that each record of a chunk (newSeries) starts on one too", size, sizeClass(size))
	}
	tb, bk := unsafe.Offsetof(sr.tierBuf), unsafe.Offsetof(sr.tierBuf[0].buckets)
	fields := []struct {
		name      string
		off, size uintptr
		line      uintptr
	}{
		{"latest", unsafe.Offsetof(sr.latest), unsafe.Sizeof(sr.latest), 0},
		{"complete", unsafe.Offsetof(sr.complete), unsafe.Sizeof(sr.complete), 0},
		{"keep", unsafe.Offsetof(sr.keep), unsafe.Sizeof(sr.keep), 0},
		{"late", unsafe.Offsetof(sr.late), unsafe.Sizeof(sr.late), 0},
		{"grp", unsafe.Offsetof(sr.grp), unsafe.Sizeof(sr.grp), 0},
		{"col", unsafe.Offsetof(sr.col), unsafe.Sizeof(sr.col), 0},
		{"expired", unsafe.Offsetof(sr.expired), unsafe.Sizeof(sr.expired), 0},
		{"taken", unsafe.Offsetof(sr.taken), unsafe.Sizeof(sr.taken), 0},
		{"tierBuf[0].resolution", tb + unsafe.Offsetof(sr.tierBuf[0].resolution), 8, 1},
		{"tierBuf[0].complete", tb + unsafe.Offsetof(sr.tierBuf[0].complete), 8, 1},
		{"tierBuf[0].evictAt", tb + unsafe.Offsetof(sr.tierBuf[0].evictAt), 8, 1},
		{"tierBuf[0].base", tb + unsafe.Offsetof(sr.tierBuf[0].base), 8, 1},
		{"tierBuf[0].buckets.n", tb + bk + unsafe.Offsetof(sr.tierBuf[0].buckets.n), 8, 1},
		{"tierBuf[0].buckets.head", tb + bk + unsafe.Offsetof(sr.tierBuf[0].buckets.head), 8, 1},
		{"tierBuf[0].buckets.buf (pointer and length)", tb + bk + unsafe.Offsetof(sr.tierBuf[0].buckets.buf), 16, 1},
		{"tiers (pointer and length)", unsafe.Offsetof(sr.tiers), 16, 2},
		{"raw.n", unsafe.Offsetof(sr.raw) + unsafe.Offsetof(sr.raw.n), 8, 2},
	}
	for _, f := range fields {
		if f.off/line != f.line || (f.off+f.size-1)/line != f.line {
			t.Errorf("%s at bytes [%d, %d): want it in cache line %d", f.name, f.off, f.off+f.size, f.line)
		}
	}
}

// TestAlarmPreloadLoadsTheThreeLines holds MetricAlarm.preload, and the
// lines AlarmLines.Prefetch asks for, to the layout above: the three
// fields preload loads from the alarm itself lie one on each of the
// alarm's first three lines, those an evaluation reads, and they are the
// fields at alarmLines.
func TestAlarmPreloadLoadsTheThreeLines(t *testing.T) {
	var a MetricAlarm
	inc := unsafe.Offsetof(a.inc)
	offs := []uintptr{unsafe.Offsetof(a.rng), inc + unsafe.Offsetof(a.inc.late), inc + unsafe.Offsetof(a.inc.win)}
	if !slices.Equal(offs, alarmLines[:]) {
		t.Errorf("Prefetch asks for the alarm's bytes %v, want preload's %v", alarmLines, offs)
	}
	for line, off := range offs {
		if off/64 != uintptr(line) {
			t.Errorf("preload's load for line %d is at byte %d, on line %d", line, off, off/64)
		}
	}
}

// skipUnless64 skips a layout test where pointers are not 8 bytes: the
// layouts it holds are laid out for 64-bit platforms, and where int and
// pointers have 4 bytes the fields fall elsewhere (the code runs the same).
func skipUnless64(t *testing.T) {
	t.Helper()
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the layout is laid out for 64-bit platforms")
	}
}

// TestGroupReadFieldsInTwoLines holds Group's layout to readGroupLines:
// every field an alarm's read of a series of the group reads (the ring's
// position, its rows and the queue's ends: soleQueued, series.queued)
// lies in the group's first two 64-byte lines, which readGroupLines
// names, and the group is allocated in a size class of whole lines, so
// that it starts on one. The third line (the series, the store, the
// ring's block) is a put's and a group making room's.
func TestGroupReadFieldsInTwoLines(t *testing.T) {
	skipUnless64(t)
	var g Group
	const line = 64
	if size := unsafe.Sizeof(g); sizeClass(size)%line != 0 {
		t.Errorf("Group is %d bytes, allocated in the %d-byte size class: want a class of whole cache lines", size, sizeClass(size))
	}
	fields := []struct {
		name      string
		off, size uintptr
	}{
		{"head", unsafe.Offsetof(g.head), unsafe.Sizeof(g.head)},
		{"first", unsafe.Offsetof(g.first), unsafe.Sizeof(g.first)},
		{"next", unsafe.Offsetof(g.next), unsafe.Sizeof(g.next)},
		{"lastOff", unsafe.Offsetof(g.lastOff), unsafe.Sizeof(g.lastOff)},
		{"size", unsafe.Offsetof(g.size), unsafe.Sizeof(g.size)},
		{"stride", unsafe.Offsetof(g.stride), unsafe.Sizeof(g.stride)},
		{"rows", unsafe.Offsetof(g.rows), unsafe.Sizeof(g.rows)},
	}
	var lines []uintptr
	for _, o := range readGroupLines {
		lines = append(lines, o/line)
	}
	for _, f := range fields {
		if first, last := f.off/line, (f.off+f.size-1)/line; !slices.Contains(lines, first) || !slices.Contains(lines, last) {
			t.Errorf("Group.%s (bytes %d to %d) is on lines %d to %d; readGroupLines names lines %v", f.name, f.off, f.off+f.size, first, last, lines)
		}
	}
}
