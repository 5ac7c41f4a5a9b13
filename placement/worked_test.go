package placement_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ecssim/ecssim/placement"
)

// Worked examples from the ECS documentation of the replica scheduler's
// default placement and of the strategies:
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
// and https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html.

func webTasks(n int) []load { return slices.Repeat([]load{{256, 512, "service:web"}}, n) }

// Example 1: no strategy, AZ counts A=1, B=0, C=0 → the new task goes to B or C.
func TestWorkedExample_NoStrategyPlacesInEmptiestAZ(t *testing.T) {
	checkPlacement(t, placeCase{
		boxes: []box{
			{zone: "A", cpu: 4096, mem: 8192, load: webTasks(1)},
			{zone: "B", cpu: 4096, mem: 8192},
			{zone: "C", cpu: 4096, mem: 8192},
		},
		spec: placement.Spec{}, task: placement.Task{CPU: 256, MemoryMiB: 512}, group: "service:web",
		want: ids(1, 2),
	})
}

// Example 2: no strategy, scale-in, AZ counts A=1, B=2, C=2 → stop a task in B or
// C, preferring the instance with the most tasks of the service.
func TestWorkedExample_NoStrategyScaleInFromFullestAZ(t *testing.T) {
	// B's two tasks share one instance; C's are on two instances. Both
	// zones qualify, and B's instance holds the most tasks.
	boxes := []box{
		{zone: "A", cpu: 4096, mem: 8192, load: webTasks(1)},
		{zone: "B", cpu: 4096, mem: 8192, load: webTasks(2)},
		{zone: "C", cpu: 4096, mem: 8192, load: webTasks(1)},
		{zone: "C", cpu: 4096, mem: 8192, load: webTasks(1)},
	}
	c := build(t, boxes)
	tasks := runningTasks(c, boxes)
	plan := placement.MustCompile(placement.Spec{})
	for seed := range uint64(20) {
		v, err := c.ChooseVictims(plan, tasks, 1, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if got := tasks[v[0]].Instance; got != 1 {
			t.Fatalf("seed %d: victim on instance %d, want 1 (zone B, 2 tasks on one instance)", seed, got)
		}
	}
	// With one instance per zone (B and C each 2 tasks on one instance),
	// the victim is in B or C, and both happen.
	boxes = []box{
		{zone: "A", cpu: 4096, mem: 8192, load: webTasks(1)},
		{zone: "B", cpu: 4096, mem: 8192, load: webTasks(2)},
		{zone: "C", cpu: 4096, mem: 8192, load: webTasks(2)},
	}
	c = build(t, boxes)
	tasks = runningTasks(c, boxes)
	seen := map[placement.InstanceID]bool{}
	for seed := range uint64(40) {
		v, err := c.ChooseVictims(plan, tasks, 1, rand.New(rand.NewPCG(seed, 1)))
		if err != nil {
			t.Fatal(err)
		}
		seen[tasks[v[0]].Instance] = true
	}
	if !seen[1] || !seen[2] || seen[0] {
		t.Fatalf("victims on %v, want both B (1) and C (2) and never A (0)", seen)
	}
	// Scaling in by 3 from A=1, B=2, C=2 stops one in B, one in C, and then
	// one in any zone (all at 1), never leaving a zone at 2 while another is at 0.
	v, err := c.ChooseVictims(plan, tasks, 3, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	left := map[placement.InstanceID]int{0: 1, 1: 2, 2: 2}
	for _, k := range v[:2] {
		left[tasks[k].Instance]--
	}
	if left[1] != 1 || left[2] != 1 {
		t.Fatalf("after two victims %v, want B and C at 1 each", left)
	}
}

// Example 3 (derived): binpack(memory), instances with 1000, 600 and 300 MiB
// free, a task needing 400 MiB → the 600 MiB instance (300 cannot fit).
func TestWorkedExample_BinpackMemoryChoosesLeastFreeThatFits(t *testing.T) {
	checkPlacement(t, placeCase{
		boxes: []box{{zone: "a", cpu: 4096, mem: 1000}, {zone: "a", cpu: 4096, mem: 600}, {zone: "a", cpu: 4096, mem: 300}},
		spec:  placement.Spec{Strategies: []placement.Strategy{{Type: placement.Binpack, Field: "memory"}}},
		task:  placement.Task{MemoryMiB: 400}, want: ids(1),
	})
}

// Example 4: binpack scale-in removes the task whose instance will have the most
// free resources afterwards.
func TestWorkedExample_BinpackScaleInFreesTheEmptiestInstance(t *testing.T) {
	// Free memory after removing one 512 MiB task: instance 0 keeps
	// 8192-3·512+512 = 7168, instance 1 8192-512+512 = 8192, instance 2
	// 4096-2·512+512 = 3584. Instance 1 will have the most free.
	boxes := []box{
		{zone: "a", cpu: 4096, mem: 8192, load: webTasks(3)},
		{zone: "b", cpu: 4096, mem: 8192, load: webTasks(1)},
		{zone: "c", cpu: 4096, mem: 4096, load: webTasks(2)},
	}
	c := build(t, boxes)
	tasks := runningTasks(c, boxes)
	plan := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{{Type: placement.Binpack, Field: "memory"}}})
	v, err := c.ChooseVictims(plan, tasks, 2, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	// Instance 1 has no task left; next comes instance 0 (7168 free after
	// the removal, against instance 2's 3584).
	got := []placement.InstanceID{tasks[v[0]].Instance, tasks[v[1]].Instance}
	if !slices.Equal(got, ids(1, 0)) {
		t.Fatalf("victims on %v, want [1 0]", got)
	}
}

// Example 5 (derived): distinctInstance with 3 instances and a desired count of 4
// → 3 placed, 1 unplaceable.
func TestWorkedExample_DistinctInstanceThreeOfFour(t *testing.T) {
	c := build(t, []box{{zone: "a", cpu: 4096, mem: 8192}, {zone: "b", cpu: 4096, mem: 8192}, {zone: "c", cpu: 4096, mem: 8192}})
	plan := placement.MustCompile(placement.Spec{Constraints: []placement.Constraint{{Type: placement.DistinctInstance}}})
	b, err := c.PlaceBatch(plan, placement.Task{CPU: 256, MemoryMiB: 512, Group: c.Group("service:web")}, 4, rand.New(rand.NewPCG(1, 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	placed := slices.Sorted(slices.Values(b.Placed))
	if !slices.Equal(placed, ids(0, 1, 2)) {
		t.Fatalf("placed on %v, want one task on each of 0, 1, 2", b.Placed)
	}
	if b.Rejection == nil || b.Rejection.Reason != placement.ReasonConstraint || b.Rejection.ConstraintText != "distinctInstance" ||
		b.Rejection.Failed.Constraint != 3 {
		t.Fatalf("rejection %+v, want distinctInstance on all 3 instances", b.Rejection)
	}
}

func runningTasks(c *placement.Cluster, boxes []box) []placement.RunningTask {
	var tasks []placement.RunningTask
	for k, b := range boxes {
		for _, l := range b.load {
			tasks = append(tasks, placement.RunningTask{Instance: placement.InstanceID(k),
				Task: placement.Task{CPU: l.cpu, MemoryMiB: l.mem, Group: c.Group(l.group)}})
		}
	}
	return tasks
}
