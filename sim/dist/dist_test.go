package dist

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// The draws of 6aac1ab, copied as they were: sim.Dist.Sample (latencies,
// computed in nanoseconds) and the Work methods of traffic's Demand types
// (request work, computed in seconds). A Dist must draw exactly these
// values from the same stream, so that trace hashes do not move.

func oldSimSample(kind Kind, a, b time.Duration, sigma float64, r *rand.Rand) time.Duration {
	switch kind {
	case KindFixed:
		return a
	case KindUniform:
		if b <= a {
			return a
		}
		return a + time.Duration(r.Int64N(int64(b-a)+1))
	case KindLogNormal:
		return time.Duration(math.Round(float64(a) * math.Exp(sigma*r.NormFloat64())))
	case KindExponential:
		return time.Duration(math.Round(float64(a) * r.ExpFloat64()))
	}
	return 0
}

func oldSecondsToDuration(s float64) time.Duration {
	ns := math.Round(s * 1e9)
	if ns >= float64(math.MaxInt64) || math.IsNaN(ns) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(ns)
}

func oldSeconds(d time.Duration) float64 { return float64(d) / 1e9 }

func oldTrafficLognormal(mean time.Duration, scv float64, r *rand.Rand) time.Duration {
	s2 := math.Log1p(scv)
	mu := math.Log(oldSeconds(mean)) - s2/2
	return oldSecondsToDuration(math.Exp(mu + math.Sqrt(s2)*r.NormFloat64()))
}

func oldTrafficHyper(mean time.Duration, scv float64, r *rand.Rand) time.Duration {
	p := (1 + math.Sqrt((scv-1)/(scv+1))) / 2
	m := oldSeconds(mean)
	if r.Float64() < p {
		return oldSecondsToDuration(r.ExpFloat64() * m / (2 * p))
	}
	return oldSecondsToDuration(r.ExpFloat64() * m / (2 * (1 - p)))
}

func oldTrafficExponential(mean time.Duration, r *rand.Rand) time.Duration {
	return oldSecondsToDuration(r.ExpFloat64() * oldSeconds(mean))
}

const identityDraws = 200_000

// TestDrawsMatchOldSimDist: Fixed, Uniform, LogNormal(median, σ) and
// Exponential draw what sim.Dist drew, value for value and stream
// position for stream position.
func TestDrawsMatchOldSimDist(t *testing.T) {
	for _, tc := range []struct {
		d     Dist
		kind  Kind
		a, b  time.Duration
		sigma float64
	}{
		{Fixed(3 * time.Second), KindFixed, 3 * time.Second, 0, 0},
		{Fixed(0), KindFixed, 0, 0, 0},
		{Uniform(30*time.Second, 60*time.Second), KindUniform, 30 * time.Second, 60 * time.Second, 0},
		{Uniform(0, 2*time.Second), KindUniform, 0, 2 * time.Second, 0},
		{Uniform(5*time.Second, 5*time.Second), KindUniform, 5 * time.Second, 5 * time.Second, 0},
		{LogNormal(20*time.Second, 0.4), KindLogNormal, 20 * time.Second, 0, 0.4},
		{LogNormal(time.Millisecond, 2), KindLogNormal, time.Millisecond, 0, 2},
		{Exponential(time.Hour / 3), KindExponential, time.Hour / 3, 0, 0},
		{Exponential(90 * time.Millisecond), KindExponential, 90 * time.Millisecond, 0, 0},
	} {
		r1, r2 := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
		for i := range identityDraws {
			got, want := tc.d.Sample(r1), oldSimSample(tc.kind, tc.a, tc.b, tc.sigma, r2)
			if got != want {
				t.Fatalf("%v draw %d: %v, sim.Dist drew %v", tc.d, i, got, want)
			}
		}
	}
}

// TestDrawsMatchOldTrafficDemand: LogNormalMean and HyperExponential draw
// what traffic.Lognormal and traffic.HyperExponential drew.
func TestDrawsMatchOldTrafficDemand(t *testing.T) {
	for _, tc := range []struct {
		mean time.Duration
		scv  float64
	}{{100 * time.Millisecond, 4}, {20 * time.Millisecond, 1}, {time.Second, 0.25}, {3 * time.Millisecond, 30}} {
		r1, r2 := rand.New(rand.NewPCG(3, 4)), rand.New(rand.NewPCG(3, 4))
		d := LogNormalMean(tc.mean, tc.scv)
		for i := range identityDraws {
			if got, want := d.Sample(r1), oldTrafficLognormal(tc.mean, tc.scv, r2); got != want {
				t.Fatalf("%v draw %d: %v, traffic.Lognormal drew %v", d, i, got, want)
			}
		}
		if tc.scv < 1 {
			continue
		}
		d = HyperExponential(tc.mean, tc.scv)
		for i := range identityDraws {
			if got, want := d.Sample(r1), oldTrafficHyper(tc.mean, tc.scv, r2); got != want {
				t.Fatalf("%v draw %d: %v, traffic.HyperExponential drew %v", d, i, got, want)
			}
		}
	}
}

