package placement_test

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/placement"
)

// box is a hand-built instance: zone, free CPU and memory after its
// pre-placed load, and extra attributes.
type box struct {
	zone     string
	cpu, mem int // registered capacity
	eni      int
	attrs    map[string]string
	load     []load // tasks placed before the test's request
	draining bool
}

type load struct {
	cpu, mem int
	group    string
}

func build(t *testing.T, boxes []box) *placement.Cluster {
	t.Helper()
	c := placement.NewCluster()
	fill := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{{Type: placement.Random}}})
	for k, b := range boxes {
		id, err := c.Register(placement.Instance{EC2InstanceID: fmt.Sprintf("i-%d", k), InstanceType: "m5.large",
			Zone: b.zone, CPU: b.cpu, MemoryMiB: b.mem, ENIs: b.eni, Attributes: b.attrs,
			RegisteredAt: time.Date(2025, 1, 1, 0, k, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		// Drain the others so that the load lands exactly here.
		for j := range k {
			if err := c.SetStatus(placement.InstanceID(j), placement.Draining); err != nil {
				t.Fatal(err)
			}
		}
		for _, l := range b.load {
			r, err := c.Place(fill, placement.Task{CPU: l.cpu, MemoryMiB: l.mem, Group: c.Group(l.group)}, rand.New(rand.NewPCG(1, 1)))
			if err != nil || r.Instance != id {
				t.Fatalf("preloading instance %d: %+v %v", id, r, err)
			}
		}
		for j := range k {
			if !boxes[j].draining {
				if err := c.SetStatus(placement.InstanceID(j), placement.Active); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if n := len(boxes); n > 0 && boxes[n-1].draining {
		if err := c.SetStatus(placement.InstanceID(n-1), placement.Draining); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func ids(v ...int) []placement.InstanceID {
	out := make([]placement.InstanceID, len(v))
	for k, x := range v {
		out[k] = placement.InstanceID(x)
	}
	return out
}

func strat(typ placement.StrategyType, field string) placement.Strategy {
	return placement.Strategy{Type: typ, Field: field}
}

func memberOf(expr string) placement.Constraint {
	return placement.Constraint{Type: placement.MemberOf, Expression: expr}
}

var distinct = placement.Constraint{Type: placement.DistinctInstance}

type placeCase struct {
	name  string
	boxes []box
	spec  placement.Spec
	task  placement.Task // Group is set from group
	group string
	want  []placement.InstanceID // every acceptable instance; nil = rejected
}

// checkPlacement places the task on a fresh cluster under 60 seeds. Every
// choice must be in want, and when want has several equally good instances
// each must be chosen at least once (ties are broken at random).
func checkPlacement(t *testing.T, tc placeCase) {
	t.Helper()
	seen := map[placement.InstanceID]bool{}
	for seed := range uint64(60) {
		c := build(t, tc.boxes)
		task := tc.task
		task.Group = c.Group(cmp.Or(tc.group, "service:web"))
		plan, err := placement.Compile(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		r, err := c.Place(plan, task, rand.New(rand.NewPCG(seed, 9)))
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == nil {
			if r.Placed() {
				t.Fatalf("placed on %d, want a rejection", r.Instance)
			}
			return
		}
		if !slices.Contains(tc.want, r.Instance) {
			t.Fatalf("seed %d: placed on %d (rejection %+v), want one of %v", seed, r.Instance, r.Rejection, tc.want)
		}
		seen[r.Instance] = true
	}
	if len(seen) != len(tc.want) {
		t.Errorf("chose %v over 60 seeds; every one of %v should be chosen", seen, tc.want)
	}
}

// TestStrategies checks each strategy and chain on hand-built fleets whose
// right answer follows from the ECS definitions of the strategies
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html).
func TestStrategies(t *testing.T) {
	binpackMem := placement.Spec{Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}}
	binpackCPU := placement.Spec{Strategies: []placement.Strategy{strat(placement.Binpack, "cpu")}}
	spreadAZ := strat(placement.Spread, "attribute:ecs.availability-zone")
	web := func(n int) []load { return slices.Repeat([]load{{0, 0, "service:web"}}, n) }
	tests := []placeCase{
		{name: "binpack memory picks least free memory that fits",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4000}, {zone: "a", cpu: 4096, mem: 1500}, {zone: "a", cpu: 4096, mem: 900}},
			spec:  binpackMem, task: placement.Task{CPU: 256, MemoryMiB: 1000}, want: ids(1)},
		{name: "binpack memory needs CPU to fit too",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4000}, {zone: "a", cpu: 256, mem: 1500}},
			spec:  binpackMem, task: placement.Task{CPU: 512, MemoryMiB: 1000}, want: ids(0)},
		{name: "binpack memory ties broken at random",
			boxes: []box{{zone: "a", cpu: 1024, mem: 2048}, {zone: "b", cpu: 2048, mem: 2048}, {zone: "c", cpu: 4096, mem: 4096, load: []load{{0, 2048, "x"}}}},
			spec:  binpackMem, task: placement.Task{CPU: 256, MemoryMiB: 512}, want: ids(0, 1, 2)},
		{name: "binpack cpu picks least free CPU that fits",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4000}, {zone: "a", cpu: 1024, mem: 4000}, {zone: "a", cpu: 2048, mem: 4000}},
			spec:  binpackCPU, task: placement.Task{CPU: 1024, MemoryMiB: 100}, want: ids(1)},
		{name: "binpack cpu needs memory to fit too",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4000}, {zone: "a", cpu: 1024, mem: 50}},
			spec:  binpackCPU, task: placement.Task{CPU: 1024, MemoryMiB: 100}, want: ids(0)},
		{name: "binpack memory then binpack cpu",
			boxes: []box{{zone: "a", cpu: 2048, mem: 1000}, {zone: "a", cpu: 1024, mem: 1000}, {zone: "a", cpu: 512, mem: 2000}},
			spec:  placement.Spec{Strategies: []placement.Strategy{strat(placement.Binpack, "memory"), strat(placement.Binpack, "cpu")}},
			task:  placement.Task{CPU: 512, MemoryMiB: 500}, want: ids(1)},
		{name: "spread instanceId picks the fewest tasks of the group",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4096, load: web(2)}, {zone: "a", cpu: 4096, mem: 4096, load: web(1)}, {zone: "a", cpu: 4096, mem: 4096, load: web(1)}},
			spec:  placement.Spec{Strategies: []placement.Strategy{strat(placement.Spread, "instanceId")}},
			task:  placement.Task{CPU: 1, MemoryMiB: 1}, want: ids(1, 2)},
		{name: "spread host counts only the task's group",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4096, load: []load{{0, 0, "other"}, {0, 0, "other"}}}, {zone: "a", cpu: 4096, mem: 4096, load: web(1)}},
			spec:  placement.Spec{Strategies: []placement.Strategy{strat(placement.Spread, "host")}},
			task:  placement.Task{CPU: 1, MemoryMiB: 1}, want: ids(0)},
		{name: "spread AZ picks the zone with the fewest tasks",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4096, load: web(2)}, {zone: "b", cpu: 4096, mem: 4096, load: web(1)}, {zone: "b", cpu: 4096, mem: 4096}, {zone: "c", cpu: 4096, mem: 4096, load: web(1)}},
			spec:  placement.Spec{Strategies: []placement.Strategy{spreadAZ}},
			task:  placement.Task{CPU: 1, MemoryMiB: 1}, want: ids(1, 2, 3)},
		{name: "spread AZ counts tasks on draining instances",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4096, load: web(1), draining: true}, {zone: "a", cpu: 4096, mem: 4096}, {zone: "b", cpu: 4096, mem: 4096}},
			spec:  placement.Spec{Strategies: []placement.Strategy{spreadAZ}},
			task:  placement.Task{CPU: 1, MemoryMiB: 1}, want: ids(2)},
		{name: "spread AZ then binpack memory",
			boxes: []box{{zone: "a", cpu: 4096, mem: 500}, {zone: "b", cpu: 4096, mem: 2000}, {zone: "b", cpu: 4096, mem: 1000}, {zone: "c", cpu: 4096, mem: 1500}, {zone: "a", cpu: 4096, mem: 4096, load: web(1)}},
			spec:  placement.Spec{Strategies: []placement.Strategy{spreadAZ, strat(placement.Binpack, "memory")}},
			task:  placement.Task{CPU: 1, MemoryMiB: 400}, want: ids(2)},
		{name: "spread AZ then spread instanceId",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4096}, {zone: "b", cpu: 4096, mem: 4096, load: web(1)}, {zone: "b", cpu: 4096, mem: 4096}, {zone: "a", cpu: 4096, mem: 4096, load: web(1)}},
			spec:  placement.Spec{Strategies: []placement.Strategy{spreadAZ, strat(placement.Spread, "instanceId")}},
			task:  placement.Task{CPU: 1, MemoryMiB: 1}, want: ids(0, 2)},
		{name: "spread a custom attribute; instances without it form one value",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4096, attrs: map[string]string{"rack": "r1"}, load: web(1)}, {zone: "a", cpu: 4096, mem: 4096, load: web(1)}, {zone: "a", cpu: 4096, mem: 4096}, {zone: "a", cpu: 4096, mem: 4096, attrs: map[string]string{"rack": "r2"}}},
			spec:  placement.Spec{Strategies: []placement.Strategy{strat(placement.Spread, "attribute:rack")}},
			task:  placement.Task{CPU: 1, MemoryMiB: 1}, want: ids(3)},
		{name: "random picks any feasible instance",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4096}, {zone: "b", cpu: 100, mem: 4096}, {zone: "c", cpu: 4096, mem: 300}, {zone: "a", cpu: 1024, mem: 1024}},
			spec:  placement.Spec{Strategies: []placement.Strategy{{Type: placement.Random}}},
			task:  placement.Task{CPU: 512, MemoryMiB: 512}, want: ids(0, 3)},
		{name: "random ends the ranking: later strategies do not apply",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4096}, {zone: "b", cpu: 1024, mem: 1024}},
			spec:  placement.Spec{Strategies: []placement.Strategy{{Type: placement.Random}, strat(placement.Binpack, "memory")}},
			task:  placement.Task{CPU: 512, MemoryMiB: 512}, want: ids(0, 1)},
		{name: "no strategy: fewest tasks of the service per AZ, then per instance",
			boxes: []box{{zone: "a", cpu: 4096, mem: 4096, load: web(1)}, {zone: "b", cpu: 4096, mem: 4096, load: web(1)}, {zone: "b", cpu: 4096, mem: 4096}, {zone: "c", cpu: 4096, mem: 4096, load: web(1)}},
			spec:  placement.Spec{}, task: placement.Task{CPU: 1, MemoryMiB: 1}, want: ids(2)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkPlacement(t, tc) })
	}
}

