package capacity

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

func mustScaling(t *testing.T, cfg ManagedScalingConfig, g AutoScalingGroup) *ManagedScaling {
	t.Helper()
	c, err := NewManagedScaling(cfg, g)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestWorkedExampleH_ReservationSpecialCases(t *testing.T) {
	tests := []struct {
		name string
		m, n int
		want float64
	}{
		{"M=0 N=0 → 100 (no action)", 0, 0, 100},
		{"M>0 N=0 → 200 (scale out)", 3, 0, 200},
		{"M=2 N=3 → 66.7", 2, 3, 200.0 / 3},
		{"M=5 N=4 → 125", 5, 4, 125},
		{"every instance busy, nothing waiting → 100", 7, 7, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CapacityProviderReservation(tt.m, tt.n); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("CPR(%d, %d) = %v, want %v", tt.m, tt.n, got, tt.want)
			}
		})
	}
}

// longAgo is an evaluation time well past any warm-up of instances launched
// at zero.
const longAgo = 10 * time.Hour

func TestWorkedExampleH_TargetTracking(t *testing.T) {
	t.Run("M=2 N=3 target 100 → N to 2 after 15 datapoints", func(t *testing.T) {
		c := mustScaling(t, ManagedScalingConfig{}, AutoScalingGroup{MinSize: 0, MaxSize: 10, DesiredCapacity: 3})
		in := ScalingInput{Instances: 3, NonEmptyInstances: 2}
		for i := 1; i <= 15; i++ {
			d := c.Evaluate(longAgo+time.Duration(i)*time.Minute, in)
			want := 3
			if i == 15 {
				want = 2
			}
			if d.Desired != want {
				t.Fatalf("datapoint %d: desired %d, want %d (%s)", i, d.Desired, want, d.Reason)
			}
		}
	})
	t.Run("M=2 N=3 target 50 → N to 4", func(t *testing.T) {
		c := mustScaling(t, ManagedScalingConfig{TargetCapacity: 50}, AutoScalingGroup{MaxSize: 10, DesiredCapacity: 3})
		d := c.Evaluate(longAgo, ScalingInput{Instances: 3, NonEmptyInstances: 2})
		if d.Desired != 4 || d.M != 2 {
			t.Errorf("desired %d, M %d; want 4 and 2 (%s)", d.Desired, d.M, d.Reason)
		}
	})
	t.Run("M=5 N=4 target 100 → N to 5", func(t *testing.T) {
		c := mustScaling(t, ManagedScalingConfig{}, AutoScalingGroup{MaxSize: 10, DesiredCapacity: 4})
		// Four full instances and one waiting task that needs a fifth.
		in := ScalingInput{Instances: 4, NonEmptyInstances: 4,
			Pending:       []TaskRequirement{{CPU: 1024, MemoryMiB: 1024}},
			InstanceTypes: []InstanceType{{Name: "c6i.large", CPU: 2048, MemoryMiB: 3840}}}
		d := c.Evaluate(longAgo, in)
		if d.Desired != 5 || d.M != 5 || d.Reservation != 125 {
			t.Errorf("desired %d, M %d, CPR %v; want 5, 5, 125 (%s)", d.Desired, d.M, d.Reservation, d.Reason)
		}
	})
	t.Run("2 empty of 10 → CPR 80 by M/N, not the guide's 98", func(t *testing.T) {
		// The 2023 guide's "100 minus empty instances" contradicts M/N × 100;
		// the reference says prefer M/N.
		c := mustScaling(t, ManagedScalingConfig{}, AutoScalingGroup{MaxSize: 10, DesiredCapacity: 10})
		if d := c.Evaluate(longAgo, ScalingInput{Instances: 10, NonEmptyInstances: 8}); d.Reservation != 80 {
			t.Errorf("CPR %v, want 80", d.Reservation)
		}
	})
}