// TestExponentialMatchesOldTrafficBelowOneSecond: traffic.Exponential
// computed in seconds (three roundings), sim.Exponential in nanoseconds
// (one). The shared Exponential takes sim's; for request work of a mean
// below a second, the two agree on every draw (measured: no difference in
// 2·10⁷ draws at each of 10 ms to 1 s; at 1.5 s to 10 min about one draw
// in 10⁷ to 10⁵ differs by 1 ns).
func TestExponentialMatchesOldTrafficBelowOneSecond(t *testing.T) {
	for _, mean := range []time.Duration{time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond,
		40 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond, time.Second} {
		r1, r2 := rand.New(rand.NewPCG(5, 6)), rand.New(rand.NewPCG(5, 6))
		d := Exponential(mean)
		for i := range identityDraws {
			if got, want := d.Sample(r1), oldTrafficExponential(mean, r2); got != want {
				t.Fatalf("%v draw %d: %v, traffic.Exponential drew %v", d, i, got, want)
			}
		}
	}
}

// TestDrawsAreFiniteAndNonNegative: huge means, medians and σ saturate at
// Max instead of wrapping to negative durations (sim.LogNormal with σ = 50
// used to return negative latencies), and Uniform over the whole range
// does not panic.
func TestDrawsAreFiniteAndNonNegative(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, d := range []Dist{
		LogNormal(time.Hour, 50), LogNormal(Max, 1), LogNormal(time.Nanosecond, 1e300),
		Exponential(Max), Exponential(290 * 365 * 24 * time.Hour),
		LogNormalMean(Max, 1e300), LogNormalMean(time.Second, 1e300),
		HyperExponential(Max, 1e6), HyperExponential(time.Second, math.MaxFloat64),
		Uniform(0, Max), Uniform(Max-1, Max), Fixed(Max),
		// Invalid ones still never draw a negative or hang-forever value.
		Fixed(-time.Second), Uniform(math.MinInt64, Max), Uniform(-5, -1),
		LogNormalMean(-time.Second, 1), HyperExponential(time.Second, 0.5), HyperExponential(time.Second, math.NaN()),
	} {
		saturated := 0
		for range 10_000 {
			v := d.Sample(r)
			if v < 0 {
				t.Fatalf("%v drew %v", d, v)
			}
			if v == Max {
				saturated++
			}
		}
		if strings.Contains(d.String(), "sigma 50") && saturated == 0 {
			t.Errorf("%v never saturated in 10000 draws; σ = 50 puts a third of the mass beyond Max", d)
		}
	}
}

// TestMoments: sample means and C² against the closed forms of Mean and
// SCV, which are checked against the textbook moments here.
func TestMoments(t *testing.T) {
	for _, tc := range []struct {
		d        Dist
		mean     float64 // seconds, from the textbook formula
		scv      float64
		scvTol   float64
		samples  int
		meanRTol float64
	}{
		{Fixed(2 * time.Second), 2, 0, 0, 10, 0},
		{Uniform(30*time.Second, 60*time.Second), 45, 30.0 * 30 / 12 / (45 * 45), 0.01, 200_000, 0.005},
		{Exponential(100 * time.Millisecond), 0.1, 1, 0.03, 400_000, 0.01},
		{LogNormal(time.Second, 0.5), math.Exp(0.125), math.Exp(0.25) - 1, 0.02, 400_000, 0.01},
		{LogNormalMean(100*time.Millisecond, 0.5), 0.1, 0.5, 0.03, 400_000, 0.01},
		{HyperExponential(100*time.Millisecond, 4), 0.1, 4, 0.3, 800_000, 0.02},
	} {
		if got := tc.d.Mean().Seconds(); math.Abs(got-tc.mean) > 1e-9*tc.mean+1e-9 {
			t.Errorf("%v: Mean %v, want %v s", tc.d, got, tc.mean)
		}
		if got := tc.d.SCV(); math.Abs(got-tc.scv) > 1e-9 {
			t.Errorf("%v: SCV %v, want %v", tc.d, got, tc.scv)
		}
		r := rand.New(rand.NewPCG(9, 10))
		var sum, sum2 float64
		for range tc.samples {
			x := tc.d.Sample(r).Seconds()
			sum += x
			sum2 += x * x
		}
		n := float64(tc.samples)
		m := sum / n
		scv := (sum2/n - m*m) / (m * m)
		if math.Abs(m-tc.mean) > tc.meanRTol*tc.mean+1e-9 {
			t.Errorf("%v: sample mean %v s, want %v", tc.d, m, tc.mean)
		}
		if math.Abs(scv-tc.scv) > tc.scvTol*math.Max(tc.scv, 1)+1e-9 {
			t.Errorf("%v: sample C² %v, want %v", tc.d, scv, tc.scv)
		}
	}
	if m := LogNormal(time.Hour, 50).Mean(); m != Max {
		t.Errorf("LogNormal(1h, 50).Mean() = %v, want saturation at Max", m)
	}
}

