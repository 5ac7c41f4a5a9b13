package loadbalancer

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"time"
)

// router is the routing state derived from the targets' states: one pool of
// routable targets per routing scope (the whole group with cross-zone on,
// each zone with it off). It is rebuilt, in O(targets), only when a state
// changes or a slow start ends, so routing a request touches one pool.
type router struct {
	dirty   bool
	pools   []pool
	pool    []int32 // pool index per target ID, -1 if not routable
	lorPos  []int32 // position of each target ID in its LOR bucket
	entry   []int32 // zones DNS hands out (cross-zone off)
	zoneRR  uint32  // entry zone cursor when Route has no rng
	nodeRR  uint32  // entry node cursor when Route has no rng
	rampEnd int64   // earliest end of a slow start in any pool; never if none

	healthy, registered []int // per-scope counts, scratch for rebuild

	candidates []RouteTarget // scratch for Config.Router
}

// pool is the routable targets of one scope.
type pool struct {
	members []int32 // full-share targets, ascending ID
	ramping []int32 // targets in slow start, ascending ID
	rr      int     // round-robin cursor into members (shared, or the only node's)
	rrs     []int   // round-robin cursors of nodes 1.. (cursor per node)
	credit  []int64 // smooth weighted round robin credit: [block, ramping...]
	lor     lorIndex
}

// weightUnit is the integer weight of one target at full share.
const weightUnit = 1 << 20

// rebuild recomputes the pools from the targets' states at instant n.
//
// Scope rules: a scope with at least MinimumHealthyTargets healthy targets
// routes to its healthy targets only; otherwise it fails open to every
// registered target (initial, healthy and unhealthy; never draining). With
// cross-zone off, DNS hands out only the zones with a healthy target (every
// zone with a registered target when none has one), and each zone is its
// own scope.
func (g *TargetGroup) rebuild(n int64) {
	r := &g.router
	scopes := 1
	crossZone := g.cfg.CrossZone == CrossZoneOn
	if !crossZone {
		scopes = len(g.zoneNames)
	}
	for len(r.pools) < scopes {
		r.pools = append(r.pools, pool{})
	}
	r.pools = r.pools[:scopes]
	r.healthy = append(r.healthy[:0], make([]int, scopes)...)
	r.registered = append(r.registered[:0], make([]int, scopes)...)
	healthy, registered := r.healthy, r.registered
	scopeOf := func(t *target) int {
		if crossZone {
			return 0
		}
		return int(t.zone)
	}
	for id := range g.targets {
		t := &g.targets[id]
		if !t.state.registered() {
			continue
		}
		s := scopeOf(t)
		registered[s]++
		if t.state == Healthy {
			healthy[s]++
		}
	}
	r.entry = r.entry[:0]
	if !crossZone {
		for z := range scopes {
			if healthy[z] > 0 {
				r.entry = append(r.entry, int32(z))
			}
		}
		if len(r.entry) == 0 {
			for z := range scopes {
				if registered[z] > 0 {
					r.entry = append(r.entry, int32(z))
				}
			}
		}
	}
	for i := range r.pools {
		p := &r.pools[i]
		p.members, p.ramping = p.members[:0], p.ramping[:0]
	}
	r.rampEnd = never
	for id := range g.targets {
		t := &g.targets[id]
		r.pool[id] = -1
		if !t.state.registered() {
			continue
		}
		s := scopeOf(t)
		failOpen := healthy[s] < g.cfg.MinimumHealthyTargets
		switch {
		case t.state == Healthy && !failOpen && t.slowUntil > n:
			r.pools[s].ramping = append(r.pools[s].ramping, int32(id))
		case t.state == Healthy || failOpen:
			r.pools[s].members = append(r.pools[s].members, int32(id))
		default:
			continue
		}
		r.pool[id] = int32(s)
	}
	for i := range r.pools {
		p := &r.pools[i]
		if len(p.members) == 0 && len(p.ramping) > 0 {
			// Slow start shares traffic with full-share targets; with none
			// left, the ramping targets are all there is.
			p.members, p.ramping = append(p.members, p.ramping...), p.ramping[:0]
		}
		for _, id := range p.ramping {
			r.rampEnd = min(r.rampEnd, g.targets[id].slowUntil)
		}
		p.credit = p.credit[:0]
		if len(p.ramping) > 0 {
			for range len(p.ramping) + 1 {
				p.credit = append(p.credit, 0)
			}
		}
		if len(p.members) > 0 {
			p.rr %= len(p.members)
			for k := range p.rrs {
				p.rrs[k] %= len(p.members)
			}
		}
		if g.cfg.Algorithm == LeastOutstandingRequests {
			p.lor.reset()
			for _, id := range p.members {
				p.lor.insert(id, int(g.inFlight[id]), r.lorPos)
			}
		}
	}
	r.dirty = false
}

