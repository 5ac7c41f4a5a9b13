package loadbalancer

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// TestNodesAndCursors: an ALB round-robin group has one node per zone of
// its targets unless Nodes says otherwise, and one cursor per node unless
// SharedRoundRobin; cross-zone off keeps one cursor per zone's node, and
// other algorithms have none. Bad Nodes are refused by name.
func TestNodesAndCursors(t *testing.T) {
	zones := []string{"a", "b", "c", "a"}
	for _, tc := range []struct {
		name           string
		cfg            Config
		nodes, cursors int
	}{
		{"default", Config{}, 3, 3},
		{"shared", Config{SharedRoundRobin: true}, 3, 1},
		{"five nodes", Config{Nodes: 5}, 5, 5},
		{"cross-zone off", Config{CrossZone: CrossZoneOff}, 3, 1},
		{"least outstanding", Config{Algorithm: LeastOutstandingRequests}, 3, 0},
	} {
		g := healthyGroup(t, tc.cfg, zones)
		if g.Nodes() != tc.nodes || g.RoundRobinCursors() != tc.cursors {
			t.Errorf("%s: %d nodes, %d cursors; want %d, %d", tc.name, g.Nodes(), g.RoundRobinCursors(), tc.nodes, tc.cursors)
		}
	}
	if g := mustNew(t, Config{}); g.Nodes() != 1 {
		t.Errorf("empty group: %d nodes, want 1", g.Nodes())
	}
	for _, n := range []int{-1, MaxNodes + 1} {
		err := Config{Nodes: n}.Validate()
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "Nodes") {
			t.Errorf("Nodes %d: error %v, want ErrInvalidConfig naming Nodes", n, err)
		}
	}
}

// TestThreeCursorsVersusOne: with one shared cursor a target gets exactly
// every N-th request; with three nodes, each request entering one at
// random and each node keeping its own cursor, the gaps between a target's
// requests still average N but vary: their squared coefficient of
// variation is well above zero, as for the superposition of three
// Erlang-N streams of C² = 1/N (here N = 4), and each node on its own is
// still exact round robin.
func TestThreeCursorsVersusOne(t *testing.T) {
	zones := []string{"a", "b", "c", "a"}
	for _, shared := range []bool{true, false} {
		g := healthyGroup(t, Config{SharedRoundRobin: shared}, zones)
		rng := rand.New(rand.NewPCG(1, 2))
		last := map[int]int{}
		var n, sum, sumSq float64
		for i := range 120000 {
			id, ok := g.Route(at(61), rng)
			if !ok {
				t.Fatal("no target")
			}
			if j, seen := last[id]; seen {
				gap := float64(i - j)
				n, sum, sumSq = n+1, sum+gap, sumSq+gap*gap
			}
			last[id] = i
		}
		mean := sum / n
		scv := (sumSq/n - mean*mean) / (mean * mean)
		t.Logf("shared %v: mean gap %.3f requests, C² %.3f", shared, mean, scv)
		switch {
		case mean < 3.99 || mean > 4.01:
			t.Errorf("shared %v: mean gap %.3f, want 4", shared, mean)
		case shared && scv != 0:
			t.Errorf("shared cursor: gaps vary (C² %.3f), want every 4th request", scv)
		case !shared && scv < 0.2:
			t.Errorf("three cursors: gap C² %.3f, want well above the single cursor's 0", scv)
		}
	}
}

// TestGroupGrowsInTwoObjects: a group's per-target arrays grow together,
// its first growth to room for minTargets, in two allocations (the targets
// and one block for the four int32 arrays), and not at all until a target
// ID passes the room.
func TestGroupGrowsInTwoObjects(t *testing.T) {
	g, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ id, allocs int }{{0, 2}, {minTargets - 1, 0}, {minTargets, 2}, {2*minTargets - 1, 0}} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		err := g.grow(c.id)
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		if n := after.Mallocs - before.Mallocs; int(n) != c.allocs {
			t.Errorf("growing to target %d: %v allocations, want %d", c.id, n, c.allocs)
		}
		if len(g.targets) != c.id+1 || len(g.inFlight) != c.id+1 || len(g.heapPos) != c.id+1 || len(g.router.pool) != c.id+1 || len(g.router.lorPos) != c.id+1 {
			t.Fatalf("after growing to target %d: lengths %d %d %d %d %d", c.id, len(g.targets), len(g.inFlight), len(g.heapPos), len(g.router.pool), len(g.router.lorPos))
		}
	}
}
