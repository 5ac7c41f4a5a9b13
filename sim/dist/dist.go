// Package dist is the one vocabulary of random durations in ecssim: the
// latencies of the world (instance launch, ENI attachment, image pull,
// container start, shutdown, a task's run time) and the CPU work of a
// request. A Dist is a small comparable value built by a constructor:
//
//	Fixed(d)                      always d (C² = 0)
//	Uniform(lo, hi)               uniform on [lo, hi], at nanosecond granularity
//	Exponential(mean)             exponential (C² = 1)
//	LogNormal(median, σ)          median · exp(σ·Z)
//	LogNormalMean(mean, C²)       the same family by its mean and C²
//	HyperExponential(mean, C²)    two balanced exponential phases, C² ≥ 1
//
// where Z is a standard normal draw and C² = Var/Mean² is the squared
// coefficient of variation (SCV) that queueing formulas take. The lognormal
// is given either way round: by the median and σ of its logarithm, as
// latency measurements are usually summarised, or by its mean and C², as
// a service-time distribution is: σ² = ln(1 + C²) and median =
// mean / √(1 + C²).
//
// Sample draws from a *rand.Rand the caller passes (the engine's named
// streams); every draw is a finite, non-negative time.Duration: draws
// beyond the largest Duration (a huge mean or σ) saturate at Max instead
// of wrapping. Mean and SCV give the moments, Validate the rule a Dist
// breaks, String and the text form (MarshalText, UnmarshalText) read and
// write it as "lognormal(median 2s, sigma 0.5)". Work makes a Dist a
// request-work distribution of package sim/traffic.
//
// The package keeps no clock and imports nothing of the simulation, so
// both sim and its model packages can speak it.
package dist

