package placement

import "math"

// Scorer ranks instances for a Custom strategy: the smaller the score, the
// better the instance for the task. Instances with equal scores tie and go
// on to the next strategy, then to the uniform draw, as with ECS's own
// strategies; NaN counts as +Inf (last, tied with +Inf).
//
// Score is called once per feasible instance a placement considers (a
// Custom strategy first in the list means a scan of every feasible
// instance, O(n)), and on scale-in once per running task with the instance
// as it will be when the task has stopped: the task whose instance scores
// highest stops first, as binpack stops the task whose instance keeps the
// most free resource. Score must be a pure function of its arguments, or
// runs are no longer reproducible from their seed.
type Scorer interface {
	Score(t Task, c Candidate) float64
}

// Filter decides a CustomFilter constraint: Keep reports whether the
// instance may take the task. It sees the instance after the resource
// checks have passed and runs in constraint order, so a Filter that only
// matters once the cheap checks pass costs little; like a Scorer it must be
// a pure function of its arguments. A rejected task names the constraint
// as "custom(Go type of the Filter)".
type Filter interface {
	Keep(t Task, c Candidate) bool
}

// FilterFunc adapts a function to Filter.
type FilterFunc func(t Task, c Candidate) bool

// Keep calls f(t, c).
func (f FilterFunc) Keep(t Task, c Candidate) bool { return f(t, c) }

// ScorerFunc adapts a function to Scorer.
type ScorerFunc func(t Task, c Candidate) float64

// Score calls f(t, c).
func (f ScorerFunc) Score(t Task, c Candidate) float64 { return f(t, c) }

// Candidate is an instance as a Scorer sees it: its free and registered
// resources before the task is placed (or, on scale-in, after the task
// stops), and what runs on it.
type Candidate struct {
	Instance                        InstanceID
	FreeCPU, FreeMemoryMiB, FreeENI int // CPU units, MiB, ENIs free
	CPU, MemoryMiB, ENIs            int // registered capacity
	RunningTasks                    int // tasks of every group
	GroupTasks                      int // tasks of the task's group

	c *Cluster
}

// Attribute returns one of the instance's attributes (built-in, such as
// ecs.availability-zone and ecs.instance-type, or custom) and whether it
// has it.
func (c Candidate) Attribute(name string) (string, bool) {
	if c.c == nil {
		return "", false
	}
	return c.c.Attribute(c.Instance, name)
}

// candidate describes instance i for a Scorer, with delta CPU units and
// MiB added to its free resources (the resources a stopping task returns).
func (c *Cluster) candidate(i int32, groupTasks int32, dCPU, dMem int64, dENI, dRunning int) Candidate {
	r := &c.res[i]
	return Candidate{Instance: InstanceID(i),
		FreeCPU: int(int64(r.cpu) + dCPU), FreeMemoryMiB: int(int64(r.mem) + dMem), FreeENI: int(r.eni) + dENI,
		CPU: int(r.capCPU), MemoryMiB: int(r.capMem), ENIs: int(r.capENI),
		RunningTasks: int(r.running) + dRunning, GroupTasks: int(groupTasks), c: c}
}

// scoreKey maps a score to an int64 in the same order, so that custom
// ranks compare like the built-in ones: NaN counts as +Inf, −0 as +0.
func scoreKey(f float64) int64 {
	if f != f {
		f = math.Inf(1)
	}
	if f == 0 {
		f = 0 // −0 ties with +0
	}
	u := math.Float64bits(f)
	if u>>63 != 0 {
		u = ^u
	} else {
		u |= 1 << 63
	}
	return int64(u ^ 1<<63)
}
