package placement

import (
	"math/bits"
	"math/rand/v2"
)

// groupIndex lists the instances that run tasks of one task group, so that
// distinctInstance and spread(instanceId) find their candidates without a
// scan of the fleet:
//
//   - the members (the instance slots running at least one task of the
//     group) are the non-zero counts of the group's groupCounts, whose
//     pages mark them in a bitmask; the index keeps a member count per
//     block of slots, so that an instance running none is drawn uniformly
//     by rank selection over the masks' zeros (O(slots/4096 + 64)) rather
//     than by hoping that a uniform draw over the fleet misses the group;
//   - byCount (once a spread(instanceId) plan has placed a task of the
//     group) buckets the members by how many tasks of the group they run,
//     and each bucket by a coarse class of free CPU and free memory (a cell:
//     ten power-of-two classes of each), so that the least-loaded instances
//     that can still take the task are found without visiting the ones
//     that are full. This is the LFU-bucket technique (one bucket per
//     count, an O(1) move on every change) with the buckets split by what
//     fits.
//
// Instances that run no task of the group are not bucketed: they are every
// other instance, and keeping them in a per-group structure would make every
// placement on an instance update every group it does not run.
type groupIndex struct {
	blocks []int32 // members per block of blockSlots slots
	size   int     // members, whatever their status
	active int     // members that are ACTIVE

	counted bool          // byCount is maintained
	byCount []countBucket // byCount[k-1]: members running k tasks of the group
}

// blockBits sizes the member-count blocks: 4096 slots, 64 member words.
const (
	blockBits  = 12
	blockSlots = 1 << blockBits
)

// A cell holds the members of one count bucket whose free CPU and free
// memory fall in one class each. Classes are powers of two: class 0 is
// nothing free, class 1 less than one step (128 CPU units or 512 MiB),
// class j < 9 the range [step·2^(j-2), step·2^(j-1)), class 9 everything
// above. A task needing c CPU units and m MiB fits every member of a cell
// whose classes are both above the task's, and possibly members of a cell
// with the task's own class in either resource; it fits no member of a
// cell with a lower class in either.
type cell struct {
	cpu, mem uint8   // classes
	ids      []int32 // instance slots, unordered
}

const resourceClasses = 10

func cpuClass(units int32) uint8 { return resourceClass(units, 7) }
func memClass(mib int32) uint8   { return resourceClass(mib, 9) }

func resourceClass(x int32, stepBits uint) uint8 {
	if x <= 0 {
		return 0
	}
	return uint8(min(resourceClasses-1, bits.Len32(uint32(x)>>stepBits)+1))
}

// countBucket is the members running one number of tasks of the group.
type countBucket struct {
	cells    []cell                                   // in order of first use; a cell is never removed
	cellOf   [resourceClasses * resourceClasses]uint8 // per (cpu, mem) class pair: index in cells + 1, or 0
	nonEmpty [2]uint64                                // bit k: cells[k] has members
	size     int                                      // members in every cell
}

// link is one instance's entry in a counted group: the cell (an index in
// the bucket's cells) and the position in that cell's ids. An instance
// keeps one link per counted group it runs, so that when its free
// resources change it moves between cells of exactly those groups.
type link struct {
	g         GroupID
	cell, pos int32
}

// slotLinks is one instance's links: the first inline, so that the common
// case (one counted group on the instance, or the group found first) costs
// one memory access rather than a slice header and its array.
type slotLinks struct {
	first link
	more  []link // links after the first
}

// groupIndexOf returns group g's index, building it on first use (one pass
// over the group's per-instance counts).
func (c *Cluster) groupIndexOf(g GroupID) *groupIndex {
	for len(c.gidx) <= int(g) {
		c.gidx = append(c.gidx, nil)
	}
	if gi := c.gidx[g]; gi != nil {
		return gi
	}
	gi := &groupIndex{}
	for i := range c.groupCounts(g).all() {
		gi.join(i, c.res[i].status == Active)
	}
	c.gidx[g] = gi
	return gi
}

// countedIndexOf returns group g's index with its count buckets, building
// them on first use.
func (c *Cluster) countedIndexOf(g GroupID) *groupIndex {
	gi := c.groupIndexOf(g)
	if !gi.counted {
		gi.counted = true
		for i, k := range c.groupOn[g].all() {
			c.link(g, gi, i, k)
		}
	}
	return gi
}

