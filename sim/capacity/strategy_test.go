package capacity

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestWorkedExampleI(t *testing.T) {
	ab := Strategy{{Provider: "A", Weight: 1}, {Provider: "B", Weight: 4}}
	odSpot := Strategy{{Provider: "CP-OD", Base: 2, Weight: 1}, {Provider: "CP-SPOT", Weight: 3}}
	even := Strategy{{Provider: "A", Weight: 1}, {Provider: "B", Weight: 1}}
	tests := []struct {
		name     string
		strategy Strategy
		n        int
		want     []int
	}{
		{"weights 1:4, 10 tasks → A 2, B 8", ab, 10, []int{2, 8}},
		{"weights 1:1, base 0 → even split", even, 10, []int{5, 5}},
		{"OD base 2 weight 1, SPOT weight 3, 10 tasks → OD 4, SPOT 6", odSpot, 10, []int{4, 6}},
		{"OD base 2 weight 1, SPOT weight 3, 2 tasks → OD 2, SPOT 0", odSpot, 2, []int{2, 0}},
		{"OD base 2 weight 1, SPOT weight 3, 6 tasks → OD 3, SPOT 3", odSpot, 6, []int{3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.strategy.Validate(); err != nil {
				t.Fatal(err)
			}
			got := DistributeCounts(tt.strategy, make([]int, len(tt.strategy)), tt.n)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("tasks per provider (-want +got):\n%s", diff)
			}
		})
	}
	// "first 2 tasks on CP-OD, the rest 1:3": the launch order starts with
	// the base.
	order := Distribute(odSpot, []int{0, 0}, 6)
	if diff := cmp.Diff([]int{0, 0}, order[:2]); diff != "" {
		t.Errorf("first two tasks (-want +got):\n%s", diff)
	}
	// (doc) all weights zero → CreateService/RunTask fails.
	err := Strategy{{Provider: "A"}, {Provider: "B"}}.Validate()
	if !errors.Is(err, ErrInvalidStrategy) || !strings.Contains(err.Error(), "weight greater than 0") {
		t.Errorf("all weights zero: %v", err)
	}
}

func TestDistributeRefillsTheProviderThatLostTasks(t *testing.T) {
	// OD base 2 weight 1, SPOT weight 3 ran OD 4, SPOT 6; four Spot tasks
	// were interrupted. Their replacements all go back to SPOT.
	odSpot := Strategy{{Provider: "CP-OD", Base: 2, Weight: 1}, {Provider: "CP-SPOT", Weight: 3}}
	if diff := cmp.Diff([]int{1, 1, 1, 1}, Distribute(odSpot, []int{4, 2}, 4)); diff != "" {
		t.Errorf("replacements (-want +got):\n%s", diff)
	}
	// A base provider below its base is refilled first even when the
	// weighted providers are short too. Then R = 1: both below their shares
	// (0.25, 0.75), priorities 1/1 and 3/1 → SPOT; R = 2: both below (0.5,
	// 1.5), priorities 1/1 and 3/2 → SPOT.
	if diff := cmp.Diff([]int{0, 1, 1}, Distribute(odSpot, []int{1, 0}, 3)); diff != "" {
		t.Errorf("base refill (-want +got):\n%s", diff)
	}
}

// TestDistributeKeepsLowerQuota is the case that sank the "furthest below
// its share" greedy rule: weights 1, 1, 3, 10, 10 and 240 tasks give exact
// shares 9.6, 9.6, 28.8, 96, 96, so the two weight-10 providers must get
// exactly 96 each (the greedy rule gave the last 95).
func TestDistributeKeepsLowerQuota(t *testing.T) {
	s := Strategy{{Provider: "a", Weight: 1}, {Provider: "b", Weight: 1}, {Provider: "c", Weight: 3}, {Provider: "d", Weight: 10}, {Provider: "e", Weight: 10}}
	got := DistributeCounts(s, make([]int, 5), 240)
	if got[3] != 96 || got[4] != 96 || got[0]+got[1]+got[2] != 48 {
		t.Errorf("split %v, want d = e = 96 and 48 over a, b, c", got)
	}
	for i, lo := range []int{9, 9, 28} {
		if got[i] < lo || got[i] > lo+1 {
			t.Errorf("provider %s got %d, want %d or %d", s[i].Provider, got[i], lo, lo+1)
		}
	}
}

