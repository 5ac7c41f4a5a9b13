package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/progress"
	"github.com/ecssim/ecssim/sim/scenario"
)

const nasa = "../../examples/scenario/testdata/nasa-day.json"

// readCSV reads a CSV file as its header and rows of name → value.
func readCSV(t *testing.T, path string) ([]string, []map[string]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, c := range recs[0] {
			row[c] = rec[i]
		}
		rows = append(rows, row)
	}
	return recs[0], rows
}

// nasaReport is the NASA day's report, run by the library on its own.
func nasaReport(t *testing.T) *scenario.Report {
	t.Helper()
	data, err := os.ReadFile(nasa)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scenario.Run(sc, scenario.Options{Files: scenario.DirFS(filepath.Dir(nasa))})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// checkJSONLAndMarkdown: NAME.jsonl holds one object per CSV row with the
// CSV's columns as keys, and NAME.md a header, a rule and one line per
// row.
func checkJSONLAndMarkdown(t *testing.T, dir, name string, columns []string, rows int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var obj map[string]any
		if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
			t.Fatalf("%s.jsonl line %d: %v", name, n+1, err)
		}
		for _, c := range columns {
			if _, ok := obj[c]; !ok {
				t.Errorf("%s.jsonl line %d lacks %q", name, n+1, c)
			}
		}
		if len(obj) != len(columns) {
			t.Errorf("%s.jsonl line %d has %d keys, the CSV %d columns", name, n+1, len(obj), len(columns))
		}
		n++
	}
	if n != rows {
		t.Errorf("%s.jsonl has %d lines, the CSV %d rows", name, n, rows)
	}
	md, err := os.ReadFile(filepath.Join(dir, name+".md"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(md), "\n"), "\n")
	if len(lines) != rows+2 || !strings.HasPrefix(lines[0], "| "+columns[0]+" |") {
		t.Errorf("%s.md: %d lines, want a header, a rule and %d rows", name, len(lines), rows)
	}
}

