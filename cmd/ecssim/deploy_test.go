package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ecssim/ecssim/sweep"
)

// TestKubernetesIndexedJobRunsAndMerges runs the command of the
// repository's Kubernetes Indexed Job (deploy/kubernetes) as each of its
// pods would, JOB_COMPLETION_INDEX set to the pod's index, with the
// image's /scenarios (examples/scenario/testdata, as the Dockerfile copies
// it) and the /results volume in a temporary directory; merges the shards
// as its merge job does; and finds the very files the same command run
// whole, on one machine, writes.
func TestKubernetesIndexedJobRunsAndMerges(t *testing.T) {
	data, err := os.ReadFile("../../deploy/kubernetes/sweep-indexed-job.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var job struct {
		Spec struct {
			Completions int
			Template    struct {
				Spec struct {
					Containers []struct{ Command []string }
				}
			}
		}
	}
	if err := yaml.Unmarshal(data, &job); err != nil {
		t.Fatal(err)
	}
	if len(job.Spec.Template.Spec.Containers) != 1 || job.Spec.Completions < 2 {
		t.Fatalf("want one container and at least 2 completions: %+v", job.Spec)
	}
	command := job.Spec.Template.Spec.Containers[0].Command
	if len(command) < 2 || command[0] != "ecssim" || command[1] != "sweep" {
		t.Fatalf("the job runs %q, not ecssim sweep", command)
	}
	scenarios, err := filepath.Abs("../../examples/scenario/testdata")
	if err != nil {
		t.Fatal(err)
	}
	results := t.TempDir()
	args := func(index string) []string {
		var out []string
		for _, a := range command[1:] {
			a = strings.ReplaceAll(a, "$("+sweep.EnvKubernetesIndex+")", index)
			a = strings.ReplaceAll(a, "/scenarios/", scenarios+"/")
			a = strings.ReplaceAll(a, "/results/", results+"/")
			out = append(out, a)
		}
		return out
	}
	for i := range job.Spec.Completions {
		t.Setenv(sweep.EnvKubernetesIndex, strconv.Itoa(i))
		if status, _, errOut := ecssim(t, args(strconv.Itoa(i))...); status != 0 {
			t.Fatalf("pod %d: status %d: %s", i, status, errOut)
		}
	}
	os.Unsetenv(sweep.EnvKubernetesIndex) // t.Setenv restores it at the end
	shards, err := filepath.Glob(filepath.Join(results, "ecssim-sweep", "shard-*"))
	if err != nil || len(shards) != job.Spec.Completions {
		t.Fatalf("shard directories %q (%v), want %d", shards, err, job.Spec.Completions)
	}
	merged := filepath.Join(results, "merged")
	if status, _, errOut := ecssim(t, append([]string{"merge", "-out", merged}, shards...)...); status != 0 {
		t.Fatalf("merge: status %d: %s", status, errOut)
	}
	// The same command on one machine: no -shards, another -out.
	var whole []string
	for _, a := range args("whole") {
		if !strings.HasPrefix(a, "-shards") {
			whole = append(whole, a)
		}
	}
	if status, _, errOut := ecssim(t, whole...); status != 0 {
		t.Fatalf("whole: status %d: %s", status, errOut)
	}
	sameFiles(t, "the Indexed Job merged", files(t, merged), files(t, filepath.Join(results, "ecssim-sweep", "shard-whole")))
}
