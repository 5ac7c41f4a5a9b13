package placement

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// RunTaskLimit is the most tasks one RunTask call places (the count
// parameter of https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html).
const RunTaskLimit = 10

// MaxBatch is the most tasks one PlaceBatch call places: ECS's default
// quota of tasks per service (5,000;
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html),
// the largest scale-out one call serves. It bounds the call's work and its
// result even for tasks that need no resources, of which any number would
// fit; a caller whose quota was raised calls PlaceBatch again for the rest.
const MaxBatch = 5000

// Task is the placement request of one task.
type Task struct {
	// CPU is the task's CPU reservation in CPU units (1024 per vCPU); 0
	// means none.
	CPU int
	// MemoryMiB is the task's memory reservation in MiB; 0 means none.
	MemoryMiB int
	// ENIs is the number of ENIs the task needs: 1 in awsvpc network mode,
	// 0 otherwise.
	ENIs int
	// HostPorts are the host ports the task reserves (bridge or host network
	// mode); nil means none. They must be distinct.
	HostPorts []uint16
	// Group is the task group (from Cluster.Group): "service:<name>" for a
	// service's tasks, "family:<family>" by default for standalone tasks.
	// Spread and distinctInstance count tasks of this group only.
	Group GroupID
}

// Result is the outcome of placing one task.
type Result struct {
	// Instance is where the task was placed, or NoInstance.
	Instance InstanceID
	// Rejection explains why nothing fit; nil when the task was placed.
	Rejection *Rejection
}

// Placed reports whether the task was placed.
func (r Result) Placed() bool { return r.Instance != NoInstance }

// placeScratch holds per-call buffers so that the hot path allocates nothing.
type placeScratch struct {
	keys  [MaxStrategies]int64
	stack []int32
	level fewest
	lists [][]int32
}

// validateTask returns every problem with a task request, joined; each is
// a *fielderr.Error naming the Task field and matching ErrInvalidTask. The
// check of a valid task allocates nothing (it runs on every Place and
// Release).
func (c *Cluster) validateTask(t *Task) error {
	if t.CPU >= 0 && t.CPU <= MaxInstanceCPU && t.MemoryMiB >= 0 && t.MemoryMiB <= MaxInstanceMemory &&
		t.ENIs >= 0 && t.ENIs <= MaxInstanceENIs && t.Group >= 0 && int(t.Group) < len(c.groupNames) &&
		(len(t.HostPorts) == 0 || len(t.HostPorts) <= MaxTaskHostPorts && !slices.Contains(t.HostPorts, 0) && firstDuplicate(t.HostPorts) < 0) {
		return nil
	}
	l := fielderr.NewList(ErrInvalidTask)
	if t.CPU < 0 || t.CPU > MaxInstanceCPU {
		l.Addf("Task.CPU", t.CPU, "must be 0 to %d CPU units", MaxInstanceCPU)
	}
	if t.MemoryMiB < 0 || t.MemoryMiB > MaxInstanceMemory {
		l.Addf("Task.MemoryMiB", t.MemoryMiB, "must be 0 to %d MiB", MaxInstanceMemory)
	}
	if t.ENIs < 0 || t.ENIs > MaxInstanceENIs {
		l.Addf("Task.ENIs", t.ENIs, "must be 0 to %d", MaxInstanceENIs)
	}
	if t.Group < 0 || int(t.Group) >= len(c.groupNames) {
		l.Add("Task.Group", t.Group, "must be a GroupID interned with Cluster.Group")
	}
	checkPorts(l, "Task.HostPorts", t.HostPorts, MaxTaskHostPorts)
	return l.Err()
}

