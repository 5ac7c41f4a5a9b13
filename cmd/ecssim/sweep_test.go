package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ecssim/ecssim/sweep"
	"github.com/ecssim/ecssim/tidy"
)

// smallSweep is 2 arms × 3 seeds of the web scenario, an hour each.
var smallSweep = []string{"-seeds", "3", "-set", "services[0].desiredCount=2,3", "-set", "duration=1h", "-set", "actions=[]", web}

// files reads every file under dir by its path relative to dir.
func files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[rel] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameFiles(t *testing.T, what string, got, want map[string][]byte) {
	t.Helper()
	var gotNames, wantNames []string
	for n := range got {
		gotNames = append(gotNames, n)
	}
	for n := range want {
		wantNames = append(wantNames, n)
	}
	slices.Sort(gotNames)
	slices.Sort(wantNames)
	if !slices.Equal(gotNames, wantNames) {
		t.Fatalf("%s: files %q, want %q", what, gotNames, wantNames)
	}
	for _, n := range wantNames {
		if !bytes.Equal(got[n], want[n]) {
			t.Errorf("%s: %s differs:\n%s\nwant\n%s", what, n, got[n], want[n])
		}
	}
}

// TestShardedSweepMergesToTheWholeSweepsBytes: a sweep run whole with
// -out and -plot, and run as 3 shards (-shard i/3) merged in a scrambled
// order with ecssim merge, write the same files, byte for byte: the runs,
// the summary, the manifest and the charts. The runs table has one row per
// arm × seed × service, the arms differ, and each shard holds its own
// third of the runs.
func TestShardedSweepMergesToTheWholeSweepsBytes(t *testing.T) {
	dir := t.TempDir()
	whole, wholePlot := filepath.Join(dir, "whole"), filepath.Join(dir, "whole-plot")
	status, _, errOut := ecssim(t, append([]string{"sweep", "-out", whole, "-plot", wholePlot}, smallSweep...)...)
	if status != 0 {
		t.Fatalf("whole: status %d: %s", status, errOut)
	}
	var shardDirs []string
	for i := range 3 {
		d := filepath.Join(dir, "shard", string(rune('0'+i)))
		status, out, errOut := ecssim(t, append([]string{"sweep", "-shard", sweep.Shard{Index: i, Count: 3}.String(), "-out", d}, smallSweep...)...)
		if status != 0 {
			t.Fatalf("shard %d: status %d: %s", i, status, errOut)
		}
		if !strings.HasPrefix(out, "shard "+sweep.Shard{Index: i, Count: 3}.String()+": 2 of 6 runs") {
			t.Errorf("shard %d printed %q", i, out)
		}
		if _, rows := readCSV(t, filepath.Join(d, "runs.csv")); len(rows) != 2 {
			t.Errorf("shard %d: %d runs, want 2 of the 6", i, len(rows))
		}
		if _, err := os.Stat(filepath.Join(d, "summary.csv")); err == nil {
			t.Errorf("shard %d wrote a summary of a third of the seeds", i)
		}
		shardDirs = append(shardDirs, d)
	}
	merged, mergedPlot := filepath.Join(dir, "merged"), filepath.Join(dir, "merged-plot")
	status, out, errOut := ecssim(t, "merge", "-out", merged, "-plot", mergedPlot, shardDirs[2], shardDirs[0], shardDirs[1])
	if status != 0 {
		t.Fatalf("merge: status %d: %s", status, errOut)
	}
	want := files(t, whole)
	sameFiles(t, "merged output", files(t, merged), want)
	sameFiles(t, "merged charts", files(t, mergedPlot), files(t, wholePlot))
	if len(files(t, wholePlot)) == 0 {
		t.Errorf("no chart")
	}
	for _, name := range []string{"runs.csv", "runs.jsonl", "runs.md", "summary.csv", "summary.jsonl", "summary.md", "manifest.json"} {
		if len(want[name]) == 0 {
			t.Errorf("the whole sweep wrote no %s", name)
		}
	}
	cols, runs := readCSV(t, filepath.Join(whole, "runs.csv"))
	if !slices.Equal(cols, tidy.SweepColumns) || len(runs) != 2*3*1 {
		t.Fatalf("runs.csv: %d rows of %q, want 2 arms × 3 seeds × 1 service", len(runs), cols)
	}
	_, sums := readCSV(t, filepath.Join(whole, "summary.csv"))
	if len(sums) != 2 || sums[0]["cost_usd_mean"] == sums[1]["cost_usd_mean"] || sums[0]["seeds"] != "3" {
		t.Errorf("summary %v: want two arms of 3 seeds that differ in cost", sums)
	}
	if !strings.Contains(out, "| arm | arm_label |") {
		t.Errorf("merge printed no summary table:\n%s", out)
	}

	// A shard missing, or given twice, is an error that names it.
	status, _, errOut = ecssim(t, "merge", "-out", filepath.Join(dir, "bad"), shardDirs[0], shardDirs[2])
	if status != 1 || !strings.Contains(errOut, "shard 1/3 is missing") {
		t.Errorf("a missing shard: status %d, %s", status, errOut)
	}
	status, _, errOut = ecssim(t, "merge", "-out", filepath.Join(dir, "bad"), shardDirs[0], shardDirs[1], shardDirs[2], shardDirs[1])
	if status != 1 || !strings.Contains(errOut, "are both shard 1/3") {
		t.Errorf("a shard twice: status %d, %s", status, errOut)
	}
	// A shard of another grid, and a shard holding another shard's runs.
	other := filepath.Join(dir, "other")
	otherArgs := slices.Clone(smallSweep)
	otherArgs[3] = "services[0].desiredCount=2,4"
	if status, _, errOut := ecssim(t, append([]string{"sweep", "-shard", "1/3", "-out", other}, otherArgs...)...); status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	status, _, errOut = ecssim(t, "merge", "-out", filepath.Join(dir, "bad"), shardDirs[0], other, shardDirs[2])
	if status != 1 || !strings.Contains(errOut, "is a shard of another sweep") {
		t.Errorf("a shard of another sweep: status %d, %s", status, errOut)
	}
	swapped := filepath.Join(dir, "swapped")
	if err := os.CopyFS(swapped, os.DirFS(shardDirs[1])); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(swapped, "runs.csv"), runsOf(t, shardDirs[0]), 0o644); err != nil {
		t.Fatal(err)
	}
	status, _, errOut = ecssim(t, "merge", "-out", filepath.Join(dir, "bad"), shardDirs[0], swapped, shardDirs[2])
	if status != 1 || !strings.Contains(errOut, "which shard 1/3 does not run") {
		t.Errorf("shard 0's runs as shard 1's: status %d, %s", status, errOut)
	}
}

