package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/sim/scenario"
	"github.com/ecssim/ecssim/sweep"
	"github.com/ecssim/ecssim/tidy"
)

// checkImage parses an SVG as XML (and finds want in its text) or decodes
// a PNG and checks its size in pixels.
func checkImage(t *testing.T, f Format, data []byte, wantW, wantH int, want ...string) {
	t.Helper()
	switch f {
	case SVG:
		dec := xml.NewDecoder(bytes.NewReader(data))
		var text strings.Builder
		root := ""
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("SVG is not XML: %v", err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if root == "" {
					root = tok.Name.Local
				}
			case xml.CharData:
				text.Write(tok)
			}
		}
		if root != "svg" {
			t.Fatalf("SVG root element %q", root)
		}
		for _, w := range want {
			if !strings.Contains(text.String(), w) {
				t.Errorf("SVG text lacks %q", w)
			}
		}
	case PNG:
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("PNG does not decode: %v", err)
		}
		if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
			t.Errorf("PNG is %d × %d pixels, want %d × %d", b.Dx(), b.Dy(), wantW, wantH)
		}
	}
}

// TestRunChart draws the NASA day's web service in both formats.
func TestRunChart(t *testing.T) {
	dir := scenario.DirFS("../examples/scenario/testdata")
	sc, err := scenario.ReadFile(dir, "nasa-day.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	run, err := tidy.Record(sc, scenario.Options{Files: dir})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []Format{SVG, PNG} {
		var buf bytes.Buffer
		if err := Run(&buf, f, run.Periods, run.Events, Options{}); err != nil {
			t.Fatal(err)
		}
		checkImage(t, f, buf.Bytes(), 7*96, 9*96, "nasa/web", "desired", "running", "p99", "scaling", "cost $")
	}
}

// TestSweepChart draws five arms with intervals in both formats.
func TestSweepChart(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var sums []tidy.ArmSummary
	for a, label := range []string{"cpu40", "cpu50", "cpu60", "cpu70", "cpu80"} {
		cost, p99 := make([]float64, 5), make([]float64, 5)
		for i := range cost {
			cost[i] = 30 - 3*float64(a) + r.Float64()
			p99[i] = 200 + 80*float64(a) + 30*r.Float64()
		}
		sums = append(sums, tidy.ArmSummary{Arm: a, ArmLabel: label, Cluster: "prod", Service: "api",
			CostUSD: sweep.Summarize(cost), P99ms: sweep.Summarize(p99)})
	}
	for _, f := range []Format{SVG, PNG} {
		var buf bytes.Buffer
		if err := Sweep(&buf, f, sums, Options{}); err != nil {
			t.Fatal(err)
		}
		checkImage(t, f, buf.Bytes(), 7*96, 5*96, "cpu40", "cpu80", "Pareto front", "prod/api")
	}
}

func TestChartErrors(t *testing.T) {
	if err := Run(io.Discard, SVG, nil, nil, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no rows: %v", err)
	}
	if err := Sweep(io.Discard, SVG, nil, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("no arms: %v", err)
	}
	rows := []tidy.PeriodRow{{Service: "web"}}
	if err := Run(io.Discard, "gif", rows, nil, Options{}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `format "gif"`) {
		t.Errorf("gif: %v", err)
	}
}

// naiveFront is the definition, O(n²): the points no other point
// dominates, in index order.
func naiveFront(cost, p99 []float64) []int {
	var out []int
	for i := range cost {
		beaten := false
		for j := range cost {
			if cost[j] <= cost[i] && p99[j] <= p99[i] && (cost[j] < cost[i] || p99[j] < p99[i]) {
				beaten = true
			}
		}
		if !beaten {
			out = append(out, i)
		}
	}
	return out
}

// TestParetoFrontAgainstNaive: on random points with many ties, the
// front is the naive one's (as a set) and comes in increasing cost.
func TestParetoFrontAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 500 {
		n := r.IntN(30)
		cost, p99 := make([]float64, n), make([]float64, n)
		for i := range n {
			cost[i], p99[i] = float64(r.IntN(8)), float64(r.IntN(8)) // small ranges: ties galore
		}
		got := ParetoFront(cost, p99)
		want := naiveFront(cost, p99)
		sorted := slices.Sorted(slices.Values(got))
		if !slices.Equal(sorted, want) {
			t.Fatalf("trial %d: cost %v p99 %v: front %v, naive %v", trial, cost, p99, got, want)
		}
		if !slices.IsSortedFunc(got, func(a, b int) int { return cmpFloat(cost[a], cost[b]) }) {
			t.Fatalf("trial %d: front %v not in increasing cost", trial, got)
		}
	}
}
