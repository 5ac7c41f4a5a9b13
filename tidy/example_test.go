package tidy_test

import (
	"fmt"
	"os"

	"github.com/ecssim/ecssim/sim/scenario"
	"github.com/ecssim/ecssim/tidy"
)

// Record runs a scenario file and returns its report with the tidy rows.
func ExampleRecord() {
	dir := scenario.DirFS("../examples/scenario/testdata")
	sc, err := scenario.ReadFile(dir, "nasa-day.json", 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	run, err := tidy.Record(sc, scenario.Options{Files: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d period rows, %d events, trace %016x\n", len(run.Periods), len(run.Events), run.Report.TraceHash)
	first := tidy.PeriodTable(run.Periods[:1])
	first.Columns, first.Rows[0] = first.Columns[:8], first.Rows[0][:8]
	first.WriteMarkdown(os.Stdout)
	// Output:
	// 12 period rows, 72 events, trace 3e22ba5dd4384ede
	// | time | period_s | cluster | service | desired_tasks | running_tasks | pending_tasks | requests_per_s |
	// | --- | ---: | --- | --- | ---: | ---: | ---: | ---: |
	// | 1995-07-13T04:00:00Z | 7200 | nasa | web | 8 | 8 | 0 | 55.733333333333334 |
}

// A table writes itself as CSV, JSON Lines or Markdown.
func ExampleTable() {
	t := &tidy.Table{Columns: []string{"arm_label", "cost_usd", "p99_ms"}, Rows: [][]any{{"cpu60", 23.72, 1546.9}, {"cpu70", 19.1, 2210.0}}}
	t.WriteCSV(os.Stdout)
	t.WriteJSONL(os.Stdout)
	t.WriteMarkdown(os.Stdout)
	// Output:
	// arm_label,cost_usd,p99_ms
	// cpu60,23.72,1546.9
	// cpu70,19.1,2210
	// {"arm_label":"cpu60","cost_usd":23.72,"p99_ms":1546.9}
	// {"arm_label":"cpu70","cost_usd":19.1,"p99_ms":2210}
	// | arm_label | cost_usd | p99_ms |
	// | --- | ---: | ---: |
	// | cpu60 | 23.72 | 1546.9 |
	// | cpu70 | 19.1 | 2210 |
}

// RecordSimulation records a scenario built first, for a caller that
// reads the Simulation while it runs: here a Between hook of its own,
// which RecordSimulation keeps calling.
func ExampleRecordSimulation() {
	dir := scenario.DirFS("../examples/scenario/testdata")
	sc, err := scenario.ReadFile(dir, "nasa-day.json", 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := scenario.Build(sc, scenario.Options{Files: dir})
	if err != nil {
		fmt.Println(err)
		return
	}
	minutes := 0
	s.Between = func() { minutes++ }
	run, err := tidy.RecordSimulation(s)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d period rows, %d events, trace %016x, hook called %d times\n", len(run.Periods), len(run.Events), run.Report.TraceHash, minutes)
	// Output:
	// 12 period rows, 72 events, trace 3e22ba5dd4384ede, hook called 1440 times
}