// prepare brings the routing state up to date for a request at instant n.
func (g *TargetGroup) prepare(n int64) {
	if g.router.dirty || n >= g.router.rampEnd {
		g.rebuild(n)
	}
}

// Route chooses the target for one ALB request at now: the target's ID, or
// ok false when no target is registered (the ALB answers 503). The caller
// then calls Begin(id) and, when the response is complete, End.
//
// Round robin takes the routable targets in ascending ID order in turn.
// During slow start it is a smooth weighted round robin in which a ramping
// target's weight is
//
//	w(t) = (t − t_healthy) / SlowStart     (0 ≤ w < 1, full share = 1)
//
// and the full-share targets share the rest in turn. Least outstanding
// requests picks a target with the fewest requests in flight, breaking ties
// uniformly with rng. Weighted random picks uniformly with rng.
//
// With cross-zone off, the request first enters a zone that DNS hands out,
// chosen uniformly with rng (in turn when rng is nil), and stays in it.
// rng may be nil for round robin; the other algorithms need it. Route
// panics on an NLB group: use RouteFlow. It allocates nothing.
func (g *TargetGroup) Route(now time.Time, rng *rand.Rand) (id int, ok bool) {
	if g.cfg.Type == NLB {
		panic("loadbalancer: Route on an NLB target group; use RouteFlow")
	}
	n := now.UnixNano()
	g.prepare(n)
	r := &g.router
	var p *pool
	if g.cfg.CrossZone == CrossZoneOn {
		p = &r.pools[0]
	} else {
		switch len(r.entry) {
		case 0:
			return -1, false
		case 1:
			p = &r.pools[r.entry[0]]
		default:
			var z uint32
			if rng != nil {
				z = uint32(rng.IntN(len(r.entry)))
			} else {
				z = r.zoneRR % uint32(len(r.entry))
				r.zoneRR++
			}
			p = &r.pools[r.entry[z]]
		}
	}
	if len(p.members) == 0 {
		return -1, false
	}
	if rt := g.cfg.Router; rt != nil {
		return g.routeCustom(rt, p, rng), true
	}
	switch g.cfg.Algorithm {
	case LeastOutstandingRequests:
		return int(p.lor.pick(rng)), true
	case WeightedRandom:
		return int(p.members[rng.IntN(len(p.members))]), true
	}
	if len(p.ramping) > 0 {
		if k := p.smoothPick(g, n); k > 0 {
			return int(p.ramping[k-1]), true
		}
	}
	rr := &p.rr
	if nodes := g.cursors(); nodes > 1 && g.cfg.CrossZone == CrossZoneOn {
		// The request enters one node, which keeps its own cursor.
		var k int
		if rng != nil {
			k = rng.IntN(nodes)
		} else {
			k = int(r.nodeRR % uint32(nodes))
			r.nodeRR++
		}
		if k > 0 {
			for len(p.rrs) < nodes-1 {
				// A new node's cursor starts its share of the way round,
				// so that the nodes do not all begin at the first target.
				p.rrs = append(p.rrs, (len(p.rrs)+1)*len(p.members)/nodes)
			}
			rr = &p.rrs[k-1]
		}
	}
	id = int(p.members[*rr])
	*rr++
	if *rr == len(p.members) {
		*rr = 0
	}
	return id, true
}

