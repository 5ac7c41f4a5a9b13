package loadbalancer

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// healthyGroup registers target i in zones[i] at t0 and advances to 30 s,
// when each has passed its one required check (InitialHealthyThreshold 1).
// Targets listed in refuse fail their checks and are unhealthy by 60 s, the
// instant the group is advanced to.
func healthyGroup(t tb, cfg Config, zones []string, refuse ...int) *TargetGroup {
	t.Helper()
	cfg.HealthCheck.InitialHealthyThreshold = 1
	g := mustNew(t, cfg)
	for id, z := range zones {
		mustRegister(t, g, t0, id, z)
	}
	for _, id := range refuse {
		if err := g.SetResponse(t0, id, Refuse); err != nil {
			t.Fatal(err)
		}
	}
	advance(g, at(60))
	return g
}

// routeN routes n requests at now and returns the chosen IDs.
func routeN(g *TargetGroup, now time.Time, rng *rand.Rand, n int) []int {
	var got []int
	for range n {
		id, ok := g.Route(now, rng)
		if !ok {
			id = -1
		}
		got = append(got, id)
	}
	return got
}

func shares(ids []int, targets int) []int {
	c := make([]int, targets)
	for _, id := range ids {
		if id >= 0 {
			c[id]++
		}
	}
	return c
}

