package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ecssim/ecssim/chart"
	"github.com/ecssim/ecssim/progress"
	"github.com/ecssim/ecssim/sim/scenario"
	"github.com/ecssim/ecssim/sweep"
	"github.com/ecssim/ecssim/tidy"
)

// isTerminal is the check progress lines make of standard error: nothing
// is drawn where it reports false. Tests replace it with a fake.
var isTerminal = progress.IsTerminal

// outputs are the -out and -plot flags of run, sweep and merge.
type outputs struct {
	out, plot *string
	png       *bool
}

func addOutputFlags(fs interface {
	String(name, value, usage string) *string
	Bool(name string, value bool, usage string) *bool
}, what string) outputs {
	return outputs{
		out:  fs.String("out", "", "write "+what+" as tidy tables (CSV, JSON Lines, Markdown) into this directory"),
		plot: fs.String("plot", "", "draw "+what+" as SVG charts into this directory"),
		png:  fs.Bool("png", false, "with -plot, draw each chart as PNG too"),
	}
}

// recording reports whether the run's rows are wanted.
func (o outputs) recording() bool { return *o.out != "" || *o.plot != "" }

// writeTables writes each table as NAME.csv, NAME.jsonl and NAME.md into
// dir.
func writeTables(dir string, tables ...tidy.Named) error {
	if err := tidy.WriteDir(dir, tables...); err != nil {
		return err
	}
	for _, t := range tables {
		var b bytes.Buffer
		if err := t.Table.WriteMarkdown(&b); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, t.Name+".md"), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// chartName is a file name for a service's chart: cluster-service, any
// character that is not a letter, digit, '_', '-' or '.' replaced by '_'.
func chartName(cluster, service string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			return r
		}
		return '_'
	}, cluster+"-"+service)
}

// drawCharts writes one chart per name into dir as NAME.svg, and NAME.png
// with png, drawn by draw in the format asked for, and returns them as
// figures of a page, captioned by name.
func drawCharts(dir string, png bool, names []string, draw func(i int, w io.Writer, f chart.Format) error) ([]chart.Figure, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	formats := []chart.Format{chart.SVG}
	if png {
		formats = append(formats, chart.PNG)
	}
	var figs []chart.Figure
	for i, name := range names {
		for _, f := range formats {
			var b bytes.Buffer
			if err := draw(i, &b, f); err != nil {
				return nil, fmt.Errorf("chart %s: %w", name, err)
			}
			if err := os.WriteFile(filepath.Join(dir, name+"."+string(f)), b.Bytes(), 0o644); err != nil {
				return nil, err
			}
			if f == chart.SVG {
				figs = append(figs, chart.Figure{Caption: name, SVG: b.Bytes()})
			}
		}
	}
	return figs, nil
}

// writePage writes page as dir/index.html: one self-contained file with
// the charts, the settings and the tables.
func writePage(dir string, page chart.Page) error {
	var b bytes.Buffer
	if err := page.WriteHTML(&b); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "index.html"), b.Bytes(), 0o644)
}

// writeRun writes a recorded run's periods and events into outDir, and
// one chart per service and a page of them all (index.html) into plotDir
// (either empty for none).
func writeRun(r *tidy.Run, outDir, plotDir string, png bool) error {
	if outDir != "" {
		if err := writeTables(outDir, r.Tables()...); err != nil {
			return err
		}
	}
	if plotDir == "" {
		return nil
	}
	// One chart per service, in the report's order.
	type key struct{ cluster, service string }
	var order []key
	rows := map[key][]tidy.PeriodRow{}
	for _, p := range r.Periods {
		k := key{p.Cluster, p.Service}
		if _, ok := rows[k]; !ok {
			order = append(order, k)
		}
		rows[k] = append(rows[k], p)
	}
	names := make([]string, len(order))
	for i, k := range order {
		names[i] = chartName(k.cluster, k.service)
	}
	figs, err := drawCharts(plotDir, png, names, func(i int, w io.Writer, f chart.Format) error {
		return chart.Run(w, f, rows[order[i]], r.Events, chart.Options{})
	})
	if err != nil {
		return err
	}
	rep := r.Report
	return writePage(plotDir, chart.Page{
		Title: rep.Name,
		Settings: [][2]string{{"seed", strconv.FormatUint(rep.Seed, 10)},
			{"from", rep.Start.UTC().Format(time.RFC3339)}, {"to", rep.End.UTC().Format(time.RFC3339)},
			{"engine events", strconv.FormatUint(rep.Events, 10)}, {"trace hash", fmt.Sprintf("%016x", rep.TraceHash)},
			{"cost", fmt.Sprintf("$%.2f", rep.Cost)}},
		Charts: figs,
		Tables: r.Tables(),
	})
}

