package placement

import "iter"

// A page holds the counts of pageSlots consecutive instance slots: 32 int32
// counts, 128 bytes, and a 32-bit mask of its non-zero counts (two pages
// make a 64-bit word of the group's member set, see word). At 5,000
// instances a group's directory is 157 entries (628 bytes) and each
// instance it runs on costs at most one page; pages of 16 or 64 slots cost
// more for groups of 2 to 10 tasks spread over distinct instances (10.2
// and 12.9 MiB against 9.8 for 5,000 such groups, BenchmarkGroupCountsMemory:
// a smaller page lengthens the directory, a larger one holds more zeros).
const (
	pageBits  = 5
	pageSlots = 1 << pageBits
)

// word puts two pages' masks in one 64-bit word: pages of 32 slots only.
const (
	_ uint = pageSlots - 32
	_ uint = 32 - pageSlots
)

// groupCounts is the number of tasks of one task group on each instance
// slot. It stores only the pages of slots on which the group runs a task,
// so its memory grows with the instances the group's tasks are on, not
// with the cluster: 5,000 groups of a few tasks on 5,000 instances need
// about 10 MB rather than the 100 MB of an int32 per group and instance,
// and none of it is zeroed or faulted in for instances the group never
// uses.
//
// A directory maps each page of slots to the offset of its counts in
// cells; offset 0 is the zero page, shared by every page of slots without
// a task of the group, so that a read is two loads and no branch on
// presence (one load in the dense layout below). Each page's mask marks
// its non-zero counts: the group's member set (the instances that run it)
// for the group index, without a bitset over the whole cluster per group.
//
// Two layouts share that reading. Sparse (a group on few pages): a page
// whose mask clears goes back to a free list, a page of zeros ready for
// reuse as it is, so pages sit in cells in the order they were first
// needed. Dense (a group on more than half of its directory's pages):
// every page of the directory has its own, at offset (p+1)·pageSlots, in
// slot order, as a plain array would, so that a pass over the instances
// streams the counts instead of jumping between pages; it costs at most
// twice the sparse layout it replaces, and at most four times the pages in
// use while it lasts. A group returns to sparse when
// fewer than a quarter of its pages hold a task, so each switch, O(pages),
// follows at least a quarter of the directory's page changes.
type groupCounts struct {
	dir   []int32  // per page of slots: the offset of its counts in cells, 0 for none
	cells []int32  // the zero page (never written), then the pages (sparse: in use and free)
	masks []uint32 // per page of cells (offset >> pageBits): bit j set when count j is non-zero
	free  []int32  // sparse: offsets of free pages in cells, all zeros
	used  int      // pages with a non-zero count
	dense bool     // page p of slots is at offset (p+1)<<pageBits, whether used or not
}

// at returns the tasks of the group on slot i.
func (gc *groupCounts) at(i int32) int32 {
	if gc.dense { // slot i is at i + pageSlots: one load, as in a plain array
		if k := uint(uint32(i)) + pageSlots; k < uint(len(gc.cells)) {
			return gc.cells[k]
		}
		return 0
	}
	p := uint(uint32(i)) >> pageBits // a negative slot is beyond every directory
	if p >= uint(len(gc.dir)) {
		return 0
	}
	return gc.cells[gc.dir[p]+i&(pageSlots-1)]
}

// add adds d to slot i's count and returns the new count, which must not be
// negative.
func (gc *groupCounts) add(i, d int32) int32 {
	if d == 0 {
		return gc.at(i)
	}
	p := int(i >> pageBits)
	if p >= len(gc.dir) {
		gc.extend(p + 1)
	}
	off := gc.dir[p]
	if off == 0 { // sparse, and no page yet: the group gains one
		if 2*(gc.used+1) > len(gc.dir) {
			gc.layOut(true)
		} else {
			gc.dir[p] = gc.newPage()
		}
		off = gc.dir[p]
	}
	k := off + i&(pageSlots-1)
	old := gc.cells[k]
	now := old + d
	gc.cells[k] = now
	if (old == 0) != (now == 0) {
		pg := off >> pageBits
		before := gc.masks[pg]
		gc.masks[pg] ^= 1 << uint(i&(pageSlots-1))
		switch {
		case before == 0:
			gc.used++
		case gc.masks[pg] == 0:
			gc.used--
			if !gc.dense {
				gc.dir[p] = 0
				gc.free = append(gc.free, off)
			} else if 4*gc.used < len(gc.dir) {
				gc.layOut(false)
			}
		}
	}
	return now
}

