package tidy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWriteDir writes a run's tables as CSV and JSON Lines files holding
// what the writers write, and refuses names that are not plain file names.
func TestWriteDir(t *testing.T) {
	run := &Run{Periods: []PeriodRow{{Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Length: time.Hour, Cluster: "prod", Service: "web", Desired: 3}}}
	dir := filepath.Join(t.TempDir(), "out")
	if err := WriteDir(dir, run.Tables()...); err != nil {
		t.Fatal(err)
	}
	for _, nt := range run.Tables() {
		var csv, jsonl bytes.Buffer
		nt.Table.WriteCSV(&csv)
		nt.Table.WriteJSONL(&jsonl)
		for ext, want := range map[string][]byte{".csv": csv.Bytes(), ".jsonl": jsonl.Bytes()} {
			got, err := os.ReadFile(filepath.Join(dir, nt.Name+ext))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s%s: %q, %v; want %q", nt.Name, ext, got, err, want)
			}
		}
	}
	err := WriteDir(dir, Named{"../up", &Table{}}, Named{"", &Table{}})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `tables[0].Name "../up"`) || !strings.Contains(err.Error(), "tables[1].Name") {
		t.Errorf("bad names: %v", err)
	}
}