// Place chooses an instance for the task under the plan, reserves the
// task's resources on it and returns it; or returns a Rejection that explains
// why no ACTIVE instance fits. The pipeline
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html):
//
//  1. filter: ACTIVE instances with enough free CPU, memory and ENIs, no
//     conflict on the task's host ports and room under MaxReservedPorts;
//  2. constrain: keep instances satisfying every constraint;
//  3. rank: order survivors by the plan's strategies (see Compile);
//  4. choose: the best; ties left after the last strategy are broken
//     uniformly at random with rng (ECS leaves ties unspecified);
//  5. explain: when nothing survives, name the closest matching instance
//     and the check it failed.
//
// Errors are returned only for an invalid task; "nothing fits" is a result.
func (c *Cluster) Place(p *Plan, t Task, rng *rand.Rand) (Result, error) {
	if err := c.validateTask(&t); err != nil {
		return Result{Instance: NoInstance}, err
	}
	p.bind(c)
	on := c.groupCounts(t.Group)
	i := c.choose(p, &t, on, rng)
	if i < 0 {
		return Result{Instance: NoInstance, Rejection: c.explain(p, &t, on)}, nil
	}
	c.allocate(i, &t)
	return Result{Instance: InstanceID(i)}, nil
}

// Batch is the outcome of placing several identical tasks.
type Batch struct {
	// Placed lists the chosen instances in placement order.
	Placed []InstanceID
	// Rejection explains why the first task that could not be placed was
	// rejected; nil when all were placed. A rejected task changes nothing,
	// so every later copy would be rejected the same way.
	Rejection *Rejection
}

// PlaceBatch places count copies of the task one after another, each seeing
// the earlier ones (their resources, their spread counts, distinctInstance),
// as a RunTask with count up to RunTaskLimit or a service scale-out does. It
// stops at the first task that does not fit. dst is reused for Placed.
func (c *Cluster) PlaceBatch(p *Plan, t Task, count int, rng *rand.Rand, dst []InstanceID) (Batch, error) {
	if count < 0 || count > MaxBatch {
		return Batch{}, fielderr.New(ErrInvalidTask, "count", count, fmt.Sprintf("must be 0 to %d", MaxBatch))
	}
	b := Batch{Placed: dst[:0]}
	for range count {
		r, err := c.Place(p, t, rng)
		if err != nil {
			return b, err
		}
		if !r.Placed() {
			b.Rejection = r.Rejection
			return b, nil
		}
		b.Placed = append(b.Placed, r.Instance)
	}
	return b, nil
}

// Release frees the resources a placed task holds on an instance (the task
// stopped). t must be the Task that was placed there. Releasing on a DRAINING
// instance is normal; on a deregistered one it is an error.
func (c *Cluster) Release(id InstanceID, t Task) error {
	if err := c.check(id); err != nil {
		return err
	}
	if err := c.validateTask(&t); err != nil {
		return err
	}
	i := int32(id)
	on := c.groupCounts(t.Group)
	if c.res[i].cpu+int32(t.CPU) > c.res[i].capCPU || c.res[i].mem+int32(t.MemoryMiB) > c.res[i].capMem ||
		c.res[i].eni+int32(t.ENIs) > c.res[i].capENI || on.at(i) == 0 {
		return fielderr.New(ErrBadRelease, "Task", fmt.Sprintf("group %q, %d CPU units, %d MiB, %d ENIs", c.groupNames[t.Group], t.CPU, t.MemoryMiB, t.ENIs),
			fmt.Sprintf("instance %d holds no such task", id))
	}
	for _, port := range t.HostPorts {
		if !slices.Contains(c.ports[i], port) {
			return fielderr.New(ErrBadRelease, "Task.HostPorts", port, fmt.Sprintf("instance %d has not reserved the port", id))
		}
	}
	for _, port := range t.HostPorts {
		ps := c.ports[i]
		k := slices.Index(ps, port)
		ps[k] = ps[len(ps)-1]
		c.ports[i] = ps[:len(ps)-1]
	}
	c.adjust(i, &t, 1)
	return nil
}

func (c *Cluster) allocate(i int32, t *Task) {
	if len(t.HostPorts) > 0 {
		c.ports[i] = append(c.ports[i], t.HostPorts...)
	}
	c.adjust(i, t, -1)
}