// Nodes returns the number of load-balancer nodes requests enter through:
// Config.Nodes, or one per Availability Zone of the targets registered so
// far (at least one).
func (g *TargetGroup) Nodes() int {
	if g.cfg.Nodes > 0 {
		return g.cfg.Nodes
	}
	return max(len(g.zoneNames), 1)
}

// RoundRobinCursors returns the number of independent round-robin cursors
// an ALB round-robin group's requests pass through: Nodes with a cursor
// per node and cross-zone on, else one (a shared cursor; or, with
// cross-zone off, each zone's node round-robins its own zone). It is 0 for
// a group that does not route by round robin.
func (g *TargetGroup) RoundRobinCursors() int { return g.rrCursors }

// roundRobinCursors computes RoundRobinCursors from the configuration and
// the zones.
func (g *TargetGroup) roundRobinCursors() int {
	if g.cfg.Type != ALB || g.cfg.Router != nil || g.cfg.Algorithm != RoundRobin {
		return 0
	}
	return g.cursors()
}

// cursors is RoundRobinCursors for a round-robin group.
func (g *TargetGroup) cursors() int {
	if g.cfg.SharedRoundRobin || g.cfg.CrossZone != CrossZoneOn {
		return 1
	}
	return g.Nodes()
}

// Router is a routing policy of the caller's own for an ALB target group
// (Config.Router), for balancers ELB does not offer: join the shortest
// queue, power of two choices, anything a study needs. Route returns the
// index, in targets, of the target that takes the request. targets are the
// routable targets of the request's scope (its entry zone with cross-zone
// off, every zone with it on): the healthy ones, or all registered ones
// when the scope fails open; never empty, in ascending ID, each with its
// requests in flight (Begin without End). The slice is the group's and is
// valid only during the call. Route must depend only on its arguments and
// draw randomness only from rng (nil when the caller passed none), or runs
// are no longer reproducible; an index outside targets panics.
type Router interface {
	Route(targets []RouteTarget, rng *rand.Rand) int
}

// RouteTarget is a target as a Router sees it.
type RouteTarget struct {
	ID       int // the target's ID
	InFlight int // requests routed to it and not yet ended
}

// RouterFunc adapts a function to Router.
type RouterFunc func(targets []RouteTarget, rng *rand.Rand) int

// Route calls f.
func (f RouterFunc) Route(targets []RouteTarget, rng *rand.Rand) int { return f(targets, rng) }

// routeCustom asks the configured Router to choose among p's members.
func (g *TargetGroup) routeCustom(rt Router, p *pool, rng *rand.Rand) int {
	r := &g.router
	r.candidates = r.candidates[:0]
	for _, id := range p.members {
		r.candidates = append(r.candidates, RouteTarget{ID: int(id), InFlight: int(g.inFlight[id])})
	}
	k := rt.Route(r.candidates, rng)
	if k < 0 || k >= len(r.candidates) {
		panic(fmt.Sprintf("loadbalancer: Router returned index %d for %d targets", k, len(r.candidates)))
	}
	return r.candidates[k].ID
}

// smoothPick runs one step of smooth weighted round robin (as in nginx) over
// the block of full-share targets (weight members × unit) and each ramping
// target (weight unit × w(t)): every entry gains its weight in credit, the
// entry with the most credit (lowest index on ties) is chosen and pays the
// total. It returns 0 for the block, k for ramping[k-1].
func (p *pool) smoothPick(g *TargetGroup, n int64) int {
	total := int64(len(p.members)) * weightUnit
	p.credit[0] += total
	best := 0
	for k, id := range p.ramping {
		t := &g.targets[id]
		w := max(0, n-t.slowFrom) * weightUnit / (t.slowUntil - t.slowFrom)
		total += w
		p.credit[k+1] += w
		if p.credit[k+1] > p.credit[best] {
			best = k + 1
		}
	}
	p.credit[best] -= total
	return best
}

