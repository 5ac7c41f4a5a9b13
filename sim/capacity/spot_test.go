package capacity

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestWorkedExampleL_FargateSpot: interruption at t → SIGTERM at t, task
// forced down by t + 120 s at the latest; with stopTimeout 30 s SIGKILL at
// t + 30 s.
func TestWorkedExampleL_FargateSpot(t *testing.T) {
	at := 7 * time.Minute
	tests := []struct {
		name        string
		stopTimeout time.Duration
		want        FargateSpotInterruption
	}{
		{"stopTimeout 30 s", 30 * time.Second, FargateSpotInterruption{Warning: at, SIGKILL: at + 30*time.Second, Deadline: at + 120*time.Second}},
		{"default stopTimeout is 30 s", 0, FargateSpotInterruption{Warning: at, SIGKILL: at + 30*time.Second, Deadline: at + 120*time.Second}},
		{"stopTimeout 120 s kills at the deadline", 120 * time.Second, FargateSpotInterruption{Warning: at, SIGKILL: at + 120*time.Second, Deadline: at + 120*time.Second}},
		{"above 120 s is capped", 10 * time.Minute, FargateSpotInterruption{Warning: at, SIGKILL: at + 120*time.Second, Deadline: at + 120*time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.want.StopCode, tt.want.StoppedReason = "TerminationNotice", "Your Spot Task was interrupted."
			if diff := cmp.Diff(tt.want, NewFargateSpotInterruption(at, tt.stopTimeout)); diff != "" {
				t.Errorf("timeline (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEC2SpotTwoMinuteWarning(t *testing.T) {
	got := NewEC2SpotInterruption(time.Hour)
	if diff := cmp.Diff(EC2SpotInterruption{Warning: time.Hour, Terminated: time.Hour + 2*time.Minute}, got); diff != "" {
		t.Errorf("timeline (-want +got):\n%s", diff)
	}
}

// TestInterruptionRateIsExponential: with rate λ per hour the gaps have mean
// 1/λ hours and P(gap > 1/λ) = e^-1 (theory of the exponential law).
func TestInterruptionRateIsExponential(t *testing.T) {
	p := InterruptionProcess{RatePerHour: 0.5}
	r := rand.New(rand.NewPCG(11, 12))
	const n = 50000
	var sum float64
	longer := 0
	for range n {
		w, ok := p.NextWarning(r, time.Hour)
		if !ok || w <= time.Hour {
			t.Fatalf("warning %v, %v: want one after now", w, ok)
		}
		gap := (w - time.Hour).Hours()
		sum += gap
		if gap > 2 {
			longer++
		}
	}
	if mean := sum / n; math.Abs(mean-2) > 0.05 {
		t.Errorf("mean gap %.3f h, want 2 h", mean)
	}
	if frac := float64(longer) / n; math.Abs(frac-math.Exp(-1)) > 0.01 {
		t.Errorf("P(gap > mean) = %.4f, want e^-1 = %.4f", frac, math.Exp(-1))
	}
	if _, ok := (InterruptionProcess{}).NextWarning(r, 0); ok {
		t.Error("zero rate must never interrupt")
	}
}

func TestInterruptionSchedule(t *testing.T) {
	p := InterruptionProcess{Schedule: []time.Duration{time.Minute, time.Minute, 5 * time.Minute}}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	var got []time.Duration
	for _, now := range []time.Duration{0, time.Minute, 4 * time.Minute, 5 * time.Minute} {
		w, ok := p.NextWarning(nil, now)
		if !ok {
			w = -1
		}
		got = append(got, w)
	}
	if diff := cmp.Diff([]time.Duration{time.Minute, 5 * time.Minute, 5 * time.Minute, -1}, got); diff != "" {
		t.Errorf("next warnings (-want +got):\n%s", diff)
	}
	err := InterruptionProcess{RatePerHour: -1, Schedule: []time.Duration{2, 1}}.Validate()
	if !errors.Is(err, ErrInvalidConfig) || !containsLine(err, "RatePerHour -1:") || !containsLine(err, "ascending") {
		t.Errorf("validate: %v", err)
	}
}
