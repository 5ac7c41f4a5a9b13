package traffic

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim/dist"
	"pgregory.net/rapid"
)

// Regression tests for the defect classes of the robustness issue that
// concern this package, one named test per class.

// countingSource is a Source of the caller's own with arbitrary rates; it
// counts the calls made to it.
type countingSource struct {
	rate, bound float64
	calls       int
}

func (s *countingSource) Rate(time.Duration) float64 { s.calls++; return s.rate }
func (s *countingSource) MaxRate(_, _ time.Duration) float64 {
	s.calls++
	return s.bound
}

// TestNegativeOrNaNRateIsRefusedOrReadAsZero: a negative or NaN rate used
// to reach the fluid formulas in the middle of a run and panic there. The
// sources of this package refuse such rates when validated, and ClampRate
// reads them as zero for a Source of the caller's own.
func TestNegativeOrNaNRateIsRefusedOrReadAsZero(t *testing.T) {
	for _, r := range []float64{-1, math.NaN(), math.Inf(-1)} {
		if got := ClampRate(r); got != 0 {
			t.Errorf("ClampRate(%v) = %v, want 0", r, got)
		}
		if err := ValidateSource(Constant{PerSecond: r}); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "Constant.PerSecond") {
			t.Errorf("Constant{%v}: %v", r, err)
		}
		// The fluid step reads the clamped rate: no error, no request.
		res, err := Fluid(FluidInput{OfferedRate: ClampRate(r), Tasks: 2, MeanWork: 0.1})
		if err != nil || res.ServedRate != 0 {
			t.Errorf("Fluid at ClampRate(%v): %+v, %v", r, res, err)
		}
		// Thinning over such a source draws nothing and ends.
		src := &countingSource{rate: r, bound: r}
		p := &Thinning{Source: src, End: time.Hour}
		if a, ok := p.Next(0, rand.New(rand.NewPCG(1, 1))); ok || a.At != Never {
			t.Errorf("Thinning at rate %v: %+v, %v", r, a, ok)
		}
	}
	if got := ClampRate(12.5); got != 12.5 {
		t.Errorf("ClampRate(12.5) = %v", got)
	}
}

// TestInfiniteRateDoesNotSpin: an infinite arrival rate (or a bound far
// above the rate) used to spin inside one Thinning.Next call, where the
// engine's runaway guard cannot see it. Now one call does a bounded amount
// of work and either returns an arrival or asks to be called again at a
// later instant.
func TestInfiniteRateDoesNotSpin(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, tc := range []struct {
		name        string
		rate, bound float64
	}{
		{"rate and bound +Inf", math.Inf(1), math.Inf(1)},
		{"bound +Inf, rate 0", 0, math.Inf(1)},
		{"bound NaN", 1, math.NaN()},
		{"bound far above rate", 1e-9, 1e300},
	} {
		src := &countingSource{rate: tc.rate, bound: tc.bound}
		p := &Thinning{Source: src}
		now := time.Duration(0)
		for step := range 10 {
			src.calls = 0
			a, ok := p.Next(now, r)
			if src.calls > 2*maxCandidates+2*maxEmptyWindows+4 {
				t.Fatalf("%s: one Next call asked the source %d times", tc.name, src.calls)
			}
			if a.At < now {
				t.Fatalf("%s: Next(%v) went back to %v", tc.name, now, a.At)
			}
			if !ok && a.At == now && step > 0 {
				t.Fatalf("%s: Next(%v) asks to be called again at the same instant", tc.name, now)
			}
			now = a.At
		}
		if now == 0 {
			t.Errorf("%s: ten calls made no progress", tc.name)
		}
	}
	// A rate above MaxPerSecond is drawn at MaxPerSecond.
	p := Poisson{PerSecond: math.Inf(1)}
	var n int
	for now := time.Duration(0); now < time.Millisecond; n++ {
		a, ok := p.Next(now, r)
		if !ok {
			t.Fatal("Poisson at +Inf ended")
		}
		now = a.At
	}
	if want := MaxPerSecond / 1000; math.Abs(float64(n)-want) > 5*math.Sqrt(want) {
		t.Errorf("Poisson at +Inf drew %d arrivals in 1 ms, want about %v", n, want)
	}
	if err := (Poisson{PerSecond: math.Inf(1)}).Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("Poisson{+Inf}.Validate() = %v", err)
	}
}

