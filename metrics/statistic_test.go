package metrics_test

import (
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/metrics"
)

func TestParseStatistic(t *testing.T) {
	good := map[string]metrics.Statistic{
		"Average": metrics.Average, "Sum": metrics.Sum, "Minimum": metrics.Minimum, "Maximum": metrics.Maximum,
		"SampleCount": metrics.SampleCount, "p50": metrics.Percentile(50), "p99.9": metrics.Percentile(99.9),
		"p95.45": metrics.Percentile(95.45), "p0": metrics.Percentile(0), "p100": metrics.Percentile(100),
		"p100.000": metrics.Percentile(100), "p9": metrics.Percentile(9), "p99.": metrics.Percentile(99),
	}
	for in, want := range good {
		got, err := metrics.ParseStatistic(in)
		if err != nil || got != want {
			t.Errorf("ParseStatistic(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	bad := map[string]int{ // input → offset named in the error
		"":                0,
		"average":         0,
		"P99":             0,
		"p":               1,
		"px":              1,
		"p9x":             2,
		"p101":            1,
		"p1000":           4,
		"p100.1":          5,
		"p99.9.9":         5,
		"p99.12345678901": 14,
		"p-1":             1,
	}
	for in, off := range bad {
		_, err := metrics.ParseStatistic(in)
		var pe *metrics.ParseError
		if !errors.As(err, &pe) || !errors.Is(err, metrics.ErrInvalidStatistic) {
			t.Errorf("ParseStatistic(%q) err = %v, want a ParseError", in, err)
			continue
		}
		if pe.Offset != off {
			t.Errorf("ParseStatistic(%q) offset = %d, want %d (%v)", in, pe.Offset, off, err)
		}
	}
}

// FuzzParseStatistic: the parser never panics, an error names an offset
// inside the input (or its end), and whatever parses prints back to a name
// that parses to the same statistic.
func FuzzParseStatistic(f *testing.F) {
	for _, s := range []string{"Average", "Sum", "SampleCount", "p50", "p99.9", "p100", "p100.0000000000", "p9x", "", "p.5", "p99..", "p٣"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		st, err := metrics.ParseStatistic(in)
		if err != nil {
			var pe *metrics.ParseError
			if !errors.As(err, &pe) || pe.Offset < 0 || pe.Offset > len(in) {
				t.Fatalf("ParseStatistic(%q): %v", in, err)
			}
			return
		}
		if !st.Valid() {
			t.Fatalf("ParseStatistic(%q) = invalid %v", in, st)
		}
		again, err := metrics.ParseStatistic(st.String())
		if err != nil || again != st {
			t.Fatalf("round trip %q → %q → %v, %v", in, st.String(), again, err)
		}
	})
}

// TestPercentileMatchesNearestRank compares the store's percentile (gonum
// with explicit rank rounding) with the integer nearest-rank definition for
// every sample size up to 3000 and percentiles in hundredths.
func TestPercentileMatchesNearestRank(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 3000).Draw(rt, "n")
		hundredths := rapid.IntRange(1, 9999).Draw(rt, "hundredths")
		s := newStore(rt, metrics.Config{})
		naive := newNaiveStore()
		for i := 0; i < n; i++ {
			v := float64(rapid.IntRange(0, 50).Draw(rt, "v"))
			at := t0.Add(time.Duration(i) * time.Millisecond)
			mustPut(rt, s, cpu, at, v)
			naive.Put(cpu, at, v)
		}
		stat := metrics.Percentile(float64(hundredths) / 100)
		got, _ := s.Statistic(cpu, stat, time.Minute, t0.Add(time.Minute))
		want, _ := naive.Statistic(cpu, stat, time.Minute, t0.Add(time.Minute))
		if got != want {
			rt.Fatalf("%v of %d samples: store %v, nearest rank %v", stat, n, got, want)
		}
	})
}
