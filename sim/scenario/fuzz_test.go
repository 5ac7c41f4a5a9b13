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

// fuzzCap bounds what one fuzzed scenario may ask for, so that a run takes
// milliseconds and the fuzzer tries thousands of files a second: at most
// fuzzCap simulated minutes, and at most fuzzCap of anything counted
// (instances launched, capacity provider sizes, desired tasks). Traffic is
// run in fluid mode, whose cost does not grow with the rate. This is far
// below AWS's own quotas (5,000 tasks per service and 5,000 container
// instances per cluster,
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html),
// so the fuzzer cannot reach defects that need scale; bounding fuzzed runs
// by those quotas, once the simulator enforces them, is the next step.
const fuzzCap = 20

// FuzzParse: any input either parses or returns a *SyntaxError or an
// ErrInvalid error, never panics; what parses builds without panicking
// and runs, shortened to fuzzCap (see there), without an error, leaving a
// report whose invariants hold (checkReport).
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{"duration": "1h", "clusters": [{"name": "a"}]}`))
	f.Add([]byte(`{"seed": 1, "start": "2024-01-01T00:00:00Z", "actions": [{"at": "1m"}]}`))
	f.Add([]byte(`{"services": [{"traffic": {"rate": {"steps": [{"at": "0s", "perSecond": 1}]}}}]}`))
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
		capForFuzzing(sc)
		s, err := Build(sc, Options{})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Build error %v is not ErrInvalid", err)
			}
			return
		}
		r, err := s.Run()
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		checkReport(t, r)
	})
}

// capForFuzzing shortens a scenario to fuzzCap.
func capForFuzzing(sc *Scenario) {
	sc.Duration = min(sc.Duration, Duration(fuzzCap*time.Minute))
	for i := range sc.Actions {
		sc.Actions[i].At = min(sc.Actions[i].At, sc.Duration-1)
		if l := sc.Actions[i].LaunchInstances; l != nil {
			l.Count = min(l.Count, fuzzCap)
		}
		if u := sc.Actions[i].UpdateService; u != nil && u.DesiredCount != nil {
			*u.DesiredCount = min(*u.DesiredCount, fuzzCap)
		}
	}
	for i := range sc.CapacityProviders {
		cp := &sc.CapacityProviders[i]
		cp.MinSize, cp.MaxSize, cp.DesiredCapacity = min(cp.MinSize, fuzzCap), min(cp.MaxSize, fuzzCap), min(cp.DesiredCapacity, fuzzCap)
	}
	for i := range sc.Clusters {
		for j := range sc.Clusters[i].Instances {
			sc.Clusters[i].Instances[j].Count = min(sc.Clusters[i].Instances[j].Count, fuzzCap)
		}
	}
	for i := range sc.Services {
		s := &sc.Services[i]
		s.DesiredCount = min(s.DesiredCount, fuzzCap)
		if s.AutoScaling != nil {
			s.AutoScaling.MaxCapacity = min(s.AutoScaling.MaxCapacity, fuzzCap)
			s.AutoScaling.MinCapacity = min(s.AutoScaling.MinCapacity, s.AutoScaling.MaxCapacity)
		}
		if tr := s.Traffic; tr != nil {
			tr.Mode = sim.FluidMode
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