// extend lengthens the directory to n pages of slots.
func (gc *groupCounts) extend(n int) {
	if gc.dense && 4*gc.used < n {
		gc.layOut(false)
	}
	if !gc.dense {
		gc.dir = append(gc.dir, make([]int32, n-len(gc.dir))...)
		return
	}
	var zeros [pageSlots]int32
	for len(gc.dir) < n {
		gc.dir = append(gc.dir, int32(len(gc.cells)))
		gc.cells = append(gc.cells, zeros[:]...)
		gc.masks = append(gc.masks, 0)
	}
}

// layOut rebuilds cells in slot order: every page of the directory (dense)
// or only the pages that hold a task (sparse), with no free page.
func (gc *groupCounts) layOut(dense bool) {
	pages := gc.used
	if dense {
		pages = len(gc.dir)
	}
	cells := make([]int32, (pages+1)<<pageBits)
	masks := make([]uint32, pages+1)
	next := int32(pageSlots)
	for p, off := range gc.dir {
		if off != 0 && gc.masks[off>>pageBits] != 0 {
			copy(cells[next:next+pageSlots], gc.cells[off:off+pageSlots])
			masks[next>>pageBits] = gc.masks[off>>pageBits]
		} else if !dense { // no task on the page: none in the sparse layout
			gc.dir[p] = 0
			continue
		}
		gc.dir[p] = next
		next += pageSlots
	}
	gc.cells, gc.masks, gc.free, gc.dense = cells, masks, nil, dense
}

// newPage returns the offset of a page of zeros: a free one, or a new one
// at the end of cells (after the zero page, on first use).
func (gc *groupCounts) newPage() int32 {
	if n := len(gc.free); n > 0 {
		off := gc.free[n-1]
		gc.free = gc.free[:n-1]
		return off
	}
	if len(gc.cells) == 0 {
		gc.cells = make([]int32, pageSlots, 2*pageSlots)
		gc.masks = make([]uint32, 1, 2)
	}
	off := int32(len(gc.cells))
	var zeros [pageSlots]int32
	gc.cells = append(gc.cells, zeros[:]...)
	gc.masks = append(gc.masks, 0)
	return off
}

// word returns the group's member set over slots 64w to 64w+63: bit j set
// when slot 64w+j runs a task of the group.
func (gc *groupCounts) word(w int) uint64 {
	return uint64(gc.mask(2*uint(w))) | uint64(gc.mask(2*uint(w)+1))<<pageSlots
}

// mask returns the non-zero counts of page p of slots as bits.
func (gc *groupCounts) mask(p uint) uint32 {
	if p >= uint(len(gc.dir)) {
		return 0
	}
	return gc.masks[gc.dir[p]>>pageBits]
}

// all yields every slot that runs a task of the group, with its count, in
// slot order.
func (gc *groupCounts) all() iter.Seq2[int32, int32] {
	return func(yield func(i, k int32) bool) {
		for p, off := range gc.dir {
			if gc.masks[off>>pageBits] == 0 { // no page, or (dense) an empty one
				continue
			}
			for j, k := range gc.cells[off : off+pageSlots] {
				if k != 0 && !yield(int32(p<<pageBits+j), k) {
					return
				}
			}
		}
	}
}

// bytes returns the memory the counts hold, the struct itself included.
func (gc *groupCounts) bytes() int {
	const self = 4*24 + 8 + 8 // four slice headers, used, dense (padded)
	return self + 4*(cap(gc.dir)+cap(gc.cells)+cap(gc.masks)+cap(gc.free))
}
