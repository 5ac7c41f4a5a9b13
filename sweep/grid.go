package sweep

import (
	"context"
	"fmt"
	"slices"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Cell is one run of a sweep: an arm with a seed.
type Cell struct {
	// Index is the cell's place in the whole grid, arm-major:
	// Arm*len(seeds) + the seed's position.
	Index int
	// Arm indexes the sweep's arms.
	Arm int
	// Seed is the run's seed.
	Seed uint64
}

// Grid returns every arm with every seed, arm-major: the cells of arm 0
// with each seed in order, then arm 1, and so on.
func Grid(arms int, seeds []uint64) []Cell {
	cells := make([]Cell, 0, max(arms, 0)*len(seeds))
	for a := range max(arms, 0) {
		for _, s := range seeds {
			cells = append(cells, Cell{Index: len(cells), Arm: a, Seed: s})
		}
	}
	return cells
}

// Seeds returns n consecutive seeds from first: the usual seed list.
func Seeds(first uint64, n int) []uint64 {
	out := make([]uint64, max(n, 0))
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

// Result is a cell with what its run returned.
type Result[O any] struct {
	Cell
	Out O
}

// Run runs run for every cell (the cell's arm and seed), at most
// opt.Workers at once, and returns the results in the order of cells;
// failures come back joined in that order, each naming its cell.
func Run[A, O any](ctx context.Context, arms []A, cells []Cell, run func(ctx context.Context, arm A, seed uint64) (O, error), opt Options) ([]Result[O], error) {
	for _, c := range cells {
		if c.Arm < 0 || c.Arm >= len(arms) {
			return nil, fielderr.New(ErrOptions, fmt.Sprintf("cells[%d].Arm", c.Index), c.Arm, fmt.Sprintf("must index the %d arms", len(arms)))
		}
	}
	return MapContext(ctx, cells, func(ctx context.Context, c Cell) (Result[O], error) {
		out, err := run(ctx, arms[c.Arm], c.Seed)
		if err != nil {
			return Result[O]{}, fmt.Errorf("arm %d seed %d: %w", c.Arm, c.Seed, err)
		}
		return Result[O]{Cell: c, Out: out}, nil
	}, opt)
}

// Merge puts the results of the shards of one grid of total cells back
// in cell order: the results a single run of the whole grid returns. It
// fails, naming the cells, if a cell is missing or comes twice.
func Merge[O any](total int, shards ...[]Result[O]) ([]Result[O], error) {
	var all []Result[O]
	for _, s := range shards {
		all = append(all, s...)
	}
	slices.SortStableFunc(all, func(a, b Result[O]) int { return a.Index - b.Index })
	l := fielderr.NewList(ErrOptions)
	k := 0
	for i := range total {
		switch {
		case k < len(all) && all[k].Index == i:
			k++
			for k < len(all) && all[k].Index == i {
				l.Add("cell", i, "comes from more than one shard")
				k++
			}
		default:
			l.Add("cell", i, "is in no shard")
		}
	}
	for ; k < len(all); k++ {
		l.Addf("cell", all[k].Index, "is outside the grid of %d cells", total)
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	return all, nil
}
