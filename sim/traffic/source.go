package traffic

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Source is a demand source: a request rate that varies over virtual time.
// Time t is the offset from the start of the simulation.
type Source interface {
	// Rate returns the request rate at t, in requests per second, in
	// [0, MaxPerSecond]. A rate outside it (negative, NaN, above
	// MaxPerSecond) is read as ClampRate makes it.
	Rate(t time.Duration) float64
	// MaxRate returns an upper bound of Rate over [from, to), in requests
	// per second. The tighter the bound, the fewer candidates a thinning
	// sampler rejects; it must never be below Rate anywhere in the interval.
	MaxRate(from, to time.Duration) float64
}

// MaxPerSecond is the largest request rate the package takes, in requests
// per second: 10⁸, far above what one service behind one load balancer
// serves. It bounds every count a run can make: at MaxPerSecond for the
// longest run a time.Duration can hold (about 292 years, 9.2·10⁹ s) a
// workload counts 9.2·10¹⁷ requests, a tenth of what an int64 holds, so
// request counters cannot wrap; and it bounds the work of drawing one
// arrival (Thinning draws candidates at most this fast).
const MaxPerSecond = 1e8

// ClampRate returns r as the package reads a rate: NaN and negative rates
// are 0 and rates above MaxPerSecond are MaxPerSecond. A Source of the
// caller's own that returns such a rate in the middle of a run then
// neither panics nor hangs the run; the validated sources of this package
// never do.
func ClampRate(r float64) float64 {
	switch {
	case r > MaxPerSecond:
		return MaxPerSecond
	case r > 0:
		return r
	}
	return 0 // negative, zero or NaN
}

// ValidateSource reports every rule s breaks, as errors matching ErrConfig:
// s must be non-nil, and if it has a Validate method (every Source of this
// package does) its parameters must pass it. A workload checks its Source
// when it is built, so that a bad rate is an error then rather than a
// clamp or a panic during the run.
func ValidateSource(s Source) error {
	switch s := s.(type) {
	case nil:
		return fielderr.New(ErrConfig, "Source", nil, "is required")
	case interface{ Validate() error }:
		return s.Validate()
	}
	return nil
}

// checkRate adds a problem to l if r is not a rate of [0, MaxPerSecond].
func checkRate(l *fielderr.List, field string, r float64) {
	if !(r >= 0 && r <= MaxPerSecond) {
		l.Add(field, r, fmt.Sprintf("must be a rate from 0 to MaxPerSecond (%g) requests per second", float64(MaxPerSecond)))
	}
}

// Constant is a source with the same rate at every instant.
type Constant struct {
	// PerSecond is the rate in requests per second, from 0 to
	// MaxPerSecond; zero means no demand.
	PerSecond float64
}

// Validate reports a rate that is negative, NaN or above MaxPerSecond.
func (c Constant) Validate() error {
	l := fielderr.NewList(ErrConfig)
	checkRate(l, "Constant.PerSecond", c.PerSecond)
	return l.Err()
}

// Rate returns c.PerSecond.
func (c Constant) Rate(time.Duration) float64 { return c.PerSecond }

// MaxRate returns c.PerSecond.
func (c Constant) MaxRate(_, _ time.Duration) float64 { return c.PerSecond }

// Diurnal is a sinusoidal daily (or other periodic) cycle:
//
//	Rate(t) = Mean · (1 + Amplitude · cos(2π (t − Peak) / Period))
//
// so the rate peaks at Mean·(1+Amplitude) at Peak (and every Period after)
// and bottoms at Mean·(1−Amplitude) half a period later. The integral over one
// period is Mean·Period.
type Diurnal struct {
	// Mean is the average rate over a period, in requests per second.
	Mean float64
	// Amplitude is the relative swing around Mean, in [0, 1]; zero makes
	// the source constant.
	Amplitude float64
	// Period is the length of one cycle; zero means 24 hours.
	Period time.Duration
	// Peak is the offset from simulation start at which the rate is
	// highest, e.g. 15*time.Hour for a 15:00 peak when the simulation
	// starts at midnight.
	Peak time.Duration
}

