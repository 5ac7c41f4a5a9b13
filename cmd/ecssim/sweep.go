package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/ecssim/ecssim/chart"
	"github.com/ecssim/ecssim/progress"
	"github.com/ecssim/ecssim/sim/scenario"
	"github.com/ecssim/ecssim/sweep"
	"github.com/ecssim/ecssim/tidy"
)

const sweepAbout = `
Runs every combination of the -set values (the arms; the first -set
varies slowest) of one scenario file, each arm with -seeds seeds (the
arm's own seed and the next ones), or the grid a sweep file holds beside
its scenario:

  {"scenario": "web.json", "seeds": 3,
   "vary": [{"path": "taskDefinitions[0].cpu", "values": [512, 1024]},
            {"path": "services[0].autoScaling.targetTracking[0].targetValue", "values": [50, 70]}]}

and prints for each arm its summary: per service the mean and 95 %
interval of cost, 5xx share, p99 latency, largest desired count, scaling
activities and unhealthy tasks. Every arm is checked before any runs.

-out DIR writes runs (one row per arm x seed x service), summary (one row
per arm x service, means with 95 % Student t intervals over seeds), each
as .csv, .jsonl and .md, and manifest.json (the grid). -plot DIR draws
per service cost against p99 per arm with the intervals and the Pareto
front (CLUSTER-SERVICE.svg, and .png with -png) and index.html, a page
of the charts, the grid and the summary.

A sweep splits over machines: -shard i/n runs the cells (arm x seed)
whose index is i modulo n and writes their runs and its manifest to -out;
"ecssim merge -out DIR SHARD-DIR..." then writes exactly the files one
machine running the whole sweep would have. With -shards n the index
comes from the environment of an array job: JOB_COMPLETION_INDEX
(Kubernetes Indexed Job) or AWS_BATCH_JOB_ARRAY_INDEX with
AWS_BATCH_JOB_ARRAY_SIZE (AWS Batch array job); without either flag a
shard is read from AWS Batch's variables if they are set. On a terminal
a progress line on standard error shows the runs done of the total.
Flags may come after the file.`

func sweepCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("sweep", "-set path=v1,v2,... [-set ...] [-seeds n] [-out dir] [-plot dir] [-png] [-shard i/n | -shards n] file.json | sweep.json", sweepAbout, errOut)
	seeds := fs.Int("seeds", 1, "run each arm with this many seeds (overrides a sweep file's)")
	var sets setFlags
	fs.Var(&sets, "set", "a path and the values it takes in turn, path=v1,v2,... (repeatable; the arms are every combination)")
	o := addOutputFlags(fs, "the sweep's runs and per-arm summary")
	shardFlag := fs.String("shard", "", "run only shard i of n of the arms x seeds, \"i/n\" from 0/n (needs -out)")
	shards := fs.Int("shards", 0, "run as one of this many shards, the index from JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX (needs -out)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"sweep needs one scenario file (with -set) or one sweep file"}
	}
	if *seeds < 1 {
		return usageError{fmt.Sprintf("-seeds is %d; it must be at least 1", *seeds)}
	}
	shard, err := chooseShard(*shardFlag, *shards, os.LookupEnv)
	if err != nil {
		return err
	}
	if shard.Count > 1 && *o.out == "" {
		return usageError{fmt.Sprintf("shard %s needs -out DIR to write its runs for ecssim merge", shard)}
	}
	if shard.Count > 1 && *o.plot != "" {
		return usageError{fmt.Sprintf("shard %s cannot draw the sweep, which needs every shard's runs: give -plot to ecssim merge", shard)}
	}
	file := fs.Arg(0)
	var arms [][]scenario.Override
	if len(sets) > 0 {
		if arms, err = sweepArms(sets); err != nil {
			return usageError{err.Error()}
		}
	} else {
		g, err := readGrid(file)
		if err != nil {
			return err
		}
		file, arms = g.scenario, g.arms
		seedsGiven := false
		fs.Visit(func(f *flag.Flag) { seedsGiven = seedsGiven || f.Name == "seeds" })
		if !seedsGiven && g.seeds > 0 {
			*seeds = g.seeds
		}
	}
	src, err := readSource(file)
	if err != nil {
		return err
	}
	// Every arm is checked before any runs.
	scs := make([]*scenario.Scenario, len(arms))
	var errs []error
	for i, arm := range arms {
		if scs[i], err = src.scenario(arm); err != nil {
			errs = append(errs, fmt.Errorf("arm %s: %w", armName(arm), err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	sum := sha256.Sum256(src.data)
	m := manifest{Scenario: filepath.Base(file), ScenarioSHA256: hex.EncodeToString(sum[:]), Seeds: *seeds, Shard: shard.String()}
	for i, arm := range arms {
		m.Arms = append(m.Arms, armName(arm))
		m.FirstSeeds = append(m.FirstSeeds, scs[i].Seed)
	}

	// Each arm runs with its own seed and the next ones: the grid's seeds
	// are offsets from it.
	cells := shard.Cells(sweep.Grid(len(arms), sweep.Seeds(0, *seeds)))
	for i := range cells {
		cells[i].Seed += scs[cells[i].Arm].Seed
	}
	line := progress.NewSweep(len(cells), progress.Options{Out: errOut, IsTerminal: isTerminal})
	results, err := sweep.Run(context.Background(), scs, cells, func(_ context.Context, sc *scenario.Scenario, seed uint64) (*scenario.Report, error) {
		arm := *sc // Build and Run only read the scenario
		arm.Seed = seed
		return scenario.Run(&arm, scenario.Options{Files: src.files})
	}, sweep.Options{Done: line.Done})
	line.Finish()
	if err != nil {
		return err
	}

	if *o.out != "" || *o.plot != "" {
		rows := tidy.SweepRows(results, m.Arms)
		m.Rows = len(rows)
		if err := writeSweep(m, rows, *o.out, *o.plot, *o.png); err != nil {
			return err
		}
	}
	if shard.Count > 1 {
		fmt.Fprintf(out, "shard %s: %d of %d runs, written to %s\n", shard, len(cells), len(arms)**seeds, *o.out)
		return nil
	}
	for a, arm := range arms {
		var reports []*scenario.Report
		for _, r := range results {
			if r.Arm == a {
				reports = append(reports, r.Out)
			}
		}
		if a > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "arm %s\n", armName(arm))
		if err := printReports(out, reports, false); err != nil {
			return err
		}
	}
	return nil
}

// chooseShard is the shard a sweep runs: -shard if given (which -shards,
// if given too, must agree with), else the array job's index that lookup
// finds in the environment (with -shards as the count a Kubernetes
// Indexed Job does not put there), else the whole sweep. -shards without
// an index anywhere is an error.
func chooseShard(text string, count int, lookup func(string) (string, bool)) (sweep.Shard, error) {
	if count < 0 {
		return sweep.Shard{}, usageError{fmt.Sprintf("-shards is %d; it must be at least 1", count)}
	}
	if text != "" {
		s, err := sweep.ParseShard(text)
		if err != nil {
			return sweep.Shard{}, usageError{"-shard: " + err.Error()}
		}
		if count > 0 && s.Count != count {
			return sweep.Shard{}, usageError{fmt.Sprintf("-shard %s and -shards %d disagree on the number of shards", s, count)}
		}
		return s, nil
	}
	_, kube := lookup(sweep.EnvKubernetesIndex)
	_, batch := lookup(sweep.EnvBatchIndex)
	if count == 0 && kube && !batch {
		return sweep.Shard{}, usageError{fmt.Sprintf("%s is set (a Kubernetes Indexed Job) but the number of shards is not: give -shards N, the Job's completions, or -shard i/n", sweep.EnvKubernetesIndex)}
	}
	s, ok, err := sweep.ShardFromEnv(lookup, count)
	switch {
	case err != nil:
		return sweep.Shard{}, usageError{"the array job's environment: " + err.Error()}
	case !ok && count > 0:
		return sweep.Shard{}, usageError{fmt.Sprintf("-shards %d needs this shard's index: give -shard i/%d, or run where %s (a Kubernetes Indexed Job) or %s and %s (an AWS Batch array job) are set",
			count, count, sweep.EnvKubernetesIndex, sweep.EnvBatchIndex, sweep.EnvBatchSize)}
	case !ok:
		return sweep.Whole, nil
	case count > 0 && s.Count != count:
		return sweep.Shard{}, usageError{fmt.Sprintf("%s is %d but -shards is %d", sweep.EnvBatchSize, s.Count, count)}
	}
	return s, nil
}

// manifest describes the grid of a sweep's output directory, so that
// merge can check that shards belong together and cover it.
type manifest struct {
	// Scenario is the scenario file's name and ScenarioSHA256 the hash of
	// its bytes.
	Scenario       string `json:"scenario"`
	ScenarioSHA256 string `json:"scenarioSha256"`
	// Arms are the arms' names (their overrides); FirstSeeds each arm's
	// first seed and Seeds the number of seeds of every arm.
	Arms       []string `json:"arms"`
	FirstSeeds []uint64 `json:"firstSeeds"`
	Seeds      int      `json:"seeds"`
	// Shard is the part of the grid the directory holds, "i/n"; "0/1" is
	// the whole sweep. Rows counts the rows of its runs table.
	Shard string `json:"shard"`
	Rows  int    `json:"rows"`
}

// cell returns the index in the grid of the run of arm a with the seed.
func (m manifest) cell(arm int, seed uint64) (int, bool) {
	if arm < 0 || arm >= len(m.Arms) || seed < m.FirstSeeds[arm] || seed-m.FirstSeeds[arm] >= uint64(m.Seeds) {
		return 0, false
	}
	return arm*m.Seeds + int(seed-m.FirstSeeds[arm]), true
}

// writeSweep writes a sweep's (or a shard's) output: its manifest and
// runs into outDir and, for the whole sweep, the per-arm summary; and the
// whole sweep's charts, one per service, into plotDir.
func writeSweep(m manifest, rows []tidy.SweepRow, outDir, plotDir string, png bool) error {
	whole := m.Shard == sweep.Whole.String()
	var sums []tidy.ArmSummary
	if whole {
		sums = tidy.Summarize(rows)
	}
	if outDir != "" {
		tables := []tidy.Named{{Name: "runs", Table: tidy.SweepTable(rows)}}
		if whole {
			tables = append(tables, tidy.Named{Name: "summary", Table: tidy.SummaryTable(sums)})
		}
		if err := writeTables(outDir, tables...); err != nil {
			return err
		}
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(outDir, "manifest.json"), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if plotDir == "" || !whole || len(sums) == 0 {
		return nil
	}
	// One chart per service, its arms in arm order.
	type key struct{ cluster, service string }
	var order []key
	byService := map[key][]tidy.ArmSummary{}
	for _, s := range sums {
		k := key{s.Cluster, s.Service}
		if _, ok := byService[k]; !ok {
			order = append(order, k)
		}
		byService[k] = append(byService[k], s)
	}
	names := make([]string, len(order))
	for i, k := range order {
		names[i] = chartName(k.cluster, k.service)
	}
	figs, err := drawCharts(plotDir, png, names, func(i int, w io.Writer, f chart.Format) error {
		return chart.Sweep(w, f, byService[order[i]], chart.Options{})
	})
	if err != nil {
		return err
	}
	settings := [][2]string{{"scenario", m.Scenario}, {"scenario SHA-256", m.ScenarioSHA256}, {"seeds per arm", strconv.Itoa(m.Seeds)}}
	for a, name := range m.Arms {
		settings = append(settings, [2]string{fmt.Sprintf("arm %d (first seed %d)", a, m.FirstSeeds[a]), name})
	}
	return writePage(plotDir, chart.Page{Title: "sweep of " + m.Scenario, Settings: settings, Charts: figs,
		Tables: []tidy.Named{{Name: "summary", Table: tidy.SummaryTable(sums)}}})
}

const mergeAbout = `
Merges the output directories of the shards of one sweep (ecssim sweep
-shard i/n -out DIR, or -shards n in an array job): it checks that they
come from the same scenario file and grid and hold every shard once, and
writes into -out exactly the files (and into -plot the charts) that one
machine running the whole sweep with -out and -plot would have written.
It prints the summary table.

Given JSON reports made by "ecssim run -json" of one scenario with
different seeds (replications run on several machines) instead, it
prints their summary, as run -seeds would: per service the mean and 95 %
interval of each figure.`

func mergeCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("merge", "-out dir [-plot dir] [-png] shard-dir ... | report.json ...", mergeAbout, errOut)
	o := addOutputFlags(fs, "the merged sweep's runs and summary")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"merge needs the output directories of a sweep's shards, or JSON reports (ecssim run -json)"}
	}
	dirs := 0
	for _, path := range fs.Args() {
		if info, err := os.Stat(path); err == nil && info.IsDir() {
			dirs++
		}
	}
	switch dirs {
	case 0:
		if o.recording() {
			return usageError{"-out and -plot merge the directories of a sweep's shards, not JSON reports"}
		}
		return mergeReports(fs.Args(), out)
	case fs.NArg():
		if *o.out == "" && *o.plot == "" {
			return usageError{"merge of a sweep's shards needs -out DIR (or -plot DIR) to write the merged sweep into"}
		}
		return mergeShards(fs.Args(), *o.out, *o.plot, *o.png, out)
	}
	return usageError{"merge takes either directories of a sweep's shards or JSON reports, not both"}
}

