// Command ecssim runs, checks, sweeps and summarises experiments written
// as JSON scenario files (the format is documented in package
// github.com/ecssim/ecssim/sim/scenario). It is thin: the library does
// the work, this parses flags and prints.
//
//	ecssim run [-json] [-seeds n] [-set path=value ...] file.json ...
//	ecssim validate file.json ...
//	ecssim sweep -set path=v1,v2,... [-set ...] [-seeds n] file.json
//	ecssim merge report.json ...
//
// run runs each file and prints its report (as JSON with -json); with
// -seeds n it runs the file with n seeds (its own and the next n−1), side
// by side on the machine's cores, and prints per service the mean and 95 %
// confidence interval of each measure. validate parses and validates each
// file and prints every problem it finds. sweep runs the cartesian product
// of the -set values (each arm with -seeds seeds) and prints a summary per
// arm. merge summarises JSON reports made by `ecssim run -json` of one
// scenario with different seeds, for replications run on several machines.
//
// Files a scenario names (traffic series) are read from the directory of
// the scenario file, as regular files inside it only.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  ecssim run [-json] [-seeds n] [-set path=value ...] file.json ...
  ecssim validate file.json ...
  ecssim sweep -set path=v1,v2,... [-set ...] [-seeds n] file.json
  ecssim merge report.json ...
Run "ecssim <command> -h" for a command's flags.`

// run is main without the process: it returns the exit status (0 fine, 1
// a file or run failed, 2 a usage mistake).
func run(args []string, out, errOut io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(errOut, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		err = runCmd(rest, out, errOut)
	case "validate":
		err = validateCmd(rest, out, errOut)
	case "sweep":
		err = sweepCmd(rest, out, errOut)
	case "merge":
		err = mergeCmd(rest, out, errOut)
	case "help", "-h", "-help", "--help":
		fmt.Fprintln(out, usage)
		return 0
	default:
		fmt.Fprintf(errOut, "ecssim: unknown command %q\n%s\n", cmd, usage)
		return 2
	}
	var u usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &u):
		fmt.Fprintln(errOut, "ecssim:", err)
		return 2
	default:
		fmt.Fprintln(errOut, err)
		return 1
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// newFlags returns a flag set for a command that reports its errors
// instead of exiting.
func newFlags(name, args string, errOut io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "usage: ecssim %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args into fs, turning a flag mistake into a usageError.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}
