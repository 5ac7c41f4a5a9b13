package loadbalancer

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// spec is a naive reference of which targets may receive a request, written
// straight from the ELB rules (see rebuild) over a snapshot of the group.
type spec struct {
	crossZone  bool
	minHealthy int
	infos      []TargetInfo // every known target
}

// eligible returns the targets a request may go to, grouped by routing
// scope (one scope with cross-zone on, one per entry zone with it off).
func (s spec) eligible() map[string][]TargetInfo {
	byScope := map[string][]TargetInfo{}
	scope := func(i TargetInfo) string {
		if s.crossZone {
			return ""
		}
		return i.Zone
	}
	healthy, registered := map[string]int{}, map[string]int{}
	for _, i := range s.infos {
		if i.State == Healthy {
			healthy[scope(i)]++
		}
		if i.State == Initial || i.State == Healthy || i.State == Unhealthy {
			registered[scope(i)]++
		}
	}
	anyHealthy := len(healthy) > 0
	for _, i := range s.infos {
		sc := scope(i)
		if !s.crossZone && anyHealthy && healthy[sc] == 0 {
			continue // DNS does not hand out this zone
		}
		switch {
		case healthy[sc] >= s.minHealthy && i.State == Healthy:
		case healthy[sc] < s.minHealthy && registered[sc] > 0 &&
			(i.State == Initial || i.State == Healthy || i.State == Unhealthy):
		default:
			continue
		}
		byScope[sc] = append(byScope[sc], i)
	}
	return byScope
}