// TestFilterAndConstraints checks the resource filter and each constraint.
func TestFilterAndConstraints(t *testing.T) {
	any4 := placement.Spec{Strategies: []placement.Strategy{{Type: placement.Random}}}
	with := func(cons ...placement.Constraint) placement.Spec {
		return placement.Spec{Constraints: cons, Strategies: any4.Strategies}
	}
	four := []box{
		{zone: "us-east-1a", cpu: 2048, mem: 4096, eni: 2, attrs: map[string]string{"tier": "gold"}},
		{zone: "us-east-1b", cpu: 2048, mem: 4096, eni: 0, load: []load{{0, 0, "service:web"}}},
		{zone: "us-east-1c", cpu: 2048, mem: 4096, eni: 1, attrs: map[string]string{"tier": "silver"}, load: []load{{0, 0, "other"}, {0, 0, "other"}}},
		{zone: "us-east-1a", cpu: 2048, mem: 4096, eni: 3, draining: true},
	}
	tests := []placeCase{
		{name: "draining instances receive nothing", boxes: four, spec: any4, task: placement.Task{CPU: 1}, want: ids(0, 1, 2)},
		{name: "awsvpc needs a free ENI", boxes: four, spec: any4, task: placement.Task{ENIs: 1}, want: ids(0, 2)},
		{name: "distinctInstance skips instances running the group", boxes: four, spec: with(distinct), task: placement.Task{CPU: 1}, want: ids(0, 2)},
		{name: "memberOf zone equality", boxes: four, spec: with(memberOf("attribute:ecs.availability-zone == us-east-1a")), task: placement.Task{CPU: 1}, want: ids(0)},
		{name: "memberOf in", boxes: four, spec: with(memberOf("attribute:ecs.availability-zone in [us-east-1b, us-east-1c]")), task: placement.Task{CPU: 1}, want: ids(1, 2)},
		{name: "memberOf custom attribute exists", boxes: four, spec: with(memberOf("attribute:tier exists")), task: placement.Task{CPU: 1}, want: ids(0, 2)},
		{name: "memberOf regexp", boxes: four, spec: with(memberOf("attribute:tier =~ 'g.*'")), task: placement.Task{CPU: 1}, want: ids(0)},
		{name: "memberOf ec2InstanceId", boxes: four, spec: with(memberOf("ec2InstanceId not in [i-0, i-1]")), task: placement.Task{CPU: 1}, want: ids(2)},
		{name: "memberOf registeredAt", boxes: four, spec: with(memberOf("registeredAt >= 2025-01-01T00:01:00Z")), task: placement.Task{CPU: 1}, want: ids(1, 2)},
		{name: "memberOf runningTasksCount", boxes: four, spec: with(memberOf("runningTasksCount < 2")), task: placement.Task{CPU: 1}, want: ids(0, 1)},
		{name: "memberOf task:group", boxes: four, spec: with(memberOf("task:group == other")), task: placement.Task{CPU: 1}, want: ids(2)},
		{name: "memberOf not task:group", boxes: four, spec: with(memberOf("not task:group == service:web")), task: placement.Task{CPU: 1}, want: ids(0, 2)},
		{name: "constraints combine", boxes: four, spec: with(distinct, memberOf("attribute:tier == silver or attribute:ecs.availability-zone == us-east-1b")), task: placement.Task{CPU: 1}, want: ids(2)},
		{name: "no instance satisfies", boxes: four, spec: with(memberOf("attribute:tier == bronze")), task: placement.Task{CPU: 1}, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkPlacement(t, tc) })
	}
}

