package sim

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/sim/traffic"
)

// TestWindowBoundIsABound: the cached aligned-window maximum is never below
// the source's own maximum over the asked interval (so thinning stays
// exact), and equals it over a whole aligned minute.
func TestWindowBoundIsABound(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 20).Draw(rt, "points")
		pts := make([]traffic.Point, n)
		at := time.Duration(0)
		for i := range pts {
			at += time.Duration(rapid.IntRange(1, 600).Draw(rt, "gapSeconds")) * time.Second
			pts[i] = traffic.Point{At: at, PerSecond: rapid.Float64Range(0, 1000).Draw(rt, "rate")}
		}
		src, err := traffic.NewPiecewiseLinear(pts...)
		if err != nil {
			rt.Fatal(err)
		}
		b := &windowBound{Source: src, k: [2]time.Duration{-1, -1}}
		for range 50 {
			from := time.Duration(rapid.Int64Range(0, int64(at+time.Hour)).Draw(rt, "from"))
			to := from + time.Duration(rapid.Int64Range(1, int64(2*time.Minute)).Draw(rt, "length"))
			if got, want := b.MaxRate(from, to), src.MaxRate(from, to); got < want {
				rt.Fatalf("MaxRate(%v, %v) = %v, below the source's %v", from, to, got, want)
			}
			k := from / time.Minute
			if got, want := b.MaxRate(k*time.Minute, (k+1)*time.Minute), src.MaxRate(k*time.Minute, (k+1)*time.Minute); got != want {
				rt.Fatalf("aligned minute %d: %v, source %v", k, got, want)
			}
		}
	})
}
