package capacity

import (
	"math/rand/v2"
	"testing"
	"time"
)

var (
	sinkInts     []int
	sinkDuration time.Duration
	sinkInt      int
)

var benchStrategy = Strategy{
	{Provider: "od", Base: 10, Weight: 1}, {Provider: "spot-a", Weight: 3}, {Provider: "spot-b", Weight: 3},
	{Provider: "spot-c", Weight: 2}, {Provider: "spot-d", Weight: 1}, {Provider: "spot-e", Weight: 5},
}

// BenchmarkDistribute places 1,000 tasks over six providers with the
// integer rule; BenchmarkDistributeNaive is the exact-rational reference.
func BenchmarkDistribute(b *testing.B) {
	b.ReportAllocs()
	running := make([]int, len(benchStrategy))
	sinkInts = Distribute(benchStrategy, running, 1000)
	b.ResetTimer()
	for b.Loop() {
		sinkInts = Distribute(benchStrategy, running, 1000)
	}
}

func BenchmarkDistributeNaive(b *testing.B) {
	b.ReportAllocs()
	running := make([]int, len(benchStrategy))
	sinkInts = naiveDistribute(benchStrategy, running, 1000)
	b.ResetTimer()
	for b.Loop() {
		sinkInts = naiveDistribute(benchStrategy, running, 1000)
	}
}

// BenchmarkLaunchBucketTake asks for one launch at a time every 10 ms of
// virtual time; BenchmarkLaunchBucketNaive is a float bucket refilled the
// textbook way, for comparison.
func BenchmarkLaunchBucketTake(b *testing.B) {
	b.ReportAllocs()
	bucket, _ := NewLaunchBucket(LaunchBucketConfig{})
	now := time.Duration(0)
	for b.Loop() {
		now += 10 * time.Millisecond
		g, next := bucket.Take(now, 1)
		sinkInt += g
		sinkDuration = next
	}
}

type floatBucket struct {
	tokens, burst, rate float64
	last                time.Duration
}

func (f *floatBucket) take(now time.Duration, n int) int {
	f.tokens = min(f.burst, f.tokens+(now-f.last).Seconds()*f.rate)
	f.last = now
	g := min(n, int(f.tokens))
	f.tokens -= float64(g)
	return g
}

func BenchmarkLaunchBucketNaive(b *testing.B) {
	b.ReportAllocs()
	bucket := &floatBucket{tokens: 100, burst: 100, rate: 20}
	now := time.Duration(0)
	for b.Loop() {
		now += 10 * time.Millisecond
		sinkInt += bucket.take(now, 1)
	}
}

// BenchmarkStartLatencySample draws one Fargate start latency.
func BenchmarkStartLatencySample(b *testing.B) {
	b.ReportAllocs()
	r := rand.New(rand.NewPCG(1, 2))
	m := StartLatency{}
	for b.Loop() {
		sinkDuration = m.Sample(r)
	}
}
