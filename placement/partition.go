package placement

import "math/rand/v2"

// maxPartitionValues bounds the values a spread-first plan partitions by;
// an attribute with more distinct values uses the plain scan.
const maxPartitionValues = 32

// partition lists the ACTIVE instances per value of one attribute column,
// so that a plan whose first strategy spreads over that attribute looks only
// at the instances of the least-loaded value(s).
type partition struct {
	lists [][]int32 // per value ID: ACTIVE instances with that value
	pos   []int32   // per instance slot: index in its list, or -1
	// trees[d][v] indexes value v's instances by free memory (d = 0) or
	// free CPU (d = 1), for [spread(attribute), binpack(...)] plans; built
	// on first use, nil until then.
	trees [2][]*capTree
	treed bool // some tree exists
}

// partitionBy starts maintaining the per-value instance lists of column col.
func (c *Cluster) partitionBy(col int32) {
	for len(c.parts) <= int(col) {
		c.parts = append(c.parts, nil)
	}
	if c.parts[col] != nil {
		return
	}
	pt := &partition{pos: make([]int32, len(c.res))}
	for k := range pt.pos {
		pt.pos[k] = -1
	}
	c.parts[col] = pt
	for _, i := range c.activeIDs {
		c.partAdd(col, i)
	}
}

func (c *Cluster) partAdd(col, i int32) {
	pt := c.parts[col]
	for len(pt.pos) < len(c.res) {
		pt.pos = append(pt.pos, -1)
	}
	v := c.cols[col].of[i]
	for len(pt.lists) <= int(v) {
		pt.lists = append(pt.lists, nil)
	}
	pt.pos[i] = int32(len(pt.lists[v]))
	pt.lists[v] = append(pt.lists[v], i)
	for d := range pt.trees {
		if int(v) < len(pt.trees[d]) && pt.trees[d][v] != nil {
			tr := pt.trees[d][v]
			capKey := c.res[i].capMem
			if d == 1 {
				capKey = c.res[i].capCPU
			}
			if !tr.fits(capKey) {
				pt.trees[d][v] = c.buildTree(d == 1, pt.lists[v])
				continue
			}
			if d == 1 {
				tr.insert(i, c.res[i].cpu, c.res[i].mem)
			} else {
				tr.insert(i, c.res[i].mem, c.res[i].cpu)
			}
		}
	}
}

// partTree returns the tree of value v of partitioned column col, building
// it on first use.
func (c *Cluster) partTree(col, v int32, cpuKey bool) *capTree {
	pt := c.parts[col]
	d := 0
	if cpuKey {
		d = 1
	}
	for len(pt.trees[d]) <= int(v) {
		pt.trees[d] = append(pt.trees[d], nil)
	}
	for len(pt.lists) <= int(v) {
		pt.lists = append(pt.lists, nil)
	}
	if pt.trees[d][v] == nil {
		pt.trees[d][v] = c.buildTree(cpuKey, pt.lists[v])
		pt.treed = true
	}
	return pt.trees[d][v]
}

// partTreeUpdate moves instance i in its value's trees after its free
// resources changed.
func (c *Cluster) partTreeUpdate(col, i int32) {
	pt := c.parts[col]
	v := c.cols[col].of[i]
	if int(v) < len(pt.trees[0]) && pt.trees[0][v] != nil {
		pt.trees[0][v].update(i, c.res[i].mem, c.res[i].cpu)
	}
	if int(v) < len(pt.trees[1]) && pt.trees[1][v] != nil {
		pt.trees[1][v].update(i, c.res[i].cpu, c.res[i].mem)
	}
}

func (c *Cluster) partRemove(col, i int32) {
	pt := c.parts[col]
	if int(i) >= len(pt.pos) || pt.pos[i] < 0 {
		return
	}
	v := c.cols[col].of[i]
	list := pt.lists[v]
	p := pt.pos[i]
	last := list[len(list)-1]
	list[p] = last
	pt.pos[last] = p
	pt.lists[v] = list[:len(list)-1]
	pt.pos[i] = -1
	for d := range pt.trees {
		if int(v) < len(pt.trees[d]) && pt.trees[d][v] != nil {
			pt.trees[d][v].remove(i)
		}
	}
}