// adjust adds sign*task to the instance's free resources and -sign to the
// group counts. It takes the counts from groupOn itself rather than from
// the caller: a Filter or Scorer run while choosing may have interned a
// group, moving groupOn.
func (c *Cluster) adjust(i int32, t *Task, sign int32) {
	c.res[i].cpu += sign * int32(t.CPU)
	c.res[i].mem += sign * int32(t.MemoryMiB)
	c.res[i].eni += sign * int32(t.ENIs)
	c.res[i].running -= sign
	now := c.groupOn[t.Group].add(i, -sign)
	if int(t.Group) < len(c.gidx) && c.gidx[t.Group] != nil {
		c.recount(t.Group, c.gidx[t.Group], i, now+sign, now)
	}
	if c.res[i].linked > 0 {
		c.relink(i) // free resources changed: move between cells
	}
	vals := c.groupVal[t.Group]
	for _, col := range c.trackedCol {
		v := c.cols[col].of[i]
		counts := vals[col]
		if int(v) >= len(counts) {
			counts = append(counts, make([]int32, int(v)+1-len(counts))...)
			vals[col] = counts
		}
		counts[v] -= sign
	}
	if t := c.memTree; t != nil {
		t.update(i, c.res[i].mem, c.res[i].cpu)
	}
	if t := c.cpuTree; t != nil {
		t.update(i, c.res[i].cpu, c.res[i].mem)
	}
	for col, pt := range c.parts {
		if pt != nil && pt.treed {
			c.partTreeUpdate(int32(col), i)
		}
	}
}

// feasible reports whether instance i passes the filter and constraint
// stages for the task. i must be ACTIVE.
func (c *Cluster) feasible(p *Plan, t *Task, on *groupCounts, i int32) bool {
	if c.res[i].cpu < int32(t.CPU) || c.res[i].mem < int32(t.MemoryMiB) || c.res[i].eni < int32(t.ENIs) {
		return false
	}
	if len(t.HostPorts) > 0 && !c.portsFit(i, t.HostPorts) {
		return false
	}
	if len(p.constraints) > 0 {
		return c.constraintsHold(p, t, on, i) < 0
	}
	return true
}

func (c *Cluster) portsFit(i int32, want []uint16) bool {
	have := c.ports[i]
	if len(have)+len(want) > MaxReservedPorts {
		return false
	}
	for _, port := range want {
		if slices.Contains(have, port) {
			return false
		}
	}
	return true
}

// constraintsHold returns the index of the first constraint instance i
// breaks, or -1.
func (c *Cluster) constraintsHold(p *Plan, t *Task, on *groupCounts, i int32) int {
	for k := range p.constraints {
		cc := &p.constraints[k]
		switch {
		case cc.distinct:
			if on.at(i) != 0 {
				return k
			}
		case cc.filter != nil:
			if !cc.filter.Keep(*t, c.candidate(i, on.at(i), 0, 0, 0, 0)) {
				return k
			}
		case cc.expr.dynamic:
			c.view.i = i
			if !cc.expr.Match(&c.view) {
				return k
			}
		default:
			if !cc.set.has(i) {
				return k
			}
		}
	}
	return -1
}

// key returns instance i's value for rank r (smaller is better).
func (c *Cluster) key(r *rank, t *Task, on *groupCounts, i int32) int64 {
	switch r.kind {
	case rankBinpackMemory:
		return int64(c.res[i].mem)
	case rankBinpackCPU:
		return int64(c.res[i].cpu)
	case rankSpreadInstance:
		return int64(on.at(i))
	case rankCustom:
		return scoreKey(r.scorer.Score(*t, c.candidate(i, on.at(i), 0, 0, 0, 0)))
	}
	return int64(c.valueCount(t.Group, r.col, c.cols[r.col].of[i]))
}

// ranker finds the best of a stream of feasible instances under a ranking,
// drawing uniformly among exact ties (reservoir sampling: the k-th tie
// replaces the current choice with probability 1/k).
type ranker struct {
	best int32
	ties int
}

// offer considers instance i; from is the first rank to compare (earlier
// ranks are known to tie).
func (c *Cluster) offer(rk *ranker, ranks []rank, from int, t *Task, on *groupCounts, i int32, rng *rand.Rand) {
	keys := &c.scratch.keys
	if rk.best < 0 {
		for k := from; k < len(ranks); k++ {
			keys[k] = c.key(&ranks[k], t, on, i)
		}
		rk.best, rk.ties = i, 1
		return
	}
	for k := from; k < len(ranks); k++ {
		v := c.key(&ranks[k], t, on, i)
		if v > keys[k] {
			return
		}
		if v < keys[k] {
			keys[k] = v
			for k++; k < len(ranks); k++ {
				keys[k] = c.key(&ranks[k], t, on, i)
			}
			rk.best, rk.ties = i, 1
			return
		}
	}
	rk.ties++
	if rng.IntN(rk.ties) == 0 {
		rk.best = i
	}
}

