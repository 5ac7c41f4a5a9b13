package placement_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/placement"
)

// tetris is the alignment score of Tetris (Grandl et al., SIGCOMM 2014):
// the task's demand dotted with the instance's free resources, both
// normalised by the instance's capacity. The best-aligned instance ranks
// first, so the score is its negation.
type tetris struct{}

func (tetris) Score(t placement.Task, c placement.Candidate) float64 {
	return -(float64(t.CPU)*float64(c.FreeCPU)/float64(c.CPU)/float64(c.CPU) +
		float64(t.MemoryMiB)*float64(c.FreeMemoryMiB)/float64(c.MemoryMiB)/float64(c.MemoryMiB))
}

// ExampleScorer places tasks with a packing policy ECS does not have,
// Tetris's alignment score, as a Custom strategy: constraints, ties,
// rejections and scale-in work as for ECS's own strategies. The 2-vCPU
// task aligns best with the 2-vCPU r5.large, which it fills (alignment
// 1.07 against 0.32 on the c5.2xlarge), where binpack on memory would
// choose the c5.2xlarge for having less memory free; the next task needs
// CPU, which only the c5.2xlarge still has.
func ExampleScorer() {
	c := placement.NewCluster()
	for _, in := range []placement.Instance{
		{EC2InstanceID: "i-c5", InstanceType: "c5.2xlarge", Zone: "us-east-1a", CPU: 8192, MemoryMiB: 15236},
		{EC2InstanceID: "i-r5", InstanceType: "r5.large", Zone: "us-east-1b", CPU: 2048, MemoryMiB: 15576},
	} {
		if _, err := c.Register(in); err != nil {
			panic(err)
		}
	}
	plan := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{{Type: placement.Custom, Scorer: tetris{}}}})
	rng := rand.New(rand.NewPCG(1, 2))
	g := c.Group("service:batch")
	for _, t := range []placement.Task{{CPU: 2048, MemoryMiB: 1024, Group: g}, {CPU: 256, MemoryMiB: 4096, Group: g}} {
		r, err := c.Place(plan, t, rng)
		if err != nil {
			panic(err)
		}
		st, _ := c.State(r.Instance)
		fmt.Printf("%d CPU / %d MiB -> %s\n", t.CPU, t.MemoryMiB, st.EC2InstanceID)
	}
	// Output:
	// 2048 CPU / 1024 MiB -> i-r5
	// 256 CPU / 4096 MiB -> i-c5
}

// TestScoreKeyPreservesOrder: the int64 key of a score orders like the
// score (cmp.Compare order for numbers), with −0 equal to +0 and NaN equal
// to +Inf.
func TestScoreKeyPreservesOrder(t *testing.T) {
	special := []float64{math.Inf(-1), -math.MaxFloat64, -1, -math.SmallestNonzeroFloat64, math.Copysign(0, -1), 0,
		math.SmallestNonzeroFloat64, 1, math.MaxFloat64, math.Inf(1), math.NaN()}
	norm := func(f float64) float64 {
		if math.IsNaN(f) {
			return math.Inf(1)
		}
		return f
	}
	check := func(t interface{ Fatalf(string, ...any) }, a, b float64) {
		ka, kb := placement.ScoreKey(a), placement.ScoreKey(b)
		x, y := norm(a), norm(b)
		if (x < y) != (ka < kb) || (x == y) != (ka == kb) {
			t.Fatalf("scores %v, %v have keys %d, %d", a, b, ka, kb)
		}
	}
	for _, a := range special {
		for _, b := range special {
			check(t, a, b)
		}
	}
	rapid.Check(t, func(rt *rapid.T) {
		check(rt, rapid.Float64().Draw(rt, "a"), rapid.Float64().Draw(rt, "b"))
	})
}

// TestCustomStrategyValidation: a custom strategy needs a Scorer, and no
// other strategy takes one; both problems are reported together.
func TestCustomStrategyValidation(t *testing.T) {
	_, err := placement.Compile(placement.Spec{Strategies: []placement.Strategy{
		{Type: placement.Custom},
		{Type: placement.Binpack, Field: "memory", Scorer: tetris{}},
	}})
	if !errors.Is(err, placement.ErrInvalidSpec) {
		t.Fatalf("got %v, want ErrInvalidSpec", err)
	}
	wantFieldErrors(t, err, placement.ErrInvalidSpec, []fieldRule{
		{"Spec.Strategies[0].Scorer", "is required for a custom strategy"},
		{"Spec.Strategies[1].Scorer", "must be nil unless Type is custom"},
	})
}