func TestWorkedExampleH_StepClamp(t *testing.T) {
	tests := []struct {
		name string
		cfg  ManagedScalingConfig
		need int
		want int
	}{
		{"need 3, min step 5 → 5", ManagedScalingConfig{MinimumScalingStepSize: 5}, 3, 5},
		{"need 30, max step 10 → 10", ManagedScalingConfig{MaximumScalingStepSize: 10}, 30, 10},
		{"need 7, min 1 max 10000 → 7", ManagedScalingConfig{}, 7, 7},
		{"multi-type or multi-AZ → exactly the min step", ManagedScalingConfig{MinimumScalingStepSize: 2, MultipleInstanceTypesOrAZs: true}, 7, 2},
		{"multi-AZ ignores the max step too", ManagedScalingConfig{MinimumScalingStepSize: 3, MaximumScalingStepSize: 3, MultipleInstanceTypesOrAZs: true}, 1, 3},
		{"nothing fits → no step", ManagedScalingConfig{MinimumScalingStepSize: 5}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.ScaleOutStep(tt.need); got != tt.want {
				t.Errorf("ScaleOutStep(%d) = %d, want %d", tt.need, got, tt.want)
			}
		})
	}
}

func TestWorkedExampleH_ScaleInWaits15Datapoints(t *testing.T) {
	c := mustScaling(t, ManagedScalingConfig{}, AutoScalingGroup{MaxSize: 20, DesiredCapacity: 10})
	low := ScalingInput{Instances: 10, NonEmptyInstances: 2}
	high := ScalingInput{Instances: 10, NonEmptyInstances: 10, Pending: []TaskRequirement{{CPU: 4096}},
		InstanceTypes: []InstanceType{{CPU: 4096, MemoryMiB: 8192}}}
	now := longAgo
	step := func(in ScalingInput) ScalingDecision { now += time.Minute; return c.Evaluate(now, in) }
	for i := 1; i <= 14; i++ {
		if d := step(low); d.Desired != 10 {
			t.Fatalf("low datapoint %d: desired %d, want 10", i, d.Desired)
		}
	}
	// A scale-out request aborts the scale-in count.
	if d := step(high); d.Desired != 11 {
		t.Fatalf("high datapoint: desired %d, want 11 (%s)", d.Desired, d.Reason)
	}
	low.Instances, low.NonEmptyInstances = 11, 2
	for i := 1; i <= 14; i++ {
		if d := step(low); d.Desired != 11 {
			t.Fatalf("low datapoint %d after the abort: desired %d, want 11 (%s)", i, d.Desired, d.Reason)
		}
	}
	// 15th consecutive low datapoint: scale-in starts, at most 50% a minute:
	// 11 → max(2, 11 − 5) = 6, then 6 → max(2, 6 − 3) = 3, then 3 → 2.
	var got []int
	for range 4 {
		d := step(low)
		got = append(got, d.Desired)
		low.Instances = d.Desired
	}
	if diff := cmp.Diff([]int{6, 3, 2, 2}, got); diff != "" {
		t.Errorf("scale-in desired per minute (-want +got):\n%s", diff)
	}
}

