package placement

import "math/rand/v2"

// countBuckets lists every instance slot by how many tasks of one group it
// runs (the LFU-bucket technique of performance.md §3b), so that
// spread(instanceId) finds the least-loaded feasible instance without a
// scan. A placement or release moves one instance to the next or previous
// bucket in O(1).
type countBuckets struct {
	lists [][]int32 // per task count: instance slots
	pos   []int32   // per instance slot: index in lists[count]
}

// buckets returns group g's count buckets, building them on first use.
func (c *Cluster) buckets(g GroupID) *countBuckets {
	for len(c.groupBuckets) <= int(g) {
		c.groupBuckets = append(c.groupBuckets, nil)
	}
	if b := c.groupBuckets[g]; b != nil {
		return b
	}
	on := c.groupCounts(g)
	b := &countBuckets{pos: make([]int32, len(on))}
	for i, k := range on {
		b.add(int32(i), k)
	}
	c.groupBuckets[g] = b
	return b
}

func (b *countBuckets) add(i, k int32) {
	for len(b.lists) <= int(k) {
		b.lists = append(b.lists, nil)
	}
	for len(b.pos) <= int(i) {
		b.pos = append(b.pos, -1)
	}
	b.pos[i] = int32(len(b.lists[k]))
	b.lists[k] = append(b.lists[k], i)
}

func (b *countBuckets) remove(i, k int32) {
	list := b.lists[k]
	p := b.pos[i]
	last := list[len(list)-1]
	list[p] = last
	b.pos[last] = p
	b.lists[k] = list[:len(list)-1]
}

// move records that instance i went from from to to tasks of the group.
func (b *countBuckets) move(i, from, to int32) {
	b.remove(i, from)
	b.add(i, to)
}

// chooseByCount returns, among feasible ACTIVE instances whose value of
// column col is in the level mask, one with the fewest tasks of the group,
// uniformly among ties; -1 if there is none. It walks the group's count
// buckets upwards; in each it draws members uniformly (rejection sampling:
// an accepted draw is uniform over the bucket's qualifying members) and
// falls back to an exact pass over the bucket.
func (c *Cluster) chooseByCount(p *Plan, t *Task, on []int32, rng *rand.Rand, col int32, level uint64) int32 {
	b := c.buckets(t.Group)
	of := c.cols[col].of
	ok := func(i int32) bool {
		return c.res[i].status == Active && level&(1<<uint(of[i])) != 0 && c.feasible(p, t, on, i)
	}
	for _, list := range b.lists {
		if len(list) == 0 {
			continue
		}
		for range randomTries {
			if i := list[rng.IntN(len(list))]; ok(i) {
				return i
			}
		}
		best, ties := int32(-1), 0
		for _, i := range list {
			if ok(i) {
				ties++
				if rng.IntN(ties) == 0 {
					best = i
				}
			}
		}
		if best >= 0 {
			return best
		}
	}
	return -1
}