// RouteFlow chooses the target for one NLB flow at now: flowKey is the
// caller's identifier of the flow (for TCP a hash of protocol, source and
// destination address and port and the sequence number; for UDP of the
// protocol and 4-tuple). The same key goes to the same target while the set
// of routable targets is unchanged; the caller keeps an open connection on
// its target for the connection's lifetime, as the NLB does. With cross-zone
// off the key also decides the entry zone. ok is false when no target is
// registered. RouteFlow panics on an ALB group. It allocates nothing.
//
// The target is members[⌊mix(key) · len(members) / 2⁶⁴⌋] with members in
// ascending ID order and mix the SplitMix64 finaliser.
func (g *TargetGroup) RouteFlow(now time.Time, flowKey uint64) (id int, ok bool) {
	if g.cfg.Type != NLB {
		panic("loadbalancer: RouteFlow on an ALB or CLB target group; use Route")
	}
	g.prepare(now.UnixNano())
	r := &g.router
	h := mix64(flowKey)
	var p *pool
	if g.cfg.CrossZone == CrossZoneOn {
		p = &r.pools[0]
	} else {
		if len(r.entry) == 0 {
			return -1, false
		}
		p = &r.pools[r.entry[reduce(mix64(h^0x9e3779b97f4a7c15), len(r.entry))]]
	}
	if len(p.members) == 0 {
		return -1, false
	}
	return int(p.members[reduce(h, len(p.members))]), true
}

// mix64 is the SplitMix64 finaliser: it spreads every input bit over the
// output so that nearby flow keys land on unrelated targets.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// reduce maps h uniformly onto [0, n) by Lemire's multiply-shift:
// ⌊h · n / 2⁶⁴⌋.
func reduce(h uint64, n int) int {
	hi, _ := bits.Mul64(h, uint64(n))
	return int(hi)
}

// lorIndex keeps a pool's targets bucketed by requests in flight so that a
// least-outstanding pick, a Begin and an End are each O(1).
type lorIndex struct {
	buckets [][]int32 // buckets[c] holds the targets with c in flight
	least   int       // lowest non-empty bucket; meaningful when size > 0
	size    int
}

// reset empties the index, keeping its memory.
func (x *lorIndex) reset() {
	for c := range x.buckets {
		x.buckets[c] = x.buckets[c][:0]
	}
	x.size = 0
	x.least = 0
}

// insert adds target id with c in flight.
func (x *lorIndex) insert(id int32, c int, pos []int32) {
	for len(x.buckets) <= c {
		x.buckets = append(x.buckets, nil)
	}
	pos[id] = int32(len(x.buckets[c]))
	x.buckets[c] = append(x.buckets[c], id)
	if x.size == 0 || c < x.least {
		x.least = c
	}
	x.size++
}

// unlink removes target id from bucket c without touching least or size.
func (x *lorIndex) unlink(id int32, c int, pos []int32) {
	b := x.buckets[c]
	i, last := pos[id], b[len(b)-1]
	b[i] = last
	pos[last] = i
	x.buckets[c] = b[:len(b)-1]
}

// increment moves target id from c to c+1 in flight.
func (x *lorIndex) increment(id int32, c int, pos []int32) {
	x.unlink(id, c, pos)
	x.size--
	x.insert(id, c+1, pos)
	if c == x.least && len(x.buckets[c]) == 0 {
		x.least = c + 1
	}
}

// decrement moves target id from c to c-1 in flight.
func (x *lorIndex) decrement(id int32, c int, pos []int32) {
	x.unlink(id, c, pos)
	x.size--
	x.insert(id, c-1, pos)
}

// pick returns a target with the fewest in flight, uniformly among ties
// when rng is non-nil.
func (x *lorIndex) pick(rng *rand.Rand) int32 {
	b := x.buckets[x.least]
	if len(b) == 1 || rng == nil {
		return b[0]
	}
	return b[rng.IntN(len(b))]
}
