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
	if o0, o1, o2, o3, ok := a.windowOffs(); ok {
		for _, off := range [...]uintptr{o0, o1, o2, o3} {
			x += uintptr(math.Float64bits(inc.win[off/windowWord]))
		}
	}
	if sr := inc.series; sr != nil && sr != done {
		x += uintptr(sr.latest) // its first line, which the reads use
		if g := sr.grp; g != nil {
			x += g.preload(rowsRead)
		}
	}
	return x
}

// Preload starts loading, all at once, the memory that the next PutRow
// and an alarm's read of the group's series read: the group's lines, its
// newest row and the two before it, and the ring's room for the next row.
// It changes nothing. See the package function Preload for why.
func (g *Group) Preload() { preload.Keep(g.preload(rowsRead | rowsWrite)) }

// preload loads the group's lines and the rows' lines that which names
// (see rowRuns) and returns a value computed from every load.
func (g *Group) preload(which uint8) uintptr {
	// The group's lines (groupLines; an alarm's read, readGroupLines).
	x := uintptr(g.head) + uintptr(g.size)
	if which&rowsWrite != 0 {
		x += uintptr(len(g.srs))
	}
	var buf rowRunBuf
	for _, run := range g.rowRuns(&buf, which) {
		// A word on each line of the run: every eighth, and its last.
		off, end := int(run.Off/rowWord), int((run.Off+run.Len)/rowWord)
		for i := off; i < end; i += 8 {
			x += uintptr(g.rows[i])
		}
		x += uintptr(g.rows[end-1])
	}
	return x
}

// windowWord is the size of a word of an alarm's window.
const windowWord = unsafe.Sizeof(float64(0))

// windowOffs returns the offsets in a's window, in bytes, of a word on
// each line that its next evaluation reads when it slides the range by a
// period, the common case: the flags (word 0), the newest value and the
// one after it (the slide writes there, and reads again the datapoint
// that was still open), and the range's oldest value when the slide
// reaches the end of the window and copies the range back to its start
// (else o3 repeats o2). Two of them may be on one line (a range of
// three, in the alarm's last line, is one line): asking twice for a line
// costs an instruction, not a trip to memory. ok is false when the
// window is not laid out for the range.
func (a *MetricAlarm) windowOffs() (o0, o1, o2, o3 uintptr, ok bool) {
	w, n := a.inc.win, int(a.rng)
	if len(w) != flagWords(n)+2*n {
		return 0, 0, 0, 0, false
	}
	off := int(a.inc.off)
	lo := flagWords(n) + off
	o1, o2 = uintptr(lo+n-1)*windowWord, uintptr(min(lo+n, len(w)-1))*windowWord
	o3 = o2
	if off >= n { // the slide copies (off+1+n > 2n): see incremental.read
		o3 = uintptr(lo) * windowWord
	}
	return 0, o1, o2, o3, true
}

// windowAt returns the addresses of windowOffs' words in a's window, or
// none four times when a is nil or its window is not laid out.
func (a *MetricAlarm) windowAt(none uintptr) (uintptr, uintptr, uintptr, uintptr) {
	if a == nil {
		return none, none, none, none
	}
	_, o1, o2, o3, ok := a.windowOffs()
	if !ok {
		return none, none, none, none
	}
	w := uintptr(unsafe.Pointer(unsafe.SliceData(a.inc.win)))
	return w, w + o1, w + o2, w + o3
}

// Which rows of a group's ring a minute reads (rowRuns): an alarm's read
// of one of its series reads the newest row, the row before it (the
// window that closed a period ago, read again while it was open) and
// the header of the row before that (soleQueued checks it is older than
// the window); PutRow reads the newest row's header and writes the room
// of the next row. Each asks only for its own: a line asked for and not
// read takes a place among the misses the processor can have in flight
// (BENCHMARKS.md, issue 13, round 19).
const (
	rowsRead uint8 = 1 << iota
	rowsWrite
)

// rowRunBuf is room for every run rowRuns returns: three when reading,
// two when writing.
type rowRunBuf [5]preload.Run

// rowWord is the size of a word of a group's ring.
const rowWord = unsafe.Sizeof(uint64(0))

