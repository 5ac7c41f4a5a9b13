package capacity

import (
	"errors"
	"math"
	"math/rand/v2"
	"time"
)

// StartLatency is the model of how long a Fargate task takes from the
// launch decision (a launch token granted, task in PROVISIONING) to RUNNING:
//
//	latency = (ENI + ImageSizeMB / PullThroughputMBps + AppStart) × exp(TailSigma·Z)
//
// where ENI is uniform on [ENIAttachMin, ENIAttachMax], AppStart is uniform on
// [AppStartMin, AppStartMax], Z is a standard normal draw, and the last factor
// is a lognormal tail with median 1 that stretches slow starts (it multiplies
// the whole sum because the reports of slow starts do not say which part was
// slow). The result is rounded to the nearest millisecond before it decides
// anything.
//
// The zero value of every field means its default. The defaults come from
// published measurements of Fargate task starts:
//
//   - ENI attach uniform 8–12 s: ENI allocation for a Fargate task took
//     about 10 s in runs with busybox images padded from 1.2 MB to 1 GB
//     (https://qiita.com/kjm/items/a86c5a425c57439ecfa0), and under 10 s
//     per task at scale
//     (https://www.cloudkeeper.com/insights/blog/addressing-network-bottlenecks-while-scaling-amazon-ecs).
//   - Application start uniform 2–5 s: a practitioner's breakdown of a
//     5.2 s container cold start
//     (https://dev.to/garrett_yan/optimizing-container-cold-starts-from-5s-to-500ms-484c).
//   - Image 100 MB: a small image.
//   - Tail σ = 0.4: a right tail for the 45 s and 90 s task join times
//     users have reported
//     (https://github.com/aws-samples/amazon-chime-sdk-recording-demo/issues/44).
//   - Pull throughput 10 MB/s: fitted, the one free parameter, so that the
//     median start of the default 100 MB image is ≈ 23.5 s, inside the
//     15–35 s to RUNNING these figures add up to, and consistent with the
//     first Fargate tasks starting about 30 s after a 0 → 3,500 request
//     (https://www.vladionescu.me/posts/scaling-containers-on-aws-in-2022/,
//     which adds control-plane time); with it a 413 MB image averages
//     ≈ 59 s, close to the 57 s measured for a 413 MB PHP image without
//     SOCI (https://elasticscale.com/reduce-aws-fargate-pull-times-with-soci/).
//     A throughput of 50–100 MB/s would make that image start in ≈ 20 s
//     and contradict the measurement, so it is not used.
//
// With these defaults the model gives median ≈ 23.5 s, p95 ≈ 45 s (the
// "≈45 s" report) and p99.9 ≈ 80 s (the "≈90 s" report is the extreme
// tail). StartLatency_test.go checks these figures by sampling.
type StartLatency struct {
	// ENIAttachMin and ENIAttachMax bound the uniform ENI provisioning and
	// attach time; zero means 8 s and 12 s.
	ENIAttachMin, ENIAttachMax time.Duration
	// ImageSizeMB is the compressed image size in MB (10^6 bytes); zero
	// means 100 MB. Fargate pulls the whole image for every task.
	ImageSizeMB float64
	// PullThroughputMBps is the image pull and extraction rate in MB/s;
	// zero means 10 MB/s.
	PullThroughputMBps float64
	// AppStartMin and AppStartMax bound the uniform application start
	// time; zero means 2 s and 5 s.
	AppStartMin, AppStartMax time.Duration
	// TailSigma is σ of the lognormal tail factor (median 1); zero means
	// 0.4. Use NoTail to switch the tail off.
	TailSigma float64
	// NoTail switches the lognormal tail off (the factor is exactly 1);
	// false keeps it.
	NoTail bool
}

// Default start latency parameters; see StartLatency for their sources.
const (
	// DefaultENIAttachMin is the shortest ENI provisioning and attach time.
	DefaultENIAttachMin = 8 * time.Second
	// DefaultENIAttachMax is the longest ENI provisioning and attach time.
	DefaultENIAttachMax = 12 * time.Second
	// DefaultImageSizeMB is the image size assumed when none is given, MB.
	DefaultImageSizeMB = 100.0
	// DefaultPullThroughputMBps is the fitted image pull rate, MB/s.
	DefaultPullThroughputMBps = 10.0
	// DefaultAppStartMin is the shortest application start time.
	DefaultAppStartMin = 2 * time.Second
	// DefaultAppStartMax is the longest application start time.
	DefaultAppStartMax = 5 * time.Second
	// DefaultTailSigma is σ of the lognormal tail factor.
	DefaultTailSigma = 0.4
)

