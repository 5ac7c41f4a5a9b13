package metrics

import (
	"math"
	"math/bits"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// GroupMetric is one series of a [Group].
type GroupMetric struct {
	Metric Metric
	// StatisticSets says the series is written with Group.PutStatisticSet
	// (pre-aggregated sets, such as a load balancer's response times);
	// otherwise it is written with Group.Put (single samples).
	StatisticSets bool
}

// MaxGroupMetrics is the most series one Group holds.
const MaxGroupMetrics = 64

// groupRows is the queue's first capacity in rows, and how many of its
// oldest rows leave it at once when it needs room. Making room reads
// every series' record and newest buckets whatever the rows, so fewer,
// larger batches read fewer lines a row: at 5,000 services, 36.4 lines
// a service·minute from memory at 16, 34.4 at 32 and 33.6 at 64, for
// 20.6, 22.2 and 25.5 KiB of metric state a service (cachegrind,
// BENCHMARKS.md, issue 13, round 19).
const groupRows = 32

// maxGroupRows bounds the rows a queue holds: about four hours of
// one-minute rows, 2 KiB per series declared with single samples and
// 8 KiB per series declared with statistic sets (a raw sample takes 40
// bytes). A queue grows towards it only while the rows that would leave
// it are still within the raw retention of a series that has not taken
// them; beyond it they are written into the series.
const maxGroupRows = 256

// Group is a set of series written together, at the same timestamps, such
// as the metrics an ECS service publishes every minute. A put through a
// Group is queued in a row (one per timestamp) instead of being written
// into its series' own memory at once; each series takes its queued puts,
// in order, when anything reads or writes it otherwise, when its oldest
// rows leave the queue to make room, and when the store is inspected as a
// whole (Expire, ListMetrics, Usage, Bytes). So every read sees exactly
// what the same puts made through Handles would have left, and a row of
// puts touches a few adjacent bytes rather than the memory of every series
// it writes, which is what makes the puts of thousands of services a
// minute cheap.
//
// The queue holds its rows for as long as the raw retention of its series
// (up to maxGroupRows rows): a row leaves it only once, for every series
// that has not taken it, it is older than that series' raw retention
// measured back from the series' newest queued sample. Such a row is
// rolled up into the series' tiers and never copied into its raw samples,
// where no read could see it any more. So a series that nothing reads
// (most of what a service publishes) costs its raw samples neither memory
// nor writes. An alarm's evaluation reads the rows its series has not
// taken where they are, when its whole range is answered from raw
// samples (MetricAlarm.Evaluate), so a series only alarms read is rolled
// up the same way; any other read makes the series take its rows first.
//
// Puts that a queue cannot order (a timestamp older than the queue's
// newest row, a series written twice at one timestamp, a put of the other
// kind than the series was declared with, a timestamp older than a sample
// written to one of the series outside the group) are written at once, as
// a Handle would, and report the same errors.
type Group struct {
	// What a put reads comes first.
	stale bool   // Expire forgot a series of the group: look them up again
	head  int32  // the ring's position of row first (see first)
	width int    // words per row: the timestamp, the presence bits, then one value word per single-sample series and four per set series
	plain uint64 // the series queued with single samples (no flags), by bit
	// direct: the series whose first value word is their index (every
	// series before them has single samples) and that no newer group took
	// over: the single-sample ones (also in plain), which a row put
	// writes without reading their slots, and the statistic set ones
	// (not in plain), which a set put to the newest row writes so.
	direct uint64
	// takenNext: the series whose slot's taken is next (they have taken
	// every row), by bit, kept with the slots (newRow, takeTo), so that a
	// put to the newest row learns whether it may without reading the
	// slots (TestSeriesTakenMirrorsSlot).
	takenNext uint64
	floor     int64 // a queued put must be at or after it, so that it is in order for every series whatever was written to them outside the group (their newest sample) and whatever Expire advanced
	// The rows are numbered from the group's first put on: the queue holds
	// rows first to next-1, row first at position head of the ring rows.
	first, next int
	lastOff     int      // the newest row's first word in rows, while the queue holds rows
	size        int      // the ring's capacity in rows
	stride      int      // words from a row of the ring to the next: width, times the lanes of its block
	rows        []uint64 // a ring of size rows, stride words apart: the group's lane of block
	slots       []groupSlot
	srs         []*series // by index
	store       *Store
	block       *ringBlock
	// The group takes 192 bytes, a size class of whole lines, so that it
	// starts on a line: an alarm's read of one of its series then reads
	// two lines of it and a put three (TestGroupReadFieldsInTwoLines);
	// in the 176-byte class a group could straddle four.
	_ [16]byte
}

// groupSlot is what a Group knows of one of its series.
type groupSlot struct {
	taken int    // the number of the first row the series has not taken
	off   uint16 // the series' first value word in a row, after the two header words
	flags uint8  // slotSets, slotLost
}

const (
	slotSets uint8 = 1 << iota // written with statistic sets (four words)
	slotLost                   // a newer group took the series over: write it at once
)

// Group returns a group of the series of ms, creating them as needed. A
// series belongs to at most one group: one that belonged to another group
// is taken over (after it took what that group queued), and the other
// group writes it at once from then on. A metric may appear once.
func (s *Store) Group(ms ...GroupMetric) (*Group, error) {
	errs := fielderr.NewList(ErrInvalidMetric)
	if len(ms) == 0 || len(ms) > MaxGroupMetrics {
		errs.Add("metrics", len(ms), "must number 1 to "+strconv.Itoa(MaxGroupMetrics))
	}
	g := &Group{store: s, floor: math.MinInt64, width: 2}
	for i, gm := range ms {
		field := "metrics[" + strconv.Itoa(i) + "]"
		sr, err := s.lookupOrCreate(gm.Metric)
		if err != nil {
			errs.Add(field, gm.Metric.String(), err.Error())
			continue
		}
		if slices.Contains(g.srs, sr) {
			errs.Add(field, gm.Metric.String(), "must appear once")
			continue
		}
		slot := groupSlot{off: uint16(g.width - 2)}
		g.width++
		if gm.StatisticSets {
			slot.flags = slotSets
			g.width += 3
		}
		if slot.flags == 0 {
			g.plain |= 1 << i
			if int(slot.off) == i {
				g.direct |= 1 << i
			}
		} else if int(slot.off) == i {
			g.direct |= 1 << i
		}
		g.srs, g.slots = append(g.srs, sr), append(g.slots, slot)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	for i, sr := range g.srs {
		if old := sr.grp; old != nil { // lookupOrCreate made it take old's queue
			old.lose(sr.col)
		}
		sr.grp, sr.col, sr.taken = g, i, 0
		g.floor = max(g.floor, sr.latest)
	}
	g.setRing(groupRows)
	g.takenNext = ^uint64(0) >> (64 - len(g.slots)) // taken 0 = next 0
	s.groups = append(s.groups, g)
	s.gen++
	return g, nil
}

// lose notes that a newer group took series i over: the group writes it
// at once from then on.
func (g *Group) lose(i int) {
	g.slots[i].flags |= slotLost
	g.plain &^= 1 << i
	g.direct &^= 1 << i
}

// Len returns the number of series in the group.
func (g *Group) Len() int { return len(g.srs) }

// Metric returns series i's metric, dimensions sorted by name.
func (g *Group) Metric(i int) Metric { return g.srs[i].metric }

// Put is Store.Put for series i of the group (declared without
// StatisticSets): one sample v at t.
func (g *Group) Put(i int, t time.Time, v float64) error {
	if uint(i) >= uint(len(g.slots)) || !finite(v) || !inRange(t) { // checked in line: the common case calls nothing
		if err := g.index(i); err != nil {
			return err
		}
		return validSample(t, v)
	}
	// Most puts of a row after its first: the series' word of the newest
	// row, written in place (put decides the same, with every case).
	if ts := t.UnixNano(); !g.stale && g.next > g.first && ts >= g.floor {
		row, slot := g.rows[g.lastOff:g.lastOff+g.width], &g.slots[i]
		if bit := uint64(1) << i; ts == int64(row[0]) && row[1]&bit == 0 && slot.flags == 0 && slot.taken != g.next {
			g.store.gen++ // what a window reads may change
			row[2+int(slot.off)] = math.Float64bits(v)
			row[1] |= bit
			return nil
		}
	}
	return g.put(i, t, statSet{count: 1, sum: v, min: v, max: v}, false)
}

// PutRow is Put(i, t, values[i]) for every series i whose bit 1<<i is
// set in present, in index order: the single samples of one timestamp,
// such as a service's minute. It checks t and finds the row once rather
// than once per sample, and writes the row in one step when it can;
// otherwise it makes the puts one by one, stopping at the first error
// (the puts before it are made). values holds one value per series
// (Len); those of series whose bit is clear are not read.
func (g *Group) PutRow(t time.Time, present uint64, values []float64) error {
	if len(values) != len(g.slots) {
		return fielderr.New(ErrInvalidValue, "values", len(values), "must hold one value per series ("+strconv.Itoa(len(g.slots))+")")
	}
	if present == 0 {
		return nil
	}
	if g.putRow(t, present, values) {
		return nil
	}
	for m := present; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		v := 0.0
		if i < len(values) {
			v = values[i]
		}
		if err := g.Put(i, t, v); err != nil {
			return err
		}
	}
	return nil
}

// putRow writes a row of single samples (present is not empty) in one
// step and reports true when the puts one by one would have written them
// all into one row of the queue: the timestamp is in the queue's order,
// every value is finite, every series is queued with single samples
// (plain: no bit of present beyond Len either), and the row is new or the
// newest row holds none of them yet.
func (g *Group) putRow(t time.Time, present uint64, values []float64) bool {
	if g.stale || present&^g.plain != 0 || !inRange(t) {
		return false
	}
	ts := t.UnixNano()
	if ts < g.floor {
		return false
	}
	newRow := true
	if g.next > g.first {
		switch last := int64(g.rows[g.lastOff]); {
		case ts < last:
			return false
		case ts == last:
			if g.rows[g.lastOff+1]&present != 0 {
				return false
			}
			newRow = false
		}
	}
	for m := present; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		if v := values[i]; v-v != 0 || !newRow && g.slots[i].taken == g.next { // v-v is 0 for every finite v, NaN otherwise
			return false
		}
	}
	g.store.gen++ // what a window reads may change
	var row []uint64
	if newRow {
		row = g.newRow(ts)
	} else {
		row = g.rows[g.lastOff : g.lastOff+g.width]
	}
	if present&^g.direct == 0 { // the common case: no slot to read
		for m := present; m != 0; m &= m - 1 {
			i := bits.TrailingZeros64(m)
			row[2+i] = math.Float64bits(values[i])
		}
	} else {
		for m := present; m != 0; m &= m - 1 {
			i := bits.TrailingZeros64(m)
			row[2+int(g.slots[i].off)] = math.Float64bits(values[i])
		}
	}
	row[1] |= present
	return true
}

