package main

import (
	"bytes"
	"image/png"
	"math"
	"slices"
	"testing"

	"github.com/ecssim/ecssim/chart"
)

// TestSweepFollowsTheUtilisationLaw: the same demand under two targets. The
// busy CPU is the offered work λ·E[S] whatever the task count (the
// utilisation law), so mean tasks × CPU% agree across targets; Fargate
// bills task-seconds, so the cost ratio follows the task ratio; and the
// higher target never has the better tail.
func TestSweepFollowsTheUtilisationLaw(t *testing.T) {
	arms := Arms([]float64{40, 80}, 1, 3)
	outs, err := Sweep(arms)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := outs[0], outs[1]
	busyLo, busyHi := lo.MeanTasks*lo.CPU/100, hi.MeanTasks*hi.CPU/100
	if math.Abs(busyLo-busyHi)/busyLo > 0.05 {
		t.Errorf("busy vCPUs %.2f at 40 %% and %.2f at 80 %%: the utilisation law says equal (within 5 %%)", busyLo, busyHi)
	}
	if lo.MeanTasks <= hi.MeanTasks || lo.Cost <= hi.Cost {
		t.Errorf("target 40 %%: %.1f tasks $%.2f; target 80 %%: %.1f tasks $%.2f; the lower target must run more and cost more",
			lo.MeanTasks, lo.Cost, hi.MeanTasks, hi.Cost)
	}
	if r, want := lo.Cost/hi.Cost, lo.MeanTasks/hi.MeanTasks; math.Abs(r-want)/want > 0.10 {
		t.Errorf("cost ratio %.2f, task ratio %.2f: Fargate bills task time, they should agree within 10 %%", r, want)
	}
	if hi.P99 < lo.P99 {
		t.Errorf("p99 %v at 80 %% below %v at 40 %%", hi.P99, lo.P99)
	}
	for _, o := range outs {
		if o.Requests == 0 || o.CPU <= 0 || o.CPU > 100 {
			t.Errorf("arm %+v measured nothing sensible: %+v", o.Arm, o)
		}
	}
}

// TestSweepIsDeterministicInAnyOrder: the arms run in parallel, yet each
// arm's outcome depends only on the arm, not on the order or company it ran
// in.
func TestSweepIsDeterministicInAnyOrder(t *testing.T) {
	arms := Arms([]float64{50, 70}, 2, 1)
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
	if !slices.Equal(a, b) {
		t.Fatalf("outcomes differ with the order of the arms:\n%+v\n%+v", a, b)
	}
	if a[0] == a[1] {
		t.Fatalf("two seeds gave identical outcomes %+v", a[0])
	}
}

// TestArmSummariesAndChart: each target's cost and p99 over its seeds are
// the plain mean of the outcomes, and the sweep chart of them decodes.
func TestArmSummariesAndChart(t *testing.T) {
	arms := Arms([]float64{50, 70}, 2, 1)
	outs, err := Sweep(arms)
	if err != nil {
		t.Fatal(err)
	}
	sums := ArmSummaries(outs)
	if len(sums) != 2 || sums[0].ArmLabel != "CPU 50 %" || sums[1].CostUSD.N != 2 {
		t.Fatalf("summaries %+v", sums)
	}
	if want := (outs[2].Cost + outs[3].Cost) / 2; math.Abs(sums[1].CostUSD.Mean-want) > 1e-12 {
		t.Errorf("CPU 70 %% costs %v, the outcomes' mean is %v", sums[1].CostUSD.Mean, want)
	}
	if want := float64(outs[0].P99+outs[1].P99) / 2e6; math.Abs(sums[0].P99ms.Mean-want) > 1e-9 {
		t.Errorf("CPU 50 %% p99 %v ms, the outcomes' mean is %v", sums[0].P99ms.Mean, want)
	}
	var buf bytes.Buffer
	if err := chart.Sweep(&buf, chart.PNG, sums, chart.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(&buf); err != nil {
		t.Fatal(err)
	}
}
