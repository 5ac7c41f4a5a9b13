package placement

// capTree indexes ACTIVE instances by one free resource (the key: free
// memory for binpack on memory, free CPU for binpack on cpu) so that
// "the instance with the least key >= need whose other resource also fits"
// is found in O(log B).
//
// Leaves are key values shifted right by shift (exact MiB or CPU units when
// shift is 0). Each leaf is a 4-ary max-heap of its instances ordered by the other
// free resource, so the instances of a leaf whose other resource is at least
// c form a subtree at the heap's root and can be enumerated in time
// proportional to their number, however many starved instances share the
// leaf. Above the leaves sits a 16-ary max tree: node j of level k+1 stores
// the max of the other resource over nodes 16j..16j+15 of level k (level 0
// holds each leaf's heap root), so a descent skips every subtree in which
// nothing has enough of it. Every value is exact.
//
// The fan-out is 16 rather than 2 because 16 int32 nodes fill one cache
// line: 2^17 leaves need 5 levels above them instead of 17, and a search or
// a fix-up touches one line per level. Scanning 16 neighbours is cheaper than
// the cache misses the deeper binary tree costs (its 1 MiB of nodes does not
// stay in L2 next to the instance state).
type capTree struct {
	keyIsCPU bool // false: key free memory, other free CPU; true: the mirror
	shift    uint
	leavesN  int        // B, a power of two
	levels   [][]int32  // levels[0]: B leaf bounds; levels[k+1][j] = max(levels[k][16j:16j+16]); -1 = empty
	heapOf   []int32    // per leaf: index of its heap in heaps, or -1
	heaps    [][]uint64 // max-heaps of other<<32 | instance, only for leaves ever used
	leafOf   []int32    // per heap: its leaf
	loc      []treeLoc  // per instance slot: where it is
}

// heapArity is the leaf heaps' fan-out: four children of 8 bytes share a
// cache line, and the heap is half as deep as a binary one, so a removal
// touches half as many lines and rewrites half as many positions.
const heapArity = 4

// treeLoc is an instance's heap (its index in heaps, -1 when not indexed)
// and its position in that heap, kept together so that one cache line
// serves both. It names the heap rather than the leaf so that a removal
// reaches the heap without a lookup in heapOf, whose 2^17 entries are
// rarely in cache; the heap's leaf comes from the short leafOf table.
type treeLoc struct{ heap, pos int32 }

// leaf returns leaf l's heap (nil when the leaf was never used). Leaves
// keep a small index into a compact heap table rather than a slice header
// each, which keeps 2^17 leaves at 512 KiB instead of 3 MiB of headers.
func (t *capTree) leaf(l int32) []uint64 {
	if hi := t.heapOf[l]; hi >= 0 {
		return t.heaps[hi]
	}
	return nil
}

// maxLeafBits bounds the leaf array (2^18 leaves: 256 GiB at 1 MiB, 256 vCPU
// at 1 unit); larger capacities use coarser leaves.
const maxLeafBits = 18

func newCapTree(keyIsCPU bool, maxKey int32, slots int) *capTree {
	bits := uint(1)
	for int64(1)<<bits <= int64(maxKey) {
		bits++
	}
	var shift uint
	if bits > maxLeafBits {
		shift = bits - maxLeafBits
		bits = maxLeafBits
	}
	b := 1 << bits
	t := &capTree{keyIsCPU: keyIsCPU, shift: shift, leavesN: b, heapOf: make([]int32, b)}
	for n := b; ; n = (n + fanMask) >> fanBits {
		level := make([]int32, n)
		for k := range level {
			level[k] = -1
		}
		t.levels = append(t.levels, level)
		if n == 1 {
			break
		}
	}
	for i := range t.heapOf {
		t.heapOf[i] = -1
	}
	t.growSlots(slots)
	return t
}

// fits reports whether key values up to maxKey have a leaf.
func (t *capTree) fits(maxKey int32) bool { return int(maxKey>>t.shift) < t.leavesN }

func (t *capTree) growSlots(n int) {
	for len(t.loc) < n {
		t.loc = append(t.loc, treeLoc{-1, -1})
	}
}

func (t *capTree) leafIndex(key int32) int32 { return key >> t.shift }

// entry packs an instance with its other free resource so that heap
// comparisons read only the heap array.
func entry(i, other int32) uint64 { return uint64(other)<<32 | uint64(uint32(i)) }

// entryID returns the instance of a heap entry.
func entryID(e uint64) int32 { return int32(uint32(e)) }

// entryOther returns the other free resource of a heap entry.
func entryOther(e uint64) int32 { return int32(e >> 32) }

// insert adds instance i with the given key and other free resource.
func (t *capTree) insert(i, key, other int32) {
	t.growSlots(int(i) + 1)
	l := t.leafIndex(key)
	hi := t.heapOf[l]
	if hi < 0 {
		hi = int32(len(t.heaps))
		t.heapOf[l] = hi
		t.heaps = append(t.heaps, nil)
		t.leafOf = append(t.leafOf, l)
	}
	t.loc[i].heap = hi
	h := append(t.heaps[hi], 0)
	t.heaps[hi] = h
	t.siftUp(h, int32(len(h)-1), entry(i, other))
	t.store(l, entryOther(h[0]))
}

