package metrics_test

import (
	"errors"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/metrics"
)

// TestRetiredSamplesMatchNaive holds raw retention to the naive reference
// when samples retire all the time: a short raw retention and no rollups,
// samples mostly in order with late ones mixed in, and after every put a
// query of a random window near the newest sample and the count of samples
// held. A put leaves the samples it retires in the ring until their room
// is needed; none of them may show. The reference keeps every sample at or
// after (newest − retention) and answers a window only if it starts there
// or later, as the store documents.
func TestRetiredSamplesMatchNaive(t *testing.T) {
	stats := []metrics.Statistic{metrics.Average, metrics.Sum, metrics.Minimum, metrics.Maximum, metrics.SampleCount, metrics.Percentile(90)}
	periods := []time.Duration{5 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute}
	rapid.Check(t, func(rt *rapid.T) {
		keep := time.Duration(rapid.IntRange(1, 10).Draw(rt, "retention minutes")) * time.Minute
		s := newStore(rt, metrics.Config{RawRetention: keep, Rollups: []metrics.Rollup{}})
		naive := newNaiveStore()
		latest := time.Time{}
		held := 0
		sec := 0
		for i, n := 0, rapid.IntRange(1, 300).Draw(rt, "n"); i < n; i++ {
			sec += rapid.IntRange(0, 40).Draw(rt, "step")
			at := t0.Add(time.Duration(sec-rapid.IntRange(0, 60).Draw(rt, "lateness")) * time.Second)
			v := float64(rapid.IntRange(-100, 100).Draw(rt, "v"))
			err := s.Put(cpu, at, v)
			if at.After(latest) {
				latest = at
			}
			complete := latest.Add(-keep)
			if at.Before(complete) {
				if !errors.Is(err, metrics.ErrExpired) {
					rt.Fatalf("put at %v, older than the retention reaches (%v): %v, want ErrExpired", at.Sub(t0), complete.Sub(t0), err)
				}
			} else {
				if err != nil {
					rt.Fatal(err)
				}
				naive.Put(cpu, at, v)
			}
			stat := stats[rapid.IntRange(0, len(stats)-1).Draw(rt, "stat")]
			period := periods[rapid.IntRange(0, len(periods)-1).Draw(rt, "period")]
			end := latest.Add(time.Duration(rapid.IntRange(-600, 60).Draw(rt, "end")) * time.Second)
			got, gotOK := s.Statistic(cpu, stat, period, end)
			want, wantOK := 0.0, false
			if !end.Add(-period).Before(complete) {
				want, wantOK = naive.Statistic(cpu, stat, period, end)
			}
			if got != want || gotOK != wantOK {
				rt.Fatalf("%v over %v ending %v (retention reaches %v): store %v,%v naive %v,%v",
					stat, period, end.Sub(t0), complete.Sub(t0), got, gotOK, want, wantOK)
			}
			held = 0
			for _, x := range naive.series[naiveKey(cpu)] {
				if x.t >= complete.UnixNano() {
					held++
				}
			}
			if u := s.Usage(); u.RawPoints != held {
				rt.Fatalf("after %d puts: Usage counts %d raw points, %d are within the retention", i+1, u.RawPoints, held)
			}
		}
	})
}
