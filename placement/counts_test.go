package placement

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// checkCounts holds gc to a dense slice of the same counts: every read, the
// iteration (non-zero slots only, in slot order), the member words and page
// masks, and the page accounting (a page is in the directory exactly when
// it holds a non-zero count; every other page of cells is on the free
// list, all zeros). It returns the pages that hold a task.
func checkCounts(t interface{ Fatalf(string, ...any) }, gc *groupCounts, dense []int32) int {
	for i, want := range dense {
		if got := gc.at(int32(i)); got != want {
			t.Fatalf("slot %d: at = %d, dense %d", i, got, want)
		}
	}
	for i := len(dense); i < len(dense)+2*pageSlots; i++ {
		if got := gc.at(int32(i)); got != 0 {
			t.Fatalf("slot %d beyond the dense slice: at = %d", i, got)
		}
	}
	for w := range len(dense)/64 + 2 {
		var word uint64
		for j := range 64 {
			if s := w*64 + j; s < len(dense) && dense[s] != 0 {
				word |= 1 << j
			}
		}
		if got := gc.word(w); got != word {
			t.Fatalf("member word %d = %064b, dense %064b", w, got, word)
		}
	}
	var want [][2]int32
	for i, k := range dense {
		if k != 0 {
			want = append(want, [2]int32{int32(i), k})
		}
	}
	var got [][2]int32
	for i, k := range gc.all() {
		got = append(got, [2]int32{i, k})
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("all() = %v, dense non-zero %v", got, want)
	}
	for _, k := range gc.cells[:min(pageSlots, len(gc.cells))] {
		if k != 0 {
			t.Fatalf("the zero page holds %v", gc.cells[:pageSlots])
		}
	}
	used := 0
	for p, off := range gc.dir {
		if gc.dense && off != int32(p+1)<<pageBits {
			t.Fatalf("dense layout: page %d at offset %d", p, off)
		}
		sum := int32(0)
		for j := range int32(pageSlots) {
			if s := int(p<<pageBits) + int(j); s < len(dense) {
				sum += dense[s]
			}
		}
		switch {
		case off == 0 && sum != 0:
			t.Fatalf("page %d holds %d tasks but is absent", p, sum)
		case off != 0 && sum == 0 && !gc.dense:
			t.Fatalf("page %d holds no task but keeps offset %d", p, off)
		case sum != 0:
			used++
			fallthrough
		case off != 0:
			var mask uint32
			for j := range pageSlots {
				if s := p<<pageBits + j; s < len(dense) && dense[s] != 0 {
					mask |= 1 << j
				}
			}
			if gc.masks[off>>pageBits] != mask {
				t.Fatalf("page %d: mask %b, dense %b", p, gc.masks[off>>pageBits], mask)
			}
		}
	}
	if gc.used != used {
		t.Fatalf("%d pages used, counted %d", gc.used, used)
	}
	held := max(0, len(gc.cells)/pageSlots-1)
	switch {
	case gc.dense && (held != len(gc.dir) || len(gc.free) != 0):
		t.Fatalf("dense layout: %d pages held, %d free, directory of %d", held, len(gc.free), len(gc.dir))
	case gc.dense && 4*used < len(gc.dir):
		t.Fatalf("dense layout with %d of %d pages used", used, len(gc.dir))
	case !gc.dense && held != used+len(gc.free):
		t.Fatalf("%d pages held, %d used and %d free", held, used, len(gc.free))
	case !gc.dense && 2*used > len(gc.dir):
		t.Fatalf("sparse layout with %d of %d pages used", used, len(gc.dir))
	}
	for _, off := range gc.free {
		for _, k := range gc.cells[off : off+pageSlots] {
			if k != 0 {
				t.Fatalf("free page at %d is not zero: %v", off, gc.cells[off:off+pageSlots])
			}
		}
	}
	return used
}

