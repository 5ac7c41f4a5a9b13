package sim

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Dist is a distribution of durations, used for every latency of the world
// (instance launch, ENI attachment, image pull, container start, shutdown).
// The zero Dist is "unset": a config field holding it takes its documented
// default. Build one with Fixed, Uniform, LogNormal or Exponential.
type Dist struct {
	kind  distKind
	a, b  time.Duration
	sigma float64
}

type distKind uint8

const (
	distUnset distKind = iota
	distFixed
	distUniform
	distLogNormal
	distExponential
)

// Fixed is the distribution that always returns d.
func Fixed(d time.Duration) Dist { return Dist{kind: distFixed, a: d} }

// Uniform draws uniformly from [lo, hi], at nanosecond granularity.
func Uniform(lo, hi time.Duration) Dist { return Dist{kind: distUniform, a: lo, b: hi} }

// LogNormal draws median × exp(sigma × Z) with Z standard normal, rounded to
// the nanosecond: a right-skewed latency whose median is median.
func LogNormal(median time.Duration, sigma float64) Dist {
	return Dist{kind: distLogNormal, a: median, sigma: sigma}
}

// Exponential draws an exponential duration with the given mean (the time to
// an event of a Poisson process of rate 1/mean).
func Exponential(mean time.Duration) Dist { return Dist{kind: distExponential, a: mean} }

// IsZero reports whether d is unset.
func (d Dist) IsZero() bool { return d.kind == distUnset }

// or returns d, or def when d is unset.
func (d Dist) or(def Dist) Dist {
	if d.kind == distUnset {
		return def
	}
	return d
}

// Sample draws one duration from r. An unset Dist returns 0.
func (d Dist) Sample(r *rand.Rand) time.Duration {
	switch d.kind {
	case distFixed:
		return d.a
	case distUniform:
		if d.b <= d.a {
			return d.a
		}
		return d.a + time.Duration(r.Int64N(int64(d.b-d.a)+1))
	case distLogNormal:
		return time.Duration(math.Round(float64(d.a) * math.Exp(d.sigma*r.NormFloat64())))
	case distExponential:
		return time.Duration(math.Round(float64(d.a) * r.ExpFloat64()))
	}
	return 0
}

// String renders the distribution, e.g. "uniform(5s, 10s)".
func (d Dist) String() string {
	switch d.kind {
	case distFixed:
		return fmt.Sprintf("fixed(%v)", d.a)
	case distUniform:
		return fmt.Sprintf("uniform(%v, %v)", d.a, d.b)
	case distLogNormal:
		return fmt.Sprintf("lognormal(median %v, sigma %g)", d.a, d.sigma)
	case distExponential:
		return fmt.Sprintf("exponential(mean %v)", d.a)
	}
	return "unset"
}

// validate names the field and the rule a malformed distribution breaks.
func (d Dist) validate(field string) error {
	switch d.kind {
	case distFixed:
		if d.a < 0 {
			return fmt.Errorf("%w: %s is %v; a duration must not be negative", ErrConfig, field, d)
		}
	case distUniform:
		if d.a < 0 || d.b < d.a {
			return fmt.Errorf("%w: %s is %v; uniform needs 0 <= lo <= hi", ErrConfig, field, d)
		}
	case distLogNormal:
		if d.a <= 0 || d.sigma < 0 || math.IsNaN(d.sigma) || math.IsInf(d.sigma, 0) {
			return fmt.Errorf("%w: %s is %v; lognormal needs a positive median and a finite sigma >= 0", ErrConfig, field, d)
		}
	case distExponential:
		if d.a <= 0 {
			return fmt.Errorf("%w: %s is %v; exponential needs a positive mean", ErrConfig, field, d)
		}
	}
	return nil
}