// mergeShards merges the shard directories into outDir and plotDir.
func mergeShards(dirs []string, outDir, plotDir string, png bool, out io.Writer) error {
	var ms []manifest
	var parts [][]tidy.SweepRow
	for _, dir := range dirs {
		m, rows, err := readShard(dir)
		if err != nil {
			return err
		}
		ms = append(ms, m)
		parts = append(parts, rows)
	}
	// The shards must be of one grid and cover it once.
	var errs []error
	n := 0
	seen := map[int]string{}
	for i, m := range ms {
		s, err := sweep.ParseShard(m.Shard)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: manifest.json: %w", dirs[i], err))
			continue
		}
		if i == 0 {
			n = s.Count
		}
		same := m.Scenario == ms[0].Scenario && m.ScenarioSHA256 == ms[0].ScenarioSHA256 && slices.Equal(m.Arms, ms[0].Arms) &&
			slices.Equal(m.FirstSeeds, ms[0].FirstSeeds) && m.Seeds == ms[0].Seeds
		switch {
		case !same:
			errs = append(errs, fmt.Errorf("%s is a shard of another sweep than %s (scenario, arms or seeds differ)", dirs[i], dirs[0]))
		case s.Count != n:
			errs = append(errs, fmt.Errorf("%s is shard %s, %s one of %d", dirs[i], s, dirs[0], n))
		case seen[s.Index] != "":
			errs = append(errs, fmt.Errorf("%s and %s are both shard %s", seen[s.Index], dirs[i], s))
		default:
			seen[s.Index] = dirs[i]
		}
		for _, r := range parts[i] {
			if c, ok := m.cell(r.Arm, r.Seed); !ok || s.Count > 0 && c%s.Count != s.Index {
				errs = append(errs, fmt.Errorf("%s: runs.csv has a row of arm %d seed %d, which shard %s does not run", dirs[i], r.Arm, r.Seed, s))
				break
			}
		}
	}
	for i := 0; i < n && len(errs) == 0; i++ {
		if seen[i] == "" {
			errs = append(errs, fmt.Errorf("shard %d/%d is missing", i, n))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Rows back in cell order, each cell's rows in the order it wrote them.
	type cellRow struct {
		cell int
		row  tidy.SweepRow
	}
	var all []cellRow
	for _, rows := range parts {
		for _, r := range rows {
			c, _ := ms[0].cell(r.Arm, r.Seed)
			all = append(all, cellRow{c, r})
		}
	}
	slices.SortStableFunc(all, func(a, b cellRow) int { return a.cell - b.cell })
	rows := make([]tidy.SweepRow, len(all))
	for i, cr := range all {
		rows[i] = cr.row
	}
	m := ms[0]
	m.Shard, m.Rows = sweep.Whole.String(), len(rows)
	if err := writeSweep(m, rows, outDir, plotDir, png); err != nil {
		return err
	}
	return tidy.SummaryTable(tidy.Summarize(rows)).WriteMarkdown(out)
}

// readShard reads a sweep output directory: its manifest and runs.
func readShard(dir string) (manifest, []tidy.SweepRow, error) {
	var m manifest
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return m, nil, fmt.Errorf("%s is not the output of ecssim sweep -out: %w", dir, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return m, nil, fmt.Errorf("%s: manifest.json: %w", dir, err)
	}
	if len(m.FirstSeeds) != len(m.Arms) || m.Seeds < 1 {
		return m, nil, fmt.Errorf("%s: manifest.json: %d arms, %d first seeds and %d seeds per arm do not make a grid", dir, len(m.Arms), len(m.FirstSeeds), m.Seeds)
	}
	f, err := os.Open(filepath.Join(dir, "runs.csv"))
	if err != nil {
		return m, nil, err
	}
	defer f.Close()
	rows, err := readRuns(io.LimitReader(f, scenario.DefaultMaxFileBytes))
	if err != nil {
		return m, nil, fmt.Errorf("%s: runs.csv: %w", dir, err)
	}
	if len(rows) != m.Rows {
		return m, nil, fmt.Errorf("%s: runs.csv has %d rows, its manifest says %d", dir, len(rows), m.Rows)
	}
	return m, rows, nil
}

// readRuns reads a runs table written by tidy.SweepTable back into its
// rows: numbers are written in the shortest form that reads back to the
// same value, and the latencies, written in milliseconds, are whole
// nanoseconds, so the rows write the same bytes again.
func readRuns(r io.Reader) ([]tidy.SweepRow, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 || !slices.Equal(recs[0], tidy.SweepColumns) {
		return nil, fmt.Errorf("the header is not the runs table's columns %q", tidy.SweepColumns)
	}
	var rows []tidy.SweepRow
	for i, rec := range recs[1:] {
		var errs []error
		integer := func(col int) int64 {
			n, err := strconv.ParseInt(rec[col], 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %q", tidy.SweepColumns[col], rec[col]))
			}
			return n
		}
		float := func(col int) float64 {
			x, err := strconv.ParseFloat(rec[col], 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s %q", tidy.SweepColumns[col], rec[col]))
			}
			return x
		}
		ms := func(col int) time.Duration { return time.Duration(math.Round(float(col) * 1e6)) }
		seed, err := strconv.ParseUint(rec[2], 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("seed %q", rec[2]))
		}
		row := tidy.SweepRow{Arm: int(integer(0)), ArmLabel: rec[1], Seed: seed, Cluster: rec[3], Service: rec[4],
			Requests: integer(5), Errors5xx: integer(6), Timeouts: integer(7), P50: ms(8), P99: ms(9), CostUSD: float(10),
			ScalingActivities: int(integer(11)), MaxDesired: int(integer(12)), Unhealthy: int(integer(13))}
		if len(errs) > 0 {
			return nil, fmt.Errorf("row %d: %w", i+1, errors.Join(errs...))
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// mergeReports summarises JSON reports of one scenario.
func mergeReports(paths []string, out io.Writer) error {
	var reports []*scenario.Report
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(io.LimitReader(f, scenario.DefaultMaxFileBytes))
		for dec.More() {
			var r scenario.Report
			if err := dec.Decode(&r); err != nil {
				f.Close()
				return fmt.Errorf("%s: not a report made by ecssim run -json: %w", path, err)
			}
			reports = append(reports, &r)
		}
		f.Close()
	}
	sum, err := scenario.Summarise(reports, nil)
	if err != nil {
		return err
	}
	return sum.WriteText(out)
}