// runOnce builds and runs sc, recording its rows with record, and with a
// progress line on errOut when showProgress (and errOut is a terminal).
func runOnce(src source, sc *scenario.Scenario, record, showProgress bool, errOut io.Writer) (*scenario.Report, *tidy.Run, error) {
	var built *scenario.Simulation
	opt := scenario.Options{Files: src.files}
	var line *progress.Run
	if showProgress {
		line = progress.NewRun(sc.Duration.D(), func() int64 { return requests(built) }, progress.Options{Out: errOut, IsTerminal: isTerminal})
		opt.Observer = line.Observer()
	}
	s, err := scenario.Build(sc, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", src.path, err)
	}
	built = s
	var rep *scenario.Report
	var rec *tidy.Run
	if record {
		if rec, err = tidy.RecordSimulation(s); err == nil {
			rep = rec.Report
		}
	} else {
		rep, err = s.Run()
	}
	if line != nil {
		line.Finish()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", src.path, err)
	}
	return rep, rec, nil
}

// requests is the requests offered so far to every service of s.
func requests(s *scenario.Simulation) int64 {
	if s == nil {
		return 0
	}
	var n int64
	for _, spec := range s.Scenario.Services {
		if wl := s.Workload(spec.Cluster, spec.Name); wl != nil {
			n += wl.Counters().Arrived
		}
	}
	return n
}

// replicateRecorded runs sc with n seeds (its own and the next n−1) side
// by side, recording each run's rows with record, and returns the
// reports and runs in seed order. One seed shows the run's progress line
// on a terminal, several the runs done of the total.
func replicateRecorded(src source, sc *scenario.Scenario, n int, record bool, errOut io.Writer) ([]*scenario.Report, []*tidy.Run, error) {
	if n == 1 {
		rep, rec, err := runOnce(src, sc, record, true, errOut)
		if err != nil {
			return nil, nil, err
		}
		return []*scenario.Report{rep}, []*tidy.Run{rec}, nil
	}
	line := progress.NewSweep(n, progress.Options{Out: errOut, IsTerminal: isTerminal})
	type result struct {
		rep *scenario.Report
		rec *tidy.Run
	}
	results, err := sweep.MapContext(context.Background(), sweep.Seeds(sc.Seed, n), func(_ context.Context, seed uint64) (result, error) {
		arm := *sc // Build and Run only read the scenario
		arm.Seed = seed
		rep, rec, err := runOnce(src, &arm, record, false, errOut)
		return result{rep, rec}, err
	}, sweep.Options{Done: line.Done})
	line.Finish()
	if err != nil {
		return nil, nil, err
	}
	reps, recs := make([]*scenario.Report, n), make([]*tidy.Run, n)
	for i, r := range results {
		reps[i], recs[i] = r.rep, r.rec
	}
	return reps, recs, nil
}

// runDirs returns where each run's files go under dir: dir itself for one
// file and one seed; else a directory per file (its name without .json)
// when there are several files, and per seed ("seed-7") when there are
// several seeds.
func runDirs(files []string, seeds int) (func(dir string, file int, seed uint64) string, error) {
	stems := make([]string, len(files))
	seen := map[string]string{}
	for i, f := range files {
		stems[i] = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
		if other, ok := seen[stems[i]]; ok && len(files) > 1 {
			return nil, usageError{fmt.Sprintf("%s and %s would write into the same directory %q of -out and -plot: give files of different names", other, f, stems[i])}
		}
		seen[stems[i]] = f
	}
	return func(dir string, file int, seed uint64) string {
		if dir == "" {
			return ""
		}
		if len(files) > 1 {
			dir = filepath.Join(dir, stems[file])
		}
		if seeds > 1 {
			dir = filepath.Join(dir, fmt.Sprintf("seed-%d", seed))
		}
		return dir
	}, nil
}
