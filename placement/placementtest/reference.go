// Package placementtest holds a naive reference implementation of ECS task
// placement, written to be obviously right rather than fast: it filters
// every instance, evaluates every constraint directly, sorts the survivors
// by the strategies and returns the whole set of equally good instances.
// Property tests hold placement.Cluster to it, and the benchmarks use it as
// the naive baseline.
//
// It shares only the cluster query parser (placement.ParseExpression, via
// Plan.Expression) with the engine; resource checks, spread counting,
// ranking, tie sets, rejection reasons and scale-in are reimplemented here.
package placementtest

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/ecssim/ecssim/placement"
)

// Instance is the reference's record of one container instance.
type Instance struct {
	ID       placement.InstanceID // same dense ID as the engine's
	Spec     placement.Instance   // as registered
	Status   placement.Status     // ACTIVE or DRAINING
	Removed  bool                 // deregistered
	FreeCPU  int                  // CPU units
	FreeMem  int                  // MiB
	FreeENI  int                  // ENIs
	Ports    []uint16             // reserved host ports, registration ones included
	Attrs    map[string]string    // every attribute, built-in ones included
	Groups   map[string]int       // tasks per group name
	Running  int                  // tasks on the instance
	groupBuf []string
}

// Attribute implements placement.InstanceView.
func (in *Instance) Attribute(name string) (string, bool) { v, ok := in.Attrs[name]; return v, ok }

// EC2InstanceID implements placement.InstanceView.
func (in *Instance) EC2InstanceID() string { return in.Spec.EC2InstanceID }

// RegisteredAt implements placement.InstanceView.
func (in *Instance) RegisteredAt() time.Time { return in.Spec.RegisteredAt }

// RunningTasksCount implements placement.InstanceView.
func (in *Instance) RunningTasksCount() int { return in.Running }

// TaskGroups implements placement.InstanceView.
func (in *Instance) TaskGroups() []string {
	in.groupBuf = in.groupBuf[:0]
	for g, n := range in.Groups {
		if n > 0 {
			in.groupBuf = append(in.groupBuf, g)
		}
	}
	return in.groupBuf
}

// Task is a task request with its group by name; units as placement.Task.
type Task struct {
	CPU, MemoryMiB, ENIs int      // CPU units, MiB, ENIs
	HostPorts            []uint16 // reserved host ports
	Group                string   // task group name
}

// Reference is the naive placement model of one cluster.
type Reference struct {
	Instances []*Instance // indexed by InstanceID
}

// Register adds an ACTIVE instance; IDs are dense, like the engine's.
func (r *Reference) Register(in placement.Instance) placement.InstanceID {
	attrs := map[string]string{placement.AttrAvailabilityZone: in.Zone, placement.AttrInstanceType: in.InstanceType}
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	id := placement.InstanceID(len(r.Instances))
	r.Instances = append(r.Instances, &Instance{ID: id, Spec: in, Status: placement.Active,
		FreeCPU: in.CPU, FreeMem: in.MemoryMiB, FreeENI: in.ENIs, Ports: slices.Clone(in.ReservedPorts),
		Attrs: attrs, Groups: map[string]int{}})
	return id
}

// SetStatus changes an instance's status.
func (r *Reference) SetStatus(id placement.InstanceID, s placement.Status) {
	r.Instances[id].Status = s
}

// Deregister removes an instance; its tasks stop counting.
func (r *Reference) Deregister(id placement.InstanceID) {
	in := r.Instances[id]
	in.Removed, in.Groups, in.Running = true, map[string]int{}, 0
}

// SetAttribute sets an attribute, or removes it when value is "".
func (r *Reference) SetAttribute(id placement.InstanceID, name, value string) {
	if value == "" {
		delete(r.Instances[id].Attrs, name)
	} else {
		r.Instances[id].Attrs[name] = value
	}
}

// Allocate records a task on an instance.
func (r *Reference) Allocate(id placement.InstanceID, t Task) {
	in := r.Instances[id]
	in.FreeCPU -= t.CPU
	in.FreeMem -= t.MemoryMiB
	in.FreeENI -= t.ENIs
	in.Ports = append(in.Ports, t.HostPorts...)
	in.Groups[t.Group]++
	in.Running++
}