// choose returns the instance the plan picks for the task, or -1.
func (c *Cluster) choose(p *Plan, t *Task, on *groupCounts, rng *rand.Rand) int32 {
	if len(c.activeIDs) == 0 {
		return -1
	}
	if c.scanOnly {
		return c.chooseScan(p, t, on, rng)
	}
	if cc := p.equality; cc != nil {
		return c.chooseByValue(p, t, on, rng, cc)
	}
	if cc := p.selective(len(c.activeIDs)); cc != nil {
		return c.chooseCandidates(p, t, on, rng, cc.set)
	}
	switch {
	case p.randomOnly:
		return c.chooseRandom(p, t, on, rng)
	case len(p.ranks) > 0 && (p.ranks[0].kind == rankBinpackMemory || p.ranks[0].kind == rankBinpackCPU):
		return c.chooseBinpack(p, t, on, rng)
	case len(p.ranks) > 0 && p.ranks[0].kind == rankSpreadAttribute &&
		len(c.parts[p.ranks[0].col].lists) <= maxPartitionValues:
		return c.chooseSpreadFirst(p, t, on, rng)
	case len(p.ranks) == 1 && p.ranks[0].kind == rankSpreadInstance:
		return c.chooseFewest(p, t, on, rng, c.everywhere())
	}
	return c.chooseScan(p, t, on, rng)
}

// chooseByValue serves a binpack-first plan with an attribute equality
// constraint: only the capacity trees of the named values are searched
// (each tree's best leaf is offered, and the ranking settles among them), so
// a constraint that keeps a small share of the fleet costs no scan of it.
func (c *Cluster) chooseByValue(p *Plan, t *Task, on *groupCounts, rng *rand.Rand, cc *compiledConstraint) int32 {
	col := c.cols[cc.eqCol]
	cpuKey := p.ranks[0].kind == rankBinpackCPU
	rk := ranker{best: -1}
	for k, v := range cc.eqValues {
		id, ok := col.index[v]
		if !ok || id == 0 || slices.Contains(cc.eqValues[:k], v) {
			continue
		}
		c.offerBestLeaf(c.partTree(cc.eqCol, id, cpuKey), p, t, on, rng, &rk, p.ranks)
	}
	return rk.best
}

// selectiveShare is the share of ACTIVE instances below which a static
// memberOf constraint's own members are scanned instead of the index: the
// index paths skip non-members one by one, and with few members most of
// what they visit are non-members.
const selectiveShare = 8

// selective returns the static memberOf constraint with the fewest members
// if it selects fewer than 1/selectiveShare of the active instances.
func (p *Plan) selective(active int) *compiledConstraint {
	var best *compiledConstraint
	for k := range p.constraints {
		cc := &p.constraints[k]
		if cc.expr != nil && !cc.expr.dynamic && cc.members*selectiveShare < active &&
			(best == nil || cc.members < best.members) {
			best = cc
		}
	}
	return best
}

// chooseCandidates ranks the ACTIVE members of a static constraint's set:
// O(members + n/64) per placement.
func (c *Cluster) chooseCandidates(p *Plan, t *Task, on *groupCounts, rng *rand.Rand, set bitset) int32 {
	rk := ranker{best: -1}
	for w, word := range set {
		for word != 0 {
			i := int32(w<<6 + bits.TrailingZeros64(word))
			word &= word - 1
			if c.res[i].status == Active && c.feasible(p, t, on, i) {
				c.offer(&rk, p.ranks, 0, t, on, i, rng)
			}
		}
	}
	return rk.best
}

// chooseScan ranks every ACTIVE instance: O(n) per placement.
func (c *Cluster) chooseScan(p *Plan, t *Task, on *groupCounts, rng *rand.Rand) int32 {
	if len(p.ranks) == 1 && (p.ranks[0].kind == rankBinpackMemory || p.ranks[0].kind == rankBinpackCPU) &&
		t.ENIs == 0 && len(t.HostPorts) == 0 && len(p.constraints) == 0 {
		return c.scanBinpack(p.ranks[0].kind == rankBinpackCPU, int32(t.CPU), int32(t.MemoryMiB), rng)
	}
	rk := ranker{best: -1}
	for _, i := range c.activeIDs {
		if c.feasible(p, t, on, i) {
			c.offer(&rk, p.ranks, 0, t, on, i, rng)
		}
	}
	return rk.best
}