// TestPropertyRouting runs random operation sequences against a group and
// checks, after every step, the routing rules against the naive spec, the
// in-flight counts against a model, and the deregistration deadline.
func TestPropertyRouting(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cfg := Config{
			Type:                  rapid.SampledFrom([]Type{ALB, NLB}).Draw(rt, "type"),
			MinimumHealthyTargets: rapid.IntRange(1, 2).Draw(rt, "minHealthy"),
			DeregistrationDelay:   rapid.SampledFrom([]time.Duration{NoDeregistrationDelay, 30 * time.Second, 0}).Draw(rt, "delay"),
			CrossZone:             rapid.SampledFrom([]CrossZone{CrossZoneDefault, CrossZoneOn, CrossZoneOff}).Draw(rt, "crossZone"),
			HealthCheck: HealthCheck{
				Interval:                time.Duration(rapid.IntRange(5, 30).Draw(rt, "interval")) * time.Second,
				Timeout:                 2 * time.Second,
				HealthyThreshold:        rapid.IntRange(2, 3).Draw(rt, "healthy"),
				UnhealthyThreshold:      rapid.IntRange(2, 3).Draw(rt, "unhealthy"),
				InitialHealthyThreshold: rapid.IntRange(1, 3).Draw(rt, "initial"),
			},
		}
		if cfg.Type == ALB {
			cfg.Algorithm = rapid.SampledFrom([]Algorithm{RoundRobin, LeastOutstandingRequests, WeightedRandom}).Draw(rt, "algorithm")
			if cfg.Algorithm == RoundRobin && rapid.Bool().Draw(rt, "slowStart") {
				cfg.SlowStart = 30 * time.Second
			}
		}
		g, err := New(cfg)
		if err != nil {
			rt.Fatal(err)
		}
		full := g.Config()
		rng := rand.New(rand.NewPCG(rapid.Uint64().Draw(rt, "seed"), 0))
		const ids = 6
		now := t0
		inFlight := make([]int, ids)
		deregisteredAt := make([]time.Time, ids) // zero when not deregistering
		zones := []string{"a", "b", "c"}

		snapshot := func() spec {
			s := spec{crossZone: full.CrossZone == CrossZoneOn, minHealthy: full.MinimumHealthyTargets}
			for id := range ids {
				if info, ok := g.Target(id); ok {
					s.infos = append(s.infos, info)
				}
			}
			return s
		}
		state := func(id int) State {
			info, _ := g.Target(id)
			return info.State
		}

		rt.Repeat(map[string]func(*rapid.T){
			"register": func(rt *rapid.T) {
				id := rapid.IntRange(0, ids-1).Draw(rt, "id")
				if state(id) != Unused {
					rt.Skip("registered")
				}
				if err := g.Register(now, Target{ID: id, Zone: rapid.SampledFrom(zones).Draw(rt, "zone")}); err != nil {
					rt.Fatal(err)
				}
				deregisteredAt[id] = time.Time{}
			},
			"deregister": func(rt *rapid.T) {
				id := rapid.IntRange(0, ids-1).Draw(rt, "id")
				if s := state(id); s != Initial && s != Healthy && s != Unhealthy {
					rt.Skip("not registered")
				}
				drained, err := g.Deregister(now, id)
				if err != nil {
					rt.Fatal(err)
				}
				if want := inFlight[id] == 0 || full.DeregistrationDelay == 0; drained != want {
					rt.Fatalf("Deregister drained=%v with %d in flight, delay %v", drained, inFlight[id], full.DeregistrationDelay)
				}
				deregisteredAt[id] = now
			},
			"respond": func(rt *rapid.T) {
				id := rapid.IntRange(0, ids-1).Draw(rt, "id")
				if err := g.SetResponse(now, id, rapid.SampledFrom([]Response{Pass, Refuse, NoResponse}).Draw(rt, "response")); err != nil {
					rt.Fatal(err)
				}
			},
			"advance": func(rt *rapid.T) {
				now = now.Add(time.Duration(rapid.IntRange(0, 40_000).Draw(rt, "ms")) * time.Millisecond)
				tr, next, ok := g.Advance(now, nil)
				for i, x := range tr {
					if x.At.After(now) || (i > 0 && x.At.Before(tr[i-1].At)) {
						rt.Fatalf("transition %v out of order or in the future (now %v)", x, now)
					}
				}
				if ok && !next.After(now) {
					rt.Fatalf("next wake %v not after now %v", next, now)
				}
			},
			"route": func(rt *rapid.T) {
				s := snapshot()
				var id int
				var ok bool
				if cfg.Type == NLB {
					id, ok = g.RouteFlow(now, rapid.Uint64().Draw(rt, "flow"))
				} else {
					id, ok = g.Route(now, rng)
				}
				el := s.eligible()
				if !ok {
					if len(el) != 0 {
						rt.Fatalf("no route although %v are eligible", el)
					}
					return
				}
				info, _ := g.Target(id)
				sc := info.Zone
				if s.crossZone {
					sc = ""
				}
				i := slices.IndexFunc(el[sc], func(e TargetInfo) bool { return e.ID == id })
				if i < 0 {
					rt.Fatalf("routed to %d (%v, zone %s), not in eligible %v", id, info.State, info.Zone, el)
				}
				if full.Algorithm == LeastOutstandingRequests {
					for _, e := range el[sc] {
						if e.InFlight < info.InFlight {
							rt.Fatalf("LOR picked %d with %d in flight; %d has %d", id, info.InFlight, e.ID, e.InFlight)
						}
					}
				}
				g.Begin(id)
				inFlight[id]++
			},
			"end": func(rt *rapid.T) {
				id := rapid.IntRange(0, ids-1).Draw(rt, "id")
				if inFlight[id] == 0 {
					rt.Skip("nothing in flight")
				}
				before, _ := g.Target(id)
				drained := g.End(now, id)
				inFlight[id]--
				want := inFlight[id] == 0 && before.State == Draining && before.DrainedAt.IsZero()
				if drained != want {
					rt.Fatalf("End drained=%v, want %v (state %v, in flight now %d)", drained, want, before.State, inFlight[id])
				}
			},
			"": func(rt *rapid.T) {
				for id := range ids {
					if got := g.InFlight(id); got != inFlight[id] || got < 0 {
						rt.Fatalf("target %d in flight %d, model %d", id, got, inFlight[id])
					}
					if deregisteredAt[id].IsZero() {
						continue
					}
					info, _ := g.Target(id)
					deadline := deregisteredAt[id].Add(full.DeregistrationDelay)
					if !now.Before(deadline) {
						if _, _, _ = g.Advance(now, nil); state(id) != Unused {
							rt.Fatalf("target %d still %v at %v, deregistered at %v", id, state(id), now, deregisteredAt[id])
						}
						info, _ = g.Target(id)
					} else if info.State != Draining {
						rt.Fatalf("target %d %v before its delay ends", id, info.State)
					}
					if !info.DrainedAt.IsZero() && info.DrainedAt.After(deadline) {
						rt.Fatalf("target %d drained at %v, after the deadline %v", id, info.DrainedAt, deadline)
					}
				}
			},
		})
	})
}

// Round robin with a shared cursor is fair: over any run of requests with
// the target set unchanged, counts differ by at most 1, and over whole
// cycles they are equal. With a cursor per node (the default) each node is
// fair on its own, so counts differ by at most the number of nodes.
func TestPropertyRoundRobinFair(t *testing.T) {
	t.Run("shared", func(t *testing.T) { roundRobinFair(t, true) })
	t.Run("per node", func(t *testing.T) { roundRobinFair(t, false) })
}

