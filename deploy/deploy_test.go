// Package deploy_test checks the container image recipe and the cluster
// manifests of this directory: that they parse, that each worker a
// scheduler starts runs `ecssim sweep` on its own shard i/N for every i in
// 0..N−1 (through sweep.ShardFromEnv, as the command does), that the
// shard count in the command is the scheduler's, that every shard writes
// to its own directory on a mounted volume, that the scenario and the
// overrides the command names exist in the image, and that each merge
// job reads every shard's directory once.
//
// The command-line contract the manifests rely on is parseSweep below:
// flags before the one scenario file, -shards N for the Kubernetes count,
// no fixed -shard (every worker would run the same one), -out DIR.
package deploy_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/ecssim/ecssim/sim/scenario"
	"github.com/ecssim/ecssim/sweep"
)

const (
	dockerfilePath = "../Dockerfile"
	kubeJobPath    = "kubernetes/sweep-indexed-job.yaml"
	kubePVCPath    = "kubernetes/results-pvc.yaml"
	batchDefPath   = "aws-batch/sweep-job-definition.json"
	batchSubmit    = "aws-batch/submit-sweep-job.json"
	kubeMergePath  = "kubernetes/merge-job.yaml"
	batchMergePath = "aws-batch/submit-merge-job.json"

	// batchArrayID stands for the array job's id, which submit-job prints
	// and deploy/README.md puts in place of ARRAY_JOB_ID in the merge job.
	batchArrayID = "3f1c9a52-8f6e-4b7e-9a0e-5c2d1e7b6a90"
)

// TestMain doubles as a stand-in `ecssim` for the AWS Batch test: run
// through a link named ecssim, the test binary prints the arguments and
// environment it was started with, so the test sees exactly what the real
// command would, after the job's shell has done its expansions.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "ecssim" {
		json.NewEncoder(os.Stdout).Encode(invocation{Args: os.Args[1:], Env: os.Environ()})
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// invocation is what the stand-in ecssim saw.
type invocation struct {
	Args []string
	Env  []string // KEY=value
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestKubernetesIndexedJobRunsEveryShardOnce(t *testing.T) {
	w, err := checkKubeJob(read(t, kubeJobPath), read(t, dockerfilePath))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pods run shards %v into %v", w.shards, w.outs)
}

func TestBatchArrayJobRunsEveryShardOnce(t *testing.T) {
	w, err := checkBatchJob(read(t, batchDefPath), read(t, batchSubmit), read(t, dockerfilePath), standIn(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("children run shards %v into %v", w.shards, w.outs)
}

func TestKubernetesMergeReadsEveryShard(t *testing.T) {
	ecssim := standIn(t)
	w, err := checkKubeJob(read(t, kubeJobPath), read(t, dockerfilePath))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkKubeMerge(read(t, kubeMergePath), w.outs, ecssim); err != nil {
		t.Fatal(err)
	}
}

func TestBatchMergeReadsEveryShard(t *testing.T) {
	ecssim := standIn(t)
	def := read(t, batchDefPath)
	w, err := checkBatchJob(def, read(t, batchSubmit), read(t, dockerfilePath), ecssim)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkBatchMerge(def, read(t, batchMergePath), w.outs, ecssim); err != nil {
		t.Fatal(err)
	}
}

func TestResultsClaimIsSharedByEveryPod(t *testing.T) {
	var pvc struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name   string          `json:"name"`
			Labels json.RawMessage `json:"labels"`
		} `json:"metadata"`
		Spec struct {
			AccessModes []string        `json:"accessModes"`
			Resources   json.RawMessage `json:"resources"`
		} `json:"spec"`
	}
	if err := decodeYAML(read(t, kubePVCPath), &pvc); err != nil {
		t.Fatal(err)
	}
	var job kubeJob
	if err := decodeYAML(read(t, kubeJobPath), &job); err != nil {
		t.Fatal(err)
	}
	if pvc.Kind != "PersistentVolumeClaim" || !slices.Contains(pvc.Spec.AccessModes, "ReadWriteMany") {
		t.Errorf("%s: kind %q, access modes %v; want a ReadWriteMany PersistentVolumeClaim, which pods on several nodes mount at once", kubePVCPath, pvc.Kind, pvc.Spec.AccessModes)
	}
	var claims []string
	for _, v := range job.Spec.Template.Spec.Volumes {
		if v.PersistentVolumeClaim != nil {
			claims = append(claims, v.PersistentVolumeClaim.ClaimName)
		}
	}
	if !slices.Contains(claims, pvc.Metadata.Name) {
		t.Errorf("the Job mounts claims %v, not %q of %s", claims, pvc.Metadata.Name, kubePVCPath)
	}
}

func TestDockerfile(t *testing.T) {
	if err := checkDockerfile(read(t, dockerfilePath)); err != nil {
		t.Fatal(err)
	}
}

// buildNeeds are files the image build reads from its context.
var buildNeeds = []string{"go.mod", "go.sum", "cmd/ecssim/main.go", "sweep/shard.go", "examples/scenario/testdata/nasa-day.json", "examples/scenario/testdata/nasa_http_1995-07-13_per_minute.csv"}

func TestDockerignoreKeepsWhatTheBuildNeeds(t *testing.T) {
	ignore := read(t, "../.dockerignore")
	for _, f := range buildNeeds {
		if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(f))); err != nil {
			t.Errorf("%s: %v (update buildNeeds)", f, err)
		}
	}
	if err := checkDockerignore(ignore, buildNeeds); err != nil {
		t.Error(err)
	}
	// And the check can fail.
	for _, bad := range []string{"examples", "**/testdata", "**/go.sum", "*.mod", "cmd/**"} {
		if checkDockerignore(append(slices.Clone(ignore), "\n"+bad+"\n"...), buildNeeds) == nil {
			t.Errorf("a .dockerignore with %q passed", bad)
		}
	}
}

