package main

import (
	"math"
	"testing"
	"time"
)

// TestQuickstartMatchesQueueingTheory holds the quickstart's figures to the
// M/M/1 formulas, with the tolerances of oracles.md §2.7: means within 3 %,
// the p99 within 5 %, averaged over seeds.
func TestQuickstartMatchesQueueingTheory(t *testing.T) {
	if testing.Short() {
		t.Skip("1e6 customers per seed")
	}
	const lambda, mu, n = 80.0, 100.0, 1_000_000
	wq, w, p99 := theory(lambda, mu)
	var gotWq, gotW, gotP99 float64
	seeds := []uint64{11, 12, 13}
	for _, seed := range seeds {
		r, err := run(seed, lambda, mu, n, n/20)
		if err != nil {
			t.Fatal(err)
		}
		if r.customers != n-n/20 {
			t.Fatalf("measured %d customers, want %d", r.customers, n-n/20)
		}
		k := float64(len(seeds))
		gotWq += float64(r.meanWait) / k
		gotW += float64(r.meanSystem) / k
		gotP99 += float64(r.p99System) / k
	}
	check := func(name string, got float64, want time.Duration, tol float64) {
		if rel := math.Abs(got-float64(want)) / float64(want); rel > tol {
			t.Errorf("%s = %v, theory %v: off by %.1f %%, more than %.0f %%", name, time.Duration(got), want, 100*rel, 100*tol)
		}
	}
	check("mean wait", gotWq, wq, 0.03)
	check("mean time in system", gotW, w, 0.03)
	check("p99 time in system", gotP99, p99, 0.05)
}

func TestTheoryFormulas(t *testing.T) {
	// oracles.md §2.1, worked case lambda = 8/s, mu = 10/s: Wq 0.4 s, W 0.5 s, p99 2.303 s.
	wq, w, p99 := theory(8, 10)
	if wq != 400*time.Millisecond || w != 500*time.Millisecond || p99.Round(time.Millisecond) != 2303*time.Millisecond {
		t.Fatalf("theory(8, 10) = %v, %v, %v; want 400ms, 500ms, 2.303s", wq, w, p99)
	}
}
