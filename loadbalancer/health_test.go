package loadbalancer

import (
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// tb is the part of testing.TB the helpers need; *rapid.T has it too.
type tb interface {
	Helper()
	Fatal(args ...any)
}

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// at returns t0 plus d seconds.
func at(seconds float64) time.Time {
	return t0.Add(time.Duration(seconds * float64(time.Second)))
}

func mustNew(t tb, cfg Config) *TargetGroup {
	t.Helper()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustRegister(t tb, g *TargetGroup, now time.Time, id int, zone string) {
	t.Helper()
	if err := g.Register(now, Target{ID: id, Zone: zone}); err != nil {
		t.Fatal(err)
	}
}

// advance runs g up to now and returns the transitions.
func advance(g *TargetGroup, now time.Time) []Transition {
	tr, _, _ := g.Advance(now, nil)
	return tr
}

// firstTransitionTo returns when target id first entered state s.
func firstTransitionTo(tr []Transition, id int, s State) (time.Time, bool) {
	for _, x := range tr {
		if x.Target == id && x.To == s {
			return x.At, true
		}
	}
	return time.Time{}, false
}

// The ECS best-practices guide (https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/load-balancer-healthcheck.html):
// with the defaults a target takes 30 s × 5 = 150 s to turn healthy.
func TestWorkedExampleL_DefaultHealthCheckTakes150s(t *testing.T) {
	g := mustNew(t, Config{})
	mustRegister(t, g, t0, 0, "a")
	tr := advance(g, at(1000))
	got, ok := firstTransitionTo(tr, 0, Healthy)
	if !ok {
		t.Fatalf("target never turned healthy; transitions %v", tr)
	}
	if want := at(150); !got.Equal(want) {
		t.Errorf("healthy at %v, want %v (30 s × 5)", got.Sub(t0), want.Sub(t0))
	}
}

// The same guide, tuned: interval 5 s and healthy threshold 2 give 10 s.
// AWS requires the timeout to be below the interval, so it is lowered to 4 s.
func TestWorkedExampleL_TunedHealthCheckTakes10s(t *testing.T) {
	g := mustNew(t, Config{HealthCheck: HealthCheck{Interval: 5 * time.Second, HealthyThreshold: 2, Timeout: 4 * time.Second}})
	mustRegister(t, g, t0, 0, "a")
	tr := advance(g, at(100))
	got, ok := firstTransitionTo(tr, 0, Healthy)
	if !ok || !got.Equal(at(10)) {
		t.Errorf("healthy at %v (ok %v), want 10s (5 s × 2)", got.Sub(t0), ok)
	}
}

// The current ELB user guide: a new target is routable after its first
// passing check, irrespective of the threshold.
func TestInitialHealthyThresholdOneFollowsELBGuide(t *testing.T) {
	g := mustNew(t, Config{HealthCheck: HealthCheck{InitialHealthyThreshold: 1}})
	mustRegister(t, g, t0, 0, "a")
	tr := advance(g, at(1000))
	if got, _ := firstTransitionTo(tr, 0, Healthy); !got.Equal(at(30)) {
		t.Errorf("healthy at %v, want 30s (first check)", got.Sub(t0))
	}
}

func TestFirstCheckAfterShiftsSchedule(t *testing.T) {
	g := mustNew(t, Config{})
	if err := g.Register(t0, Target{ID: 0, Zone: "a", FirstCheckAfter: 7 * time.Second}); err != nil {
		t.Fatal(err)
	}
	tr := advance(g, at(1000))
	// Checks at 7, 37, 67, 97, 127: the fifth pass turns it healthy.
	if got, _ := firstTransitionTo(tr, 0, Healthy); !got.Equal(at(127)) {
		t.Errorf("healthy at %v, want 127s", got.Sub(t0))
	}
}

// TestHealthTransitions drives one target through scripted responses and
// compares every transition with the one the ELB rules predict. Defaults:
// interval 30 s, timeout 5 s, healthy 5, unhealthy 2. Checks run at 30, 60,
// 90, ... s after registration at t0.
func TestHealthTransitions(t *testing.T) {
	type step struct {
		at       float64 // seconds; SetResponse applies from here
		response Response
	}
	tests := []struct {
		name  string
		steps []step
		until float64
		want  []Transition
	}{
		{
			name:  "refusing new target is unhealthy after two failed checks",
			steps: []step{{0, Refuse}},
			until: 100,
			want:  []Transition{{At: at(60), Target: 0, From: Initial, To: Unhealthy, Reason: ReasonFailedHealthChecks}},
		},
		{
			name:  "silent new target is unhealthy at the second check's timeout",
			steps: []step{{0, NoResponse}},
			until: 100,
			want:  []Transition{{At: at(65), Target: 0, From: Initial, To: Unhealthy, Reason: ReasonTimeout}},
		},
		{
			name:  "healthy target that hangs: (2−1) × 30 s + 5 s after the first failing check starts",
			steps: []step{{0, Pass}, {151, NoResponse}},
			until: 300,
			want: []Transition{
				{At: at(150), Target: 0, From: Initial, To: Healthy},
				// Failing checks start at 180 and 210; the second times out at 215.
				{At: at(215), Target: 0, From: Healthy, To: Unhealthy, Reason: ReasonTimeout},
			},
		},
		{
			name:  "unhealthy target recovers after HealthyThreshold passes",
			steps: []step{{0, Pass}, {151, Refuse}, {211, Pass}},
			until: 400,
			want: []Transition{
				{At: at(150), Target: 0, From: Initial, To: Healthy},
				{At: at(210), Target: 0, From: Healthy, To: Unhealthy, Reason: ReasonFailedHealthChecks},
				// Passes at 240, 270, 300, 330, 360.
				{At: at(360), Target: 0, From: Unhealthy, To: Healthy},
			},
		},
		{
			name:  "a single failure resets the count of passes",
			steps: []step{{0, Pass}, {91, Refuse}, {121, Pass}},
			until: 400,
			// Passes at 30, 60, 90; failure at 120; passes 150..270.
			want: []Transition{{At: at(270), Target: 0, From: Initial, To: Healthy}},
		},
		{
			name:  "a single failure does not make a healthy target unhealthy",
			steps: []step{{0, Pass}, {151, Refuse}, {181, Pass}},
			until: 400,
			want:  []Transition{{At: at(150), Target: 0, From: Initial, To: Healthy}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := mustNew(t, Config{})
			mustRegister(t, g, t0, 0, "a")
			var got []Transition
			for _, s := range tc.steps {
				got, _, _ = g.Advance(at(s.at), got)
				if err := g.SetResponse(at(s.at), 0, s.response); err != nil {
					t.Fatal(err)
				}
			}
			got, _, _ = g.Advance(at(tc.until), got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("transitions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReasonsWhileInitial(t *testing.T) {
	g := mustNew(t, Config{})
	mustRegister(t, g, t0, 0, "a")
	info, _ := g.Target(0)
	if info.State != Initial || info.Reason != ReasonRegistrationInProgress {
		t.Errorf("after Register: %v %v, want initial Elb.RegistrationInProgress", info.State, info.Reason)
	}
	advance(g, at(30))
	info, _ = g.Target(0)
	if info.State != Initial || info.Reason != ReasonInitialHealthChecking {
		t.Errorf("after one check: %v %v, want initial Elb.InitialHealthChecking", info.State, info.Reason)
	}
}

func TestNextWakeIsNextCheck(t *testing.T) {
	g := mustNew(t, Config{})
	if _, ok := g.NextWake(); ok {
		t.Error("empty group has a wake-up")
	}
	mustRegister(t, g, t0, 0, "a")
	_, next, ok := g.Advance(at(45), nil)
	if !ok || !next.Equal(at(60)) {
		t.Errorf("next wake %v (ok %v), want 60s", next.Sub(t0), ok)
	}
	if err := g.SetResponse(at(45), 0, NoResponse); err != nil {
		t.Fatal(err)
	}
	_, next, _ = g.Advance(at(60), nil)
	if !next.Equal(at(65)) {
		t.Errorf("next wake %v, want 65s (the timeout of the check sent at 60s)", next.Sub(t0))
	}
}

func TestDeregistration(t *testing.T) {
	tests := []struct {
		name        string
		cfg         Config
		inFlight    int
		endAt       []float64 // when each in-flight request ends
		wantDrained bool      // returned by Deregister
		wantDoneAt  float64   // deregistration completes
		wantUnused  float64   // state becomes unused
	}{
		{name: "nothing in flight completes at once, draining shown for 300 s", inFlight: 0, wantDrained: true, wantDoneAt: 100, wantUnused: 400},
		{name: "completes when the last request ends", inFlight: 2, endAt: []float64{110, 140}, wantDoneAt: 140, wantUnused: 400},
		{name: "delay caps a request that never ends", inFlight: 1, wantDoneAt: 400, wantUnused: 400},
		{name: "request ending after the delay does not extend it", inFlight: 1, endAt: []float64{450}, wantDoneAt: 400, wantUnused: 400},
		{name: "custom delay 30 s", cfg: Config{DeregistrationDelay: 30 * time.Second}, inFlight: 1, wantDoneAt: 130, wantUnused: 130},
		{name: "zero delay is unused at once", cfg: Config{DeregistrationDelay: NoDeregistrationDelay}, inFlight: 1, wantDrained: true, wantDoneAt: 100, wantUnused: 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := mustNew(t, tc.cfg)
			mustRegister(t, g, t0, 0, "a")
			for range tc.inFlight {
				g.Begin(0)
			}
			advance(g, at(100))
			drained, err := g.Deregister(at(100), 0)
			if err != nil {
				t.Fatal(err)
			}
			if drained != tc.wantDrained {
				t.Errorf("Deregister drained = %v, want %v", drained, tc.wantDrained)
			}
			var unusedAt time.Time
			for _, e := range append(tc.endAt, 1e4) {
				var tr []Transition
				tr, _, _ = g.Advance(at(e), tr)
				if u, ok := firstTransitionTo(tr, 0, Unused); ok {
					unusedAt = u
				}
				if e < 1e4 {
					g.End(at(e), 0)
				}
			}
			info, _ := g.Target(0)
			if !info.DrainedAt.Equal(at(tc.wantDoneAt)) {
				t.Errorf("deregistration completed at %v, want %v", info.DrainedAt.Sub(t0), at(tc.wantDoneAt).Sub(t0))
			}
			if tc.wantUnused == 100 {
				unusedAt = at(100) // no Advance transition: Deregister did it
			}
			if !unusedAt.Equal(at(tc.wantUnused)) || info.State != Unused {
				t.Errorf("unused at %v (state %v), want %v", unusedAt.Sub(t0), info.State, at(tc.wantUnused).Sub(t0))
			}
		})
	}
}

func TestEndReportsDrainCompletion(t *testing.T) {
	g := mustNew(t, Config{})
	mustRegister(t, g, t0, 0, "a")
	g.Begin(0)
	g.Begin(0)
	if g.End(at(1), 0) {
		t.Error("End on a registered target reported a drain")
	}
	if drained, _ := g.Deregister(at(2), 0); drained {
		t.Error("Deregister with one request in flight reported drained")
	}
	if !g.End(at(3), 0) {
		t.Error("last End on a draining target did not report the drain")
	}
	if st, _ := g.Target(0); st.State != Draining || !st.DrainingUntil.Equal(at(302)) || !st.DrainedAt.Equal(at(3)) {
		t.Errorf("after early completion: %v until %v, drained at %v; want draining until 302s, drained at 3s",
			st.State, st.DrainingUntil.Sub(t0), st.DrainedAt.Sub(t0))
	}
}

func TestEndWithoutBeginPanics(t *testing.T) {
	g := mustNew(t, Config{})
	mustRegister(t, g, t0, 0, "a")
	defer func() {
		if recover() == nil {
			t.Error("End without Begin did not panic")
		}
	}()
	g.End(t0, 0)
}

func TestRegisterErrors(t *testing.T) {
	g := mustNew(t, Config{})
	mustRegister(t, g, t0, 3, "a")
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"twice", g.Register(t0, Target{ID: 3, Zone: "a"}), ErrAlreadyRegistered},
		{"negative ID", g.Register(t0, Target{ID: -1}), ErrInvalidTarget},
		{"huge ID", g.Register(t0, Target{ID: MaxTargetID + 1}), ErrInvalidTarget},
		{"negative first check", g.Register(t0, Target{ID: 4, FirstCheckAfter: -time.Second}), ErrInvalidTarget},
		{"deregister unknown", second(g.Deregister(t0, 9)), ErrNotRegistered},
		{"deregister never registered", second(g.Deregister(t0, 1)), ErrNotRegistered},
	}
	for _, c := range cases {
		if !errorsIs(c.err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, c.err, c.want)
		}
	}
	// Draining, then unused: registering again is allowed once unused.
	if _, err := g.Deregister(t0, 3); err != nil {
		t.Fatal(err)
	}
	if err := g.Register(t0, Target{ID: 3}); !errorsIs(err, ErrAlreadyRegistered) {
		t.Errorf("register while draining: %v, want ErrAlreadyRegistered", err)
	}
	advance(g, at(300))
	if err := g.Register(at(300), Target{ID: 3, Zone: "a"}); err != nil {
		t.Errorf("register after unused: %v", err)
	}
}

func second(_ bool, err error) error { return err }

func TestCounts(t *testing.T) {
	g := mustNew(t, Config{HealthCheck: HealthCheck{InitialHealthyThreshold: 1}})
	for id := range 4 {
		mustRegister(t, g, t0, id, "a")
	}
	if err := g.SetResponse(t0, 3, Refuse); err != nil {
		t.Fatal(err)
	}
	advance(g, at(60))
	if _, err := g.Deregister(at(60), 2); err != nil {
		t.Fatal(err)
	}
	want := Counts{Healthy: 2, Unhealthy: 1, Draining: 1}
	if diff := cmp.Diff(want, g.Counts()); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

// TestFirstCheckAfterDoesNotWrap: a FirstCheckAfter of centuries put the
// first check at an instant that wrapped into the past, so it ran at once;
// it now never runs, and the target stays initial.
func TestFirstCheckAfterDoesNotWrap(t *testing.T) {
	g := mustNew(t, Config{HealthCheck: HealthCheck{InitialHealthyThreshold: 1}})
	if err := g.Register(t0, Target{ID: 0, Zone: "a", FirstCheckAfter: time.Duration(math.MaxInt64)}); err != nil {
		t.Fatal(err)
	}
	tr := advance(g, at(3600))
	if _, ok := firstTransitionTo(tr, 0, Healthy); ok {
		t.Fatalf("a check centuries away ran within the hour: %v", tr)
	}
	if info, _ := g.Target(0); info.State != Initial {
		t.Errorf("state %v, want initial", info.State)
	}
}
