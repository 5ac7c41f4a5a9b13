package tidy

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"testing"

	"github.com/ecssim/ecssim/sim/scenario"
	"github.com/ecssim/ecssim/sweep"
)

// nasaArm runs the NASA day with the target tracking's target value set
// to arm, at the seed.
func nasaArm(t *testing.T) func(ctx context.Context, arm string, seed uint64) (*scenario.Report, error) {
	data, err := os.ReadFile("../examples/scenario/testdata/nasa-day.json")
	if err != nil {
		t.Fatal(err)
	}
	files := scenario.DirFS("../examples/scenario/testdata")
	return func(_ context.Context, arm string, seed uint64) (*scenario.Report, error) {
		o, err := scenario.ParseOverride("services[0].autoScaling.targetTracking[0].targetValue=" + arm)
		if err != nil {
			return nil, err
		}
		b, err := scenario.Apply(data, []scenario.Override{o})
		if err != nil {
			return nil, err
		}
		sc, err := scenario.Parse(b)
		if err != nil {
			return nil, err
		}
		sc.Seed = seed
		return scenario.Run(sc, scenario.Options{Files: files})
	}
}

func csvBytes(t *testing.T, tab *Table) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := tab.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestShardedSweepWritesTheWholeSweepsBytes: the NASA day over three
// target values and three seeds, run whole and run as three shards (each
// with its own pool size) merged in a scrambled order, writes the same
// sweep CSV and the same summary CSV, byte for byte, with one row per
// arm × seed × service.
func TestShardedSweepWritesTheWholeSweepsBytes(t *testing.T) {
	run := nasaArm(t)
	arms := []string{"300", "500", "800"}
	cells := sweep.Grid(len(arms), sweep.Seeds(1, 3))
	whole, err := sweep.Run(context.Background(), arms, cells, run, sweep.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var shards [][]sweep.Result[*scenario.Report]
	for i := range 3 {
		part, err := sweep.Run(context.Background(), arms, sweep.Shard{Index: i, Count: 3}.Cells(cells), run, sweep.Options{Workers: 3 - i})
		if err != nil {
			t.Fatal(err)
		}
		shards = append(shards, part)
	}
	merged, err := sweep.Merge(len(cells), shards[1], shards[2], shards[0])
	if err != nil {
		t.Fatal(err)
	}
	wholeRows, mergedRows := SweepRows(whole, arms), SweepRows(merged, arms)
	a, b := csvBytes(t, SweepTable(wholeRows)), csvBytes(t, SweepTable(mergedRows))
	if !bytes.Equal(a, b) {
		t.Fatalf("sweep CSV differs:\nwhole\n%s\nmerged\n%s", a, b)
	}
	if sa, sb := csvBytes(t, SummaryTable(Summarize(wholeRows))), csvBytes(t, SummaryTable(Summarize(mergedRows))); !bytes.Equal(sa, sb) {
		t.Fatalf("summary CSV differs:\nwhole\n%s\nmerged\n%s", sa, sb)
	}
	recs, err := csv.NewReader(bytes.NewReader(a)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != len(arms)*3*1 {
		t.Errorf("%d sweep rows, want 3 arms × 3 seeds × 1 service", len(recs)-1)
	}
	// The arms differ, or the test would show nothing.
	sums := Summarize(wholeRows)
	if len(sums) != 3 || sums[0].CostUSD.Mean == sums[2].CostUSD.Mean || sums[0].CostUSD.N != 3 {
		t.Errorf("summaries %+v", sums)
	}
}
