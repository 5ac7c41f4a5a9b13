package tidy

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Named is a table with the name its files take.
type Named struct {
	Name  string
	Table *Table
}

// Tables returns the run's tables: "periods" and "events".
func (r *Run) Tables() []Named {
	return []Named{{"periods", PeriodTable(r.Periods)}, {"events", EventTable(r.Events)}}
}

var fileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// WriteDir writes each table into dir (made if missing) as NAME.csv and
// NAME.jsonl. Names must be plain file names (letters, digits, '_', '-',
// '.'), so that a table never lands outside dir.
func WriteDir(dir string, tables ...Named) error {
	l := fielderr.NewList(ErrInvalid)
	for i, t := range tables {
		if !fileName.MatchString(t.Name) {
			l.Add(fmt.Sprintf("tables[%d].Name", i), t.Name, "must be a plain file name: letters, digits, '_', '-' and '.'")
		}
	}
	if err := l.Err(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, t := range tables {
		for _, w := range []struct {
			ext   string
			write func(*Table, *os.File) error
		}{
			{".csv", func(t *Table, f *os.File) error { return t.WriteCSV(f) }},
			{".jsonl", func(t *Table, f *os.File) error { return t.WriteJSONL(f) }},
		} {
			f, err := os.Create(filepath.Join(dir, t.Name+w.ext))
			if err != nil {
				return err
			}
			if err := w.write(t.Table, f); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}
