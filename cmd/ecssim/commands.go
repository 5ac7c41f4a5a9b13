package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ecssim/ecssim/internal/sweep"
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

// replicate runs sc with n seeds (its own and the next n−1) side by side
// and returns the reports in seed order.
func replicate(s source, sc *scenario.Scenario, n int) ([]*scenario.Report, error) {
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = sc.Seed + uint64(i)
	}
	reports, err := sweep.Map(seeds, func(seed uint64) (*scenario.Report, error) {
		arm := *sc // Build and Run only read the scenario
		arm.Seed = seed
		return scenario.Run(&arm, scenario.Options{Files: s.files})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	return reports, nil
}

// setFlags collects repeated -set flags.
type setFlags []string

func (f *setFlags) String() string     { return strings.Join(*f, " ") }
func (f *setFlags) Set(v string) error { *f = append(*f, v); return nil }

func runCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("run", "[-json] [-seeds n] [-set path=value ...] file.json ...", errOut)
	asJSON := fs.Bool("json", false, "print each report as JSON")
	seeds := fs.Int("seeds", 1, "run each file with this many seeds and print the mean and 95 % interval per service")
	var sets setFlags
	fs.Var(&sets, "set", "override a value of the file, path=value (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"run needs at least one scenario file"}
	}
	if *seeds < 1 {
		return usageError{fmt.Sprintf("-seeds is %d; it must be at least 1", *seeds)}
	}
	var overrides []scenario.Override
	for _, s := range sets {
		o, err := scenario.ParseOverride(s)
		if err != nil {
			return usageError{err.Error()}
		}
		overrides = append(overrides, o)
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
		reports, err := replicate(src, sc, *seeds)
		if err != nil {
			return err
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

func validateCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("validate", "file.json ...", errOut)
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
			_, err = src.scenario(nil)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(out, "%s: ok\n", path)
	}
	return errors.Join(errs...)
}

func sweepCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("sweep", "-set path=v1,v2,... [-set ...] [-seeds n] file.json", errOut)
	seeds := fs.Int("seeds", 1, "run each arm with this many seeds")
	var sets setFlags
	fs.Var(&sets, "set", "a path and the values it takes in turn, path=v1,v2,... (repeatable; the arms are every combination)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || len(sets) == 0 {
		return usageError{"sweep needs one scenario file and at least one -set"}
	}
	if *seeds < 1 {
		return usageError{fmt.Sprintf("-seeds is %d; it must be at least 1", *seeds)}
	}
	arms, err := sweepArms(sets)
	if err != nil {
		return usageError{err.Error()}
	}
	src, err := readSource(fs.Arg(0))
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
	for i, arm := range arms {
		reports, err := replicate(src, scs[i], *seeds)
		if err != nil {
			return fmt.Errorf("arm %s: %w", armName(arm), err)
		}
		if i > 0 {
			fmt.Fprintln(out)
		}
		fmt.Fprintf(out, "arm %s\n", armName(arm))
		if err := printReports(out, reports, false); err != nil {
			return err
		}
	}
	return nil
}

// sweepArms is the cartesian product of the -set flags, first flag
// slowest, each value in the order given.
func sweepArms(sets []string) ([][]scenario.Override, error) {
	arms := [][]scenario.Override{nil}
	for _, s := range sets {
		path, values, ok := strings.Cut(s, "=")
		if !ok || values == "" {
			return nil, fmt.Errorf("-set %q: want path=value,value (one or more values)", s)
		}
		var next [][]scenario.Override
		for _, arm := range arms {
			for _, v := range strings.Split(values, ",") {
				o, err := scenario.ParseOverride(path + "=" + v)
				if err != nil {
					return nil, err
				}
				next = append(next, append(append([]scenario.Override(nil), arm...), o))
			}
		}
		arms = next
		if len(arms) > 10_000 {
			return nil, fmt.Errorf("the -set values make more than 10000 arms")
		}
	}
	return arms, nil
}

// armName is "path=value, path=value".
func armName(arm []scenario.Override) string {
	parts := make([]string, len(arm))
	for i, o := range arm {
		parts[i] = o.Path + "=" + string(o.Value)
	}
	return strings.Join(parts, ", ")
}

func mergeCmd(args []string, out, errOut io.Writer) error {
	fs := newFlags("merge", "report.json ...", errOut)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{"merge needs at least one JSON report (ecssim run -json)"}
	}
	var reports []*scenario.Report
	for _, path := range fs.Args() {
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
