package placement

// capTree indexes ACTIVE instances by one free resource (the key: free
// memory for binpack on memory, free CPU for binpack on cpu) so that
// "the instance with the least key >= need whose other resource also fits"
// is found in O(log B) (performance.md §3b, §5b).
//
// Leaves are key values shifted right by shift (exact MiB or CPU units when
// shift is 0). Each leaf holds the list of instances whose key falls in it.
// Internal node i stores max over its subtree of the other free resource, so a
// descent can skip every subtree in which nothing has enough of it. A leaf's
// stored value is an upper bound: removing an instance does not lower it
// (that would need a scan of the leaf); the query scans the leaf anyway and
// then stores the exact value, so a stale bound costs one extra leaf visit.
// For every internal node, max[i] == max(max[2i], max[2i+1]) holds exactly.
type capTree struct {
	keyIsCPU bool // false: key free memory, other free CPU; true: the mirror
	shift    uint
	leavesN  int     // B, a power of two
	max      []int32 // 2B nodes; max[B+l] is leaf l; -1 = empty
	leaves   [][]int32
	leafOf   []int32 // per instance slot: its leaf, or -1 when not indexed
	pos      []int32 // per instance slot: its index in leaves[leafOf]
}

// maxLeaves bounds the leaf array (2^18 leaves: 256 GiB at 1 MiB, 256 vCPU
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
	t := &capTree{keyIsCPU: keyIsCPU, shift: shift, leavesN: b,
		max: make([]int32, 2*b), leaves: make([][]int32, b)}
	for i := range t.max {
		t.max[i] = -1
	}
	t.growSlots(slots)
	return t
}

// fits reports whether key values up to maxKey have a leaf.
func (t *capTree) fits(maxKey int32) bool { return int(maxKey>>t.shift) < t.leavesN }

func (t *capTree) growSlots(n int) {
	for len(t.leafOf) < n {
		t.leafOf = append(t.leafOf, -1)
		t.pos = append(t.pos, -1)
	}
}

func (t *capTree) leafIndex(key int32) int32 { return key >> t.shift }

// insert adds instance i with the given key and other-resource values.
func (t *capTree) insert(i, key, other int32) {
	l := t.leafIndex(key)
	t.leafOf[i] = l
	t.pos[i] = int32(len(t.leaves[l]))
	t.leaves[l] = append(t.leaves[l], i)
	t.raise(l, other)
}

// remove drops instance i from the index.
func (t *capTree) remove(i int32) {
	l := t.leafOf[i]
	if l < 0 {
		return
	}
	members := t.leaves[l]
	last := members[len(members)-1]
	p := t.pos[i]
	members[p] = last
	t.pos[last] = p
	t.leaves[l] = members[:len(members)-1]
	t.leafOf[i], t.pos[i] = -1, -1
	if len(t.leaves[l]) == 0 {
		t.store(l, -1)
	}
}

// update moves instance i after its free resources changed.
func (t *capTree) update(i, key, other int32) {
	l := t.leafOf[i]
	if l < 0 {
		return
	}
	if t.leafIndex(key) != l {
		t.remove(i)
		t.insert(i, key, other)
		return
	}
	t.raise(l, other)
}

// raise makes leaf l's bound at least v.
func (t *capTree) raise(l, v int32) {
	n := int(l) + t.leavesN
	for n >= 1 && t.max[n] < v {
		t.max[n] = v
		n >>= 1
	}
}

// store sets leaf l's bound to exactly v and repairs the path to the root,
// stopping as soon as a node does not change.
func (t *capTree) store(l, v int32) {
	n := int(l) + t.leavesN
	if t.max[n] == v {
		return
	}
	t.max[n] = v
	for n > 1 {
		n >>= 1
		m := max(t.max[2*n], t.max[2*n+1])
		if t.max[n] == m {
			return
		}
		t.max[n] = m
	}
}

// next returns the first leaf >= from whose bound is >= need, or -1.
func (t *capTree) next(from int32, need int32) int32 {
	b := t.leavesN
	if int(from) >= b {
		return -1
	}
	n := int(from) + b
	if t.max[n] < need {
		for {
			for n&1 == 1 { // a right child: its right neighbours start at the parent's sibling
				n >>= 1
			}
			if n == 0 {
				return -1
			}
			n++
			if t.max[n] >= need {
				break
			}
		}
		for n < b {
			n <<= 1
			if t.max[n] < need {
				n++
			}
		}
	}
	return int32(n - b)
}
