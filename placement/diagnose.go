package placement

import "math"

// Verdict is one instance's fate in the placement pipeline for one task, as
// Diagnose reports it.
type Verdict struct {
	Instance      InstanceID
	EC2InstanceID string
	// Draining is true for a DRAINING instance, which receives nothing and
	// is not checked further.
	Draining bool
	// Failed is the first check the instance fails, in pipeline order
	// (ReasonCPU, ReasonMemory, ReasonPorts, ReasonENI, ReasonConstraint),
	// or "" when it passes them all. Constraint is the index of the failed
	// constraint for ReasonConstraint, else -1; PortLimit marks a port
	// failure caused by MaxReservedPorts.
	Failed     Reason
	Constraint int
	PortLimit  bool
	// Keys are a feasible instance's values for the plan's ranks, in
	// strategy order, smaller is better (see Compile): free MiB or CPU
	// units for binpack, tasks of the group for spread, the Scorer's score
	// for a custom strategy. Nil for an instance that fails a check.
	Keys []float64
	// Best is true for the instances Place would choose among: feasible and
	// tied on every key with the best; the final choice is a uniform draw
	// among them.
	Best bool
}

// Diagnose runs the placement pipeline for t under p without placing
// anything and reports every registered, not deregistered instance: the
// check it fails first, or its rank keys and whether it is among the best.
// It is the dry run behind "why did my task go there, or nowhere": O(n) in
// instances, for explanations and tests rather than the hot path. Errors
// are returned only for an invalid task.
func (c *Cluster) Diagnose(p *Plan, t Task) ([]Verdict, error) {
	if err := c.validateTask(&t); err != nil {
		return nil, err
	}
	p.bind(c)
	on := c.groupCounts(t.Group)
	var out []Verdict
	best := -1
	for i := range int32(len(c.res)) {
		v := Verdict{Instance: InstanceID(i), EC2InstanceID: c.ec2ID[i], Constraint: -1}
		switch c.res[i].status {
		case removed:
			continue
		case Draining:
			v.Draining = true
			out = append(out, v)
			continue
		}
		stage, portLimit := c.firstFailure(p, &t, on, i)
		switch {
		case stage == stageCPU:
			v.Failed = ReasonCPU
		case stage == stageMemory:
			v.Failed = ReasonMemory
		case stage == stagePorts:
			v.Failed, v.PortLimit = ReasonPorts, portLimit
		case stage == stageENI:
			v.Failed = ReasonENI
		case stage < stageConstraint+len(p.constraints):
			v.Failed, v.Constraint = ReasonConstraint, stage-stageConstraint
		default:
			v.Keys = make([]float64, len(p.ranks))
			for k := range p.ranks {
				v.Keys[k] = c.diagnosticKey(&p.ranks[k], &t, on, i)
			}
			if best < 0 || c.compareKeys(p, &t, on, i, int32(out[best].Instance)) < 0 {
				best = len(out)
			}
		}
		out = append(out, v)
	}
	if best >= 0 {
		b := out[best].Instance
		for k := range out {
			if out[k].Keys != nil && c.compareKeys(p, &t, on, int32(out[k].Instance), int32(b)) == 0 {
				out[k].Best = true
			}
		}
	}
	return out, nil
}

// compareKeys compares instances i and j under p's ranks, as Place does.
func (c *Cluster) compareKeys(p *Plan, t *Task, on *groupCounts, i, j int32) int {
	for k := range p.ranks {
		a, b := c.key(&p.ranks[k], t, on, i), c.key(&p.ranks[k], t, on, j)
		switch {
		case a < b:
			return -1
		case a > b:
			return 1
		}
	}
	return 0
}

// diagnosticKey is key in the units a reader expects: the score itself for
// a custom rank (key orders it through scoreKey), NaN shown as the +Inf it
// counts as.
func (c *Cluster) diagnosticKey(r *rank, t *Task, on *groupCounts, i int32) float64 {
	if r.kind == rankCustom {
		if s := r.scorer.Score(*t, c.candidate(i, on.at(i), 0, 0, 0, 0)); s == s {
			return s
		}
		return math.Inf(1)
	}
	return float64(c.key(r, t, on, i))
}