// runsOf is the runs.csv of a shard directory.
func runsOf(t *testing.T, dir string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "runs.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestReadRunsWritesTheSameBytes: a runs table read back writes the same
// CSV, latencies of odd nanoseconds and costs of long decimals included.
func TestReadRunsWritesTheSameBytes(t *testing.T) {
	rows := []tidy.SweepRow{
		{Arm: 0, ArmLabel: `a=1, b="x,y"`, Seed: 18446744073709551615, Cluster: "c", Service: "s", Requests: 123456789, Errors5xx: 3, Timeouts: 1,
			P50: 123456789 * time.Nanosecond, P99: 9*time.Second + 87654321, CostUSD: 0.1 + 0.2, ScalingActivities: 7, MaxDesired: 40, Unhealthy: 2},
		{Arm: 1, ArmLabel: "line\nbreak", Seed: 2, Cluster: "c", Service: "t", P50: time.Nanosecond, P99: 3 * time.Nanosecond, CostUSD: 1e-17},
	}
	var first, second bytes.Buffer
	if err := tidy.SweepTable(rows).WriteCSV(&first); err != nil {
		t.Fatal(err)
	}
	back, err := readRuns(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back, rows) {
		t.Errorf("read back\n%+v\nwant\n%+v", back, rows)
	}
	tidy.SweepTable(back).WriteCSV(&second)
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Errorf("wrote\n%s\nthen\n%s", first.Bytes(), second.Bytes())
	}
	if _, err := readRuns(strings.NewReader("arm,seed\n1,2\n")); err == nil {
		t.Error("a table of other columns read without error")
	}
}