// zoneScorer prefers instances of the preferred zone (read through
// Candidate.Attribute), then fewer tasks of the group.
type zoneScorer struct{ zone string }

func (s zoneScorer) Score(t placement.Task, c placement.Candidate) float64 {
	v := float64(c.GroupTasks)
	if z, ok := c.Attribute(placement.AttrAvailabilityZone); !ok || z != s.zone {
		v += 1000
	}
	return v
}

// TestCustomStrategyCandidateAndScaleIn: a Scorer sees the instance's
// attributes, free and registered resources and task counts; placement
// takes its smallest score and scale-in stops first the task whose
// instance scores highest once the task has stopped.
func TestCustomStrategyCandidateAndScaleIn(t *testing.T) {
	c := placement.NewCluster()
	for k, zone := range []string{"us-east-1a", "us-east-1b", "us-east-1a"} {
		if _, err := c.Register(placement.Instance{EC2InstanceID: fmt.Sprint("i-", k), InstanceType: "m5.large", Zone: zone,
			CPU: 2048, MemoryMiB: 8192, ENIs: 2}); err != nil {
			t.Fatal(err)
		}
	}
	plan := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{
		{Type: placement.Custom, Scorer: zoneScorer{"us-east-1a"}}}})
	g := c.Group("service:web")
	rng := rand.New(rand.NewPCG(3, 4))
	var running []placement.RunningTask
	counts := map[placement.InstanceID]int{}
	for range 5 {
		task := placement.Task{CPU: 256, MemoryMiB: 512, Group: g}
		r, err := c.Place(plan, task, rng)
		if err != nil || !r.Placed() {
			t.Fatalf("place: %v %+v", err, r)
		}
		counts[r.Instance]++
		running = append(running, placement.RunningTask{Instance: r.Instance, Task: task})
	}
	// Zone 1a has instances 0 and 2: they take turns (3 + 2), instance 1
	// in zone 1b gets nothing.
	if counts[1] != 0 || counts[0]+counts[2] != 5 || max(counts[0], counts[2]) != 3 {
		t.Fatalf("placements per instance %v, want 3 and 2 on instances 0 and 2, none on 1", counts)
	}
	// Scale-in: the instance with 3 tasks scores 2 once one stops, the
	// other 1: the first victim is on the fuller instance, then they
	// alternate.
	fuller := placement.InstanceID(0)
	if counts[2] == 3 {
		fuller = 2
	}
	victims, err := c.ChooseVictims(plan, running, 2, rng)
	if err != nil {
		t.Fatal(err)
	}
	if running[victims[0]].Instance != fuller || running[victims[1]].Instance == fuller {
		t.Errorf("victims on instances %d then %d, want %d first then the other", running[victims[0]].Instance, running[victims[1]].Instance, fuller)
	}
}

// recordingScorer records the candidates it is shown.
type recordingScorer struct{ seen *[]placement.Candidate }

func (s recordingScorer) Score(t placement.Task, c placement.Candidate) float64 {
	*s.seen = append(*s.seen, c)
	return 0
}

// TestCandidateFields: the Candidate carries the instance's resources and
// counts before the placement.
func TestCandidateFields(t *testing.T) {
	c := placement.NewCluster()
	id, _ := c.Register(placement.Instance{EC2InstanceID: "i-0", InstanceType: "m5.large", Zone: "a", CPU: 2048, MemoryMiB: 8192, ENIs: 3})
	g, other := c.Group("service:a"), c.Group("service:b")
	rng := rand.New(rand.NewPCG(1, 1))
	first := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{{Type: placement.Binpack, Field: "cpu"}}})
	for _, task := range []placement.Task{{CPU: 512, MemoryMiB: 1024, ENIs: 1, Group: g}, {CPU: 256, MemoryMiB: 512, Group: other}} {
		if r, _ := c.Place(first, task, rng); !r.Placed() {
			t.Fatal("setup placement failed")
		}
	}
	var seen []placement.Candidate
	plan := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{{Type: placement.Custom, Scorer: recordingScorer{&seen}}}})
	if r, _ := c.Place(plan, placement.Task{CPU: 128, MemoryMiB: 128, Group: g}, rng); !r.Placed() || r.Instance != id {
		t.Fatalf("placement %+v", r)
	}
	if len(seen) != 1 {
		t.Fatalf("scorer saw %d candidates, want 1", len(seen))
	}
	got := seen[0]
	got = placement.Candidate{Instance: got.Instance, FreeCPU: got.FreeCPU, FreeMemoryMiB: got.FreeMemoryMiB, FreeENI: got.FreeENI,
		CPU: got.CPU, MemoryMiB: got.MemoryMiB, ENIs: got.ENIs, RunningTasks: got.RunningTasks, GroupTasks: got.GroupTasks}
	want := placement.Candidate{Instance: id, FreeCPU: 2048 - 768, FreeMemoryMiB: 8192 - 1536, FreeENI: 2,
		CPU: 2048, MemoryMiB: 8192, ENIs: 3, RunningTasks: 2, GroupTasks: 1}
	if got != want {
		t.Errorf("candidate %+v, want %+v", got, want)
	}
	if z, ok := seen[0].Attribute(placement.AttrAvailabilityZone); !ok || z != "a" {
		t.Errorf("Attribute(zone) = %q, %v", z, ok)
	}
}