// join records that slot i runs a first task of the group.
func (gi *groupIndex) join(i int32, active bool) {
	for len(gi.blocks) <= int(i>>blockBits) {
		gi.blocks = append(gi.blocks, 0)
	}
	gi.blocks[i>>blockBits]++
	gi.size++
	if active {
		gi.active++
	}
}

// leave records that slot i runs no task of the group any more.
func (gi *groupIndex) leave(i int32, active bool) {
	gi.blocks[i>>blockBits]--
	gi.size--
	if active {
		gi.active--
	}
}

// nonMember returns the r-th slot (0-based, in slot order) among the first
// n that runs no task of the group, whose counts are on; r must be below
// n - size.
func (gi *groupIndex) nonMember(on *groupCounts, r, n int) int32 {
	lo := 0
	for b := 0; ; b++ {
		lo = b << blockBits
		inBlock := min(blockSlots, n-lo)
		if b < len(gi.blocks) {
			inBlock -= int(gi.blocks[b])
		}
		if r < inBlock {
			break
		}
		r -= inBlock
	}
	for w := lo >> 6; ; w++ {
		free := ^on.word(w)
		if valid := n - w<<6; valid < 64 {
			free &= 1<<uint(valid) - 1
		}
		if z := bits.OnesCount64(free); r >= z {
			r -= z
			continue
		}
		for ; r > 0; r-- {
			free &= free - 1
		}
		return int32(w<<6 + bits.TrailingZeros64(free))
	}
}

func (gi *groupIndex) bucket(k int32) *countBucket {
	for len(gi.byCount) < int(k) {
		gi.byCount = append(gi.byCount, countBucket{})
	}
	return &gi.byCount[k-1]
}

// cellFor returns the index of the bucket's cell for the given classes,
// adding the cell if the bucket has none yet.
func (b *countBucket) cellFor(cpu, mem uint8) int32 {
	pair := int(cpu)*resourceClasses + int(mem)
	if k := b.cellOf[pair]; k > 0 {
		return int32(k) - 1
	}
	b.cells = append(b.cells, cell{cpu: cpu, mem: mem})
	b.cellOf[pair] = uint8(len(b.cells))
	return int32(len(b.cells) - 1)
}

// candidates calls f with every non-empty cell whose classes are at least
// (cpu, mem), until f returns false.
func (b *countBucket) candidates(cpu, mem uint8, f func(cl *cell) bool) {
	for w, m := range b.nonEmpty {
		for m != 0 {
			cl := &b.cells[w<<6|bits.TrailingZeros64(m)]
			m &= m - 1
			if cl.cpu >= cpu && cl.mem >= mem && !f(cl) {
				return
			}
		}
	}
}

// add puts slot i in cell ci and returns its position there.
func (b *countBucket) add(ci, i int32) int32 {
	b.nonEmpty[ci>>6] |= 1 << uint(ci&63)
	b.cells[ci].ids = append(b.cells[ci].ids, i)
	b.size++
	return int32(len(b.cells[ci].ids) - 1)
}

// remove takes the entry at pos out of cell ci of bucket b of group g;
// the cell's last entry moves into its place and its link follows.
func (c *Cluster) remove(g GroupID, b *countBucket, ci, pos int32) {
	ids := b.cells[ci].ids
	last := ids[len(ids)-1]
	ids[pos] = last
	b.cells[ci].ids = ids[:len(ids)-1]
	b.size--
	if len(ids) == 1 {
		b.nonEmpty[ci>>6] &^= 1 << uint(ci&63)
	}
	if int(pos) < len(ids)-1 {
		c.linkOf(last, g).pos = pos
	}
}

// linkOf returns slot i's link for group g, which must exist.
func (c *Cluster) linkOf(i int32, g GroupID) *link {
	sl := &c.links[i]
	if sl.first.g == g {
		return &sl.first
	}
	for k := range sl.more {
		if sl.more[k].g == g {
			return &sl.more[k]
		}
	}
	panic("placement: internal error: missing group link")
}

