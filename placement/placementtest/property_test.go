package placementtest_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"pgregory.net/rapid"

	"github.com/ecssim/ecssim/placement"
	"github.com/ecssim/ecssim/placement/placementtest"
)

// instanceTypes are (name, CPU units, MiB, ENIs); small enough that random
// tasks exhaust them and rejections happen often.
var instanceTypes = []struct {
	name          string
	cpu, mem, eni int
}{
	{"t3.small", 2048, 2048, 2},
	{"m5.large", 2048, 8192, 3},
	{"c5.xlarge", 4096, 8192, 4},
	{"r5.large", 2048, 16384, 0},
}

var zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

var groups = []string{"service:a", "service:b", "family:c"}

var base = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// expressions cover every operator and subject of the query language.
var expressions = []string{
	"attribute:ecs.availability-zone == us-east-1a",
	"attribute:ecs.availability-zone != us-east-1b",
	"attribute:ecs.instance-type in [m5.large, c5.xlarge]",
	"attribute:ecs.instance-type not in [t3.small]",
	"attribute:ecs.instance-type =~ '(m|c)5\\..*'",
	"attribute:ecs.instance-type !~ r5.*",
	"attribute:tier exists",
	"attribute:tier !exists",
	"attribute:rack > 2",
	"attribute:rack >= 2 and attribute:rack <= 3",
	"attribute:rack < 2 or attribute:tier == gold",
	"not (attribute:tier == gold) && attribute:ecs.availability-zone in [us-east-1a, us-east-1c]",
	"ec2InstanceId in ['i-000', 'i-002', 'i-004', 'i-006', 'i-008']",
	"ec2InstanceId =~ 'i-00[0-4]'",
	"ec2InstanceId != i-001",
	"ec2InstanceId in [i-001, i-005]", // selective: few members, scanned directly
	"registeredAt > 2025-06-01T00:05:00Z",
	"registeredAt <= 2025-06-01T00:07:00",
	"runningTasksCount < 3",
	"runningTasksCount == 0 or runningTasksCount >= 4",
	"task:group == service:a",
	"task:group != service:b",
	"task:group in [service:a, family:c] or attribute:tier == silver",
	"task:group =~ service:.*",
}

var strategies = []placement.Strategy{
	{Type: placement.Binpack, Field: "memory"},
	{Type: placement.Binpack, Field: "cpu"},
	{Type: placement.Spread, Field: "instanceId"},
	{Type: placement.Spread, Field: "host"},
	{Type: placement.Spread, Field: "attribute:ecs.availability-zone"},
	{Type: placement.Spread, Field: "attribute:tier"},
	{Type: placement.Spread, Field: "attribute:ecs.instance-type"},
	{Type: placement.Random},
	{Type: placement.Custom, Scorer: alignment{}},
	{Type: placement.Custom, Scorer: pairsOfTasks{}},
	{Type: placement.Custom, Scorer: nanWithoutENI{}},
}

var filters = []placement.Filter{evenInstances{}, memoryHeadroom{}, fewTasks{}}

// evenInstances keeps instances with an even ID.
type evenInstances struct{}

func (evenInstances) Keep(_ placement.Task, c placement.Candidate) bool { return c.Instance%2 == 0 }

// memoryHeadroom keeps instances that keep a quarter of their memory free
// once the task is placed.
type memoryHeadroom struct{}

func (memoryHeadroom) Keep(t placement.Task, c placement.Candidate) bool {
	return 4*(c.FreeMemoryMiB-t.MemoryMiB) >= c.MemoryMiB
}

// fewTasks keeps instances running fewer than 3 tasks, at most one of the
// task's group.
type fewTasks struct{}

func (fewTasks) Keep(_ placement.Task, c placement.Candidate) bool {
	return c.RunningTasks < 3 && c.GroupTasks <= 1
}

// alignment is Tetris's alignment score (the task's demand dotted with
// the instance's free resources, each normalised by capacity), negated so
// that the best-aligned instance ranks first; ties are rare.
type alignment struct{}

