package sweep

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestGridIsArmMajor(t *testing.T) {
	got := Grid(2, []uint64{7, 9})
	want := []Cell{{0, 0, 7}, {1, 0, 9}, {2, 1, 7}, {3, 1, 9}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Grid = %v, want %v", got, want)
	}
	if s := Seeds(5, 3); !reflect.DeepEqual(s, []uint64{5, 6, 7}) {
		t.Errorf("Seeds(5, 3) = %v", s)
	}
}

// TestShardsPartitionTheGrid: for every shard count, the shards' cells
// are disjoint, cover the grid, and differ in size by at most one.
func TestShardsPartitionTheGrid(t *testing.T) {
	cells := Grid(7, Seeds(1, 5))
	for n := 1; n <= 9; n++ {
		seen := make([]int, len(cells))
		lo, hi := len(cells), 0
		for i := range n {
			part := Shard{i, n}.Cells(cells)
			lo, hi = min(lo, len(part)), max(hi, len(part))
			for _, c := range part {
				seen[c.Index]++
			}
		}
		for k, times := range seen {
			if times != 1 {
				t.Errorf("%d shards: cell %d in %d shards", n, k, times)
			}
		}
		if hi-lo > 1 {
			t.Errorf("%d shards: sizes %d to %d", n, lo, hi)
		}
	}
}

// walk is a stand-in simulation: a random walk drawn from a generator
// seeded by the arm and the seed, as a Sim is by its config and seed.
func walk(_ context.Context, step float64, seed uint64) (float64, error) {
	r := rand.New(rand.NewPCG(seed, uint64(step*1000)))
	x := 0.0
	for range 1000 {
		x += step * r.NormFloat64()
	}
	return x, nil
}

// TestShardedRunMergesToTheWholeRun: a sweep run whole, and run as 3
// shards (each with its own pool size) and merged, give identical
// results, cell for cell, and identical per-arm statistics.
func TestShardedRunMergesToTheWholeRun(t *testing.T) {
	arms := []float64{0.5, 1, 2, 4}
	cells := Grid(len(arms), Seeds(1, 5))
	whole, err := Run(context.Background(), arms, cells, walk, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var shards [][]Result[float64]
	for i := range 3 {
		part, err := Run(context.Background(), arms, Shard{i, 3}.Cells(cells), walk, Options{Workers: i + 1})
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, part)
	}
	// Shards finish in any order; merge them in reverse to show it.
	merged, err := Merge(len(cells), shards[2], shards[0], shards[1])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(whole, merged) {
		t.Fatalf("merged shards differ from the whole run:\n whole %v\nmerged %v", whole, merged)
	}
	id := func(x float64) float64 { return x }
	if a, b := ByArm(whole, len(arms), id), ByArm(merged, len(arms), id); !reflect.DeepEqual(a, b) {
		t.Errorf("statistics differ: %v vs %v", a, b)
	}
	for i, r := range whole {
		if r.Index != i || r.Cell != cells[i] {
			t.Errorf("result %d is cell %v, want %v", i, r.Cell, cells[i])
		}
	}
}

// TestMergeNamesMissingAndDoubledCells: every missing, doubled or
// foreign cell is reported at once.
func TestMergeNamesMissingAndDoubledCells(t *testing.T) {
	cells := Grid(2, Seeds(1, 3)) // 6 cells
	res := func(idx ...int) []Result[int] {
		var out []Result[int]
		for _, i := range idx {
			out = append(out, Result[int]{Cell: Cell{Index: i}})
		}
		return out
	}
	_, err := Merge(len(cells), res(0, 1, 2), res(2, 4), res(9))
	if !errors.Is(err, ErrOptions) {
		t.Fatalf("err = %v, want ErrOptions", err)
	}
	for _, want := range []string{"cell 2: comes from more than one shard", "cell 3: is in no shard", "cell 5: is in no shard", "cell 9: is outside the grid of 6 cells"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestRunNamesTheFailingCells(t *testing.T) {
	boom := errors.New("boom")
	_, err := Run(context.Background(), []int{1, 2}, Grid(2, Seeds(1, 2)), func(_ context.Context, arm int, seed uint64) (int, error) {
		if arm == 2 {
			return 0, boom
		}
		return arm, nil
	}, Options{})
	if !errors.Is(err, boom) || err.Error() != "arm 1 seed 1: boom\narm 1 seed 2: boom" {
		t.Errorf("err = %v", err)
	}
	_, err = Run(context.Background(), []int{1}, []Cell{{Index: 0, Arm: 3}}, func(context.Context, int, uint64) (int, error) { return 0, nil }, Options{})
	if !errors.Is(err, ErrOptions) {
		t.Errorf("an arm out of range: err = %v", err)
	}
}