// scanBinpack is the scan for a lone binpack rank with nothing but CPU and
// memory to check: one pass over the resource records keeping the least
// key and a reservoir sample of its ties.
func (c *Cluster) scanBinpack(cpuKey bool, cpu, mem int32, rng *rand.Rand) int32 {
	best, ties := int32(-1), 0
	var bestKey int32 = math.MaxInt32
	res := c.res
	for _, i := range c.activeIDs {
		r := &res[i]
		if r.cpu < cpu || r.mem < mem {
			continue
		}
		k := r.mem
		if cpuKey {
			k = r.cpu
		}
		switch {
		case k < bestKey:
			bestKey, best, ties = k, i, 1
		case k == bestKey:
			ties++
			if rng.IntN(ties) == 0 {
				best = i
			}
		}
	}
	return best
}

// randomTries is how many uniform draws chooseRandom makes before it falls
// back to an exact scan; with a feasible share q the fallback runs with
// probability (1-q)^32.
const randomTries = 32

// chooseRandom draws uniformly among feasible ACTIVE instances by rejection
// sampling; each draw is uniform over ACTIVE instances and is kept only if
// feasible, so an accepted draw is uniform over the feasible ones. The
// fallback, a counting scan, is uniform too, so the mixture is exact.
func (c *Cluster) chooseRandom(p *Plan, t *Task, on *groupCounts, rng *rand.Rand) int32 {
	if p.distinct {
		// Only instances without the group qualify: draw among them
		// through the group's index, which does not degrade to a scan
		// when the group runs on most instances.
		return c.pickNonMember(p, t, on, rng, c.groupIndexOf(t.Group), c.everywhere())
	}
	ids := c.activeIDs
	for range randomTries {
		i := ids[rng.IntN(len(ids))]
		if c.feasible(p, t, on, i) {
			return i
		}
	}
	return c.chooseScan(p, t, on, rng) // with no ranks, the scan draws uniformly among all feasible
}

// chooseBinpack walks the capacity tree of the first strategy's resource
// from the task's requirement upwards; the first leaf with a feasible
// instance holds the least remaining resource, and the rest of the ranking
// (and the final random tie-break) is settled inside that leaf.
func (c *Cluster) chooseBinpack(p *Plan, t *Task, on *groupCounts, rng *rand.Rand) int32 {
	cpuKey := p.ranks[0].kind == rankBinpackCPU
	tree := c.globalTree(cpuKey)
	needKey, needOther := needs(tree, t)
	// Exact leaves hold one key value, so with no further rank and no check
	// beyond CPU and memory, the tie set is exactly the heap entries whose
	// other resource suffices, readable from the heap array alone.
	if tree.shift == 0 && len(p.ranks) == 1 && t.ENIs == 0 && len(t.HostPorts) == 0 && len(p.constraints) == 0 {
		l := tree.next(tree.leafIndex(needKey), needOther)
		if l < 0 {
			return -1
		}
		return c.pickInHeap(tree.leaf(l), needOther, rng)
	}
	if tree.shift == 0 && len(p.ranks) == 1 {
		return c.pickBestLeaf(tree, p, t, on, rng)
	}
	rk := ranker{best: -1}
	c.offerBestLeaf(tree, p, t, on, rng, &rk, p.ranks)
	return rk.best
}

// smallLeaf is the leaf size up to which pickBestLeaf goes straight to the
// exact pass: its draws are then those of the general ranking, so small
// clusters place exactly as they did before the sampling existed.
const smallLeaf = 16