// chooseSpreadFirst places under a plan whose first rank spreads over the
// attribute column col. It visits the attribute's values in increasing
// order of the group's task count; the first count level at which some
// value has a feasible instance holds the answer, found among that level's
// instances only:
//
//   - no further rank: rejection sampling over the level's instances,
//     exactly uniform, with an exact scan of the level as fallback (with
//     distinctInstance, as below);
//   - spread(instanceId) next: the group's index (chooseFewest), which
//     finds the level's feasible instances with the fewest tasks of the
//     group without a scan;
//   - binpack next: each value's own capacity tree (built on first use)
//     gives its best leaf, and the ranking settles among those leaves;
//   - any other continuation: a scan of the level's instances.
func (c *Cluster) chooseSpreadFirst(p *Plan, t *Task, on *groupCounts, rng *rand.Rand) int32 {
	col := p.ranks[0].col
	pt := c.parts[col]
	nv := len(pt.lists)
	var order [maxPartitionValues]int32
	var count [maxPartitionValues]int32
	n := 0
	for v := range int32(nv) {
		if len(pt.lists[v]) == 0 {
			continue
		}
		cv := c.valueCount(t.Group, col, v)
		k := n
		for k > 0 && count[k-1] > cv { // insertion sort by count
			order[k], count[k] = order[k-1], count[k-1]
			k--
		}
		order[k], count[k] = v, cv
		n++
	}
	rest := p.ranks[1:]
	sampled := len(rest) == 0
	treed := len(rest) > 0 && (rest[0].kind == rankBinpackMemory || rest[0].kind == rankBinpackCPU)
	byCount := len(rest) == 1 && rest[0].kind == rankSpreadInstance
	// simple: a lone binpack after the spread, a task with only CPU and
	// memory to check; with exact leaves (checked per tree) a leaf's
	// qualifying heap entries are then exactly its ties.
	simple := treed && len(rest) == 1 && t.ENIs == 0 && len(t.HostPorts) == 0 && len(p.constraints) == 0
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && count[hi] == count[lo] {
			hi++
		}
		level := order[lo:hi]
		if byCount || (sampled && p.distinct) {
			// The fewest tasks of the group on an instance of the level:
			// for a lone spread with distinctInstance, that is none, and
			// every such feasible instance ties.
			lv := c.level(col, level)
			if i := c.chooseFewest(p, t, on, rng, lv); i >= 0 {
				return i
			}
			lo = hi
			continue
		}
		if sampled {
			total := 0
			for _, v := range level {
				total += len(pt.lists[v])
			}
			for range randomTries {
				r := rng.IntN(total)
				var i int32
				for _, v := range level {
					if r < len(pt.lists[v]) {
						i = pt.lists[v][r]
						break
					}
					r -= len(pt.lists[v])
				}
				if c.feasible(p, t, on, i) {
					return i
				}
			}
		}
		rk := ranker{best: -1}
		if treed && simple {
			// Nothing but CPU and memory to check and no rank after binpack:
			// each value's best leaf is its first leaf with enough of the
			// other resource. If one value holds the least key alone, draw
			// from its leaf heap directly.
			bestLeaf, bestTree, tied := int32(-1), (*capTree)(nil), false
			for _, v := range level {
				tree := c.partTree(col, v, rest[0].kind == rankBinpackCPU)
				if tree.shift != 0 { // leaves are not single key values: compare exactly below
					bestTree, tied = nil, true
					break
				}
				needKey, needOther := needs(tree, t)
				l := tree.next(tree.leafIndex(needKey), needOther)
				switch {
				case l < 0:
				case bestTree == nil || l < bestLeaf:
					bestLeaf, bestTree, tied = l, tree, false
				case l == bestLeaf:
					tied = true
				}
			}
			if bestTree != nil && !tied {
				_, needOther := needs(bestTree, t)
				return c.pickInHeap(bestTree.leaf(bestLeaf), needOther, rng)
			}
		}
		if treed {
			for _, v := range level {
				tree := c.partTree(col, v, rest[0].kind == rankBinpackCPU)
				c.offerBestLeaf(tree, p, t, on, rng, &rk, rest)
			}
			if rk.best >= 0 {
				return rk.best
			}
			lo = hi
			continue
		}
		for _, v := range level {
			for _, i := range pt.lists[v] {
				if c.feasible(p, t, on, i) {
					c.offer(&rk, rest, 0, t, on, i, rng)
				}
			}
		}
		if rk.best >= 0 {
			return rk.best
		}
		lo = hi
	}
	return -1
}

// level returns the spread(instanceId) level of the ACTIVE instances whose
// value of partitioned column col is one of values, in the cluster's
// scratch space.
func (c *Cluster) level(col int32, values []int32) *fewest {
	lv := &c.scratch.level
	pt := c.parts[col]
	lv.col, lv.of, lv.mask, lv.n = col, c.cols[col].of, 0, 0
	lv.lists = c.scratch.lists[:0]
	for _, v := range values {
		lv.mask |= 1 << uint(v)
		lv.lists = append(lv.lists, pt.lists[v])
		lv.n += len(pt.lists[v])
	}
	c.scratch.lists = lv.lists
	return lv
}

// everywhere returns the spread(instanceId) level of every ACTIVE instance.
func (c *Cluster) everywhere() *fewest {
	lv := &c.scratch.level
	lv.col, lv.of, lv.mask, lv.n = -1, nil, 0, len(c.activeIDs)
	lv.lists = append(c.scratch.lists[:0], c.activeIDs)
	c.scratch.lists = lv.lists
	return lv
}
