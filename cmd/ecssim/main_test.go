package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
	for _, args := range [][]string{{}, {"frobnicate"}, {"run"}, {"run", "-seeds", "0", web}, {"sweep", web}, {"run", "-nope", web}, {"run", "-set", "=1", web}} {
		if status, _, _ := ecssim(t, args...); status != 2 {
			t.Errorf("ecssim %q: status %d, want 2", args, status)
		}
	}
	if status, _, _ := ecssim(t, "run", filepath.Join(t.TempDir(), "missing.json")); status != 1 {
		t.Errorf("missing file: status %d, want 1", status)
	}
}
