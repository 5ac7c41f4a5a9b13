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
// the measurements collected in shared/reference/oracles.md §4.1 and the
// synthesis of §4.3:
//
//   - ENI attach uniform 8–12 s: row "ENI allocation for a Fargate task ≈10 s"
//     (qiita, busybox padded 1.2 MB–1,024 MB) and row "ENI attachment per task
//     observed at scale < 10 s" (cloudkeeper); §4.3 "placement+ENI 8–12 s".
//   - Application start uniform 2–5 s: §4.3 "app start default 2–5 s", from
//     the practitioner row "container-level cold start 5.2 s".
//   - Image 100 MB: §4.3 "small image (≤ 100 MB)".
//   - Tail σ = 0.4: §4.3 "a right tail (lognormal, σ≈0.4) for the 45–90 s
//     reports" (row "Fargate task join time ≈45 s, ≈90 s").
//   - Pull throughput 10 MB/s: fitted, the one free parameter, so that the
//     median start of the default 100 MB image is ≈ 23.5 s, inside §4.3's
//     "typical 15–35 s to RUNNING" and consistent with the "first Fargate
//     tasks ≈30 s after a 0→3,500 request" row (which adds control-plane
//     time); with it a 413 MB image averages ≈ 59 s, close to the 57 s
//     measured for a 413 MB PHP image without SOCI (aws-behaviour.md §2.4,
//     elasticscale). §4.3 suggests 50–100 MB/s, which would make a 413 MB
//     image start in ≈ 20 s and contradict that measurement, so it is not
//     used.
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
	ms := math.Round(base * factor * 1000)
	return time.Duration(ms) * time.Millisecond
}

func uniformDuration(r *rand.Rand, lo, hi time.Duration) time.Duration {
	u := r.Float64()
	return lo + time.Duration(math.Round(u*float64(hi-lo)))
}