// TestShardsFromTheEnvironment: -shards n takes the index from a
// Kubernetes Indexed Job's or an AWS Batch array job's environment and
// writes what -shard i/n writes; -shard wins over the environment;
// without an index -shards is a usage error naming both variables, and a
// shard without -out or with -plot is one too.
func TestShardsFromTheEnvironment(t *testing.T) {
	dir := t.TempDir()
	explicit := filepath.Join(dir, "explicit")
	if status, _, errOut := ecssim(t, append([]string{"sweep", "-shard", "1/3", "-out", explicit}, smallSweep...)...); status != 0 {
		t.Fatalf("status %d: %s", status, errOut)
	}
	want := files(t, explicit)

	// The deploy manifests' command line: ecssim sweep -shards N FILE -out DIR.
	args := func(out string) []string {
		return append(append([]string{"sweep", "-shards", "3"}, smallSweep...), "-out", out)
	}
	t.Run("kubernetes", func(t *testing.T) {
		t.Setenv(sweep.EnvKubernetesIndex, "1")
		out := filepath.Join(dir, "kube")
		if status, _, errOut := ecssim(t, args(out)...); status != 0 {
			t.Fatalf("status %d: %s", status, errOut)
		}
		sameFiles(t, "JOB_COMPLETION_INDEX=1", files(t, out), want)
		// An explicit -shard wins over the environment.
		out = filepath.Join(dir, "kube-explicit")
		if status, _, errOut := ecssim(t, append([]string{"sweep", "-shard", "1/3", "-out", out}, smallSweep...)...); status != 0 {
			t.Fatalf("status %d: %s", status, errOut)
		}
		sameFiles(t, "-shard 1/3 in an Indexed Job", files(t, out), want)
		// Without -shards, the Job's completion count is unknown.
		status, _, errOut := ecssim(t, append([]string{"sweep", "-out", filepath.Join(dir, "x")}, smallSweep...)...)
		if status != 2 || !strings.Contains(errOut, "-shards N") {
			t.Errorf("an Indexed Job without -shards: status %d, %s", status, errOut)
		}
	})
	t.Run("batch", func(t *testing.T) {
		t.Setenv(sweep.EnvBatchIndex, "1")
		t.Setenv(sweep.EnvBatchSize, "3")
		out := filepath.Join(dir, "batch")
		if status, _, errOut := ecssim(t, args(out)...); status != 0 {
			t.Fatalf("status %d: %s", status, errOut)
		}
		sameFiles(t, "AWS_BATCH_JOB_ARRAY_INDEX=1", files(t, out), want)
		t.Setenv(sweep.EnvBatchSize, "4")
		status, _, errOut := ecssim(t, args(filepath.Join(dir, "y"))...)
		if status != 2 || !strings.Contains(errOut, "AWS_BATCH_JOB_ARRAY_SIZE is 4 but -shards is 3") {
			t.Errorf("a Batch size that disagrees: status %d, %s", status, errOut)
		}
	})
	status, _, errOut := ecssim(t, args(filepath.Join(dir, "z"))...)
	if status != 2 || !strings.Contains(errOut, "JOB_COMPLETION_INDEX") || !strings.Contains(errOut, "AWS_BATCH_JOB_ARRAY_INDEX") || !strings.Contains(errOut, "-shard i/3") {
		t.Errorf("-shards without an index: status %d, %s", status, errOut)
	}
	for _, bad := range [][]string{
		append([]string{"sweep", "-shard", "0/3"}, smallSweep...),                            // no -out
		append([]string{"sweep", "-shard", "0/3", "-out", dir, "-plot", dir}, smallSweep...), // -plot on a shard
		append([]string{"sweep", "-shard", "3/3", "-out", dir}, smallSweep...),               // out of range
		append([]string{"sweep", "-shard", "0/2", "-shards", "3", "-out", dir}, smallSweep...),
	} {
		if status, _, _ := ecssim(t, bad...); status != 2 {
			t.Errorf("ecssim %q: status %d, want 2", bad, status)
		}
	}
}
