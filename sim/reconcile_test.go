package sim

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/internal/golden"
)

// The scheduler's decisions are tested with data-driven files in
// testdata/reconcile, after etcd raft's testdata and Nomad's reconciler
// tests: each case is a command and a snapshot, "----", and the actions
// the decision takes, one per line; a blank line ends the case and lines
// starting with # are comments. go test ./sim -run Decisions -update
// rewrites the actions from the current code. Some commands also carry a
// doc="..." argument, a figure from the AWS documentation that the output
// must match whatever -update does.
//
// Commands:
//
//	reconcile           one scheduler pass (decide)
//	settle              complete the deployment, report a steady state
//	failure dep=ID      one failed task of deployment ID (circuit breaker)
//	failures            failed tasks of the primary until the breaker trips
//	deploy def=FAM:REV  what a new deployment of FAM:REV changes (throttle)
//	walk capacity=N     reconcile passes on a toy cluster with room for N
//	                    tasks until the deployment completes
//
// A snapshot is written one line per item:
//
//	service [name=web] [strategy=DAEMON] [status=DRAINING] desired=N
//	        [min=P] [max=P] [now=DURATION] [steady] [waiting]
//	        [deadlock-reported] [completed=DEPLOYMENT]
//	deployment ID def=FAM:REV [rollout=COMPLETED] [failed=N]   (the first is PRIMARY)
//	task ID DEPLOYMENT STATE [healthy] [stopping] [draining] [rebalancing] [on=INSTANCE]
//	     (rebalancing: the rebalancing task that rebalance tracking follows)
//	instance ID [status=DRAINING] [replica-tasks]
//	throttle [failures=N] [until=DURATION]
//	bucket [rate=N] [tokens=N refilled=DURATION]
//	breaker [enable] [rollback] [min-threshold=N]
//	rebalance [on] [in-progress] [blocked] [tracking] [zones=ZONE:N,ZONE:N]
//
// Defaults: REPLICA, ACTIVE, min 100 and max 200 (0 and 100 for DAEMON),
// now 0, a launch rate of 250 per minute with the bucket not yet filled,
// breaker off with a minimum threshold of 3.

func TestReconcileDecisions(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "reconcile", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runDecisionFile(t, f) })
	}
}

// decisionCase is one case of a decision file.
type decisionCase struct {
	line    int // of the command, from 1
	command string
	input   []string
	output  []string
}