func (d Diurnal) period() time.Duration {
	if d.Period <= 0 {
		return 24 * time.Hour
	}
	return d.Period
}

// Validate reports every invalid field of d.
func (d Diurnal) Validate() error {
	l := fielderr.NewList(ErrConfig)
	if !(d.Mean >= 0) || math.IsInf(d.Mean, 0) {
		l.Add("Diurnal.Mean", d.Mean, "must be a finite rate ≥ 0")
	}
	if !(d.Amplitude >= 0 && d.Amplitude <= 1) {
		l.Add("Diurnal.Amplitude", d.Amplitude, "must be in [0, 1]")
	} else if peak := d.Mean * (1 + d.Amplitude); peak > MaxPerSecond {
		l.Add("Diurnal.Mean", d.Mean, fmt.Sprintf("peaks at %g requests per second, above MaxPerSecond (%g)", peak, float64(MaxPerSecond)))
	}
	if d.Period < 0 {
		l.Add("Diurnal.Period", d.Period, "must be ≥ 0 (0 means 24h)")
	}
	return l.Err()
}

// Rate returns the sinusoidal rate at t.
func (d Diurnal) Rate(t time.Duration) float64 {
	p := d.period()
	phase := float64(subMod(t, d.Peak, p)) / float64(p)
	return d.Mean * (1 + d.Amplitude*math.Cos(2*math.Pi*phase))
}

// subMod returns (t − u) mod p with Go's sign convention (the sign of
// t − u), without overflowing when t − u does not fit a Duration.
func subMod(t, u, p time.Duration) time.Duration {
	if diff := t - u; (u > 0) == (diff < t) || u == 0 {
		return diff % p
	}
	return (t%p - u%p) % p
}

// MaxRate returns the exact maximum of the sinusoid over [from, to]: the
// peak value if a peak falls inside, else the larger end value.
func (d Diurnal) MaxRate(from, to time.Duration) float64 {
	p := d.period()
	if width := to - from; width >= p || width < 0 && to > from {
		return d.Mean * (1 + d.Amplitude)
	}
	// First peak instant at or after from.
	k := subMod(from, d.Peak, p)
	if k < 0 {
		k += p
	}
	nextPeak := from
	if k != 0 {
		nextPeak = addSat(from, p-k)
	}
	if nextPeak <= to {
		return d.Mean * (1 + d.Amplitude)
	}
	return max(d.Rate(from), d.Rate(to))
}

// Point is a (time, rate) pair of a Steps or PiecewiseLinear source.
type Point struct {
	// At is the offset from simulation start.
	At time.Duration
	// PerSecond is the rate at At, in requests per second (≥ 0).
	PerSecond float64
}

func validatePoints(kind string, pts []Point) error {
	l := fielderr.NewList(ErrConfig)
	if len(pts) == 0 {
		l.Add(kind+".points", 0, "needs at least one point")
	}
	for i, p := range pts {
		checkRate(l, fmt.Sprintf("%s.points[%d].PerSecond", kind, i), p.PerSecond)
		if i > 0 && p.At <= pts[i-1].At {
			l.Add(fmt.Sprintf("%s.points[%d].At", kind, i), p.At, fmt.Sprintf("must be after point %d's %v", i-1, pts[i-1].At))
		}
	}
	return l.Err()
}

// Steps is a piecewise-constant source: the rate is Points[i].PerSecond from
// Points[i].At until the next point, Points[0].PerSecond before the first
// point, and the last point's rate forever after it.
type Steps struct {
	points []Point
}

// NewSteps returns a step source over points, which must have strictly
// increasing At and rates from 0 to MaxPerSecond.
func NewSteps(points ...Point) (*Steps, error) {
	if err := validatePoints("Steps", points); err != nil {
		return nil, err
	}
	return &Steps{points: slices.Clone(points)}, nil
}