// checkDockerignore reports the needed files that a pattern of ignore
// leaves out of the build context. Patterns match as Docker's do for the
// forms used here: path.Match on the path or on one of its parent
// directories, with a leading "**/" matching at any depth and a trailing
// "/**" matching everything below.
func checkDockerignore(ignore []byte, needs []string) error {
	var errs []error
	for line := range strings.SplitSeq(string(ignore), "\n") {
		p := strings.TrimSpace(line)
		if p == "" || strings.HasPrefix(p, "#") || strings.HasPrefix(p, "!") {
			continue
		}
		p = strings.TrimSuffix(strings.TrimPrefix(path.Clean(p), "/"), "/**")
		for _, f := range needs {
			parts := strings.Split(f, "/")
			for i := range parts { // f and each of its parent directories
				for j := range i + 1 { // anchored at the root, or at any depth for **/
					sub := strings.Join(parts[j:i+1], "/")
					pat, anyDepth := strings.CutPrefix(p, "**/")
					if j > 0 && !anyDepth {
						continue
					}
					if m, _ := path.Match(pat, sub); m {
						errs = append(errs, fmt.Errorf(".dockerignore %q leaves %s out of the build", line, f))
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}

// TestChecksCatchMistakes breaks the manifests one way at a time and
// expects the checks to say so: the tests above can fail.
func TestChecksCatchMistakes(t *testing.T) {
	kube, docker := read(t, kubeJobPath), read(t, dockerfilePath)
	def, submit := read(t, batchDefPath), read(t, batchSubmit)
	ecssim := standIn(t)
	kubeMerge, batchMerge := read(t, kubeMergePath), read(t, batchMergePath)
	kubeW, err := checkKubeJob(kube, docker)
	if err != nil {
		t.Fatal(err)
	}
	batchW, err := checkBatchJob(def, submit, docker, ecssim)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(t *testing.T, data []byte, old, new string) []byte {
		t.Helper()
		if !bytes.Contains(data, []byte(old)) {
			t.Fatalf("the mutation's text %q is not in the file any more; update the test", old)
		}
		return bytes.Replace(data, []byte(old), []byte(new), 1)
	}
	for _, tc := range []struct {
		name string
		err  func(t *testing.T) error
		want string // a phrase of the error
	}{
		{"kube completions differ from parallelism", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "parallelism: 3", "parallelism: 2"), docker)
			return err
		}, "parallelism"},
		{"kube -shards differs from completions", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "-shards=3", "-shards=4"), docker)
			return err
		}, "-shards"},
		{"kube -shards missing", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "            - -shards=3\n", ""), docker)
			return err
		}, "Shard.Count"},
		{"kube not Indexed", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "completionMode: Indexed", "completionMode: NonIndexed"), docker)
			return err
		}, "completionMode"},
		{"kube misspelt field", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "completionMode: Indexed", "completionmode: Indexed"), docker)
			return err
		}, "completionmode"},
		{"kube every pod writes the same directory", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "shard-$(JOB_COMPLETION_INDEX)", "shard"), docker)
			return err
		}, "same -out"},
		{"kube index variable misspelt", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "shard-$(JOB_COMPLETION_INDEX)", "shard-$(JOB_INDEX)"), docker)
			return err
		}, "$(JOB_INDEX)"},
		{"kube a fixed -shard", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "- -shards=3", "- -shards=3\n            - -shard=0/3"), docker)
			return err
		}, "-shard"},
		{"kube output off the volume", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "mountPath: /results", "mountPath: /data"), docker)
			return err
		}, "mounted volume"},
		{"kube env sets the index", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "          volumeMounts:", "          env:\n            - name: AWS_BATCH_JOB_ARRAY_INDEX\n              value: \"0\"\n          volumeMounts:"), docker)
			return err
		}, "AWS_BATCH_JOB_ARRAY_INDEX"},
		{"kube override path misspelt", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "targetTracking[0].targetValue", "targetTracking[0].targetValu"), docker)
			return err
		}, "targetValu"},
		{"kube scenario not in the image", func(t *testing.T) error {
			_, err := checkKubeJob(edit(t, kube, "/scenarios/nasa-day.json", "/scenarios/nasa-night.json"), docker)
			return err
		}, "nasa-night.json"},
		{"kube flag after the file", func(t *testing.T) error {
			moved := edit(t, kube, "            - -seeds=5\n", "")
			moved = edit(t, moved, "            - /scenarios/nasa-day.json\n", "            - /scenarios/nasa-day.json\n            - -seeds=5\n")
			_, err := checkKubeJob(moved, docker)
			return err
		}, "one scenario file"},
		{"batch -shards differs from the array size", func(t *testing.T) error {
			_, err := checkBatchJob(edit(t, def, "exec ecssim sweep ", "exec ecssim sweep -shards=4 "), submit, docker, ecssim)
			return err
		}, "-shards"},
		{"batch array size below 2", func(t *testing.T) error {
			_, err := checkBatchJob(def, edit(t, submit, `"size": 3`, `"size": 1`), docker, ecssim)
			return err
		}, "arrayProperties.size"},
		{"batch no array", func(t *testing.T) error {
			_, err := checkBatchJob(def, edit(t, submit, `"arrayProperties": {"size": 3}`, `"jobName2": "x"`), docker, ecssim)
			return err
		}, "jobName2"},
		{"batch every child writes the same directory", func(t *testing.T) error {
			_, err := checkBatchJob(edit(t, def, "shard-$AWS_BATCH_JOB_ARRAY_INDEX", "shard"), submit, docker, ecssim)
			return err
		}, "same -out"},
		{"batch job definition name differs", func(t *testing.T) error {
			_, err := checkBatchJob(def, edit(t, submit, `"jobDefinition": "ecssim-sweep"`, `"jobDefinition": "ecssim"`), docker, ecssim)
			return err
		}, "jobDefinition"},
		{"batch environment sets the Kubernetes index", func(t *testing.T) error {
			_, err := checkBatchJob(edit(t, def, `"mountPoints": [`, `"environment": [{"name": "JOB_COMPLETION_INDEX", "value": "0"}],
    "mountPoints": [`), submit, docker, ecssim)
			return err
		}, "JOB_COMPLETION_INDEX"},
		{"batch output off the volume", func(t *testing.T) error {
			_, err := checkBatchJob(edit(t, def, `"containerPath": "/results"`, `"containerPath": "/data"`), submit, docker, ecssim)
			return err
		}, "mounted volume"},
		{"batch misspelt field", func(t *testing.T) error {
			_, err := checkBatchJob(edit(t, def, `"mountPoints"`, `"mountpoints"`), submit, docker, ecssim)
			return err
		}, "mountpoints"},
		{"batch shell in an image without one", func(t *testing.T) error {
			_, err := checkBatchJob(def, submit, edit(t, docker, "FROM alpine:3.23", "FROM gcr.io/distroless/static-debian12:nonroot"), ecssim)
			return err
		}, "shell"},
		{"kube merge reads other directories", func(t *testing.T) error {
			return checkKubeMerge(edit(t, kubeMerge, "/results/ecssim-sweep/shard-*", "/results/ecssim-sweep/shards-*"), kubeW.outs, ecssim)
		}, "named by 0"},
		{"kube merge writes among the shards", func(t *testing.T) error {
			return checkKubeMerge(edit(t, kubeMerge, "-out=/results/ecssim-sweep/merged", "-out=/results/ecssim-sweep/shard-merged"), kubeW.outs, ecssim)
		}, "its own -out"},
		{"kube merge off the volume", func(t *testing.T) error {
			return checkKubeMerge(edit(t, kubeMerge, "mountPath: /results", "mountPath: /data"), kubeW.outs, ecssim)
		}, "mounted volume"},
		{"batch merge does not wait for the array", func(t *testing.T) error {
			return checkBatchMerge(def, edit(t, batchMerge, `"dependsOn": [{"jobId": "ARRAY_JOB_ID"}],`, ""), batchW.outs, ecssim)
		}, "dependsOn"},
		{"batch merge variable misspelt", func(t *testing.T) error {
			return checkBatchMerge(def, edit(t, batchMerge, `"name": "SWEEP_JOB_ID"`, `"name": "SWEEP_ID"`), batchW.outs, ecssim)
		}, "named by 0"},
		{"batch merge runs the sweep", func(t *testing.T) error {
			return checkBatchMerge(def, edit(t, batchMerge, `exec ecssim merge`, `exec ecssim sweep`), batchW.outs, ecssim)
		}, "want ecssim merge"},
		{"docker runtime tag not pinned", func(t *testing.T) error {
			return checkDockerfile(edit(t, docker, "FROM alpine:3.23", "FROM alpine:latest"))
		}, "pinned"},
		{"docker single stage", func(t *testing.T) error {
			return checkDockerfile(edit(t, docker, "COPY --from=build /out/ecssim", "COPY /out/ecssim"))
		}, "stage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err(t)
			if err == nil {
				t.Fatalf("the check passed; want an error about %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("the error does not mention %q:\n%v", tc.want, err)
			}
			t.Log(err)
		})
	}
}