func TestManagedScalingWarmupHoldsTheNextScaleOut(t *testing.T) {
	c := mustScaling(t, ManagedScalingConfig{MaximumScalingStepSize: 1}, AutoScalingGroup{MaxSize: 10, DesiredCapacity: 1})
	types := []InstanceType{{CPU: 2048, MemoryMiB: 4096}}
	waiting := func(n int) []TaskRequirement {
		out := make([]TaskRequirement, n)
		for i := range out {
			out[i] = TaskRequirement{CPU: 2048}
		}
		return out
	}
	// One old instance; 3 tasks waiting, one instance per scale-out.
	d := c.Evaluate(longAgo, ScalingInput{Instances: 1, NonEmptyInstances: 1, Pending: waiting(3), InstanceTypes: types})
	if d.Desired != 2 {
		t.Fatalf("first scale-out: desired %d, want 2 (%s)", d.Desired, d.Reason)
	}
	// The new instance has not arrived; one minute later M = N + 1 = 2 is
	// already the desired capacity: nothing more is asked.
	d = c.Evaluate(longAgo+time.Minute, ScalingInput{Instances: 1, NonEmptyInstances: 1, Pending: waiting(3), InstanceTypes: types})
	if d.Desired != 2 {
		t.Fatalf("before the instance arrives: desired %d (%s), want 2", d.Desired, d.Reason)
	}
	// The instance launched at +2 min; at +5 min the scale-out's warm-up
	// is over but the instance's is not (until +7 min).
	launched := longAgo + 2*time.Minute
	in := ScalingInput{Instances: 2, NonEmptyInstances: 2, Pending: waiting(2), InstanceTypes: types, NewestLaunch: launched}
	if d = c.Evaluate(longAgo+5*time.Minute, in); d.Desired != 2 || !strings.Contains(d.Reason, "warm-up") {
		t.Fatalf("instance warming: desired %d (%s), want 2 and a warm-up reason", d.Desired, d.Reason)
	}
	if d = c.Evaluate(launched+DefaultInstanceWarmupPeriod, in); d.Desired != 3 {
		t.Fatalf("after warm-up: desired %d, want 3 (%s)", d.Desired, d.Reason)
	}
}

func TestManagedScalingScaleOutDatapoints(t *testing.T) {
	// With AlarmHigh at 3 datapoints, two minutes above target do nothing
	// and the third scales out; a minute at target in between restarts the
	// count.
	c := mustScaling(t, ManagedScalingConfig{ScaleOutDatapoints: 3}, AutoScalingGroup{MaxSize: 10, DesiredCapacity: 2})
	busy := ScalingInput{Instances: 2, NonEmptyInstances: 2, Pending: []TaskRequirement{{CPU: 2048}}, InstanceTypes: []InstanceType{{CPU: 2048, MemoryMiB: 4096}}}
	calm := ScalingInput{Instances: 2, NonEmptyInstances: 2}
	var got []int
	for i, in := range []ScalingInput{busy, busy, calm, busy, busy, busy} {
		got = append(got, c.Evaluate(longAgo+time.Duration(i)*time.Minute, in).Desired)
	}
	if diff := cmp.Diff([]int{2, 2, 2, 2, 2, 3}, got); diff != "" {
		t.Errorf("desired per minute (-want +got):\n%s", diff)
	}
}

func TestManagedScalingFromZeroAndClamps(t *testing.T) {
	types := []InstanceType{{CPU: 4096, MemoryMiB: 8192}}
	pending := make([]TaskRequirement, 10)
	for i := range pending {
		pending[i] = TaskRequirement{CPU: 1024, MemoryMiB: 2048}
	}
	// N = 0: CPR 200; 10 tasks need ceil(10/4) = 3 instances → M = 3.
	c := mustScaling(t, ManagedScalingConfig{}, AutoScalingGroup{MaxSize: 10})
	d := c.Evaluate(0, ScalingInput{Pending: pending, InstanceTypes: types})
	if d.Reservation != 200 || d.M != 3 || d.Desired != 3 {
		t.Errorf("from zero: CPR %v, M %d, desired %d; want 200, 3, 3 (%s)", d.Reservation, d.M, d.Desired, d.Reason)
	}
	// MaxSize 2 clamps; a MaxSize of 0 never scales out.
	c = mustScaling(t, ManagedScalingConfig{}, AutoScalingGroup{MaxSize: 2})
	if d := c.Evaluate(0, ScalingInput{Pending: pending, InstanceTypes: types}); d.Desired != 2 {
		t.Errorf("MaxSize 2: desired %d", d.Desired)
	}
	c = mustScaling(t, ManagedScalingConfig{}, AutoScalingGroup{})
	if d := c.Evaluate(0, ScalingInput{Pending: pending, InstanceTypes: types}); d.Desired != 0 || !strings.Contains(d.Reason, "MaxSize 0") {
		t.Errorf("MaxSize 0: desired %d (%s)", d.Desired, d.Reason)
	}
	// MinSize holds scale-in.
	c = mustScaling(t, ManagedScalingConfig{ScaleInDatapoints: 1}, AutoScalingGroup{MinSize: 3, MaxSize: 10, DesiredCapacity: 3})
	if d := c.Evaluate(0, ScalingInput{Instances: 3}); d.Desired != 3 {
		t.Errorf("MinSize 3: desired %d", d.Desired)
	}
	if g := (AutoScalingGroup{MinSize: 1, MaxSize: 4}); g.Clamp(9) != 4 || g.Clamp(-2) != 1 || g.Clamp(3) != 3 {
		t.Error("AutoScalingGroup.Clamp")
	}
}