// Release removes a task from an instance.
func (r *Reference) Release(id placement.InstanceID, t Task) {
	in := r.Instances[id]
	in.FreeCPU += t.CPU
	in.FreeMem += t.MemoryMiB
	in.FreeENI += t.ENIs
	for _, p := range t.HostPorts {
		k := slices.Index(in.Ports, p)
		in.Ports = slices.Delete(in.Ports, k, k+1)
	}
	in.Groups[t.Group]--
	in.Running--
}

// firstFailure returns the first pipeline check the instance fails for the
// task: 0 CPU, 1 memory, 2 ports, 3 ENIs, 4+k constraint k, or 4+len
// (constraints) when it passes them all. The second result reports a port
// failure caused by the 100-port limit.
func (r *Reference) firstFailure(plan *placement.Plan, t Task, in *Instance) (int, bool) {
	if in.FreeCPU < t.CPU {
		return 0, false
	}
	if in.FreeMem < t.MemoryMiB {
		return 1, false
	}
	for _, p := range t.HostPorts {
		if slices.Contains(in.Ports, p) {
			return 2, false
		}
	}
	if len(in.Ports)+len(t.HostPorts) > placement.MaxReservedPorts {
		return 2, true
	}
	if in.FreeENI < t.ENIs {
		return 3, false
	}
	cons := plan.Spec().Constraints
	for k, c := range cons {
		switch c.Type {
		case placement.DistinctInstance:
			if in.Groups[t.Group] > 0 {
				return 4 + k, false
			}
		case placement.MemberOf:
			if !plan.Expression(k).Match(in) {
				return 4 + k, false
			}
		case placement.CustomFilter:
			pt := placement.Task{CPU: t.CPU, MemoryMiB: t.MemoryMiB, ENIs: t.ENIs, HostPorts: t.HostPorts}
			if !c.Filter.Keep(pt, in.candidate(t.Group, 0, 0, 0, 0)) {
				return 4 + k, false
			}
		}
	}
	return 4 + len(cons), false
}

// Feasible returns the ACTIVE instances that pass every check, by ID.
func (r *Reference) Feasible(plan *placement.Plan, t Task) []*Instance {
	last := 4 + len(plan.Spec().Constraints)
	var out []*Instance
	for _, in := range r.Instances {
		if in.Removed || in.Status != placement.Active {
			continue
		}
		if s, _ := r.firstFailure(plan, t, in); s == last {
			out = append(out, in)
		}
	}
	return out
}

// rankField is one strategy in the reference's terms.
type rankField struct {
	kind   string // "memory", "cpu", "instance", "attribute", "custom"
	attr   string
	scorer placement.Scorer
}

// ranking turns the spec's strategies into fields; random and everything
// after it drop out (they only break ties), and an empty list is the
// replica scheduler's AZ balancing.
func ranking(spec placement.Spec) []rankField {
	if len(spec.Strategies) == 0 {
		return []rankField{{kind: "attribute", attr: placement.AttrAvailabilityZone}, {kind: "instance"}}
	}
	var out []rankField
	for _, s := range spec.Strategies {
		switch s.Type {
		case placement.Random:
			return out
		case placement.Binpack:
			out = append(out, rankField{kind: strings.ToLower(s.Field)})
		case placement.Spread:
			if s.Field == "instanceId" || s.Field == "host" {
				out = append(out, rankField{kind: "instance"})
			} else {
				out = append(out, rankField{kind: "attribute", attr: strings.TrimPrefix(s.Field, "attribute:")})
			}
		case placement.Custom:
			out = append(out, rankField{kind: "custom", scorer: s.Scorer})
		}
	}
	return out
}

// valueTasks counts tasks of group per value of attribute attr over every
// registered instance (DRAINING ones too: their tasks still run).
func (r *Reference) valueTasks(group, attr string) map[string]int {
	m := map[string]int{}
	for _, in := range r.Instances {
		if !in.Removed {
			m[in.Attrs[attr]] += in.Groups[group]
		}
	}
	return m
}

