package autoscale

import (
	"fmt"
	"strings"
	"time"

	"github.com/ecssim/ecssim/metrics"
)

// Decision texts are formatted on demand. A Controller evaluated every
// minute changes the desired count in about one evaluation of a hundred;
// formatting the other ninety-nine explanations would cost more than the
// evaluation itself. So a built-in policy returns an Explanation (the
// numbers that decided) and a Controller returns a Reason (what the
// evaluation came to, with the explanations it needs); both format their
// text when String is called, and read the same whenever that is, because
// they hold values and the policies' fixed configuration only.

// Explanation is why a built-in policy proposed what it did, kept as the
// numbers that decided; String formats it, e.g. "CPUUtilization 84.2 > 70
// for 3 of 3 datapoints; ceil(10 × 84.2 / 70) = 13". The zero Explanation
// formats as "".
type Explanation struct {
	by    explainer          // the policy that made it; nil for none
	code  uint8              // which of the policy's texts
	value float64            // the metric value that decided
	base  int                // the capacity the proposal was computed from
	want  int                // the capacity the policy's formula gave
	until time.Time          // the end of a cooldown, when one held the proposal back
	state metrics.AlarmState // an alarm's state, when it decided
}

// explainer is a built-in policy: it formats its own explanations from
// its fixed configuration.
type explainer interface {
	explain(e Explanation) string
}

// String formats the explanation.
func (e Explanation) String() string {
	if e.by == nil {
		return ""
	}
	return e.by.explain(e)
}

// Reason explains a Decision in one line, e.g. "target tracking cpu-70:
// CPUUtilization 84.2 > 70 for 3 of 3 datapoints; ceil(10 × 84.2 / 70) =
// 13; desired 10 → 13". String formats it (fmt's verbs do too); it reads
// the same whenever it is formatted.
type Reason struct {
	pre      string     // registration and scheduled actions, formatted as they ran, joined by "; then "
	final    int        // the desired count after the evaluation
	outcome  outcome    // what the policies came to; outcomeNone when there are none
	policies []Policy   // the Controller's (never changed after NewController): names and kinds
	win      int        // index of the policy that decided
	prop     Proposal   // its proposal; when none decided (outcomeNoChange), the first policy's
	cur, to  int        // capacity before and after the policies
	min, max int        // the bounds the result was clamped to
	held     uint64     // Consensus voters that held scale-in back, by policy index
	rest     []Proposal // when none decided, the other policies' proposals (prop holds the first's)
}

// decide notes that policy w, proposing props[w], decided with outcome o.
func (r *Reason) decide(w int, props []Proposal, o outcome) {
	r.win, r.prop, r.outcome = w, props[w], o
}

// outcome is what the policies' proposals came to.
type outcome uint8

const (
	outcomeNone         outcome = iota // no policies
	outcomeApplied                     // the winner's capacity was applied (clamped)
	outcomeAtLimit                     // the winner wanted past a bound the capacity is already at
	outcomeOutSuspended                // a scale-out, but dynamic scale-out is suspended
	outcomeWithheld                    // a Consensus scale-in that other Consensus voters hold back
	outcomeDeployment                  // a scale-in during a deployment
	outcomeInSuspended                 // a scale-in, but dynamic scale-in is suspended
	outcomeNoChange                    // no proposal to act on
)

// String formats the reason.
func (r Reason) String() string {
	var b strings.Builder
	b.WriteString(r.pre)
	if r.outcome != outcomeNone {
		if r.pre != "" {
			b.WriteString("; then ")
		}
		r.policyText(&b)
	}
	if b.Len() == 0 {
		return fmt.Sprintf("no change: desired %d", r.final)
	}
	return b.String()
}

// Equal reports whether r and o read the same. (go-cmp uses it, so
// Decisions compare by their texts.)
func (r Reason) Equal(o Reason) bool { return r.String() == o.String() }

func (r Reason) policyText(b *strings.Builder) {
	name := ""
	if r.win >= 0 && r.win < len(r.policies) {
		name = r.policies[r.win].Name()
	}
	switch r.outcome {
	case outcomeApplied:
		fmt.Fprintf(b, "%s %s: %s; desired %d → %d", kindOf(r.policies[r.win]), name, r.prop.Explain(), r.cur, r.to)
		if r.to != r.prop.Desired {
			fmt.Fprintf(b, " (clamped to [%d, %d])", r.min, r.max)
		}
	case outcomeAtLimit:
		fmt.Fprintf(b, "%s %s: %s; already at the %s", kindOf(r.policies[r.win]), name, r.prop.Explain(), limitName(r.prop.Desired > r.cur))
	case outcomeOutSuspended:
		fmt.Fprintf(b, "scale-out by %s to %d suppressed: dynamic scale-out is suspended", name, r.prop.Desired)
	case outcomeWithheld:
		var holds []string
		for i, p := range r.policies {
			if r.held&(1<<i) != 0 {
				holds = append(holds, p.Name())
			}
		}
		fmt.Fprintf(b, "scale-in by %s to %d withheld: %s not ready to scale in", name, r.prop.Desired, strings.Join(holds, ", "))
	case outcomeDeployment:
		fmt.Fprintf(b, "scale-in by %s to %d suppressed: a deployment is in progress", name, r.prop.Desired)
	case outcomeInSuspended:
		fmt.Fprintf(b, "scale-in by %s to %d suppressed: dynamic scale-in is suspended", name, r.prop.Desired)
	case outcomeNoChange:
		fmt.Fprintf(b, "no change: desired %d; ", r.cur)
		sep := ""
		for i, p := range r.policies {
			prop := r.prop
			if i > 0 {
				prop = r.rest[i-1]
			}
			if text := prop.Explain(); text != "" {
				b.WriteString(sep + p.Name() + ": " + text)
				sep = "; "
			}
		}
	}
}

func limitName(out bool) string {
	if out {
		return "maximum"
	}
	return "minimum"
}

// kindOf names a policy's kind in decision texts.
func kindOf(p Policy) string {
	switch p.(type) {
	case *TargetTracking:
		return "target tracking"
	case *StepScaling:
		return "step scaling"
	case *PredictiveScaling:
		return "predictive scaling"
	}
	return "policy"
}