// pickBestLeaf serves a lone binpack rank over exact leaves when the task
// has more to check than CPU and memory (ENIs, ports, constraints such as
// distinctInstance): every feasible instance of the first leaf that has
// one ties, so uniform draws over the leaf's heap come first
// (accepting a feasible one, uniform over them), then an exact pass over
// the entries with enough of the other resource.
func (c *Cluster) pickBestLeaf(tree *capTree, p *Plan, t *Task, on *groupCounts, rng *rand.Rand) int32 {
	needKey, needOther := needs(tree, t)
	for l := tree.leafIndex(needKey); ; l++ {
		if l = tree.next(l, needOther); l < 0 {
			return -1
		}
		heap := tree.leaf(l)
		if len(heap) > smallLeaf {
			for range randomTries {
				if e := heap[rng.IntN(len(heap))]; entryOther(e) >= needOther && c.feasible(p, t, on, entryID(e)) {
					return entryID(e)
				}
			}
		}
		best, ties := int32(-1), 0
		stack := append(c.scratch.stack[:0], 0)
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			e := heap[k]
			if entryOther(e) < needOther {
				continue
			}
			if i := entryID(e); c.feasible(p, t, on, i) {
				if ties++; ties == 1 || rng.IntN(ties) == 0 {
					best = i
				}
			}
			for child := heapArity*k + 1; child < min(heapArity*k+1+heapArity, int32(len(heap))); child++ {
				stack = append(stack, child)
			}
		}
		c.scratch.stack = stack
		if best >= 0 {
			return best
		}
	}
}

func (c *Cluster) globalTree(cpuKey bool) *capTree {
	if cpuKey {
		if c.cpuTree == nil {
			c.cpuTree = c.buildTree(true, c.activeIDs)
		}
		return c.cpuTree
	}
	if c.memTree == nil {
		c.memTree = c.buildTree(false, c.activeIDs)
	}
	return c.memTree
}

// needs returns the task's requirement of the tree's key and other resource.
func needs(tree *capTree, t *Task) (key, other int32) {
	if tree.keyIsCPU {
		return int32(t.CPU), int32(t.MemoryMiB)
	}
	return int32(t.MemoryMiB), int32(t.CPU)
}

// offerBestLeaf walks tree from the task's key requirement upwards and
// offers to rk every feasible member of the first leaf that has one (all of
// a later leaf's members have more of the key resource left).
func (c *Cluster) offerBestLeaf(tree *capTree, p *Plan, t *Task, on *groupCounts, rng *rand.Rand, rk *ranker, ranks []rank) {
	needKey, needOther := needs(tree, t)
	l := tree.leafIndex(needKey)
	for {
		l = tree.next(l, needOther)
		if l < 0 {
			return
		}
		heap := tree.leaf(l)
		// Enumerate the heap's subtree of members with enough of the other
		// resource: its size is the number of candidates, not of members.
		found := false
		stack := append(c.scratch.stack[:0], 0)
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			e := heap[k]
			if entryOther(e) < needOther {
				continue
			}
			i := entryID(e)
			if c.feasible(p, t, on, i) {
				c.offer(rk, ranks, 0, t, on, i, rng)
				found = true
			}
			for child := heapArity*k + 1; child < min(heapArity*k+1+heapArity, int32(len(heap))); child++ {
				stack = append(stack, child)
			}
		}
		c.scratch.stack = stack
		if found {
			return
		}
		l++
	}
}

// pickInHeap returns an instance drawn uniformly from the entries of a leaf
// heap whose other resource is at least need (there is at least one: the
// root). A few uniform draws over the whole heap come first (rejection
// sampling, exact); if they miss, the qualifying entries, which form a
// subtree at the root, are counted and the chosen one is found by a second
// walk in the same order.
func (c *Cluster) pickInHeap(heap []uint64, need int32, rng *rand.Rand) int32 {
	for range 4 {
		if e := heap[rng.IntN(len(heap))]; entryOther(e) >= need {
			return entryID(e)
		}
	}
	n := int32(len(heap))
	walk := func(stop int) (int, int32) {
		seen := 0
		stack := append(c.scratch.stack[:0], 0)
		for len(stack) > 0 {
			k := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if entryOther(heap[k]) < need {
				continue
			}
			if seen == stop {
				c.scratch.stack = stack
				return seen, entryID(heap[k])
			}
			seen++
			for child := heapArity*k + 1; child < min(heapArity*k+1+heapArity, n); child++ {
				stack = append(stack, child)
			}
		}
		c.scratch.stack = stack
		return seen, -1
	}
	count, _ := walk(-1)
	_, i := walk(rng.IntN(count))
	return i
}
