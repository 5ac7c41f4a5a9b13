package metrics

import (
	"math"

	"github.com/ecssim/ecssim/internal/preload"
)

// Preload starts loading, all at once, the memory that the next
// evaluation of each alarm reads: the alarm's own lines, its evaluation
// window, its series and the series' group with its newest queued rows.
// It changes nothing, and skips nil alarms.
//
// It is for a caller that evaluates thousands of alarms a simulated
// minute, whose memory the other alarms push out of the cache by the next
// minute: called just before evaluating alarms that go together (a target
// tracking policy's AlarmHigh and AlarmLow), it lets their trips to memory
// overlap instead of following one another (see BENCHMARKS.md, round 11).
func Preload(alarms ...*MetricAlarm) {
	var x uintptr
	var last *series // the series the last alarm read: a pair reads one
	for _, a := range alarms {
		if a != nil {
			x += a.preload(last)
			last = a.inc.series
		}
	}
	preload.Keep(x)
}

// preload loads what Preload says of a and returns a value computed from
// every load. The loads from a's lines come first and do not wait for
// one another; those from the lines they point to follow. The series
// and its group are skipped when the series is done, which the caller
// has loaded already.
func (a *MetricAlarm) preload(done *series) uintptr {
	inc := &a.inc
	// Lines 0, 1 and 2 (TestAlarmPreloadLoadsTheThreeLines): rng,
	// inc.late, inc.win.
	x := uintptr(a.rng) + uintptr(inc.late)
	if w, n := inc.win, int(a.rng); len(w) == flagWords(n)+2*n {
		// The flags, then the range's oldest value and the one after its
		// newest (where a slide by one period writes), on the window's
		// lines; a range of three is in the alarm's last line.
		lo := flagWords(n) + int(inc.off)
		x += uintptr(math.Float64bits(w[0]) + math.Float64bits(w[lo]) + math.Float64bits(w[min(lo+n, len(w)-1)]))
	}
	if sr := inc.series; sr != nil && sr != done {
		x += uintptr(sr.latest) // its first line, which the reads use
		if g := sr.grp; g != nil {
			x += g.preload()
		}
	}
	return x
}

// Preload starts loading, all at once, the memory that the next PutRow
// (and an alarm's read of the group's series) reads: the group's lines,
// its newest row and the two before it, and the ring's room for the next
// row. It changes nothing. See the package function Preload for why.
func (g *Group) Preload() { preload.Keep(g.preload()) }

func (g *Group) preload() uintptr {
	// The group's lines: it starts anywhere in its size class's slot, and
	// these fields are at its start, middle and end.
	x := uintptr(g.head) + uintptr(g.size) + uintptr(len(g.srs)) + uintptr(len(g.slots))
	if g.next == g.first || g.width == 0 {
		return x
	}
	rows, w, r := g.rows, g.width, g.lastOff
	if r < 0 || r+w > len(rows) { // never, while the queue holds rows; a preload must not panic
		return x
	}
	// The newest row, a word per line of it (an alarm's read and
	// soleQueued look at its header and a column).
	for i := 0; i < w; i += 8 {
		x += uintptr(rows[r+i])
	}
	// The two rows before it, where the ring does not wrap: an alarm's
	// window is usually the row before the newest, and soleQueued checks
	// the row before that.
	for p := r - w; p >= 0 && p >= r-2*w; p -= w {
		x += uintptr(rows[p])
	}
	if nx := r + w; nx+w <= len(rows) { // the next row's room, where PutRow writes
		x += uintptr(rows[nx] + rows[nx+w-1])
	}
	return x
}