// sweepCall is an `ecssim sweep` command line, read with the flags the
// manifests use.
type sweepCall struct {
	shards int      // -shards: the number of shards, for Kubernetes
	shard  string   // -shard i/n: a fixed shard
	seeds  int      // -seeds
	sets   []string // -set path=v1,v2,...
	out    string   // -out DIR
	file   string   // the scenario file
}

type setFlags []string

func (s *setFlags) String() string     { return strings.Join(*s, " ") }
func (s *setFlags) Set(v string) error { *s = append(*s, v); return nil }

// parseSweep reads args, the whole command from "ecssim" on.
func parseSweep(args []string) (sweepCall, error) {
	if len(args) < 2 || args[0] != "ecssim" || args[1] != "sweep" {
		return sweepCall{}, fmt.Errorf("command %q: want ecssim sweep ...", args)
	}
	var c sweepCall
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&c.shards, "shards", 0, "")
	fs.StringVar(&c.shard, "shard", "", "")
	fs.IntVar(&c.seeds, "seeds", 1, "")
	fs.Var((*setFlags)(&c.sets), "set", "")
	fs.StringVar(&c.out, "out", "", "")
	if err := fs.Parse(args[2:]); err != nil {
		return sweepCall{}, fmt.Errorf("command %q: %w", args, err)
	}
	if fs.NArg() != 1 {
		return sweepCall{}, fmt.Errorf("command %q: after the flags, want one scenario file, have %q (flags go before the file)", args, fs.Args())
	}
	c.file = fs.Arg(0)
	return c, nil
}