// PutStatisticSet is Store.PutStatisticSet for series i of the group
// (declared with StatisticSets).
func (g *Group) PutStatisticSet(i int, t time.Time, set StatisticSet) error {
	// Checked in line, as in Put: the common case calls nothing.
	if uint(i) >= uint(len(g.slots)) || !(set.SampleCount > 0 && set.Minimum <= set.Maximum) ||
		!finite(set.SampleCount) || !finite(set.Sum) || !finite(set.Minimum) || !finite(set.Maximum) || !inRange(t) {
		if err := g.index(i); err != nil {
			return err
		}
		return validSet(t, set)
	}
	// The newest row's words of the series, written in place when put
	// would (as in Put).
	if ts := t.UnixNano(); !g.stale && g.next > g.first && ts >= g.floor {
		row := g.rows[g.lastOff : g.lastOff+g.width]
		if bit := uint64(1) << i; ts == int64(row[0]) && row[1]&bit == 0 {
			off := -1                       // the series' first value word, if put would write the row
			if g.direct&^g.plain&bit != 0 { // a set series' words at its index: no slot to read
				if g.takenNext&bit == 0 {
					off = i
				}
			} else if slot := &g.slots[i]; slot.flags == slotSets && slot.taken != g.next {
				off = int(slot.off)
			}
			if off >= 0 {
				g.store.gen++ // what a window reads may change
				v := row[2+off:]
				v[0], v[1], v[2], v[3] = math.Float64bits(set.SampleCount), math.Float64bits(set.Sum), math.Float64bits(set.Minimum), math.Float64bits(set.Maximum)
				row[1] |= bit
				return nil
			}
		}
	}
	return g.put(i, t, statSet{count: set.SampleCount, sum: set.Sum, min: set.Minimum, max: set.Maximum}, true)
}