// TestTinyFluidStepIsRefused: a 1 ns fluid step divides a minute, so it
// used to pass, and made a simulated minute cost 6·10¹⁰ steps.
func TestTinyFluidStepIsRefused(t *testing.T) {
	for step, ok := range map[time.Duration]bool{
		0: true, time.Second: true, 1500 * time.Millisecond: true, 30 * time.Second: true,
		time.Minute: true, 5 * time.Minute: true, 24 * time.Hour: true,
		time.Nanosecond: false, time.Millisecond: false, 999 * time.Millisecond: false, 7 * time.Second: false,
		90 * time.Second: false, 25 * time.Hour: false, -time.Minute: false,
	} {
		err := ValidateFluidStep(step)
		if (err == nil) != ok {
			t.Errorf("ValidateFluidStep(%v) = %v, want ok %v", step, err, ok)
		}
		if err != nil && (!errors.Is(err, ErrConfig) || !strings.HasPrefix(err.Error(), "traffic: invalid config: FluidStep "+step.String()+": ")) {
			t.Errorf("ValidateFluidStep(%v) = %v", step, err)
		}
	}
}

// TestInvalidWorkDistributionIsRefused: a hyperexponential with C² < 1 or
// a lognormal with a NaN C² drew NaN, read as a work that never ends, so
// every request hung with no error. Such a Demand is now refused, and
// draws 0 instead of forever if used anyway.
func TestInvalidWorkDistributionIsRefused(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for _, d := range []Demand{
		HyperExponential{Mean: time.Second, SCV: 0.5},
		HyperExponential{Mean: time.Second, SCV: math.NaN()},
		Lognormal{Mean: time.Second, SCV: math.NaN()},
		Lognormal{Mean: -time.Second, SCV: 1},
		Lognormal{Mean: 0, SCV: 1},
		Exponential{Mean: 0},
		Fixed{CPU: -time.Second},
		PerSize{Base: -1},
		PerSize{PerUnit: -time.Second},
		dist.HyperExponential(time.Second, 0.5),
		dist.Dist{},
		nil,
	} {
		if err := ValidateDemand(d); !errors.Is(err, ErrConfig) {
			t.Errorf("ValidateDemand(%#v) = %v", d, err)
		}
		if d == nil {
			continue
		}
		for range 100 {
			if w := d.Work(r, 1); w < 0 || w == Never {
				t.Fatalf("%#v drew %v", d, w)
			}
		}
	}
	for _, d := range []Demand{Fixed{}, Exponential{Mean: time.Millisecond}, Lognormal{Mean: time.Millisecond, SCV: 0},
		HyperExponential{Mean: time.Millisecond, SCV: 1}, PerSize{}, dist.Uniform(0, time.Second)} {
		if err := ValidateDemand(d); err != nil {
			t.Errorf("ValidateDemand(%#v) = %v", d, err)
		}
	}
}

// TestDrawnDurationsAreFiniteAndNonNegative: long means and large C²
// saturate at Never; nothing draws a negative duration.
func TestDrawnDurationsAreFiniteAndNonNegative(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, d := range []Demand{
		Exponential{Mean: Never}, Lognormal{Mean: Never, SCV: 1e300}, Lognormal{Mean: time.Second, SCV: 1e300},
		HyperExponential{Mean: Never, SCV: 1e9}, PerSize{Base: Never, PerUnit: Never},
	} {
		for _, size := range []float64{0, 1, 1e300, math.Inf(1), math.NaN(), -1} {
			if w := d.Work(r, size); w < 0 {
				t.Fatalf("%#v size %v drew %v", d, size, w)
			}
		}
	}
	if w := (PerSize{PerUnit: time.Second}).Work(r, -5); w != 0 {
		t.Errorf("PerSize at size −5 drew %v, want 0", w)
	}
	if got := secondsToDuration(-1); got != 0 {
		t.Errorf("secondsToDuration(−1) = %v", got)
	}
}