// TestGroupCountsAgainstDense drives one group's counts and a dense slice
// with the same random adds and removes, instance registrations (the slot
// range grows) and deregistrations (a slot's count drops to zero at once),
// then removes every task: the counts agree after every step, in both
// layouts, and at the end the pages held never exceed the most pages that
// held a task at once (freed pages are reused before a new one is made).
func TestGroupCountsAgainstDense(t *testing.T) {
	layouts := map[bool]int{} // steps ending in each layout, dense or not
	defer func() {
		if layouts[true] == 0 || layouts[false] == 0 {
			t.Errorf("steps in the dense layout %d, in the sparse one %d: both must be exercised", layouts[true], layouts[false])
		}
	}()
	rapid.Check(t, func(t *rapid.T) {
		var gc groupCounts
		dense := make([]int32, rapid.IntRange(1, 200).Draw(t, "instances"))
		peak := 0
		for range rapid.IntRange(0, 300).Draw(t, "steps") {
			switch rapid.IntRange(0, 9).Draw(t, "op") {
			case 0: // register a few instances
				dense = append(dense, make([]int32, rapid.IntRange(1, 70).Draw(t, "new"))...)
			case 1: // deregister one
				i := rapid.IntRange(0, len(dense)-1).Draw(t, "deregister")
				if got := gc.add(int32(i), -dense[i]); got != 0 {
					t.Fatalf("deregistering slot %d left %d", i, got)
				}
				dense[i] = 0
			case 2, 3, 4: // release a task of a slot that runs one
				i := rapid.IntRange(0, len(dense)-1).Draw(t, "release")
				if dense[i] == 0 {
					continue
				}
				dense[i]--
				if got := gc.add(int32(i), -1); got != dense[i] {
					t.Fatalf("release on %d: add = %d, dense %d", i, got, dense[i])
				}
			default: // place tasks
				i := rapid.IntRange(0, len(dense)-1).Draw(t, "place")
				d := int32(rapid.IntRange(0, 3).Draw(t, "tasks"))
				dense[i] += d
				if got := gc.add(int32(i), d); got != dense[i] {
					t.Fatalf("place %d on %d: add = %d, dense %d", d, i, got, dense[i])
				}
			}
			peak = max(peak, checkCounts(t, &gc, dense))
			layouts[gc.dense]++
		}
		for i := range dense {
			gc.add(int32(i), -dense[i])
			dense[i] = 0
		}
		if used := checkCounts(t, &gc, dense); used != 0 {
			t.Fatalf("%d pages in use with no task", used)
		}
		if held := max(0, len(gc.cells)/pageSlots-1); held > peak {
			t.Fatalf("%d pages held, at most %d ever held a task at once", held, peak)
		}
	})
}

// TestGroupCountsFollowCluster places and releases tasks of several groups
// on a cluster whose instances register and deregister, and holds every
// group's counts to a dense model kept by the test from the placements it
// saw: a deregistered instance counts no task, and every page of a group
// that runs no task returns to its free list.
func TestGroupCountsFollowCluster(t *testing.T) {
	plans := []*Plan{
		MustCompile(Spec{Strategies: []Strategy{{Type: Spread, Field: "attribute:ecs.availability-zone"}, {Type: Spread, Field: "instanceId"}}}),
		MustCompile(Spec{Strategies: []Strategy{{Type: Binpack, Field: "memory"}}}),
		MustCompile(Spec{Strategies: []Strategy{{Type: Random}}, Constraints: []Constraint{{Type: DistinctInstance}}}),
	}
	rapid.Check(t, func(t *rapid.T) {
		c := NewCluster()
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 2))
		var groups []GroupID
		for k := range rapid.IntRange(1, 4).Draw(t, "groups") {
			groups = append(groups, c.Group(fmt.Sprint("service:", k)))
		}
		type placed struct {
			id   InstanceID
			task Task
		}
		var live []placed
		dense := make([][]int32, len(groups))
		register := func() {
			if _, err := c.Register(Instance{EC2InstanceID: fmt.Sprint("i-", c.Len()), InstanceType: "m5.large",
				Zone: fmt.Sprint("z", c.Len()%3), CPU: 2048, MemoryMiB: 8192}); err != nil {
				t.Fatal(err)
			}
			for g := range dense {
				dense[g] = append(dense[g], 0)
			}
		}
		for range rapid.IntRange(1, 80).Draw(t, "instances") {
			register()
		}
		for range rapid.IntRange(1, 200).Draw(t, "steps") {
			switch op := rapid.IntRange(0, 9).Draw(t, "op"); {
			case op == 0:
				register()
			case op == 1:
				i := InstanceID(rapid.IntRange(0, c.Len()-1).Draw(t, "deregister"))
				if c.check(i) != nil {
					continue
				}
				if err := c.Deregister(i); err != nil {
					t.Fatal(err)
				}
				for g := range dense {
					dense[g][i] = 0
				}
				live = slices.DeleteFunc(live, func(p placed) bool { return p.id == i })
			case op < 5 && len(live) > 0:
				k := rapid.IntRange(0, len(live)-1).Draw(t, "release")
				if err := c.Release(live[k].id, live[k].task); err != nil {
					t.Fatal(err)
				}
				dense[live[k].task.Group][live[k].id]--
				live[k] = live[len(live)-1]
				live = live[:len(live)-1]
			default:
				g := rapid.IntRange(0, len(groups)-1).Draw(t, "group")
				task := Task{CPU: 256, MemoryMiB: 512, Group: groups[g]}
				r, err := c.Place(plans[rapid.IntRange(0, len(plans)-1).Draw(t, "plan")], task, rng)
				if err != nil {
					t.Fatal(err)
				}
				if r.Placed() {
					dense[g][r.Instance]++
					live = append(live, placed{r.Instance, task})
				}
			}
			for g := range groups {
				checkCounts(t, &c.groupOn[groups[g]], dense[g])
				for i := range dense[g] {
					if got := c.TasksOf(InstanceID(i), groups[g]); got != int(dense[g][i]) {
						t.Fatalf("TasksOf(%d, %d) = %d, model %d", i, g, got, dense[g][i])
					}
				}
			}
		}
		for _, p := range live {
			if err := c.Release(p.id, p.task); err != nil {
				t.Fatal(err)
			}
			dense[p.task.Group][p.id]--
		}
		for g := range groups {
			if used := checkCounts(t, &c.groupOn[groups[g]], dense[g]); used != 0 {
				t.Fatalf("group %d keeps %d pages with no task", g, used)
			}
		}
	})
}

