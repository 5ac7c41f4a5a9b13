package tidy

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim/scenario"
)

// nasaDay reads the NASA scenario of examples/scenario.
func nasaDay(t *testing.T) (*scenario.Scenario, scenario.Options) {
	t.Helper()
	dir := scenario.DirFS("../examples/scenario/testdata")
	sc, err := scenario.ReadFile(dir, "nasa-day.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	return sc, scenario.Options{Files: dir}
}

// TestRecordNASADay checks the tables of the NASA day against the report
// that scenario.Run writes without recording: same trace hash, one
// period row per service per 2-hour period, the counts at each period's
// end equal to the report's rows, the period costs and scaling
// activities summing to the report's totals, and one scaling event per
// scaling activity with its counts.
func TestRecordNASADay(t *testing.T) {
	sc, opt := nasaDay(t)
	plain, err := scenario.Run(sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Record(sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	if run.Report.TraceHash != plain.TraceHash || run.Report.Events != plain.Events {
		t.Fatalf("recording changed the run: trace %016x, %d events; without it %016x, %d", run.Report.TraceHash, run.Report.Events, plain.TraceHash, plain.Events)
	}
	if want := len(sc.Services) * 12; len(run.Periods) != want || len(plain.Rows) != want {
		t.Fatalf("%d period rows, report has %d; want %d (24 h in 2 h periods)", len(run.Periods), len(plain.Rows), want)
	}
	var cost float64
	acts := 0
	for i, p := range run.Periods {
		r := plain.Rows[i]
		if p.Cluster+"/"+p.Service != r.Service || !p.Start.Equal(r.Start) || p.Length != r.Length ||
			p.Desired != r.Desired || p.Running != r.Running || p.Pending != r.Pending ||
			p.P50 != r.P50 || p.P99 != r.P99 || p.Errors5xx != r.Errors5xx || p.CPUPercent != r.CPUPercent {
			t.Errorf("row %d: recorded %+v\nreport %+v", i, p, r)
		}
		if !(p.P50 <= p.P90 && p.P90 <= p.P99) || p.MemoryPercent <= 0 || p.MemoryPercent > 100 {
			t.Errorf("row %d: p50 %v p90 %v p99 %v, memory %v %%", i, p.P50, p.P90, p.P99, p.MemoryPercent)
		}
		cost += p.CostUSD
		acts += p.ScalingActivities
	}
	s := plain.Services[0]
	if math.Abs(cost-s.Cost) > 1e-9*s.Cost || acts != s.ScalingActivities || acts == 0 {
		t.Errorf("periods sum to $%v and %d scaling activities; the report says $%v and %d", cost, acts, s.Cost, s.ScalingActivities)
	}
	scaling := 0
	for _, e := range run.Events {
		if e.Kind == KindScaling {
			scaling++
			if e.DesiredFrom < 0 || e.DesiredTo < 0 || e.DesiredFrom == e.DesiredTo || e.Service != "web" || e.Cluster != "nasa" {
				t.Errorf("scaling event %+v", e)
			}
		}
	}
	if scaling != s.ScalingActivities {
		t.Errorf("%d scaling events, %d scaling activities", scaling, s.ScalingActivities)
	}
	if !slices.IsSortedFunc(run.Events, func(a, b EventRow) int { return a.At.Compare(b.At) }) {
		t.Error("events are not in time order")
	}
}

// TestRecordActionsAndOutages: a deployment and a zone outage of the web
// scenario come out as events of their kinds, with the tasks the outage
// stopped.
func TestRecordActionsAndOutages(t *testing.T) {
	dir := scenario.DirFS("../sim/scenario/testdata")
	sc, err := scenario.ReadFile(dir, "web.json", 0)
	if err != nil {
		t.Fatal(err)
	}
	run, err := Record(sc, scenario.Options{Files: dir})
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range run.Events {
		kinds[e.Kind]++
	}
	start := run.Report.Start
	var deploy, outage *EventRow
	for i, e := range run.Events {
		switch e.Kind {
		case KindDeployment:
			deploy = &run.Events[i]
		case KindOutage:
			outage = &run.Events[i]
		}
	}
	if deploy == nil || !deploy.At.Equal(start.Add(3*time.Hour)) || deploy.Cluster != "prod" || deploy.Service != "web" {
		t.Errorf("deployment event %+v, want prod/web at 3 h", deploy)
	}
	if outage == nil || !outage.At.Equal(start.Add(7*time.Hour)) {
		t.Errorf("outage event %+v, want one at 7 h", outage)
	}
	if kinds[KindDeploymentCompleted] == 0 {
		t.Errorf("no deployment completed among %v", kinds)
	}
	if len(run.Periods) != 12*len(sc.Services) {
		t.Errorf("%d period rows, want 12 per service", len(run.Periods))
	}
}

// TestCSVRoundTrips: the CSV of every table reads back through
// encoding/csv to the same header, row count and cells, and its numbers
// parse back to the very float64s written; the JSON Lines hold one valid
// object per row with the columns in order.
func TestCSVRoundTrips(t *testing.T) {
	sc, opt := nasaDay(t)
	run, err := Record(sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	for name, tab := range map[string]*Table{"periods": PeriodTable(run.Periods), "events": EventTable(run.Events)} {
		var buf bytes.Buffer
		if err := tab.WriteCSV(&buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !slices.Equal(recs[0], tab.Columns) || len(recs)-1 != len(tab.Rows) || len(tab.Rows) == 0 {
			t.Fatalf("%s: header %v and %d rows; want %v and %d", name, recs[0], len(recs)-1, tab.Columns, len(tab.Rows))
		}
		for i, row := range tab.Rows {
			for j, v := range row {
				got := recs[i+1][j]
				switch v := v.(type) {
				case float64:
					f, err := strconv.ParseFloat(got, 64)
					if err != nil || f != v {
						t.Errorf("%s row %d %s: %q reads back as %v, %v; wrote %v", name, i, tab.Columns[j], got, f, err, v)
					}
				case time.Time:
					tm, err := time.Parse(time.RFC3339Nano, got)
					if err != nil || !tm.Equal(v) {
						t.Errorf("%s row %d: time %q reads back as %v", name, i, got, tm)
					}
				case string:
					if got != v {
						t.Errorf("%s row %d %s: %q, wrote %q", name, i, tab.Columns[j], got, v)
					}
				}
			}
		}
		buf.Reset()
		if err := tab.WriteJSONL(&buf); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
		if len(lines) != len(tab.Rows) {
			t.Fatalf("%s: %d JSON lines, %d rows", name, len(lines), len(tab.Rows))
		}
		for _, l := range lines {
			dec := json.NewDecoder(strings.NewReader(l))
			var keys []string
			if _, err := dec.Token(); err != nil {
				t.Fatal(err)
			}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					t.Fatalf("%s: %q: %v", name, l, err)
				}
				keys = append(keys, k.(string))
				var v any
				if err := dec.Decode(&v); err != nil {
					t.Fatalf("%s: %q: %v", name, l, err)
				}
			}
			if !slices.Equal(keys, tab.Columns) {
				t.Fatalf("%s: keys %v, want %v", name, keys, tab.Columns)
			}
		}
	}
}

// TestWriters pins the three formats on a small table.
func TestWriters(t *testing.T) {
	tab := &Table{Columns: []string{"time", "service", "p99_ms", "n"}, Rows: [][]any{
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), `a,"b"|c`, 0.1, 3},
		{time.Date(2026, 1, 2, 4, 4, 5, 0, time.UTC), "d", math.NaN(), int64(-1)},
	}}
	var c, j, m bytes.Buffer
	if err := tab.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	if err := tab.WriteJSONL(&j); err != nil {
		t.Fatal(err)
	}
	if err := tab.WriteMarkdown(&m); err != nil {
		t.Fatal(err)
	}
	wantCSV := "time,service,p99_ms,n\n2026-01-02T03:04:05Z,\"a,\"\"b\"\"|c\",0.1,3\n2026-01-02T04:04:05Z,d,,-1\n"
	wantJSON := `{"time":"2026-01-02T03:04:05Z","service":"a,\"b\"|c","p99_ms":0.1,"n":3}` + "\n" +
		`{"time":"2026-01-02T04:04:05Z","service":"d","p99_ms":null,"n":-1}` + "\n"
	wantMD := "| time | service | p99_ms | n |\n| --- | --- | ---: | ---: |\n| 2026-01-02T03:04:05Z | a,\"b\"\\|c | 0.1 | 3 |\n| 2026-01-02T04:04:05Z | d |  | -1 |\n"
	for _, w := range []struct{ name, got, want string }{{"CSV", c.String(), wantCSV}, {"JSONL", j.String(), wantJSON}, {"Markdown", m.String(), wantMD}} {
		if w.got != w.want {
			t.Errorf("%s:\n%s\nwant\n%s", w.name, w.got, w.want)
		}
	}
}

func TestNewRecorderNamesEveryProblem(t *testing.T) {
	_, err := NewRecorder(nil, 90*time.Second, Tracked{})
	for _, want := range []string{"world (none): is required", "period 1m30s: must be a whole number of minutes", "tracked[0].Service (none): is required"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
}
