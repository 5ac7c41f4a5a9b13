package traffic

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Source is a demand source: a request rate that varies over virtual time.
// Time t is the offset from the start of the simulation.
type Source interface {
	// Rate returns the request rate at t, in requests per second (≥ 0).
	Rate(t time.Duration) float64
	// MaxRate returns an upper bound of Rate over [from, to), in requests
	// per second. The tighter the bound, the fewer candidates a thinning
	// sampler rejects; it must never be below Rate anywhere in the interval.
	MaxRate(from, to time.Duration) float64
}

// Constant is a source with the same rate at every instant.
type Constant struct {
	// PerSecond is the rate in requests per second; zero means no demand.
	PerSecond float64
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
	var errs []error
	if !(d.Mean >= 0) || math.IsInf(d.Mean, 0) {
		errs = append(errs, fmt.Errorf("%w: Diurnal.Mean %v: must be a finite rate ≥ 0", ErrConfig, d.Mean))
	}
	if !(d.Amplitude >= 0 && d.Amplitude <= 1) {
		errs = append(errs, fmt.Errorf("%w: Diurnal.Amplitude %v: must be in [0, 1]", ErrConfig, d.Amplitude))
	}
	if d.Period < 0 {
		errs = append(errs, fmt.Errorf("%w: Diurnal.Period %v: must be ≥ 0 (0 means 24h)", ErrConfig, d.Period))
	}
	return errors.Join(errs...)
}

// Rate returns the sinusoidal rate at t.
func (d Diurnal) Rate(t time.Duration) float64 {
	p := d.period()
	phase := float64((t-d.Peak)%p) / float64(p)
	return d.Mean * (1 + d.Amplitude*math.Cos(2*math.Pi*phase))
}

// MaxRate returns the exact maximum of the sinusoid over [from, to]: the
// peak value if a peak falls inside, else the larger end value.
func (d Diurnal) MaxRate(from, to time.Duration) float64 {
	p := d.period()
	if to-from >= p {
		return d.Mean * (1 + d.Amplitude)
	}
	// First peak instant at or after from.
	k := (from - d.Peak) % p
	if k < 0 {
		k += p
	}
	nextPeak := from
	if k != 0 {
		nextPeak = from + (p - k)
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
	var errs []error
	if len(pts) == 0 {
		errs = append(errs, fmt.Errorf("%w: %s: needs at least one point", ErrConfig, kind))
	}
	for i, p := range pts {
		if !(p.PerSecond >= 0) || math.IsInf(p.PerSecond, 0) {
			errs = append(errs, fmt.Errorf("%w: %s point %d: rate %v must be finite and ≥ 0", ErrConfig, kind, i, p.PerSecond))
		}
		if i > 0 && p.At <= pts[i-1].At {
			errs = append(errs, fmt.Errorf("%w: %s point %d: At %v must be after point %d's %v", ErrConfig, kind, i, p.At, i-1, pts[i-1].At))
		}
	}
	return errors.Join(errs...)
}

// Steps is a piecewise-constant source: the rate is Points[i].PerSecond from
// Points[i].At until the next point, Points[0].PerSecond before the first
// point, and the last point's rate forever after it.
type Steps struct {
	points []Point
}

// NewSteps returns a step source over points, which must have strictly
// increasing At and finite non-negative rates.
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
// must have strictly increasing At and finite non-negative rates.
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
	f := float64(t-a.At) / float64(b.At-a.At)
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
	Source Source
	By     time.Duration
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
	return d.Source.MaxRate(max(from-d.By, 0), to-d.By)
}