// Best returns every feasible instance that ranks best for the task (the
// tie set the engine must choose from), sorted by ID; nil when none fits.
// It sorts all feasible instances by their key vectors and keeps the ones
// equal to the first.
func (r *Reference) Best(plan *placement.Plan, t Task) []placement.InstanceID {
	feasible := r.Feasible(plan, t)
	if len(feasible) == 0 {
		return nil
	}
	fields := ranking(plan.Spec())
	counts := r.rankCounts(fields, t.Group)
	keyOf := func(in *Instance) []float64 { return r.keys(fields, counts, t, in) }
	type scored struct {
		in   *Instance
		keys []float64
	}
	all := make([]scored, len(feasible))
	for k, in := range feasible {
		all[k] = scored{in, keyOf(in)}
	}
	slices.SortStableFunc(all, func(a, b scored) int { return slices.Compare(a.keys, b.keys) })
	var best []placement.InstanceID
	for _, s := range all {
		if slices.Compare(s.keys, all[0].keys) != 0 {
			break
		}
		best = append(best, s.in.ID)
	}
	slices.Sort(best)
	return best
}

// Diagnose is the reference's placement.Cluster.Diagnose: every instance
// not deregistered, in ID order, with the check it fails first (or its
// rank keys) and whether it is in Best.
func (r *Reference) Diagnose(plan *placement.Plan, t Task) []placement.Verdict {
	best := r.Best(plan, t)
	fields := ranking(plan.Spec())
	counts := r.rankCounts(fields, t.Group)
	last := 4 + len(plan.Spec().Constraints)
	var out []placement.Verdict
	for _, in := range r.Instances {
		if in.Removed {
			continue
		}
		v := placement.Verdict{Instance: in.ID, EC2InstanceID: in.Spec.EC2InstanceID, Constraint: -1}
		if in.Status != placement.Active {
			v.Draining = true
			out = append(out, v)
			continue
		}
		stage, limit := r.firstFailure(plan, t, in)
		reasons := []placement.Reason{placement.ReasonCPU, placement.ReasonMemory, placement.ReasonPorts, placement.ReasonENI}
		switch {
		case stage < 4:
			v.Failed, v.PortLimit = reasons[stage], limit
		case stage < last:
			v.Failed, v.Constraint = placement.ReasonConstraint, stage-4
		default:
			v.Keys = r.keys(fields, counts, t, in)
			v.Best = slices.Contains(best, in.ID)
		}
		out = append(out, v)
	}
	return out
}

// rankCounts counts the group's tasks per attribute value for each spread
// rank over an attribute (nil for the other ranks).
func (r *Reference) rankCounts(fields []rankField, group string) []map[string]int {
	counts := make([]map[string]int, len(fields))
	for k, f := range fields {
		if f.kind == "attribute" {
			counts[k] = r.valueTasks(group, f.attr)
		}
	}
	return counts
}

// keys returns the instance's rank keys for the task (smaller is better),
// with counts from rankCounts.
func (r *Reference) keys(fields []rankField, counts []map[string]int, t Task, in *Instance) []float64 {
	keys := make([]float64, len(fields))
	for k, f := range fields {
		switch f.kind {
		case "memory":
			keys[k] = float64(in.FreeMem)
		case "cpu":
			keys[k] = float64(in.FreeCPU)
		case "instance":
			keys[k] = float64(in.Groups[t.Group])
		case "custom":
			pt := placement.Task{CPU: t.CPU, MemoryMiB: t.MemoryMiB, ENIs: t.ENIs, HostPorts: t.HostPorts}
			keys[k] = score(f.scorer, pt, in.candidate(t.Group, 0, 0, 0, 0))
		default:
			keys[k] = float64(counts[k][in.Attrs[f.attr]])
		}
	}
	return keys
}

// Place chooses uniformly among Best with rng, allocates the task and
// returns the instance, or NoInstance.
func (r *Reference) Place(plan *placement.Plan, t Task, rng *rand.Rand) placement.InstanceID {
	best := r.Best(plan, t)
	if len(best) == 0 {
		return placement.NoInstance
	}
	id := best[rng.IntN(len(best))]
	r.Allocate(id, t)
	return id
}

// Explanation is the reference's account of a rejection, field for field
// as in placement.Rejection.
type Explanation struct {
	Reason     placement.Reason     // the closest instance's failed check
	Closest    placement.InstanceID // NoInstance when none is ACTIVE
	Constraint int                  // failed constraint index, or -1
	PortLimit  bool                 // RESOURCE:PORTS from the 100-port limit
}