// BenchmarkGroupCountsMemory reports what the per-group task counts hold at
// ECS's largest cluster: 5,000 instances (three zones) and 5,000 services
// of 2 to 10 tasks each, placed under ECS's default strategy for services
// (spread over zones, then over instances). counts-MiB is the memory of the
// paged counts (slice headers and capacity included); dense-MiB is what an
// int32 per group and instance, the representation before, held for the
// same groups; pages/group is the mean of 32-slot pages in use. Run with
// -benchtime 1x: one op builds the whole cluster.
func BenchmarkGroupCountsMemory(b *testing.B) {
	const instances, groups = 5000, 5000
	spec := MustCompile(Spec{Strategies: []Strategy{{Type: Spread, Field: "attribute:ecs.availability-zone"}, {Type: Spread, Field: "instanceId"}}})
	var counts, dense, pages int
	for b.Loop() {
		c := NewCluster()
		for k := range instances {
			if _, err := c.Register(Instance{EC2InstanceID: fmt.Sprint("i-", k), InstanceType: "m5.2xlarge",
				Zone: fmt.Sprint("z", k%3), CPU: 8192, MemoryMiB: 32768}); err != nil {
				b.Fatal(err)
			}
		}
		rng := rand.New(rand.NewPCG(7, 7))
		for g := range groups {
			task := Task{CPU: 256, MemoryMiB: 512, Group: c.Group(fmt.Sprint("service:", g))}
			if r, err := c.PlaceBatch(spec, task, 2+rng.IntN(9), rng, nil); err != nil || r.Rejection != nil {
				b.Fatal(err, r.Rejection)
			}
		}
		counts, dense, pages = 0, 0, 0
		for g := range c.groupOn {
			gc := &c.groupOn[g]
			counts += gc.bytes()
			dense += 24 + 4*c.Len()
			for _, off := range gc.dir {
				if off != 0 {
					pages++
				}
			}
		}
	}
	b.ReportMetric(float64(counts)/(1<<20), "counts-MiB")
	b.ReportMetric(float64(dense)/(1<<20), "dense-MiB")
	b.ReportMetric(float64(pages)/groups, "pages/group")
}

// TestFilterThatInternsAGroup places a task under a custom filter that
// interns new groups while Place is choosing (moving the cluster's
// per-group counts in memory): the placement must still be counted.
func TestFilterThatInternsAGroup(t *testing.T) {
	c := NewCluster()
	for k := range 3 {
		if _, err := c.Register(Instance{EC2InstanceID: fmt.Sprint("i-", k), InstanceType: "m5.large", Zone: "a",
			CPU: 2048, MemoryMiB: 8192}); err != nil {
			t.Fatal(err)
		}
	}
	g := c.Group("service:web")
	interned := 0
	p := MustCompile(Spec{Constraints: []Constraint{{Type: CustomFilter, Filter: FilterFunc(func(Task, Candidate) bool {
		for range 64 { // enough to outgrow any spare capacity of the groups' slice
			c.Group(fmt.Sprint("family:f", interned))
			interned++
		}
		return true
	})}}})
	rng := rand.New(rand.NewPCG(1, 1))
	for n := 1; n <= 4; n++ {
		r, err := c.Place(p, Task{CPU: 256, MemoryMiB: 512, Group: g}, rng)
		if err != nil || !r.Placed() {
			t.Fatalf("placement %d: %+v, %v", n, r, err)
		}
		total := 0
		for i := range c.Len() {
			total += c.TasksOf(InstanceID(i), g)
		}
		if total != n {
			t.Fatalf("after %d placements the group counts %d tasks", n, total)
		}
	}
}
