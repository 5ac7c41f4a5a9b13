package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/sim/scenario"
)

// TestBuiltInReplaysTheTrace: the built-in scenario offers the NASA day's
// requests times its scale of 60, counted here from the CSV itself, and
// prints the same report twice.
func TestBuiltInReplaysTheTrace(t *testing.T) {
	var first, second bytes.Buffer
	if err := run(&first, nil, true); err != nil {
		t.Fatal(err)
	}
	if err := run(&second, nil, true); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Fatal("two runs of the built-in scenario printed different reports")
	}
	var r scenario.Report
	if err := json.Unmarshal(first.Bytes(), &r); err != nil {
		t.Fatal(err)
	}

	f, err := os.Open("testdata/nasa_http_1995-07-13_per_minute.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, row := range rows[1:] {
		n, err := strconv.Atoi(row[2])
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	want := float64(total) * 60
	got := float64(r.Services[0].Requests.Arrived)
	if math.Abs(got-want)/want > 1e-4 {
		t.Errorf("%v requests offered; the trace holds %d × 60 = %v", got, total, want)
	}
	if r.Services[0].ScalingActivities == 0 || r.Services[0].MaxDesired <= r.Services[0].MinDesired {
		t.Errorf("target tracking never scaled: %+v", r.Services[0])
	}
}

// TestRunsFiles: every scenario of sim/scenario/testdata runs from its
// path, and a missing file is an error that names it.
func TestRunsFiles(t *testing.T) {
	files, err := filepath.Glob("../../sim/scenario/testdata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios found (%v)", err)
	}
	var out bytes.Buffer
	if err := run(&out, files, false); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\nscenario ") + 1; n != len(files) {
		t.Errorf("%d reports for %d files:\n%s", n, len(files), out.String())
	}
	if err := run(&out, []string{"testdata/missing.json"}, false); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}
