package traffic

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func TestDiurnalShape(t *testing.T) {
	d := Diurnal{Mean: 100, Amplitude: 0.6, Peak: 15 * time.Hour}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Duration
		want float64
	}{
		{15 * time.Hour, 160},                  // peak: Mean·(1+A)
		{15*time.Hour + 24*time.Hour, 160},     // a period later
		{3 * time.Hour, 40},                    // half a period away: Mean·(1−A)
		{21 * time.Hour, 100},                  // quarter period: Mean
		{-21 * time.Hour, 40},                  // before start, still periodic
		{15*time.Hour - 24*time.Hour*365, 160}, // far before
	} {
		if got := d.Rate(tc.at); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("Rate(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	// ∫ over one period = Mean·Period (trapezoid rule on a fine grid is
	// exact for a full period of a sinusoid).
	var sum float64
	const n = 1440
	for i := range n {
		sum += d.Rate(time.Duration(i)*time.Minute) * 60
	}
	if math.Abs(sum-100*86400) > 1e-6*100*86400 {
		t.Errorf("integral over a day %v, want %v", sum, 100*86400)
	}
	if err := (Diurnal{Mean: -1, Amplitude: 2, Period: -1}).Validate(); err == nil {
		t.Error("invalid Diurnal accepted")
	}
}

func TestStepsAndPiecewiseLinearByHand(t *testing.T) {
	s, err := NewSteps(Point{0, 10}, Point{time.Hour, 50}, Point{2 * time.Hour, 0})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPiecewiseLinear(Point{time.Hour, 10}, Point{2 * time.Hour, 30}, Point{3 * time.Hour, 0})
	if err != nil {
		t.Fatal(err)
	}
	got := []float64{
		s.Rate(-time.Second), s.Rate(0), s.Rate(time.Hour - 1), s.Rate(time.Hour), s.Rate(5 * time.Hour),
		s.MaxRate(0, time.Hour), s.MaxRate(0, time.Hour+1), s.MaxRate(2*time.Hour, 3*time.Hour),
		p.Rate(0), p.Rate(90 * time.Minute), p.Rate(2 * time.Hour), p.Rate(150 * time.Minute), p.Rate(9 * time.Hour),
		p.MaxRate(0, 90*time.Minute), p.MaxRate(90*time.Minute, 150*time.Minute), p.MaxRate(150*time.Minute, 4*time.Hour),
	}
	want := []float64{
		10, 10, 10, 50, 0,
		10, 50, 0,
		10, 20, 30, 15, 0,
		20, 30, 15,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rates (-want +got):\n%s", d)
	}
	if _, err := NewSteps(Point{time.Hour, 1}, Point{time.Hour, 2}); err == nil {
		t.Error("Steps with repeated At accepted")
	}
	if _, err := NewPiecewiseLinear(Point{0, math.Inf(1)}); err == nil {
		t.Error("PiecewiseLinear with an infinite rate accepted")
	}
}

// drawSource draws one of the sources with random parameters.
func drawSource(t *rapid.T) Source {
	if rapid.Bool().Draw(t, "delayed") {
		return Delayed{Source: drawPlainSource(t), By: time.Duration(rapid.Int64Range(0, 1e13).Draw(t, "by"))}
	}
	return drawPlainSource(t)
}

func drawPlainSource(t *rapid.T) Source {
	points := func() []Point {
		n := rapid.IntRange(1, 6).Draw(t, "points")
		pts := make([]Point, n)
		at := time.Duration(rapid.Int64Range(-1e12, 1e12).Draw(t, "first"))
		for i := range pts {
			pts[i] = Point{At: at, PerSecond: rapid.Float64Range(0, 100).Draw(t, "rate")}
			at += time.Duration(rapid.Int64Range(1, 1e12).Draw(t, "gap"))
		}
		return pts
	}
	switch rapid.IntRange(0, 4).Draw(t, "kind") {
	case 0:
		return Constant{PerSecond: rapid.Float64Range(0, 100).Draw(t, "rate")}
	case 1:
		return Diurnal{Mean: rapid.Float64Range(0, 100).Draw(t, "mean"), Amplitude: rapid.Float64Range(0, 1).Draw(t, "amp"),
			Period: time.Duration(rapid.Int64Range(1, 1e14).Draw(t, "period")), Peak: time.Duration(rapid.Int64Range(-1e14, 1e14).Draw(t, "peak"))}
	case 2:
		s, _ := NewSteps(points()...)
		return s
	case 3:
		p, _ := NewPiecewiseLinear(points()...)
		return p
	}
	n := rapid.IntRange(1, 20).Draw(t, "rows")
	s := &Series{Step: time.Duration(rapid.Int64Range(1, 1e11).Draw(t, "step"))}
	at := time.Duration(0)
	for range n {
		s.Starts = append(s.Starts, at)
		s.Values = append(s.Values, rapid.Float64Range(0, 1000).Draw(t, "v"))
		at += s.Step * time.Duration(rapid.IntRange(1, 3).Draw(t, "skip"))
	}
	return Replay{Series: s, Counts: rapid.Bool().Draw(t, "counts"), Speedup: rapid.Float64Range(0, 100).Draw(t, "speedup")}
}

// TestMaxRateBoundsRate is the contract thinning relies on: MaxRate over an
// interval is never below Rate anywhere in it.
func TestDelayedByHand(t *testing.T) {
	s, err := NewSteps(Point{0, 10}, Point{time.Hour, 50})
	if err != nil {
		t.Fatal(err)
	}
	d := Delayed{Source: s, By: 30 * time.Minute}
	got := []float64{
		d.Rate(0), d.Rate(30*time.Minute - 1), d.Rate(30 * time.Minute), d.Rate(90*time.Minute - 1), d.Rate(90 * time.Minute),
		d.MaxRate(0, 30*time.Minute), d.MaxRate(0, 30*time.Minute+1), d.MaxRate(0, 90*time.Minute+1),
	}
	want := []float64{0, 0, 10, 10, 50, 0, 10, 50}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Delayed (-want +got):\n%s", diff)
	}
}