// link buckets slot i, which runs k > 0 tasks of group g.
func (c *Cluster) link(g GroupID, gi *groupIndex, i, k int32) {
	b := gi.bucket(k)
	ci := b.cellFor(cpuClass(c.res[i].cpu), memClass(c.res[i].mem))
	pos := b.add(ci, i)
	for len(c.links) <= int(i) {
		c.links = append(c.links, slotLinks{})
	}
	if l := (link{g: g, cell: ci, pos: pos}); c.res[i].linked == 0 {
		c.links[i].first = l
	} else {
		c.links[i].more = append(c.links[i].more, l)
	}
	c.res[i].linked++
}

// unlink takes slot i, which ran k > 0 tasks of group g, out of the
// group's buckets.
func (c *Cluster) unlink(g GroupID, gi *groupIndex, i, k int32) {
	l := c.linkOf(i, g)
	c.remove(g, &gi.byCount[k-1], l.cell, l.pos)
	sl := &c.links[i]
	if n := len(sl.more); n > 0 {
		*l = sl.more[n-1] // the last link fills the hole (or overwrites itself)
		sl.more = sl.more[:n-1]
	} else {
		sl.first = link{g: -1}
	}
	c.res[i].linked--
}

// recount records that slot i went from old to now tasks of group g.
func (c *Cluster) recount(g GroupID, gi *groupIndex, i, old, now int32) {
	active := c.res[i].status == Active
	switch {
	case old == 0 && now > 0:
		gi.join(i, active)
	case old > 0 && now == 0:
		gi.leave(i, active)
	}
	if !gi.counted {
		return
	}
	switch {
	case old == 0:
		c.link(g, gi, i, now)
	case now == 0:
		c.unlink(g, gi, i, old)
	default:
		l := c.linkOf(i, g)
		c.remove(g, &gi.byCount[old-1], l.cell, l.pos)
		b := gi.bucket(now)
		l.cell = b.cellFor(cpuClass(c.res[i].cpu), memClass(c.res[i].mem))
		l.pos = b.add(l.cell, i)
	}
}

// relink moves slot i to the cells that match its free resources in every
// counted group it runs, after they changed.
func (c *Cluster) relink(i int32) {
	cpu, mem := cpuClass(c.res[i].cpu), memClass(c.res[i].mem)
	sl := &c.links[i]
	for k := -1; k < len(sl.more); k++ {
		l := &sl.first
		if k >= 0 {
			l = &sl.more[k]
		}
		b := &c.gidx[l.g].byCount[c.groupOn[l.g].at(i)-1]
		if cur := &b.cells[l.cell]; cur.cpu == cpu && cur.mem == mem {
			continue
		}
		c.remove(l.g, b, l.cell, l.pos)
		l.cell = b.cellFor(cpu, mem)
		l.pos = b.add(l.cell, i)
	}
}

// setActive adjusts the active member counts of the groups slot i runs
// when it enters (+1) or leaves (-1) ACTIVE. It walks every indexed group;
// status changes are rare next to placements.
func (c *Cluster) setActive(i int32, delta int) {
	if c.res[i].running == 0 {
		return
	}
	for g, gi := range c.gidx {
		if gi != nil && c.groupOn[g].at(i) > 0 {
			gi.active += delta
		}
	}
}

// fewest is the level a spread(instanceId) choice is restricted to: the
// ACTIVE instances whose value of column col is in mask (every ACTIVE
// instance when col < 0), listed by lists.
type fewest struct {
	col   int32
	of    []int32 // column col's values per slot, nil when col < 0
	mask  uint64
	lists [][]int32
	n     int // instances in lists
}

func (lv *fewest) has(i int32) bool { return lv.of == nil || lv.mask&(1<<uint(lv.of[i])) != 0 }

// ok reports whether slot i is in the level, ACTIVE and feasible.
func (c *Cluster) ok(p *Plan, t *Task, on *groupCounts, lv *fewest, i int32) bool {
	return c.res[i].status == Active && lv.has(i) && c.feasible(p, t, on, i)
}

