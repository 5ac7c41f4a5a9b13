package main

import (
	"fmt"
	"io"

	"github.com/ecssim/ecssim/sim/scenario"
	"github.com/ecssim/ecssim/sweep"
)

// replicateOne runs a scenario with n seeds (its own and the n−1 after it),
// one Sim per goroutine, and summarises each service's measures.
func replicateOne(src source, n int) (*scenario.Scenario, *scenario.Summary, error) {
	sc, err := src.read()
	if err != nil {
		return nil, nil, err
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = sc.Seed + uint64(i)
	}
	reports, err := sweep.Map(seeds, func(seed uint64) (*scenario.Report, error) {
		arm := *sc // Build and Run only read the scenario, so arms share its slices
		arm.Seed = seed
		return scenario.Run(&arm, scenario.Options{Files: src.files})
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", src.name, err)
	}
	sum, err := scenario.Summarise(reports, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", src.name, err)
	}
	return sc, sum, nil
}

// replicate prints the summary of each scenario over n seeds.
func replicate(out io.Writer, paths []string, n int) error {
	srcs, err := sources(paths)
	if err != nil {
		return err
	}
	for k, src := range srcs {
		_, sum, err := replicateOne(src, n)
		if err != nil {
			return err
		}
		if k > 0 {
			fmt.Fprintln(out)
		}
		if err := sum.WriteText(out); err != nil {
			return err
		}
	}
	return nil
}