func TestEstimateInstancesNeeded(t *testing.T) {
	small := InstanceType{Name: "small", CPU: 2048, MemoryMiB: 4096, ENIs: 2}
	large := InstanceType{Name: "large", CPU: 8192, MemoryMiB: 16384, ENIs: 3}
	rep := func(n int, r TaskRequirement) []TaskRequirement {
		out := make([]TaskRequirement, n)
		for i := range out {
			out[i] = r
		}
		return out
	}
	concat := func(xs ...[]TaskRequirement) (out []TaskRequirement) {
		for _, x := range xs {
			out = append(out, x...)
		}
		return out
	}
	tests := []struct {
		name                   string
		pending                []TaskRequirement
		types                  []InstanceType
		wantNeed, wantExcluded int
	}{
		{"10 × 1 vCPU/2 GiB, 8 per large → 2", rep(10, TaskRequirement{CPU: 1024, MemoryMiB: 2048}), []InstanceType{large, small}, 2, 0},
		{"memory binds: 5 × 4 GiB, 4 per large → 2", rep(5, TaskRequirement{CPU: 256, MemoryMiB: 4096}), []InstanceType{small, large}, 2, 0},
		{"awsvpc: 3 ENIs per large → ceil(10/3) = 4", rep(10, TaskRequirement{CPU: 256, MemoryMiB: 256, AWSVPC: true}), []InstanceType{small, large}, 4, 0},
		{"largest group wins, not the sum", concat(rep(10, TaskRequirement{CPU: 1024, MemoryMiB: 2048}), rep(5, TaskRequirement{CPU: 2048, MemoryMiB: 4096})), []InstanceType{small, large}, 2, 0},
		{"too big for the smallest type → excluded", concat(rep(3, TaskRequirement{CPU: 4096}), rep(1, TaskRequirement{CPU: 512})), []InstanceType{small, large}, 1, 3},
		{"nothing fits → 0", rep(2, TaskRequirement{CPU: 4096}), []InstanceType{small, large}, 0, 2},
		{"no pending", nil, []InstanceType{small}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			need, excluded := EstimateInstancesNeeded(tt.pending, tt.types)
			if need != tt.wantNeed || excluded != tt.wantExcluded {
				t.Errorf("got need %d excluded %d, want %d and %d", need, excluded, tt.wantNeed, tt.wantExcluded)
			}
		})
	}
}

