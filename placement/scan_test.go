package placement

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"
)

// TestScanAgreesWithIndex holds the plain scan (the impl=scan benchmark
// baseline) and the index paths to the same objective on random fleets:
// for binpack on memory and on cpu, both choose an instance with the same
// least free amount of the key resource, and both reject the same tasks.
func TestScanAgreesWithIndex(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := NewCluster()
		for k := range rapid.IntRange(1, 40).Draw(t, "n") {
			_, err := c.Register(Instance{EC2InstanceID: fmt.Sprint("i-", k), InstanceType: "x", Zone: "a",
				CPU: rapid.IntRange(1, 8).Draw(t, "vcpu") * 1024, MemoryMiB: rapid.IntRange(1, 32).Draw(t, "gib") * 1024})
			if err != nil {
				t.Fatal(err)
			}
		}
		g := c.Group("g")
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(t, "seed"), 1))
		plans := []*Plan{
			MustCompile(Spec{Strategies: []Strategy{{Type: Binpack, Field: "memory"}}}),
			MustCompile(Spec{Strategies: []Strategy{{Type: Binpack, Field: "cpu"}}}),
		}
		for range rapid.IntRange(1, 100).Draw(t, "steps") {
			p := plans[rapid.IntRange(0, 1).Draw(t, "plan")]
			task := Task{CPU: rapid.IntRange(0, 16).Draw(t, "cpu") * 256, MemoryMiB: rapid.IntRange(0, 16).Draw(t, "mem") * 512, Group: g}
			p.bind(c)
			on := c.groupCounts(g)
			viaIndex := c.choose(p, &task, on, rng)
			c.scanOnly = true
			viaScan := c.choose(p, &task, on, rng)
			c.scanOnly = false
			if (viaIndex < 0) != (viaScan < 0) {
				t.Fatalf("index chose %d, scan %d for %+v", viaIndex, viaScan, task)
			}
			if viaIndex < 0 {
				continue
			}
			key := func(i int32) int32 {
				if p.ranks[0].kind == rankBinpackCPU {
					return c.res[i].cpu
				}
				return c.res[i].mem
			}
			if key(viaIndex) != key(viaScan) {
				t.Fatalf("index chose %d (key %d), scan %d (key %d)", viaIndex, key(viaIndex), viaScan, key(viaScan))
			}
			c.allocate(viaIndex, &task)
		}
	})
}