// checkWorkers checks the commands of the n workers of one array job:
// calls[i] is worker i's command line and env[i] its environment. Each
// must run shard i/n, read the count from -shards if it sets it (which
// must then be n), write to its own -out directory under one of mounts,
// and name a scenario of the image with overrides that apply to it.
func checkWorkers(calls [][]string, env []map[string]string, n int, mounts []string, docker []byte) (workers, error) {
	var errs []error
	var w workers
	outs := map[string]int{}
	for i, args := range calls {
		c, err := parseSweep(args)
		if err != nil {
			errs = append(errs, fmt.Errorf("worker %d: %w", i, err))
			continue
		}
		if c.shard != "" {
			errs = append(errs, fmt.Errorf("worker %d: -shard %s fixes the shard of every worker; leave it to the scheduler's index", i, c.shard))
		}
		if c.shards != 0 && c.shards != n {
			errs = append(errs, fmt.Errorf("worker %d: -shards %d, but the scheduler runs %d workers", i, c.shards, n))
		}
		lookup := func(k string) (string, bool) { v, ok := env[i][k]; return v, ok }
		s, ok, err := sweep.ShardFromEnv(lookup, c.shards)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("worker %d: %w", i, err))
		case !ok:
			errs = append(errs, fmt.Errorf("worker %d: no shard index in its environment: it would run the whole sweep", i))
		case s != sweep.Shard{Index: i, Count: n}:
			errs = append(errs, fmt.Errorf("worker %d runs shard %s; want %d/%d", i, s, i, n))
		default:
			w.shards = append(w.shards, s)
		}
		switch out := path.Clean(c.out); {
		case c.out == "":
			errs = append(errs, fmt.Errorf("worker %d: no -out: its tables would stay in the container", i))
		case !onVolume(out, mounts):
			errs = append(errs, fmt.Errorf("worker %d: -out %s is not on a mounted volume (mounts %v): its tables would vanish with the container", i, c.out, mounts))
		default:
			if j, seen := outs[out]; seen {
				errs = append(errs, fmt.Errorf("workers %d and %d write to the same -out %s", j, i, out))
			}
			outs[out] = i
			w.outs = append(w.outs, out)
		}
		if i == 0 {
			errs = append(errs, checkScenario(c, docker))
		}
	}
	return w, errors.Join(errs...)
}

// workers are the shards an array job's workers run and the directories
// they write, in worker order.
type workers struct {
	shards []sweep.Shard
	outs   []string
}

// onVolume reports whether dir lies in one of the mount points.
func onVolume(dir string, mounts []string) bool {
	return slices.ContainsFunc(mounts, func(m string) bool {
		return dir == path.Clean(m) || strings.HasPrefix(dir, strings.TrimSuffix(path.Clean(m), "/")+"/")
	})
}

// checkMerge runs a merge command (with the stand-in ecssim) and checks
// that it writes to its own directory on a volume and that its shard
// arguments, once the shell has expanded them, name each shard's
// directory exactly once. The shards' directories do not exist here, so
// a glob stays a pattern, which is matched as the shell would.
func checkMerge(command, env []string, ecssim string, mounts, shardOuts []string) error {
	inv, err := runChild(command, env, ecssim)
	if err != nil {
		return err
	}
	args := inv.Args
	if len(args) == 0 || args[0] != "merge" {
		return fmt.Errorf("command %q runs ecssim %q; want ecssim merge", command, args)
	}
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "")
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("ecssim %q: %w", args, err)
	}
	var errs []error
	dir := path.Clean(*out)
	switch {
	case *out == "":
		errs = append(errs, fmt.Errorf("ecssim %q: no -out", args))
	case !onVolume(dir, mounts):
		errs = append(errs, fmt.Errorf("merge -out %s is not on a mounted volume (mounts %v)", dir, mounts))
	}
	if fs.NArg() == 0 {
		errs = append(errs, fmt.Errorf("ecssim %q: no shard directories", args))
	}
	for _, o := range shardOuts {
		if o == dir {
			errs = append(errs, fmt.Errorf("merge -out %s is a shard's directory", dir))
		}
		n := 0
		for _, pat := range fs.Args() {
			if m, err := path.Match(path.Clean(pat), o); err == nil && m {
				n++
			}
		}
		if n != 1 {
			errs = append(errs, fmt.Errorf("shard directory %s is named by %d of the merge's arguments %q; want 1", o, n, fs.Args()))
		}
	}
	for _, pat := range fs.Args() {
		if m, _ := path.Match(path.Clean(pat), dir); m {
			errs = append(errs, fmt.Errorf("merge argument %s names its own -out %s", pat, dir))
		}
	}
	return errors.Join(errs...)
}

// checkKubeMerge checks the merge Job against the sweep's shard
// directories.
func checkKubeMerge(manifest []byte, shardOuts []string, ecssim string) error {
	var job kubeJob
	if err := decodeYAML(manifest, &job); err != nil {
		return fmt.Errorf("%s: %w", kubeMergePath, err)
	}
	cs := job.Spec.Template.Spec.Containers
	if len(cs) != 1 || len(cs[0].Command) == 0 {
		return fmt.Errorf("%s: want one container with a command", kubeMergePath)
	}
	c := cs[0]
	env := []string{"PATH=" + filepath.Dir(ecssim)}
	vars := map[string]string{}
	for _, e := range c.Env {
		env = append(env, e.Name+"="+e.Value)
		vars[e.Name] = e.Value
	}
	var command []string
	for _, a := range append(slices.Clone(c.Command), c.Args...) {
		x, unresolved := kubeExpand(a, vars)
		if unresolved != "" {
			return fmt.Errorf("%s: %s in %q is no variable of the container", kubeMergePath, unresolved, a)
		}
		command = append(command, x)
	}
	return checkMerge(command, env, ecssim, kubeMounts(job), shardOuts)
}

