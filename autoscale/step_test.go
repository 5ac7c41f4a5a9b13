package autoscale

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/metrics"
	"github.com/google/go-cmp/cmp"
)

var (
	negInf = math.Inf(-1)
	posInf = math.Inf(1)
)

// exampleAPolicies builds the two policies of the step scaling guide's
// example (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-step-scaling-policies.html): threshold 50,
// PercentChangeInCapacity, scale-out steps [0,10)→0 %, [10,20)→+10 %,
// [20,∞)→+30 % and scale-in steps (−10,0]→0 %, (−20,−10]→−10 %,
// (−∞,−20]→−30 %.
func exampleAPolicies(t *testing.T) (out, in *StepScaling) {
	t.Helper()
	var err error
	out, err = NewStepScaling(StepScalingConfig{
		Name:           "scale-out",
		Alarm:          metrics.AlarmConfig{Name: "cpu-high", Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 1, Threshold: 50, Comparison: metrics.GreaterThanOrEqualToThreshold},
		AdjustmentType: PercentChangeInCapacity,
		StepAdjustments: []StepAdjustment{
			{LowerBound: 0, UpperBound: 10, ScalingAdjustment: 0},
			{LowerBound: 20, UpperBound: posInf, ScalingAdjustment: 30}, // order does not matter
			{LowerBound: 10, UpperBound: 20, ScalingAdjustment: 10},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	in, err = NewStepScaling(StepScalingConfig{
		Name:           "scale-in",
		Alarm:          metrics.AlarmConfig{Name: "cpu-low", Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 1, Threshold: 50, Comparison: metrics.LessThanOrEqualToThreshold},
		AdjustmentType: PercentChangeInCapacity,
		StepAdjustments: []StepAdjustment{
			{LowerBound: -10, UpperBound: 0, ScalingAdjustment: 0},
			{LowerBound: -20, UpperBound: -10, ScalingAdjustment: -10},
			{LowerBound: negInf, UpperBound: -20, ScalingAdjustment: -30},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, in
}

// TestWorkedExampleAStepScaling replays the step scaling guide's example through a
// Controller: desired 10, then CPU 55 → 10, 60 → 11, 70 → 14, 40 → 13,
// 30 → 10. The triggers are ten minutes apart, past the 300 s cooldowns.
func TestWorkedExampleAStepScaling(t *testing.T) {
	out, in := exampleAPolicies(t)
	c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{out, in}})
	if err != nil {
		t.Fatal(err)
	}
	level := &settable{}
	r := fakeReader{"CPUUtilization": level.fn}
	desired := 10
	var got []int
	for i, v := range []float64{55, 60, 70, 40, 30} {
		level.v = v
		d := c.Evaluate(t0.Add(minutes(10*i)), State{Desired: desired, Running: desired, Metrics: r})
		desired = d.Desired
		got = append(got, desired)
	}
	if diff := cmp.Diff([]int{10, 11, 14, 13, 10}, got); diff != "" {
		t.Errorf("desired after each trigger (-want +got):\n%s", diff)
	}
	// The pure arithmetic gives the same figures.
	for _, tc := range []struct {
		p       *StepScaling
		current int
		value   float64
		want    int
	}{
		{out, 10, 55, 10}, {in, 10, 45, 10}, {out, 10, 60, 11}, {out, 11, 70, 14}, {in, 14, 40, 13}, {in, 13, 30, 10},
		{out, 10, 50, 10}, // exactly the threshold: [0, 10) includes 0 above it
		{in, 10, 50, 10},  // and (−10, 0] includes 0 below it
	} {
		if got, ok := tc.p.DesiredFor(tc.current, tc.value); !ok || got != tc.want {
			t.Errorf("%s.DesiredFor(%d, %g) = %d, %v; want %d", tc.p.Name(), tc.current, tc.value, got, ok, tc.want)
		}
	}
}

// TestWorkedExampleBAdjustmentTypes checks the step scaling guide's
// adjustment types and percent rounding
// (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-step-scaling-policies.html).
func TestWorkedExampleBAdjustmentTypes(t *testing.T) {
	for _, tc := range []struct {
		typ                  AdjustmentType
		current, adj, minMag int
		want                 int
	}{
		{ChangeInCapacity, 3, 5, 0, 8},
		{ExactCapacity, 3, 5, 0, 5},
		{PercentChangeInCapacity, 10, 10, 0, 11},
		{PercentChangeInCapacity, 4, 25, 2, 6}, // +25 % of 4 = 1, MinAdjustmentMagnitude 2 → +2
	} {
		if got := applyAdjustment(tc.typ, tc.current, tc.adj, tc.minMag); got != tc.want {
			t.Errorf("%v %+d on %d (min magnitude %d) = %d, want %d", tc.typ, tc.adj, tc.current, tc.minMag, got, tc.want)
		}
	}
	// raw = current × percent / 100: 12.7 → 12, 0.67 → 1, −0.58 → −1, −6.67 → −6.
	for _, tc := range []struct{ current, percent, want int }{
		{127, 10, 12}, {67, 1, 1}, {58, -1, -1}, {667, -1, -6},
		{100, 1, 1}, {100, -1, -1}, {0, 50, 0}, {10, 0, 0},
	} {
		if got := PercentChange(tc.current, tc.percent, 0); got != tc.want {
			t.Errorf("PercentChange(%d, %d %%) = %d, want %d", tc.current, tc.percent, got, tc.want)
		}
	}
	if got := PercentChange(20, -10, 3); got != -3 {
		t.Errorf("PercentChange(20, -10 %%, min 3) = %d, want -3", got)
	}
}

// TestWorkedExampleBStepCooldown: a first trigger adds 2 and starts the
// cooldown; a second trigger during the cooldown at a +3 step adds only 1
// more. After the cooldown a +3 step adds 3 again.
func TestWorkedExampleBStepCooldown(t *testing.T) {
	p, err := NewStepScaling(StepScalingConfig{
		Name:           "steps",
		Alarm:          metrics.AlarmConfig{Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 1, Threshold: 50, Comparison: metrics.GreaterThanThreshold},
		AdjustmentType: ChangeInCapacity,
		StepAdjustments: []StepAdjustment{
			{LowerBound: 0, UpperBound: 10, ScalingAdjustment: 2},
			{LowerBound: 10, UpperBound: posInf, ScalingAdjustment: 3},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewController(ControllerConfig{Target: ScalableTarget{MinCapacity: 1, MaxCapacity: 100}, Policies: []Policy{p}})
	if err != nil {
		t.Fatal(err)
	}
	level := &settable{v: 55}
	r := fakeReader{"CPUUtilization": level.fn}
	desired := 10
	step := func(at time.Duration, v float64) int {
		level.v = v
		desired = c.Evaluate(t0.Add(at), State{Desired: desired, Metrics: r}).Desired
		return desired
	}
	if got := step(0, 55); got != 12 {
		t.Fatalf("first trigger: desired %d, want 12 (+2)", got)
	}
	if got := step(time.Minute, 65); got != 13 {
		t.Fatalf("second trigger inside the cooldown at the +3 step: desired %d, want 13 (only +1 more)", got)
	}
	if got := step(2*time.Minute, 65); got != 13 {
		t.Fatalf("third trigger inside the cooldown: desired %d, want 13 (nothing more)", got)
	}
	if got := step(5*time.Minute, 65); got != 16 {
		t.Fatalf("trigger after the 300 s cooldown: desired %d, want 16 (+3)", got)
	}
}

func TestStepValidation(t *testing.T) {
	base := StepScalingConfig{
		Name:           "p",
		Alarm:          metrics.AlarmConfig{Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 1, Threshold: 50, Comparison: metrics.GreaterThanThreshold},
		AdjustmentType: ChangeInCapacity,
	}
	many := make([]StepAdjustment, 21)
	for i := range many {
		many[i] = StepAdjustment{LowerBound: float64(i), UpperBound: float64(i + 1), ScalingAdjustment: 1}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*StepScalingConfig)
		wants []string
	}{
		{"overlap", func(c *StepScalingConfig) {
			c.StepAdjustments = []StepAdjustment{{0, 10, 1}, {5, posInf, 2}}
		}, []string{"must not overlap"}},
		{"gap", func(c *StepScalingConfig) {
			c.StepAdjustments = []StepAdjustment{{0, 10, 1}, {15, posInf, 2}}
		}, []string{"must not leave a gap"}},
		{"two null lowers", func(c *StepScalingConfig) {
			c.StepAdjustments = []StepAdjustment{{negInf, 0, 1}, {negInf, 10, 2}}
		}, []string{"at most one step may have a null (-Inf) lower bound"}},
		{"two null uppers", func(c *StepScalingConfig) {
			c.StepAdjustments = []StepAdjustment{{0, posInf, 1}, {10, posInf, 2}}
		}, []string{"at most one step may have a null (+Inf) upper bound"}},
		{"both null", func(c *StepScalingConfig) {
			c.StepAdjustments = []StepAdjustment{{negInf, posInf, 1}}
		}, []string{"cannot have both bounds null"}},
		{"too many steps", func(c *StepScalingConfig) { c.StepAdjustments = many }, []string{"must be 1 to 20"}},
		{"no steps, no type, magnitude without percent, no name", func(c *StepScalingConfig) {
			c.Name, c.AdjustmentType, c.MinAdjustmentMagnitude, c.StepAdjustments = "", 0, 2, nil
		}, []string{"Name", "AdjustmentType", "MinAdjustmentMagnitude", "must be 1 to 20"}},
		{"empty step", func(c *StepScalingConfig) {
			c.StepAdjustments = []StepAdjustment{{10, 10, 1}}
		}, []string{"lower bound must be below the upper bound"}},
	} {
		cfg := base
		tc.edit(&cfg)
		_, err := NewStepScaling(cfg)
		if !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s: error %v does not match ErrInvalidConfig", tc.name, err)
			continue
		}
		for _, w := range tc.wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tc.name, err, w)
			}
		}
	}
}

// TestStepAggregation checks MetricAggregationType over the alarm's three
// datapoints 90, 60, 75 (threshold 50, steps +1 per 10 above it): Average
// 75 → step [20,30) → +3; Minimum 60 → step [10,20) → +2; Maximum 90 →
// step [40,∞) → +5.
func TestStepAggregation(t *testing.T) {
	series := func(start time.Time) (float64, bool) {
		switch start.Sub(t0) {
		case -3 * time.Minute:
			return 90, true
		case -2 * time.Minute:
			return 60, true
		case -time.Minute:
			return 75, true
		}
		return 0, false
	}
	var steps []StepAdjustment
	for i := range 5 {
		steps = append(steps, StepAdjustment{LowerBound: float64(10 * i), UpperBound: float64(10*i + 10), ScalingAdjustment: i + 1})
	}
	steps[4].UpperBound = posInf
	for agg, want := range map[AggregationType]int{AggregateAverage: 13, AggregateMinimum: 12, AggregateMaximum: 15} {
		p, err := NewStepScaling(StepScalingConfig{
			Name:                  "agg",
			Alarm:                 metrics.AlarmConfig{Metric: cpu, Statistic: metrics.Average, EvaluationPeriods: 3, Threshold: 50, Comparison: metrics.GreaterThanThreshold},
			AdjustmentType:        ChangeInCapacity,
			StepAdjustments:       steps,
			MetricAggregationType: agg,
		})
		if err != nil {
			t.Fatal(err)
		}
		got := p.Propose(Input{Now: t0, Desired: 10, Min: 0, Max: 100, Metrics: fakeReader{"CPUUtilization": series}})
		if got.Desired != want || got.Vote != Independent {
			t.Errorf("%v: proposal %+v, want desired %d", agg, got, want)
		}
	}
}