// rowRun returns the run of n words of a group's ring from word off, in
// bytes from the ring's start.
func rowRun(off, n int) preload.Run {
	return preload.Run{Off: uintptr(off) * rowWord, Len: uintptr(n) * rowWord}
}

// rowRuns returns the runs of g.rows that which (rowsRead, rowsWrite or
// both) reads or writes, each within the ring, in bytes from its start.
// None while the queue holds no rows. A caller asks for all their lines
// in one call (preload.Runs): a few instructions a line, where naming a
// word on each line first cost about 230 instructions a call
// (BENCHMARKS.md, issue 13, round 20).
func (g *Group) rowRuns(buf *rowRunBuf, which uint8) []preload.Run {
	if g.next == g.first || g.width == 0 {
		return nil
	}
	rows, w, st, r := g.rows, g.width, g.stride, g.lastOff
	if r < 0 || r+w > len(rows) { // never, while the queue holds rows; a preload must not panic
		return nil
	}
	n := 0
	if which&rowsRead != 0 {
		buf[0] = rowRun(r, w)
		n = 1
		if p := r - st; p >= 0 { // where the ring does not wrap
			buf[1] = rowRun(p, w)
			n = 2
			if p -= st; p >= 0 {
				buf[2] = rowRun(p, 1)
				n = 3
			}
		}
	}
	if which&rowsWrite != 0 {
		buf[n] = rowRun(r, 2) // the newest header
		n++
		// The room of row next: offset's arithmetic holds for it while
		// the ring has room; else the next row makes room first, and the
		// room moves.
		if g.next-g.first < g.size {
			if nx := g.offset(g.next); nx+w <= len(rows) {
				buf[n] = rowRun(nx, w)
				n++
			}
		}
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

// Complete reports whether l names a series and its group: the alarms
// have found their series, and it is published through a Group (as a
// world's workloads publish). A caller can then take l again rarely (it
// changes when the series is forgotten or the alarms read another
// store); a series published otherwise has no group, and its Lines are
// never complete.
func (l *AlarmLines) Complete() bool { return l.series != nil && l.group != nil }

// alarmLines, groupLines and readGroupLines are the offsets of a field on
// each line that an evaluation reads of an alarm (as MetricAlarm.preload
// reads them), that a put reads of a group (as Group.preload), and that
// an alarm's read of a series of the group reads: the first two of the
// group's three (TestGroupReadFieldsInTwoLines), not the last, with the
// series, the store and the ring's block, which only puts and a group
// making room read.
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
	}
	readGroupLines = groupLines[:2]
	firstLine      = [...]uintptr{0}
)

// Prefetch asks the processor for the alarms' lines, the series' first
// line and the group's lines, and returns at once: it reads nothing but
// l, so it never waits for memory.
func (l *AlarmLines) Prefetch() { l.PrefetchWith(0, 0, 0) }

// PrefetchWith is Prefetch, asking in the same calls for the lines at
// addresses x, y and z, a caller's own (0: none). The nine lines and the
// caller's three go in two calls of their addresses (preload.At8 and
// At4): with the scaler's and its controller's lines, a call of each
// object's list of offsets took about 220 instructions a service·minute
// at 5,000 services, and this way 130 (BENCHMARKS.md, issue 13, round
// 22).
func (l *AlarmLines) PrefetchWith(x, y, z uintptr) {
	none := uintptr(unsafe.Pointer(l)) // in the cache: a harmless repeat
	a0, a1, a2 := l.alarms[0].linesAt(none)
	b0, b1, b2 := l.alarms[1].linesAt(none)
	sr, g0, g1 := none, none, none
	if l.series != nil {
		sr = uintptr(unsafe.Pointer(l.series))
	}
	if l.group != nil {
		g0 = uintptr(unsafe.Pointer(l.group))
		g0, g1 = g0+readGroupLines[0], g0+readGroupLines[1]
	}
	preload.At8(a0, a1, a2, b0, b1, b2, sr, g0)
	preload.At4(g1, or(x, none), or(y, none), or(z, none))
}

// or returns addr, or none when addr is 0.
func or(addr, none uintptr) uintptr {
	if addr == 0 {
		return none
	}
	return addr
}

