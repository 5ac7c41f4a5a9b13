package capacity

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func sampleSeconds(m StartLatency, seed uint64, n int) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	out := make([]float64, n)
	for i := range out {
		out[i] = m.Sample(r).Seconds()
	}
	slices.Sort(out)
	return out
}

func quantile(sorted []float64, q float64) float64 {
	return sorted[int(q*float64(len(sorted)-1))]
}

// TestStartLatencyDefaultsMatchPublishedFigures holds the default model to
// the published figures it was fitted to (see StartLatency).
func TestStartLatencyDefaultsMatchPublishedFigures(t *testing.T) {
	s := sampleSeconds(StartLatency{}, 1, 40000)
	median, p95, p999 := quantile(s, 0.5), quantile(s, 0.95), quantile(s, 0.999)
	// Typically 15–35 s to RUNNING; the fit puts the median at
	// ENI 10 + pull 100/10 + app 3.5 = 23.5 s.
	if median < 21.5 || median > 25.5 {
		t.Errorf("median %.1f s, want 23.5 ± 2 s (inside the typical 15–35 s)", median)
	}
	// A Fargate task join time of ≈45 s (one user's report): the 95th percentile.
	if p95 < 40 || p95 > 50 {
		t.Errorf("p95 %.1f s, want ≈45 s (40–50)", p95)
	}
	// ≈90 s (another user's): the extreme tail reaches toward it.
	if p999 < 70 || p999 > 95 {
		t.Errorf("p99.9 %.1f s, want 70–95 s", p999)
	}
	// A 413 MB image averaged 57 s (https://elasticscale.com/reduce-aws-fargate-pull-times-with-soci/).
	big := sampleSeconds(StartLatency{ImageSizeMB: 413}, 2, 40000)
	var sum float64
	for _, x := range big {
		sum += x
	}
	if mean := sum / float64(len(big)); mean < 57*0.9 || mean > 57*1.1 {
		t.Errorf("413 MB image mean %.1f s, want 57 s ± 10%%", mean)
	}
}

func TestStartLatencyWithoutTailStaysInTheUniformBounds(t *testing.T) {
	m := StartLatency{NoTail: true}
	s := sampleSeconds(m, 3, 5000)
	// ENI 8–12 s + pull 10 s + app 2–5 s.
	if s[0] < 20 || s[len(s)-1] > 27 {
		t.Errorf("range [%.3f, %.3f] s, want within [20, 27]", s[0], s[len(s)-1])
	}
	// Overrides: a 1 GB image at 50 MB/s, ENI exactly 5 s, app exactly 1 s.
	m = StartLatency{NoTail: true, ImageSizeMB: 1000, PullThroughputMBps: 50,
		ENIAttachMin: 5 * time.Second, ENIAttachMax: 5 * time.Second, AppStartMin: time.Second, AppStartMax: time.Second}
	r := rand.New(rand.NewPCG(4, 4))
	if got, want := m.Sample(r), 26*time.Second; got != want {
		t.Errorf("overridden sample = %v, want %v (5 + 1000/50 + 1)", got, want)
	}
}

func TestStartLatencyDrawsTheSameNumberOfValues(t *testing.T) {
	a := rand.New(rand.NewPCG(9, 9))
	b := rand.New(rand.NewPCG(9, 9))
	StartLatency{}.Sample(a)
	StartLatency{NoTail: true, ImageSizeMB: 5000}.Sample(b)
	if x, y := a.Uint64(), b.Uint64(); x != y {
		t.Errorf("streams diverged after one sample with different parameters: %d vs %d", x, y)
	}
}

func TestStartLatencyValidate(t *testing.T) {
	err := StartLatency{ENIAttachMin: 3 * time.Second, ENIAttachMax: time.Second, ImageSizeMB: -1, TailSigma: 5}.Validate()
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("error %v does not match ErrInvalidConfig", err)
	}
	for _, w := range []string{"ENIAttachMin/Max", "ImageSizeMB -1:", "TailSigma 5:"} {
		if !containsLine(err, w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	if err := (StartLatency{}).Validate(); err != nil {
		t.Errorf("zero model: %v", err)
	}
}