func TestRoundRobinOrder(t *testing.T) {
	tests := []struct {
		name   string
		zones  []string
		refuse []int
		want   []int
	}{
		{name: "three healthy in ID order", zones: []string{"a", "a", "a"}, want: []int{0, 1, 2, 0, 1, 2, 0}},
		{name: "unhealthy target skipped", zones: []string{"a", "a", "a"}, refuse: []int{1}, want: []int{0, 2, 0, 2}},
		{name: "all unhealthy fails open to all", zones: []string{"a", "a"}, refuse: []int{0, 1}, want: []int{0, 1, 0, 1}},
		{name: "no targets", zones: nil, want: []int{-1, -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := healthyGroup(t, Config{}, tc.zones, tc.refuse...)
			got := routeN(g, at(60), nil, len(tc.want))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("routes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDrainingAndInitialTargetsGetNothing(t *testing.T) {
	g := healthyGroup(t, Config{}, []string{"a", "a", "a"})
	if _, err := g.Deregister(at(60), 1); err != nil {
		t.Fatal(err)
	}
	mustRegister(t, g, at(60), 3, "a") // initial, not yet checked
	got := shares(routeN(g, at(61), nil, 100), 4)
	if diff := cmp.Diff([]int{50, 0, 50, 0}, got); diff != "" {
		t.Errorf("shares (-want +got):\n%s", diff)
	}
}

// ELB fails open to every registered target, initial ones included, when no
// target is healthy; draining targets stay out.
func TestFailOpenIncludesInitialNotDraining(t *testing.T) {
	g := healthyGroup(t, Config{}, []string{"a", "a", "a"}, 0, 1, 2)
	if _, err := g.Deregister(at(60), 2); err != nil {
		t.Fatal(err)
	}
	mustRegister(t, g, at(60), 3, "a")
	got := shares(routeN(g, at(61), nil, 99), 4)
	if diff := cmp.Diff([]int{33, 33, 0, 33}, got); diff != "" {
		t.Errorf("shares (-want +got):\n%s", diff)
	}
}

func TestMinimumHealthyTargets(t *testing.T) {
	// One healthy target, minimum 2: fail open to all three.
	g := healthyGroup(t, Config{MinimumHealthyTargets: 2}, []string{"a", "a", "a"}, 1, 2)
	got := shares(routeN(g, at(61), nil, 30), 3)
	if diff := cmp.Diff([]int{10, 10, 10}, got); diff != "" {
		t.Errorf("shares (-want +got):\n%s", diff)
	}
}

func TestLeastOutstandingRequests(t *testing.T) {
	tests := []struct {
		name     string
		inFlight []int
		refuse   []int
		wantIn   []int // the acceptable picks
	}{
		{name: "unique minimum", inFlight: []int{3, 1, 2}, wantIn: []int{1}},
		{name: "tie", inFlight: []int{2, 1, 1}, wantIn: []int{1, 2}},
		{name: "unhealthy minimum ignored", inFlight: []int{3, 0, 2}, refuse: []int{1}, wantIn: []int{2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := healthyGroup(t, Config{Algorithm: LeastOutstandingRequests}, []string{"a", "a", "a"}, tc.refuse...)
			for id, n := range tc.inFlight {
				for range n {
					g.Begin(id)
				}
			}
			rng := rand.New(rand.NewPCG(1, 2))
			seen := map[int]bool{}
			for range 50 {
				id, _ := g.Route(at(61), rng)
				seen[id] = true
			}
			want := map[int]bool{}
			for _, id := range tc.wantIn {
				want[id] = true
			}
			if diff := cmp.Diff(want, seen); diff != "" {
				t.Errorf("picked (-want +got):\n%s", diff)
			}
		})
	}
}

// With Begin after each Route and no End, least outstanding requests levels
// the in-flight counts: after 3k requests to 3 equal targets each holds k.
func TestLeastOutstandingLevels(t *testing.T) {
	g := healthyGroup(t, Config{Algorithm: LeastOutstandingRequests}, []string{"a", "a", "a"})
	g.Begin(0)
	g.Begin(0)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 298 {
		id, _ := g.Route(at(61), rng)
		g.Begin(id)
	}
	got := []int{g.InFlight(0), g.InFlight(1), g.InFlight(2)}
	if diff := cmp.Diff([]int{100, 100, 100}, got); diff != "" {
		t.Errorf("in flight (-want +got):\n%s", diff)
	}
	for range 50 {
		g.End(at(62), 2)
	}
	for range 50 {
		id, _ := g.Route(at(62), rng)
		if id != 2 {
			t.Fatalf("routed to %d with 100 in flight; target 2 has %d", id, g.InFlight(2))
		}
		g.Begin(id)
	}
}

// Weighted random without anomaly mitigation is uniform. 30,000 draws over 3
// targets: each count is Binomial(30000, 1/3), sd ≈ 81.6; allow 5 sd.
func TestWeightedRandomUniform(t *testing.T) {
	g := healthyGroup(t, Config{Algorithm: WeightedRandom}, []string{"a", "a", "a", "a"}, 3)
	got := shares(routeN(g, at(61), rand.New(rand.NewPCG(5, 6)), 30000), 4)
	if got[3] != 0 {
		t.Errorf("unhealthy target got %d requests", got[3])
	}
	for id := range 3 {
		if math.Abs(float64(got[id])-10000) > 5*81.6 {
			t.Errorf("target %d got %d, want 10000 ± 408", id, got[id])
		}
	}
}

// With cross-zone on (the ALB default) every target gets an equal share;
// with it off each zone gets an equal share, split among its own targets, so
// the lone target in zone b takes half the traffic.
func TestCrossZone(t *testing.T) {
	zones := []string{"a", "a", "b"}
	rng := rand.New(rand.NewPCG(7, 8))
	on := shares(routeN(healthyGroup(t, Config{}, zones), at(61), rng, 3000), 3)
	if diff := cmp.Diff([]int{1000, 1000, 1000}, on); diff != "" {
		t.Errorf("cross-zone on (-want +got):\n%s", diff)
	}
	// Zone choice is random: zone b's count is Binomial(12000, 1/2), sd 54.8.
	off := shares(routeN(healthyGroup(t, Config{CrossZone: CrossZoneOff}, zones), at(61), rng, 12000), 3)
	if math.Abs(float64(off[2])-6000) > 5*54.8 || math.Abs(float64(off[0]-off[1])) > 1 {
		t.Errorf("cross-zone off shares %v, want about [3000 3000 6000] with a and b's targets within 1", off)
	}
	// Without rng, the entry zone alternates deterministically.
	det := shares(routeN(healthyGroup(t, Config{CrossZone: CrossZoneOff}, zones), at(61), nil, 400), 3)
	if diff := cmp.Diff([]int{100, 100, 200}, det); diff != "" {
		t.Errorf("cross-zone off, no rng (-want +got):\n%s", diff)
	}
}

// With cross-zone off, DNS stops handing out a zone with no healthy target,
// so its unhealthy targets get nothing while another zone is healthy; when no
// zone is healthy every zone fails open on its own.
func TestCrossZoneOffZoneFailover(t *testing.T) {
	zones := []string{"a", "a", "b", "b"}
	g := healthyGroup(t, Config{CrossZone: CrossZoneOff}, zones, 1, 2, 3)
	got := shares(routeN(g, at(61), nil, 100), 4)
	if diff := cmp.Diff([]int{100, 0, 0, 0}, got); diff != "" {
		t.Errorf("zone b unhealthy (-want +got):\n%s", diff)
	}
	g = healthyGroup(t, Config{CrossZone: CrossZoneOff}, zones, 0, 1, 2, 3)
	got = shares(routeN(g, at(61), nil, 100), 4)
	if diff := cmp.Diff([]int{25, 25, 25, 25}, got); diff != "" {
		t.Errorf("all unhealthy (-want +got):\n%s", diff)
	}
}

// Slow start: target 1 turns healthy at 60 s beside target 0, healthy since
// 30 s, with a 100 s window. At 110 s its weight is 0.5, so smooth weighted
// round robin gives it exactly one request in three; after 160 s it has a
// full share.
func TestSlowStart(t *testing.T) {
	cfg := Config{SlowStart: 100 * time.Second, HealthCheck: HealthCheck{InitialHealthyThreshold: 1}}
	g := mustNew(t, cfg)
	mustRegister(t, g, t0, 0, "a")
	advance(g, at(30))
	mustRegister(t, g, at(30), 1, "a")
	advance(g, at(60))
	info, _ := g.Target(1)
	if !info.SlowStartUntil.Equal(at(160)) {
		t.Fatalf("slow start until %v, want 160s", info.SlowStartUntil.Sub(t0))
	}
	if info0, _ := g.Target(0); !info0.SlowStartUntil.IsZero() {
		t.Errorf("first target entered slow start; it had no healthy peer")
	}
	if got := shares(routeN(g, at(60), nil, 300), 2); got[1] != 0 {
		t.Errorf("at the start of slow start target 1 got %d of 300, want 0", got[1])
	}
	if diff := cmp.Diff([]int{200, 100}, shares(routeN(g, at(110), nil, 300), 2)); diff != "" {
		t.Errorf("half-way (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{150, 150}, shares(routeN(g, at(160), nil, 300), 2)); diff != "" {
		t.Errorf("after slow start (-want +got):\n%s", diff)
	}
}

// Share during slow start rises with w(t) = elapsed / window: routing one
// request per second for the whole window, target 1's count over each 25 s
// quarter follows w/(1+w) summed over the quarter.
func TestSlowStartRampIsLinearInWeight(t *testing.T) {
	cfg := Config{SlowStart: 100 * time.Second, HealthCheck: HealthCheck{InitialHealthyThreshold: 1}}
	g := mustNew(t, cfg)
	mustRegister(t, g, t0, 0, "a")
	advance(g, at(30))
	mustRegister(t, g, at(30), 1, "a")
	advance(g, at(60))
	const perSecond = 100
	for q := range 4 {
		var got int
		var want float64
		for s := q * 25; s < (q+1)*25; s++ {
			for k := range perSecond {
				now := at(60 + float64(s) + float64(k)/perSecond)
				id, _ := g.Route(now, nil)
				if id == 1 {
					got++
				}
				w := (float64(s) + float64(k)/perSecond) / 100
				want += w / (1 + w)
			}
		}
		if math.Abs(float64(got)-want) > 3 {
			t.Errorf("quarter %d: target 1 got %d, want %.1f ± 3", q, got, want)
		}
	}
}

func TestSlowStartNotForTargetsRegisteredTogether(t *testing.T) {
	g := healthyGroup(t, Config{SlowStart: time.Minute}, []string{"a", "a"})
	for id := range 2 {
		if info, _ := g.Target(id); !info.SlowStartUntil.IsZero() {
			t.Errorf("target %d entered slow start although registered with the first", id)
		}
	}
}

func TestSlowStartEndsWhenUnhealthy(t *testing.T) {
	cfg := Config{SlowStart: 600 * time.Second, HealthCheck: HealthCheck{InitialHealthyThreshold: 1}}
	g := mustNew(t, cfg)
	mustRegister(t, g, t0, 0, "a")
	advance(g, at(30))
	mustRegister(t, g, at(30), 1, "a")
	advance(g, at(60))
	if err := g.SetResponse(at(60), 1, Refuse); err != nil {
		t.Fatal(err)
	}
	advance(g, at(120)) // fails at 90 and 120: unhealthy
	if info, _ := g.Target(1); info.State != Unhealthy || !info.SlowStartUntil.IsZero() {
		t.Fatalf("target 1: %v, slow start until %v; want unhealthy and out of slow start", info.State, info.SlowStartUntil)
	}
	if err := g.SetResponse(at(120), 1, Pass); err != nil {
		t.Fatal(err)
	}
	advance(g, at(270)) // passes 150..270: healthy again at 270
	if info, _ := g.Target(1); !info.SlowStartUntil.Equal(at(870)) {
		t.Errorf("slow start until %v, want 870s (re-entered when healthy again)", info.SlowStartUntil.Sub(t0))
	}
}

func TestFlowHash(t *testing.T) {
	g := healthyGroup(t, Config{Type: NLB, CrossZone: CrossZoneOn}, []string{"a", "a", "b", "b"}, 3)
	first := map[uint64]int{}
	counts := make([]int, 4)
	for k := range uint64(30000) {
		id, ok := g.RouteFlow(at(61), k)
		if !ok {
			t.Fatal("no target")
		}
		first[k] = id
		counts[id]++
	}
	if counts[3] != 0 {
		t.Errorf("unhealthy target got %d flows", counts[3])
	}
	for id := range 3 {
		if math.Abs(float64(counts[id])-10000) > 5*81.6 {
			t.Errorf("target %d got %d flows, want 10000 ± 408", id, counts[id])
		}
	}
	// Requests in flight and health checks that change nothing leave every
	// flow where it was.
	g.Begin(0)
	advance(g, at(200))
	for k, want := range first {
		if id, _ := g.RouteFlow(at(200), k); id != want {
			t.Fatalf("flow %d moved from %d to %d with the target set unchanged", k, want, id)
		}
	}
}

func TestRouteWrongTypePanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		call func(*TargetGroup)
	}{
		{"Route on NLB", Config{Type: NLB}, func(g *TargetGroup) { g.Route(t0, nil) }},
		{"RouteFlow on ALB", Config{}, func(g *TargetGroup) { g.RouteFlow(t0, 1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := mustNew(t, tc.cfg)
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			tc.call(g)
		})
	}
}

func TestRouteAllocatesNothing(t *testing.T) {
	zones := []string{"a", "b", "c", "a", "b", "c"}
	for _, cfg := range []Config{
		{}, {Algorithm: LeastOutstandingRequests}, {Algorithm: WeightedRandom},
		{CrossZone: CrossZoneOff}, {SlowStart: time.Minute},
	} {
		g := healthyGroup(t, cfg, zones)
		rng := rand.New(rand.NewPCG(1, 1))
		allocs := testing.AllocsPerRun(1000, func() {
			id, _ := g.Route(at(61), rng)
			g.Begin(id)
			g.End(at(61), id)
		})
		if allocs != 0 {
			t.Errorf("%v cross-zone %v: %v allocs per request", cfg.Algorithm, cfg.CrossZone, allocs)
		}
	}
	g := healthyGroup(t, Config{Type: NLB}, zones)
	if a := testing.AllocsPerRun(1000, func() { g.RouteFlow(at(61), 42) }); a != 0 {
		t.Errorf("RouteFlow: %v allocs", a)
	}
}
