package loadbalancer

import (
	"errors"
	"fmt"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// ErrNoFluidModel reports a Router that declares no fluid model: a
// simulation cannot say how it splits a rate among the targets without
// simulating its requests one by one.
var ErrNoFluidModel = errors.New("loadbalancer: router declares no fluid model")

// FluidRouter is a Router that says which built-in algorithm's queueing
// model stands for it when requests are not simulated one by one (the sim
// package's fluid mode): RoundRobin (each target takes every N-th
// request), LeastOutstandingRequests (join the shortest queue) or
// WeightedRandom (independent random shares). A Router without this
// method is refused in fluid mode rather than taken for random routing,
// which for a queue-aware policy would overstate the waits several times.
//
// A power-of-two-choices router, for example, sits between random and
// shortest queue; declaring LeastOutstandingRequests understates its
// waits, WeightedRandom overstates them.
type FluidRouter interface {
	Router
	FluidAlgorithm() Algorithm
}

// FluidAlgorithm returns the algorithm whose queueing model describes how
// a group with configuration c splits its requests: Algorithm (with its
// default) for the built-in ones, or the Router's declared FluidAlgorithm.
// A Router that is not a FluidRouter, or that declares an algorithm other
// than RoundRobin, LeastOutstandingRequests and WeightedRandom, gives an
// error matching ErrNoFluidModel that names the Router's type.
func (c Config) FluidAlgorithm() (Algorithm, error) {
	if c.Router == nil {
		return c.withDefaults().Algorithm, nil
	}
	fr, ok := c.Router.(FluidRouter)
	if !ok {
		return 0, fielderr.New(ErrNoFluidModel, "Router", fmt.Sprintf("%T", c.Router),
			"implement FluidRouter (FluidAlgorithm() Algorithm) to use it in fluid mode, or simulate requests one by one")
	}
	switch a := fr.FluidAlgorithm(); a {
	case RoundRobin, LeastOutstandingRequests, WeightedRandom:
		return a, nil
	default:
		return 0, fielderr.New(ErrNoFluidModel, "Router", fmt.Sprintf("%T", c.Router),
			fmt.Sprintf("declares fluid algorithm %v; must be round_robin, least_outstanding_requests or weighted_random", a))
	}
}