func (alignment) Score(t placement.Task, c placement.Candidate) float64 {
	return -(float64(t.CPU)*float64(c.FreeCPU)/float64(c.CPU) + float64(t.MemoryMiB)*float64(c.FreeMemoryMiB)/float64(c.MemoryMiB))
}

// pairsOfTasks scores by running tasks in pairs and by the group's tasks:
// coarse, so that ties go on to the next strategy.
type pairsOfTasks struct{}

func (pairsOfTasks) Score(t placement.Task, c placement.Candidate) float64 {
	return float64(c.RunningTasks/2) - float64(c.GroupTasks)/10
}

// nanWithoutENI scores NaN (counted as +Inf) on instances with no free ENI
// and the free memory modulo 3 GiB otherwise, with -0 for zero.
type nanWithoutENI struct{}

func (nanWithoutENI) Score(t placement.Task, c placement.Candidate) float64 {
	switch {
	case c.FreeENI == 0:
		return math.NaN()
	case c.FreeMemoryMiB%3072 == 0:
		return math.Copysign(0, -1)
	}
	return float64(c.FreeMemoryMiB%3072) / 1024
}

func drawSpec(t *rapid.T, label string) placement.Spec {
	var s placement.Spec
	for range rapid.IntRange(0, 3).Draw(t, label+"-nstrat") {
		s.Strategies = append(s.Strategies, rapid.SampledFrom(strategies).Draw(t, label+"-strat"))
	}
	for range rapid.IntRange(0, 2).Draw(t, label+"-ncons") {
		switch rapid.IntRange(0, 5).Draw(t, label+"-distinct") {
		case 0:
			s.Constraints = append(s.Constraints, placement.Constraint{Type: placement.DistinctInstance})
		case 1:
			s.Constraints = append(s.Constraints, placement.Constraint{Type: placement.CustomFilter,
				Filter: rapid.SampledFrom(filters).Draw(t, label+"-filter")})
		default:
			s.Constraints = append(s.Constraints, placement.Constraint{Type: placement.MemberOf,
				Expression: rapid.SampledFrom(expressions).Draw(t, label+"-expr")})
		}
	}
	return s
}

func drawInstance(t *rapid.T, k int) placement.Instance {
	it := rapid.SampledFrom(instanceTypes).Draw(t, "type")
	in := placement.Instance{
		EC2InstanceID: fmt.Sprintf("i-%03d", k),
		InstanceType:  it.name,
		Zone:          rapid.SampledFrom(zones).Draw(t, "zone"),
		CPU:           it.cpu, MemoryMiB: it.mem, ENIs: it.eni,
		RegisteredAt: base.Add(time.Duration(k) * time.Minute),
		Attributes:   map[string]string{placement.AttrOSType: "linux"},
	}
	if tier := rapid.SampledFrom([]string{"", "gold", "silver"}).Draw(t, "tier"); tier != "" {
		in.Attributes["tier"] = tier
	}
	in.Attributes["rack"] = fmt.Sprint(rapid.IntRange(1, 4).Draw(t, "rack"))
	if rapid.IntRange(0, 4).Draw(t, "reserved") == 0 {
		in.ReservedPorts = []uint16{22}
	}
	return in
}

func drawTask(t *rapid.T) placementtest.Task {
	task := placementtest.Task{
		CPU:       rapid.SampledFrom([]int{0, 128, 256, 512, 1024, 2048}).Draw(t, "cpu"),
		MemoryMiB: rapid.SampledFrom([]int{0, 128, 256, 512, 1024, 2048, 4096}).Draw(t, "mem"),
		ENIs:      rapid.IntRange(0, 1).Draw(t, "eni"),
		Group:     rapid.SampledFrom(groups).Draw(t, "group"),
	}
	switch rapid.IntRange(0, 5).Draw(t, "ports") {
	case 0:
		task.HostPorts = []uint16{80}
	case 1:
		task.HostPorts = []uint16{80, 443}
	case 2:
		task.HostPorts = []uint16{22}
	}
	return task
}