func roundRobinFair(t *testing.T, shared bool) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(rt, "targets")
		zones := make([]string, n)
		for i := range zones {
			zones[i] = rapid.SampledFrom([]string{"a", "b"}).Draw(rt, "zone")
		}
		var refuse []int
		for id := range n {
			if rapid.Bool().Draw(rt, "refuse") {
				refuse = append(refuse, id)
			}
		}
		g := healthyGroup(rt, Config{SharedRoundRobin: shared}, zones, refuse...)
		healthyN := n - len(refuse)
		if healthyN == 0 {
			healthyN = n // fail open
		}
		// Start mid-cycle to show fairness does not depend on the cursor.
		routeN(g, at(61), nil, rapid.IntRange(0, 20).Draw(rt, "warm"))
		m := rapid.IntRange(1, 60).Draw(rt, "requests")
		counts := shares(routeN(g, at(61), nil, m), n)
		lo, hi := m, 0
		for id, c := range counts {
			if len(refuse) < n && slices.Contains(refuse, id) {
				if c != 0 {
					rt.Fatalf("unhealthy target %d got %d", id, c)
				}
				continue
			}
			lo, hi = min(lo, c), max(hi, c)
		}
		if bound := max(g.RoundRobinCursors(), 1); hi-lo > bound {
			rt.Fatalf("counts %v over %d requests differ by %d, more than %d", counts, m, hi-lo, bound)
		}
		if !shared {
			return
		}
		if m%healthyN == 0 && hi != lo {
			rt.Fatalf("counts %v over %d whole cycles are unequal", counts, m/healthyN)
		}
	})
}

// An NLB's flow → target map depends only on the set of routable targets:
// two groups that reach the same set by different histories agree on every
// flow, and a group agrees with itself over time while the set is unchanged.
func TestPropertyFlowHashStable(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 10).Draw(rt, "targets")
		cfg := Config{Type: NLB, CrossZone: CrossZoneOn, HealthCheck: HealthCheck{InitialHealthyThreshold: 1}}
		a, b := mustNew(rt, cfg), mustNew(rt, cfg)
		order := rapid.Permutation(func() []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i
			}
			return s
		}()).Draw(rt, "order")
		for id := range n {
			mustRegister(rt, a, t0, id, "a")
		}
		for k, id := range order {
			// b registers in another order and at other instants.
			if err := b.Register(t0.Add(time.Duration(k)*time.Second), Target{ID: id, Zone: "a"}); err != nil {
				rt.Fatal(err)
			}
		}
		// b also had an extra target that came and went.
		mustRegister(rt, b, t0, n, "a")
		if _, err := b.Deregister(t0, n); err != nil {
			rt.Fatal(err)
		}
		advance(a, at(100))
		advance(b, at(100))
		keys := rapid.SliceOfN(rapid.Uint64(), 1, 50).Draw(rt, "keys")
		for _, k := range keys {
			x, _ := a.RouteFlow(at(100), k)
			y, _ := b.RouteFlow(at(100), k)
			a.Begin(x)
			advance(a, at(150))
			z, _ := a.RouteFlow(at(150), k)
			if x != y || x != z {
				rt.Fatalf("flow %d: %d, %d in the other group, %d later", k, x, y, z)
			}
		}
	})
}

// The fast round robin agrees request for request with the naive baseline
// (re-filter, then take candidates[counter mod len]) on any fixed mix of
// healthy and unhealthy targets, fail-open included.
func TestPropertyRoundRobinMatchesNaive(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(rt, "targets")
		minHealthy := rapid.IntRange(1, 3).Draw(rt, "minHealthy")
		zones := make([]string, n)
		naive := &naiveGroup{alg: RoundRobin, minHealthy: minHealthy, targets: make([]naiveTarget, n)}
		var refuse []int
		for id := range n {
			zones[id] = "a"
			naive.targets[id].state = Healthy
			if rapid.Bool().Draw(rt, "refuse") {
				refuse = append(refuse, id)
				naive.targets[id].state = Unhealthy
			}
		}
		g := healthyGroup(rt, Config{MinimumHealthyTargets: minHealthy}, zones, refuse...)
		m := rapid.IntRange(1, 50).Draw(rt, "requests")
		for k := range m {
			got, _ := g.Route(at(61), nil)
			want := naive.route(at(61).UnixNano(), nil, 0)
			if got != want {
				rt.Fatalf("request %d: fast %d, naive %d", k, got, want)
			}
		}
	})
}
