package loadbalancer

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// naiveGroup is the baseline a first implementation would write: a slice of
// target structs, re-filtered into a fresh candidate slice on every request.
type naiveGroup struct {
	alg        Algorithm
	minHealthy int
	targets    []naiveTarget
	rr         int
}

type naiveTarget struct {
	state               State
	inFlight            int
	slowFrom, slowUntil int64 // slow start window, ns; slowUntil 0 if none
	credit              int64 // smooth weighted round robin credit
}

func (g *naiveGroup) route(now int64, rng *rand.Rand, flowKey uint64) int {
	healthy := 0
	for _, t := range g.targets {
		if t.state == Healthy {
			healthy++
		}
	}
	var candidates []int
	for id, t := range g.targets {
		if t.state == Healthy || (healthy < g.minHealthy && t.state.registered()) {
			candidates = append(candidates, id)
		}
	}
	if len(candidates) == 0 {
		return -1
	}
	switch g.alg {
	case LeastOutstandingRequests:
		least := candidates[0]
		for _, id := range candidates {
			if g.targets[id].inFlight < g.targets[least].inFlight {
				least = id
			}
		}
		var ties []int
		for _, id := range candidates {
			if g.targets[id].inFlight == g.targets[least].inFlight {
				ties = append(ties, id)
			}
		}
		return ties[rng.IntN(len(ties))]
	case WeightedRandom:
		return candidates[rng.IntN(len(candidates))]
	case FlowHash:
		return candidates[mix64(flowKey)%uint64(len(candidates))]
	}
	slow := false
	for _, id := range candidates {
		slow = slow || g.targets[id].slowUntil > now
	}
	if slow {
		// Classic smooth weighted round robin over every candidate, as
		// nginx does it, with each weight recomputed per request.
		var total int64
		best := -1
		for _, id := range candidates {
			t := &g.targets[id]
			w := int64(weightUnit)
			if t.slowUntil > now {
				w = (now - t.slowFrom) * weightUnit / (t.slowUntil - t.slowFrom)
			}
			total += w
			t.credit += w
			if best < 0 || t.credit > g.targets[best].credit {
				best = id
			}
		}
		g.targets[best].credit -= total
		return best
	}
	id := candidates[g.rr%len(candidates)]
	g.rr++
	return id
}

// Benchmark sinks.
var sinkID int

// benchRing keeps each routed request in flight for a while so that least
// outstanding requests sees varied counts: every request ends after depth
// later requests have begun.
type benchRing struct {
	ids  []int
	next int
}

func newBenchRing(depth int) *benchRing {
	r := &benchRing{ids: make([]int, depth)}
	for i := range r.ids {
		r.ids[i] = -1
	}
	return r
}

// push records id and returns the request that now ends (-1 if none).
func (r *benchRing) push(id int) int {
	old := r.ids[r.next]
	r.ids[r.next] = id
	r.next = (r.next + 1) % len(r.ids)
	return old
}

// BenchmarkRoute measures one request's routing work (Route, Begin and the
// End of an earlier request) against the naive baseline, for each algorithm
// at 10 and 100 targets, one of every ten unhealthy.
func BenchmarkRoute(b *testing.B) {
	algs := []struct {
		name string
		cfg  Config
	}{
		{"round_robin", Config{}},
		{"least_outstanding_requests", Config{Algorithm: LeastOutstandingRequests}},
		{"weighted_random", Config{Algorithm: WeightedRandom}},
		{"flow_hash", Config{Type: NLB, CrossZone: CrossZoneOn}},
		{"round_robin_slow_start", Config{SlowStart: 900 * time.Second}},
	}
	for _, alg := range algs {
		for _, n := range []int{10, 100} {
			zones := make([]string, n)
			var refuse []int
			for i := range zones {
				zones[i] = string(rune('a' + i%3))
				if i%10 == 9 {
					refuse = append(refuse, i)
				}
			}
			b.Run(fmt.Sprintf("%s/targets=%d/fast", alg.name, n), func(b *testing.B) {
				g := healthyGroup(b, alg.cfg, zones, refuse...)
				if alg.cfg.SlowStart > 0 {
					// A tenth target joins late and ramps for the whole run.
					mustRegister(b, g, at(60), n, "a")
					advance(g, at(90))
				}
				rng := rand.New(rand.NewPCG(1, 2))
				ring := newBenchRing(2 * n)
				now := at(91)
				var key uint64
				step := func() {
					var id int
					if alg.cfg.Type == NLB {
						key++
						id, _ = g.RouteFlow(now, key)
					} else {
						id, _ = g.Route(now, rng)
					}
					g.Begin(id)
					if old := ring.push(id); old >= 0 {
						g.End(now, old)
					}
					sinkID = id
				}
				for range 10 * n { // warm-up: fill the ring, settle the pools
					step()
				}
				b.ReportAllocs()
				for b.Loop() {
					step()
				}
			})
			b.Run(fmt.Sprintf("%s/targets=%d/naive", alg.name, n), func(b *testing.B) {
				ng := &naiveGroup{alg: alg.cfg.withDefaults().Algorithm, minHealthy: 1, targets: make([]naiveTarget, n)}
				for i := range ng.targets {
					ng.targets[i].state = Healthy
				}
				for _, i := range refuse {
					ng.targets[i].state = Unhealthy
				}
				if alg.cfg.SlowStart > 0 {
					ng.targets = append(ng.targets, naiveTarget{
						state: Healthy, slowFrom: at(90).UnixNano(), slowUntil: at(90).Add(alg.cfg.SlowStart).UnixNano(),
					})
				}
				now := at(91).UnixNano()
				rng := rand.New(rand.NewPCG(1, 2))
				ring := newBenchRing(2 * n)
				var key uint64
				step := func() {
					key++
					id := ng.route(now, rng, key)
					ng.targets[id].inFlight++
					if old := ring.push(id); old >= 0 {
						ng.targets[old].inFlight--
					}
					sinkID = id
				}
				for range 10 * n {
					step()
				}
				b.ReportAllocs()
				for b.Loop() {
					step()
				}
			})
		}
	}
}

// BenchmarkAdvance measures the health check work of a 100-target group:
// one Advance per check instant, each running one check per target.
func BenchmarkAdvance(b *testing.B) {
	// One op is one round of health checks over 100 targets (30 s). Targets
	// that refuse are checked every round; healthy targets that pass are
	// dormant and cost nothing once healthy.
	for _, answer := range []Response{Refuse, Pass} {
		b.Run("targets=100/answer="+answer.String(), func(b *testing.B) {
			g := mustNew(b, Config{})
			for id := range 100 {
				mustRegister(b, g, t0, id, "a")
				if err := g.SetResponse(t0, id, answer); err != nil {
					b.Fatal(err)
				}
			}
			var buf []Transition
			now := t0
			for range 10 { // past the thresholds: unhealthy, or healthy and dormant
				now = now.Add(30 * time.Second)
				buf, _, _ = g.Advance(now, buf[:0])
			}
			b.ReportAllocs()
			for b.Loop() {
				now = now.Add(30 * time.Second)
				buf, _, _ = g.Advance(now, buf[:0])
			}
			sinkID = len(buf)
		})
	}
}