type live struct {
	id   placement.InstanceID
	task placementtest.Task
}

// TestEngineAgreesWithReference runs long mixed sequences of placements,
// releases, status changes, registrations, attribute changes and scale-in
// selections on the engine and the naive reference side by side. Every
// placement must land on an instance the reference ranks best (the same
// instance when the best is unique), every rejection must be a rejection
// for the reference too with the same reason and closest instance, and
// every scale-in victim must be one the reference ranks best.
func TestEngineAgreesWithReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		agree(t, mix{fleet: 16, steps: 80, groups: groups, spec: drawSpec, drawTask: drawTask})
	})
}

// TestGroupIndexAgreesWithReference is the same property aimed at the
// per-group index behind spread(instanceId) and distinctInstance: larger
// fleets (up to 60 instances, so that count buckets outgrow the sampling
// threshold), eight groups, plans that are mostly ECS's default
// [spread(attribute:ecs.availability-zone), spread(instanceId)],
// spread(instanceId) alone and distinctInstance under every strategy, small
// tasks so that instances run many tasks of a group, and as many releases
// as placements so that instances move down the buckets as well as up.
func TestGroupIndexAgreesWithReference(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		agree(t, mix{fleet: 60, steps: 150, groups: manyGroups, spec: drawGroupSpec, drawTask: drawSmallTask,
			releases: true, prefill: rapid.IntRange(0, 100).Draw(t, "prefill")})
	})
}

var manyGroups = []string{"service:a", "service:b", "service:c", "service:d", "service:e", "service:f", "family:g", "family:h"}

var (
	spreadAZ       = placement.Strategy{Type: placement.Spread, Field: "attribute:ecs.availability-zone"}
	spreadInstance = placement.Strategy{Type: placement.Spread, Field: "instanceId"}
	distinct       = placement.Constraint{Type: placement.DistinctInstance}
)

// groupSpecs are the plans TestGroupIndexAgreesWithReference draws from.
var groupSpecs = []placement.Spec{
	{},
	{Strategies: []placement.Strategy{spreadAZ, spreadInstance}},
	{Strategies: []placement.Strategy{spreadInstance}},
	{Strategies: []placement.Strategy{{Type: placement.Spread, Field: "host"}, {Type: placement.Random}}},
	{Strategies: []placement.Strategy{{Type: placement.Spread, Field: "attribute:tier"}, spreadInstance}},
	{Constraints: []placement.Constraint{distinct}},
	{Constraints: []placement.Constraint{distinct}, Strategies: []placement.Strategy{spreadAZ}},
	{Constraints: []placement.Constraint{distinct}, Strategies: []placement.Strategy{{Type: placement.Binpack, Field: "memory"}}},
	{Constraints: []placement.Constraint{distinct}, Strategies: []placement.Strategy{{Type: placement.Binpack, Field: "cpu"}}},
	{Constraints: []placement.Constraint{distinct}, Strategies: []placement.Strategy{{Type: placement.Random}}},
	{Constraints: []placement.Constraint{distinct, {Type: placement.MemberOf, Expression: "attribute:rack != 4"}},
		Strategies: []placement.Strategy{spreadAZ, spreadInstance}},
	{Constraints: []placement.Constraint{{Type: placement.MemberOf, Expression: "attribute:ecs.instance-type != t3.small"}},
		Strategies: []placement.Strategy{spreadAZ, spreadInstance}},
}

func drawGroupSpec(t *rapid.T, label string) placement.Spec {
	if rapid.IntRange(0, 9).Draw(t, label+"-any") == 0 {
		return drawSpec(t, label)
	}
	return rapid.SampledFrom(groupSpecs).Draw(t, label+"-spec")
}