// chooseFewest returns, among the feasible instances of the level, one with
// the fewest tasks of the task's group, uniformly among ties; -1 if there
// is none. Instances with no task of the group come first (pickNonMember);
// then the count buckets upwards, each searched only in the cells whose
// resources can fit the task (pickInBucket). With distinctInstance only
// the first step can succeed.
func (c *Cluster) chooseFewest(p *Plan, t *Task, on *groupCounts, rng *rand.Rand, lv *fewest) int32 {
	gi := c.groupIndexOf(t.Group)
	if i := c.pickNonMember(p, t, on, rng, gi, lv); i >= 0 || p.distinct {
		return i
	}
	gi = c.countedIndexOf(t.Group)
	cpu, mem := cpuClass(int32(t.CPU)), memClass(int32(t.MemoryMiB))
	for k := range gi.byCount {
		if b := &gi.byCount[k]; b.size > 0 {
			if i := c.pickInBucket(p, t, on, rng, lv, b, cpu, mem); i >= 0 {
				return i
			}
		}
	}
	return -1
}

// pickNonMember draws uniformly among the feasible instances of the level
// that run no task of the group; -1 if there is none. It samples from one
// of two supersets, the level's instances or, when the group runs on more
// than half of them, the slots outside the group (by rank selection over
// the member bitset), accepting a draw that
// qualifies (rejection sampling: an accepted draw is uniform over the
// qualifying instances), and falls back to an exact pass over the same
// superset, uniform too.
func (c *Cluster) pickNonMember(p *Plan, t *Task, on *groupCounts, rng *rand.Rand, gi *groupIndex, lv *fewest) int32 {
	if len(c.activeIDs) == gi.active || lv.n == 0 {
		return -1 // every ACTIVE instance runs the group, or the level is empty
	}
	slots := len(c.res)
	outside := slots - gi.size
	// A draw from the level costs less than a rank selection, so the
	// level is the superset unless fewer than half of it is outside the
	// group.
	if lv.n <= 2*outside {
		for range randomTries {
			r := rng.IntN(lv.n)
			var i int32
			for _, l := range lv.lists {
				if r < len(l) {
					i = l[r]
					break
				}
				r -= len(l)
			}
			if on.at(i) == 0 && c.feasible(p, t, on, i) { // the level's lists hold ACTIVE instances of the level
				return i
			}
		}
		best, ties := int32(-1), 0
		for _, l := range lv.lists {
			for _, i := range l {
				if on.at(i) == 0 && c.feasible(p, t, on, i) {
					if ties++; ties == 1 || rng.IntN(ties) == 0 {
						best = i
					}
				}
			}
		}
		return best
	}
	for range randomTries {
		if i := gi.nonMember(on, rng.IntN(outside), slots); c.ok(p, t, on, lv, i) {
			return i
		}
	}
	best, ties := int32(-1), 0
	for w, word := range c.activeSet {
		word &^= on.word(w)
		for word != 0 {
			i := int32(w<<6 + bits.TrailingZeros64(word))
			word &= word - 1
			if c.ok(p, t, on, lv, i) {
				if ties++; ties == 1 || rng.IntN(ties) == 0 {
					best = i
				}
			}
		}
	}
	return best
}

// pickInBucket draws uniformly among the feasible instances of the level in
// count bucket b; -1 if there is none. Only the cells whose classes are at
// least the task's (cpu, mem) can hold one: it samples from those, accepts
// a qualifying draw, and falls back to an exact pass over them.
func (c *Cluster) pickInBucket(p *Plan, t *Task, on *groupCounts, rng *rand.Rand, lv *fewest, b *countBucket, cpu, mem uint8) int32 {
	total := 0
	b.candidates(cpu, mem, func(cl *cell) bool { total += len(cl.ids); return true })
	if total == 0 {
		return -1
	}
	if total > randomTries {
		for range randomTries {
			r := rng.IntN(total)
			var i int32
			b.candidates(cpu, mem, func(cl *cell) bool {
				if r < len(cl.ids) {
					i = cl.ids[r]
					return false
				}
				r -= len(cl.ids)
				return true
			})
			if c.ok(p, t, on, lv, i) {
				return i
			}
		}
	}
	best, ties := int32(-1), 0
	b.candidates(cpu, mem, func(cl *cell) bool {
		for _, i := range cl.ids {
			if c.ok(p, t, on, lv, i) {
				if ties++; ties == 1 || rng.IntN(ties) == 0 {
					best = i
				}
			}
		}
		return true
	})
	return best
}
