package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Regression tests for the robustness issue's file defects: a scenario
// named a traffic series that was a symbolic link to /dev/zero (memory
// ran out) or to a system file (read, and its first line echoed in the
// error). Files are now read only as regular files under the scenario's
// directory, links resolved and checked, reading capped, and nothing of a
// refused file shown. Every test uses real links in t.TempDir().

// seriesScenario is a scenario whose one service replays the series file.
func seriesScenario(file string) *Scenario {
	sc, err := Parse([]byte(`{
  "duration": "1h",
  "taskDefinitions": [{"family": "api", "cpu": 1024, "memoryMiB": 2048, "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"], "containers": [{"name": "app", "image": "api:1"}]}],
  "clusters": [{"name": "prod"}],
  "services": [{"cluster": "prod", "name": "api", "taskDefinition": "api", "desiredCount": 1, "launchType": "FARGATE",
    "loadBalancer": {}, "traffic": {"mode": "fluid", "work": {"mean": "10ms"},
      "rate": {"series": {"file": ` + quote(file) + `, "timeColumn": "t", "valueColumn": "requests", "counts": true}}}}]
}`))
	if err != nil {
		panic(err)
	}
	return sc
}

func quote(s string) string { return `"` + s + `"` }

const goodSeries = "t,requests\n0,60\n60,120\n"

// secret is a file outside the scenario's directory whose content must
// never appear in an error.
func secret(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret.csv")
	if err := os.WriteFile(path, []byte("t,requests\nTOPSECRET-LINE,1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("cannot make a symbolic link here: %v", err)
	}
}

// buildErr builds the series scenario from dir and returns the error.
func buildErr(t *testing.T, dir, file string, opt Options) error {
	t.Helper()
	if opt.Files == nil {
		opt.Files = DirFS(dir)
	}
	start := time.Now()
	_, err := Build(seriesScenario(file), opt)
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Build took %v", d)
	}
	return err
}

func TestRegressionTraceSymlink(t *testing.T) {
	dir := t.TempDir()
	outside := secret(t)
	symlink(t, outside, filepath.Join(dir, "abs.csv"))
	rel, err := filepath.Rel(dir, outside)
	if err != nil {
		t.Fatal(err)
	}
	symlink(t, rel, filepath.Join(dir, "rel.csv"))
	for _, name := range []string{"abs.csv", "rel.csv"} {
		err := buildErr(t, dir, name, Options{})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), quote(name)) {
			t.Errorf("%s → %s: %v", name, outside, err)
		}
		if err != nil && strings.Contains(err.Error(), "TOPSECRET") {
			t.Errorf("the error shows the refused file: %v", err)
		}
	}
}

func TestRegressionTraceDevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	symlink(t, "/dev/zero", filepath.Join(dir, "zero.csv"))
	err := buildErr(t, dir, "zero.csv", Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"zero.csv"`) {
		t.Errorf("link to /dev/zero: %v", err)
	}
}

// TestLinksOfOtherFileSystemsAreRefused: os.DirFS follows links anywhere,
// so a link read through it is refused outright, and a device even when
// it is not a link.
func TestLinksOfOtherFileSystemsAreRefused(t *testing.T) {
	dir := t.TempDir()
	symlink(t, secret(t), filepath.Join(dir, "abs.csv"))
	err := buildErr(t, dir, "abs.csv", Options{Files: os.DirFS(dir)})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "is a symbolic link") || strings.Contains(err.Error(), "TOPSECRET") {
		t.Errorf("link through os.DirFS: %v", err)
	}
	if _, err := os.Stat("/dev/null"); err == nil {
		err := buildErr(t, "/dev", "null", Options{Files: os.DirFS("/dev")})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "is a device") {
			t.Errorf("/dev/null through os.DirFS: %v", err)
		}
	}
}

// TestLinksInsideTheDirectoryAreFollowed: a link that stays in the
// scenario's directory is resolved and read.
func TestLinksInsideTheDirectoryAreFollowed(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data", "real.csv"), []byte(goodSeries), 0o600); err != nil {
		t.Fatal(err)
	}
	symlink(t, filepath.Join("data", "real.csv"), filepath.Join(dir, "load.csv"))
	if err := buildErr(t, dir, "load.csv", Options{}); err != nil {
		t.Errorf("link inside the directory: %v", err)
	}
	if err := buildErr(t, dir, "data/real.csv", Options{}); err != nil {
		t.Errorf("file in a subdirectory: %v", err)
	}
}

func TestSeriesOutsideTheDirectoryByNameIsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"../secret.csv", "/etc/passwd", "a/../../b.csv", "./x.csv"} {
		err := buildErr(t, dir, name, Options{})
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "relative slash-separated path") {
			t.Errorf("%q: %v", name, err)
		}
	}
}

func TestSeriesMustBeARegularFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub.csv"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := buildErr(t, dir, "sub.csv", Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"sub.csv" is a directory`) {
		t.Errorf("directory: %v", err)
	}
}

// TestRegressionTraceSizeCap: a file longer than Options.MaxFileBytes is
// refused, and its content is not shown.
func TestRegressionTraceSizeCap(t *testing.T) {
	dir := t.TempDir()
	var big strings.Builder
	big.WriteString("t,requests\n")
	for m := range 1000 {
		fmt.Fprintf(&big, "%d,60\n", 60*m)
	}
	if err := os.WriteFile(filepath.Join(dir, "big.csv"), []byte(big.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	err := buildErr(t, dir, "big.csv", Options{MaxFileBytes: 1024})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"big.csv" is larger than 1024 bytes`) {
		t.Errorf("file over the cap: %v", err)
	}
	if err := buildErr(t, dir, "big.csv", Options{MaxFileBytes: int64(big.Len())}); err != nil {
		t.Errorf("file at the cap: %v", err)
	}
}

// TestReadFileChecksTheScenarioFile: the scenario file itself is read as
// a regular file under its directory, at most MaxFileSize (or the cap
// given) bytes.
func TestReadFileChecksTheScenarioFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ok.json"), []byte(minimal), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(DirFS(dir), "ok.json", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(DirFS(dir), "ok.json", 16); !errors.Is(err, ErrFile) || !strings.Contains(err.Error(), "larger than 16 bytes") {
		t.Errorf("cap: %v", err)
	}
	symlink(t, secret(t), filepath.Join(dir, "out.json"))
	if _, err := ReadFile(DirFS(dir), "out.json", 0); !errors.Is(err, ErrFile) || strings.Contains(err.Error(), "TOPSECRET") {
		t.Errorf("link out of the directory: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		symlink(t, "/dev/zero", filepath.Join(dir, "zero.json"))
		if _, err := ReadFile(DirFS(dir), "zero.json", 0); !errors.Is(err, ErrFile) {
			t.Errorf("link to /dev/zero: %v", err)
		}
		if _, err := ReadFile(DirFS("/dev"), "zero", 0); !errors.Is(err, ErrFile) || !strings.Contains(err.Error(), "is a device") {
			t.Errorf("/dev/zero itself: %v", err)
		}
	}
}
