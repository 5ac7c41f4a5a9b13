package capacity

import (
	"fmt"
	"testing"
)

// FuzzStrategy decodes bytes into a strategy (three bytes an item: provider,
// base, weight). Whatever Validate accepts, Distribute places every task,
// and only on a provider with a weight or on the base provider within its
// base; nothing panics.
func FuzzStrategy(f *testing.F) {
	f.Add([]byte{0, 2, 1, 1, 0, 3}, uint16(10), []byte{})
	f.Add([]byte{0, 0, 0, 1, 0, 0}, uint16(5), []byte{1, 1})
	f.Add([]byte{0, 200, 0, 1, 0, 255}, uint16(300), []byte{7, 0, 9})
	f.Fuzz(func(t *testing.T, raw []byte, n uint16, run []byte) {
		var s Strategy
		for i := 0; i+2 < len(raw) && len(s) < 25; i += 3 {
			s = append(s, StrategyItem{Provider: fmt.Sprintf("p%d", raw[i]%8), Base: int(raw[i+1]) - 10, Weight: int(raw[i+2]) * 5})
		}
		if s.Validate() != nil || len(s) == 0 {
			return
		}
		running := make([]int, len(s))
		for i := range running {
			if i < len(run) {
				running[i] = int(run[i])
			}
		}
		tasks := int(n % 2000)
		got := Distribute(s, running, tasks)
		if len(got) != tasks {
			t.Fatalf("placed %d of %d", len(got), tasks)
		}
		counts := append([]int(nil), running...)
		for _, i := range got {
			counts[i]++
			if s[i].Weight == 0 && counts[i] > s[i].Base {
				t.Fatalf("provider %d with weight 0 got a task beyond its base %d", i, s[i].Base)
			}
		}
	})
}
