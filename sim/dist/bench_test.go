package dist

import (
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkSample draws with the shared Dist and with the formulas it
// replaced (impl=old: traffic's Work methods and sim.Dist.Sample of
// 6aac1ab, copied in dist_test.go), in one process, so the ratio holds on
// a loaded machine. Run with -count and compare impl=old and impl=dist of
// each family.
func BenchmarkSample(b *testing.B) {
	mean := 100 * time.Millisecond
	for _, tc := range []struct {
		name string
		d    Dist
		old  func(r *rand.Rand) time.Duration
	}{
		{"exponential", Exponential(mean), func(r *rand.Rand) time.Duration { return oldTrafficExponential(mean, r) }},
		{"lognormal-mean", LogNormalMean(mean, 4), func(r *rand.Rand) time.Duration { return oldTrafficLognormal(mean, 4, r) }},
		{"hyperexponential", HyperExponential(mean, 4), func(r *rand.Rand) time.Duration { return oldTrafficHyper(mean, 4, r) }},
		{"lognormal-median", LogNormal(20*time.Second, 0.4), func(r *rand.Rand) time.Duration {
			return oldSimSample(KindLogNormal, 20*time.Second, 0, 0.4, r)
		}},
		{"uniform", Uniform(30*time.Second, 60*time.Second), func(r *rand.Rand) time.Duration {
			return oldSimSample(KindUniform, 30*time.Second, 60*time.Second, 0, r)
		}},
	} {
		b.Run(tc.name+"/impl=old", func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			var sum time.Duration
			for b.Loop() {
				sum += tc.old(r)
			}
			sink = sum
		})
		b.Run(tc.name+"/impl=dist", func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			var sum time.Duration
			for b.Loop() {
				sum += tc.d.Sample(r)
			}
			sink = sum
		})
	}
}

var sink time.Duration
