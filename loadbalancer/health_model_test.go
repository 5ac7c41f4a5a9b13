package loadbalancer

import (
	"errors"
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// healthModel is the plainest reading of ELB's health checks: every target
// is checked on its own grid (first check, then every Interval), each check
// answered with the response in force, a NoResponse check failing Timeout
// later, and the thresholds applied to consecutive results. It runs every
// check, where the group skips the checks of healthy targets that keep
// passing; TestHealthMatchesEveryCheckModel holds the two to the same
// transitions.
type healthModel struct {
	hc      HealthCheck
	targets []modelTarget
}

type modelTarget struct {
	state         State
	passes, fails int
	next, outcome int64
	response      Response
}

const modelNever = math.MaxInt64

func (m *healthModel) advance(n int64) []Transition {
	var out []Transition
	for {
		id, at := -1, int64(modelNever)
		for i := range m.targets {
			if w := min(m.targets[i].next, m.targets[i].outcome); w < at {
				id, at = i, w
			}
		}
		if id < 0 || at > n {
			return out
		}
		t := &m.targets[id]
		from := t.state
		if t.outcome == at { // a timed-out check fails before the next one starts
			t.outcome = modelNever
			m.fail(t)
		} else {
			t.next += int64(m.hc.Interval)
			switch t.response {
			case Pass:
				m.pass(t)
			case Refuse:
				m.fail(t)
			case NoResponse:
				t.outcome = at + int64(m.hc.Timeout)
			}
		}
		if t.state != from {
			out = append(out, Transition{At: time.Unix(0, at).UTC(), Target: id, From: from, To: t.state})
		}
	}
}

func (m *healthModel) pass(t *modelTarget) {
	t.passes, t.fails = t.passes+1, 0
	if (t.state == Initial && t.passes >= m.hc.InitialHealthyThreshold) || (t.state == Unhealthy && t.passes >= m.hc.HealthyThreshold) {
		t.state = Healthy
	}
}

func (m *healthModel) fail(t *modelTarget) {
	t.fails, t.passes = t.fails+1, 0
	if (t.state == Initial || t.state == Healthy) && t.fails >= m.hc.UnhealthyThreshold {
		t.state = Unhealthy
	}
}

// TestHealthMatchesEveryCheckModel: under random responses and advances the
// group reports exactly the transitions, at exactly the instants, of a model
// that runs every single check.
func TestHealthMatchesEveryCheckModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		hc := HealthCheck{
			Interval:                time.Duration(rapid.IntRange(5, 30).Draw(rt, "interval")) * time.Second,
			Timeout:                 time.Duration(rapid.IntRange(2, 4).Draw(rt, "timeout")) * time.Second,
			HealthyThreshold:        rapid.IntRange(2, 5).Draw(rt, "healthy"),
			UnhealthyThreshold:      rapid.IntRange(2, 5).Draw(rt, "unhealthy"),
			InitialHealthyThreshold: rapid.IntRange(1, 5).Draw(rt, "initial"),
		}
		g, err := New(Config{HealthCheck: hc})
		if err != nil {
			rt.Fatal(err)
		}
		m := &healthModel{hc: g.Config().HealthCheck}
		n := rapid.IntRange(1, 5).Draw(rt, "targets")
		for id := range n {
			first := time.Duration(rapid.IntRange(1, 30_000).Draw(rt, "firstMs")) * time.Millisecond
			if err := g.Register(t0, Target{ID: id, Zone: "a", FirstCheckAfter: first}); err != nil {
				rt.Fatal(err)
			}
			m.targets = append(m.targets, modelTarget{state: Initial, next: t0.Add(first).UnixNano(), outcome: modelNever})
		}
		// A wake-driven hub calls Advance only when NextWake says so, as the
		// simulator does; then the group must never owe a transition it did
		// not ask to be woken for, and SetResponse must place the next check
		// from its own now, however long the group slept.
		wakeDriven := rapid.Bool().Draw(rt, "wakeDriven")
		now := t0
		steps := rapid.IntRange(1, 60).Draw(rt, "steps")
		for range steps {
			if rapid.Bool().Draw(rt, "respond") {
				id := rapid.IntRange(0, n-1).Draw(rt, "id")
				r := rapid.SampledFrom([]Response{Pass, Refuse, NoResponse}).Draw(rt, "response")
				if err := g.SetResponse(now, id, r); err != nil {
					rt.Fatal(err)
				}
				m.targets[id].response = r
				continue
			}
			now = now.Add(time.Duration(rapid.IntRange(0, 600_000).Draw(rt, "ms")) * time.Millisecond)
			var got []Transition
			if next, ok := g.NextWake(); !wakeDriven || (ok && !next.After(now)) {
				got, _, _ = g.Advance(now, nil)
			}
			want := m.advance(now.UnixNano())
			if len(got) != len(want) {
				rt.Fatalf("at %v: group %v, model %v", now, got, want)
			}
			for i := range got {
				a, b := got[i], want[i]
				if !a.At.Equal(b.At) || a.Target != b.Target || a.From != b.From || a.To != b.To {
					rt.Fatalf("at %v: transition %d: group %v, model %v", now, i, a, b)
				}
			}
			for id := range n {
				if info, _ := g.Target(id); info.State != m.targets[id].state {
					rt.Fatalf("at %v: target %d group %v, model %v", now, id, info.State, m.targets[id].state)
				}
			}
		}
	})
}

