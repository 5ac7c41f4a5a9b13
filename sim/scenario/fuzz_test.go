package scenario

import (
	"errors"
	"math"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
)

// A fuzzed scenario is bounded the way any untrusted file is, by the
// world's quotas and an event budget, with the quotas lowered and the
// simulated time shortened so that each run takes milliseconds and the
// fuzzer tries thousands of files a second. Sizes are not capped: a count
// beyond a quota reaches the simulator, which refuses it as it refuses any
// file's, so the fuzzer exercises the refusals and the work of everything
// up to the quotas.
var fuzzQuotas = sim.Quotas{Clusters: 4, InstancesPerCluster: 60, ServicesPerCluster: 8, TasksPerService: 60, TasksPerRunTask: 10, AutoScalingGroups: 4}

const (
	fuzzDuration  = 2 * time.Hour // the most simulated time of one fuzzed run
	fuzzMaxEvents = 200_000       // the most engine events of one fuzzed run
)

// FuzzParse: any input either parses or returns a *SyntaxError or an
// ErrInvalid error, never panics; what parses builds without panicking
// (or is refused with ErrInvalid, a quota among the reasons) and runs,
// shortened to fuzzDuration, without an error other than the event budget,
// leaving a world whose invariants hold (checkReport, checkWorld).
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{"duration": "1h", "clusters": [{"name": "a"}]}`))
	f.Add([]byte(`{"seed": 1, "start": "2024-01-01T00:00:00Z", "actions": [{"at": "1m"}]}`))
	f.Add([]byte(`{"services": [{"traffic": {"rate": {"steps": [{"at": "0s", "perSecond": 1}]}}}]}`))
	f.Add([]byte(limitsScenario(2, 3, `"quotas": {"tasksPerService": 3, "provisioningTasksPerCluster": 1}, "apiRateLimits": {"updateService": {"burst": 1, "refillPerSecond": 1}},`)))
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if data, err := os.ReadFile("testdata/" + e.Name()); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) && !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse error %v is neither a *SyntaxError nor ErrInvalid", err)
			}
			if se != nil && (se.Line < 1 || se.Column < 1) {
				t.Fatalf("position %d:%d", se.Line, se.Column)
			}
			return
		}
		shorten(sc, fuzzDuration)
		s, err := Build(sc, Options{World: sim.WorldConfig{Quotas: fuzzQuotas}, MaxEvents: fuzzMaxEvents})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Build error %v is not ErrInvalid", err)
			}
			return
		}
		r, err := s.Run()
		switch {
		case errors.Is(err, sim.ErrEventLimit):
			r = s.report() // the budget ended the run: what it did must still hold
		case err != nil:
			t.Fatalf("Run: %v", err)
		}
		checkReport(t, r)
		checkWorld(t, s)
	})
}

// shorten ends a scenario after d at most, and its actions with it.
func shorten(sc *Scenario, d time.Duration) {
	sc.Duration = min(sc.Duration, Duration(d))
	for i := range sc.Actions {
		sc.Actions[i].At = min(sc.Actions[i].At, sc.Duration-1)
	}
}

// checkWorld asserts the world's own invariants after a run: every task
// counted once by its service, no instance holding a STOPPED task or more
// than it registered, the quotas kept.
func checkWorld(t *testing.T, s *Simulation) {
	t.Helper()
	q := s.World.Quotas()
	if n := len(s.World.Services()); n > q.Clusters*q.ServicesPerCluster {
		t.Fatalf("%d services above the quotas", n)
	}
	for _, svc := range s.World.Services() {
		c := svc.Counters()
		if c.TasksStarted-c.TasksStopped != len(svc.Tasks()) || svc.DesiredCount() < 0 || svc.DesiredCount() > max(q.TasksPerService, q.InstancesPerCluster) {
			t.Fatalf("%s: started %d, stopped %d, %d tasks, desired %d", svc.Name(), c.TasksStarted, c.TasksStopped, len(svc.Tasks()), svc.DesiredCount())
		}
		for _, tk := range svc.Tasks() {
			if tk.State() == sim.TaskStopped || tk.Service() != svc {
				t.Fatalf("%s lists task %s (%v) of %v", svc.Name(), tk.ID(), tk.State(), tk.Service())
			}
		}
	}
	live := map[*sim.Cluster]int{}
	for _, in := range s.World.Instances() {
		if in.Status() != sim.InstanceInactive {
			live[in.Cluster()]++
		}
		cpu, mem := 0, 0
		for _, tk := range in.Tasks() {
			if tk.State() == sim.TaskStopped || tk.Instance() != in {
				t.Fatalf("%s lists task %s (%v)", in.EC2InstanceID(), tk.ID(), tk.State())
			}
			cpu, mem = cpu+tk.Resources().CPU, mem+tk.Resources().MemoryMiB
		}
		if cpu > in.Type().RegisteredCPU() || mem > in.Type().RegisteredMemoryMiB(0) {
			t.Fatalf("%s over-committed: CPU %d, memory %d", in.EC2InstanceID(), cpu, mem)
		}
	}
	for c, n := range live {
		if n > q.InstancesPerCluster {
			t.Fatalf("cluster %s has %d instances, quota %d", c.Name(), n, q.InstancesPerCluster)
		}
	}
}

// checkReport asserts the invariants of every run: requests conserved
// (Arrived = Served + NoTarget + Rejected + TimedOut + Aborted + InFlight),
// no counter negative, every cost finite and at least 0, rows within the
// run.
func checkReport(t *testing.T, r *Report) {
	t.Helper()
	finite := func(what string, x float64) {
		if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			t.Fatalf("%s = %v, want a finite cost ≥ 0", what, x)
		}
	}
	finite("Report.Cost", r.Cost)
	for _, s := range r.Services {
		c := s.Requests
		if c.Arrived != c.Served+c.NoTarget+c.Rejected+c.TimedOut+c.Aborted+c.InFlight {
			t.Fatalf("%s: requests not conserved: %+v", s.Service, c)
		}
		for name, n := range map[string]int64{"Arrived": c.Arrived, "Served": c.Served, "NoTarget": c.NoTarget,
			"Rejected": c.Rejected, "TimedOut": c.TimedOut, "Aborted": c.Aborted, "InFlight": c.InFlight} {
			if n < 0 {
				t.Fatalf("%s: %s = %d", s.Service, name, n)
			}
		}
		sc := s.Counters
		for name, n := range map[string]int{"TasksStarted": sc.TasksStarted, "TasksStopped": sc.TasksStopped,
			"UnplacedTasks": sc.UnplacedTasks, "StartFailures": sc.StartFailures, "UnhealthyStopped": sc.UnhealthyStopped} {
			if n < 0 {
				t.Fatalf("%s: %s = %d", s.Service, name, n)
			}
		}
		if s.Desired < 0 || s.Running < 0 || s.MinDesired < 0 || s.MinDesired > s.MaxDesired || s.ScalingActivities < 0 {
			t.Fatalf("%s: counts %+v", s.Service, s)
		}
		finite(s.Service+" cost", s.Cost)
		if s.P50 < 0 || s.P99 < s.P50 {
			t.Fatalf("%s: p50 %v, p99 %v", s.Service, s.P50, s.P99)
		}
	}
	for _, row := range r.Rows {
		if row.Start.Before(r.Start) || row.Start.Add(row.Length).After(r.End) || row.Length <= 0 ||
			row.Errors5xx < 0 || row.TimedOut < 0 || math.IsNaN(row.RequestsPerSecond) || row.RequestsPerSecond < 0 {
			t.Fatalf("row %+v outside the run %v–%v or negative", row, r.Start, r.End)
		}
	}
}

// TestShapeCheckKnowsEveryType: every type a scenario field can have is
// one the shape walk checks (it panics on a type it does not know, so a
// new field of a new type fails here rather than in a user's file).
func TestShapeCheckKnowsEveryType(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var visit func(reflect.Type, string)
	visit = func(ty reflect.Type, path string) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice {
			ty = ty.Elem()
		}
		if seen[ty] {
			return
		}
		seen[ty] = true
		if ty == durationType || ty == timeType || reflect.PointerTo(ty).Implements(textType) {
			return
		}
		switch ty.Kind() {
		case reflect.Struct:
			for name, f := range jsonFields(ty) {
				visit(f, path+"."+name)
			}
		case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Uint64, reflect.Float64:
		default:
			t.Errorf("%s has type %v, which shapeCheck does not know", path, ty)
		}
	}
	visit(reflect.TypeFor[Scenario](), "scenario")
	if len(seen) < 20 {
		t.Fatalf("visited only %d types", len(seen))
	}
}
