package capacity

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Regression tests for the robustness issue's defect classes in this
// package, one named test per class.

const maxDuration = time.Duration(math.MaxInt64)

// TestPricesRefuseNaN: a NaN price passed a "not negative" check (NaN < 0
// is false) and made billing panic later. Every price must be finite and
// at least 0.
func TestPricesRefuseNaN(t *testing.T) {
	for _, v := range []float64{math.NaN(), math.Inf(1), -0.01} {
		p := USEast1Prices()
		p.FargateLinuxX86.PerVCPUHour = v
		p.FargateStoragePerGBHour = v
		err := p.Validate()
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "Prices.FargateLinuxX86.PerVCPUHour") ||
			!strings.Contains(err.Error(), "Prices.FargateStoragePerGBHour") {
			t.Errorf("price %v: %v", v, err)
		}
		if _, err := NewAccumulator(p); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewAccumulator with price %v: %v", v, err)
		}
		acc, _ := NewAccumulator(USEast1Prices())
		if err := acc.StartInstance("i", InstanceUsage{CPU: 1024, MemoryMiB: 1024, OnDemandPerHour: v}, 0); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("instance priced %v: %v", v, err)
		}
	}
}

// TestBilledSecondsDoesNotWrap: BilledSeconds rounded up by adding a
// second to d, which wraps for a run within a second of the largest
// Duration and billed it as 60 s.
func TestBilledSecondsDoesNotWrap(t *testing.T) {
	for d, want := range map[time.Duration]int64{
		maxDuration:            int64(maxDuration/time.Second) + 1, // 9223372036.854775807 s
		maxDuration - 1:        int64(maxDuration/time.Second) + 1,
		time.Duration(0):       0,
		-time.Second:           0,
		time.Second:            60,
		59*time.Second + 999e6: 60,
		90*time.Second + 400e6: 91,
		120 * time.Second:      120,
		120*time.Second + 1:    121,
	} {
		if got := BilledSeconds(d); got != want {
			t.Errorf("BilledSeconds(%v) = %d, want %d", d, got, want)
		}
	}
}

// TestLatenciesSaturate: a huge image over a tiny throughput, or launch
// terms near the largest Duration, used to overflow the millisecond
// conversion and return negative latencies.
func TestLatenciesSaturate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, m := range []StartLatency{
		{ImageSizeMB: 1e300, PullThroughputMBps: 1e-300},
		{ImageSizeMB: math.MaxFloat64},
		{ENIAttachMin: maxDuration / 2, ENIAttachMax: maxDuration, AppStartMin: maxDuration / 2, AppStartMax: maxDuration},
	} {
		if err := m.Validate(); err != nil {
			t.Fatalf("%+v: %v", m, err)
		}
		for range 100 {
			if d := m.Sample(r); d <= 0 {
				t.Fatalf("%+v drew %v", m, d)
			}
		}
	}
	half := maxDuration / 2
	il := InstanceLaunch{API: half, PendingMin: half, PendingMax: maxDuration, BootMin: half, BootMax: half, AgentMin: 1, AgentMax: 1}
	if err := il.Validate(); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		if d := il.Sample(r); d <= 0 || d%time.Millisecond != 0 {
			t.Fatalf("%+v drew %v", il, d)
		}
	}
}

// TestInstantsSaturate: adding a length to an instant near the end of a
// Duration used to wrap into the past; every instant this package returns
// is now at or after the instant it was given.
func TestInstantsSaturate(t *testing.T) {
	late := maxDuration - time.Second
	if s := NewEC2SpotInterruption(late); s.Terminated < late {
		t.Errorf("EC2 Spot terminated at %v, before its warning", s.Terminated)
	}
	if s := NewFargateSpotInterruption(late, 0); s.SIGKILL < late || s.Deadline < late {
		t.Errorf("Fargate Spot %+v runs before its warning", s)
	}
	b, _ := NewLaunchBucket(LaunchBucketConfig{Burst: 1, RefillPerSecond: 1})
	if _, next := b.Take(late, 5); next < late {
		t.Errorf("Take(%v) next = %v", late, next)
	}
	ms, err := NewManagedScaling(ManagedScalingConfig{}, AutoScalingGroup{MaxSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	d := ms.Evaluate(late, ScalingInput{Pending: []TaskRequirement{{CPU: 1024, MemoryMiB: 1024}},
		InstanceTypes: []InstanceType{{CPU: 2048, MemoryMiB: 4096, ENIs: 3}}, Instances: 1, NewestLaunch: late})
	if d.Next < late {
		t.Errorf("Evaluate(%v).Next = %v", late, d.Next)
	}
}

// TestEnumText: OperatingSystem and Architecture read and write the task
// definition API's spellings and refuse others, naming the valid ones.
func TestEnumText(t *testing.T) {
	for _, tc := range []struct {
		v    interface{ MarshalText() ([]byte, error) }
		text string
	}{{Linux, "LINUX"}, {Windows, "WINDOWS"}, {X86_64, "X86_64"}, {ARM64, "ARM64"}} {
		got, err := tc.v.MarshalText()
		if err != nil || string(got) != tc.text {
			t.Errorf("%v: %q, %v", tc.v, got, err)
		}
	}
	for text, want := range map[string]OperatingSystem{"LINUX": Linux, "WINDOWS": Windows,
		"WINDOWS_SERVER_2019_FULL": Windows, "WINDOWS_SERVER_2022_CORE": Windows} {
		var o OperatingSystem
		if err := o.UnmarshalText([]byte(text)); err != nil || o != want {
			t.Errorf("%q: %v, %v", text, o, err)
		}
	}
	for text, want := range map[string]Architecture{"X86_64": X86_64, "ARM64": ARM64} {
		var a Architecture
		if err := a.UnmarshalText([]byte(text)); err != nil || a != want {
			t.Errorf("%q: %v, %v", text, a, err)
		}
	}
	var o OperatingSystem
	if err := o.UnmarshalText([]byte("linux")); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "LINUX") {
		t.Errorf("linux: %v", err)
	}
	if err := o.UnmarshalText([]byte("WINDOWS_SERVER_")); err == nil {
		t.Error("WINDOWS_SERVER_ alone read")
	}
	var a Architecture
	if err := a.UnmarshalText([]byte("arm64")); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), `Architecture "arm64": must be one of X86_64, ARM64`) {
		t.Errorf("arm64: %v", err)
	}
	if _, err := Architecture(7).MarshalText(); err == nil {
		t.Error("Architecture(7) marshalled")
	}
	if _, err := OperatingSystem(7).MarshalText(); err == nil {
		t.Error("OperatingSystem(7) marshalled")
	}
}
