package scenario

import (
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

// FuzzParse: any input either parses or returns a *SyntaxError or an
// ErrInvalid error, never panics; what parses builds without panicking,
// and runs, shortened to a few simulated minutes, without an error.
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
		// Keep each run small: minutes, not days; dozens of tasks, not
		// thousands.
		sc.Duration = min(sc.Duration, Duration(10*time.Minute))
		for i := range sc.Actions {
			sc.Actions[i].At = min(sc.Actions[i].At, sc.Duration-1)
			if l := sc.Actions[i].LaunchInstances; l != nil {
				l.Count = min(l.Count, 20)
			}
		}
		for i := range sc.CapacityProviders {
			cp := &sc.CapacityProviders[i]
			cp.MinSize, cp.MaxSize, cp.DesiredCapacity = min(cp.MinSize, 20), min(cp.MaxSize, 20), min(cp.DesiredCapacity, 20)
		}
		for i := range sc.Clusters {
			for j := range sc.Clusters[i].Instances {
				sc.Clusters[i].Instances[j].Count = min(sc.Clusters[i].Instances[j].Count, 20)
			}
		}
		for i := range sc.Services {
			sc.Services[i].DesiredCount = min(sc.Services[i].DesiredCount, 20)
			if tr := sc.Services[i].Traffic; tr != nil {
				tr.Mode = "fluid"
			}
		}
		s, err := Build(sc, Options{})
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Build error %v is not ErrInvalid", err)
			}
			return
		}
		if _, err := s.Run(); err != nil {
			t.Fatalf("Run: %v", err)
		}
	})
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
		if ty == durationType || ty == timeType {
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
