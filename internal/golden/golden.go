// Package golden compares test output with files checked in under
// testdata, so that a change of behaviour shows as a diff in review. Run
// the tests with -update to rewrite the files from the current output:
//
//	go test ./sim/scenario -run Golden -update
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Updating reports whether the test binary runs with -update.
func Updating() bool { return *update }

// Check compares got with the file at path. With -update it writes got to
// path instead (creating its directory) and passes. A mismatch fails the
// test with the first differing line of each side and the command that
// rewrites the file.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	line, g, w := firstDiff(string(got), string(want))
	t.Errorf("%s differs from the output at line %d:\n  file: %s\n  got:  %s\nrun the test with -update to accept the new output, and say why in the commit", path, line, w, g)
}

// firstDiff returns the 1-based number of the first line where got and
// want differ, and that line of each ("(end)" past the last line).
func firstDiff(got, want string) (int, string, string) {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; ; i++ {
		gl, wl := "(end)", "(end)"
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) && i >= len(w) {
			return i + 1, gl, wl
		}
	}
}