func TestManagedScalingConfigValidate(t *testing.T) {
	_, err := NewManagedScaling(ManagedScalingConfig{TargetCapacity: 101, MinimumScalingStepSize: 20, MaximumScalingStepSize: 10,
		InstanceWarmupPeriod: -time.Second}, AutoScalingGroup{MinSize: 2, MaxSize: 1, DesiredCapacity: 5})
	if !errors.Is(err, ErrInvalidConfig) {
		t.Fatalf("error %v", err)
	}
	for _, w := range []string{"TargetCapacity 101:", "MinimumScalingStepSize 20:", "InstanceWarmupPeriod -1s:", "MaxSize 1:", "DesiredCapacity 5:"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// TestManagedTerminationProtection: under managed termination protection no
// instance running a non-daemon task is ever chosen; without it the oldest
// go first; either way at most k.
func TestManagedTerminationProtection(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 30).Draw(t, "instances")
		insts := make([]Instance, n)
		empty := 0
		for i := range insts {
			insts[i] = Instance{ID: fmt.Sprintf("i-%02d", i), LaunchedAt: time.Duration(rapid.IntRange(0, 5).Draw(t, "launch")) * time.Minute,
				NonDaemonTasks: rapid.IntRange(0, 2).Draw(t, "tasks")}
			if insts[i].NonDaemonTasks == 0 {
				empty++
			}
		}
		k := rapid.IntRange(0, 35).Draw(t, "k")
		protected := ChooseInstancesToTerminate(insts, k, true)
		if len(protected) != min(k, empty) {
			t.Fatalf("chose %d, want min(k=%d, empty=%d)", len(protected), k, empty)
		}
		byID := map[string]Instance{}
		for _, in := range insts {
			byID[in.ID] = in
		}
		for _, id := range protected {
			if byID[id].NonDaemonTasks > 0 {
				t.Fatalf("protected scale-in chose %s running %d tasks", id, byID[id].NonDaemonTasks)
			}
		}
		free := ChooseInstancesToTerminate(insts, k, false)
		if len(free) != min(k, n) {
			t.Fatalf("unprotected chose %d, want %d", len(free), min(k, n))
		}
		for i := 1; i < len(free); i++ {
			if byID[free[i-1]].LaunchedAt > byID[free[i]].LaunchedAt {
				t.Fatalf("not oldest first: %v", free)
			}
		}
	})
}

// TestManagedScalingNeverBelowBusyInstances: whatever the sequence of
// minutes, the controller keeps desired within [MinSize, MaxSize] and never
// asks for fewer instances than run non-daemon tasks (so protection never
// has to refuse it).
func TestManagedScalingNeverBelowBusyInstances(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		g := AutoScalingGroup{MinSize: rapid.IntRange(0, 3).Draw(t, "min")}
		g.MaxSize = g.MinSize + rapid.IntRange(0, 30).Draw(t, "span")
		g.DesiredCapacity = rapid.IntRange(g.MinSize, g.MaxSize).Draw(t, "desired")
		cfg := ManagedScalingConfig{TargetCapacity: rapid.IntRange(1, 100).Draw(t, "target"), ScaleInDatapoints: rapid.IntRange(1, 15).Draw(t, "in"), NoWarmup: true}
		c, err := NewManagedScaling(cfg, g)
		if err != nil {
			t.Fatal(err)
		}
		types := []InstanceType{{CPU: 4096, MemoryMiB: 8192}}
		now := time.Duration(0)
		for range rapid.IntRange(1, 60).Draw(t, "minutes") {
			now += time.Minute
			n := rapid.IntRange(0, c.Group().DesiredCapacity).Draw(t, "running")
			busy := rapid.IntRange(0, n).Draw(t, "busy")
			pending := make([]TaskRequirement, rapid.IntRange(0, 10).Draw(t, "pending"))
			for i := range pending {
				pending[i] = TaskRequirement{CPU: 1024, MemoryMiB: 1024}
			}
			d := c.Evaluate(now, ScalingInput{Instances: n, NonEmptyInstances: busy, Pending: pending, InstanceTypes: types})
			if d.Desired < g.MinSize || d.Desired > g.MaxSize {
				t.Fatalf("desired %d outside [%d, %d]", d.Desired, g.MinSize, g.MaxSize)
			}
			if d.Desired < busy && d.Desired < d.Previous {
				t.Fatalf("scaled in to %d below %d busy instances (%s)", d.Desired, busy, d.Reason)
			}
		}
	})
}