// TestInstantArithmeticSaturates: instants near the ends of a Duration
// used to wrap (a Diurnal peak far in the past, piecewise-linear points a
// Duration apart, a replay sped up 10³⁰⁰ times); they saturate now, and
// the rates stay within their bounds.
func TestInstantArithmeticSaturates(t *testing.T) {
	d := Diurnal{Mean: 10, Amplitude: 0.5, Peak: math.MinInt64 + 1}
	for _, at := range []time.Duration{0, time.Hour, Never - 1, Never} {
		// The phase (at − Peak) mod Period, in exact integers.
		var phase big.Int
		phase.Sub(big.NewInt(int64(at)), big.NewInt(int64(d.Peak)))
		phase.Mod(&phase, big.NewInt(int64(24*time.Hour)))
		want := 10 * (1 + 0.5*math.Cos(2*math.Pi*float64(phase.Int64())/float64(24*time.Hour)))
		if r := d.Rate(at); math.Abs(r-want) > 1e-9 {
			t.Errorf("Diurnal peak at MinInt64: Rate(%v) = %v, want %v", at, r, want)
		}
		if m := d.MaxRate(at, addSat(at, time.Minute)); m < d.Rate(at)-1e-9 {
			t.Errorf("Diurnal MaxRate(%v, +1m) = %v below Rate %v", at, m, d.Rate(at))
		}
	}
	pl, err := NewPiecewiseLinear(Point{At: math.MinInt64 + 1, PerSecond: 0}, Point{At: Never, PerSecond: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Duration{0, Never / 2, Never - 1} {
		if r := pl.Rate(at); !(r >= 0 && r <= 100) {
			t.Errorf("PiecewiseLinear over the whole range: Rate(%v) = %v outside [0, 100]", at, r)
		}
	}
	s := &Series{Step: Never, Starts: []time.Duration{0, Never - 1}, Values: []float64{1, 2}}
	if s.End() != Never || s.At(Never-2) != 1 {
		t.Errorf("Series.End = %v, At = %v", s.End(), s.At(Never-2))
	}
	rp := Replay{Series: &Series{Step: time.Minute, Starts: []time.Duration{0}, Values: []float64{60}}, Counts: true, Speedup: 1e300}
	if err := rp.Validate(); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "above MaxPerSecond") {
		t.Errorf("a replay sped up 1e300 times peaks above MaxPerSecond: %v", err)
	}
	if rp.Rate(Never) < 0 || rp.MaxRate(0, Never) < 0 {
		t.Error("negative replayed rate")
	}
	rp.Speedup = 1e-300
	if got := rp.Duration(); got != Never {
		t.Errorf("a replay slowed 1e300 times lasts %v, want Never", got)
	}
	// A series without a time column whose rows would start beyond a
	// Duration is refused, not wrapped.
	_, err = ReadSeriesCSV(strings.NewReader("v\n1\n2\n3\n"), SeriesCSV{ValueColumn: "v", Step: Never / 2})
	if !errors.Is(err, ErrTrace) || !strings.Contains(err.Error(), "too long") {
		t.Errorf("rows starting beyond a Duration: %v", err)
	}
	if err := (Delayed{Source: Constant{PerSecond: 1}, By: -1}).Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("Delayed by −1ns: %v", err)
	}
	if m := (Delayed{Source: Constant{PerSecond: 1}, By: time.Hour}).MaxRate(math.MinInt64, time.Hour+1); m != 1 {
		t.Errorf("Delayed.MaxRate from MinInt64 = %v", m)
	}
}