// Explain returns why nothing fits: the instance that passes the most
// pipeline checks (lowest ID among equals) and the check it fails.
func (r *Reference) Explain(plan *placement.Plan, t Task) Explanation {
	e := Explanation{Reason: placement.ReasonNoActiveInstance, Closest: placement.NoInstance, Constraint: -1}
	best := -1
	for _, in := range r.Instances {
		if in.Removed || in.Status != placement.Active {
			continue
		}
		s, limit := r.firstFailure(plan, t, in)
		if s > best {
			best, e.Closest, e.PortLimit = s, in.ID, limit
		}
	}
	reasons := []placement.Reason{placement.ReasonCPU, placement.ReasonMemory, placement.ReasonPorts, placement.ReasonENI}
	switch {
	case best < 0:
	case best < 4:
		e.Reason = reasons[best]
	default:
		e.Reason, e.Constraint = placement.ReasonConstraint, best-4
	}
	return e
}

// VictimCandidates returns every index of tasks (not yet stopped) that is
// an equally good next task to stop under the plan's strategies, sorted.
func (r *Reference) VictimCandidates(plan *placement.Plan, tasks []placement.RunningTask, stopped []bool) []int {
	fields := ranking(plan.Spec())
	freedMem := map[placement.InstanceID]int{}
	freedCPU := map[placement.InstanceID]int{}
	freedENI := map[placement.InstanceID]int{}
	stoppedOn := map[placement.InstanceID]int{}
	onInst := map[placement.InstanceID]int{}
	onValue := make([]map[string]int, len(fields))
	for k := range fields {
		onValue[k] = map[string]int{}
	}
	for k, rt := range tasks {
		if stopped[k] {
			freedMem[rt.Instance] += rt.Task.MemoryMiB
			freedCPU[rt.Instance] += rt.Task.CPU
			freedENI[rt.Instance] += rt.Task.ENIs
			stoppedOn[rt.Instance]++
			continue
		}
		onInst[rt.Instance]++
		for f, field := range fields {
			if field.kind == "attribute" {
				onValue[f][r.Instances[rt.Instance].Attrs[field.attr]]++
			}
		}
	}
	type scored struct {
		k    int
		keys []float64
	}
	var all []scored
	for k, rt := range tasks {
		if stopped[k] {
			continue
		}
		in := r.Instances[rt.Instance]
		keys := make([]float64, len(fields))
		for f, field := range fields {
			switch field.kind {
			case "memory":
				keys[f] = float64(in.FreeMem + freedMem[in.ID] + rt.Task.MemoryMiB)
			case "cpu":
				keys[f] = float64(in.FreeCPU + freedCPU[in.ID] + rt.Task.CPU)
			case "instance":
				keys[f] = float64(onInst[in.ID])
			case "custom":
				// The instance once this task and the victims before it stopped.
				c := in.candidate("", freedCPU[in.ID]+rt.Task.CPU, freedMem[in.ID]+rt.Task.MemoryMiB,
					freedENI[in.ID]+rt.Task.ENIs, -stoppedOn[in.ID]-1)
				c.GroupTasks = onInst[in.ID] - 1
				keys[f] = score(field.scorer, rt.Task, c)
			default:
				keys[f] = float64(onValue[f][in.Attrs[field.attr]])
			}
		}
		all = append(all, scored{k, keys})
	}
	// Larger is better when stopping.
	slices.SortStableFunc(all, func(a, b scored) int { return slices.Compare(b.keys, a.keys) })
	var best []int
	for _, s := range all {
		if slices.Compare(s.keys, all[0].keys) != 0 {
			break
		}
		best = append(best, s.k)
	}
	slices.SortFunc(best, cmp.Compare)
	return best
}

// candidate describes the instance for a Scorer the way the engine does,
// with the given resources and task count added (a stopping task's), and
// the tasks of group on it.
func (in *Instance) candidate(group string, dCPU, dMem, dENI, dRunning int) placement.Candidate {
	return placement.Candidate{Instance: in.ID,
		FreeCPU: in.FreeCPU + dCPU, FreeMemoryMiB: in.FreeMem + dMem, FreeENI: in.FreeENI + dENI,
		CPU: in.Spec.CPU, MemoryMiB: in.Spec.MemoryMiB, ENIs: in.Spec.ENIs,
		RunningTasks: in.Running + dRunning, GroupTasks: in.Groups[group]}
}

// score is a Scorer's score of the task, NaN counted as +Inf as the engine
// counts it. The reference names groups by string, so the placement.Task it
// passes has Group 0: scorers held to the reference must not read Group.
func score(s placement.Scorer, t placement.Task, c placement.Candidate) float64 {
	if v := s.Score(t, c); !math.IsNaN(v) {
		return v
	}
	return math.Inf(1)
}
