package traffic

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Demand draws the CPU work of one request: the CPU time it needs at one
// vCPU (a request of work w holds a whole vCPU for w, or half a vCPU for
// 2w). size is the arrival's Size (1 for synthetic arrivals).
type Demand interface {
	Work(r *rand.Rand, size float64) time.Duration
}

// Fixed is a deterministic demand: every request needs exactly Work
// (C_s² = 0, the D of M/D/1).
type Fixed struct {
	// CPU is the work of every request.
	CPU time.Duration
}

// Work returns d.CPU.
func (d Fixed) Work(*rand.Rand, float64) time.Duration { return d.CPU }

// Exponential is an exponential demand with the given mean (C_s² = 1, the
// M of M/M/1).
type Exponential struct {
	// Mean is the mean work per request.
	Mean time.Duration
}

// Work draws an exponential work.
func (d Exponential) Work(r *rand.Rand, _ float64) time.Duration {
	return secondsToDuration(r.ExpFloat64() * seconds(d.Mean))
}

// Lognormal is a lognormal demand with the given mean and squared
// coefficient of variation C_s² = Var/Mean²: ln(work) is normal with
//
//	σ² = ln(1 + C_s²),  μ = ln(Mean) − σ²/2.
type Lognormal struct {
	// Mean is the mean work per request.
	Mean time.Duration
	// SCV is C_s², the squared coefficient of variation (≥ 0).
	SCV float64
}

// Validate reports a non-positive mean or a negative or infinite SCV.
func (d Lognormal) Validate() error {
	if !(d.SCV >= 0) || math.IsInf(d.SCV, 0) || d.Mean <= 0 {
		return fmt.Errorf("%w: Lognormal{Mean %v, SCV %v}: needs Mean > 0 and finite SCV ≥ 0", ErrConfig, d.Mean, d.SCV)
	}
	return nil
}

// Work draws a lognormal work.
func (d Lognormal) Work(r *rand.Rand, _ float64) time.Duration {
	s2 := math.Log1p(d.SCV)
	mu := math.Log(seconds(d.Mean)) - s2/2
	return secondsToDuration(math.Exp(mu + math.Sqrt(s2)*r.NormFloat64()))
}

// HyperExponential is a two-phase hyperexponential demand with balanced
// means, for C_s² ≥ 1: with probability p the work is exponential with mean
// Mean/(2p), otherwise with mean Mean/(2(1−p)), where
//
//	p = (1 + √((C_s² − 1)/(C_s² + 1))) / 2.
//
// This gives mean Mean and squared coefficient of variation C_s² exactly.
type HyperExponential struct {
	// Mean is the mean work per request.
	Mean time.Duration
	// SCV is C_s² (≥ 1; 1 is the exponential).
	SCV float64
}

// Validate reports an SCV below 1 or a non-positive mean.
func (d HyperExponential) Validate() error {
	if !(d.SCV >= 1) || math.IsInf(d.SCV, 0) || d.Mean <= 0 {
		return fmt.Errorf("%w: HyperExponential{Mean %v, SCV %v}: needs Mean > 0 and finite SCV ≥ 1", ErrConfig, d.Mean, d.SCV)
	}
	return nil
}

// Work draws a hyperexponential work.
func (d HyperExponential) Work(r *rand.Rand, _ float64) time.Duration {
	p := (1 + math.Sqrt((d.SCV-1)/(d.SCV+1))) / 2
	m := seconds(d.Mean)
	if r.Float64() < p {
		return secondsToDuration(r.ExpFloat64() * m / (2 * p))
	}
	return secondsToDuration(r.ExpFloat64() * m / (2 * (1 - p)))
}

// PerSize is a demand proportional to the arrival's size, e.g. trace
// tokens: work = Base + PerUnit · size.
type PerSize struct {
	// Base is the work of every request regardless of size.
	Base time.Duration
	// PerUnit is the work per unit of size (e.g. per generated token).
	PerUnit time.Duration
}

// Work returns Base + PerUnit·size.
func (d PerSize) Work(_ *rand.Rand, size float64) time.Duration {
	return addSat(d.Base, secondsToDuration(seconds(d.PerUnit)*size))
}
