package tidy

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Table is one tidy table: named columns, one row per observation, each
// cell a string, an integer (int or int64), a float64 (NaN for "no
// value") or a time.Time. Every writer prints the same cells the same
// way, byte for byte on every machine.
type Table struct {
	Columns []string
	Rows    [][]any
}

// Cell renders a table's value as CSV and Markdown do: integers in
// decimal, floats in the shortest form that reads back (empty for NaN),
// times in RFC 3339 UTC.
func Cell(v any) string { return cell(v) }

// Numeric reports whether a table's value is a number (which tables align
// right).
func Numeric(v any) bool { return numeric(v) }

func cell(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	case time.Time:
		return v.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// WriteCSV writes the table as RFC 4180 CSV with a header row.
func (t *Table) WriteCSV(out io.Writer) error {
	w := csv.NewWriter(out)
	if err := w.Write(t.Columns); err != nil {
		return err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i, v := range row {
			rec[i] = cell(v)
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// WriteJSONL writes the table as JSON Lines: one object per row, keys in
// column order, numbers as JSON numbers (null for NaN), times as RFC 3339
// strings.
func (t *Table) WriteJSONL(out io.Writer) error {
	w := bufio.NewWriter(out)
	for _, row := range t.Rows {
		w.WriteByte('{')
		for i, v := range row {
			if i > 0 {
				w.WriteByte(',')
			}
			k, _ := json.Marshal(t.Columns[i])
			w.Write(k)
			w.WriteByte(':')
			switch v := v.(type) {
			case float64:
				if math.IsNaN(v) || math.IsInf(v, 0) {
					w.WriteString("null")
				} else {
					w.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
				}
			case int, int64, uint64:
				w.WriteString(cell(v))
			default:
				b, err := json.Marshal(cell(v))
				if err != nil {
					return err
				}
				w.Write(b)
			}
		}
		w.WriteString("}\n")
	}
	return w.Flush()
}

// WriteMarkdown writes the table as a GitHub-flavoured Markdown table,
// numbers right-aligned, | in text escaped.
func (t *Table) WriteMarkdown(out io.Writer) error {
	w := bufio.NewWriter(out)
	w.WriteString("|")
	for _, c := range t.Columns {
		w.WriteString(" " + c + " |")
	}
	w.WriteString("\n|")
	for i := range t.Columns {
		align := " --- |"
		if len(t.Rows) > 0 && numeric(t.Rows[0][i]) {
			align = " ---: |"
		}
		w.WriteString(align)
	}
	w.WriteString("\n")
	for _, row := range t.Rows {
		w.WriteString("|")
		for _, v := range row {
			w.WriteString(" " + strings.ReplaceAll(cell(v), "|", `\|`) + " |")
		}
		w.WriteString("\n")
	}
	return w.Flush()
}

func numeric(v any) bool {
	switch v.(type) {
	case int, int64, uint64, float64:
		return true
	}
	return false
}
