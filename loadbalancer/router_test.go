package loadbalancer

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder is a Router that remembers what it was shown and picks the
// target with the fewest requests in flight (lowest ID on ties): join the
// shortest queue.
type recorder struct{ seen [][]RouteTarget }

func (r *recorder) Route(targets []RouteTarget, _ *rand.Rand) int {
	r.seen = append(r.seen, slices.Clone(targets))
	best := 0
	for k, t := range targets {
		if t.InFlight < targets[best].InFlight {
			best = k
		}
	}
	return best
}

// TestRouterSeesRoutableTargets: a Router is shown the healthy targets of
// the scope in ascending ID with their requests in flight, and its choice
// is the request's target. Joining the shortest queue over 4 healthy
// targets (target 2 refuses its checks) spreads 8 requests that never end
// two to each, in ID order within each round.
func TestRouterSeesRoutableTargets(t *testing.T) {
	rec := &recorder{}
	g := healthyGroup(t, Config{Router: rec}, []string{"a", "a", "b", "b", "c"}, 2)
	var got []int
	for range 8 {
		id, ok := g.Route(at(60), rand.New(rand.NewPCG(1, 2)))
		if !ok {
			t.Fatal("no target")
		}
		g.Begin(id)
		got = append(got, id)
	}
	if want := []int{0, 1, 3, 4, 0, 1, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("routed to %v, want %v", got, want)
	}
	want := []RouteTarget{{0, 1}, {1, 1}, {3, 1}, {4, 0}}
	if diff := cmp.Diff(want, rec.seen[3]); diff != "" {
		t.Errorf("fourth request saw (-want +got):\n%s", diff)
	}
	g.End(at(61), 3)
	if id, _ := g.Route(at(61), nil); id != 3 {
		t.Errorf("after target 3 finished a request, routed to %d, want 3", id)
	}
}

// TestRouterFailOpen: with every target unhealthy the scope fails open and
// the Router is shown every registered target.
func TestRouterFailOpen(t *testing.T) {
	rec := &recorder{}
	g := healthyGroup(t, Config{Router: rec}, []string{"a", "b", "c"}, 0, 1, 2)
	if _, ok := g.Route(at(60), nil); !ok {
		t.Fatal("no target while failing open")
	}
	if n := len(rec.seen[0]); n != 3 {
		t.Errorf("Router saw %d targets, want all 3", n)
	}
}

// TestRouterValidation: a Router only on an ALB, with Algorithm zero and
// no slow start; every problem named.
func TestRouterValidation(t *testing.T) {
	r := RouterFunc(func([]RouteTarget, *rand.Rand) int { return 0 })
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Type: NLB, Router: r}, "only an ALB takes a Router"},
		{Config{Algorithm: LeastOutstandingRequests, Router: r}, "leave Algorithm zero"},
		{Config{SlowStart: 60e9, Router: r}, "turn it off"},
	} {
		err := tc.cfg.Validate()
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want an error saying %q", tc.cfg, err, tc.want)
		}
	}
	if err := (Config{Router: r}).Validate(); err != nil {
		t.Errorf("a Router on a default ALB: %v", err)
	}
}

// TestRouterBadIndexPanics: an index outside the targets is a programming
// error in the Router, reported with the index and the count.
func TestRouterBadIndexPanics(t *testing.T) {
	g := healthyGroup(t, Config{Router: RouterFunc(func(ts []RouteTarget, _ *rand.Rand) int { return len(ts) })}, []string{"a"})
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "index 1 for 1 targets") {
			t.Errorf("recovered %v, want a panic naming the index", r)
		}
	}()
	g.Route(at(60), nil)
}

// TestRouterAllocatesNothing: routing through a Router reuses the group's
// scratch slice.
func TestRouterAllocatesNothing(t *testing.T) {
	g := healthyGroup(t, Config{Router: RouterFunc(func(ts []RouteTarget, rng *rand.Rand) int { return rng.IntN(len(ts)) })},
		[]string{"a", "b", "c", "a", "b", "c"})
	rng := rand.New(rand.NewPCG(1, 1))
	g.Route(at(60), rng)
	if n := testing.AllocsPerRun(1000, func() { g.Route(at(60), rng) }); n != 0 {
		t.Errorf("%v allocations per Route", n)
	}
}
