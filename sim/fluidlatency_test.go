package sim

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim/traffic"
)

// TestFluidServedMatchesOneQuantileAtATime holds fluidServed and
// foldLatency, which book a fluid step's latency quantiles in two halves
// (the minute's statistics, the period's sum and the histograms' totals at
// once, the histograms' buckets later), to the plain loop they replace:
// served called once per quantile.
// Every accumulator must come out bit for bit the same, with and without a
// client timeout capping the quantiles, across more steps than wait
// between two folds, and with the run's histogram read in the middle.
func TestFluidServedMatchesOneQuantileAtATime(t *testing.T) {
	for _, timeout := range []time.Duration{0, 2 * time.Second} {
		cfg := WorkloadConfig{Server: traffic.ServerConfig{Timeout: timeout}}
		fresh := func() *Workload {
			return &Workload{cfg: cfg, server: cfg.Server, minute: minuteAcc{latMin: math.Inf(1)}}
		}
		got, want := fresh(), fresh()
		r := rand.New(rand.NewPCG(1, 2))
		// The steps alternate between shapes, as a workload's do when its
		// load moves: the exponential and processor sharing's at two loads.
		ps := traffic.ServerConfig{Discipline: traffic.ProcessorSharing}
		shapes := []*traffic.LatencyShape{traffic.ExponentialShape,
			traffic.FluidShape(ps, 4, traffic.FluidResult{MeanWait: 0.3, MeanLatency: 1}),
			traffic.FluidShape(ps, 4, traffic.FluidResult{MeanWait: 0.9, MeanLatency: 1})}
		for step := range 3 * maxFluidLatencies {
			latency := math.Exp(r.NormFloat64() - 1) // about 0.05 to 3 s
			wt := float64(r.IntN(5000)) / fluidQuantiles
			shape := shapes[r.IntN(len(shapes))]
			got.fluidServed(latency, shape, wt)
			tmax := timeout.Seconds()
			for _, x := range shape.Points {
				v := latency * x
				if tmax > 0 {
					v = min(v, tmax)
				}
				want.served(v, wt)
			}
			if got.minute != want.minute {
				t.Fatalf("timeout %v, step %d: minute %+v, one at a time %+v", timeout, step, got.minute, want.minute)
			}
			if step == 100 && got.Latency(0.99) != want.Latency(0.99) {
				t.Fatalf("timeout %v, step %d: p99 so far %v, one at a time %v", timeout, step, got.Latency(0.99), want.Latency(0.99))
			}
			if step%60 == 59 { // an hour of one-minute steps
				got.foldLatency()
				same := got.period.latSum == want.period.latSum &&
					got.period.hist.total == want.period.hist.total && slices.Equal(got.period.hist.counts, want.period.hist.counts)
				if !same {
					t.Fatalf("timeout %v, step %d: the period's sums or histogram differ from one at a time", timeout, step)
				}
				for i, c := range got.period.hist.counts {
					if c != 0 && (i < got.period.hist.from || i >= got.period.hist.to) {
						t.Fatalf("timeout %v, step %d: bucket %d holds %v outside the folded range [%d, %d)", timeout, step, i, c, got.period.hist.from, got.period.hist.to)
					}
				}
			}
		}
		got.foldLatency()
		if got.whole.total != want.whole.total || !slices.Equal(got.whole.counts, want.whole.counts) {
			t.Errorf("timeout %v: the run's histogram differs from one at a time", timeout)
		}
	}
}