// TestPorts checks host-port conflicts and the 100-port limit.
func TestPorts(t *testing.T) {
	c := placement.NewCluster()
	reserved := make([]uint16, 0, 99)
	for p := range uint16(99) {
		reserved = append(reserved, 1000+p)
	}
	for k, ports := range [][]uint16{{22, 80}, reserved} {
		if _, err := c.Register(placement.Instance{EC2InstanceID: fmt.Sprint("i-", k), InstanceType: "m5.large",
			Zone: "a", CPU: 4096, MemoryMiB: 8192, ReservedPorts: ports}); err != nil {
			t.Fatal(err)
		}
	}
	plan := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}})
	rng := rand.New(rand.NewPCG(1, 2))
	g := c.Group("service:web")
	place := func(ports ...uint16) placement.Result {
		r, err := c.Place(plan, placement.Task{CPU: 1, MemoryMiB: 1, HostPorts: ports, Group: g}, rng)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Port 80 is taken on instance 0, so only instance 1 (99 reserved) fits.
	if r := place(80); r.Instance != 1 {
		t.Fatalf("port 80: placed on %d, want 1", r.Instance)
	}
	// Instance 1 now holds 100 ports; a second port 80 has nowhere to go.
	r := place(80)
	if r.Placed() || r.Rejection.Reason != placement.ReasonPorts {
		t.Fatalf("second port 80: %+v, want RESOURCE:PORTS", r)
	}
	// Port 8080: free on both, but instance 1 is at the limit of 100.
	if r := place(8080); r.Instance != 0 {
		t.Fatalf("port 8080: placed on %d, want 0", r.Instance)
	}
	if err := c.Release(1, placement.Task{CPU: 1, MemoryMiB: 1, HostPorts: []uint16{80}, Group: g}); err != nil {
		t.Fatal(err)
	}
	st, _ := c.State(1)
	if st.ReservedPorts != 99 {
		t.Fatalf("after release instance 1 reserves %d ports, want 99", st.ReservedPorts)
	}
	// Two more ports on instance 1 would make 101: the rejection names the
	// limit. Instance 0 is drained so that instance 1 is the closest match.
	if err := c.SetStatus(0, placement.Draining); err != nil {
		t.Fatal(err)
	}
	r = place(9000, 9001)
	want := "The closest matching container-instance i-1 can not exceed the maximum allowed reserved port limit of 100 host ports."
	if r.Placed() || !r.Rejection.PortLimit || !strings.HasSuffix(r.Rejection.Message(), want) {
		t.Fatalf("rejection %+v, message %q, want suffix %q", r.Rejection, r.Rejection.Message(), want)
	}
	// One more port fits exactly.
	if r := place(9000); r.Instance != 1 {
		t.Fatalf("port 9000: %+v, want instance 1", r)
	}
}

