package capacity

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestUnavailabilityValidate: every broken rule is reported, naming the
// field; the zero value, windows and the two means are valid.
func TestUnavailabilityValidate(t *testing.T) {
	for _, ok := range []Unavailability{
		{},
		{Windows: []Window{{0, time.Minute}, {time.Minute, time.Hour}}},
		{MeanAvailable: time.Hour, MeanUnavailable: time.Minute},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	for _, tc := range []struct {
		u     Unavailability
		wants []string
	}{
		{Unavailability{MeanAvailable: time.Hour}, []string{"set MeanAvailable and MeanUnavailable together"}},
		{Unavailability{MeanAvailable: -1, MeanUnavailable: -1}, []string{"MeanAvailable", "MeanUnavailable"}},
		{Unavailability{Windows: []Window{{time.Hour, time.Hour}}}, []string{"0 ≤ Start < End"}},
		{Unavailability{Windows: []Window{{-time.Second, time.Hour}}}, []string{"0 ≤ Start < End"}},
		{Unavailability{Windows: []Window{{0, 2 * time.Hour}, {time.Hour, 3 * time.Hour}}}, []string{"must not overlap"}},
		{Unavailability{Windows: []Window{{0, time.Hour}}, MeanAvailable: time.Hour, MeanUnavailable: time.Hour}, []string{"either Windows or the means"}},
	} {
		err := tc.u.Validate()
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%+v: got %v, want ErrInvalidConfig", tc.u, err)
			continue
		}
		for _, want := range tc.wants {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%+v: %q does not say %q", tc.u, err, want)
			}
		}
	}
}

// TestUnavailabilityPeriods: periods are exponential with their means
// (sample mean and the share above the mean, e^-1, within 4 standard
// errors over 100,000 draws).
func TestUnavailabilityPeriods(t *testing.T) {
	u := Unavailability{MeanAvailable: 50 * time.Minute, MeanUnavailable: 10 * time.Minute}
	r := rand.New(rand.NewPCG(1, 2))
	for _, out := range []bool{false, true} {
		mean := u.MeanAvailable
		if out {
			mean = u.MeanUnavailable
		}
		const n = 100000
		sum, above := 0.0, 0
		for range n {
			d := u.Period(r, out)
			if d <= 0 {
				t.Fatalf("period %v is not positive", d)
			}
			sum += float64(d)
			if d > mean {
				above++
			}
		}
		if got := sum / n / float64(mean); math.Abs(got-1) > 4/math.Sqrt(n) {
			t.Errorf("unavailable=%v: mean %.4f of the configured mean", out, got)
		}
		p := math.Exp(-1)
		if got := float64(above) / n; math.Abs(got-p) > 4*math.Sqrt(p*(1-p)/n) {
			t.Errorf("unavailable=%v: %.4f of periods exceed the mean, want e^-1 = %.4f", out, got, p)
		}
	}
}
