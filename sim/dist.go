package sim

import (
	"time"

	"github.com/ecssim/ecssim/sim/dist"
)

// Dist is a distribution of durations, used for every latency of the world
// (instance launch, ENI attachment, image pull, container start, shutdown).
// The zero Dist is "unset": a config field holding it takes its documented
// default. It is dist.Dist, the vocabulary sim shares with sim/traffic;
// build one with Fixed, Uniform, LogNormal or Exponential here, or with
// any constructor of package dist.
type Dist = dist.Dist

// Fixed is the distribution that always returns d.
func Fixed(d time.Duration) Dist { return dist.Fixed(d) }

// Uniform draws uniformly from [lo, hi], at nanosecond granularity.
func Uniform(lo, hi time.Duration) Dist { return dist.Uniform(lo, hi) }

// LogNormal draws median × exp(sigma × Z) with Z standard normal, rounded to
// the nanosecond: a right-skewed latency whose median is median.
func LogNormal(median time.Duration, sigma float64) Dist { return dist.LogNormal(median, sigma) }

// Exponential draws an exponential duration with the given mean (the time to
// an event of a Poisson process of rate 1/mean).
func Exponential(mean time.Duration) Dist { return dist.Exponential(mean) }