import (
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// ErrInvalid marks a distribution whose parameters break a rule.
var ErrInvalid = errors.New("dist: invalid distribution")

// Max is the longest duration a draw returns: the largest time.Duration
// (about 292 years). Draws beyond it saturate here.
const Max = time.Duration(math.MaxInt64)

// Kind is a distribution's family.
type Kind uint8

// The families. The zero Kind is the unset distribution.
const (
	// Unset is the zero Dist: a configuration field holding it takes its
	// documented default.
	Unset Kind = iota
	// KindFixed always returns one value.
	KindFixed
	// KindUniform is uniform on an interval.
	KindUniform
	// KindExponential is exponential.
	KindExponential
	// KindLogNormal is lognormal.
	KindLogNormal
	// KindHyperExponential is a two-phase hyperexponential.
	KindHyperExponential
)

var kindNames = [...]string{
	Unset:                "",
	KindFixed:            "fixed",
	KindUniform:          "uniform",
	KindExponential:      "exponential",
	KindLogNormal:        "lognormal",
	KindHyperExponential: "hyperexponential",
}

// String returns the family's name as the text form writes it: "fixed",
// "uniform", "exponential", "lognormal" or "hyperexponential"; "unset"
// for Unset.
func (k Kind) String() string {
	if k == Unset {
		return "unset"
	}
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText writes the family's name; Unset is the empty string.
func (k Kind) MarshalText() ([]byte, error) {
	if int(k) >= len(kindNames) {
		return nil, fielderr.New(ErrInvalid, "Kind", int(k), "is not a distribution family")
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText reads a family's name; the empty string is Unset.
func (k *Kind) UnmarshalText(text []byte) error {
	for i, name := range kindNames {
		if string(text) == name {
			*k = Kind(i)
			return nil
		}
	}
	return fielderr.New(ErrInvalid, "Kind", string(text), "must be one of "+strings.Join(kindNames[1:], ", "))
}

// Dist is a distribution of durations. The zero Dist is unset: a
// configuration field holding it takes its documented default, and it
// samples 0. Build one with a constructor; Dists are comparable with ==.
type Dist struct {
	kind Kind
	// byMean marks a lognormal given by its mean and C² (the draw is then
	// computed in seconds, as the request-work model always did).
	byMean bool
	// a is the value (Fixed), the low end (Uniform), the mean (Exponential,
	// HyperExponential, LogNormalMean) or the median (LogNormal); b the high
	// end (Uniform).
	a, b time.Duration
	// x is σ (LogNormal) or C² (LogNormalMean, HyperExponential).
	x float64
	// Derived for the draw: LogNormalMean's μ and σ of ln(seconds);
	// HyperExponential's mean in seconds and p.
	c1, c2 float64
}

// Fixed is the distribution that always returns d.
func Fixed(d time.Duration) Dist { return Dist{kind: KindFixed, a: d} }

// Uniform draws uniformly from [lo, hi], at nanosecond granularity.
func Uniform(lo, hi time.Duration) Dist { return Dist{kind: KindUniform, a: lo, b: hi} }

// Exponential draws an exponential duration with the given mean: the time
// to an event of a Poisson process of rate 1/mean (C² = 1).
func Exponential(mean time.Duration) Dist { return Dist{kind: KindExponential, a: mean} }

// LogNormal draws median × exp(sigma × Z) with Z standard normal, rounded
// to the nanosecond: a right-skewed latency whose median is median. Its
// mean is median·exp(σ²/2) and its C² is exp(σ²) − 1. Sigma is valid from
// 0 to MaxSigma.
func LogNormal(median time.Duration, sigma float64) Dist {
	return Dist{kind: KindLogNormal, a: median, x: sigma}
}

// MaxSigma is the largest σ of a valid LogNormal: exp(σ²) is finite in
// float64 up to σ ≈ 26.6, so its C² (SCV) and its mean stay numbers. A
// latency's σ is rarely above 3.
const MaxSigma = 26

// LogNormalMean is the lognormal distribution with the given mean and
// squared coefficient of variation C² = Var/Mean²: ln(seconds) is normal
// with
//
//	σ² = ln(1 + C²),  μ = ln(mean in seconds) − σ²/2.
func LogNormalMean(mean time.Duration, scv float64) Dist {
	s2 := math.Log1p(scv)
	return Dist{kind: KindLogNormal, byMean: true, a: mean, x: scv,
		c1: math.Log(seconds(mean)) - s2/2, c2: math.Sqrt(s2)}
}

// HyperExponential is a two-phase hyperexponential distribution with
// balanced means, for C² ≥ 1: with probability p the draw is exponential
// with mean mean/(2p), otherwise with mean mean/(2(1−p)), where
//
//	p = (1 + √((C² − 1)/(C² + 1))) / 2.
//
// This gives the mean and C² exactly; C² = 1 is the exponential.
func HyperExponential(mean time.Duration, scv float64) Dist {
	p := (1 + math.Sqrt((scv-1)/(scv+1))) / 2
	return Dist{kind: KindHyperExponential, a: mean, x: scv, c1: seconds(mean), c2: p}
}

// Kind returns the distribution's family.
func (d Dist) Kind() Kind { return d.kind }

// IsZero reports whether d is unset.
func (d Dist) IsZero() bool { return d.kind == Unset }

// Or returns d, or def when d is unset: how a configuration field takes
// its default.
func (d Dist) Or(def Dist) Dist {
	if d.kind == Unset {
		return def
	}
	return d
}

// Sample draws one duration from r: finite and never negative, saturated
// at Max. An unset Dist returns 0 and draws nothing. The number of values
// drawn from r depends only on the family (one, and two for the
// hyperexponential; none for fixed), never on the parameters.
func (d Dist) Sample(r *rand.Rand) time.Duration {
	switch d.kind {
	case KindFixed:
		return max(d.a, 0)
	case KindUniform:
		lo := max(d.a, 0)
		if d.b <= lo {
			return lo
		}
		// Uint64N draws exactly as Int64N does, and takes the span of
		// [0, Max] without overflowing.
		return lo + time.Duration(r.Uint64N(uint64(d.b-lo)+1))
	case KindExponential:
		return nanos(float64(d.a) * r.ExpFloat64())
	case KindLogNormal:
		if d.byMean {
			return fromSeconds(math.Exp(d.c1 + d.c2*r.NormFloat64()))
		}
		return nanos(float64(d.a) * math.Exp(d.x*r.NormFloat64()))
	case KindHyperExponential:
		m, p := d.c1, d.c2
		if r.Float64() < p {
			return fromSeconds(r.ExpFloat64() * m / (2 * p))
		}
		return fromSeconds(r.ExpFloat64() * m / (2 * (1 - p)))
	}
	return 0
}

// Work draws one request's CPU work, ignoring size: a Dist is a
// sim/traffic Demand whose work does not depend on the request's size.
func (d Dist) Work(r *rand.Rand, _ float64) time.Duration { return d.Sample(r) }

// Mean returns the distribution's mean, saturated at Max; 0 when unset.
func (d Dist) Mean() time.Duration {
	switch d.kind {
	case KindFixed:
		return d.a
	case KindUniform:
		return d.a + (d.b-d.a)/2
	case KindLogNormal:
		if !d.byMean {
			return nanos(float64(d.a) * math.Exp(d.x*d.x/2))
		}
	}
	return d.a
}

// SCV returns the squared coefficient of variation C² = Var/Mean²: 0 for
// a fixed or unset distribution, 1 for the exponential, (hi−lo)²/(3(hi+lo)²)
// for the uniform (0 when both ends are 0), exp(σ²) − 1 for a lognormal
// given by its median, and the C² given otherwise.
func (d Dist) SCV() float64 {
	switch d.kind {
	case KindUniform:
		lo, hi := float64(d.a), float64(d.b)
		if lo+hi == 0 {
			return 0
		}
		return (hi - lo) * (hi - lo) / (3 * (hi + lo) * (hi + lo))
	case KindExponential:
		return 1
	case KindLogNormal:
		if !d.byMean {
			return math.Expm1(d.x * d.x)
		}
		return d.x
	case KindHyperExponential:
		return d.x
	}
	return 0
}

// rule returns the rule d breaks, or "" if d is valid. An unset Dist is
// valid: it stands for a default.
func (d Dist) rule() string {
	switch d.kind {
	case Unset:
	case KindFixed:
		if d.a < 0 {
			return "a fixed duration must not be negative"
		}
	case KindUniform:
		if d.a < 0 || d.b < d.a {
			return "uniform needs 0 ≤ lo ≤ hi"
		}
	case KindExponential:
		if d.a <= 0 {
			return "exponential needs a positive mean"
		}
	case KindLogNormal:
		switch {
		case d.byMean && (d.a <= 0 || !finiteAtLeast(d.x, 0)):
			return "lognormal needs a positive mean and a finite scv ≥ 0"
		case !d.byMean && (d.a <= 0 || !finiteAtLeast(d.x, 0)):
			return "lognormal needs a positive median and a finite sigma ≥ 0"
		case !d.byMean && d.x > MaxSigma:
			return "lognormal needs a sigma of at most 26 (MaxSigma): beyond, its C², exp(σ²) − 1, overflows"
		}
	case KindHyperExponential:
		if d.a <= 0 || !finiteAtLeast(d.x, 1) {
			return "hyperexponential needs a positive mean and a finite scv ≥ 1"
		}
	default:
		return "is not a distribution family"
	}
	return ""
}

func finiteAtLeast(x, lo float64) bool { return x >= lo && !math.IsInf(x, 1) }

// Validate reports the rule d breaks, as a field error matching ErrInvalid;
// nil if d is valid. An unset Dist is valid (it stands for a default).
func (d Dist) Validate() error { return d.Check(ErrInvalid, "Dist") }

// Check is Validate for a Dist held in a caller's field: the error matches
// the caller's sentinel and names its field, e.g.
//
//	cfg.Launch.Check(ErrConfig, "Latencies.InstanceLaunch")
//
// renders as "<sentinel>: Latencies.InstanceLaunch exponential(mean 0s):
// exponential needs a positive mean".
func (d Dist) Check(sentinel error, field string) error {
	if rule := d.rule(); rule != "" {
		return fielderr.New(sentinel, field, d, rule)
	}
	return nil
}

// String renders the distribution in its text form, e.g. "fixed(2s)",
// "uniform(5s, 10s)", "exponential(mean 100ms)", "lognormal(median 2s,
// sigma 0.5)", "lognormal(mean 100ms, scv 4)", "hyperexponential(mean
// 100ms, scv 4)"; "unset" for the zero Dist.
func (d Dist) String() string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	switch d.kind {
	case Unset:
		return "unset"
	case KindFixed:
		return "fixed(" + d.a.String() + ")"
	case KindUniform:
		return "uniform(" + d.a.String() + ", " + d.b.String() + ")"
	case KindExponential:
		return "exponential(mean " + d.a.String() + ")"
	case KindLogNormal:
		if d.byMean {
			return "lognormal(mean " + d.a.String() + ", scv " + f(d.x) + ")"
		}
		return "lognormal(median " + d.a.String() + ", sigma " + f(d.x) + ")"
	case KindHyperExponential:
		return "hyperexponential(mean " + d.a.String() + ", scv " + f(d.x) + ")"
	}
	return d.kind.String()
}

// MarshalText writes the text form of String; the unset Dist is the empty
// string.
func (d Dist) MarshalText() ([]byte, error) {
	if d.kind == Unset {
		return []byte{}, nil
	}
	if int(d.kind) >= len(kindNames) {
		return nil, fielderr.New(ErrInvalid, "Dist", d, "is not a distribution family")
	}
	return []byte(d.String()), nil
}

// UnmarshalText reads the text form String writes: a family name and its
// parameters in parentheses, durations as Go duration strings and numbers
// as Go floats; spaces around the parentheses and commas are free, and
// "" and "unset" are the unset Dist. It checks the form, not the ranges:
// call Validate for those.
func (d *Dist) UnmarshalText(text []byte) error {
	s := strings.TrimSpace(string(text))
	if s == "" || s == "unset" {
		*d = Dist{}
		return nil
	}
	bad := func(rule string) error { return fielderr.New(ErrInvalid, "Dist", s, rule) }
	name, rest, ok := strings.Cut(s, "(")
	if !ok || !strings.HasSuffix(rest, ")") {
		return bad(`must read name(parameters), e.g. "exponential(mean 100ms)"`)
	}
	var k Kind
	if err := k.UnmarshalText([]byte(strings.TrimSpace(name))); err != nil || k == Unset {
		return bad("the family must be one of " + strings.Join(kindNames[1:], ", "))
	}
	var args []string
	for a := range strings.SplitSeq(strings.TrimSuffix(rest, ")"), ",") {
		args = append(args, strings.Join(strings.Fields(a), " "))
	}
	// param reads args[i] as "key value" (or a bare value when key is "").
	param := func(i int, key string) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		if key == "" {
			return args[i], args[i] != "" && !strings.Contains(args[i], " ")
		}
		v, ok := strings.CutPrefix(args[i], key+" ")
		return v, ok
	}
	dur := func(i int, key string) (time.Duration, bool) {
		v, ok := param(i, key)
		if !ok {
			return 0, false
		}
		t, err := time.ParseDuration(v)
		return t, err == nil
	}
	num := func(i int, key string) (float64, bool) {
		v, ok := param(i, key)
		if !ok {
			return 0, false
		}
		x, err := strconv.ParseFloat(v, 64)
		return x, err == nil
	}
	forms := map[Kind]string{
		KindFixed:            "fixed(<duration>)",
		KindUniform:          "uniform(<lo>, <hi>)",
		KindExponential:      "exponential(mean <duration>)",
		KindLogNormal:        "lognormal(median <duration>, sigma <number>) or lognormal(mean <duration>, scv <number>)",
		KindHyperExponential: "hyperexponential(mean <duration>, scv <number>)",
	}
	var out Dist
	switch n := len(args); k {
	case KindFixed:
		v, ok1 := dur(0, "")
		ok, out = ok1 && n == 1, Fixed(v)
	case KindUniform:
		lo, ok1 := dur(0, "")
		hi, ok2 := dur(1, "")
		ok, out = ok1 && ok2 && n == 2, Uniform(lo, hi)
	case KindExponential:
		m, ok1 := dur(0, "mean")
		ok, out = ok1 && n == 1, Exponential(m)
	case KindLogNormal:
		if m, ok1 := dur(0, "median"); ok1 {
			sigma, ok2 := num(1, "sigma")
			ok, out = ok2 && n == 2, LogNormal(m, sigma)
		} else if m, ok1 := dur(0, "mean"); ok1 {
			scv, ok2 := num(1, "scv")
			ok, out = ok2 && n == 2, LogNormalMean(m, scv)
		} else {
			ok = false
		}
	case KindHyperExponential:
		m, ok1 := dur(0, "mean")
		scv, ok2 := num(1, "scv")
		ok, out = ok1 && ok2 && n == 2, HyperExponential(m, scv)
	}
	if !ok {
		return bad("must read " + forms[k])
	}
	*d = out
	return nil
}

// seconds converts d to seconds with one float division.
func seconds(d time.Duration) float64 { return float64(d) / 1e9 }

// nanos rounds a number of nanoseconds to a Duration in [0, Max]: NaN and
// negative values are 0, values beyond Max are Max.
func nanos(ns float64) time.Duration {
	ns = math.Round(ns)
	switch {
	case ns >= float64(Max):
		return Max
	case ns > 0:
		return time.Duration(ns)
	}
	return 0
}

// fromSeconds rounds a number of seconds to the nearest nanosecond, in
// [0, Max].
func fromSeconds(s float64) time.Duration { return nanos(s * 1e9) }
