package placement

import (
	"math/rand/v2"
	"testing"
)

// TestCapTreeAgainstModel holds the capacity tree to a plain map of
// instance -> (key, other) under random inserts, updates and removals: next
// must return the least leaf >= from holding an instance whose other
// resource is >= need (found by brute force over the model), every leaf
// heap must hold exactly its instances in max-heap order, and every
// instance's recorded position must point at its entry. Small key ranges
// make leaves crowded and groups of 16 sparse or full; the coarse case
// (shift > 0) maps several key values to one leaf.
func TestCapTreeAgainstModel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		maxKey int32
		keys   int32 // keys drawn from [0, keys]
	}{
		{"tiny", 3, 3},
		{"exact-dense", 300, 300},
		{"exact-sparse", 100000, 100000},
		{"coarse", 1 << 22, 1 << 22},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, uint64(tc.maxKey)))
			const slots = 200
			tree := newCapTree(false, tc.maxKey, slots)
			type state struct {
				in         bool
				key, other int32
			}
			model := make([]state, slots)
			for step := range 20000 {
				i := int32(rng.IntN(slots))
				key, other := rng.Int32N(tc.keys+1), rng.Int32N(50)
				switch {
				case !model[i].in:
					tree.insert(i, key, other)
					model[i] = state{true, key, other}
				case rng.IntN(4) == 0:
					tree.remove(i)
					model[i] = state{}
				default:
					if rng.IntN(2) == 0 { // stay in the same leaf
						key = model[i].key
					}
					tree.update(i, key, other)
					model[i] = state{true, key, other}
				}
				from, need := tree.leafIndex(rng.Int32N(tc.keys+1)), rng.Int32N(55)
				if rng.IntN(4) == 0 { // searches that start at the right edge climb off it
					from = int32(max(0, tree.leavesN-1-rng.IntN(3)))
				}
				want := int32(-1)
				for _, s := range model {
					l := tree.leafIndex(s.key)
					if s.in && s.other >= need && l >= from && (want < 0 || l < want) {
						want = l
					}
				}
				if got := tree.next(from, need); got != want {
					t.Fatalf("step %d: next(%d, %d) = %d, want %d", step, from, need, got, want)
				}
				if step%97 == 0 {
					checkTree(t, tree, func(i int) (bool, int32, int32) { return model[i].in, model[i].key, model[i].other })
				}
			}
		})
	}
}

// checkTree verifies the heaps, the positions and every level's bounds.
func checkTree(t *testing.T, tree *capTree, model func(int) (bool, int32, int32)) {
	t.Helper()
	for i := range tree.loc {
		in, key, other := model(i)
		loc := tree.loc[i]
		if !in {
			if loc.heap >= 0 {
				t.Fatalf("instance %d is not indexed but sits in heap %d", i, loc.heap)
			}
			continue
		}
		if l := tree.leafOf[loc.heap]; l != tree.leafIndex(key) {
			t.Fatalf("instance %d (key %d) sits in leaf %d, want %d", i, key, l, tree.leafIndex(key))
		}
		if e := tree.heaps[loc.heap][loc.pos]; e != entry(int32(i), other) {
			t.Fatalf("instance %d: heap entry %x, want %x", i, e, entry(int32(i), other))
		}
	}
	for l := range tree.leavesN {
		h := tree.leaf(int32(l))
		bound := int32(-1)
		for k, e := range h {
			if loc := tree.loc[entryID(e)]; tree.leafOf[loc.heap] != int32(l) || loc.pos != int32(k) {
				t.Fatalf("leaf %d position %d holds instance %d recorded at %+v", l, k, entryID(e), tree.loc[entryID(e)])
			}
			if k > 0 && h[(k-1)/heapArity] < e {
				t.Fatalf("leaf %d: heap order broken at %d", l, k)
			}
			bound = max(bound, entryOther(e))
		}
		if tree.levels[0][l] != bound {
			t.Fatalf("leaf %d bound %d, want %d", l, tree.levels[0][l], bound)
		}
	}
	for k := 1; k < len(tree.levels); k++ {
		below := tree.levels[k-1]
		for j, got := range tree.levels[k] {
			want := int32(-1)
			for _, x := range below[j*fan : min(j*fan+fan, len(below))] {
				want = max(want, x)
			}
			if got != want {
				t.Fatalf("level %d node %d = %d, want %d", k, j, got, want)
			}
		}
	}
}