// TestRunWritesTidyFilesAndCharts: ecssim run -out DIR -plot DIR -png on
// the NASA day writes periods and events as CSV, JSON Lines and Markdown
// and a chart per service as SVG and PNG. The period table has the
// columns the issue asks for (units in the names), one row per report
// period with the report's counts, 5xx and timeouts, costs and scaling
// activities that add up to the report's; the event table has one row per
// scaling activity the report counts and one per action the file takes.
func TestRunWritesTidyFilesAndCharts(t *testing.T) {
	dir := t.TempDir()
	out, plot := filepath.Join(dir, "out"), filepath.Join(dir, "plot")
	status, stdout, errOut := ecssim(t, "run", nasa, "-out", out, "-plot", plot, "-png")
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	rep := nasaReport(t)
	var text bytes.Buffer
	rep.WriteText(&text)
	if stdout != text.String() {
		t.Errorf("run -out printed another report:\n%s\nwant\n%s", stdout, text.String())
	}
	if len(rep.Services) != 1 || len(rep.Rows) < 10 || rep.Services[0].ScalingActivities == 0 {
		t.Fatalf("the NASA day should have one scaled service and its rows: %+v", rep.Services)
	}
	svc := rep.Services[0]

	// The columns: time, service, cluster, desired, running,
	// pending, request rate, CPU %, memory %, p50, p90, p99, 5xx,
	// timeouts, cost, scaling activities, units in the names.
	want := []string{"time", "cluster", "service", "desired_tasks", "running_tasks", "pending_tasks", "requests_per_s",
		"cpu_pct", "memory_pct", "p50_ms", "p90_ms", "p99_ms", "errors_5xx", "timeouts", "cost_usd", "scaling_activities"}
	cols, periods := readCSV(t, filepath.Join(out, "periods.csv"))
	for _, c := range want {
		if !slices.Contains(cols, c) {
			t.Errorf("periods.csv lacks the column %q: %q", c, cols)
		}
	}
	if len(periods) != len(rep.Rows) {
		t.Fatalf("periods.csv has %d rows, the report %d periods", len(periods), len(rep.Rows))
	}
	atoi := func(s string) int64 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return n
	}
	var cost float64
	var activities int64
	for i, row := range periods {
		r := rep.Rows[i]
		got := []int64{atoi(row["desired_tasks"]), atoi(row["running_tasks"]), atoi(row["pending_tasks"]), atoi(row["errors_5xx"]), atoi(row["timeouts"])}
		if exp := []int64{int64(r.Desired), int64(r.Running), int64(r.Pending), r.Errors5xx, r.TimedOut}; !slices.Equal(got, exp) {
			t.Errorf("period %d: desired, running, pending, 5xx, timeouts %v; the report %v", i, got, exp)
		}
		if row["cluster"]+"/"+row["service"] != r.Service || row["time"] != r.Start.UTC().Format("2006-01-02T15:04:05Z") {
			t.Errorf("period %d is %s/%s at %s, the report's %s at %s", i, row["cluster"], row["service"], row["time"], r.Service, r.Start)
		}
		c, err := strconv.ParseFloat(row["cost_usd"], 64)
		if err != nil {
			t.Fatal(err)
		}
		cost += c
		activities += atoi(row["scaling_activities"])
	}
	if math.Abs(cost-svc.Cost) > 1e-9*svc.Cost {
		t.Errorf("period costs add up to $%v, the report's $%v", cost, svc.Cost)
	}
	if activities != int64(svc.ScalingActivities) {
		t.Errorf("period scaling activities add up to %d, the report's %d", activities, svc.ScalingActivities)
	}
	checkJSONLAndMarkdown(t, out, "periods", cols, len(periods))

	cols, events := readCSV(t, filepath.Join(out, "events.csv"))
	kinds := map[string]int{}
	for _, e := range events {
		kinds[e["kind"]]++
	}
	if kinds["scaling"] != svc.ScalingActivities {
		t.Errorf("%d scaling events, the report %d scaling activities", kinds["scaling"], svc.ScalingActivities)
	}
	actions := 0
	for _, a := range rep.Actions {
		if strings.HasPrefix(a.Action, "updateService ") {
			actions++
		}
	}
	if kinds["deployment"] != actions {
		t.Errorf("%d deployment events, the report %d updateService actions", kinds["deployment"], actions)
	}
	checkJSONLAndMarkdown(t, out, "events", cols, len(events))

	svg, err := os.ReadFile(filepath.Join(plot, "nasa-web.svg"))
	if err != nil {
		t.Fatal(err)
	}
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(svg, &root); err != nil || root.XMLName.Local != "svg" {
		t.Errorf("nasa-web.svg: root %q, %v", root.XMLName.Local, err)
	}
	// The page: the chart, the settings and both tables in one file.
	page, err := os.ReadFile(filepath.Join(plot, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for what, want := range map[string]string{"one chart": "<svg", "the periods table": "<h2>periods</h2>", "the events table": "<h2>events</h2>",
		"the trace hash": fmt.Sprintf("%016x", rep.TraceHash)} {
		if !strings.Contains(string(page), want) {
			t.Errorf("index.html lacks %s (%q)", what, want)
		}
	}
	if n := strings.Count(string(page), "<svg"); n != len(rep.Services) {
		t.Errorf("index.html has %d charts for %d services", n, len(rep.Services))
	}
	f, err := os.Open(filepath.Join(plot, "nasa-web.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if img, err := png.Decode(f); err != nil || img.Bounds().Dx() < 600 {
		t.Errorf("nasa-web.png: %v", err)
	}
}

// TestRunOutOfSeveralRuns: several files and seeds each write into their
// own directory, the file's name and then the seed.
func TestRunOutOfSeveralRuns(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(web)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a.json", "b.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	status, _, errOut := ecssim(t, "run", "-seeds", "2", "-duration", "1h", "-set", "actions=[]", "-out", out, filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json"))
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	for _, sub := range []string{"a/seed-1", "a/seed-2", "b/seed-1", "b/seed-2"} {
		if _, rows := readCSV(t, filepath.Join(out, sub, "periods.csv")); len(rows) == 0 {
			t.Errorf("%s: no periods", sub)
		}
	}
	a, _ := os.ReadFile(filepath.Join(out, "a/seed-2/events.csv"))
	b, _ := os.ReadFile(filepath.Join(out, "b/seed-2/events.csv"))
	if !bytes.Equal(a, b) {
		t.Errorf("the same file with the same seed wrote different events")
	}
	if status, _, _ := ecssim(t, "run", "-out", out, web, web); status != 2 {
		t.Errorf("two files of one name: status %d, want 2", status)
	}
}

// TestProgressOnATerminalOnly: with the terminal check faked to say yes,
// run draws its progress line on standard error (simulated time of the
// total, events per second, requests) and sweep and run -seeds the runs
// done of the total, while standard output is what it is without; with
// the real check, which says no for a buffer as for a pipe or a log file,
// standard error stays empty.
func TestProgressOnATerminalOnly(t *testing.T) {
	_, plainRun, plainErr := ecssim(t, "run", nasa)
	_, plainSweep, sweepErr := ecssim(t, append([]string{"sweep"}, smallSweep...)...)
	if plainErr != "" || sweepErr != "" {
		t.Errorf("off a terminal, standard error holds %q and %q", plainErr, sweepErr)
	}
	isTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminal = progress.IsTerminal })

	status, out, errOut := ecssim(t, "run", nasa)
	if status != 0 || out != plainRun {
		t.Fatalf("status %d; on a terminal run printed\n%s\nwant\n%s", status, out, plainRun)
	}
	last := errOut[strings.LastIndex(errOut, "\r")+1:]
	// The requests the report counts, as the line writes them (8052180 is 8.05M).
	rep := nasaReport(t)
	requests := fmt.Sprintf("%.3gM requests", float64(rep.Services[0].Requests.Arrived)/1e6)
	for _, want := range []string{"simulated 1d 0:00:00 of 1d 0:00:00 (100 %)", "events/s", requests} {
		if !strings.HasPrefix(errOut, "\r") || !strings.Contains(last, want) {
			t.Errorf("the last progress line %q lacks %q", last, want)
		}
	}
	status, out, errOut = ecssim(t, append([]string{"sweep"}, smallSweep...)...)
	if status != 0 || out != plainSweep || !strings.Contains(errOut, "runs 6 of 6 done (100 %)") {
		t.Errorf("status %d; sweep on a terminal printed %q to standard error", status, errOut)
	}
	if _, _, errOut = ecssim(t, "run", "-seeds", "2", "-duration", "1h", "-set", "actions=[]", web); !strings.Contains(errOut, "runs 2 of 2 done") {
		t.Errorf("run -seeds 2 on a terminal printed %q to standard error", errOut)
	}
}
