package main

import (
	"math"
	"slices"
	"testing"
)

// TestRoutingFollowsQueueingTheory holds the comparison to what theory
// says of routing to parallel queues: random routing is the worst (each
// task is fed a Poisson stream), round robin is better (each task's
// arrivals are more regular), join the shortest queue is the best of
// these (it uses every task's state), the power of two choices lands close
// to it with two looks, and ALB's least outstanding requests is join the
// shortest queue with random tie-breaking, so the two agree.
func TestRoutingFollowsQueueingTheory(t *testing.T) {
	outs, err := Sweep(Arms(0.8, 1))
	if err != nil {
		t.Fatal(err)
	}
	mean := map[string]float64{}
	for _, o := range outs {
		if o.Requests == 0 || o.Errors != 0 {
			t.Errorf("%s: %d requests, %d errors; want traffic and no errors at load 0.8", o.Arm.Policy.Name, o.Requests, o.Errors)
		}
		mean[o.Arm.Policy.Name] = o.Mean.Seconds()
	}
	random, rr, p2, jsq, lor := mean["weighted random"], mean["round robin"], mean["power of two*"], mean["shortest queue*"], mean["least outstanding"]
	if !(random > rr && rr > p2 && p2 >= jsq) {
		t.Errorf("mean latency: random %.3f s, round robin %.3f, power of two %.3f, shortest queue %.3f; want that order, decreasing", random, rr, p2, jsq)
	}
	if math.Abs(lor-jsq)/jsq > 0.05 {
		t.Errorf("least outstanding %.3f s and shortest queue %.3f s should agree within 5 %%", lor, jsq)
	}
	if p2 > 1.25*jsq {
		t.Errorf("power of two %.3f s is more than 25 %% above shortest queue %.3f s", p2, jsq)
	}
}

// TestSweepIsDeterministicInAnyOrder: each arm's outcome depends only on
// the arm, not on the order or company it ran in.
func TestSweepIsDeterministicInAnyOrder(t *testing.T) {
	arms := Arms(0.7, 1)
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
			t.Errorf("arm %s: %+v in order, %+v reversed", arms[i].Policy.Name, a[i], b[i])
		}
	}
}