// TestLogNormalTwoWays: a lognormal by mean and C² and the same one by
// median and σ agree on their moments.
func TestLogNormalTwoWays(t *testing.T) {
	mean, scv := 200*time.Millisecond, 3.0
	sigma := math.Sqrt(math.Log1p(scv))
	median := time.Duration(math.Round(float64(mean) / math.Sqrt(1+scv)))
	a, b := LogNormalMean(mean, scv), LogNormal(median, sigma)
	if math.Abs(float64(a.Mean()-b.Mean())) > 2 || math.Abs(a.SCV()-b.SCV()) > 1e-12 {
		t.Fatalf("%v: mean %v C² %v; %v: mean %v C² %v", a, a.Mean(), a.SCV(), b, b.Mean(), b.SCV())
	}
}

func TestValidate(t *testing.T) {
	sentinel := errors.New("caller: invalid config")
	for _, tc := range []struct {
		d    Dist
		want string // "" if valid
	}{
		{Dist{}, ""},
		{Fixed(0), ""},
		{Fixed(-1), `Latencies.X fixed(-1ns): a fixed duration must not be negative`},
		{Uniform(2, 1), `Latencies.X uniform(2ns, 1ns): uniform needs 0 ≤ lo ≤ hi`},
		{Uniform(-1, 1), `uniform needs 0 ≤ lo ≤ hi`},
		{Exponential(0), `Latencies.X exponential(mean 0s): exponential needs a positive mean`},
		{LogNormal(time.Second, math.NaN()), `lognormal(median 1s, sigma NaN): lognormal needs a positive median and a finite sigma ≥ 0`},
		{LogNormal(time.Second, math.Inf(1)), `a finite sigma`},
		{LogNormal(0, 1), `a positive median`},
		{LogNormalMean(time.Second, -0.5), `lognormal(mean 1s, scv -0.5): lognormal needs a positive mean and a finite scv ≥ 0`},
		{LogNormalMean(0, 1), `a positive mean`},
		{HyperExponential(time.Second, 0.5), `hyperexponential(mean 1s, scv 0.5): hyperexponential needs a positive mean and a finite scv ≥ 1`},
		{HyperExponential(time.Second, math.Inf(1)), `finite scv ≥ 1`},
		{Dist{kind: 99}, `is not a distribution family`},
	} {
		err := tc.d.Check(sentinel, "Latencies.X")
		if tc.want == "" {
			if err != nil || tc.d.Validate() != nil {
				t.Errorf("%v: %v", tc.d, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "caller: invalid config: Latencies.X ") {
			t.Errorf("%v: got %v, want …%s", tc.d, err, tc.want)
		}
		if !errors.Is(err, sentinel) {
			t.Errorf("%v: %v does not match the caller's sentinel", tc.d, err)
		}
		if err := tc.d.Validate(); !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "dist: invalid distribution: Dist ") {
			t.Errorf("%v: Validate = %v", tc.d, err)
		}
	}
}

func TestTextRoundTrip(t *testing.T) {
	for _, d := range []Dist{
		{}, Fixed(0), Fixed(90 * time.Second), Uniform(5*time.Second, 10*time.Second),
		Exponential(100 * time.Millisecond), LogNormal(2*time.Second, 0.5),
		LogNormalMean(100*time.Millisecond, 4), HyperExponential(100*time.Millisecond, 4),
		LogNormal(1500*time.Microsecond, 1e-7), Fixed(Max), Uniform(0, Max),
	} {
		text, err := d.MarshalText()
		if err != nil {
			t.Fatalf("%v: %v", d, err)
		}
		var back Dist
		if err := back.UnmarshalText(text); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if back != d {
			t.Errorf("%q read back as %v", text, back)
		}
		if !d.IsZero() && string(text) != d.String() {
			t.Errorf("MarshalText %q, String %q", text, d)
		}
	}
	for text, want := range map[string]Dist{
		"  exponential( mean   100ms )": Exponential(100 * time.Millisecond),
		"uniform(1s,2s)":                Uniform(time.Second, 2*time.Second),
		"unset":                         {},
		"lognormal(mean 1s, scv 0)":     LogNormalMean(time.Second, 0),
	} {
		var d Dist
		if err := d.UnmarshalText([]byte(text)); err != nil || d != want {
			t.Errorf("%q: %v, %v; want %v", text, d, err, want)
		}
	}
}

func TestTextErrors(t *testing.T) {
	for text, want := range map[string]string{
		"normal(1s)":                         "the family must be one of fixed, uniform, exponential, lognormal, hyperexponential",
		"exponential":                        `must read name(parameters)`,
		"exponential(100ms)":                 "must read exponential(mean <duration>)",
		"exponential(mean 100)":              "must read exponential(mean <duration>)",
		"fixed(1s, 2s)":                      "must read fixed(<duration>)",
		"uniform(1s)":                        "must read uniform(<lo>, <hi>)",
		"lognormal(median 1s)":               "lognormal(median <duration>, sigma <number>) or lognormal(mean <duration>, scv <number>)",
		"lognormal(mean 1s, sigma 2)":        "or lognormal(mean <duration>, scv <number>)",
		"hyperexponential(mean 1s, scv x)":   "must read hyperexponential(mean <duration>, scv <number>)",
		"hyperexponential(mean 1s, scv 4, )": "must read hyperexponential",
	} {
		var d Dist
		err := d.UnmarshalText([]byte(text))
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want …%s", text, err, want)
		}
	}
}

