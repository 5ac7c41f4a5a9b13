package placement_test

import (
	"math/rand/v2"
	"testing"

	"github.com/ecssim/ecssim/placement"
)

// refKernel is the bare kernel behind the project's placement budget,
// measured at 144 ns (1e4) and 288 ns (1e5) per place + release on a Zen 5
// machine when the budget was set, and rebuilt here from that design: an implicit binary segment tree of 2B
// int32 over exact free-MiB leaves storing the max free CPU, a max-heap of
// cpu<<32|instance per leaf, and nothing else: no validation, no task
// groups, no ENIs, ports or constraints, and the heap root (not a uniform
// draw among ties) as the choice. It exists to calibrate: run beside
// placement.Cluster in one benchmark process, it shows what the budget's own
// design costs on the machine at hand (impl=kernel in BenchmarkPlace).
type refKernel struct {
	b        int     // leaves, a power of two above every free-MiB value
	max      []int32 // max[b+l]: max free CPU in leaf l's heap, -1 if empty; max[j] = max of children
	heaps    [][]uint64
	pos      []int32 // per instance: index in its leaf's heap
	cpu, mem []int32 // per instance: free CPU units and MiB
}

func newRefKernel(f *benchFleet) *refKernel {
	k := &refKernel{b: 1}
	for _, in := range f.ins {
		for k.b <= in.MemoryMiB {
			k.b <<= 1
		}
	}
	k.max = make([]int32, 2*k.b)
	for j := range k.max {
		k.max[j] = -1
	}
	k.heaps = make([][]uint64, k.b)
	for id, in := range f.ins {
		k.cpu = append(k.cpu, int32(in.CPU))
		k.mem = append(k.mem, int32(in.MemoryMiB))
		k.pos = append(k.pos, 0)
		k.push(int32(id))
	}
	for _, lt := range f.tasks {
		s := benchShapes[lt.shape]
		k.add(int32(lt.id), -int32(s[0]), -int32(s[1]))
	}
	return k
}

// find returns the instance with the least free memory >= m among those
// with free CPU >= c (the root of the first qualifying leaf's heap), or -1.
func (k *refKernel) find(c, m int32) int32 {
	if int(m) >= k.b {
		return -1
	}
	i := int(m) + k.b
	if k.max[i] < c {
		for { // climb until a right sibling can satisfy c
			if i&1 == 0 && k.max[i+1] >= c {
				i++
				break
			}
			if i >>= 1; i <= 1 {
				return -1
			}
		}
		for i < k.b { // descend, preferring the left child
			i <<= 1
			if k.max[i] < c {
				i++
			}
		}
	}
	return int32(uint32(k.heaps[i-k.b][0]))
}

// add changes instance id's free resources by (dc, dm), moving it between
// leaf heaps.
func (k *refKernel) add(id, dc, dm int32) {
	k.pop(id)
	k.cpu[id] += dc
	k.mem[id] += dm
	k.push(id)
}

func (k *refKernel) push(id int32) {
	l := k.mem[id]
	h := append(k.heaps[l], 0)
	k.heaps[l] = h
	k.siftUp(h, len(h)-1, uint64(k.cpu[id])<<32|uint64(id))
	k.fixPath(l)
}

func (k *refKernel) pop(id int32) {
	l := k.mem[id]
	h := k.heaps[l]
	p := int(k.pos[id])
	last := h[len(h)-1]
	h = h[:len(h)-1]
	k.heaps[l] = h
	if p < len(h) {
		if p > 0 && h[(p-1)/2] < last {
			k.siftUp(h, p, last)
		} else {
			k.siftDown(h, p, last)
		}
	}
	k.fixPath(l)
}

func (k *refKernel) siftUp(h []uint64, p int, e uint64) {
	for p > 0 && h[(p-1)/2] < e {
		h[p] = h[(p-1)/2]
		k.pos[uint32(h[p])] = int32(p)
		p = (p - 1) / 2
	}
	h[p] = e
	k.pos[uint32(e)] = int32(p)
}

func (k *refKernel) siftDown(h []uint64, p int, e uint64) {
	for {
		c := 2*p + 1
		if c >= len(h) {
			break
		}
		if c+1 < len(h) && h[c+1] > h[c] {
			c++
		}
		if h[c] <= e {
			break
		}
		h[p] = h[c]
		k.pos[uint32(h[p])] = int32(p)
		p = c
	}
	h[p] = e
	k.pos[uint32(e)] = int32(p)
}

// fixPath sets leaf l's bound from its heap root and recomputes the
// ancestors, stopping as soon as one does not change.
func (k *refKernel) fixPath(l int32) {
	v := int32(-1)
	if h := k.heaps[l]; len(h) > 0 {
		v = int32(h[0] >> 32)
	}
	i := int(l) + k.b
	if k.max[i] == v {
		return
	}
	k.max[i] = v
	for i >>= 1; i >= 1; i >>= 1 {
		m := max(k.max[2*i], k.max[2*i+1])
		if k.max[i] == m {
			return
		}
		k.max[i] = m
	}
}

func benchKernel(b *testing.B, f *benchFleet, rng *rand.Rand) {
	k := newRefKernel(f)
	op := func() {
		lt := f.draw(rng)
		s := benchShapes[lt.shape]
		if id := k.find(int32(s[0]), int32(s[1])); id >= 0 {
			k.add(id, -int32(s[0]), -int32(s[1]))
			f.add(lt, placement.InstanceID(id))
			sinkPlaced++
		}
		old := f.takeRandom(rng)
		s = benchShapes[old.shape]
		k.add(int32(old.id), int32(s[0]), int32(s[1]))
	}
	for range min(20000, 20*len(f.ins)) {
		op()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		op()
	}
}

// TestRefKernelAgreesWithCluster holds the calibration kernel to the
// engine: fed the same fleet and the same stream of placements and
// releases, both choose an instance with the same free memory every time
// (they may break ties differently), or both reject.
func TestRefKernelAgreesWithCluster(t *testing.T) {
	f := newBenchFleet(t, 500, benchStrategies[0])
	k := newRefKernel(f)
	plan := placement.MustCompile(benchStrategies[0].spec)
	rng := rand.New(rand.NewPCG(9, 9))
	placed := 0
	for step := range 20000 {
		lt := f.draw(rng)
		s := benchShapes[lt.shape]
		want := k.find(int32(s[0]), int32(s[1]))
		r, err := f.c.Place(plan, f.task(lt), rng)
		if err != nil {
			t.Fatal(err)
		}
		if (want < 0) != !r.Placed() {
			t.Fatalf("step %d: kernel chose %d, cluster %+v", step, want, r)
		}
		if r.Placed() {
			placed++
			st, err := f.c.State(r.Instance)
			if err != nil {
				t.Fatal(err)
			}
			// The cluster has already reserved the task, the kernel not yet.
			if got := int32(st.FreeMemoryMiB + s[1]); got != k.mem[want] {
				t.Fatalf("step %d: kernel chose free memory %d, cluster %d", step, k.mem[want], got)
			}
			// Commit the cluster's choice in the kernel so both stay equal.
			k.add(int32(r.Instance), -int32(s[0]), -int32(s[1]))
			f.add(lt, r.Instance)
		}
		old := f.takeRandom(rng)
		if err := f.c.Release(old.id, f.task(old)); err != nil {
			t.Fatal(err)
		}
		s = benchShapes[old.shape]
		k.add(int32(old.id), int32(s[0]), int32(s[1]))
	}
	if placed < 10000 {
		t.Fatalf("only %d of 20000 placements succeeded; the test exercises too little", placed)
	}
}
