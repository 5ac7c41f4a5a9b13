package metrics

import (
	"math"
	"unsafe"

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
	if lo, hi, ok := a.windowEnds(); ok {
		w := inc.win
		x += uintptr(math.Float64bits(w[0]) + math.Float64bits(w[lo]) + math.Float64bits(w[hi]))
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
	var small [smallRowWords]int
	var words []int
	if g.smallRow() {
		words = g.rowWords(small[:])
	} else {
		var wide rowWords
		words = g.rowWords(wide[:])
	}
	for _, i := range words {
		x += uintptr(g.rows[i])
	}
	return x
}

// windowEnds returns the indices in a's window of the range's oldest
// value and of the one after its newest (where a slide by one period
// writes): with the flags at index 0, the window's lines an evaluation
// reads. A range of three is in the alarm's last line. ok is false when
// the window is not laid out for the range.
func (a *MetricAlarm) windowEnds() (lo, hi int, ok bool) {
	w, n := a.inc.win, int(a.rng)
	if len(w) != flagWords(n)+2*n {
		return 0, 0, false
	}
	lo = flagWords(n) + int(a.inc.off)
	return lo, min(lo+n, len(w)-1), true
}

// rowWords is room for the words of rowWords: a word per line of the
// widest row (2 + 4 × MaxGroupMetrics words), two older rows and two
// words of the next row's room.
type rowWords [(2+4*MaxGroupMetrics+7)/8 + 4]int

// rowWords returns the index in g.rows of a word on each line that a
// minute reads of the ring: the newest row, a word per line of it (an
// alarm's read and soleQueued look at its header and a column); the two
// rows before it, where the ring does not wrap (an alarm's window is
// usually the row before the newest, and soleQueued checks the row before
// that); and the next row's room, where PutRow writes. None while the
// queue holds no rows.
func (g *Group) rowWords(buf []int) []int {
	if g.next == g.first || g.width == 0 {
		return nil
	}
	rows, w, st, r := g.rows, g.width, g.stride, g.lastOff
	if r < 0 || r+w > len(rows) { // never, while the queue holds rows; a preload must not panic
		return nil
	}
	n := 0
	add := func(i int) {
		if n < len(buf) { // always: callers give room for their row (rowWords for the widest); a preload must not panic
			buf[n] = i
			n++
		}
	}
	for i := 0; i < w; i += 8 {
		add(r + i)
	}
	for p := r - st; p >= 0 && p >= r-2*st; p -= st {
		add(p)
	}
	if nx := r + st; nx+w <= len(rows) {
		add(nx)
		add(nx + w - 1)
	}
	return buf[:n]
}

// AlarmLines is where the next evaluation of one or two alarms that read
// the same series (a target tracking policy's AlarmHigh and AlarmLow)
// reads memory, held by a caller that evaluates thousands of alarms a
// minute: with it, the caller asks for the alarms' memory without reading
// the alarms first, each read of an address being a trip to memory of its
// own. The zero value names nothing.
//
// What it names can go stale (a policy replaced, its alarms with it): a
// stale AlarmLines asks for memory nobody reads, which costs time but
// changes nothing. A caller refreshes it after each evaluation, when the
// alarms' lines are in the cache.
type AlarmLines struct {
	alarms [2]*MetricAlarm
	series *series
	group  *Group
}

// LinesOf returns the AlarmLines of a and b (either may be nil). The
// series and group named are a's, or b's when a is nil.
func LinesOf(a, b *MetricAlarm) AlarmLines {
	l := AlarmLines{alarms: [2]*MetricAlarm{a, b}}
	if a == nil {
		a = b
	}
	if a != nil && a.inc.series != nil {
		l.series, l.group = a.inc.series, a.inc.series.grp
	}
	return l
}

// alarmLines and groupLines are the offsets of a field on each line that
// an evaluation reads of an alarm (as MetricAlarm.preload reads them) and
// of a group (as Group.preload).
var (
	alarmLines = [...]uintptr{
		unsafe.Offsetof(MetricAlarm{}.rng),
		unsafe.Offsetof(MetricAlarm{}.inc) + unsafe.Offsetof(incremental{}.late),
		unsafe.Offsetof(MetricAlarm{}.inc) + unsafe.Offsetof(incremental{}.win),
	}
	groupLines = [...]uintptr{
		unsafe.Offsetof(Group{}.head),
		unsafe.Offsetof(Group{}.size),
		unsafe.Offsetof(Group{}.srs),
		unsafe.Offsetof(Group{}.slots),
	}
	firstLine = [...]uintptr{0}
)

// Prefetch asks the processor for the alarms' lines, the series' first
// line and the group's lines, and returns at once: it reads nothing but
// l, so it never waits for memory.
func (l *AlarmLines) Prefetch() {
	for _, a := range l.alarms {
		if a != nil {
			preload.Prefetch(unsafe.Pointer(a), alarmLines[:])
		}
	}
	if l.series != nil {
		preload.Prefetch(unsafe.Pointer(l.series), firstLine[:])
	}
	l.group.PrefetchLines()
}

// PrefetchData asks for the memory whose addresses are in the lines that
// Prefetch asked for: the alarms' windows and the group's newest rows.
// It reads those lines, so a caller calls it a while after Prefetch (a
// pass over many alarms: one alarm later), when they have arrived.
func (l *AlarmLines) PrefetchData() {
	for _, a := range l.alarms {
		if a != nil {
			a.prefetchWindow()
		}
	}
	l.group.PrefetchRows()
}

// prefetchWindow asks for the lines of a's window that an evaluation
// reads (those MetricAlarm.preload loads).
func (a *MetricAlarm) prefetchWindow() {
	if lo, hi, ok := a.windowEnds(); ok {
		const word = unsafe.Sizeof(a.inc.win[0])
		offs := [...]uintptr{0, uintptr(lo) * word, uintptr(hi) * word}
		preload.Prefetch(unsafe.Pointer(&a.inc.win[0]), offs[:])
	}
}

// seriesTakeLines are the offsets of a field on each line of a series
// that taking its queued rows reads: its newest sample and retention, its
// first tier (the default's only one), and its tiers with the count of
// its raw samples, which share a line.
var seriesTakeLines = [...]uintptr{
	unsafe.Offsetof(series{}.latest),
	unsafe.Offsetof(series{}.tierBuf),
	unsafe.Offsetof(series{}.tiers),
}

// prefetchSeries asks for the lines of g's series that makeRoom reads.
func (g *Group) prefetchSeries() {
	for i, sr := range g.srs {
		if g.slots[i].flags&slotLost == 0 {
			preload.Prefetch(unsafe.Pointer(sr), seriesTakeLines[:])
		}
	}
}

// prefetchBuckets asks for the newest bucket of each tier of g's series,
// which rows leaving the queue are rolled up into. It reads the series'
// lines, so it comes a while after prefetchSeries.
func (g *Group) prefetchBuckets() {
	for i, sr := range g.srs {
		if g.slots[i].flags&slotLost != 0 {
			continue
		}
		for k := range sr.tiers {
			if b := &sr.tiers[k].buckets; b.n > 0 {
				preload.Prefetch(unsafe.Pointer(b.last()), firstLine[:])
			}
		}
	}
}

// PrefetchLines asks the processor for g's lines and returns at once (a
// nil g asks for nothing). See AlarmLines for why.
func (g *Group) PrefetchLines() {
	if g != nil {
		preload.Prefetch(unsafe.Pointer(g), groupLines[:])
	}
}

// PrefetchRows asks for the rows that Preload loads: the newest, the two
// before it and the next row's room. It reads g's lines, so a caller
// calls it a while after PrefetchLines (a nil g asks for nothing).
func (g *Group) PrefetchRows() {
	if g == nil {
		return
	}
	var small [smallRowWords]int
	var words []int
	if g.smallRow() {
		words = g.rowWords(small[:])
	} else {
		var wide rowWords
		words = g.rowWords(wide[:])
	}
	if len(words) == 0 {
		return
	}
	const word = unsafe.Sizeof(g.rows[0])
	var offs [smallRowWords]uintptr
	for len(words) > 0 {
		k := min(len(words), len(offs))
		for j, i := range words[:k] {
			offs[j] = uintptr(i) * word
		}
		preload.Prefetch(unsafe.Pointer(&g.rows[0]), offs[:k])
		words = words[k:]
	}
}

// smallRowWords is room for the words of rowWords for a row of up to 8
// lines (62 series of single samples, 15 of statistic sets). Most rows
// are a few lines wide: their words fit a buffer on the stack a fraction
// of rowWords' size, which each preload would clear (two a service's
// minute, BENCHMARKS.md, issue 13, round 14).
const smallRowWords = 8 + 4

// smallRow reports whether rowWords' words of g fit smallRowWords.
func (g *Group) smallRow() bool { return g.width <= 8*(smallRowWords-4) }