// checkBatchMerge checks the merge's submit-job input, with
// ARRAY_JOB_ID replaced by the array job's id as deploy/README.md says,
// against the array job's shard directories.
func checkBatchMerge(defJSON, mergeJSON []byte, shardOuts []string, ecssim string) error {
	var def batchJobDefinition
	if err := decodeExact(defJSON, &def); err != nil {
		return fmt.Errorf("%s: %w", batchDefPath, err)
	}
	var sub batchSubmitJob
	if err := decodeExact(bytes.ReplaceAll(mergeJSON, []byte("ARRAY_JOB_ID"), []byte(batchArrayID)), &sub); err != nil {
		return fmt.Errorf("%s: %w", batchMergePath, err)
	}
	var errs []error
	if sub.JobDefinition != def.JobDefinitionName {
		errs = append(errs, fmt.Errorf("merge jobDefinition %q is not the job definition %q", sub.JobDefinition, def.JobDefinitionName))
	}
	if sub.ArrayProperties != nil {
		errs = append(errs, errors.New("the merge is one job, not an array"))
	}
	if !slices.ContainsFunc(sub.DependsOn, func(d batchDependency) bool { return d.JobID == batchArrayID }) {
		errs = append(errs, fmt.Errorf("merge dependsOn %v: want the array job ARRAY_JOB_ID, so it starts when every shard is done", sub.DependsOn))
	}
	command, environment := def.ContainerProperties.Command, def.ContainerProperties.Environment
	if o := sub.ContainerOverrides; o != nil {
		if len(o.Command) > 0 {
			command = o.Command
		}
		environment = append(slices.Clone(environment), o.Environment...)
	}
	env := []string{"PATH=" + filepath.Dir(ecssim), "AWS_BATCH_JOB_ID=0b6e1c3d-merge", "AWS_BATCH_JOB_ATTEMPT=1"}
	for _, e := range environment {
		env = append(env, e.Name+"="+e.Value)
	}
	errs = append(errs, checkMerge(command, env, ecssim, batchMounts(def), shardOuts))
	return errors.Join(errs...)
}

// checkScenario finds the command's scenario file in the repository
// through the Dockerfile's COPY lines and applies each -set value to it.
func checkScenario(c sweepCall, docker []byte) error {
	var src string
	for from, to := range dockerCopies(docker) {
		if rel, ok := strings.CutPrefix(c.file, strings.TrimSuffix(to, "/")+"/"); ok {
			src = filepath.Join("..", filepath.FromSlash(from), filepath.FromSlash(rel))
		}
	}
	if src == "" {
		return fmt.Errorf("scenario %s: the Dockerfile copies nothing there", c.file)
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("scenario %s: not in the image: %w", c.file, err)
	}
	if c.seeds < 1 {
		return fmt.Errorf("-seeds %d: must be at least 1", c.seeds)
	}
	var errs []error
	for _, set := range c.sets {
		p, values, _ := strings.Cut(set, "=")
		for v := range strings.SplitSeq(values, ",") {
			o, err := scenario.ParseOverride(p + "=" + v)
			if err == nil {
				var applied []byte
				if applied, err = scenario.Apply(data, []scenario.Override{o}); err == nil {
					_, err = scenario.Parse(applied)
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("-set %s (value %s) on %s: %w", set, v, c.file, err))
			}
		}
	}
	return errors.Join(errs...)
}

// dockerCopies maps the sources of the Dockerfile's COPY lines from the
// build context (not from another stage) to their destinations.
func dockerCopies(docker []byte) map[string]string {
	copies := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(docker))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && strings.EqualFold(f[0], "COPY") {
			copies[f[1]] = f[2]
		}
	}
	return copies
}

// reservedEnv are the variables the schedulers set: a manifest that set
// one itself would fix or confuse every worker's shard.
var reservedEnv = []string{sweep.EnvKubernetesIndex, sweep.EnvBatchIndex, sweep.EnvBatchSize}

