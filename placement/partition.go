package placement

import "math/rand/v2"

// maxPartitionValues bounds the values a spread-first plan partitions by;
// an attribute with more distinct values uses the plain scan.
const maxPartitionValues = 32

// partition lists the ACTIVE instances per value of one attribute column,
// so that a plan whose first strategy spreads over that attribute looks only
// at the instances of the least-loaded value(s) (performance.md §3b,
// "partition the index by the first spread key").
type partition struct {
	lists [][]int32 // per value ID: ACTIVE instances with that value
	pos   []int32   // per instance slot: index in its list, or -1
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
}

// chooseSpreadFirst places under a plan whose first rank spreads over the
// attribute column col. It visits the attribute's values in increasing
// order of the group's task count; the first count level at which some
// value has a feasible instance holds the answer, found among that level's
// instances only:
//
//   - no further rank, or only spread(instanceId) after it: rejection
//     sampling over the level's instances (accepting a feasible instance,
//     with no task of the group for spread(instanceId), which is then
//     optimal); exactly uniform, with an exact scan of the level as fallback;
//   - any other continuation: a scan of the level's instances.
func (c *Cluster) chooseSpreadFirst(p *Plan, t *Task, on []int32, rng *rand.Rand) int32 {
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
	sampled := len(rest) == 0 || (len(rest) == 1 && rest[0].kind == rankSpreadInstance)
	for lo := 0; lo < n; {
		hi := lo + 1
		for hi < n && count[hi] == count[lo] {
			hi++
		}
		level := order[lo:hi]
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
				if (len(rest) == 0 || on[i] == 0) && c.feasible(p, t, on, i) {
					return i
				}
			}
		}
		rk := ranker{best: -1}
		for _, v := range level {
			for _, i := range pt.lists[v] {
				if c.feasible(p, t, on, i) {
					c.offer(&rk, rest, 0, t.Group, on, i, rng)
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
