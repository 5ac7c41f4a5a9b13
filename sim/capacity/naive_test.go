package capacity

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"
)

// naiveDistribute is the reference for Distribute: the same rule written
// with exact rationals and no integer tricks, recomputing every share for
// every task.
func naiveDistribute(s Strategy, running []int, n int) []int {
	counts := append([]int(nil), running...)
	var out []int
	for range n {
		total, base, baseIdx, w := 0, 0, -1, 0
		for i, it := range s {
			total += counts[i]
			w += it.Weight
			if it.Base > 0 {
				base, baseIdx = it.Base, i
			}
		}
		pick := -1
		if baseIdx >= 0 && counts[baseIdx] < base {
			pick = baseIdx
		} else {
			r := total + 1 - base
			var best *big.Rat
			for i, it := range s {
				if it.Weight == 0 {
					continue
				}
				post := counts[i]
				if i == baseIdx {
					post -= base
				}
				share := big.NewRat(int64(r*it.Weight), int64(w))
				if big.NewRat(int64(post), 1).Cmp(share) >= 0 {
					continue
				}
				priority := big.NewRat(int64(it.Weight), int64(post+1))
				if best == nil || priority.Cmp(best) > 0 {
					best, pick = priority, i
				}
			}
		}
		counts[pick]++
		out = append(out, pick)
	}
	return out
}

func TestDistributeEqualsNaive(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := drawStrategy(t)
		running := make([]int, len(s))
		for i := range running {
			running[i] = rapid.IntRange(0, 40).Draw(t, "running")
		}
		n := rapid.IntRange(0, 200).Draw(t, "n")
		if diff := cmp.Diff(naiveDistribute(s, running, n), Distribute(s, running, n), cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Distribute differs from the naive reference (-naive +fast):\n%s", diff)
		}
	})
}
