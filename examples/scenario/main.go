// Command scenario runs experiments written as JSON scenario files (see
// package sim/scenario for the format) and prints their reports.
//
//	go run ./examples/scenario                     # the NASA day below
//	go run ./examples/scenario my.json other.json  # your own files
//	go run ./examples/scenario -json my.json       # the report as JSON
//	go run ./examples/scenario -seeds 10 my.json   # 10 seeds side by side:
//	                                               # mean and 95 % interval
//
// Files a scenario names (traffic series) are read from the scenario
// file's directory (after resolving the scenario's own path if it is a
// symbolic link): only regular files inside it, through links that stay
// inside it, and at most scenario.DefaultMaxFileBytes of each.
package main

import (
	"embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/ecssim/ecssim/sim/scenario"
)

// builtIn holds the scenario run without arguments and its trace.
//
//go:embed testdata/nasa-day.json testdata/nasa_http_1995-07-13_per_minute.csv
var builtIn embed.FS

// defaultScenario is run when no file is named.
const defaultScenario = "testdata/nasa-day.json"

func main() {
	asJSON := flag.Bool("json", false, "print each report as JSON")
	seeds := flag.Int("seeds", 1, "run each scenario with this many seeds (its own and the next ones) in parallel and summarise them")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: scenario [-json] [-seeds n] [file.json ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	files := flag.Args()
	var err error
	if *seeds > 1 {
		err = replicate(os.Stdout, files, *seeds)
	} else {
		err = run(os.Stdout, files, *asJSON)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run runs each named scenario (or the built-in one) and writes its report.
func run(out io.Writer, paths []string, asJSON bool) error {
	srcs, err := sources(paths)
	if err != nil {
		return err
	}
	for i, src := range srcs {
		if i > 0 {
			fmt.Fprintln(out)
		}
		if err := runOne(out, src, asJSON); err != nil {
			return err
		}
	}
	return nil
}

// source is a scenario file and the files it may name.
type source struct {
	from  fs.FS  // holds the scenario file
	name  string // its name in from
	files fs.FS  // what its traffic series are read from
}

// sources are the named files, or the built-in scenario.
func sources(paths []string) ([]source, error) {
	if len(paths) == 0 {
		sub, err := fs.Sub(builtIn, "testdata")
		if err != nil {
			return nil, err
		}
		return []source{{builtIn, defaultScenario, sub}}, nil
	}
	var out []source
	for _, path := range paths {
		// The scenario's own path may be a link; the files it names are
		// read from the directory of the file it leads to.
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, err
		}
		dir := scenario.DirFS(filepath.Dir(real))
		out = append(out, source{dir, filepath.Base(real), dir})
	}
	return out, nil
}

// read reads the scenario: a regular file of at most scenario.MaxFileSize
// bytes.
func (s source) read() (*scenario.Scenario, error) {
	sc, err := scenario.ReadFile(s.from, s.name, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	return sc, nil
}

func runOne(out io.Writer, src source, asJSON bool) error {
	sc, err := src.read()
	if err != nil {
		return err
	}
	report, err := scenario.Run(sc, scenario.Options{Files: src.files})
	if err != nil {
		return fmt.Errorf("%s: %w", src.name, err)
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	return report.WriteText(out)
}