// kubeJob is the part of a batch/v1 Job the check reads. It is decoded
// strictly, so a misspelt key fails: a key Kubernetes accepts but this
// does not know goes in here.
type kubeJob struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   json.RawMessage `json:"metadata"`
	Spec       struct {
		CompletionMode          string `json:"completionMode"`
		Completions             *int   `json:"completions"`
		Parallelism             *int   `json:"parallelism"`
		BackoffLimit            *int   `json:"backoffLimit"`
		BackoffLimitPerIndex    *int   `json:"backoffLimitPerIndex"`
		TTLSecondsAfterFinished *int   `json:"ttlSecondsAfterFinished"`
		Template                struct {
			Metadata json.RawMessage `json:"metadata"`
			Spec     struct {
				RestartPolicy   string          `json:"restartPolicy"`
				SecurityContext json.RawMessage `json:"securityContext"`
				Containers      []struct {
					Name    string   `json:"name"`
					Image   string   `json:"image"`
					Command []string `json:"command"`
					Args    []string `json:"args"`
					Env     []struct {
						Name      string          `json:"name"`
						Value     string          `json:"value"`
						ValueFrom json.RawMessage `json:"valueFrom"`
					} `json:"env"`
					Resources    json.RawMessage `json:"resources"`
					VolumeMounts []struct {
						Name      string `json:"name"`
						MountPath string `json:"mountPath"`
						ReadOnly  bool   `json:"readOnly"`
					} `json:"volumeMounts"`
				} `json:"containers"`
				Volumes []struct {
					Name                  string `json:"name"`
					PersistentVolumeClaim *struct {
						ClaimName string `json:"claimName"`
					} `json:"persistentVolumeClaim"`
				} `json:"volumes"`
			} `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
}

// checkKubeJob checks an Indexed Job manifest and returns the shards its
// pods run, in index order.
func checkKubeJob(manifest, docker []byte) (workers, error) {
	var job kubeJob
	if err := decodeYAML(manifest, &job); err != nil {
		return workers{}, fmt.Errorf("%s: %w", kubeJobPath, err)
	}
	s := job.Spec
	var errs []error
	if job.APIVersion != "batch/v1" || job.Kind != "Job" {
		errs = append(errs, fmt.Errorf("apiVersion %q, kind %q: want batch/v1 Job", job.APIVersion, job.Kind))
	}
	if s.CompletionMode != "Indexed" {
		errs = append(errs, fmt.Errorf("spec.completionMode %q: want Indexed, so that each pod gets JOB_COMPLETION_INDEX", s.CompletionMode))
	}
	if s.Completions == nil || *s.Completions < 1 {
		return workers{}, errors.Join(append(errs, fmt.Errorf("spec.completions: want the shard count, at least 1"))...)
	}
	n := *s.Completions
	if s.Parallelism == nil || *s.Parallelism != n {
		errs = append(errs, fmt.Errorf("spec.parallelism %v: want completions, %d, every shard at once", deref(s.Parallelism), n))
	}
	if rp := s.Template.Spec.RestartPolicy; rp != "Never" && rp != "OnFailure" {
		errs = append(errs, fmt.Errorf("restartPolicy %q: a Job's pods need Never or OnFailure", rp))
	}
	cs := s.Template.Spec.Containers
	if len(cs) != 1 {
		return workers{}, errors.Join(append(errs, fmt.Errorf("%d containers: want the one ecssim container", len(cs)))...)
	}
	c := cs[0]
	if len(c.Command) == 0 {
		errs = append(errs, fmt.Errorf("container %s: no command; the image has no entry point, so name ecssim", c.Name))
	}
	mounts := kubeMounts(job)
	// The pod's environment: the manifest's values, then the index the
	// Job controller adds to each pod.
	base := map[string]string{}
	for _, e := range c.Env {
		if slices.Contains(reservedEnv, e.Name) {
			errs = append(errs, fmt.Errorf("container %s sets %s itself; the scheduler sets it", c.Name, e.Name))
		}
		base[e.Name] = e.Value
	}
	calls := make([][]string, n)
	envs := make([]map[string]string, n)
	for i := range n {
		env := maps.Clone(base)
		env[sweep.EnvKubernetesIndex] = strconv.Itoa(i)
		envs[i] = env
		for _, a := range append(slices.Clone(c.Command), c.Args...) {
			x, unresolved := kubeExpand(a, env)
			if unresolved != "" && i == 0 {
				errs = append(errs, fmt.Errorf("container %s: %s in %q is no variable of the container; Kubernetes would pass it as it is", c.Name, unresolved, a))
			}
			calls[i] = append(calls[i], x)
		}
	}
	shards, err := checkWorkers(calls, envs, n, mounts, docker)
	return shards, errors.Join(append(errs, err)...)
}

// kubeMounts are the writable mount points of the first container that
// lie on one of the pod's volumes.
func kubeMounts(job kubeJob) []string {
	spec := job.Spec.Template.Spec
	if len(spec.Containers) == 0 {
		return nil
	}
	volumes := map[string]bool{}
	for _, v := range spec.Volumes {
		volumes[v.Name] = true
	}
	var mounts []string
	for _, m := range spec.Containers[0].VolumeMounts {
		if volumes[m.Name] && !m.ReadOnly {
			mounts = append(mounts, m.MountPath)
		}
	}
	return mounts
}

// kubeExpand expands $(NAME) from env as Kubernetes does in a container's
// command and args: $$ is a literal $, and a reference to a variable that
// is not defined stays as written (returned as unresolved).
// https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#use-environment-variables-to-define-arguments
func kubeExpand(s string, env map[string]string) (out, unresolved string) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i++
		case strings.HasPrefix(s[i:], "$("):
			end := strings.IndexByte(s[i:], ')')
			if end < 0 {
				b.WriteString(s[i:])
				return b.String(), unresolved
			}
			name := s[i+2 : i+end]
			if v, ok := env[name]; ok {
				b.WriteString(v)
			} else {
				b.WriteString(s[i : i+end+1])
				unresolved = s[i : i+end+1]
			}
			i += end
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), unresolved
}

// batchJobDefinition is the part of a register-job-definition input the
// check reads, decoded strictly like kubeJob (every key here is one AWS
// Batch accepts: aws batch register-job-definition validates them).
type batchJobDefinition struct {
	JobDefinitionName    string   `json:"jobDefinitionName"`
	Type                 string   `json:"type"`
	PlatformCapabilities []string `json:"platformCapabilities"`
	ContainerProperties  struct {
		Image                        string          `json:"image"`
		Command                      []string        `json:"command"`
		ResourceRequirements         json.RawMessage `json:"resourceRequirements"`
		ExecutionRoleArn             string          `json:"executionRoleArn"`
		JobRoleArn                   string          `json:"jobRoleArn"`
		Environment                  []batchEnv      `json:"environment"`
		NetworkConfiguration         json.RawMessage `json:"networkConfiguration"`
		FargatePlatformConfiguration json.RawMessage `json:"fargatePlatformConfiguration"`
		Volumes                      []struct {
			Name                   string          `json:"name"`
			EfsVolumeConfiguration json.RawMessage `json:"efsVolumeConfiguration"`
		} `json:"volumes"`
		MountPoints []struct {
			SourceVolume  string `json:"sourceVolume"`
			ContainerPath string `json:"containerPath"`
			ReadOnly      bool   `json:"readOnly"`
		} `json:"mountPoints"`
	} `json:"containerProperties"`
	RetryStrategy json.RawMessage `json:"retryStrategy"`
	Timeout       json.RawMessage `json:"timeout"`
	PropagateTags bool            `json:"propagateTags"`
}

// batchMounts are the writable mount points that lie on one of the job
// definition's volumes.
func batchMounts(def batchJobDefinition) []string {
	cp := def.ContainerProperties
	volumes := map[string]bool{}
	for _, v := range cp.Volumes {
		volumes[v.Name] = true
	}
	var mounts []string
	for _, m := range cp.MountPoints {
		if volumes[m.SourceVolume] && !m.ReadOnly {
			mounts = append(mounts, m.ContainerPath)
		}
	}
	return mounts
}

type batchEnv struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type batchDependency struct {
	JobID string `json:"jobId"`
	Type  string `json:"type"`
}

// batchSubmitJob is the part of a submit-job input the check reads.
type batchSubmitJob struct {
	JobName         string `json:"jobName"`
	JobQueue        string `json:"jobQueue"`
	JobDefinition   string `json:"jobDefinition"`
	ArrayProperties *struct {
		Size int `json:"size"`
	} `json:"arrayProperties"`
	DependsOn          []batchDependency `json:"dependsOn"`
	ContainerOverrides *struct {
		Command     []string   `json:"command"`
		Environment []batchEnv `json:"environment"`
	} `json:"containerOverrides"`
}

// decodeExact decodes one JSON value into v and fails on any key that
// is not one of v's fields, spelt exactly: encoding/json alone matches
// keys without regard to case, which AWS and Kubernetes do not.
func decodeExact(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		return err
	}
	return errors.Join(exactKeys(generic, reflect.TypeOf(v), "")...)
}

var rawMessage = reflect.TypeFor[json.RawMessage]()

// exactKeys walks a decoded JSON value along the Go type it was decoded
// into and reports every object key that no field's json name spells
// exactly.
func exactKeys(v any, t reflect.Type, at string) []error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessage {
		return nil
	}
	var errs []error
	switch v := v.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return nil
		}
		for key, val := range v {
			f, ok := fieldByJSONName(t, key)
			if !ok {
				errs = append(errs, fmt.Errorf("unknown field %q", strings.TrimPrefix(at+"."+key, ".")))
				continue
			}
			errs = append(errs, exactKeys(val, f.Type, at+"."+key)...)
		}
	case []any:
		if t.Kind() == reflect.Slice {
			for i, e := range v {
				errs = append(errs, exactKeys(e, t.Elem(), fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// decodeYAML reads a YAML document as Kubernetes does (YAML to JSON,
// duplicate keys refused) and decodes it with decodeExact.
func decodeYAML(data []byte, v any) error {
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return err
	}
	return decodeExact(j, v)
}

// checkBatchJob checks a job definition with the submit-job input of its
// array job: it runs each child's command (through the shell, if the
// command runs one) with the environment AWS Batch gives the child, with
// ecssim the stand-in at path ecssim, and returns the shards the children
// run.
func checkBatchJob(defJSON, submitJSON, docker []byte, ecssim string) (workers, error) {
	var def batchJobDefinition
	if err := decodeExact(defJSON, &def); err != nil {
		return workers{}, fmt.Errorf("%s: %w", batchDefPath, err)
	}
	var sub batchSubmitJob
	if err := decodeExact(submitJSON, &sub); err != nil {
		return workers{}, fmt.Errorf("%s: %w", batchSubmit, err)
	}
	var errs []error
	if def.Type != "container" {
		errs = append(errs, fmt.Errorf("type %q: want container", def.Type))
	}
	if sub.JobDefinition != def.JobDefinitionName {
		errs = append(errs, fmt.Errorf("submit-job jobDefinition %q is not the job definition %q", sub.JobDefinition, def.JobDefinitionName))
	}
	// Array sizes are 2 to 10,000:
	// https://docs.aws.amazon.com/batch/latest/userguide/array_jobs.html
	if sub.ArrayProperties == nil || sub.ArrayProperties.Size < 2 || sub.ArrayProperties.Size > 10_000 {
		return workers{}, errors.Join(append(errs, fmt.Errorf("submit-job arrayProperties.size: want the shard count, 2 to 10000"))...)
	}
	n := sub.ArrayProperties.Size
	cp := def.ContainerProperties
	command, environment := cp.Command, cp.Environment
	if o := sub.ContainerOverrides; o != nil {
		if len(o.Command) > 0 {
			command = o.Command
		}
		environment = append(slices.Clone(environment), o.Environment...)
	}
	if len(command) == 0 {
		return workers{}, errors.Join(append(errs, errors.New("containerProperties.command is empty; the image has no entry point, so name ecssim"))...)
	}
	if strings.HasSuffix(command[0], "sh") && !runtimeHasShell(docker) {
		errs = append(errs, fmt.Errorf("the command runs %s, but the image's runtime stage has no shell", command[0]))
	}
	mounts := batchMounts(def)
	for _, e := range environment {
		if slices.Contains(reservedEnv, e.Name) || strings.HasPrefix(e.Name, "AWS_BATCH") {
			errs = append(errs, fmt.Errorf("environment sets %s; AWS Batch reserves AWS_BATCH* and the schedulers set the index", e.Name))
		}
	}
	calls := make([][]string, n)
	envs := make([]map[string]string, n)
	for i := range n {
		// What AWS Batch sets in child i of an array job:
		// https://docs.aws.amazon.com/batch/latest/userguide/job_env_vars.html
		env := []string{
			"PATH=" + filepath.Dir(ecssim),
			"AWS_BATCH_JOB_ID=3f1c9a52-8f6e-4b7e-9a0e-5c2d1e7b6a90:" + strconv.Itoa(i),
			"AWS_BATCH_JOB_ATTEMPT=1",
			"AWS_BATCH_JQ_NAME=" + sub.JobQueue,
			sweep.EnvBatchIndex + "=" + strconv.Itoa(i),
			sweep.EnvBatchSize + "=" + strconv.Itoa(n),
		}
		for _, e := range environment {
			env = append(env, e.Name+"="+e.Value)
		}
		inv, err := runChild(command, env, ecssim)
		if err != nil {
			errs = append(errs, fmt.Errorf("child %d: %w", i, err))
			continue
		}
		calls[i] = append([]string{"ecssim"}, inv.Args...)
		envs[i] = map[string]string{}
		for _, kv := range inv.Env {
			k, v, _ := strings.Cut(kv, "=")
			envs[i][k] = v
		}
	}
	if len(errs) > 0 {
		return workers{}, errors.Join(errs...)
	}
	shards, err := checkWorkers(calls, envs, n, mounts, docker)
	return shards, err
}

// runChild runs command as the container would, with the stand-in for
// ecssim first on PATH, and returns what the stand-in saw.
func runChild(command, env []string, ecssim string) (invocation, error) {
	name := command[0]
	if name == "ecssim" {
		name = ecssim // exec form: the container's PATH finds it
	}
	cmd := exec.Command(name, command[1:]...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return invocation{}, fmt.Errorf("%q: %w: %s", command, err, stderr.Bytes())
	}
	var inv invocation
	if err := json.Unmarshal(out, &inv); err != nil {
		return invocation{}, fmt.Errorf("%q did not run ecssim: %w (output %q)", command, err, out)
	}
	return inv, nil
}

// standIn links the test binary as ecssim in a new directory (TestMain).
func standIn(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh to run the AWS Batch command with")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "ecssim")
	if err := os.Symlink(self, link); err != nil {
		t.Fatal(err)
	}
	return link
}

// dockerStages returns the FROM lines' images, in order.
func dockerStages(docker []byte) []string {
	var images []string
	sc := bufio.NewScanner(bytes.NewReader(docker))
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 2 && strings.EqualFold(f[0], "FROM") {
			images = append(images, f[1])
		}
	}
	return images
}

// runtimeHasShell reports whether the last stage's base image has
// /bin/sh: distroless and scratch images do not.
func runtimeHasShell(docker []byte) bool {
	st := dockerStages(docker)
	if len(st) == 0 {
		return false
	}
	last := st[len(st)-1]
	return !strings.Contains(last, "distroless") && last != "scratch"
}

// checkDockerfile checks the image recipe: a build stage and a runtime
// stage, each base image pinned to a release, the command built from
// ./cmd/ecssim and copied from the build stage, and no ENTRYPOINT (AWS
// Batch's command replaces CMD only).
func checkDockerfile(docker []byte) error {
	var errs []error
	st := dockerStages(docker)
	if len(st) < 2 {
		errs = append(errs, fmt.Errorf("%d FROM lines: want a build stage and a runtime stage", len(st)))
	}
	for _, image := range st {
		_, tag, ok := strings.Cut(path.Base(image), ":")
		if !ok || !strings.ContainsAny(tag, "0123456789") || strings.Contains(tag, "latest") {
			errs = append(errs, fmt.Errorf("FROM %s: want a base image pinned to a release (name:1.2.3)", image))
		}
	}
	text := string(docker)
	if !strings.Contains(text, "./cmd/ecssim") {
		errs = append(errs, errors.New("no build of ./cmd/ecssim"))
	}
	if !strings.Contains(text, "COPY --from=build") {
		errs = append(errs, errors.New("the runtime stage copies nothing from the build stage: a single-stage image ships the toolchain"))
	}
	for line := range strings.SplitSeq(text, "\n") {
		if strings.HasPrefix(strings.ToUpper(strings.TrimSpace(line)), "ENTRYPOINT") {
			errs = append(errs, fmt.Errorf("%q: AWS Batch's command replaces CMD only, so the Batch job's `sh -c` would be passed to it", line))
		}
	}
	return errors.Join(errs...)
}

func deref(p *int) any {
	if p == nil {
		return "(unset)"
	}
	return *p
}