// remove drops instance i from the index.
func (t *capTree) remove(i int32) {
	if int(i) >= len(t.loc) { // registered after the tree was built, never indexed
		return
	}
	hi := t.loc[i].heap
	if hi < 0 {
		return
	}
	l := t.leafOf[hi]
	h := t.heaps[hi]
	p := t.loc[i].pos
	last := h[len(h)-1]
	h = h[:len(h)-1]
	t.heaps[hi] = h
	t.loc[i] = treeLoc{-1, -1}
	if int(p) < len(h) {
		t.fix(h, p, last)
	}
	if len(h) == 0 {
		t.store(l, -1)
	} else {
		t.store(l, entryOther(h[0]))
	}
}

// update moves instance i after its free resources changed.
func (t *capTree) update(i, key, other int32) {
	if int(i) >= len(t.loc) { // registered after the tree was built, never indexed
		return
	}
	hi := t.loc[i].heap
	if hi < 0 {
		return
	}
	l := t.leafOf[hi]
	if t.leafIndex(key) != l {
		t.remove(i)
		t.insert(i, key, other)
		return
	}
	h := t.heaps[hi]
	t.fix(h, t.loc[i].pos, entry(i, other))
	t.store(l, entryOther(h[0]))
}

// fix places entry e at position p of heap h and restores the heap order.
func (t *capTree) fix(h []uint64, p int32, e uint64) {
	if p > 0 && h[(p-1)/heapArity] < e {
		t.siftUp(h, p, e)
	} else {
		t.siftDown(h, p, e)
	}
}

func (t *capTree) siftUp(h []uint64, p int32, e uint64) {
	for p > 0 {
		parent := (p - 1) / heapArity
		if h[parent] >= e {
			break
		}
		h[p] = h[parent]
		t.loc[entryID(h[p])].pos = p
		p = parent
	}
	h[p] = e
	t.loc[entryID(e)].pos = p
}

func (t *capTree) siftDown(h []uint64, p int32, e uint64) {
	n := int32(len(h))
	for {
		first := heapArity*p + 1
		if first >= n {
			break
		}
		c := first
		for k := first + 1; k < min(first+heapArity, n); k++ {
			if h[k] > h[c] {
				c = k
			}
		}
		if h[c] <= e {
			break
		}
		h[p] = h[c]
		t.loc[entryID(h[p])].pos = p
		p = c
	}
	h[p] = e
	t.loc[entryID(e)].pos = p
}

// fanBits is log2 of the max tree's fan-out: 16 int32 nodes per cache line.
const (
	fanBits = 4
	fan     = 1 << fanBits
	fanMask = fan - 1
)

// store sets leaf l's bound to exactly v and repairs the path to the root,
// stopping as soon as a node does not change. A parent is recomputed from
// its 16 children only when the child that held its max has dropped.
func (t *capTree) store(l, v int32) {
	j := int(l)
	below := t.levels[0]
	old := below[j]
	if old == v {
		return
	}
	below[j] = v
	for _, up := range t.levels[1:] {
		p := j >> fanBits
		cur := up[p]
		var m int32
		switch {
		case v >= cur:
			m = v
		case old < cur: // another child holds the max, and still does
			return
		default: // the child that held the max dropped: recompute
			lo := p << fanBits
			m = -1
			for _, x := range below[lo:min(lo+fan, len(below))] {
				m = max(m, x)
			}
		}
		if m == cur {
			return
		}
		up[p] = m
		old, v, j, below = cur, m, p, up
	}
}

// next returns the first leaf >= from whose bound is >= need, or -1. It
// climbs from from's group of 16, looking at the rest of the group at each
// level until some node qualifies, then descends to that node's first
// qualifying child at each level; bounds are exact, so the descent never
// backtracks. The climb reads a group's parent before scanning the group:
// in a sparse tree most groups on the way up have nothing large enough,
// and one compare then replaces a scan of up to 16 nodes.
func (t *capTree) next(from int32, need int32) int32 {
	if int(from) >= t.leavesN {
		return -1
	}
	k, j := 0, int(from)
	top := len(t.levels) - 1
	for {
		level := t.levels[k]
		if j >= len(level) { // climbed off the right edge
			return -1
		}
		end := min((j|fanMask)+1, len(level))
		if k == top || t.levels[k+1][j>>fanBits] >= need {
			for j < end && level[j] < need {
				j++
			}
			if j < end {
				break
			}
		}
		if k == top {
			return -1
		}
		k++
		j = (end-1)>>fanBits + 1
	}
	for ; k > 0; k-- {
		level := t.levels[k-1]
		j <<= fanBits
		for level[j] < need {
			j++
		}
	}
	return int32(j)
}