func (g *Group) index(i int) error {
	if i < 0 || i >= len(g.slots) {
		return fielderr.New(ErrInvalidMetric, "series", i, "must be 0 to "+strconv.Itoa(len(g.slots)-1))
	}
	return nil
}

func (g *Group) put(i int, t time.Time, set statSet, isSet bool) error {
	g.store.gen++ // what a window reads may change
	if g.stale {
		if err := g.relookup(i); err != nil {
			return err
		}
	}
	slot := &g.slots[i]
	ts := t.UnixNano()
	if slot.flags&slotLost != 0 {
		sr := g.srs[i]
		sr.flush() // what its new group queued
		sr.wroteOutside(ts)
		return g.store.putSeries(sr, t, set)
	}
	var last []uint64 // the newest row
	if g.next > g.first {
		last = g.row(g.next - 1)
	}
	if (slot.flags&slotSets != 0) != isSet || ts < g.floor || last != nil && ts < int64(last[0]) {
		// Out of the queue's order: write at once, after what is queued.
		g.take(i)
		g.floor = max(g.floor, ts)
		return g.store.putSeries(g.srs[i], t, set)
	}
	if last == nil || ts != int64(last[0]) || last[1]&(1<<i) != 0 || slot.taken == g.next {
		last = g.newRow(ts)
	}
	v := last[2+int(slot.off):]
	if isSet {
		v[0], v[1], v[2], v[3] = math.Float64bits(set.count), math.Float64bits(set.sum), math.Float64bits(set.min), math.Float64bits(set.max)
	} else {
		v[0] = math.Float64bits(set.sum)
	}
	last[1] |= 1 << i
	return nil
}

