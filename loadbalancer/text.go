package loadbalancer

import (
	"strings"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// The text forms of the package's enums (encoding.TextMarshaler and
// encoding.TextUnmarshaler), so that configuration files and JSON spell
// them as AWS does and read them without a table of their own. An unknown
// name is refused with the valid ones listed.

// enumText is one enum's spellings: names[v] is value v's text, and
// alias[v], if set, another spelling read as v.
type enumText[E ~int | ~uint8] struct {
	what  string
	names []string
	alias []string
}

func (t enumText[E]) marshal(v E) ([]byte, error) {
	if int(v) < 0 || int(v) >= len(t.names) {
		return nil, fielderr.New(ErrInvalidConfig, t.what, int(v), "is not a known "+t.what)
	}
	return []byte(t.names[v]), nil
}

func (t enumText[E]) unmarshal(v *E, text []byte) error {
	s := string(text)
	for i, name := range t.names {
		if s == name || i < len(t.alias) && t.alias[i] != "" && s == t.alias[i] {
			*v = E(i)
			return nil
		}
	}
	return fielderr.New(ErrInvalidConfig, t.what, s, "must be one of "+t.valid())
}

// valid lists the canonical spellings, then the aliases.
func (t enumText[E]) valid() string {
	var names []string
	for _, n := range t.names {
		if n != "" {
			names = append(names, n)
		}
	}
	out := strings.Join(names, ", ")
	if len(t.alias) > 0 {
		out += " (or " + strings.Join(t.alias, ", ") + ")"
	}
	return out
}

var typeText = enumText[Type]{what: "Type", names: []string{ALB: "alb", NLB: "nlb", CLB: "clb"},
	alias: []string{ALB: "application", NLB: "network", CLB: "classic"}}

// MarshalText writes "alb", "nlb" or "clb".
func (t Type) MarshalText() ([]byte, error) { return typeText.marshal(t) }

// UnmarshalText reads "alb", "nlb" or "clb", or the ELB API's load
// balancer types "application" and "network", or "classic".
func (t *Type) UnmarshalText(text []byte) error { return typeText.unmarshal(t, text) }

var algorithmText = enumText[Algorithm]{what: "Algorithm", names: []string{
	AlgorithmDefault: "", RoundRobin: "round_robin", LeastOutstandingRequests: "least_outstanding_requests",
	WeightedRandom: "weighted_random", FlowHash: "flow_hash"}}

// MarshalText writes the ALB attribute value load_balancing.algorithm.type
// (round_robin, least_outstanding_requests, weighted_random), "flow_hash"
// for the NLB algorithm, or "" for AlgorithmDefault.
func (a Algorithm) MarshalText() ([]byte, error) { return algorithmText.marshal(a) }

// UnmarshalText reads what MarshalText writes; "" is AlgorithmDefault.
func (a *Algorithm) UnmarshalText(text []byte) error { return algorithmText.unmarshal(a, text) }

var crossZoneText = enumText[CrossZone]{what: "CrossZone", names: []string{
	CrossZoneDefault: "use_load_balancer_configuration", CrossZoneOn: "true", CrossZoneOff: "false"}}

// MarshalText writes the target group attribute value
// load_balancing.cross_zone.enabled: "true", "false" or
// "use_load_balancer_configuration" (CrossZoneDefault).
func (c CrossZone) MarshalText() ([]byte, error) { return crossZoneText.marshal(c) }

// UnmarshalText reads what MarshalText writes.
func (c *CrossZone) UnmarshalText(text []byte) error { return crossZoneText.unmarshal(c, text) }

var stateText = enumText[State]{what: "State", names: []string{
	Unused: "unused", Initial: "initial", Healthy: "healthy", Unhealthy: "unhealthy", Draining: "draining"}}

// MarshalText writes the DescribeTargetHealth state, as String does.
func (s State) MarshalText() ([]byte, error) { return stateText.marshal(s) }

// UnmarshalText reads a DescribeTargetHealth state this package models.
func (s *State) UnmarshalText(text []byte) error { return stateText.unmarshal(s, text) }

var reasonText = enumText[Reason]{what: "Reason", names: []string{
	ReasonNone: "", ReasonRegistrationInProgress: "Elb.RegistrationInProgress",
	ReasonInitialHealthChecking: "Elb.InitialHealthChecking", ReasonFailedHealthChecks: "Target.FailedHealthChecks",
	ReasonTimeout: "Target.Timeout", ReasonDeregistrationInProgress: "Target.DeregistrationInProgress",
	ReasonNotRegistered: "Target.NotRegistered"}}

// MarshalText writes the TargetHealth reason code, as String does ("" for
// ReasonNone).
func (r Reason) MarshalText() ([]byte, error) { return reasonText.marshal(r) }

// UnmarshalText reads a TargetHealth reason code this package models.
func (r *Reason) UnmarshalText(text []byte) error { return reasonText.unmarshal(r, text) }

var responseText = enumText[Response]{what: "Response", names: []string{
	Pass: "pass", Refuse: "refuse", NoResponse: "no-response"}}

// MarshalText writes "pass", "refuse" or "no-response", as String does
// (ELB has no name for a target's answer; these are the package's).
func (r Response) MarshalText() ([]byte, error) { return responseText.marshal(r) }

// UnmarshalText reads what MarshalText writes.
func (r *Response) UnmarshalText(text []byte) error { return responseText.unmarshal(r, text) }
