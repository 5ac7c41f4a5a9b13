package scenario

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ecssim/ecssim/internal/golden"
)

// TestGoldenReports runs every scenario in testdata and compares its text
// report (trace hash, event count, counters, rows, actions) with the
// checked-in testdata/<name>.report: a change of behaviour shows as a diff
// in review. Rewrite them with
//
//	go test ./sim/scenario -run GoldenReports -update
//
// and say in the commit why they changed.
func TestGoldenReports(t *testing.T) {
	paths, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no scenarios in testdata")
	}
	for _, path := range paths {
		name := strings.TrimSuffix(filepath.Base(path), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			sc, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Run(sc, Options{Files: DirFS("testdata")})
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := r.WriteText(&buf); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", name+".report"), buf.Bytes())
		})
	}
}
