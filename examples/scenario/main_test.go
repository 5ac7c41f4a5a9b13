package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/internal/golden"
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

// TestReplicateMatchesSeedBySeedRuns: the parallel summary over 4 seeds
// equals the mean and Student t interval computed here from 4 sequential
// runs, with t(0.975, 3) = 3.182446 from the table.
func TestReplicateMatchesSeedBySeedRuns(t *testing.T) {
	srcs, err := sources([]string{"../../sim/scenario/testdata/web.json"})
	if err != nil {
		t.Fatal(err)
	}
	sc, sum, err := replicateOne(srcs[0], 4)
	if err != nil {
		t.Fatal(err)
	}
	var costs, scalings []float64
	for i := range 4 {
		arm := *sc
		arm.Seed = sc.Seed + uint64(i)
		r, err := scenario.Run(&arm, scenario.Options{})
		if err != nil {
			t.Fatal(err)
		}
		costs = append(costs, r.Services[0].Cost)
		scalings = append(scalings, float64(r.Services[0].ScalingActivities))
	}
	for k, xs := range map[int][]float64{0: costs, 4: scalings} {
		mean := (xs[0] + xs[1] + xs[2] + xs[3]) / 4
		ss := 0.0
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		half := 3.182446 * math.Sqrt(ss/3) / 2
		got := sum.Services[0].Intervals[k]
		if math.Abs(got.Mean-mean) > 1e-9*math.Abs(mean) || math.Abs(got.HalfWidth-half) > 1e-6*half+1e-12 {
			t.Errorf("%s: got %v ± %v, want %v ± %v", sum.Measures[k], got.Mean, got.HalfWidth, mean, half)
		}
	}
	if costs[0] == costs[1] && costs[1] == costs[2] {
		t.Error("the seeds gave identical costs; the arms did not get their own seeds")
	}
}

// TestGoldenReport compares the built-in scenario's text report with
// testdata/nasa-day.report, so that a change of behaviour shows as a diff
// in review (rewrite it with go test ./examples/scenario -run Golden -update).
func TestGoldenReport(t *testing.T) {
	var out bytes.Buffer
	if err := run(&out, nil, false); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/nasa-day.report", out.Bytes())
}

// TestFilesAreConfinedToTheScenarioDirectory: a scenario path that is a
// link is resolved, and the files it names are read beside the file it
// leads to; a series that links out of that directory (to a file holding
// a secret line here, to /etc/passwd or /dev/zero in an attack) is refused
// without its content in the error.
func TestFilesAreConfinedToTheScenarioDirectory(t *testing.T) {
	real, links := t.TempDir(), t.TempDir()
	data, err := os.ReadFile("testdata/nasa-day.json")
	if err != nil {
		t.Fatal(err)
	}
	csvData, err := os.ReadFile("testdata/nasa_http_1995-07-13_per_minute.csv")
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Skipf("cannot set up files and links here: %v", err)
		}
	}
	must(os.WriteFile(filepath.Join(real, "nasa-day.json"), data, 0o600))
	must(os.WriteFile(filepath.Join(real, "nasa_http_1995-07-13_per_minute.csv"), csvData, 0o600))
	must(os.Symlink(filepath.Join(real, "nasa-day.json"), filepath.Join(links, "day.json")))
	var out bytes.Buffer
	if err := run(&out, []string{filepath.Join(links, "day.json")}, false); err != nil {
		t.Fatalf("scenario through a link: %v", err)
	}

	// The same scenario with its trace replaced by a link out of the
	// directory.
	attack := t.TempDir()
	secret := filepath.Join(t.TempDir(), "secret.csv")
	must(os.WriteFile(secret, []byte("TOPSECRET-LINE\n"), 0o600))
	must(os.WriteFile(filepath.Join(attack, "nasa-day.json"), data, 0o600))
	must(os.Symlink(secret, filepath.Join(attack, "nasa_http_1995-07-13_per_minute.csv")))
	err = run(&out, []string{filepath.Join(attack, "nasa-day.json")}, false)
	if !errors.Is(err, scenario.ErrInvalid) || strings.Contains(err.Error(), "TOPSECRET") {
		t.Errorf("series linking out of the directory: %v", err)
	}
}