// drawSmallTask is drawTask with small tasks, mostly without ports, so
// that an instance runs many tasks of one group.
func drawSmallTask(t *rapid.T) placementtest.Task {
	task := placementtest.Task{
		CPU:       rapid.SampledFrom([]int{0, 100, 128, 256, 300, 512, 1024}).Draw(t, "cpu"),
		MemoryMiB: rapid.SampledFrom([]int{0, 128, 256, 700, 1024, 2048}).Draw(t, "mem"),
		ENIs:      rapid.IntRange(0, 4).Draw(t, "eni") / 4,
		Group:     rapid.SampledFrom(manyGroups).Draw(t, "group"),
	}
	if rapid.IntRange(0, 9).Draw(t, "ports") == 0 {
		task.HostPorts = []uint16{80}
	}
	return task
}

// mix configures one run of agree.
type mix struct {
	fleet, steps int // at most this many instances at the start, and steps
	groups       []string
	spec         func(t *rapid.T, label string) placement.Spec
	drawTask     func(t *rapid.T) placementtest.Task
	releases     bool // release almost as often as place
	prefill      int  // steps that only place, before the mix starts
}

// agree drives the engine and the reference side by side; see
// TestEngineAgreesWithReference.
func agree(t *rapid.T, m mix) {
	{
		c := placement.NewCluster()
		var ref placementtest.Reference
		gid := map[string]placement.GroupID{}
		for _, g := range m.groups {
			gid[g] = c.Group(g)
		}
		toTask := func(rt placementtest.Task) placement.Task {
			return placement.Task{CPU: rt.CPU, MemoryMiB: rt.MemoryMiB, ENIs: rt.ENIs, HostPorts: rt.HostPorts, Group: gid[rt.Group]}
		}
		register := func() {
			in := drawInstance(t, len(ref.Instances))
			id, err := c.Register(in)
			if err != nil {
				t.Fatalf("Register: %v", err)
			}
			if rid := ref.Register(in); rid != id {
				t.Fatalf("engine ID %d, reference ID %d", id, rid)
			}
		}
		for range rapid.IntRange(0, m.fleet).Draw(t, "fleet") {
			register()
		}
		plans := make([]*placement.Plan, 3)
		for k := range plans {
			plans[k] = placement.MustCompile(m.spec(t, fmt.Sprint("plan", k)))
		}
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 7))
		var tasks []live
		steps := m.prefill + rapid.IntRange(1, m.steps).Draw(t, "steps")
		for step := range steps {
			op := rapid.IntRange(0, 12).Draw(t, "op")
			if step < m.prefill {
				op = 0
			}
			switch {
			case op <= 5 && !(m.releases && op == 5): // place a batch of 1 to 3
				plan := plans[rapid.IntRange(0, len(plans)-1).Draw(t, "plan")]
				rt := m.drawTask(t)
				for range rapid.IntRange(1, 3).Draw(t, "count") {
					diag, err := c.Diagnose(plan, toTask(rt))
					if err != nil {
						t.Fatalf("step %d: Diagnose: %v", step, err)
					}
					if diff := cmp.Diff(ref.Diagnose(plan, rt), diag, cmpopts.EquateEmpty()); diff != "" {
						t.Fatalf("step %d: Diagnose (-reference +engine):\n%s", step, diff)
					}
					best := ref.Best(plan, rt)
					res, err := c.Place(plan, toTask(rt), rng)
					if err != nil {
						t.Fatalf("step %d: Place: %v", step, err)
					}
					if !res.Placed() {
						if best != nil {
							t.Fatalf("step %d: engine rejected (%s) but reference places on %v; spec %+v task %+v",
								step, res.Rejection.Reason, best, plan.Spec(), rt)
						}
						want := ref.Explain(plan, rt)
						got := placementtest.Explanation{Reason: res.Rejection.Reason, Closest: res.Rejection.Closest,
							Constraint: res.Rejection.Constraint, PortLimit: res.Rejection.PortLimit}
						if got != want {
							t.Fatalf("step %d: rejection %+v, reference %+v", step, got, want)
						}
						break
					}
					if !slices.Contains(best, res.Instance) {
						t.Fatalf("step %d: engine chose %d, reference best set %v; spec %+v task %+v",
							step, res.Instance, best, plan.Spec(), rt)
					}
					ref.Allocate(res.Instance, rt)
					tasks = append(tasks, live{res.Instance, rt})
				}
			case op <= 8: // release
				if len(tasks) == 0 {
					continue
				}
				k := rapid.IntRange(0, len(tasks)-1).Draw(t, "release")
				if err := c.Release(tasks[k].id, toTask(tasks[k].task)); err != nil {
					t.Fatalf("step %d: Release: %v", step, err)
				}
				ref.Release(tasks[k].id, tasks[k].task)
				tasks = slices.Delete(tasks, k, k+1)
			case op == 9: // drain or reactivate
				if len(ref.Instances) == 0 {
					continue
				}
				id := placement.InstanceID(rapid.IntRange(0, len(ref.Instances)-1).Draw(t, "inst"))
				if ref.Instances[id].Removed {
					continue
				}
				s := rapid.SampledFrom([]placement.Status{placement.Active, placement.Draining}).Draw(t, "status")
				if err := c.SetStatus(id, s); err != nil {
					t.Fatalf("SetStatus: %v", err)
				}
				ref.SetStatus(id, s)
			case op == 10: // register, or change an attribute
				if rapid.Bool().Draw(t, "newInstance") || len(ref.Instances) == 0 {
					register()
					continue
				}
				id := placement.InstanceID(rapid.IntRange(0, len(ref.Instances)-1).Draw(t, "inst"))
				if ref.Instances[id].Removed {
					continue
				}
				v := rapid.SampledFrom([]string{"", "gold", "silver"}).Draw(t, "tier")
				if err := c.SetAttribute(id, "tier", v); err != nil {
					t.Fatalf("SetAttribute: %v", err)
				}
				ref.SetAttribute(id, "tier", v)
			case op == 11: // deregister an instance; its tasks are gone
				if len(ref.Instances) == 0 {
					continue
				}
				id := placement.InstanceID(rapid.IntRange(0, len(ref.Instances)-1).Draw(t, "inst"))
				if ref.Instances[id].Removed {
					continue
				}
				if err := c.Deregister(id); err != nil {
					t.Fatalf("Deregister: %v", err)
				}
				ref.Deregister(id)
				tasks = slices.DeleteFunc(tasks, func(l live) bool { return l.id == id })
			default: // scale-in selection for one group (does not change state)
				group := rapid.SampledFrom(m.groups).Draw(t, "victimGroup")
				var running []placement.RunningTask
				for _, l := range tasks {
					if l.task.Group == group {
						running = append(running, placement.RunningTask{Instance: l.id, Task: toTask(l.task)})
					}
				}
				if len(running) == 0 {
					continue
				}
				plan := plans[rapid.IntRange(0, len(plans)-1).Draw(t, "plan")]
				count := rapid.IntRange(1, len(running)).Draw(t, "victims")
				victims, err := c.ChooseVictims(plan, running, count, rng)
				if err != nil {
					t.Fatalf("ChooseVictims: %v", err)
				}
				stopped := make([]bool, len(running))
				for n, v := range victims {
					cands := ref.VictimCandidates(plan, running, stopped)
					if !slices.Contains(cands, v) {
						t.Fatalf("step %d: victim %d is task %d, reference candidates %v; spec %+v",
							step, n, v, cands, plan.Spec())
					}
					stopped[v] = true
				}
			}
		}
		// Bookkeeping agrees at the end.
		for _, in := range ref.Instances {
			if in.Removed {
				continue
			}
			st, err := c.State(in.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := placement.InstanceState{EC2InstanceID: in.Spec.EC2InstanceID, Status: in.Status,
				FreeCPU: in.FreeCPU, FreeMemoryMiB: in.FreeMem, FreeENI: in.FreeENI,
				RunningTasks: in.Running, ReservedPorts: len(in.Ports)}
			if st != want {
				t.Fatalf("instance %d state %+v, reference %+v", in.ID, st, want)
			}
		}
	}
}