// TestRatesAboveTheLimitAreRefused: every source refuses rates above
// MaxPerSecond, the bound that keeps request counters from wrapping.
func TestRatesAboveTheLimitAreRefused(t *testing.T) {
	steps, err := NewSteps(Point{PerSecond: 1}, Point{At: time.Minute, PerSecond: 2 * MaxPerSecond})
	if !errors.Is(err, ErrConfig) || steps != nil || !strings.Contains(err.Error(), "Steps.points[1].PerSecond 2e+08: must be a rate from 0 to MaxPerSecond") {
		t.Errorf("NewSteps: %v", err)
	}
	for _, src := range []Source{
		Constant{PerSecond: 1e300},
		Diurnal{Mean: MaxPerSecond, Amplitude: 0.5},
		Delayed{Source: Constant{PerSecond: math.Inf(1)}},
		Delayed{},
		nil,
	} {
		if err := ValidateSource(src); !errors.Is(err, ErrConfig) {
			t.Errorf("ValidateSource(%#v) = %v", src, err)
		}
	}
	if err := ValidateSource(Constant{PerSecond: MaxPerSecond}); err != nil {
		t.Errorf("MaxPerSecond itself: %v", err)
	}
}

// endless is an input that never ends, like /dev/zero.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	e.read += int64(len(p))
	return len(p), nil
}

// TestTraceReadingIsCapped: a CSV reader handed an endless input used to
// read until memory ran out. It stops at MaxBytes (DefaultMaxTraceBytes
// unless set) with an error that says so.
func TestTraceReadingIsCapped(t *testing.T) {
	in := &endless{}
	_, err := ReadSeriesCSV(in, SeriesCSV{ValueColumn: "v", Step: time.Second, MaxBytes: 1 << 20})
	if !errors.Is(err, ErrTrace) || !strings.Contains(err.Error(), "MaxBytes 1048576") {
		t.Fatalf("endless input: %v", err)
	}
	if in.read > 1<<20+64<<10 {
		t.Errorf("read %d bytes for a cap of 1 MiB", in.read)
	}
	in = &endless{}
	_, err = ReadRequestCSV(io.MultiReader(strings.NewReader("t\n"), in), RequestCSV{TimeColumn: "t", MaxBytes: 1 << 16})
	if !errors.Is(err, ErrTrace) || !strings.Contains(err.Error(), "MaxBytes 65536") {
		t.Fatalf("endless request trace: %v", err)
	}
	// An input of exactly MaxBytes is read; one byte more is refused.
	data := "t,v\n0,1\n60,2\n"
	cfg := SeriesCSV{TimeColumn: "t", ValueColumn: "v", MaxBytes: int64(len(data))}
	if _, err := ReadSeriesCSV(strings.NewReader(data), cfg); err != nil {
		t.Errorf("input of exactly MaxBytes: %v", err)
	}
	if _, err := ReadSeriesCSV(strings.NewReader(data+"\n"), cfg); !errors.Is(err, ErrTrace) {
		t.Errorf("input of MaxBytes+1: %v", err)
	}
	if _, err := ReadSeriesCSV(strings.NewReader(data), SeriesCSV{TimeColumn: "t", ValueColumn: "v", MaxBytes: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("negative MaxBytes: %v", err)
	}
}

// TestTraceErrorsQuoteLittle: a file that is not the CSV expected (a
// system file, say) used to have its first line echoed whole in the
// error. Errors now quote at most a clipped part of each field.
func TestTraceErrorsQuoteLittle(t *testing.T) {
	secret := strings.Repeat("s3cr3t:", 200)
	for _, in := range []string{
		secret + "\n",                   // header without the column
		"v\n" + secret + "\n",           // value that is not a number
		"t,v\n" + secret + ",1\n",       // time that is not a time
		strings.Repeat("a,", 50) + "\n", // a wide header
	} {
		_, err := ReadSeriesCSV(strings.NewReader(in), SeriesCSV{TimeColumn: "t", ValueColumn: "v", Step: time.Second})
		if err == nil {
			t.Fatalf("%.20q… read", in)
		}
		if n := len(err.Error()); n > 800 {
			t.Errorf("error of %d bytes quotes too much: %.120s…", n, err)
		}
		if strings.Count(err.Error(), "s3cr3t") > 10 {
			t.Errorf("error quotes the file: %.120s…", err)
		}
	}
}

// TestEnumText: the text forms round-trip and refuse unknown names,
// listing the valid ones.
func TestEnumText(t *testing.T) {
	for _, tc := range []struct {
		v    interface{ MarshalText() ([]byte, error) }
		text string
	}{{FCFS, "fcfs"}, {ProcessorSharing, "ps"}, {Served, "Served"}, {TimedOut, "TimedOut"}, {Aborted, "Aborted"}} {
		got, err := tc.v.MarshalText()
		if err != nil || string(got) != tc.text {
			t.Errorf("%v: %q, %v; want %q", tc.v, got, err, tc.text)
		}
	}
	for _, text := range []string{"fcfs", "ps"} {
		var d Discipline
		if err := d.UnmarshalText([]byte(text)); err != nil {
			t.Fatal(err)
		}
		if back, _ := d.MarshalText(); !bytes.Equal(back, []byte(text)) {
			t.Errorf("%q read as %v", text, d)
		}
	}
	var d Discipline
	if err := d.UnmarshalText([]byte("lifo")); !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), `Discipline "lifo": must be one of fcfs, ps`) {
		t.Errorf("lifo: %v", err)
	}
	var o Outcome
	if err := o.UnmarshalText([]byte("TimedOut")); err != nil || o != TimedOut {
		t.Errorf("TimedOut: %v, %v", o, err)
	}
	if _, err := Discipline(7).MarshalText(); !errors.Is(err, ErrConfig) {
		t.Errorf("Discipline(7): %v", err)
	}
}

