package capacity

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// launchAll asks the bucket for n tasks at start and again at every next it
// returns, and records the instant of each grant.
func launchAll(t *testing.T, b *LaunchBucket, start time.Duration, n int) []time.Duration {
	t.Helper()
	var at []time.Duration
	now := start
	for len(at) < n {
		granted, next := b.Take(now, n-len(at))
		for range granted {
			at = append(at, now)
		}
		if len(at) < n && next <= now {
			t.Fatalf("at %v: granted %d with %d waiting, but next %v is not later", now, granted, n-len(at), next)
		}
		now = next
	}
	return at
}

// TestWorkedExampleN_150TasksAtZero: a full bucket (100 tokens, 20/s) and 150
// Fargate tasks requested at t = 0 → 100 launch at t = 0, the remaining 50
// over the next 2.5 s.
func TestWorkedExampleN_150TasksAtZero(t *testing.T) {
	b, err := NewLaunchBucket(LaunchBucketConfig{})
	if err != nil {
		t.Fatal(err)
	}
	at := launchAll(t, b, 0, 150)
	for i := range 100 {
		if at[i] != 0 {
			t.Fatalf("task %d launched at %v, want 0", i, at[i])
		}
	}
	// The k-th task beyond the burst waits for the k-th refilled token:
	// k × 50 ms.
	for k := 1; k <= 50; k++ {
		if want := time.Duration(k) * 50 * time.Millisecond; at[99+k] != want {
			t.Fatalf("task %d launched at %v, want %v", 99+k, at[99+k], want)
		}
	}
	if at[149] != 2500*time.Millisecond {
		t.Errorf("last task at %v, want 2.5s", at[149])
	}
}

// TestWorkedExampleN_RunTaskCalls: 10 RunTask calls × 10 tasks, or 20 calls ×
// 5 tasks, within one second from a full bucket → 100 tasks launch.
func TestWorkedExampleN_RunTaskCalls(t *testing.T) {
	for _, shape := range [][2]int{{10, 10}, {20, 5}} {
		b, _ := NewLaunchBucket(LaunchBucketConfig{})
		total := 0
		// All calls at t = 0: the burst alone serves them.
		for range shape[0] {
			g, _ := b.Take(0, shape[1])
			total += g
		}
		if total != 100 {
			t.Errorf("%d calls × %d tasks: %d launched, want 100", shape[0], shape[1], total)
		}
	}
}

func TestLaunchBucketRefillIsExactAndCapped(t *testing.T) {
	b, _ := NewLaunchBucket(LaunchBucketConfig{Burst: 5, RefillPerSecond: 3})
	if g, next := b.Take(0, 5); g != 5 || next != time.Second/3+1 {
		// One token takes 1/3 s = 333,333,333.3 ns: the ceiling is
		// 333,333,334 ns.
		t.Errorf("Take(0,5) = %d, %v; want 5, 333.333334ms", g, next)
	}
	if got := b.Available(time.Second); got != 3 {
		t.Errorf("after 1 s: %d tokens, want 3", got)
	}
	if got := b.Available(time.Hour); got != 5 {
		t.Errorf("after an hour: %d tokens, want the burst 5", got)
	}
	if g, next := b.Take(time.Hour, 2); g != 2 || next != time.Hour {
		t.Errorf("Take(1h, 2) = %d, %v; want 2 and now (tokens remain)", g, next)
	}
	// Time never runs backwards: an earlier now is the last one.
	if g, _ := b.Take(time.Minute, 10); g != 3 {
		t.Errorf("Take at an earlier now granted %d, want the 3 left", g)
	}
}

func TestLaunchBucketValidate(t *testing.T) {
	_, err := NewLaunchBucket(LaunchBucketConfig{Burst: -1, RefillPerSecond: -2})
	if !errors.Is(err, ErrInvalidConfig) || !containsLine(err, "Burst -1:") || !containsLine(err, "RefillPerSecond -2:") {
		t.Errorf("error %v, want both fields named", err)
	}
}

// TestLaunchBucketNeverExceedsTheRate: whatever the requests, launches in
// [0, t] never exceed burst + rate × t, and a bucket asked continuously
// grants exactly that many (floored).
func TestLaunchBucketNeverExceedsTheRate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		burst := rapid.IntRange(1, 200).Draw(t, "burst")
		rate := rapid.IntRange(1, 50).Draw(t, "rate")
		b, _ := NewLaunchBucket(LaunchBucketConfig{Burst: burst, RefillPerSecond: rate})
		now := time.Duration(0)
		total := 0
		for range rapid.IntRange(1, 50).Draw(t, "steps") {
			now += time.Duration(rapid.Int64Range(0, int64(3*time.Second)).Draw(t, "gap"))
			g, next := b.Take(now, rapid.IntRange(0, 300).Draw(t, "ask"))
			total += g
			if next < now {
				t.Fatalf("next %v before now %v", next, now)
			}
			limit := burst + int(int64(rate)*int64(now)/int64(time.Second))
			if total > limit {
				t.Fatalf("%d launched by %v, limit %d", total, now, limit)
			}
		}
	})
}

func TestVCPUQuota(t *testing.T) {
	q, err := NewVCPUQuota(4)
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	for _, cpu := range []int{2048, 1024, 2048, 1024, 256} {
		got = append(got, q.TryReserve(cpu))
	}
	// 2 + 1 = 3 vCPU fit, 2 more would be 5 > 4, 1 more makes exactly 4,
	// then nothing fits.
	if diff := cmp.Diff([]bool{true, true, false, true, false}, got); diff != "" {
		t.Errorf("reservations (-want +got):\n%s", diff)
	}
	q.Release(2048)
	if !q.TryReserve(2048) || q.UsedUnits() != 4096 {
		t.Errorf("after release: used %d, want 4096", q.UsedUnits())
	}
	unlimited, _ := NewVCPUQuota(0)
	if !unlimited.TryReserve(1 << 30) {
		t.Error("zero quota must mean unlimited")
	}
	if _, err := NewVCPUQuota(-1); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("negative quota: %v", err)
	}
}