// WithDefaults returns the model with every zero field replaced by its
// default.
func (m StartLatency) WithDefaults() StartLatency {
	if m.ENIAttachMin == 0 && m.ENIAttachMax == 0 {
		m.ENIAttachMin, m.ENIAttachMax = DefaultENIAttachMin, DefaultENIAttachMax
	}
	if m.ImageSizeMB == 0 {
		m.ImageSizeMB = DefaultImageSizeMB
	}
	if m.PullThroughputMBps == 0 {
		m.PullThroughputMBps = DefaultPullThroughputMBps
	}
	if m.AppStartMin == 0 && m.AppStartMax == 0 {
		m.AppStartMin, m.AppStartMax = DefaultAppStartMin, DefaultAppStartMax
	}
	if m.TailSigma == 0 {
		m.TailSigma = DefaultTailSigma
	}
	return m
}

// Validate reports every field that breaks a rule, joined.
func (m StartLatency) Validate() error {
	var errs []error
	if m.ENIAttachMin < 0 || m.ENIAttachMax < m.ENIAttachMin {
		errs = append(errs, invalid("StartLatency.ENIAttachMin/Max", [2]time.Duration{m.ENIAttachMin, m.ENIAttachMax}, "must satisfy 0 ≤ min ≤ max"))
	}
	if m.AppStartMin < 0 || m.AppStartMax < m.AppStartMin {
		errs = append(errs, invalid("StartLatency.AppStartMin/Max", [2]time.Duration{m.AppStartMin, m.AppStartMax}, "must satisfy 0 ≤ min ≤ max"))
	}
	if m.ImageSizeMB < 0 || math.IsNaN(m.ImageSizeMB) || math.IsInf(m.ImageSizeMB, 0) {
		errs = append(errs, invalid("StartLatency.ImageSizeMB", m.ImageSizeMB, "must be a finite number ≥ 0"))
	}
	if m.PullThroughputMBps < 0 || math.IsNaN(m.PullThroughputMBps) || math.IsInf(m.PullThroughputMBps, 0) {
		errs = append(errs, invalid("StartLatency.PullThroughputMBps", m.PullThroughputMBps, "must be a finite number ≥ 0 (0 = default)"))
	}
	if m.TailSigma < 0 || m.TailSigma > 3 || math.IsNaN(m.TailSigma) {
		errs = append(errs, invalid("StartLatency.TailSigma", m.TailSigma, "must be in [0, 3]"))
	}
	return errors.Join(errs...)
}

// Sample draws one start latency using r. Zero fields take their defaults,
// so the zero StartLatency is the documented default model. It draws the
// same number of values from r whatever the parameters (three), so changing
// a parameter never shifts later draws of the same stream.
func (m StartLatency) Sample(r *rand.Rand) time.Duration {
	m = m.WithDefaults()
	eni := uniformDuration(r, m.ENIAttachMin, m.ENIAttachMax)
	app := uniformDuration(r, m.AppStartMin, m.AppStartMax)
	z := r.NormFloat64()
	pull := m.ImageSizeMB / m.PullThroughputMBps // seconds
	base := eni.Seconds() + pull + app.Seconds()
	factor := 1.0
	if !m.NoTail {
		factor = math.Exp(m.TailSigma * z)
	}
	return millis(base * factor * 1000)
}

// millis converts a number of milliseconds to a Duration rounded to the
// millisecond, saturated at the largest whole millisecond a Duration holds
// (a huge image over a tiny throughput) instead of wrapping.
func millis(ms float64) time.Duration {
	const most = math.MaxInt64 / time.Millisecond
	ms = math.Round(ms)
	switch {
	case ms >= float64(most):
		return most * time.Millisecond
	case ms > 0:
		return time.Duration(ms) * time.Millisecond
	}
	return 0
}

func uniformDuration(r *rand.Rand, lo, hi time.Duration) time.Duration {
	u := r.Float64()
	return lo + min(time.Duration(math.Round(u*float64(hi-lo))), hi-lo)
}
