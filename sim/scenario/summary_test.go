package scenario

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestSummariseMatchesTheTTable: three reports with costs 10, 12 and 17
// have mean 13, s = √13, and a 95 % half-width of t(0.975, 2)·s/√3 with
// t = 4.302653 from the table.
func TestSummariseMatchesTheTTable(t *testing.T) {
	reports := []*Report{
		{Name: "x", Seed: 1, Services: []ServiceReport{{Service: "c/a", Cost: 10}}},
		{Name: "x", Seed: 2, Services: []ServiceReport{{Service: "c/a", Cost: 12}}},
		{Name: "x", Seed: 3, Services: []ServiceReport{{Service: "c/a", Cost: 17}}},
	}
	sum, err := Summarise(reports, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := sum.Services[0].Intervals[0]
	want := 4.302653 * math.Sqrt(13) / math.Sqrt(3)
	if got.Mean != 13 || math.Abs(got.HalfWidth-want) > 1e-5 {
		t.Errorf("cost interval %v ± %v, want 13 ± %v", got.Mean, got.HalfWidth, want)
	}
	if len(sum.Measures) != len(DefaultMeasures) || sum.Measures[0] != "cost $" {
		t.Errorf("measures %q", sum.Measures)
	}
	var b strings.Builder
	if err := sum.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "seeds 1 to 3") || !strings.Contains(b.String(), "13.0 ± 9.0") {
		t.Errorf("text:\n%s", b.String())
	}
	one, err := Summarise(reports[:1], nil)
	if err != nil || !math.IsNaN(one.Services[0].Intervals[0].HalfWidth) {
		t.Errorf("one report: %v, %v; want a NaN half-width", one, err)
	}
}

// TestSummariseRefusesMismatchedReports: reports of other scenarios or
// other services cannot be summarised together, and every mismatch is
// named.
func TestSummariseRefusesMismatchedReports(t *testing.T) {
	a := &Report{Name: "x", Services: []ServiceReport{{Service: "c/a"}}}
	other := &Report{Name: "y", Services: []ServiceReport{{Service: "c/a"}}}
	renamed := &Report{Name: "x", Services: []ServiceReport{{Service: "c/b"}}}
	_, err := Summarise([]*Report{a, other, renamed}, nil)
	if !errors.Is(err, ErrReplications) || !strings.Contains(err.Error(), `"y"`) || !strings.Contains(err.Error(), `"c/b"`) {
		t.Errorf("got %v", err)
	}
	if _, err := Summarise(nil, nil); !errors.Is(err, ErrReplications) {
		t.Errorf("no reports: %v", err)
	}
}