// mirrorTaken copies slot i's taken into its series while the series is
// the group's (series.taken), and into takenNext's bit i (whether it is
// next). Every change of a slot's taken calls it; a change of next
// clears takenNext (newRow).
func (g *Group) mirrorTaken(i int) {
	if sr := g.srs[i]; sr.grp == g && sr.col == i {
		sr.taken = g.slots[i].taken
	}
	if bit := uint64(1) << i; g.slots[i].taken == g.next {
		g.takenNext |= bit
	} else {
		g.takenNext &^= bit
	}
}

// row returns the row numbered k; first <= k < next.
func (g *Group) row(k int) []uint64 {
	p := g.offset(k)
	return g.rows[p : p+g.width]
}

// offset returns the first word of row k in rows; first <= k < next.
func (g *Group) offset(k int) int {
	p := int(g.head) + k - g.first
	if p >= g.size {
		p -= g.size
	}
	return p * g.stride
}

// newRow starts the row of timestamp ts, making room for it first.
func (g *Group) newRow(ts int64) []uint64 {
	if g.next-g.first == g.size {
		g.makeRoom()
	}
	g.next++
	g.takenNext = 0 // no series has taken the new row
	last := g.row(g.next - 1)
	last[0], last[1] = uint64(ts), 0
	g.lastOff = g.offset(g.next - 1)
	return last
}

// makeRoom frees the queue's oldest groupRows rows, after every series
// took them; if one of them would still be in the raw retention of a
// series that has not taken it, the queue grows instead (up to
// maxGroupRows), so that a series nothing reads only ever rolls its
// samples up.
func (g *Group) makeRoom() {
	c := g.size
	upto := g.first + min(groupRows, c)
	// Every series' record, then every series' newest buckets, asked
	// for all at once: a group makes room once in a while, so they are
	// in memory, and read series by series they would arrive one after
	// another (BENCHMARKS.md, issue 13, round 13).
	g.prefetchSeries()
	if c < maxGroupRows {
		keep := int64(-1) // the longest raw retention a row that would leave is still in
		for i := range g.slots {
			if g.needsRaw(i, upto) {
				keep = max(keep, g.srs[i].keep)
			}
		}
		if keep >= 0 {
			g.grow(g.grownSize(keep))
			return
		}
	}
	g.prefetchBuckets()
	for i := range g.slots {
		g.takeTo(i, upto)
	}
	g.head += int32(upto - g.first)
	if int(g.head) >= c {
		g.head -= int32(c)
	}
	g.first = upto
}