// linesAt returns the addresses of alarmLines in a, or none three times
// for a nil a.
func (a *MetricAlarm) linesAt(none uintptr) (uintptr, uintptr, uintptr) {
	if a == nil {
		return none, none, none
	}
	p := uintptr(unsafe.Pointer(a))
	return p + alarmLines[0], p + alarmLines[1], p + alarmLines[2]
}

// PrefetchData asks for the memory whose addresses are in the lines that
// Prefetch asked for: the alarms' windows and the group's newest rows.
// It reads those lines, so a caller calls it a while after Prefetch (a
// pass over many alarms: one alarm later), when they have arrived. It
// names the lines' addresses in calls of them (preload.At8): with the
// workloads' own, the passes' second and third stages took 580
// instructions a service·minute at 5,000 services as lists of offsets
// and runs, and take 390 so (BENCHMARKS.md, issue 13, round 22).
func (l *AlarmLines) PrefetchData() {
	none := uintptr(unsafe.Pointer(l)) // in the cache: a harmless repeat
	a0, a1, a2, a3 := l.alarms[0].windowAt(none)
	b0, b1, b2, b3 := l.alarms[1].windowAt(none)
	preload.At8(a0, a1, a2, a3, b0, b1, b2, b3)
	l.group.prefetchRows(rowsRead)
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
		p := uintptr(unsafe.Pointer(g))
		preload.At4(p+groupLines[0], p+groupLines[1], p+groupLines[2], p)
	}
}

// PrefetchRows asks for the rows that the next PutRow reads and writes:
// the newest row's header and the ring's room for the next row. It reads
// g's lines, so a caller calls it a while after PrefetchLines (a nil g
// asks for nothing).
func (g *Group) PrefetchRows() { g.prefetchRows(rowsWrite) }

// prefetchRows asks for the rows' lines that which (rowsRead or
// rowsWrite) names (see rowRuns): in one call of their addresses
// (rowsAt), or as runs when a row is too wide for that.
func (g *Group) prefetchRows(which uint8) {
	if g == nil {
		return
	}
	if a0, a1, a2, a3, a4, a5, a6, a7, ok := g.rowsAt(which); ok {
		preload.At8(a0, a1, a2, a3, a4, a5, a6, a7)
		return
	}
	if g.width <= atRowWords {
		return // rowRuns names none either
	}
	var buf rowRunBuf
	if runs := g.rowRuns(&buf, which); len(runs) > 0 {
		preload.Runs(unsafe.Pointer(unsafe.SliceData(g.rows)), runs)
	}
}

// atRowWords is the most words of a row whose lines rowsAt names by
// three bytes: a run of up to 128 bytes has a byte on each of its lines
// at its first, its middle and its last byte.
const atRowWords = 16

// rowsAt returns the addresses of a byte on each line of g's ring that
// rowRuns(which) names, for which rowsRead or rowsWrite, repeated to
// make eight: the first, middle and last byte of each row (a header's
// first and last). Eight results, not an array, so that they come back
// in registers. ok is false when rowRuns names none, and when a row is
// wider than atRowWords.
func (g *Group) rowsAt(which uint8) (a0, a1, a2, a3, a4, a5, a6, a7 uintptr, ok bool) {
	rows, w, st, r := g.rows, g.width, g.stride, g.lastOff
	if g.next == g.first || w == 0 || w > atRowWords || r < 0 || r+w > len(rows) {
		return
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(rows)))
	at := func(off int) uintptr { return base + uintptr(off)*rowWord }
	row := func(off int) (uintptr, uintptr, uintptr) {
		return at(off), at(off) + uintptr(w)*rowWord/2, at(off+w) - 1
	}
	n0, n1, n2 := row(r)
	if which == rowsRead {
		p0, p1, p2, h := n0, n1, n2, n0
		if p := r - st; p >= 0 { // where the ring does not wrap
			p0, p1, p2 = row(p)
			if p -= st; p >= 0 {
				h = at(p)
			}
		}
		return n0, n1, n2, p0, p1, p2, h, h, true
	}
	h1 := at(r+2) - 1 // the newest header is n0 to h1
	x0, x1, x2 := n0, n0, n0
	if g.next-g.first < g.size {
		if nx := g.offset(g.next); nx+w <= len(rows) {
			x0, x1, x2 = row(nx)
		}
	}
	return n0, h1, x0, x1, x2, n0, n0, n0, true
}
