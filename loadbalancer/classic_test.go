package loadbalancer

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestClassicDefaults holds a CLB's defaults to the Classic Load Balancer
// guide: health checks every 30 s with a 5 s timeout, healthy threshold
// 10, unhealthy threshold 2
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-healthchecks.html);
// connection draining 300 s
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/config-conn-drain.html);
// cross-zone off when created with the API
// (https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-disable-crosszone-lb.html);
// least outstanding requests, its HTTP listener's routing.
func TestClassicDefaults(t *testing.T) {
	want := Config{
		Type: CLB, Algorithm: LeastOutstandingRequests,
		HealthCheck: HealthCheck{
			Interval: 30 * time.Second, Timeout: 5 * time.Second,
			HealthyThreshold: 10, UnhealthyThreshold: 2, InitialHealthyThreshold: 10,
		},
		DeregistrationDelay: 300 * time.Second, CrossZone: CrossZoneOff, MinimumHealthyTargets: 1,
	}
	if diff := cmp.Diff(want, DefaultConfig(CLB)); diff != "" {
		t.Errorf("CLB defaults (-want +got):\n%s", diff)
	}
	var typ Type
	if err := typ.UnmarshalText([]byte("classic")); err != nil || typ != CLB {
		t.Errorf(`"classic" reads as %v, %v`, typ, err)
	}
}

// TestClassicValidate: a CLB takes round robin (TCP listener) or least
// outstanding requests (HTTP listener), no slow start, a timeout of at
// most 60 s.
func TestClassicValidate(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Type: CLB, Algorithm: RoundRobin}, ""},
		{Config{Type: CLB, Algorithm: WeightedRandom}, "a CLB routes round_robin"},
		{Config{Type: CLB, Algorithm: FlowHash}, "a CLB routes round_robin"},
		{Config{Type: CLB, SlowStart: 30 * time.Second, Algorithm: RoundRobin}, "a CLB has no slow start"},
		{Config{Type: CLB, HealthCheck: HealthCheck{Interval: 120 * time.Second, Timeout: 61 * time.Second}}, "HealthCheck.Timeout 1m1s"},
	} {
		err := c.cfg.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.cfg, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: %v, want %q", c.cfg, err, c.want)
		}
	}
}

// TestCLBHealthTiming is the worked example of the defaults: a new
// instance is InService after HealthyThreshold × Interval = 10 × 30 s =
// 300 s, and an InService instance that stops answering (its checks
// refused) is OutOfService after UnhealthyThreshold × Interval = 2 × 30 s
// = 60 s; one that hangs, a timeout (5 s) later.
func TestCLBHealthTiming(t *testing.T) {
	for _, c := range []struct {
		r    Response
		down time.Duration
	}{{Refuse, 2 * 30 * time.Second}, {NoResponse, 2*30*time.Second + 5*time.Second}} {
		g := mustNew(t, Config{Type: CLB})
		t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		if err := g.SetResponse(t0, 0, Pass); err != nil {
			t.Fatal(err)
		}
		if err := g.Register(t0, Target{ID: 0, Zone: "us-east-1a"}); err != nil {
			t.Fatal(err)
		}
		healthyAt := runUntilState(t, g, t0, Healthy)
		if got := healthyAt.Sub(t0); got != 10*30*time.Second {
			t.Errorf("InService after %v, want 10 × 30 s = 5m0s", got)
		}
		// Stop answering right after the check that made it healthy.
		if err := g.SetResponse(healthyAt, 0, c.r); err != nil {
			t.Fatal(err)
		}
		downAt := runUntilState(t, g, healthyAt, Unhealthy)
		if got := downAt.Sub(healthyAt); got != c.down {
			t.Errorf("%v: OutOfService %v after the last passing check, want %v", c.r, got, c.down)
		}
	}
}

// runUntilState advances g from now until target 0 enters state s and
// returns the instant.
func runUntilState(t *testing.T, g *TargetGroup, now time.Time, s State) time.Time {
	t.Helper()
	var buf []Transition
	for range 1000 {
		var next time.Time
		var ok bool
		buf, next, ok = g.Advance(now, buf[:0])
		for _, tr := range buf {
			if tr.Target == 0 && tr.To == s {
				return tr.At
			}
		}
		if !ok {
			t.Fatalf("no wake-up left before state %v", s)
		}
		now = next
	}
	t.Fatalf("state %v not reached", s)
	return time.Time{}
}
