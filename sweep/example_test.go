package sweep_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/ecssim/ecssim/sweep"
)

// simulate stands in for a simulation: deterministic in its arm and seed.
func simulate(_ context.Context, target float64, seed uint64) (float64, error) {
	r := rand.New(rand.NewPCG(seed, 0))
	return 100/target + r.Float64(), nil // cost falls as the target rises
}

// Map runs a function over items side by side, results in item order.
func ExampleMap() {
	squares, err := sweep.Map([]int{1, 2, 3, 4}, func(n int) (int, error) { return n * n, nil })
	fmt.Println(squares, err)
	// Output: [1 4 9 16] <nil>
}

// Run runs every arm with every seed and ByArm sums up each arm. The
// arms see the same noise seed by seed (common random numbers), so their
// intervals match here and their difference is sharper than either.
func ExampleRun() {
	targets := []float64{40, 60, 80}
	cells := sweep.Grid(len(targets), sweep.Seeds(1, 5))
	results, err := sweep.Run(context.Background(), targets, cells, simulate, sweep.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for a, st := range sweep.ByArm(results, len(targets), func(cost float64) float64 { return cost }) {
		fmt.Printf("target %.0f %%: cost %.2f ± %.2f over %d seeds\n", targets[a], st.Mean, st.HalfWidth, st.N)
	}
	// Output:
	// target 40 %: cost 2.98 ± 0.41 over 5 seeds
	// target 60 %: cost 2.14 ± 0.41 over 5 seeds
	// target 80 %: cost 1.73 ± 0.41 over 5 seeds
}

// A sweep split over three machines: each runs its shard, and Merge puts
// the shards back together as one machine would have run them.
func ExampleShard() {
	targets := []float64{40, 60, 80}
	cells := sweep.Grid(len(targets), sweep.Seeds(1, 2))
	var shards [][]sweep.Result[float64]
	for i := range 3 {
		shard := sweep.Shard{Index: i, Count: 3}
		part, _ := sweep.Run(context.Background(), targets, shard.Cells(cells), simulate, sweep.Options{})
		fmt.Printf("shard %v runs cells", shard)
		for _, r := range part {
			fmt.Printf(" %d", r.Index)
		}
		fmt.Println()
		shards = append(shards, part)
	}
	merged, err := sweep.Merge(len(cells), shards...)
	fmt.Println(len(merged), "cells merged, error:", err)
	// Output:
	// shard 0/3 runs cells 0 3
	// shard 1/3 runs cells 1 4
	// shard 2/3 runs cells 2 5
	// 6 cells merged, error: <nil>
}

// In an AWS Batch array job each child finds its shard in its
// environment; a program passes os.LookupEnv.
func ExampleShardFromEnv() {
	env := map[string]string{"AWS_BATCH_JOB_ARRAY_INDEX": "1", "AWS_BATCH_JOB_ARRAY_SIZE": "4"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	shard, ok, err := sweep.ShardFromEnv(lookup, 0)
	fmt.Println(shard, ok, err)
	// Output: 1/4 true <nil>
}

// Summarize gives the mean with its 95 % Student t interval and
// percentiles across seeds.
func ExampleSummarize() {
	st := sweep.Summarize([]float64{1, 2, 3, 4, 5})
	fmt.Printf("mean %.1f, 95 %% interval [%.3f, %.3f], median %.0f, p90 %.0f\n", st.Mean, st.Lo(), st.Hi(), st.P50, st.P90)
	// Output: mean 3.0, 95 % interval [1.037, 4.963], median 3, p90 5
}