// TestRandomIsUniform checks that the random strategy and the final
// tie-break are uniform: 8,000 placements (each released again) over 4
// equally good instances, Pearson's chi-square with 3 degrees of freedom
// below 16.27 (p = 0.001). The seed is fixed, so the test is deterministic.
func TestRandomIsUniform(t *testing.T) {
	for _, spec := range []placement.Spec{
		{Strategies: []placement.Strategy{{Type: placement.Random}}},
		{Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}},
		{Strategies: []placement.Strategy{strat(placement.Spread, "instanceId")}},
		{}, // the default: spread over zones, then instances
		{Strategies: []placement.Strategy{strat(placement.Spread, "attribute:ecs.availability-zone"), strat(placement.Binpack, "memory")}},
		{Constraints: []placement.Constraint{memberOf("attribute:ecs.availability-zone in [a, b]")},
			Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}},
	} {
		boxes := []box{{zone: "a", cpu: 4096, mem: 4096}, {zone: "b", cpu: 4096, mem: 4096},
			{zone: "a", cpu: 4096, mem: 4096}, {zone: "b", cpu: 4096, mem: 4096}}
		boxes = append(boxes, box{zone: "a", cpu: 100, mem: 100}) // never fits
		c := build(t, boxes)
		plan := placement.MustCompile(spec)
		rng := rand.New(rand.NewPCG(42, 42))
		task := placement.Task{CPU: 512, MemoryMiB: 512, Group: c.Group("g")}
		const n = 8000
		var counts [5]int
		for range n {
			r, err := c.Place(plan, task, rng)
			if err != nil || !r.Placed() {
				t.Fatalf("%+v %v", r, err)
			}
			counts[r.Instance]++
			if err := c.Release(r.Instance, task); err != nil {
				t.Fatal(err)
			}
		}
		if counts[4] != 0 {
			t.Fatalf("%v: infeasible instance chosen %d times", spec.Strategies, counts[4])
		}
		chi2 := 0.0
		for _, k := range counts[:4] {
			d := float64(k) - n/4
			chi2 += d * d / (n / 4)
		}
		if chi2 > 16.27 {
			t.Errorf("%v: counts %v, chi-square %.2f > 16.27", spec.Strategies, counts, chi2)
		}
	}
}

