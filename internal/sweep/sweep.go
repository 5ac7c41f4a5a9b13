// Package sweep runs independent simulations side by side for the
// examples and the ecssim command: one goroutine per arm, at most GOMAXPROCS at a time, results in
// the order of the arms whatever order they finish in. Each simulation is
// deterministic on its own, so a sweep's output depends only on its arms.
// The simulator's core starts no goroutines; parallelism lives out here,
// one Sim per goroutine, never shared.
package sweep

import (
	"errors"
	"runtime"
	"sync"
)

// Map runs run on every arm and returns the outcomes in the order of arms,
// or the errors of the arms that failed, joined in that order.
func Map[A, O any](arms []A, run func(A) (O, error)) ([]O, error) {
	out := make([]O, len(arms))
	errs := make([]error, len(arms))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, arm := range arms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i], errs[i] = run(arm)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