// grownSize returns the capacity a full queue that must keep its oldest
// rows grows to: the capacity that growing groupRows rows at a time would
// settle at if the rows kept coming at the spacing the queue holds, for a
// raw retention of keep nanoseconds, so that a queue grows in one step
// (one allocation and one copy, rather than one per groupRows rows: the
// copies and the fresh memory of a growing queue were most of a world's
// first hours). It is at least groupRows more than now and at most
// maxGroupRows; rows that come faster than that later grow it again, as
// before.
func (g *Group) grownSize(keep int64) int {
	c := min(g.size+groupRows, maxGroupRows)
	n := g.next - g.first
	if n < 2 {
		return c
	}
	span := int64(g.rows[g.offset(g.next-1)]) - int64(g.rows[g.offset(g.first)])
	if span <= 0 {
		return c
	}
	// A queue of c rows, full, frees its oldest groupRows rows once the
	// newest of them, (groupRows-1) spacings after the oldest, is older
	// than the newest row (c-1 spacings after it) less keep: once
	// (c-groupRows) spacings exceed keep. With span/(n-1) the spacing,
	// (c-groupRows)·span > keep·(n-1), in floats: keep·(n-1) can
	// overflow int64 for long retentions.
	for c < maxGroupRows && float64(c-groupRows)*float64(span) <= float64(keep)*float64(n-1) {
		c += groupRows
	}
	return min(c, maxGroupRows)
}

// grow moves the queue into a ring of c rows, oldest first.
func (g *Group) grow(c int) {
	g.setRing(c)
	g.lastOff = g.offset(g.next - 1)
}

// retiredBefore returns the instant before which the queued samples of
// series i will be out of its raw retention once it has taken every row
// (its newest queued sample less its retention; it only moves forward), and
// false if none of its samples is queued from row `from` on.
func (g *Group) retiredBefore(i, from int) (int64, bool) {
	for k := g.next - 1; k >= from; k-- {
		if r := g.offset(k); g.rows[r+1]&(1<<i) != 0 {
			sr := g.srs[i]
			return max(sr.complete, int64(g.rows[r])-sr.keep), true
		}
	}
	return 0, false
}

// needsRaw reports whether series i would copy into its raw samples one of
// the rows before upto that it has not taken.
func (g *Group) needsRaw(i, upto int) bool {
	from := max(g.slots[i].taken, g.first)
	if from >= upto || g.slots[i].flags&slotLost != 0 {
		return false
	}
	cut, ok := g.retiredBefore(i, from)
	if !ok {
		return false
	}
	for k := upto - 1; k >= from; k-- { // the newest of them decides
		if row := g.row(k); row[1]&(1<<i) != 0 {
			return int64(row[0]) >= cut
		}
	}
	return false
}

// queued returns, for the series, what retiredBefore says of its queued
// samples (where its raw samples will start once it took them) and its
// newest queued sample; false if its group queues none for it.
func (sr *series) queued() (cut, newest int64, ok bool) {
	g := sr.grp
	if g == nil {
		return 0, 0, false
	}
	from := max(sr.taken, g.first)
	for k := g.next - 1; k >= from; k-- {
		if r := g.offset(k); g.rows[r+1]&(1<<sr.col) != 0 {
			newest = int64(g.rows[r])
			return max(sr.complete, newest-sr.keep), newest, true
		}
	}
	return 0, 0, false
}

// queuedRange is the rows from to to-1 of a group, those of the series
// col has not taken with timestamps in a window.
type queuedRange struct {
	g        *Group
	col      int
	from, to int
}

// queuedIn returns the rows series i has not taken with timestamps in
// [start, end).
func (g *Group) queuedIn(i int, start, end int64) queuedRange {
	from := max(g.slots[i].taken, g.first)
	return queuedRange{g: g, col: i, from: g.search(from, start), to: g.search(from, end)}
}