func TestMaxRateBoundsRate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		src := drawSource(t)
		from := time.Duration(rapid.Int64Range(-1e13, 1e13).Draw(t, "from"))
		to := from + time.Duration(rapid.Int64Range(1, 1e13).Draw(t, "len"))
		at := from + time.Duration(rapid.Int64Range(0, int64(to-from)-1).Draw(t, "at"))
		if m, r := src.MaxRate(from, to), src.Rate(at); m < r*(1-1e-12) {
			t.Fatalf("%T: MaxRate(%v, %v) = %v below Rate(%v) = %v", src, from, to, m, at, r)
		}
	})
}

// integrate returns ∫ src.Rate over [a, b) by Simpson's rule on n panels.
func integrate(src Source, a, b time.Duration, n int) float64 {
	h := float64(b-a) / float64(n)
	sum := src.Rate(a) + src.Rate(b)
	for i := 1; i < n; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * src.Rate(a+time.Duration(float64(i)*h))
	}
	return sum * h / 3 / 1e9
}

// countChiSquare runs an arrival process over n intervals of length width
// and returns Pearson's statistic Σ (N_i − Λ_i)²/Λ_i against the integrated
// rate Λ_i over the df intervals with Λ_i > 0, and the z-score of the total
// count. For a Poisson process with
// intensity Rate, N_i ~ Poisson(Λ_i) independently, so the statistic is
// approximately χ² with df degrees of freedom (mean df, sd √(2·df)) and the
// z-score approximately standard normal.
func countChiSquare(t *testing.T, p Arrivals, src Source, n int, width time.Duration, seed uint64) (chi2, z float64, df int) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 7))
	counts := make([]int, n)
	end := time.Duration(n) * width
	now := time.Duration(0)
	for {
		a, ok := p.Next(now, r)
		if a.At >= end {
			break
		}
		now = a.At
		if ok {
			counts[a.At/width]++
		}
	}
	var total, expected float64
	for i, c := range counts {
		lam := integrate(src, time.Duration(i)*width, time.Duration(i+1)*width, 64)
		if lam == 0 {
			if c != 0 {
				t.Fatalf("interval %d has rate 0 but %d arrivals", i, c)
			}
			continue
		}
		chi2 += (float64(c) - lam) * (float64(c) - lam) / lam
		df++
		total += float64(c)
		expected += lam
	}
	return chi2, (total - expected) / math.Sqrt(expected), df
}

// TestThinningCountsMatchIntegratedRate: counts per minute of the thinned
// NHPP against ∫ Rate over each minute, for a strong diurnal cycle, steps
// with a silent hour, and a replayed trace; a homogeneous Poisson process as
// a control. Pearson's statistic must lie within 4 standard deviations of its
// mean n, and the total count within 4 standard deviations of its mean.
func TestThinningCountsMatchIntegratedRate(t *testing.T) {
	steps, _ := NewSteps(Point{0, 5}, Point{3 * time.Hour, 0}, Point{4 * time.Hour, 40}, Point{6 * time.Hour, 2})
	trace := &Series{Step: 10 * time.Second}
	for i := range 6 * 360 { // six hours of 10-second rows, a sawtooth with zeros
		trace.Starts = append(trace.Starts, time.Duration(i)*trace.Step)
		trace.Values = append(trace.Values, float64(i%37))
	}
	cases := []struct {
		name string
		src  Source
		win  time.Duration
	}{
		{"poisson-control", Constant{PerSecond: 20}, 0},
		{"diurnal", Diurnal{Mean: 20, Amplitude: 0.9, Period: 2 * time.Hour, Peak: 30 * time.Minute}, 0},
		{"diurnal-one-window", Diurnal{Mean: 20, Amplitude: 0.9, Period: 2 * time.Hour}, 24 * time.Hour},
		{"steps", steps, 7 * time.Minute},
		{"replay", Replay{Series: trace, Counts: true, Scale: 3}, 0},
	}
	const n, width = 720, time.Minute // 12 hours
	for _, tc := range cases {
		for _, seed := range []uint64{1, 2, 3} {
			var p Arrivals = &Thinning{Source: tc.src, Window: tc.win}
			if tc.name == "poisson-control" {
				p = Poisson{PerSecond: 20}
			}
			chi2, z, df := countChiSquare(t, p, tc.src, n, width, seed)
			if sd := math.Sqrt(2 * float64(df)); df < n/3 || math.Abs(chi2-float64(df)) > 4*sd || math.Abs(z) > 4 {
				t.Errorf("%s seed %d: χ² = %.0f over %d intervals with demand (want %d ± %.0f), total z = %.2f",
					tc.name, seed, chi2, df, df, 4*sd, z)
			}
		}
	}
}

