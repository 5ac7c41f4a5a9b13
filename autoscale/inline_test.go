package autoscale

import (
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// votePolicy proposes what it is told to.
type votePolicy struct {
	name string
	prop Proposal
}

func (p *votePolicy) Name() string           { return p.name }
func (p *votePolicy) Propose(Input) Proposal { return p.prop }

// A controller builds the proposals of up to inlineProposals policies on
// the stack and those of more in a buffer of its own. Policies that
// abstain change nothing, so padding a controller's policies with
// abstainers past inlineProposals must not change a decision: the two
// paths are held to each other, over several evaluations (the buffer is
// reused).
func TestPropertyAbstainersChangeNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := rapid.IntRange(1, inlineProposals).Draw(t, "policies")
		pad := rapid.IntRange(inlineProposals+1-k, 4).Draw(t, "abstainers")
		var voters, padded []Policy
		var props []*votePolicy
		for i := range k {
			p := &votePolicy{name: fmt.Sprint("p", i)}
			props = append(props, p)
			voters = append(voters, p)
		}
		padded = append(padded, voters...)
		for i := range pad {
			padded = append(padded, &votePolicy{name: fmt.Sprint("abstain", i)})
		}
		target := ScalableTarget{MinCapacity: 0, MaxCapacity: 50}
		small, err := NewController(ControllerConfig{Target: target, Policies: voters})
		if err != nil {
			t.Fatal(err)
		}
		big, err := NewController(ControllerConfig{Target: target, Policies: padded})
		if err != nil {
			t.Fatal(err)
		}
		desired := rapid.IntRange(0, 50).Draw(t, "desired")
		for step := range 5 {
			for i, p := range props {
				p.prop = Proposal{
					Vote:    rapid.SampledFrom([]Vote{Abstain, Independent, Consensus, Floor}).Draw(t, fmt.Sprint("vote", step, i)),
					Desired: rapid.IntRange(0, 60).Draw(t, fmt.Sprint("desired", step, i)),
				}
			}
			now := t0.Add(time.Duration(step) * time.Minute)
			a := small.Evaluate(now, State{Desired: desired})
			b := big.Evaluate(now, State{Desired: desired})
			if a.Desired != b.Desired || a.Changed != b.Changed {
				t.Fatalf("step %d: %d policies decide %d (changed %v), padded with %d abstainers %d (changed %v)", step, k, a.Desired, a.Changed, pad, b.Desired, b.Changed)
			}
			desired = a.Desired
		}
	})
}