// index returns the point in force at t (0 before the first point).
func (s *Steps) index(t time.Duration) int {
	i, found := slices.BinarySearchFunc(s.points, t, func(p Point, t time.Duration) int { return cmpDuration(p.At, t) })
	if found {
		return i
	}
	return max(i-1, 0)
}

// Rate returns the step rate in force at t.
func (s *Steps) Rate(t time.Duration) float64 { return s.points[s.index(t)].PerSecond }

// MaxRate returns the largest step rate in force anywhere in [from, to).
func (s *Steps) MaxRate(from, to time.Duration) float64 {
	i := s.index(from)
	m := s.points[i].PerSecond
	for i++; i < len(s.points) && s.points[i].At < to; i++ {
		m = max(m, s.points[i].PerSecond)
	}
	return m
}

// PiecewiseLinear interpolates linearly between points, and holds the first
// (last) point's rate before (after) them.
type PiecewiseLinear struct {
	points []Point
}

// NewPiecewiseLinear returns a piecewise-linear source over points, which
// must have strictly increasing At and rates from 0 to MaxPerSecond.
func NewPiecewiseLinear(points ...Point) (*PiecewiseLinear, error) {
	if err := validatePoints("PiecewiseLinear", points); err != nil {
		return nil, err
	}
	return &PiecewiseLinear{points: slices.Clone(points)}, nil
}

// Rate returns the interpolated rate at t.
func (p *PiecewiseLinear) Rate(t time.Duration) float64 {
	pts := p.points
	i, found := slices.BinarySearchFunc(pts, t, func(p Point, t time.Duration) int { return cmpDuration(p.At, t) })
	switch {
	case found:
		return pts[i].PerSecond
	case i == 0:
		return pts[0].PerSecond
	case i == len(pts):
		return pts[len(pts)-1].PerSecond
	}
	a, b := pts[i-1], pts[i]
	f := span(a.At, t) / span(a.At, b.At)
	return a.PerSecond + f*(b.PerSecond-a.PerSecond)
}

// MaxRate returns the exact maximum over [from, to]: a linear function peaks
// at an end of the interval or at a point inside it.
func (p *PiecewiseLinear) MaxRate(from, to time.Duration) float64 {
	m := max(p.Rate(from), p.Rate(to))
	i, _ := slices.BinarySearchFunc(p.points, from, func(p Point, t time.Duration) int { return cmpDuration(p.At, t) })
	for ; i < len(p.points) && p.points[i].At < to; i++ {
		m = max(m, p.points[i].PerSecond)
	}
	return m
}

// span returns b − a in nanoseconds as a float, exact when b − a fits a
// Duration and computed in floats when it does not.
func span(a, b time.Duration) float64 {
	if d := b - a; (a > 0) == (d < b) || a == 0 {
		return float64(d)
	}
	return float64(b) - float64(a)
}

func cmpDuration(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Delayed plays Source from By on: the rate is 0 before By and
// Source.Rate(t − By) after, so Source's time 0 falls at By (a trace that
// starts after a warm-up, say).
type Delayed struct {
	// Source is the source delayed; required.
	Source Source
	// By is the delay, ≥ 0.
	By time.Duration
}

// Validate reports a negative By and the problems of Source.
func (d Delayed) Validate() error {
	l := fielderr.NewList(ErrConfig)
	if d.By < 0 {
		l.Add("Delayed.By", d.By, "must not be negative")
	}
	l.Join(fielderr.Prefix("Delayed", ValidateSource(d.Source)))
	return l.Err()
}

// Rate returns the delayed source's rate at t.
func (d Delayed) Rate(t time.Duration) float64 {
	if t < d.By {
		return 0
	}
	return d.Source.Rate(t - d.By)
}

// MaxRate bounds Rate over [from, to): 0 before By, the source's own bound
// over the shifted interval after.
func (d Delayed) MaxRate(from, to time.Duration) float64 {
	if to <= d.By {
		return 0
	}
	from = max(from, d.By) // from − By would be max(from − By, 0), without underflow
	return d.Source.MaxRate(from-d.By, to-d.By)
}