// TestRejections checks the reason, the closest instance and the message
// for each kind of failure (reasons as in https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html,
// messages as in https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
func TestRejections(t *testing.T) {
	tests := []struct {
		name    string
		boxes   []box
		spec    placement.Spec
		task    placement.Task
		reason  placement.Reason
		closest placement.InstanceID
		message string
	}{
		{"empty cluster", nil, placement.Spec{}, placement.Task{CPU: 1},
			placement.ReasonNoActiveInstance, placement.NoInstance, "No Container Instances were found in your cluster."},
		{"all draining", []box{{zone: "a", cpu: 4096, mem: 4096, draining: true}}, placement.Spec{}, placement.Task{CPU: 1},
			placement.ReasonNoActiveInstance, placement.NoInstance, "No Container Instances were found"},
		{"cpu", []box{{zone: "a", cpu: 1024, mem: 4096}, {zone: "a", cpu: 512, mem: 4096}}, placement.Spec{}, placement.Task{CPU: 2048},
			placement.ReasonCPU, 0, "The closest matching container-instance i-0 has insufficient CPU units available."},
		{"memory beats cpu as closest", []box{{zone: "a", cpu: 1024, mem: 4096}, {zone: "a", cpu: 4096, mem: 512}}, placement.Spec{}, placement.Task{CPU: 2048, MemoryMiB: 1024},
			placement.ReasonMemory, 1, "The closest matching container-instance i-1 has insufficient memory available."},
		{"eni", []box{{zone: "a", cpu: 4096, mem: 4096}}, placement.Spec{}, placement.Task{CPU: 1, ENIs: 1},
			placement.ReasonENI, 0, `encountered error "RESOURCE:ENI"`},
		{"constraint", []box{{zone: "a", cpu: 4096, mem: 4096}, {zone: "b", cpu: 1, mem: 1}}, placement.Spec{Constraints: []placement.Constraint{memberOf("attribute:ecs.availability-zone == c")}}, placement.Task{CPU: 2},
			placement.ReasonConstraint, 0, "did not satisfy the placement constraint memberOf(attribute:ecs.availability-zone == c)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := build(t, tt.boxes)
			tt.task.Group = c.Group("service:web")
			r, err := c.Place(placement.MustCompile(tt.spec), tt.task, rand.New(rand.NewPCG(1, 1)))
			if err != nil {
				t.Fatal(err)
			}
			if r.Placed() {
				t.Fatalf("placed on %d", r.Instance)
			}
			got := []any{r.Rejection.Reason, r.Rejection.Closest}
			if diff := gocmp.Diff([]any{tt.reason, tt.closest}, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if msg := r.Rejection.Message(); !strings.Contains(msg, tt.message) ||
				!strings.HasPrefix(msg, "unable to place a task because no container instance met all of its requirements.") {
				t.Errorf("message %q does not contain %q", msg, tt.message)
			}
		})
	}
}

