package main

import (
	"math"
	"slices"
	"testing"

	"github.com/ecssim/ecssim/sim"
)

// TestCostIsInstanceHours holds the before-hour bill to EC2's price: with
// no Fargate and no per-task charges, an hour of the group costs the mean
// number of instances × the m5.xlarge hourly price (per-second billing,
// instances sampled each minute: within 2 %). Spare capacity (75 %) never
// runs fewer instances than none (100 %), and no arm loses more tasks
// than it runs.
func TestCostIsInstanceHours(t *testing.T) {
	typ, ok := sim.DefaultCatalog().Lookup("m5.xlarge")
	if !ok {
		t.Fatal("m5.xlarge is not in the catalog")
	}
	outs, err := Sweep(Arms([]int{100, 75}, 1))
	if err != nil {
		t.Fatal(err)
	}
	byCapacity := map[bool]map[int]Outcome{false: {}, true: {}}
	for _, o := range outs {
		want := o.Instances * typ.PricePerHour
		if math.Abs(o.Cost-want) > 0.02*want {
			t.Errorf("%+v: $%.4f for the hour, %.2f instances × $%.3f = $%.4f", o.Arm, o.Cost, o.Instances, typ.PricePerHour, want)
		}
		if o.InLostZone < 0 || o.InLostZone > desired || o.ErrorsPct < 0 || o.MinutesShort > 60 {
			t.Errorf("%+v: implausible outcome %+v", o.Arm, o)
		}
		byCapacity[o.Arm.Binpack][o.Arm.TargetCapacity] = o
	}
	for binpack, m := range byCapacity {
		if m[75].Instances < m[100].Instances {
			t.Errorf("binpack %v: %.1f instances at 75 %% target capacity, %.1f at 100 %%; spare capacity cannot mean fewer", binpack, m[75].Instances, m[100].Instances)
		}
	}
}

// TestSweepIsDeterministicInAnyOrder: each arm's outcome depends only on
// the arm.
func TestSweepIsDeterministicInAnyOrder(t *testing.T) {
	arms := Arms([]int{100}, 1)
	a, err := Sweep(arms)
	if err != nil {
		t.Fatal(err)
	}
	rev := slices.Clone(arms)
	slices.Reverse(rev)
	b, err := Sweep(rev)
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(b)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("arm %+v: %+v in order, %+v reversed", arms[i], a[i], b[i])
		}
	}
}