// search returns the first row from `from` on whose timestamp is at or
// after t (g.next if none). An alarm reads the newest windows: it gallops
// back from the newest row before bisecting, as rawIndex does.
func (g *Group) search(from int, t int64) int {
	hi, step := g.next, 1 // the rows from hi on are at or after t
	lo := hi - step
	for lo >= from && int64(g.rows[g.offset(lo)]) >= t {
		hi, step = lo, 2*step
		lo = hi - step
	}
	lo = max(lo+1, from) // the answer is in [lo, hi]
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int64(g.rows[g.offset(m)]) < t {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// soleRowBack is how many rows newer than a window soleQueued steps over
// before it leaves the window to the general read: an alarm of one-minute
// periods over a group written every minute reads the newest row and the
// one before it.
const soleRowBack = 2

// soleQueued returns series i's sample in [start, end) when the series has
// no raw sample at or after start and the window holds exactly one of the
// rows the series has not taken, one of the newest few, with a sample of
// the series: the window's whole content, read without a search. ok is
// false otherwise, and the caller reads the window the general way
// (rawWindow), which gives the same answer wherever this one does.
func (g *Group) soleQueued(sr *series, start, end int64) (set statSet, ok bool) {
	i := sr.col
	from := max(sr.taken, g.first)
	if from >= g.next || sr.latest >= start && sr.raw.n > 0 && sr.raw.last().t >= start { // latest first: the series' first line
		return statSet{}, false
	}
	k, r := g.next-1, g.lastOff
	for back := 0; int64(g.rows[r]) >= end; back++ { // newer than the window
		if back == soleRowBack || k == from {
			return statSet{}, false
		}
		k, r = k-1, r-g.stride
		if r < 0 {
			r += g.size * g.stride
		}
	}
	if int64(g.rows[r]) < start || g.rows[r+1]&(1<<i) == 0 {
		return statSet{}, false // no row in the window, or none with a sample
	}
	if k > from { // the row before must be older than the window
		p := r - g.stride
		if p < 0 {
			p += g.size * g.stride
		}
		if int64(g.rows[p]) >= start {
			return statSet{}, false
		}
	}
	return g.sample(i, r), true
}

// at returns the series' sample in row k, if the row holds one.
func (q *queuedRange) at(k int) (statSet, bool) {
	g, r := q.g, q.g.offset(k)
	if g.rows[r+1]&(1<<q.col) == 0 {
		return statSet{}, false
	}
	return g.sample(q.col, r), true
}

// sample returns series i's sample in the row at word offset r, which
// holds one.
func (g *Group) sample(i, r int) statSet {
	if g.direct&g.plain&(1<<i) != 0 { // a single sample at its index: no slot to read
		v := math.Float64frombits(g.rows[r+2+i])
		return statSet{count: 1, sum: v, min: v, max: v}
	}
	slot := &g.slots[i]
	off := r + 2 + int(slot.off)
	v := math.Float64frombits(g.rows[off])
	if slot.flags&slotSets == 0 {
		return statSet{count: 1, sum: v, min: v, max: v}
	}
	return statSet{count: v, sum: math.Float64frombits(g.rows[off+1]), min: math.Float64frombits(g.rows[off+2]), max: math.Float64frombits(g.rows[off+3])}
}

// any reports whether a row of the range holds a sample of the series.
func (q *queuedRange) any() bool {
	for k := q.from; k < q.to; k++ {
		if q.g.rows[q.g.offset(k)+1]&(1<<q.col) != 0 {
			return true
		}
	}
	return false
}

// first returns the range's first sample and the row after it; the range
// must hold one (any).
func (q *queuedRange) first() (statSet, int) {
	for k := q.from; ; k++ {
		if set, ok := q.at(k); ok {
			return set, k + 1
		}
	}
}

// take writes the queued puts of series i into it.
func (g *Group) take(i int) {
	if g.slots[i].taken == g.next {
		return
	}
	g.takeTo(i, g.next)
	for j := range g.slots {
		if g.slots[j].taken != g.next {
			return
		}
	}
	g.reset() // every series has taken every row
}

// takeTo writes the queued puts of series i in the rows before upto into
// it. A sample older than the series will keep once it has taken every
// row (retiredBefore) is only rolled up: a raw sample there would be
// invisible to every read, which takes every row first, and would only
// wait in the ring to be dropped.
func (g *Group) takeTo(i, upto int) {
	slot := &g.slots[i]
	from := max(slot.taken, g.first)
	if from >= upto {
		slot.taken = max(slot.taken, upto)
		g.mirrorTaken(i)
		return
	}
	slot.taken = upto
	g.mirrorTaken(i)
	if slot.flags&slotLost != 0 {
		return // its puts were written at once; no row holds one
	}
	cut, ok := g.retiredBefore(i, from)
	if !ok {
		return
	}
	sr, sets, off, bit := g.srs[i], slot.flags&slotSets != 0, 2+int(slot.off), uint64(1)<<i
	p, w := g.offset(from), g.stride
	// The rows rolled up are mostly an hour's, merged into the hour's
	// bucket one after the other: while they stay in the run of rollRun,
	// rollUpIn takes each, in line for a series of one tier (bk, that
	// tier's newest bucket; the default).
	lo, hi := sr.rollRun()
	var bk *bucket
	one := lo < hi && len(sr.tiers) == 1
	if one {
		bk = sr.tiers[0].buckets.last()
	}
	rows, end := g.rows, g.size*w
	for k := from; k < upto; k++ {
		// r is the row's first word: its timestamp, then its presence bits.
		r := p
		if p += w; p == end { // the ring's next row
			p = 0
		}
		if rows[r+1]&bit == 0 {
			continue
		}
		v := math.Float64frombits(rows[r+off])
		set := statSet{count: 1, sum: v, min: v, max: v}
		if sets {
			set = statSet{count: v, sum: math.Float64frombits(rows[r+off+1]), min: math.Float64frombits(rows[r+off+2]), max: math.Float64frombits(rows[r+off+3])}
		}
		ts := int64(rows[r])
		if ts < cut {
			if one && ts > sr.latest && ts >= lo && ts < hi { // rollUpIn, in line
				sr.latest = ts
				if c := ts - sr.keep; c > sr.complete {
					sr.complete = c
				}
				bk.set.merge(set)
				bk.last = max(bk.last, ts)
				continue
			}
			if !sr.rollUpIn(ts, set, lo, hi) {
				sr.rollUp(ts, set)
				lo, hi = sr.rollRun()
				if one = lo < hi && len(sr.tiers) == 1; one {
					bk = sr.tiers[0].buckets.last()
				}
			}
		} else if !sr.put(ts, set) {
			// Unreachable: a queued put is in order for its series (floor).
			panic("metrics: a queued put was refused: " + time.Unix(0, ts).String())
		}
	}
}

// takeAll writes every queued put into its series and empties the queue.
func (g *Group) takeAll() {
	for i := range g.slots {
		g.takeTo(i, g.next)
	}
	g.reset()
}

// reset empties the queue once every series has taken every row.
func (g *Group) reset() {
	if g.next > g.first {
		g.floor = max(g.floor, int64(g.row(g.next - 1)[0])) // the queue's order outlives it
	}
	g.first, g.head = g.next, 0
}

// relookup replaces series i if Expire forgot it, as a Handle does when
// it is next written (the queue is empty then: Expire emptied it).
func (g *Group) relookup(i int) error {
	if old := g.srs[i]; old.expired {
		sr, err := g.store.lookupOrCreate(old.metric)
		if err != nil {
			return err // unreachable: the metric was validated
		}
		g.srs[i] = sr
		switch {
		case g.slots[i].flags&slotLost != 0:
		case sr.grp != nil && sr.grp != g:
			g.lose(i) // a newer group made the series again
		default:
			sr.grp, sr.col, sr.taken = g, i, g.slots[i].taken
			g.floor = max(g.floor, sr.latest)
		}
	}
	g.stale = false
	for _, sr := range g.srs {
		g.stale = g.stale || sr.expired
	}
	return nil
}

// bytes returns the heap the group takes, as Store.Bytes counts it.
func (g *Group) bytes() int {
	return int(unsafe.Sizeof(Group{})) + cap(g.slots)*int(unsafe.Sizeof(groupSlot{})) + cap(g.srs)*8
}

// flush makes sr take what its group queued for it, before anything else
// reads or writes it.
func (sr *series) flush() {
	if sr.grp != nil {
		sr.grp.take(sr.col)
	}
}

// wroteOutside notes a put of ts into sr made outside its group.
func (sr *series) wroteOutside(ts int64) {
	if sr.grp != nil {
		sr.grp.floor = max(sr.grp.floor, ts)
	}
}

// flushGroups makes every series take what its group queued.
func (s *Store) flushGroups() {
	for _, g := range s.groups {
		g.takeAll()
	}
}
