package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/ecssim/ecssim/sim"
	"github.com/ecssim/ecssim/sim/scenario"
)

// source is a scenario file: its JSON and the directory its series are
// read from.
type source struct {
	path  string
	data  []byte
	files fs.FS
}

// readSource reads a scenario file as the library reads any: its own
// path resolved if it is a link, a regular file of at most
// scenario.MaxFileSize, the series it names confined to its directory.
func readSource(path string) (source, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return source{}, err
	}
	dir := scenario.DirFS(filepath.Dir(real))
	data, err := scenario.ReadBytes(dir, filepath.Base(real), 0)
	if err != nil {
		return source{}, fmt.Errorf("%s: %w", path, err)
	}
	return source{path: path, data: data, files: dir}, nil
}

// scenario parses the source with the overrides applied.
func (s source) scenario(overrides []scenario.Override) (*scenario.Scenario, error) {
	data, err := scenario.Apply(s.data, overrides)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	sc, err := scenario.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	return sc, nil
}

// setFlags collects repeated -set flags.
type setFlags []string

func (f *setFlags) String() string     { return strings.Join(*f, " ") }
func (f *setFlags) Set(v string) error { *f = append(*f, v); return nil }

const runAbout = `
Runs each scenario file and prints its report: a summary line, one line
per service (counts, scaling activities, requests, 5xx, p50/p99 latency,
cost) and one table per service with a row per report period. With
-seeds n it runs each file with n seeds (its own, or -seed, and the next
n-1) side by side on the machine's cores and prints, per service, the
mean and 95 % confidence interval of each figure. -json prints each
report as JSON (camelCase keys, units in the names: p99Ms, costUsd).
-seed, -duration and -mode override the file; -set changes any value
by its path, as a validation error names it.

-out DIR writes each run's tidy tables into DIR: periods (one row per
service per report period) and events (one row per scaling activity,
deployment, Spot interruption, zone outage, unplaced task...), each as
.csv, .jsonl and .md; the columns are in the tidy package's doc.
-plot DIR draws one chart per service (CLUSTER-SERVICE.svg, and .png with
-png): tasks, utilisation, requests, latency, 5xx and cost on one time
axis, its events marked, and index.html, one self-contained page of the
charts, the run's settings and the tables. Several files or seeds write into DIR/FILE and
DIR/seed-N. On a terminal a progress line on standard error shows the
simulated time, events per second, requests and the time left.
Flags may come after the files.`

// runFlags are the flags run shares with sweep: overrides of the file and
// the number of seeds.
type runFlags struct {
	seed     *uint64Flag
	seeds    *int
	duration *string
	mode     *string
	sets     setFlags
}

func addRunFlags(fs *flag.FlagSet) *runFlags {
	f := &runFlags{seed: &uint64Flag{}}
	fs.Var(f.seed, "seed", "the seed of the run (overrides the file's)")
	f.seeds = fs.Int("seeds", 1, "run each file with this many seeds and print the mean and 95 % interval per service")
	f.duration = fs.String("duration", "", "how long to run, a Go duration such as 6h (overrides the file's)")
	f.mode = fs.String("mode", "", "the traffic mode of every service with traffic: request or fluid")
	fs.Var(&f.sets, "set", "override a value of the file, path=value (repeatable), e.g. services[0].desiredCount=4")
	return f
}

// overrides turns the flags into overrides of the file, in the order
// -seed, -duration, -set; -mode applies to the parsed scenario.
func (f *runFlags) overrides() ([]scenario.Override, error) {
	if *f.seeds < 1 {
		return nil, usageError{fmt.Sprintf("-seeds is %d; it must be at least 1", *f.seeds)}
	}
	var out []scenario.Override
	add := func(s string) error {
		o, err := scenario.ParseOverride(s)
		if err != nil {
			return usageError{err.Error()}
		}
		out = append(out, o)
		return nil
	}
	if f.seed.set {
		if err := add(fmt.Sprintf("seed=%d", f.seed.v)); err != nil {
			return nil, err
		}
	}
	if *f.duration != "" {
		if _, err := time.ParseDuration(*f.duration); err != nil {
			return nil, usageError{fmt.Sprintf("-duration %q: want a Go duration such as 90m or 24h", *f.duration)}
		}
		if err := add("duration=" + *f.duration); err != nil {
			return nil, err
		}
	}
	if *f.mode != "" {
		var m sim.WorkloadMode
		if err := m.UnmarshalText([]byte(*f.mode)); err != nil {
			return nil, usageError{fmt.Sprintf("-mode %q: want request or fluid", *f.mode)}
		}
	}
	for _, s := range f.sets {
		if err := add(s); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// withMode applies -mode to every service of sc that has traffic and
// checks the result again.
func (f *runFlags) withMode(src source, sc *scenario.Scenario) error {
	if *f.mode == "" {
		return nil
	}
	var m sim.WorkloadMode
	if err := m.UnmarshalText([]byte(*f.mode)); err != nil {
		return usageError{err.Error()}
	}
	for i := range sc.Services {
		if t := sc.Services[i].Traffic; t != nil {
			t.Mode = m
		}
	}
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("%s: %w", src.path, err)
	}
	return nil
}

// uint64Flag is a flag that knows whether it was given.
type uint64Flag struct {
	v   uint64
	set bool
}

func (f *uint64Flag) String() string { return strconv.FormatUint(f.v, 10) }
func (f *uint64Flag) Set(s string) error {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("want a whole number from 0")
	}
	f.v, f.set = v, true
	return nil
}

func runCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("run", "[-json] [-seed n] [-seeds n] [-duration d] [-mode m] [-set path=value ...] [-out dir] [-plot dir] [-png] file.json ...", runAbout, errOut)
	asJSON := fs.Bool("json", false, "print each report as JSON")
	rf := addRunFlags(fs)
	o := addOutputFlags(fs, "each run's periods and events")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"run needs at least one scenario file"}
	}
	overrides, err := rf.overrides()
	if err != nil {
		return err
	}
	dirOf, err := runDirs(fs.Args(), *rf.seeds)
	if err != nil {
		return err
	}
	for i, path := range fs.Args() {
		src, err := readSource(path)
		if err != nil {
			return err
		}
		sc, err := src.scenario(overrides)
		if err != nil {
			return err
		}
		if err := rf.withMode(src, sc); err != nil {
			return err
		}
		reports, runs, err := replicateRecorded(src, sc, *rf.seeds, o.recording(), errOut)
		if err != nil {
			return err
		}
		if o.recording() {
			for _, r := range runs {
				if err := writeRun(r, dirOf(*o.out, i, r.Report.Seed), dirOf(*o.plot, i, r.Report.Seed), *o.png); err != nil {
					return fmt.Errorf("%s: %w", path, err)
				}
			}
		}
		if i > 0 && !*asJSON {
			fmt.Fprintln(out)
		}
		if err := printReports(out, reports, *asJSON); err != nil {
			return err
		}
	}
	return nil
}

// printReports prints one report in full, or several as their summary;
// as JSON, every report in full.
func printReports(out io.Writer, reports []*scenario.Report, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		for _, r := range reports {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	}
	if len(reports) == 1 {
		return reports[0].WriteText(out)
	}
	sum, err := scenario.Summarise(reports, nil)
	if err != nil {
		return err
	}
	return sum.WriteText(out)
}

const validateAbout = `
Checks each scenario file without running it: its JSON shape (every
unknown field, value of the wrong kind and bad duration, each with its
line and column), its rules (names, references, ranges, Fargate sizes,
each under the field that breaks it, at its line and column) and what
the simulator refuses when it builds the world. It prints "file: ok"
for a good file and every problem of a bad one; the status is 1 if any
file has a problem.`

func validateCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("validate", "file.json ...", validateAbout, errOut)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"validate needs at least one scenario file"}
	}
	var errs []error
	for _, path := range fs.Args() {
		src, err := readSource(path)
		if err == nil {
			var sc *scenario.Scenario
			if sc, err = scenario.Parse(src.data); err != nil {
				err = located(path, src.data, err)
			} else {
				// Build, without running, for the simulator's own rules.
				if _, err = scenario.Build(sc, scenario.Options{Files: src.files}); err != nil {
					err = fmt.Errorf("%s: %w", path, err)
				}
			}
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(out, "%s: ok\n", path)
	}
	return errors.Join(errs...)
}

const versionAbout = `
Prints the module version the command was built from (as go install
records it: v1.2.3, a pseudo-version, or (devel) for a local build) and
the Go version.`

// located puts the file and the line and column of its field in front of
// each rule error (file:line:column: ...), the way a compiler does, and
// the file in front of the others.
func located(path string, data []byte, err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, located(path, data, e))
		}
		return errors.Join(out...)
	}
	var fe *scenario.FieldError
	if errors.As(err, &fe) {
		if line, col, ok := scenario.Locate(data, fe.Field); ok {
			return fmt.Errorf("%s:%d:%d: %w", path, line, col, err)
		}
	}
	return fmt.Errorf("%s: %w", path, err)
}

func versionCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("version", "", versionAbout, errOut)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"version takes no arguments"}
	}
	version, goVersion := "(unknown)", runtime.Version()
	if info, ok := debug.ReadBuildInfo(); ok {
		version, goVersion = info.Main.Version, info.GoVersion
	}
	fmt.Fprintf(out, "ecssim %s (%s)\n", version, goVersion)
	return nil
}

// sweepArms is the cartesian product of the -set flags, first flag
// slowest, each value in the order given.
func sweepArms(sets []string) ([][]scenario.Override, error) {
	var dims [][]scenario.Override
	for _, s := range sets {
		path, values, ok := strings.Cut(s, "=")
		if !ok || values == "" {
			return nil, fmt.Errorf("-set %q: want path=value,value (one or more values)", s)
		}
		var dim []scenario.Override
		for _, v := range strings.Split(values, ",") {
			o, err := scenario.ParseOverride(path + "=" + v)
			if err != nil {
				return nil, err
			}
			dim = append(dim, o)
		}
		dims = append(dims, dim)
	}
	return product(dims)
}

// product is every combination of one override of each dimension, the
// first dimension slowest.
func product(dims [][]scenario.Override) ([][]scenario.Override, error) {
	arms := [][]scenario.Override{nil}
	for _, dim := range dims {
		var next [][]scenario.Override
		for _, arm := range arms {
			for _, o := range dim {
				next = append(next, append(append([]scenario.Override(nil), arm...), o))
			}
		}
		arms = next
		if len(arms) > 10_000 {
			return nil, fmt.Errorf("the values make more than 10000 arms")
		}
	}
	return arms, nil
}

// A sweep file holds the grid beside the scenario it sweeps:
//
//	{"scenario": "web.json", "seeds": 3,
//	 "vary": [{"path": "taskDefinitions[0].cpu", "values": [512, 1024]},
//	          {"path": "services[0].autoScaling.targetTracking[0].targetValue", "values": [50, 70]}]}
//
// The scenario is a file of the sweep file's directory.
type gridFile struct {
	Scenario string `json:"scenario"`
	Seeds    int    `json:"seeds,omitempty"`
	Vary     []struct {
		Path   string            `json:"path"`
		Values []json.RawMessage `json:"values"`
	} `json:"vary"`
}

type grid struct {
	scenario string
	seeds    int
	arms     [][]scenario.Override
}

// readGrid reads a sweep file.
func readGrid(path string) (grid, error) {
	src, err := readSource(path)
	if err != nil {
		return grid{}, err
	}
	var g gridFile
	dec := json.NewDecoder(strings.NewReader(string(src.data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil || g.Scenario == "" || len(g.Vary) == 0 {
		return grid{}, usageError{fmt.Sprintf("%s: sweep needs -set flags, or a sweep file {\"scenario\": \"file.json\", \"vary\": [{\"path\": ..., \"values\": [...]}]} (%v)", path, err)}
	}
	if !fs.ValidPath(g.Scenario) || g.Seeds < 0 {
		return grid{}, fmt.Errorf("%s: scenario %q must be a file of the sweep file's directory, seeds at least 0", path, g.Scenario)
	}
	var dims [][]scenario.Override
	for i, v := range g.Vary {
		if len(v.Values) == 0 {
			return grid{}, fmt.Errorf("%s: vary[%d] %q has no values", path, i, v.Path)
		}
		var dim []scenario.Override
		for _, x := range v.Values {
			o, err := scenario.ParseOverride(v.Path + "=" + string(x))
			if err != nil {
				return grid{}, fmt.Errorf("%s: vary[%d]: %w", path, i, err)
			}
			dim = append(dim, o)
		}
		dims = append(dims, dim)
	}
	arms, err := product(dims)
	if err != nil {
		return grid{}, fmt.Errorf("%s: %w", path, err)
	}
	return grid{scenario: filepath.Join(filepath.Dir(path), filepath.FromSlash(g.Scenario)), seeds: g.Seeds, arms: arms}, nil
}

// armName is "path=value, path=value".
func armName(arm []scenario.Override) string {
	parts := make([]string, len(arm))
	for i, o := range arm {
		parts[i] = o.Path + "=" + string(o.Value)
	}
	return strings.Join(parts, ", ")
}