func TestStrategyValidate(t *testing.T) {
	many := make(Strategy, 21)
	for i := range many {
		many[i] = StrategyItem{Provider: fmt.Sprintf("asg-%d", i), Weight: 1}
	}
	tests := []struct {
		name  string
		s     Strategy
		wants []string
	}{
		{"empty means cluster default", nil, nil},
		{"FARGATE and FARGATE_SPOT", Strategy{{Provider: Fargate, Base: 1, Weight: 1}, {Provider: FargateSpot, Weight: 4}}, nil},
		{"20 providers", many[:20], nil},
		{"21 providers", many, []string{"len(strategy) 21:"}},
		{"two bases", Strategy{{Provider: "a", Base: 1, Weight: 1}, {Provider: "b", Base: 1}}, []string{"only one capacity provider may have a base"}},
		{"ranges", Strategy{{Provider: "a", Base: 100001, Weight: 1001}, {Provider: "b", Base: -1, Weight: -1}},
			[]string{"strategy[0].Base 100001:", "strategy[0].Weight 1001:", "strategy[1].Base -1:", "strategy[1].Weight -1:"}},
		{"duplicate and empty names", Strategy{{Provider: "a", Weight: 1}, {Provider: "a", Weight: 1}, {Weight: 1}},
			[]string{`strategy[1].Provider "a":`, `strategy[2].Provider "":`}},
		{"Fargate mixed with an ASG", Strategy{{Provider: Fargate, Weight: 1}, {Provider: "asg", Weight: 1}}, []string{"cannot mix"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if len(tt.wants) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidStrategy) {
				t.Fatalf("error %v does not match ErrInvalidStrategy", err)
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if got := strings.Count(err.Error(), "\n") + 1; got != len(tt.wants) {
				t.Errorf("%d problems, want %d: %v", got, len(tt.wants), err)
			}
		})
	}
}

func TestEffectiveStrategy(t *testing.T) {
	def := Strategy{{Provider: Fargate, Weight: 1}}
	own := Strategy{{Provider: FargateSpot, Weight: 1}}
	if diff := cmp.Diff(def, EffectiveStrategy(nil, def)); diff != "" {
		t.Errorf("no service strategy (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(own, EffectiveStrategy(own, def)); diff != "" {
		t.Errorf("service strategy (-want +got):\n%s", diff)
	}
}

func drawStrategy(t *rapid.T) Strategy {
	k := rapid.IntRange(1, 6).Draw(t, "providers")
	s := make(Strategy, k)
	for i := range s {
		s[i] = StrategyItem{Provider: fmt.Sprintf("p%d", i), Weight: rapid.IntRange(0, 12).Draw(t, "weight")}
	}
	if s.Validate() != nil { // all weights zero
		s[rapid.IntRange(0, k-1).Draw(t, "fix")].Weight = 1
	}
	if rapid.Bool().Draw(t, "hasBase") {
		s[rapid.IntRange(0, k-1).Draw(t, "baseProvider")].Base = rapid.IntRange(1, 30).Draw(t, "base")
	}
	return s
}

// TestDistributeMatchesBaseThenWeight: from an empty service, for every
// total N the base provider holds min(N, base) base tasks, and every
// provider's tasks beyond the base stay within one of its exact weighted
// share R·w_i/W of the R = N − base tasks beyond the base; providers with
// weight 0 get nothing beyond a base. Launching in two batches gives the
// same split as one batch.
func TestDistributeMatchesBaseThenWeight(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := drawStrategy(t)
		n := rapid.IntRange(0, 300).Draw(t, "n")
		split := rapid.IntRange(0, n).Draw(t, "split")
		got := DistributeCounts(s, make([]int, len(s)), n)

		base, baseIdx, w := 0, -1, 0
		for i, it := range s {
			if it.Base > 0 {
				base, baseIdx = it.Base, i
			}
			w += it.Weight
		}
		r := max(0, n-base)
		sum := 0
		for i, it := range s {
			sum += got[i]
			post := got[i]
			if i == baseIdx {
				if got[i] < min(n, base) {
					t.Fatalf("base provider %d has %d tasks, want at least min(%d, %d)", i, got[i], n, base)
				}
				post -= min(n, base)
			}
			lo, hi := r*it.Weight/w, (r*it.Weight+w-1)/w
			if post < lo || post > hi {
				t.Fatalf("provider %d (weight %d/%d) has %d beyond the base of R=%d, want in [%d, %d]; split %v", i, it.Weight, w, post, r, lo, hi, got)
			}
		}
		if sum != n {
			t.Fatalf("placed %d of %d", sum, n)
		}
		first := DistributeCounts(s, make([]int, len(s)), split)
		second := DistributeCounts(s, first, n-split)
		for i := range second {
			second[i] += first[i]
		}
		if diff := cmp.Diff(got, second); diff != "" {
			t.Fatalf("two batches differ from one (-one +two):\n%s", diff)
		}
	})
}
