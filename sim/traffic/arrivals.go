package traffic

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Never is the instant returned when nothing will ever need a wake-up.
const Never = time.Duration(math.MaxInt64)

// Arrival is one request arriving.
type Arrival struct {
	// At is the arrival instant (offset from simulation start).
	At time.Duration
	// Size is the request's size: the trace's size column for trace
	// replay, 1 for synthetic processes. A Demand may scale work by it.
	Size float64
}

// Arrivals is an arrival process. Next returns the first arrival at or after
// now (ok true); or, when it has none before the instant it returns in
// a.At, ok false: call Next again at a.At (Never if the process has ended).
// Processes keep no clock: the caller passes now, normally the instant of
// the previous arrival or wake-up.
type Arrivals interface {
	Next(now time.Duration, r *rand.Rand) (a Arrival, ok bool)
}

// secondsToDuration converts a gap or a work in seconds to nanoseconds,
// rounding to the nearest nanosecond and saturating at Never; NaN is Never
// and a negative value 0.
func secondsToDuration(s float64) time.Duration {
	ns := math.Round(s * 1e9)
	switch {
	case ns >= float64(math.MaxInt64) || math.IsNaN(ns):
		return Never
	case ns < 0:
		return 0
	}
	return time.Duration(ns)
}

// addSat returns t + d, saturated at Never when d is positive and the sum
// would overflow.
func addSat(t, d time.Duration) time.Duration {
	if d > 0 && t > Never-d {
		return Never
	}
	return t + d
}

// Poisson is a homogeneous Poisson process: exponential gaps with mean
// 1/PerSecond. A zero rate never produces an arrival.
type Poisson struct {
	// PerSecond is the arrival rate λ in requests per second, from 0 to
	// MaxPerSecond (a higher rate is read as MaxPerSecond).
	PerSecond float64
}

// Validate reports a rate that is negative, NaN or above MaxPerSecond.
func (p Poisson) Validate() error {
	l := fielderr.NewList(ErrConfig)
	checkRate(l, "Poisson.PerSecond", p.PerSecond)
	return l.Err()
}

// Next draws the gap to the next arrival after now.
func (p Poisson) Next(now time.Duration, r *rand.Rand) (Arrival, bool) {
	rate := ClampRate(p.PerSecond)
	if rate == 0 {
		return Arrival{At: Never}, false
	}
	at := addSat(now, secondsToDuration(r.ExpFloat64()/rate))
	if at == Never {
		return Arrival{At: Never}, false
	}
	return Arrival{At: at, Size: 1}, true
}

// Thinning is a non-homogeneous Poisson process with intensity
// Source.Rate(t), sampled by thinning (Lewis and Shedler 1979): in each
// window of length Window the rate is bounded by λ* = Source.MaxRate over
// the window; candidates are drawn as a Poisson process of rate λ* and each
// is kept with probability Rate(t)/λ*. Because the Poisson process is
// memoryless, a candidate that falls past the window's end is discarded and
// drawing restarts at the window's end with the next window's bound, so the
// bound may change from window to window.
//
// Rates and bounds are read through ClampRate, and one call draws at most
// maxCandidates candidates: a Source whose bound is far above its rate (or
// infinite, or NaN) makes Next return early and ask to be called again
// later, an event of the caller's clock, instead of spinning inside the
// call. Such a Source then costs an event per maxCandidates (64)
// candidates, about MaxRate·60/64 events per minute however few requests
// arrive, and the engine's event budget (sim.Config.MaxEvents) ends a run
// that spends too many.
type Thinning struct {
	// Source gives the rate; required.
	Source Source
	// Window is the length of the intervals over which the rate is bounded;
	// zero means one minute. Shorter windows give tighter bounds (fewer
	// rejected candidates) but more MaxRate calls.
	Window time.Duration
	// End stops the process: no arrival at or after End. Zero means no end.
	End time.Duration
}

// maxEmptyWindows bounds the work of one Next call when the rate is zero
// for long stretches; Next then asks to be called again later.
const maxEmptyWindows = 1024

// maxCandidates bounds the candidates one Next call draws. A bound that
// fits its rate keeps about one in two candidates at worst, so a call that
// draws this many without keeping one has a bound far above the rate; it
// stops and asks to be called again at the last candidate's instant. It
// is small so that the work of one call is about that of an event: a
// Source whose bound is useless (MaxPerSecond for a rate of zero) then
// costs events, which the engine's MaxEvents budget bounds, instead of
// 2¹⁶ draws per event (ten million events of those were hours).
const maxCandidates = 64

// Next returns the next arrival at or after now.
func (p *Thinning) Next(now time.Duration, r *rand.Rand) (Arrival, bool) {
	window := p.Window
	if window <= 0 {
		window = time.Minute
	}
	end := p.End
	if end <= 0 {
		end = Never
	}
	t := now
	for empty, drawn := 0, 0; t < end; {
		wEnd := min(addSat(t, window), end)
		bound := ClampRate(p.Source.MaxRate(t, wEnd))
		if bound == 0 {
			if empty++; empty >= maxEmptyWindows {
				return Arrival{At: wEnd}, false
			}
			t = wEnd
			continue
		}
		if drawn++; drawn > maxCandidates {
			return Arrival{At: t}, false
		}
		cand := addSat(t, secondsToDuration(r.ExpFloat64()/bound))
		if cand >= wEnd {
			t = wEnd
			continue
		}
		t = cand
		if r.Float64()*bound < ClampRate(p.Source.Rate(cand)) {
			return Arrival{At: cand, Size: 1}, true
		}
	}
	return Arrival{At: Never}, false
}

// TraceArrivals replays a RequestTrace: request i arrives at
// Offset + At[i]/Speedup with size Size[i].
type TraceArrivals struct {
	trace   *RequestTrace
	offset  time.Duration
	speedup float64
	next    int
}

// NewTraceArrivals returns a replay of trace starting at offset, played
// speedup times faster (zero means 1).
func NewTraceArrivals(trace *RequestTrace, offset time.Duration, speedup float64) (*TraceArrivals, error) {
	l := fielderr.NewList(ErrConfig)
	if trace == nil || len(trace.At) != len(trace.Size) {
		l.Add("trace", fielderr.Omit, "must be non-nil with one Size per arrival")
	}
	if offset < 0 {
		l.Add("offset", offset, "must be ≥ 0")
	}
	if !(speedup >= 0) || math.IsInf(speedup, 0) {
		l.Add("speedup", speedup, "must be finite and ≥ 0 (0 means 1)")
	}
	if err := l.Err(); err != nil {
		return nil, err
	}
	if speedup == 0 {
		speedup = 1
	}
	return &TraceArrivals{trace: trace, offset: offset, speedup: speedup}, nil
}

// Remaining returns how many requests are still to be replayed.
func (p *TraceArrivals) Remaining() int { return len(p.trace.At) - p.next }

// Next returns the next request of the trace; requests whose instant is
// before now (the caller was late) arrive at now. The random source is not
// used.
func (p *TraceArrivals) Next(now time.Duration, _ *rand.Rand) (Arrival, bool) {
	if p.next >= len(p.trace.At) {
		return Arrival{At: Never}, false
	}
	at := p.trace.At[p.next]
	if p.speedup != 1 {
		at = secondsToDuration(seconds(at) / p.speedup)
	}
	at = max(addSat(p.offset, at), now)
	a := Arrival{At: at, Size: p.trace.Size[p.next]}
	p.next++
	return a, true
}
