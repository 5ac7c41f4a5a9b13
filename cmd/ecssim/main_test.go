package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/scenario"
)

const web = "../../sim/scenario/testdata/web.json"

func ecssim(t *testing.T, args ...string) (status int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	status = run(args, &o, &e)
	return status, o.String(), e.String()
}

// TestRunPrintsTheLibrarysReport: run prints what scenario.Run and
// Report.WriteText give for the same file.
func TestRunPrintsTheLibrarysReport(t *testing.T) {
	status, out, errOut := ecssim(t, "run", web)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	data, err := os.ReadFile(web)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := scenario.Run(sc, scenario.Options{Files: scenario.DirFS(filepath.Dir(web))})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := r.WriteText(&want); err != nil {
		t.Fatal(err)
	}
	if out != want.String() {
		t.Errorf("run printed\n%s\nwant\n%s", out, want.String())
	}
}

// TestMergeOfJSONRunsIsTheSeedsSummary: merging the JSON reports of run
// -json -seeds 3 gives the same summary as run -seeds 3.
func TestMergeOfJSONRunsIsTheSeedsSummary(t *testing.T) {
	_, summary, _ := ecssim(t, "run", "-seeds", "3", web)
	status, reports, errOut := ecssim(t, "run", "-json", "-seeds", "3", web)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	path := filepath.Join(t.TempDir(), "reports.json")
	if err := os.WriteFile(path, []byte(reports), 0o600); err != nil {
		t.Fatal(err)
	}
	status, merged, errOut := ecssim(t, "merge", path)
	if status != 0 {
		t.Fatalf("merge: status %d: %s", status, errOut)
	}
	if merged != summary || !strings.Contains(summary, "seeds 1 to 3") {
		t.Errorf("merge printed\n%s\nrun -seeds 3 printed\n%s", merged, summary)
	}
}

// TestSweepRunsEveryCombination: two -set flags of 2 and 3 values make 6
// arms, the first flag slowest, and an arm prints what run -set prints.
func TestSweepRunsEveryCombination(t *testing.T) {
	status, out, errOut := ecssim(t, "sweep", "-set", "seed=5,6", "-set", "services[0].desiredCount=2,3,4", "-set", "duration=1h", "-set", "actions=[]", web)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	var arms []string
	for _, line := range strings.Split(out, "\n") {
		if name, ok := strings.CutPrefix(line, "arm "); ok {
			arms = append(arms, name)
		}
	}
	want := []string{
		`seed=5, services[0].desiredCount=2, duration="1h", actions=[]`, `seed=5, services[0].desiredCount=3, duration="1h", actions=[]`, `seed=5, services[0].desiredCount=4, duration="1h", actions=[]`,
		`seed=6, services[0].desiredCount=2, duration="1h", actions=[]`, `seed=6, services[0].desiredCount=3, duration="1h", actions=[]`, `seed=6, services[0].desiredCount=4, duration="1h", actions=[]`,
	}
	if strings.Join(arms, "|") != strings.Join(want, "|") {
		t.Fatalf("arms %q, want %q", arms, want)
	}
	_, one, _ := ecssim(t, "run", "-set", "seed=6", "-set", "services[0].desiredCount=3", "-set", "duration=1h", "-set", "actions=[]", web)
	if !strings.Contains(out, "arm "+want[4]+"\n"+one) {
		t.Errorf("arm %s does not print what run prints:\n%s", want[4], one)
	}
}

