package traffic

import (
	"math/rand/v2"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/sim/dist"
)

// Demand draws the CPU work of one request: the CPU time it needs at one
// vCPU (a request of work w holds a whole vCPU for w, or half a vCPU for
// 2w). size is the arrival's Size (1 for synthetic arrivals).
//
// A dist.Dist is a Demand whose work does not depend on size, so any
// distribution of package dist serves: dist.LogNormalMean(100*time.Millisecond, 4),
// say. Fixed, Exponential, Lognormal and HyperExponential below are the
// same distributions under their older names, drawing the same values;
// PerSize scales work by the request's size.
type Demand interface {
	Work(r *rand.Rand, size float64) time.Duration
}

// ValidateDemand reports every rule d breaks, as errors matching ErrConfig:
// d must be non-nil, and if it has a Validate method (every Demand of this
// package and dist.Dist do) its parameters must pass it. A Demand that
// breaks its rules can draw work that never ends (a hyperexponential with
// C² < 1 draws NaN), so a workload checks its Demand when it is built.
func ValidateDemand(d Demand) error {
	switch d := d.(type) {
	case nil:
		return fielderr.New(ErrConfig, "Demand", nil, "is required")
	case dist.Dist:
		if d.IsZero() {
			return fielderr.New(ErrConfig, "Demand", d, "must be a distribution, not the unset one")
		}
		return d.Check(ErrConfig, "Demand")
	case interface{ Validate() error }:
		return d.Validate()
	}
	return nil
}

// Fixed is a deterministic demand: every request needs exactly CPU
// (C_s² = 0, the D of M/D/1). It is dist.Fixed(CPU).
type Fixed struct {
	// CPU is the work of every request, ≥ 0.
	CPU time.Duration
}

// Dist returns the distribution: dist.Fixed(d.CPU).
func (d Fixed) Dist() dist.Dist { return dist.Fixed(d.CPU) }

// Work returns d.CPU (0 if it is negative).
func (d Fixed) Work(*rand.Rand, float64) time.Duration { return max(d.CPU, 0) }

// Validate reports a negative CPU.
func (d Fixed) Validate() error { return d.Dist().Check(ErrConfig, "Fixed") }

// Exponential is an exponential demand with the given mean (C_s² = 1, the
// M of M/M/1). It is dist.Exponential(Mean).
type Exponential struct {
	// Mean is the mean work per request, > 0.
	Mean time.Duration
}

// Dist returns the distribution: dist.Exponential(d.Mean).
func (d Exponential) Dist() dist.Dist { return dist.Exponential(d.Mean) }

// Work draws an exponential work.
func (d Exponential) Work(r *rand.Rand, _ float64) time.Duration { return d.Dist().Sample(r) }

// Validate reports a non-positive mean.
func (d Exponential) Validate() error { return d.Dist().Check(ErrConfig, "Exponential") }

// Lognormal is a lognormal demand with the given mean and squared
// coefficient of variation C_s² = Var/Mean²: ln(work) is normal with
//
//	σ² = ln(1 + C_s²),  μ = ln(Mean) − σ²/2.
//
// It is dist.LogNormalMean(Mean, SCV).
type Lognormal struct {
	// Mean is the mean work per request.
	Mean time.Duration
	// SCV is C_s², the squared coefficient of variation (≥ 0).
	SCV float64
}

// Dist returns the distribution: dist.LogNormalMean(d.Mean, d.SCV).
func (d Lognormal) Dist() dist.Dist { return dist.LogNormalMean(d.Mean, d.SCV) }

// Validate reports a non-positive mean or a negative or infinite SCV.
func (d Lognormal) Validate() error { return d.Dist().Check(ErrConfig, "Lognormal") }

// Work draws a lognormal work.
func (d Lognormal) Work(r *rand.Rand, _ float64) time.Duration { return d.Dist().Sample(r) }

// HyperExponential is a two-phase hyperexponential demand with balanced
// means, for C_s² ≥ 1: with probability p the work is exponential with mean
// Mean/(2p), otherwise with mean Mean/(2(1−p)), where
//
//	p = (1 + √((C_s² − 1)/(C_s² + 1))) / 2.
//
// This gives mean Mean and squared coefficient of variation C_s² exactly.
// It is dist.HyperExponential(Mean, SCV).
type HyperExponential struct {
	// Mean is the mean work per request.
	Mean time.Duration
	// SCV is C_s² (≥ 1; 1 is the exponential).
	SCV float64
}

// Dist returns the distribution: dist.HyperExponential(d.Mean, d.SCV).
func (d HyperExponential) Dist() dist.Dist { return dist.HyperExponential(d.Mean, d.SCV) }

// Validate reports an SCV below 1 or a non-positive mean.
func (d HyperExponential) Validate() error { return d.Dist().Check(ErrConfig, "HyperExponential") }

// Work draws a hyperexponential work.
func (d HyperExponential) Work(r *rand.Rand, _ float64) time.Duration { return d.Dist().Sample(r) }

// PerSize is a demand proportional to the arrival's size, e.g. trace
// tokens: work = Base + PerUnit · size, saturated at dist.Max.
type PerSize struct {
	// Base is the work of every request regardless of size, ≥ 0.
	Base time.Duration
	// PerUnit is the work per unit of size (e.g. per generated token), ≥ 0.
	PerUnit time.Duration
}

// Validate reports a negative Base or PerUnit.
func (d PerSize) Validate() error {
	l := fielderr.NewList(ErrConfig)
	if d.Base < 0 {
		l.Add("PerSize.Base", d.Base, "must not be negative")
	}
	if d.PerUnit < 0 {
		l.Add("PerSize.PerUnit", d.PerUnit, "must not be negative")
	}
	return l.Err()
}

// Work returns Base + PerUnit·size, never negative.
func (d PerSize) Work(_ *rand.Rand, size float64) time.Duration {
	per := seconds(d.PerUnit) * size
	if !(per > 0) { // negative, zero or NaN
		per = 0
	}
	return addSat(max(d.Base, 0), secondsToDuration(per))
}
