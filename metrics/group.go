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
	store   *Store
	members []groupMember
	width   int       // float64 slots per row
	t       []int64   // the queued rows' timestamps, Unix nanoseconds, oldest first
	present []uint64  // per row: bit i is set when series i has a value in it
	vals    []float64 // the rows' values, width slots each: one per single-sample series, four per set series
	// floor: a queued put must be at or after it, so that it is in order
	// for every series whatever was written to them outside the group
	// (their newest sample) and whatever Expire advanced.
	floor int64
	stale bool // Expire forgot a series of the group: look them up again
}

type groupMember struct {
	sr    *series
	off   int  // first slot of the series in a row
	sets  bool // written with statistic sets (four slots)
	lost  bool // a newer group took the series over: write it at once
	taken int  // queued rows the series has taken
}

// Group returns a group of the series of ms, creating them as needed. A
// series belongs to at most one group: one that belonged to another group
// is taken over (after it took what that group queued), and the other
// group writes it at once from then on. A metric may appear once.
func (s *Store) Group(ms ...GroupMetric) (*Group, error) {
	errs := fielderr.NewList(ErrInvalidMetric)
	if len(ms) == 0 || len(ms) > MaxGroupMetrics {
		errs.Add("metrics", len(ms), "must number 1 to "+strconv.Itoa(MaxGroupMetrics))
	}
	g := &Group{store: s, floor: math.MinInt64}
	for i, gm := range ms {
		field := "metrics[" + strconv.Itoa(i) + "]"
		sr, err := s.lookupOrCreate(gm.Metric)
		if err != nil {
			errs.Add(field, gm.Metric.String(), err.Error())
			continue
		}
		if slices.ContainsFunc(g.members, func(m groupMember) bool { return m.sr == sr }) {
			errs.Add(field, gm.Metric.String(), "must appear once")
			continue
		}
		m := groupMember{sr: sr, off: g.width, sets: gm.StatisticSets}
		g.width++
		if gm.StatisticSets {
			g.width += 3
		}
		g.members = append(g.members, m)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	for i := range g.members {
		sr := g.members[i].sr
		if old := sr.grp; old != nil { // lookupOrCreate made it take old's queue
			old.members[sr.col].lost = true
		}
		sr.grp, sr.col = g, i
		g.floor = max(g.floor, sr.latest)
	}
	g.t, g.present, g.vals = make([]int64, 0, groupRows), make([]uint64, 0, groupRows), make([]float64, 0, groupRows*g.width)
	s.groups = append(s.groups, g)
	return g, nil
}

// Len returns the number of series in the group.
func (g *Group) Len() int { return len(g.members) }

// Metric returns series i's metric, dimensions sorted by name.
func (g *Group) Metric(i int) Metric { return g.members[i].sr.metric }

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
	if i < 0 || i >= len(g.members) {
		return fielderr.New(ErrInvalidMetric, "series", i, "must be 0 to "+strconv.Itoa(len(g.members)-1))
	}
	return nil
}

func (g *Group) put(i int, t time.Time, set statSet, isSet bool) error {
	if g.stale {
		if err := g.relookup(i); err != nil {
			return err
		}
	}
	m := &g.members[i]
	ts := t.UnixNano()
	n := len(g.t)
	if m.lost {
		m.sr.flush() // what its new group queued
		m.sr.wroteOutside(ts)
		return g.store.putSeries(m.sr, t, set)
	}
	if m.sets != isSet || ts < g.floor || n > 0 && ts < g.t[n-1] {
		// Out of the queue's order: write at once, after what is queued.
		g.take(i)
		g.floor = max(g.floor, ts)
		return g.store.putSeries(m.sr, t, set)
	}
	if n == 0 || ts != g.t[n-1] || g.present[n-1]&(1<<i) != 0 || m.taken == n {
		if n == groupRows {
			g.takeAll()
			n = 0
		}
		g.t = append(g.t, ts)
		g.present = append(g.present, 0)
		g.vals = slices.Grow(g.vals, g.width)[:n*g.width+g.width] // stale slots are never read: present gates them
		n++
	}
	row := g.vals[(n-1)*g.width:]
	if isSet {
		row[m.off], row[m.off+1], row[m.off+2], row[m.off+3] = set.count, set.sum, set.min, set.max
	} else {
		row[m.off] = set.sum
	}
	g.present[n-1] |= 1 << i
	return nil
}

// take writes the queued puts of series i into it.
func (g *Group) take(i int) {
	m := &g.members[i]
	if m.taken == len(g.t) {
		return
	}
	for r := m.taken; r < len(g.t); r++ {
		if g.present[r]&(1<<i) == 0 {
			continue
		}
		row := g.vals[r*g.width:]
		set := statSet{count: 1, sum: row[m.off], min: row[m.off], max: row[m.off]}
		if m.sets {
			set = statSet{count: row[m.off], sum: row[m.off+1], min: row[m.off+2], max: row[m.off+3]}
		}
		if err := g.store.putSeries(m.sr, time.Unix(0, g.t[r]), set); err != nil {
			// Unreachable: a queued put is in order for its series (floor).
			panic("metrics: a queued put was refused: " + err.Error())
		}
	}
	m.taken = len(g.t)
	for j := range g.members {
		if g.members[j].taken != len(g.t) {
			return
		}
	}
	g.reset() // every series has taken every row
}

// takeAll writes every queued put into its series and empties the queue.
func (g *Group) takeAll() {
	for i := range g.members {
		g.take(i)
	}
	g.reset()
}

func (g *Group) reset() {
	if n := len(g.t); n > 0 {
		g.floor = max(g.floor, g.t[n-1]) // the queue's order outlives it
	}
	g.t, g.present, g.vals = g.t[:0], g.present[:0], g.vals[:0]
	for j := range g.members {
		g.members[j].taken = 0
	}
}

// relookup replaces series i if Expire forgot it, as a Handle does when
// it is next written (the queue is empty then: Expire emptied it).
func (g *Group) relookup(i int) error {
	if m := &g.members[i]; m.sr.expired {
		sr, err := g.store.lookupOrCreate(m.sr.metric)
		if err != nil {
			return err // unreachable: the metric was validated
		}
		m.sr = sr
		switch {
		case m.lost:
		case sr.grp != nil && sr.grp != g:
			m.lost = true // a newer group made the series again
		default:
			sr.grp, sr.col = g, i
			g.floor = max(g.floor, sr.latest)
		}
	}
	g.stale = false
	for j := range g.members {
		g.stale = g.stale || g.members[j].sr.expired
	}
	return nil
}

// bytes returns the heap the group takes, as Store.Bytes counts it.
func (g *Group) bytes() int {
	return int(unsafe.Sizeof(Group{})) + cap(g.members)*int(unsafe.Sizeof(groupMember{})) +
		(cap(g.t)+cap(g.present)+cap(g.vals))*8
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