// TestValidateReportsEveryProblem: a good file is ok, a bad one prints its
// problems and the status is 1; command-line mistakes are status 2.
func TestValidateReportsEveryProblem(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"duration": "1h", "taskDefinitions": [], "clusters": [], "services": [{"cluster": "nope", "name": "", "taskDefinition": "x", "desiredCount": -1}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	status, out, errOut := ecssim(t, "validate", web, bad)
	if status != 1 || !strings.Contains(out, "web.json: ok") {
		t.Fatalf("status %d, out %q", status, out)
	}
	for _, want := range []string{"services[0].cluster", "services[0].desiredCount"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("errors lack %s:\n%s", want, errOut)
		}
	}
	// Each rule error at its file, line and column, as a compiler puts it.
	data, _ := os.ReadFile(bad)
	col := strings.Index(string(data), "-1}") + 1
	if want := fmt.Sprintf("%s:1:%d: scenario: invalid: services[0].desiredCount -1", bad, col); !strings.Contains(errOut, want) {
		t.Errorf("errors lack %q:\n%s", want, errOut)
	}
	for _, args := range [][]string{{}, {"frobnicate"}, {"run"}, {"run", "-seeds", "0", web}, {"sweep", web}, {"run", "-nope", web}, {"run", "-set", "=1", web}} {
		if status, _, _ := ecssim(t, args...); status != 2 {
			t.Errorf("ecssim %q: status %d, want 2", args, status)
		}
	}
	if status, _, _ := ecssim(t, "run", filepath.Join(t.TempDir(), "missing.json")); status != 1 {
		t.Errorf("missing file: status %d, want 1", status)
	}
}

// TestHelpRunsNothing: -h on every command explains it (usage line and
// what it does) with status 0 and runs nothing: no output, even with a
// file named.
func TestHelpRunsNothing(t *testing.T) {
	for _, cmd := range []string{"run", "validate", "sweep", "merge", "import", "version"} {
		status, out, errOut := ecssim(t, cmd, "-h", web)
		if status != 0 || out != "" {
			t.Errorf("%s -h: status %d, printed %q", cmd, status, out)
		}
		if !strings.HasPrefix(errOut, "usage: ecssim "+cmd) || len(strings.Split(errOut, "\n")) < 4 {
			t.Errorf("%s -h explains too little:\n%s", cmd, errOut)
		}
	}
	if status, out, _ := ecssim(t, "-h"); status != 0 || !strings.Contains(out, "ecssim run") {
		t.Errorf("ecssim -h: status %d, %q", status, out)
	}
}

// TestRunOverrides: -seed, -duration and -mode give the report of the
// file with those values set in Go.
func TestRunOverrides(t *testing.T) {
	status, out, errOut := ecssim(t, "run", "-seed", "9", "-duration", "2h", "-mode", "fluid", "-set", "actions=[]", web)
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	data, err := os.ReadFile(web)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	sc.Seed, sc.Duration, sc.Actions = 9, scenario.Duration(2*time.Hour), nil
	sc.Services[0].Traffic.Mode = sim.FluidMode
	r, err := scenario.Run(sc, scenario.Options{Files: scenario.DirFS(filepath.Dir(web))})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := r.WriteText(&want); err != nil {
		t.Fatal(err)
	}
	if out != want.String() || !strings.Contains(out, "seed 9") {
		t.Errorf("run printed\n%s\nwant\n%s", out, want.String())
	}
	for _, args := range [][]string{{"run", "-seed", "-1", web}, {"run", "-duration", "soon", web}, {"run", "-mode", "batch", web}} {
		if status, _, _ := ecssim(t, args...); status != 2 {
			t.Errorf("ecssim %q: status %d, want 2", args, status)
		}
	}
}

