package metrics

import (
	"math"
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

// groupRows is how many rows a Group queues before every series takes
// them.
const groupRows = 16

// Group is a set of series written together, at the same timestamps, such
// as the metrics an ECS service publishes every minute. A put through a
// Group is queued in a row (one per timestamp) instead of being written
// into its series' own memory at once; each series takes its queued puts,
// in order, when anything reads or writes it otherwise, and every series
// takes them when the queue is full or when the store is inspected as a
// whole (Expire, ListMetrics, Usage, Bytes). So every read sees exactly
// what the same puts made through Handles would have left, and a row of
// puts touches a few adjacent bytes rather than the memory of every series
// it writes, which is what makes the puts of thousands of services a
// minute cheap.
//
// Puts that a queue cannot order (a timestamp older than the queue's
// newest row, a series written twice at one timestamp, a put of the other
// kind than the series was declared with, a timestamp older than a sample
// written to one of the series outside the group) are written at once, as
// a Handle would, and report the same errors.
type Group struct {
	// What a put reads comes first.
	stale bool  // Expire forgot a series of the group: look them up again
	n     int   // rows queued
	width int   // words per row: the timestamp, the presence bits, then one value word per single-sample series and four per set series
	floor int64 // a queued put must be at or after it, so that it is in order for every series whatever was written to them outside the group (their newest sample) and whatever Expire advanced
	rows  []uint64
	slots []groupSlot
	srs   []*series // by index
	store *Store
}

// groupSlot is what a Group knows of one of its series.
type groupSlot struct {
	off   uint16 // the series' first value word in a row, after the two header words
	taken uint8  // queued rows the series has taken
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
		g.srs, g.slots = append(g.srs, sr), append(g.slots, slot)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	for i, sr := range g.srs {
		if old := sr.grp; old != nil { // lookupOrCreate made it take old's queue
			old.slots[sr.col].flags |= slotLost
		}
		sr.grp, sr.col = g, i
		g.floor = max(g.floor, sr.latest)
	}
	g.rows = make([]uint64, groupRows*g.width)
	s.groups = append(s.groups, g)
	return g, nil
}

// Len returns the number of series in the group.
func (g *Group) Len() int { return len(g.srs) }

// Metric returns series i's metric, dimensions sorted by name.
func (g *Group) Metric(i int) Metric { return g.srs[i].metric }

// Put is Store.Put for series i of the group (declared without
// StatisticSets): one sample v at t.
func (g *Group) Put(i int, t time.Time, v float64) error {
	if err := g.index(i); err != nil {
		return err
	}
	if err := validSample(t, v); err != nil {
		return err
	}
	return g.put(i, t, statSet{count: 1, sum: v, min: v, max: v}, false)
}

// PutStatisticSet is Store.PutStatisticSet for series i of the group
// (declared with StatisticSets).
func (g *Group) PutStatisticSet(i int, t time.Time, set StatisticSet) error {
	if err := g.index(i); err != nil {
		return err
	}
	if err := validSet(t, set); err != nil {
		return err
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
	if g.stale {
		if err := g.relookup(i); err != nil {
			return err
		}
	}
	slot := &g.slots[i]
	ts := t.UnixNano()
	n := g.n
	if slot.flags&slotLost != 0 {
		sr := g.srs[i]
		sr.flush() // what its new group queued
		sr.wroteOutside(ts)
		return g.store.putSeries(sr, t, set)
	}
	var last []uint64 // the newest row
	if n > 0 {
		last = g.rows[(n-1)*g.width : n*g.width]
	}
	if (slot.flags&slotSets != 0) != isSet || ts < g.floor || n > 0 && ts < int64(last[0]) {
		// Out of the queue's order: write at once, after what is queued.
		g.take(i)
		g.floor = max(g.floor, ts)
		return g.store.putSeries(g.srs[i], t, set)
	}
	if n == 0 || ts != int64(last[0]) || last[1]&(1<<i) != 0 || int(slot.taken) == n {
		if n == groupRows {
			g.takeAll()
			n = 0
		}
		last = g.rows[n*g.width : (n+1)*g.width]
		last[0], last[1] = uint64(ts), 0
		n++
		g.n = n
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

// take writes the queued puts of series i into it.
func (g *Group) take(i int) {
	slot := &g.slots[i]
	if int(slot.taken) == g.n {
		return
	}
	sr, sets, off := g.srs[i], slot.flags&slotSets != 0, 2+int(slot.off)
	for r := int(slot.taken); r < g.n; r++ {
		row := g.rows[r*g.width : (r+1)*g.width]
		if row[1]&(1<<i) == 0 {
			continue
		}
		v := math.Float64frombits(row[off])
		set := statSet{count: 1, sum: v, min: v, max: v}
		if sets {
			set = statSet{count: v, sum: math.Float64frombits(row[off+1]), min: math.Float64frombits(row[off+2]), max: math.Float64frombits(row[off+3])}
		}
		if err := g.store.putSeries(sr, time.Unix(0, int64(row[0])), set); err != nil {
			// Unreachable: a queued put is in order for its series (floor).
			panic("metrics: a queued put was refused: " + err.Error())
		}
	}
	slot.taken = uint8(g.n)
	for j := range g.slots {
		if int(g.slots[j].taken) != g.n {
			return
		}
	}
	g.reset() // every series has taken every row
}

// takeAll writes every queued put into its series and empties the queue.
func (g *Group) takeAll() {
	for i := range g.slots {
		g.take(i)
	}
	g.reset()
}

func (g *Group) reset() {
	if g.n > 0 {
		g.floor = max(g.floor, int64(g.rows[(g.n-1)*g.width])) // the queue's order outlives it
	}
	g.n = 0
	for j := range g.slots {
		g.slots[j].taken = 0
	}
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
			g.slots[i].flags |= slotLost // a newer group made the series again
		default:
			sr.grp, sr.col = g, i
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
	return int(unsafe.Sizeof(Group{})) + cap(g.slots)*int(unsafe.Sizeof(groupSlot{})) + cap(g.srs)*8 + cap(g.rows)*8
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
