package scenario

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestOverridesChangeTheScenario(t *testing.T) {
	data, err := os.ReadFile("testdata/web.json")
	if err != nil {
		t.Fatal(err)
	}
	base, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var overrides []Override
	for _, s := range []string{"seed=42", "duration=10h", "services[0].desiredCount=7", `name="renamed"`} {
		o, err := ParseOverride(s)
		if err != nil {
			t.Fatal(err)
		}
		overrides = append(overrides, o)
	}
	out, err := Apply(data, overrides)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := Parse(out)
	if err != nil {
		t.Fatalf("overridden file does not parse: %v\n%s", err, out)
	}
	if sc.Seed != 42 || sc.Duration.D().Hours() != 10 || sc.Services[0].DesiredCount != 7 || sc.Name != "renamed" {
		t.Errorf("got seed %d, duration %v, desired %d, name %q", sc.Seed, sc.Duration.D(), sc.Services[0].DesiredCount, sc.Name)
	}
	// Everything else is as it was.
	sc.Seed, sc.Duration, sc.Services[0].DesiredCount, sc.Name = base.Seed, base.Duration, base.Services[0].DesiredCount, base.Name
	a, _ := json.Marshal(sc)
	b, _ := json.Marshal(base)
	if string(a) != string(b) {
		t.Error("an override changed more than its value")
	}
}

func TestOverrideErrorsNameThePath(t *testing.T) {
	data := []byte(`{"services": [{"name": "a"}], "seed": 1}`)
	for _, tc := range []struct{ override, want string }{
		{"services[3].name=b", "services[3]: no such element"},
		{"clusters[0].name=b", "clusters: no such field"},
		{"seed.x=1", "seed.x: seed is not an object"},
		{"services[0]x=1", "expected . or [ after ]"},
		{"services[-1].name=b", "an index must be a whole number"},
		{"a..b=1", "expected a field name after ."},
		{"=1", "want path=value"},
		{"services[0=1", "[ without ]"},
	} {
		o, err := ParseOverride(tc.override)
		if err == nil {
			_, err = Apply(data, []Override{o})
		}
		if !errors.Is(err, ErrOverride) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.override, err, tc.want)
		}
	}
}

// FuzzOverride: any path and value, on any file, give an error or JSON;
// never a panic.
func FuzzOverride(f *testing.F) {
	f.Add([]byte(`{"services": [{"name": "a"}], "seed": 1}`), "services[0].name=b")
	f.Add([]byte(`[1,2]`), "[1]=3")
	f.Add([]byte(`{}`), "a.b[0]=x")
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		o, err := ParseOverride(s)
		if err != nil {
			if !errors.Is(err, ErrOverride) {
				t.Fatalf("ParseOverride: %v", err)
			}
			return
		}
		out, err := Apply(data, []Override{o})
		if err != nil {
			if !errors.Is(err, ErrOverride) {
				t.Fatalf("Apply: %v", err)
			}
			return
		}
		if !json.Valid(out) {
			t.Fatalf("Apply returned invalid JSON: %s", out)
		}
	})
}