// TestValidateBuilds: validate reports what the simulator refuses when it
// builds the world (an instance type it does not know), not only what
// Parse finds.
func TestValidateBuilds(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"duration": "1h", "taskDefinitions": [{"family": "w", "containers": [{"name": "a", "image": "a"}]}],
	  "clusters": [{"name": "c", "instances": [{"type": "m5.galactic", "count": 1}]}], "services": []}`), 0o600); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(bad)
	if _, err := scenario.Parse(data); err != nil {
		t.Fatalf("the file must parse for this test: %v", err)
	}
	status, _, errOut := ecssim(t, "validate", bad)
	if status != 1 || !strings.Contains(errOut, "clusters[0].instances[0]") {
		t.Errorf("status %d, errors %q", status, errOut)
	}
}

// TestVersion: version prints the module version of the build.
func TestVersion(t *testing.T) {
	status, out, _ := ecssim(t, "version")
	if status != 0 || !strings.HasPrefix(out, "ecssim ") || !strings.Contains(out, "go1.") {
		t.Errorf("status %d, %q", status, out)
	}
}

// TestImportThenRun: import writes the scenario ImportAWS makes of a
// directory of AWS CLI JSON, with the import report on standard error,
// and run runs it as the library does.
func TestImportThenRun(t *testing.T) {
	dir := "../../sim/scenario/testdata/aws/fargate-web"
	path := filepath.Join(t.TempDir(), "web.json")
	status, _, report := ecssim(t, "import", "-o", path, "-work", "25ms", dir)
	if status != 0 {
		t.Fatalf("status %d: %s", status, report)
	}
	if !strings.Contains(report, "ignored (AWS fields the simulation does not use):") || !strings.Contains(report, "executionRoleArn") {
		t.Errorf("the import report lacks the ignored fields:\n%s", report)
	}
	im, err := scenario.ImportAWS(scenario.DirFS(filepath.Dir(dir)), scenario.ImportOptions{Work: 25 * time.Millisecond}, filepath.Base(dir))
	if err != nil {
		t.Fatal(err)
	}
	r, err := scenario.Run(im.Scenario, scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := r.WriteText(&want); err != nil {
		t.Fatal(err)
	}
	status, out, errOut := ecssim(t, "run", path)
	if status != 0 || out != want.String() {
		t.Errorf("status %d (%s); run printed\n%s\nImportAWS and Run give\n%s", status, errOut, out, want.String())
	}
	if status, _, errOut := ecssim(t, "import", filepath.Join(t.TempDir())); status != 1 || !strings.Contains(errOut, "no .json file") {
		t.Errorf("an empty directory: status %d, %s", status, errOut)
	}
}

// TestSweepFile: a sweep file's grid runs the arms the same -set flags
// make, with its seeds.
func TestSweepFile(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(web)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "web.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	grid := `{"scenario": "web.json", "seeds": 2, "vary": [
	  {"path": "services[0].desiredCount", "values": [2, 3]},
	  {"path": "duration", "values": ["1h"]}, {"path": "actions", "values": [[]]}]}`
	if err := os.WriteFile(filepath.Join(dir, "sweep.json"), []byte(grid), 0o600); err != nil {
		t.Fatal(err)
	}
	status, fromFile, errOut := ecssim(t, "sweep", filepath.Join(dir, "sweep.json"))
	if status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	_, fromFlags, _ := ecssim(t, "sweep", "-seeds", "2", "-set", "services[0].desiredCount=2,3", "-set", "duration=1h", "-set", "actions=[]", filepath.Join(dir, "web.json"))
	if fromFile != fromFlags || strings.Count(fromFile, "\narm ") != 1 || !strings.Contains(fromFile, "seeds 1 to 2") {
		t.Errorf("the sweep file printed\n%s\nthe flags\n%s", fromFile, fromFlags)
	}
}

// TestFlagsAfterTheFiles: flags may follow the files, with their values
// in the next argument or after "=", bool flags take none, and after "--"
// everything is a file, even what looks like a flag.
func TestFlagsAfterTheFiles(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		files      []string
		out, seeds string
		json       bool
	}{
		{args: []string{"a.json", "-out", "dir", "b.json"}, files: []string{"a.json", "b.json"}, out: "dir", seeds: "1"},
		{args: []string{"-json", "a.json", "-seeds=3", "-out", "-x"}, files: []string{"a.json"}, out: "-x", seeds: "3", json: true},
		{args: []string{"a.json", "--", "-json", "b.json"}, files: []string{"a.json", "-json", "b.json"}, seeds: "1"},
		{args: []string{"-json", "-", "a.json"}, files: []string{"-", "a.json"}, seeds: "1", json: true},
	} {
		fs := newFlags("run", "", "", io.Discard)
		asJSON := fs.Bool("json", false, "")
		seeds := fs.String("seeds", "1", "")
		out := fs.String("out", "", "")
		if err := parse(fs, tc.args); err != nil {
			t.Errorf("%q: %v", tc.args, err)
			continue
		}
		if !slices.Equal(fs.Args(), tc.files) || *out != tc.out || *seeds != tc.seeds || *asJSON != tc.json {
			t.Errorf("%q: files %q, -out %q, -seeds %q, -json %v; want %q, %q, %q, %v", tc.args, fs.Args(), *out, *seeds, *asJSON, tc.files, tc.out, tc.seeds, tc.json)
		}
	}
}