func TestKindText(t *testing.T) {
	for k := Unset; k <= KindHyperExponential; k++ {
		text, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Kind
		if err := back.UnmarshalText(text); err != nil || back != k {
			t.Errorf("%v: %q read back as %v, %v", k, text, back, err)
		}
	}
	var k Kind
	err := k.UnmarshalText([]byte("gamma"))
	if err == nil || !strings.Contains(err.Error(), `Kind "gamma": must be one of fixed, uniform, exponential, lognormal, hyperexponential`) {
		t.Errorf("gamma: %v", err)
	}
	if _, err := Kind(42).MarshalText(); err == nil {
		t.Error("Kind(42) marshalled")
	}
	if Kind(42).String() != "Kind(42)" || Unset.String() != "unset" || KindLogNormal.String() != "lognormal" {
		t.Error("Kind.String")
	}
}

func TestOrAndWork(t *testing.T) {
	def := Uniform(time.Second, 2*time.Second)
	if (Dist{}).Or(def) != def || Fixed(0).Or(def) != Fixed(0) {
		t.Fatal("Or")
	}
	r1, r2 := rand.New(rand.NewPCG(1, 1)), rand.New(rand.NewPCG(1, 1))
	d := Exponential(time.Second)
	if d.Work(r1, 42) != d.Sample(r2) {
		t.Fatal("Work is not Sample")
	}
}

// FuzzUnmarshalText: any text is either refused or read as a Dist that
// writes back to a text reading the same Dist, and that draws finite,
// non-negative durations.
func FuzzUnmarshalText(f *testing.F) {
	for _, s := range []string{"fixed(1s)", "uniform(1s, 2s)", "exponential(mean 1ms)", "lognormal(median 1s, sigma 2)",
		"lognormal(mean 1s, scv 3)", "hyperexponential(mean 1s, scv 9)", "", "unset", "fixed(", "lognormal(mean -1s, scv NaN)"} {
		f.Add(s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	f.Fuzz(func(t *testing.T, s string) {
		var d Dist
		if err := d.UnmarshalText([]byte(s)); err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("%q: %v does not match ErrInvalid", s, err)
			}
			return
		}
		text, err := d.MarshalText()
		if err != nil {
			t.Fatalf("%v: %v", d, err)
		}
		var back Dist
		if err := back.UnmarshalText(text); err != nil {
			t.Fatalf("%q → %q: %v", s, text, err)
		}
		if !same(back, d) {
			t.Fatalf("%q → %v → %q → %v", s, d, text, back)
		}
		for range 4 {
			if v := d.Sample(r); v < 0 {
				t.Fatalf("%v drew %v", d, v)
			}
		}
		_ = d.Validate()
		_, _ = d.Mean(), d.SCV()
	})
}

// same compares two Dists field by field, NaN equal to NaN.
func same(a, b Dist) bool {
	bits := math.Float64bits
	return a.kind == b.kind && a.byMean == b.byMean && a.a == b.a && a.b == b.b &&
		bits(a.x) == bits(b.x) && bits(a.c1) == bits(b.c1) && bits(a.c2) == bits(b.c2)
}