// TestPlaceBatch checks that later tasks of a batch see earlier ones.
func TestPlaceBatch(t *testing.T) {
	c := build(t, []box{{zone: "a", cpu: 4096, mem: 2048}, {zone: "b", cpu: 4096, mem: 2048}})
	plan := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}})
	task := placement.Task{CPU: 256, MemoryMiB: 1024, Group: c.Group("family:batch")}
	b, err := c.PlaceBatch(plan, task, placement.RunTaskLimit, rand.New(rand.NewPCG(1, 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	// Binpack fills the first chosen instance (2 tasks) before the other.
	if len(b.Placed) != 4 || b.Placed[0] != b.Placed[1] || b.Placed[2] != b.Placed[3] || b.Placed[0] == b.Placed[2] {
		t.Fatalf("placed %v, want two pairs on distinct instances", b.Placed)
	}
	if b.Rejection == nil || b.Rejection.Reason != placement.ReasonMemory || b.Rejection.Failed.Memory != 2 {
		t.Fatalf("rejection %+v, want RESOURCE:MEMORY on both instances", b.Rejection)
	}
}

// fieldRule is one expected validation problem: the field it names and
// a part of its rule.
type fieldRule struct{ field, rule string }

// fieldErrors returns every *fielderr.Error inside err (joined or wrapped).
func fieldErrors(err error) []*fielderr.Error {
	var out []*fielderr.Error
	var walk func(error)
	walk = func(e error) {
		if fe, ok := e.(*fielderr.Error); ok {
			out = append(out, fe)
			return
		}
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// wantFieldErrors checks that err matches sentinel and holds exactly the
// field errors in want (in order), each matching the sentinel.
func wantFieldErrors(t *testing.T, err, sentinel error, want []fieldRule) {
	t.Helper()
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v does not match %v", err, sentinel)
	}
	got := fieldErrors(err)
	if len(got) != len(want) {
		t.Fatalf("%d field errors, want %d:\n%v", len(got), len(want), err)
	}
	for k, w := range want {
		if got[k].Field != w.field || !strings.Contains(got[k].Rule, w.rule) || !errors.Is(got[k], sentinel) {
			t.Errorf("problem %d is %q (field %q, rule %q), want field %q and a rule with %q",
				k, got[k], got[k].Field, got[k].Rule, w.field, w.rule)
		}
	}
}

// TestValidation checks that bad input is an error naming field, value and
// rule, with every problem reported at once.
func TestValidation(t *testing.T) {
	_, err := placement.NewCluster().Register(placement.Instance{CPU: -1, MemoryMiB: 0, ENIs: -2,
		Attributes: map[string]string{placement.AttrAvailabilityZone: "x", "k": ""}})
	wantFieldErrors(t, err, placement.ErrInvalidInstance, []fieldRule{
		{"Instance.EC2InstanceID", "is required"},
		{"Instance.InstanceType", "is required"},
		{"Instance.Zone", "is required"},
		{"Instance.CPU", "must be 1 to 1048576 CPU units"},
		{"Instance.MemoryMiB", "must be 1 to 16777216 MiB"},
		{"Instance.ENIs", "must be 0 to 4096"},
		{"Instance.Attributes", "is set by the Zone and InstanceType fields"},
		{`Instance.Attributes["k"]`, "attribute value must have 1 to 128 characters"},
	})

	long := strings.Repeat("a", placement.MaxExpressionLength+1)
	spec := placement.Spec{
		Constraints: append(slices.Repeat([]placement.Constraint{distinct}, 9),
			placement.Constraint{Type: placement.DistinctInstance, Expression: "x"}, memberOf(long), memberOf("attribute:x ==")),
		Strategies: []placement.Strategy{strat(placement.Binpack, "disk"), strat(placement.Spread, "zone"),
			strat("pack", ""), {Type: placement.Random}, {Type: placement.Random}, {Type: placement.Random}},
	}
	_, err = placement.Compile(spec)
	wantFieldErrors(t, err, placement.ErrInvalidSpec, []fieldRule{
		{"Spec.Constraints", "at most 10 constraints"},
		{"Spec.Strategies", "at most 5 strategies"},
		{"Spec.Constraints[9].Expression", "must be empty for distinctInstance"},
		{"Spec.Constraints[10].Expression", "must have 1 to 2000 characters for memberOf (it has 2001)"},
		// Constraints[11] is the *ParseError, below.
		{"Spec.Strategies[0].Field", "must be cpu or memory for binpack"},
		{"Spec.Strategies[1].Field", "must be instanceId, host or attribute:<name> for spread"},
		{"Spec.Strategies[2].Type", `must be "binpack", "spread", "random" or "custom"`},
	})
	var pe *placement.ParseError
	if !errors.As(err, &pe) || pe.Offset != 14 || !errors.Is(err, placement.ErrInvalidExpression) ||
		!strings.Contains(err.Error(), "Spec.Constraints[11].Expression: placement: cluster query expression") {
		t.Errorf("Compile error %v does not hold the expression's *ParseError at offset 14", err)
	}

	c := build(t, []box{{zone: "a", cpu: 1024, mem: 1024}})
	plan := placement.MustCompile(placement.Spec{})
	rng := rand.New(rand.NewPCG(1, 1))
	g := c.Group("g") // GroupID 0
	for _, tc := range []struct {
		task placement.Task
		want []fieldRule
	}{
		{placement.Task{CPU: -1, MemoryMiB: 1 << 30, ENIs: -1}, []fieldRule{{"Task.CPU", "must be 0 to"}, {"Task.MemoryMiB", "must be 0 to"}, {"Task.ENIs", "must be 0 to"}}},
		{placement.Task{Group: 99}, []fieldRule{{"Task.Group", "interned with Cluster.Group"}}},
		{placement.Task{HostPorts: []uint16{80, 80}}, []fieldRule{{"Task.HostPorts", "listed twice"}}},
		{placement.Task{HostPorts: []uint16{0}}, []fieldRule{{"Task.HostPorts", "reserves no port"}}},
	} {
		_, err := c.Place(plan, tc.task, rng)
		wantFieldErrors(t, err, placement.ErrInvalidTask, tc.want)
	}
	if err := c.Release(0, placement.Task{CPU: 1, Group: g}); !errors.Is(err, placement.ErrBadRelease) {
		t.Errorf("release of nothing: %v, want ErrBadRelease", err)
	}
	if err := c.Release(5, placement.Task{Group: g}); !errors.Is(err, placement.ErrUnknownInstance) {
		t.Errorf("release on unknown instance: %v, want ErrUnknownInstance", err)
	}
	_, err = c.PlaceBatch(plan, placement.Task{Group: g}, placement.MaxBatch+1, rng, nil)
	wantFieldErrors(t, err, placement.ErrInvalidTask, []fieldRule{{"count", "must be 0 to 5000"}})
}

// TestInstanceLifecycle checks deregistration, attribute changes and status.
func TestInstanceLifecycle(t *testing.T) {
	c := build(t, []box{{zone: "a", cpu: 4096, mem: 4096, load: []load{{0, 0, "service:web"}}}, {zone: "b", cpu: 4096, mem: 4096}})
	plan := placement.MustCompile(placement.Spec{Constraints: []placement.Constraint{memberOf("attribute:tier == gold")},
		Strategies: []placement.Strategy{{Type: placement.Random}}})
	rng := rand.New(rand.NewPCG(1, 1))
	task := placement.Task{CPU: 1, Group: c.Group("service:web")}
	if r, _ := c.Place(plan, task, rng); r.Placed() {
		t.Fatalf("placed on %d before any instance is gold", r.Instance)
	}
	if err := c.SetAttribute(1, "tier", "gold"); err != nil {
		t.Fatal(err)
	}
	if r, _ := c.Place(plan, task, rng); r.Instance != 1 {
		t.Fatalf("placed on %d, want 1 (gold)", r.Instance)
	}
	if err := c.SetAttribute(1, "tier", ""); err != nil {
		t.Fatal(err)
	}
	if v, ok := c.Attribute(1, "tier"); ok {
		t.Fatalf("tier still %q after removal", v)
	}
	if err := c.Deregister(0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.State(0); !errors.Is(err, placement.ErrUnknownInstance) {
		t.Fatalf("State of deregistered instance: %v", err)
	}
	// Spread over AZs no longer sees the task on the deregistered instance.
	spread := placement.MustCompile(placement.Spec{Strategies: []placement.Strategy{strat(placement.Spread, "attribute:ecs.availability-zone")}})
	id, _ := c.Register(placement.Instance{EC2InstanceID: "i-9", InstanceType: "m5.large", Zone: "a", CPU: 4096, MemoryMiB: 4096})
	if r, _ := c.Place(spread, task, rng); r.Instance != id {
		t.Fatalf("spread placed on %d, want %d in zone a (zone b has 1 task)", r.Instance, id)
	}
	if err := c.SetStatus(id, 7); !errors.Is(err, placement.ErrInvalidInstance) {
		t.Fatalf("SetStatus(7): %v", err)
	}
}

// TestChooseVictims checks scale-in selection per strategy
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html for the strategies,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html for the default).
func TestChooseVictims(t *testing.T) {
	web := func(n int) []load { return slices.Repeat([]load{{256, 512, "service:web"}}, n) }
	tests := []struct {
		name  string
		boxes []box
		spec  placement.Spec
		want  []placement.InstanceID // instances whose tasks are acceptable first victims
	}{
		{"binpack memory stops where the most memory will be free",
			[]box{{zone: "a", cpu: 4096, mem: 1024, load: web(2)}, {zone: "a", cpu: 4096, mem: 8192, load: web(1)}, {zone: "a", cpu: 4096, mem: 2048, load: web(1)}},
			placement.Spec{Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}}, ids(1)},
		{"binpack cpu stops where the most CPU will be free",
			[]box{{zone: "a", cpu: 8192, mem: 8192, load: web(1)}, {zone: "a", cpu: 1024, mem: 9000, load: web(1)}},
			placement.Spec{Strategies: []placement.Strategy{strat(placement.Binpack, "cpu")}}, ids(0)},
		{"spread AZ stops in the fullest zone",
			[]box{{zone: "a", cpu: 4096, mem: 8192, load: web(1)}, {zone: "b", cpu: 4096, mem: 8192, load: web(1)}, {zone: "b", cpu: 4096, mem: 8192, load: web(1)}},
			placement.Spec{Strategies: []placement.Strategy{strat(placement.Spread, "attribute:ecs.availability-zone")}}, ids(1, 2)},
		{"spread instanceId stops on the fullest instance",
			[]box{{zone: "a", cpu: 4096, mem: 8192, load: web(3)}, {zone: "b", cpu: 4096, mem: 8192, load: web(1)}},
			placement.Spec{Strategies: []placement.Strategy{strat(placement.Spread, "instanceId")}}, ids(0)},
		{"random stops any task",
			[]box{{zone: "a", cpu: 4096, mem: 8192, load: web(1)}, {zone: "b", cpu: 4096, mem: 8192, load: web(1)}},
			placement.Spec{Strategies: []placement.Strategy{{Type: placement.Random}}}, ids(0, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := build(t, tt.boxes)
			var tasks []placement.RunningTask
			g := c.Group("service:web")
			for k, b := range tt.boxes {
				for range b.load {
					tasks = append(tasks, placement.RunningTask{Instance: placement.InstanceID(k),
						Task: placement.Task{CPU: 256, MemoryMiB: 512, Group: g}})
				}
			}
			seen := map[placement.InstanceID]bool{}
			for seed := range uint64(40) {
				v, err := c.ChooseVictims(placement.MustCompile(tt.spec), tasks, 1, rand.New(rand.NewPCG(seed, 3)))
				if err != nil {
					t.Fatal(err)
				}
				got := tasks[v[0]].Instance
				if !slices.Contains(tt.want, got) {
					t.Fatalf("victim on %d, want one of %v", got, tt.want)
				}
				seen[got] = true
			}
			if len(seen) != len(tt.want) {
				t.Errorf("victims on %v over 40 seeds, want every one of %v", seen, tt.want)
			}
		})
	}
}

// TestHotPathAllocations locks in zero allocations for place + release in
// steady state, for every benchmarked strategy.
func TestHotPathAllocations(t *testing.T) {
	for _, st := range benchStrategies {
		f := newBenchFleet(t, 2000, st)
		plan := placement.MustCompile(st.spec)
		rng := rand.New(rand.NewPCG(5, 6))
		op := func() {
			lt := f.draw(rng)
			if r, _ := f.c.Place(plan, f.task(lt), rng); r.Placed() {
				if err := f.c.Release(r.Instance, f.task(lt)); err != nil {
					t.Fatal(err)
				}
			}
		}
		for range 20000 {
			op()
		}
		if a := testing.AllocsPerRun(2000, op); a != 0 {
			t.Errorf("%s: place + release allocates %.2f times per op, want 0", st.name, a)
		}
	}
}

// TestSelectiveMemberOf checks the path that scans a selective static
// constraint's members: 2 of 24 instances qualify, binpack picks the fuller.
func TestSelectiveMemberOf(t *testing.T) {
	boxes := slices.Repeat([]box{{zone: "a", cpu: 4096, mem: 4096}}, 24)
	boxes[5] = box{zone: "a", cpu: 4096, mem: 4096, attrs: map[string]string{"gpu": "yes"}}
	boxes[17] = box{zone: "a", cpu: 4096, mem: 3000, attrs: map[string]string{"gpu": "yes"}}
	checkPlacement(t, placeCase{boxes: boxes,
		spec: placement.Spec{Constraints: []placement.Constraint{memberOf("attribute:gpu == yes")},
			Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}},
		task: placement.Task{CPU: 1, MemoryMiB: 1000}, want: ids(17)})
	checkPlacement(t, placeCase{boxes: boxes,
		spec: placement.Spec{Constraints: []placement.Constraint{memberOf("attribute:gpu == yes")},
			Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}},
		task: placement.Task{CPU: 1, MemoryMiB: 3500}, want: ids(5)})
}

