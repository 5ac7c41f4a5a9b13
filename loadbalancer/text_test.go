package loadbalancer

import (
	"encoding"
	"errors"
	"strings"
	"testing"
)

// TestEnumTextRoundTrip: every value of every enum writes its AWS spelling
// and reads back as itself.
func TestEnumTextRoundTrip(t *testing.T) {
	check := func(name string, v encoding.TextMarshaler, want string, read func([]byte) (any, error)) {
		t.Helper()
		text, err := v.MarshalText()
		if err != nil || string(text) != want {
			t.Errorf("%s %v: MarshalText = %q, %v; want %q", name, v, text, err, want)
			return
		}
		back, err := read(text)
		if err != nil || back != any(v) {
			t.Errorf("%s %q read back as %v, %v", name, text, back, err)
		}
	}
	readType := func(b []byte) (any, error) { var v Type; err := v.UnmarshalText(b); return v, err }
	readAlg := func(b []byte) (any, error) { var v Algorithm; err := v.UnmarshalText(b); return v, err }
	readCZ := func(b []byte) (any, error) { var v CrossZone; err := v.UnmarshalText(b); return v, err }
	readState := func(b []byte) (any, error) { var v State; err := v.UnmarshalText(b); return v, err }
	readReason := func(b []byte) (any, error) { var v Reason; err := v.UnmarshalText(b); return v, err }
	readResp := func(b []byte) (any, error) { var v Response; err := v.UnmarshalText(b); return v, err }
	check("Type", ALB, "alb", readType)
	check("Type", NLB, "nlb", readType)
	check("Algorithm", AlgorithmDefault, "", readAlg)
	check("Algorithm", RoundRobin, "round_robin", readAlg)
	check("Algorithm", LeastOutstandingRequests, "least_outstanding_requests", readAlg)
	check("Algorithm", WeightedRandom, "weighted_random", readAlg)
	check("Algorithm", FlowHash, "flow_hash", readAlg)
	check("CrossZone", CrossZoneDefault, "use_load_balancer_configuration", readCZ)
	check("CrossZone", CrossZoneOn, "true", readCZ)
	check("CrossZone", CrossZoneOff, "false", readCZ)
	for s := Unused; s <= Draining; s++ {
		check("State", s, s.String(), readState)
	}
	for r := ReasonNone; r <= ReasonNotRegistered; r++ {
		check("Reason", r, r.String(), readReason)
	}
	for r := Pass; r <= NoResponse; r++ {
		check("Response", r, r.String(), readResp)
	}
	// The ELB API's load balancer types read as the short forms.
	for text, want := range map[string]Type{"application": ALB, "network": NLB} {
		if v, err := readType([]byte(text)); err != nil || v != want {
			t.Errorf("%q read as %v, %v", text, v, err)
		}
	}
}

// TestEnumTextRefusesUnknown: an unknown spelling is refused, matching
// ErrInvalidConfig and listing the valid ones; an unknown value does not
// marshal.
func TestEnumTextRefusesUnknown(t *testing.T) {
	for _, tc := range []struct {
		u    encoding.TextUnmarshaler
		text string
		want string
	}{
		{new(Type), "gwlb", `Type "gwlb": must be one of alb, nlb, clb (or application, network, classic)`},
		{new(Algorithm), "random", `Algorithm "random": must be one of round_robin, least_outstanding_requests, weighted_random, flow_hash`},
		{new(CrossZone), "yes", `CrossZone "yes": must be one of use_load_balancer_configuration, true, false`},
		{new(State), "unhealthy.draining", `must be one of unused, initial, healthy, unhealthy, draining`},
		{new(Reason), "Elb.InternalError", `must be one of Elb.RegistrationInProgress`},
		{new(Response), "ok", `must be one of pass, refuse, no-response`},
	} {
		err := tc.u.UnmarshalText([]byte(tc.text))
		if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%T %q: %v, want …%s", tc.u, tc.text, err, tc.want)
		}
	}
	for _, v := range []encoding.TextMarshaler{Type(7), Algorithm(-1), CrossZone(9), State(9), Reason(99), Response(9)} {
		if _, err := v.MarshalText(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%v marshalled: %v", v, err)
		}
	}
}