func TestThinningEndAndSilence(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	p := &Thinning{Source: Constant{}, Window: time.Second}
	a, ok := p.Next(0, r)
	if ok || a.At != maxEmptyWindows*time.Second {
		t.Errorf("zero rate: got %+v ok=%v, want a poll at %v", a, ok, maxEmptyWindows*time.Second)
	}
	p = &Thinning{Source: Constant{PerSecond: 1000}, End: time.Second}
	n := 0
	for now := time.Duration(0); ; n++ {
		a, ok := p.Next(now, r)
		if !ok {
			if a.At != Never {
				t.Errorf("after End: poll at %v, want Never", a.At)
			}
			break
		}
		if a.At >= time.Second {
			t.Fatalf("arrival at %v after End", a.At)
		}
		now = a.At
	}
	if n < 850 || n > 1150 { // Poisson(1000): ±4.7 sd
		t.Errorf("%d arrivals in one second at 1000/s", n)
	}
}

func TestTraceArrivalsReplay(t *testing.T) {
	tr := &RequestTrace{At: []time.Duration{0, time.Second, 3 * time.Second}, Size: []float64{5, 6, 7}}
	p, err := NewTraceArrivals(tr, time.Minute, 2)
	if err != nil {
		t.Fatal(err)
	}
	var got []Arrival
	now := time.Duration(0)
	for {
		a, ok := p.Next(now, nil)
		if !ok {
			break
		}
		got = append(got, a)
		now = a.At
		if len(got) == 2 {
			now = 2 * time.Minute // the caller is late: the last one arrives now
		}
	}
	want := []Arrival{{time.Minute, 5}, {time.Minute + 500*ms, 6}, {2 * time.Minute, 7}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("replay (-want +got):\n%s", d)
	}
	if _, err := NewTraceArrivals(tr, -1, math.NaN()); err == nil {
		t.Error("negative offset and NaN speedup accepted")
	}
}

// TestDemandMoments: each distribution's sample mean and C_s² match its
// parameters (2·10⁶ draws; tolerances several standard errors wide).
func TestDemandMoments(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		d        Demand
		mean     float64 // seconds
		scv, tol float64
	}{
		{Fixed{CPU: 50 * ms}, 0.05, 0, 0},
		{Exponential{Mean: 50 * ms}, 0.05, 1, 0.01},
		{Lognormal{Mean: 50 * ms, SCV: 1}, 0.05, 1, 0.02},
		{Lognormal{Mean: 50 * ms, SCV: 0.25}, 0.05, 0.25, 0.02},
		{HyperExponential{Mean: 50 * ms, SCV: 4}, 0.05, 4, 0.03},
		{HyperExponential{Mean: 50 * ms, SCV: 1}, 0.05, 1, 0.01},
		{PerSize{Base: 10 * ms, PerUnit: ms}, 0.01 + 0.001*7, 0, 0},
	} {
		const n = 2_000_000
		var mean, m2 float64 // Welford's running mean and squared deviations
		for i := range n {
			x := tc.d.Work(r, 7).Seconds()
			delta := x - mean
			mean += delta / float64(i+1)
			m2 += delta * (x - mean)
		}
		scv := m2 / n / (mean * mean)
		if math.Abs(mean-tc.mean) > tc.tol*tc.mean+1e-12 || math.Abs(scv-tc.scv) > tc.tol*max(tc.scv, 1)+1e-6 {
			t.Errorf("%+v: mean %.5f s, C² %.4f; want %.5f, %.4f", tc.d, mean, scv, tc.mean, tc.scv)
		}
	}
	if err := (HyperExponential{Mean: ms, SCV: 0.5}).Validate(); err == nil {
		t.Error("hyperexponential with C² < 1 accepted")
	}
	if err := (Lognormal{Mean: 0, SCV: -1}).Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("lognormal with zero mean and C² < 0: %v", err)
	}
}
