// Package sweep is the old home of the parallel map, now the public
// package github.com/ecssim/ecssim/sweep. It forwards there until every
// caller has moved (cmd/ecssim); new code imports the public package.
package sweep

import "github.com/ecssim/ecssim/sweep"

// Map runs run on every arm and returns the outcomes in the order of arms,
// or the errors of the arms that failed, joined in that order: sweep.Map
// of github.com/ecssim/ecssim/sweep.
func Map[A, O any](arms []A, run func(A) (O, error)) ([]O, error) { return sweep.Map(arms, run) }
