// Command scenario runs experiments written as JSON scenario files (see
// package sim/scenario for the format) and prints their reports.
//
//	go run ./examples/scenario                     # the NASA day below
//	go run ./examples/scenario my.json other.json  # your own files
//	go run ./examples/scenario -json my.json       # the report as JSON
//
// Files a scenario names (traffic series) are read from the scenario
// file's directory.
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
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: scenario [-json] [file.json ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	files := flag.Args()
	if err := run(os.Stdout, files, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run runs each named scenario (or the built-in one) and writes its report.
func run(out io.Writer, files []string, asJSON bool) error {
	if len(files) == 0 {
		sub, err := fs.Sub(builtIn, "testdata")
		if err != nil {
			return err
		}
		return runOne(out, builtIn, defaultScenario, sub, asJSON)
	}
	for i, path := range files {
		if i > 0 {
			fmt.Fprintln(out)
		}
		dir := os.DirFS(filepath.Dir(path))
		if err := runOne(out, dir, filepath.Base(path), dir, asJSON); err != nil {
			return err
		}
	}
	return nil
}

func runOne(out io.Writer, from fs.FS, name string, files fs.FS, asJSON bool) error {
	f, err := from.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc, err := scenario.Read(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	report, err := scenario.Run(sc, scenario.Options{Files: files})
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	return report.WriteText(out)
}