// TestFluidInputValidMatchesProblems holds the one-expression checks a
// fluid step runs, FluidInput.valid and ServerConfig.valid, to the field
// by field validation that reports the problems: every field valid but
// one (or none), drawn from the boundaries and the invalid values too.
func TestFluidInputValidMatchesProblems(t *testing.T) {
	for bad := -1; bad <= 10; bad++ {
		t.Run(fmt.Sprint("field ", bad), func(t *testing.T) { validMatchesProblems(t, bad) })
	}
}

func validMatchesProblems(t *testing.T, bad int) {
	rapid.Check(t, func(rt *rapid.T) {
		field := 0
		any := func() bool { field++; return field-1 == bad }
		float := func(name string, good ...float64) float64 {
			if any() {
				good = []float64{0, math.Copysign(0, -1), 1e-300, 0.2, 3e8, -1e-300, -1, math.Inf(1), math.Inf(-1), math.NaN()}
			}
			return rapid.SampledFrom(good).Draw(rt, name)
		}
		integer := func(name string, lo int) int {
			if any() {
				lo = -3
			}
			return rapid.IntRange(lo, 3).Draw(rt, name)
		}
		in := FluidInput{
			OfferedRate: float("OfferedRate", 0, 0.2, 3e8), Tasks: integer("Tasks", 0), MeanWork: float("MeanWork", 1e-300, 0.2),
			SCV: float("SCV", 0, 1, 4), Routing: Routing(integer("Routing", 0) % 4), Cursors: integer("Cursors", 0),
			Server: ServerConfig{
				Discipline: Discipline(integer("Discipline", 0) % 3), CPU: integer("CPU", 0) * 512,
				Concurrency: integer("Concurrency", 0), QueueLimit: integer("QueueLimit", Unlimited),
				Timeout: time.Duration(integer("Timeout", 0)) * time.Second,
			},
		}
		if got, want := in.Server.valid(), in.Server.Validate() == nil; got != want {
			rt.Fatalf("ServerConfig.valid() = %v for %+v, Validate says %v", got, in.Server, in.Server.Validate())
		}
		if got, err := in.valid(), in.problems(); got != (err == nil) {
			rt.Fatalf("FluidInput.valid() = %v for %+v, problems: %v", got, in, err)
		}
	})
}