// TestAccessors checks the small read-only accessors.
func TestAccessors(t *testing.T) {
	c := build(t, []box{{zone: "us-east-1a", cpu: 1024, mem: 1024, load: []load{{1, 1, "service:web"}}}, {zone: "b", cpu: 1, mem: 1, draining: true}})
	g := c.Group("service:web")
	st, err := c.State(1)
	got := []any{c.Len(), c.GroupName(g), c.TasksOf(0, g), c.TasksOf(1, g), placement.Active.String(), st.Status.String(), err}
	want := []any{2, "service:web", 1, 0, "ACTIVE", "DRAINING", nil}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if v, ok := c.Attribute(0, placement.AttrAvailabilityZone); v != "us-east-1a" || !ok {
		t.Errorf("zone attribute %q %v", v, ok)
	}
	if _, ok := c.Attribute(0, "nope"); ok {
		t.Errorf("unknown attribute reported present")
	}
	e, _ := placement.ParseExpression("attribute:a exists")
	if e.String() != "attribute:a exists" {
		t.Errorf("String() = %q", e.String())
	}
}

// TestGroupIndexIsUniform checks that the group index's sampling paths
// draw uniformly among tied instances, as the scan does: spread(instanceId)
// over 40 instances that all run one task of the group (count bucket 1,
// spread over several resource cells, more candidates than the sampling
// threshold), distinctInstance with random over the 8 feasible instances
// of 100 where the group runs on 90 (rank selection over the non-members),
// and distinctInstance with binpack over a leaf of 30 tied instances.
// Pearson's chi-square with k-1 degrees of freedom must stay below the
// p = 0.001 quantile. Seeds are fixed, so the test is deterministic.
func TestGroupIndexIsUniform(t *testing.T) {
	one := []load{{64, 64, "g"}}
	var spread, random, binpack []box
	for k := range 40 { // capacities 1 to 8 GiB: several cells
		spread = append(spread, box{zone: []string{"a", "b"}[k%2], cpu: 1024 * (1 + k%8), mem: 1024 * (1 + k%8), load: one})
	}
	for k := range 100 {
		b := box{zone: "a", cpu: 4096, mem: 4096}
		switch {
		case k < 90:
			b.load = one
		case k < 92:
			b.cpu = 100 // free of the group but too small
		}
		random = append(random, b)
	}
	for k := range 40 {
		b := box{zone: "a", cpu: 4096, mem: 4096}
		if k < 10 {
			b.load = one
			b.mem = 4096 + 64 // the same free memory as the others once loaded
		}
		binpack = append(binpack, b)
	}
	for _, tc := range []struct {
		name  string
		boxes []box
		spec  placement.Spec
		want  []int   // the instances that must share the placements
		chi2  float64 // chi-square quantile at p = 0.001 for len(want)-1 degrees of freedom
	}{
		{"spread-instance", spread, placement.Spec{}, seq(0, 40), 72.05},
		{"distinct-random", random, placement.Spec{Constraints: []placement.Constraint{distinct},
			Strategies: []placement.Strategy{{Type: placement.Random}}}, seq(92, 100), 24.32},
		{"distinct-binpack", binpack, placement.Spec{Constraints: []placement.Constraint{distinct},
			Strategies: []placement.Strategy{strat(placement.Binpack, "memory")}}, seq(10, 40), 58.30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := build(t, tc.boxes)
			plan := placement.MustCompile(tc.spec)
			rng := rand.New(rand.NewPCG(42, 43))
			task := placement.Task{CPU: 128, MemoryMiB: 128, Group: c.Group("g")}
			n := 1000 * len(tc.want)
			counts := map[int]int{}
			for range n {
				r, err := c.Place(plan, task, rng)
				if err != nil || !r.Placed() {
					t.Fatalf("%+v %v", r, err)
				}
				counts[int(r.Instance)]++
				if err := c.Release(r.Instance, task); err != nil {
					t.Fatal(err)
				}
			}
			chi2 := 0.0
			for _, i := range tc.want {
				d := float64(counts[i]) - 1000
				chi2 += d * d / 1000
				delete(counts, i)
			}
			if len(counts) != 0 {
				t.Fatalf("placed on instances outside the tie set: %v", counts)
			}
			if chi2 > tc.chi2 {
				t.Errorf("chi-square %.2f > %.2f", chi2, tc.chi2)
			}
		})
	}
}

func seq(from, to int) []int {
	var out []int
	for k := from; k < to; k++ {
		out = append(out, k)
	}
	return out
}
