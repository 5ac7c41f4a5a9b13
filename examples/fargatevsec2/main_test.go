package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/sim/capacity"
)

// TestBurst3500FargateTasksLikeThePublished2022Measurement: 3,500 Fargate
// tasks requested at once (Vlad Ionescu, "Scaling containers on AWS in
// 2022", https://www.vladionescu.me/posts/scaling-containers-on-aws-in-2022/:
// ECS on Fargate close to 3,500 running at ≈ 4.5 minutes) are all RUNNING after a time of the same order: between 2 and 9
// minutes. The figure is explained by the launch bucket, which alone
// cannot hand out the last token before (3,500 − 100) / 20 per s = 170 s
// (the lower bound asserted), plus the start latency of the last tasks
// (median ≈ 23.5 s, and among thousands of draws the lognormal tail reaches
// past a minute).
func TestBurst3500FargateTasksLikeThePublished2022Measurement(t *testing.T) {
	tokens := time.Duration(3500-capacity.DefaultLaunchBurst) * time.Second / capacity.DefaultLaunchRefillPerSecond
	if tokens != 170*time.Second {
		t.Fatalf("token time %v, want 170s", tokens)
	}
	for _, seed := range []uint64{1, 2} {
		d, err := Burst(seed, 3500)
		if err != nil {
			t.Fatal(err)
		}
		if d <= tokens || d < 2*time.Minute || d > 9*time.Minute {
			t.Errorf("seed %d: all RUNNING after %v, want after the 170 s of tokens and within 2 to 9 minutes (published ≈ 4.5 min)", seed, d)
		}
	}
}

// TestArms checks the three arms of the default scenario against what
// follows from the model's rules, not against their printed figures:
//
//   - every arm reaches 200 running tasks after the step;
//   - the EC2 arm peaks at ceil(200 / 8) = 25 m5.2xlarge instances (8 tasks
//     of 1 vCPU per 8-vCPU instance: CPU binds before memory), the Fargate
//     arms at none;
//   - the Fargate bill is the running task-hours at $0.04937 per hour
//     (1 vCPU at $0.04048 + 2 GB at $0.004445), plus the billed time around
//     RUNNING (image pull, stop) and the one-minute minimum: between 1 and
//     1.15 times the sampled task-hours' price;
//   - EC2 pays for at least its sampled instance-hours at $0.384, part of
//     it idle; the Spot mix pays less than pure Fargate;
//   - Spot interruptions happen only in the mix, at about rate × Spot
//     task-hours, 3/4 of the tasks beyond the base of 10 (a wide band);
//   - the same seed gives the same results.
func TestArms(t *testing.T) {
	sc := DefaultScenario()
	hours := sc.End.Hours()
	results := map[Arm]Result{}
	for _, arm := range []Arm{ArmFargate, ArmEC2, ArmMix} {
		r, err := Run(arm, sc)
		if err != nil {
			t.Fatal(err)
		}
		results[arm] = r
		if r.TimeToCapacity < 0 || r.PeakTasks != sc.After {
			t.Errorf("%s: time to capacity %v, peak %d", arm, r.TimeToCapacity, r.PeakTasks)
		}
	}
	fg, ec2, mix := results[ArmFargate], results[ArmEC2], results[ArmMix]
	if ec2.PeakInstances != 25 || fg.PeakInstances != 0 || mix.PeakInstances != 0 {
		t.Errorf("peak instances: EC2 %d (want 25), Fargate %d, mix %d (want 0)", ec2.PeakInstances, fg.PeakInstances, mix.PeakInstances)
	}
	rate := 0.04048 + 2*0.004445
	if lo := fg.MeanTasks * hours * rate; fg.Cost < lo || fg.Cost > 1.15*lo {
		t.Errorf("Fargate cost $%.4f, want within [1, 1.15] × $%.4f", fg.Cost, lo)
	}
	if lo := ec2.MeanInstances * hours * 0.384; ec2.Cost < lo || ec2.Idle <= 0 || ec2.Idle >= ec2.Cost {
		t.Errorf("EC2 cost $%.4f idle $%.4f, want ≥ $%.4f with 0 < idle < cost", ec2.Cost, ec2.Idle, lo)
	}
	if mix.Cost >= fg.Cost {
		t.Errorf("mix $%.4f not cheaper than Fargate $%.4f", mix.Cost, fg.Cost)
	}
	want := sc.SpotRatePerHour * hours * (mix.MeanTasks - 10) * 3 / 4
	if fg.Interruptions != 0 || ec2.Interruptions != 0 || float64(mix.Interruptions) < want/2 || float64(mix.Interruptions) > 1.5*want {
		t.Errorf("interruptions Fargate %d EC2 %d mix %d (mix expected ≈ %.0f)", fg.Interruptions, ec2.Interruptions, mix.Interruptions, want)
	}
	again, err := Run(ArmMix, sc)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(mix, again); d != "" {
		t.Errorf("same seed, different result (-first +second):\n%s", d)
	}
	var out bytes.Buffer
	Print(&out, sc, []Result{fg, ec2, mix})
	for _, s := range []string{"time to capacity", "Spot interruptions", string(ArmEC2), "$"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("output lacks %q:\n%s", s, out.String())
		}
	}
}