// TestOnChangeKeepsCounts: under random registrations across zones,
// responses, advances and deregistrations, the values OnChange's function
// was last called with are always the group's Counts and
// RoundRobinCursors, for round robin with cross-zone load balancing on
// (where the cursors count the zones' nodes) and off.
func TestOnChangeKeepsCounts(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cz := rapid.SampledFrom([]CrossZone{CrossZoneOn, CrossZoneOff}).Draw(rt, "crossZone")
		g, err := New(Config{CrossZone: cz, HealthCheck: HealthCheck{Interval: 5 * time.Second, Timeout: 2 * time.Second, HealthyThreshold: 2, UnhealthyThreshold: 2}})
		if err != nil {
			rt.Fatal(err)
		}
		var got Counts
		cursors, calls := -1, 0
		g.OnChange(func(c Counts, rr int) { got, cursors, calls = c, rr, calls+1 })
		check := func(after string) {
			if got != g.Counts() || cursors != g.RoundRobinCursors() {
				rt.Fatalf("after %s: OnChange last said %+v and %d cursors, the group says %+v and %d", after, got, cursors, g.Counts(), g.RoundRobinCursors())
			}
		}
		check("OnChange")
		now, next := t0, 0
		for range rapid.IntRange(1, 80).Draw(rt, "steps") {
			switch op := rapid.IntRange(0, 3).Draw(rt, "op"); {
			case op == 0 || next == 0:
				zone := rapid.SampledFrom([]string{"a", "b", "c"}).Draw(rt, "zone")
				if err := g.Register(now, Target{ID: next, Zone: zone, FirstCheckAfter: time.Second}); err != nil {
					rt.Fatal(err)
				}
				next++
				check("Register")
			case op == 1:
				id := rapid.IntRange(0, next-1).Draw(rt, "id")
				r := rapid.SampledFrom([]Response{Pass, Refuse, NoResponse}).Draw(rt, "response")
				if err := g.SetResponse(now, id, r); err != nil && !errors.Is(err, ErrNotRegistered) {
					rt.Fatal(err)
				}
				check("SetResponse")
			case op == 2:
				now = now.Add(time.Duration(rapid.IntRange(0, 60).Draw(rt, "s")) * time.Second)
				g.Advance(now, nil)
				check("Advance")
			default:
				id := rapid.IntRange(0, next-1).Draw(rt, "id")
				if _, err := g.Deregister(now, id); err != nil && !errors.Is(err, ErrNotRegistered) {
					rt.Fatal(err)
				}
				check("Deregister")
			}
		}
		if next > 0 && calls < 2 {
			rt.Fatalf("%d calls of OnChange's function after %d registrations", calls, next)
		}
	})
}