// runDecisionFile runs every case of path and, with -update, rewrites the
// outputs.
func runDecisionFile(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	var out []string // the file with the outputs the code gives
	for i := 0; i < len(lines); {
		if l := lines[i]; l == "" || strings.HasPrefix(l, "#") {
			out = append(out, l)
			i++
			continue
		}
		c := decisionCase{line: i + 1, command: lines[i]}
		i++
		for ; i < len(lines) && lines[i] != "----"; i++ {
			c.input = append(c.input, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("%s:%d: case without ----", path, c.line)
		}
		for i++; i < len(lines) && lines[i] != ""; i++ {
			c.output = append(c.output, lines[i])
		}
		got, err := runDecisionCase(c)
		if err != nil {
			t.Errorf("%s:%d: %s: %v", path, c.line, c.command, err)
			got = c.output
		} else if !slices.Equal(got, c.output) && !golden.Updating() {
			t.Errorf("%s:%d: %s:\n got:\n\t%s\nwant:\n\t%s\n(run go test ./sim -run Decisions -update to accept, and say why)",
				path, c.line, c.command, strings.Join(got, "\n\t"), strings.Join(c.output, "\n\t"))
		}
		out = append(out, c.command)
		out = append(out, c.input...)
		out = append(out, "----")
		out = append(out, got...)
	}
	if golden.Updating() {
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runDecisionCase runs one case and returns its output lines.
func runDecisionCase(c decisionCase) ([]string, error) {
	words, err := splitWords(c.command)
	if err != nil {
		return nil, err
	}
	name, args := words[0], keyValues(words[1:])
	fx, err := parseSnapshot(c.input)
	if err != nil {
		return nil, err
	}
	var r reconciler
	var out []string
	switch name {
	case "reconcile":
		out = fx.format(r.decide(&fx.snap))
	case "settle":
		out = fx.format(r.settle(&fx.snap))
	case "failure":
		out = fx.format(r.failure(&fx.snap, fx.deployment(args["dep"])))
	case "failures":
		out, err = fx.failures(&r)
	case "deploy":
		def, perr := parseDefinition(args["def"])
		if perr != nil {
			return nil, perr
		}
		out = fx.format(deploy(fx.snap.Deployments[0].TaskDefinition, def))
	case "walk":
		capacity, perr := strconv.Atoi(args["capacity"])
		if perr != nil {
			return nil, fmt.Errorf("walk needs capacity=N: %v", perr)
		}
		out, err = fx.walk(&r, capacity)
	default:
		return nil, fmt.Errorf("unknown command %q", name)
	}
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		out = []string{"(nothing)"}
	}
	if doc, ok := args["doc"]; ok {
		last := out[len(out)-1]
		if !strings.HasSuffix(last, doc) {
			return nil, fmt.Errorf("the documented outcome is %q; the last line is %q", doc, last)
		}
	}
	return out, nil
}

// fixture is a parsed snapshot with the names the file gave.
type fixture struct {
	snap      serviceSnapshot
	tasks     []string // names by index in snap.Tasks
	instances []string // names by index in snap.Instances
}

func (fx *fixture) deployment(id string) int {
	for i, d := range fx.snap.Deployments {
		if d.ID == id {
			return i
		}
	}
	return -1
}

// splitWords splits a line at spaces, keeping key="a quoted value"
// together (without the quotes).
func splitWords(line string) ([]string, error) {
	var words []string
	for line = strings.TrimSpace(line); line != ""; line = strings.TrimSpace(line) {
		end := strings.IndexByte(line, ' ')
		if q := strings.IndexByte(line, '"'); q >= 0 && (end < 0 || q < end) {
			close := strings.IndexByte(line[q+1:], '"')
			if close < 0 {
				return nil, fmt.Errorf("unclosed quote in %q", line)
			}
			words = append(words, line[:q]+line[q+1:q+1+close])
			line = line[q+2+close:]
			continue
		}
		if end < 0 {
			end = len(line)
		}
		words = append(words, line[:end])
		line = line[end:]
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty line")
	}
	return words, nil
}

// keyValues maps key=value words to their values and bare words to "".
func keyValues(words []string) map[string]string {
	m := map[string]string{}
	for _, w := range words {
		k, v, _ := strings.Cut(w, "=")
		m[k] = v
	}
	return m
}

func parseDefinition(s string) (taskDefinitionID, error) {
	family, rev, ok := strings.Cut(s, ":")
	n, err := strconv.Atoi(rev)
	if !ok || err != nil || family == "" {
		return taskDefinitionID{}, fmt.Errorf("task definition %q is not FAMILY:REVISION", s)
	}
	return taskDefinitionID{Family: family, Revision: n}, nil
}

func parseTaskState(s string) (TaskState, error) {
	for i, n := range taskStateNames {
		if n == s {
			return TaskState(i), nil
		}
	}
	return 0, fmt.Errorf("task state %q is not one of %v", s, taskStateNames)
}

func parseInstanceStatus(s string) (InstanceStatus, error) {
	for i, n := range instanceStatusNames {
		if n == s {
			return InstanceStatus(i), nil
		}
	}
	return 0, fmt.Errorf("instance status %q is not one of %v", s, instanceStatusNames)
}

// parseSnapshot reads the snapshot lines of a case.
func parseSnapshot(lines []string) (*fixture, error) {
	fx := &fixture{snap: serviceSnapshot{
		Name: "web", Status: ServiceActive, Strategy: Replica, LaunchRate: 250,
		Breaker: breakerSettings{MinThreshold: 3}, Rebalance: rebalanceState{Task: -1},
	}}
	s := &fx.snap
	minPct, maxPct, completed := "", "", ""
	type taskLine struct {
		words []string
		line  string
	}
	var tasks []taskLine // parsed once every deployment and instance is known
	var err error
	num := func(v string) int {
		n, e := strconv.Atoi(v)
		if e != nil && err == nil {
			err = fmt.Errorf("%q is not a number", v)
		}
		return n
	}
	dur := func(v string) time.Duration {
		d, e := time.ParseDuration(v)
		if e != nil && err == nil {
			err = fmt.Errorf("%q is not a duration", v)
		}
		return d
	}
	for _, line := range lines {
		words, werr := splitWords(line)
		if werr != nil {
			return nil, werr
		}
		kv := keyValues(words[1:])
		switch words[0] {
		case "service":
			for k, v := range kv {
				switch k {
				case "name":
					s.Name = v
				case "strategy":
					s.Strategy = SchedulingStrategy(v)
				case "status":
					s.Status = ServiceStatus(v)
				case "desired":
					s.Desired = num(v)
				case "min":
					minPct = v
				case "max":
					maxPct = v
				case "now":
					s.Now = dur(v)
				case "steady":
					s.Steady = true
				case "waiting":
					s.WaitingForCapacity = true
				case "deadlock-reported":
					s.DeadlockReported = true
				case "completed":
					completed = v
				default:
					return nil, fmt.Errorf("service: unknown %q", k)
				}
			}
		case "deployment":
			if len(words) < 2 {
				return nil, fmt.Errorf("deployment without an ID")
			}
			d := deploymentView{ID: words[1], Rollout: RolloutInProgress,
				StopReason: "Scaling activity initiated by (deployment " + words[1] + ")"}
			for k, v := range keyValues(words[2:]) {
				switch k {
				case "def":
					if d.TaskDefinition, err = parseDefinition(v); err != nil {
						return nil, err
					}
				case "rollout":
					d.Rollout = RolloutState(v)
				case "failed":
					d.FailedTasks = num(v)
				default:
					return nil, fmt.Errorf("deployment: unknown %q", k)
				}
			}
			s.Deployments = append(s.Deployments, d)
		case "task":
			tasks = append(tasks, taskLine{words, line})
		case "instance":
			if len(words) < 2 {
				return nil, fmt.Errorf("instance without an ID")
			}
			in := instanceView{ID: words[1], Status: InstanceActive}
			for k, v := range keyValues(words[2:]) {
				switch k {
				case "status":
					if in.Status, err = parseInstanceStatus(v); err != nil {
						return nil, err
					}
				case "replica-tasks":
					in.HasReplicaTasks = true
				default:
					return nil, fmt.Errorf("instance: unknown %q", k)
				}
			}
			s.Instances = append(s.Instances, in)
			fx.instances = append(fx.instances, in.ID)
		case "throttle":
			for k, v := range kv {
				switch k {
				case "failures":
					s.Throttle.Failures = num(v)
				case "until":
					s.Throttle.Until = dur(v)
				default:
					return nil, fmt.Errorf("throttle: unknown %q", k)
				}
			}
		case "bucket":
			for k, v := range kv {
				switch k {
				case "rate":
					s.LaunchRate = num(v)
				case "tokens":
					s.Bucket.Started, s.Bucket.Tokens = true, num(v)
				case "refilled":
					s.Bucket.Started, s.Bucket.RefilledAt = true, dur(v)
				default:
					return nil, fmt.Errorf("bucket: unknown %q", k)
				}
			}
		case "breaker":
			for k, v := range kv {
				switch k {
				case "enable":
					s.Breaker.Enable = true
				case "rollback":
					s.Breaker.Rollback = true
				case "min-threshold":
					s.Breaker.MinThreshold = num(v)
				default:
					return nil, fmt.Errorf("breaker: unknown %q", k)
				}
			}
		case "rebalance":
			for k, v := range kv {
				switch k {
				case "on":
					s.Rebalance.On = true
				case "in-progress":
					s.Rebalance.InProgress = true
				case "blocked":
					s.Rebalance.Blocked = true
				case "tracking":
					s.Rebalance.Tracking = true
				case "zones":
					for z := range strings.SplitSeq(v, ",") {
						name, n, _ := strings.Cut(z, ":")
						s.Rebalance.Zones = append(s.Rebalance.Zones, zoneTasks{Zone: name, Tasks: num(n)})
					}
				default:
					return nil, fmt.Errorf("rebalance: unknown %q", k)
				}
			}
		default:
			return nil, fmt.Errorf("unknown line %q", line)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", line, err)
		}
	}
	if len(s.Deployments) == 0 {
		return nil, fmt.Errorf("no deployment: the first deployment line is the PRIMARY")
	}
	s.MinimumHealthyPercent, s.MaximumPercent = 100, 200
	if s.Strategy == Daemon {
		s.MinimumHealthyPercent, s.MaximumPercent = 0, 100
	}
	if minPct != "" {
		s.MinimumHealthyPercent = num(minPct)
	}
	if maxPct != "" {
		s.MaximumPercent = num(maxPct)
	}
	if completed != "" {
		i := fx.deployment(completed)
		if i < 0 {
			return nil, fmt.Errorf("completed=%s names no deployment", completed)
		}
		s.Completed = s.Deployments[i]
	}
	for _, tl := range tasks {
		w := tl.words
		if len(w) < 4 {
			return nil, fmt.Errorf("%q: want task ID DEPLOYMENT STATE", tl.line)
		}
		deployment, desired, healthy, draining := fx.deployment(w[2]), TaskRunning, false, false
		instance := int32(-1)
		if deployment < 0 && w[2] != "-" {
			return nil, fmt.Errorf("%q: no deployment %s", tl.line, w[2])
		}
		state, err := parseTaskState(w[3])
		if err != nil {
			return nil, err
		}
		for k, v := range keyValues(w[4:]) {
			switch k {
			case "healthy":
				healthy = true
			case "stopping":
				desired = TaskStopped
			case "draining":
				draining = true
			case "rebalancing":
				s.Rebalance.Task = len(s.Tasks)
			case "on":
				instance = int32(slices.Index(fx.instances, v))
				if instance < 0 {
					return nil, fmt.Errorf("%q: no instance %s", tl.line, v)
				}
			default:
				return nil, fmt.Errorf("%q: unknown %q", tl.line, k)
			}
		}
		t := roleOf(state, desired, deployment == 0, healthy, draining)
		s.Tasks = append(s.Tasks, t)
		fx.tasks = append(fx.tasks, w[1])
		if s.Strategy == Daemon {
			s.TaskInstances = append(s.TaskInstances, instance)
		}
	}
	s.recount()
	return fx, err
}

// format writes actions one per line.
func (fx *fixture) format(actions []action) []string {
	var out []string
	names := func(idx []int) string {
		ns := make([]string, len(idx))
		for i, j := range idx {
			ns[i] = fx.tasks[j]
		}
		return strings.Join(ns, " ")
	}
	dep := func(i int) string { return fx.snap.Deployments[i].ID }
	for _, a := range actions {
		var l string
		switch a.Kind {
		case actStop:
			l = fmt.Sprintf("stop %s: %s", names(a.Tasks), a.Reason)
		case actStopVictims:
			l = fmt.Sprintf("stop %d victims among %s: %s", a.N, names(a.Tasks), a.Reason)
		case actReportStopped:
			l = "event: has stopped the tasks above"
		case actStart:
			l = fmt.Sprintf("start %d of %s", a.N, dep(a.Deployment))
			if a.Instance >= 0 {
				l += " on " + fx.instances[a.Instance]
			}
		case actReportStarted:
			l = "event: has started the tasks above, unplaced ones if any"
		case actStartRebalance:
			l = fmt.Sprintf("start %d of %s in %s to rebalance", a.N, dep(a.Deployment), a.Zone)
			if a.Announce {
				l += fmt.Sprintf(", then event %q", unbalancedEvent(a.Zones))
			}
		case actWait:
			l = fmt.Sprintf("wait until %v", a.At)
			if a.N > 0 {
				l += fmt.Sprintf(" (throttled, %d held back)", a.N)
			}
		case actSetBucket:
			l = fmt.Sprintf("bucket tokens=%d refilled=%v", a.Bucket.Tokens, a.Bucket.RefilledAt)
		case actEvent:
			l = fmt.Sprintf("event %q", a.Text)
		case actMarkDeadlock:
			l = "mark deadlock reported"
		case actForgetRebalanceTask:
			l = "forget the rebalancing task"
		case actRebalanced:
			l = "rebalanced"
		case actSetDesired:
			l = fmt.Sprintf("desired %d", a.N)
		case actInactive:
			l = "inactive"
		case actCompleteDeployment:
			l = fmt.Sprintf("complete, event %q", a.Text)
		case actSteady:
			l = fmt.Sprintf("steady, event %q", a.Text)
		case actCountFailure:
			l = fmt.Sprintf("count a failure of %s", dep(a.Deployment))
		case actFailDeployment:
			l = fmt.Sprintf("fail %s, event %q", dep(a.Deployment), a.Text)
		case actRollback:
			l = fmt.Sprintf("roll back, event %q", a.Text)
		case actResetThrottle:
			l = "reset the launch throttle"
		default:
			l = fmt.Sprintf("unknown action %d", a.Kind)
		}
		out = append(out, l)
	}
	return out
}

// failures feeds failed tasks of the primary to the breaker until it
// trips, and reports on which failure it did.
func (fx *fixture) failures(r *reconciler) ([]string, error) {
	s := &fx.snap
	for n := 1; n <= 1000; n++ {
		actions := r.failure(s, 0)
		if len(actions) == 0 {
			return []string{fmt.Sprintf("failure %d: nothing counted", n)}, nil
		}
		for _, a := range actions {
			if a.Kind == actCountFailure {
				s.Deployments[0].FailedTasks++
			}
		}
		if slices.ContainsFunc(actions, func(a action) bool { return a.Kind == actFailDeployment }) {
			return append(fx.format(actions), fmt.Sprintf("trips on failure %d", n)), nil
		}
	}
	return nil, fmt.Errorf("no trip after 1000 failures")
}

// walk runs reconcile passes on a toy cluster with room for capacity tasks,
// until the service settles (the deployment completes or the service is
// steady), and reports each pass's moves. The toy
// follows the AWS walk-throughs: a task the scheduler stops frees its room
// at once, new tasks take the room that is free (in one pass, after the
// stops), and between passes every new task becomes healthy. The last line
// lists the moves in order.
func (fx *fixture) walk(r *reconciler, capacity int) ([]string, error) {
	s := &fx.snap
	var out, batches []string
	started := 0
	for pass := 1; pass <= 30; pass++ {
		var moves []string
		actions := r.decide(s)
		var stop []int
		var start int
		for _, a := range actions {
			switch a.Kind {
			case actStop:
				stop = append(stop, a.Tasks...)
			case actStopVictims:
				// Stand-in for placement's choice: the newest candidates.
				stop = append(stop, a.Tasks[len(a.Tasks)-a.N:]...)
			case actStart:
				start += a.N
			case actSetBucket:
				s.Bucket = a.Bucket
			case actMarkDeadlock:
				s.DeadlockReported = true
			case actEvent:
				moves = append(moves, fmt.Sprintf("event %q", a.Text))
			case actReportStopped, actWait:
			default:
				return nil, fmt.Errorf("pass %d: the walk does not model %v", pass, fx.format([]action{a}))
			}
		}
		if len(stop) > 0 {
			names := make([]string, len(stop))
			for i, j := range stop {
				names[i] = fx.tasks[j]
			}
			moves = append(moves, fmt.Sprintf("stop %d (%s)", len(stop), strings.Join(names, " ")))
			batches = append(batches, fmt.Sprintf("stop %d", len(stop)))
			slices.Sort(stop)
			for _, j := range slices.Backward(stop) {
				s.Tasks = slices.Delete(s.Tasks, j, j+1)
				fx.tasks = slices.Delete(fx.tasks, j, j+1)
			}
		}
		if placed := min(start, capacity-len(s.Tasks)); placed > 0 {
			var names []string
			for range placed {
				started++
				name := "n" + strconv.Itoa(started)
				names = append(names, name)
				s.Tasks = append(s.Tasks, roleOf(TaskProvisioning, TaskRunning, true, false, false))
				fx.tasks = append(fx.tasks, name)
			}
			moves = append(moves, fmt.Sprintf("start %d (%s)", placed, strings.Join(names, " ")))
			batches = append(batches, fmt.Sprintf("start %d", placed))
		}
		for i := range s.Tasks {
			if s.Tasks[i].running() {
				s.Tasks[i] = s.Tasks[i]&^rolePending | roleServing // RUNNING and healthy
			}
		}
		s.recount()
		if settled := fx.format(r.settle(s)); len(settled) > 0 {
			out = append(out, fmt.Sprintf("%d: %s", pass, strings.Join(append(moves, settled...), ", ")))
			return append(out, "moves: "+strings.Join(batches, ", ")), nil
		}
		if len(moves) == 0 {
			out = append(out, fmt.Sprintf("%d: stuck", pass))
			return append(out, "moves: "+cmp.Or(strings.Join(batches, ", "), "none")), nil
		}
		out = append(out, fmt.Sprintf("%d: %s", pass, strings.Join(moves, ", ")))
		s.Now += time.Minute
	}
	return nil, fmt.Errorf("no completion after 30 passes: %s", strings.Join(out, "; "))
}