// headroom keeps instances that keep a share of their memory free after
// the task: a rule the cluster query language cannot say.
type headroom struct{ share float64 }

func (h headroom) Keep(t placement.Task, c placement.Candidate) bool {
	return float64(c.FreeMemoryMiB-t.MemoryMiB) >= h.share*float64(c.MemoryMiB)
}

// ExampleFilter keeps a fifth of every instance's memory free with a
// CustomFilter constraint, under binpack on memory: the second task no
// longer fits on the fuller instance, goes to the other, and a third that
// fits nowhere under the rule is rejected naming the constraint.
func ExampleFilter() {
	c := placement.NewCluster()
	for _, in := range []placement.Instance{
		{EC2InstanceID: "i-a", InstanceType: "m5.large", Zone: "us-east-1a", CPU: 2048, MemoryMiB: 8000},
		{EC2InstanceID: "i-b", InstanceType: "m5.large", Zone: "us-east-1b", CPU: 2048, MemoryMiB: 8000},
	} {
		if _, err := c.Register(in); err != nil {
			panic(err)
		}
	}
	plan := placement.MustCompile(placement.Spec{
		Constraints: []placement.Constraint{{Type: placement.CustomFilter, Filter: headroom{0.2}}},
		Strategies:  []placement.Strategy{{Type: placement.Binpack, Field: "memory"}},
	})
	rng := rand.New(rand.NewPCG(1, 2))
	g := c.Group("service:cache")
	for _, mem := range []int{4000, 3000, 5000} {
		r, err := c.Place(plan, placement.Task{CPU: 256, MemoryMiB: mem, Group: g}, rng)
		if err != nil {
			panic(err)
		}
		if !r.Placed() {
			fmt.Printf("%d MiB: rejected, %s %s\n", mem, r.Rejection.Reason, r.Rejection.ConstraintText)
			continue
		}
		st, _ := c.State(r.Instance)
		fmt.Printf("%d MiB -> %s, %d MiB left\n", mem, st.EC2InstanceID, st.FreeMemoryMiB)
	}
	// Output:
	// 4000 MiB -> i-a, 4000 MiB left
	// 3000 MiB -> i-b, 5000 MiB left
	// 5000 MiB: rejected, CONSTRAINT custom(placement_test.headroom)
}

// TestCustomFilterValidation: a custom constraint needs a Filter and no
// expression, and no other constraint takes a Filter; all reported.
func TestCustomFilterValidation(t *testing.T) {
	keep := placement.FilterFunc(func(placement.Task, placement.Candidate) bool { return true })
	_, err := placement.Compile(placement.Spec{Constraints: []placement.Constraint{
		{Type: placement.CustomFilter},
		{Type: placement.CustomFilter, Filter: keep, Expression: "attribute:x == y"},
		{Type: placement.MemberOf, Expression: "attribute:x == y", Filter: keep},
	}})
	if !errors.Is(err, placement.ErrInvalidSpec) {
		t.Fatalf("got %v, want ErrInvalidSpec", err)
	}
	wantFieldErrors(t, err, placement.ErrInvalidSpec, []fieldRule{
		{"Spec.Constraints[0].Filter", "is required for a custom constraint"},
		{"Spec.Constraints[1].Expression", "must be empty for a custom constraint"},
		{"Spec.Constraints[2].Filter", "must be nil unless Type is custom"},
	})
}
