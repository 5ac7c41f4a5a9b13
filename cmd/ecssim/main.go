// Command ecssim runs, checks, sweeps and summarises experiments written
// as JSON scenario files (the format is documented in package
// github.com/ecssim/ecssim/sim/scenario), and imports AWS CLI output into
// such files. It is thin: the library does the work, this parses flags
// and prints. Install it with
//
//	go install github.com/ecssim/ecssim/cmd/ecssim@latest
//
// The commands:
//
//	ecssim run [-json] [-seed n] [-seeds n] [-duration d] [-mode m] [-set path=value ...] [-out dir] [-plot dir] [-png] file.json ...
//	ecssim validate file.json ...
//	ecssim sweep -set path=v1,v2,... [-set ...] [-seeds n] [-out dir] [-plot dir] [-png] [-shard i/n | -shards n] file.json | sweep.json
//	ecssim merge -out dir [-plot dir] [-png] shard-dir ... | report.json ...
//	ecssim import [-o scenario.json] [-work d] [-duration d] [-mode m] file-or-dir ...
//	ecssim version
//
// run runs each file and prints its report (as JSON with -json); with
// -seeds n it runs the file with n seeds (its own and the next n−1), side
// by side on the machine's cores, and prints per service the mean and 95 %
// confidence interval of each measure; -out DIR writes its tidy tables
// (periods and events, as CSV, JSON Lines and Markdown) and -plot DIR its
// charts (SVG, and PNG with -png). validate checks each file (its
// shape, its rules, what the simulator refuses when it builds the world)
// without running it and prints every problem it finds. sweep runs the
// cartesian product of the -set values (each arm with -seeds seeds), or
// the grid of a sweep file ({"scenario": "web.json", "vary": [{"path":
// ..., "values": [...]}]}), and prints a summary per arm; -out and
// -plot write its runs, per-arm summary and charts, and -shard i/n (or
// -shards n with the index of a Kubernetes Indexed Job or an AWS Batch
// array job from the environment) runs one slice of it. merge combines
// the output directories of a sweep's shards into the files one machine
// would have written, or summarises JSON reports made by `ecssim run
// -json` of one scenario with different seeds. On a terminal, run and
// sweep show a progress line on standard error. import
// reads AWS CLI JSON (describe-services, describe-task-definition, the
// scaling policies, the target groups, a RequestCount series...) and
// writes the scenario of that service. version prints the module version
// the binary was built from. "ecssim <command> -h" explains a command and
// runs nothing.
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
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  ecssim run [-json] [-seed n] [-seeds n] [-duration d] [-mode m] [-set path=value ...] [-out dir] [-plot dir] [-png] file.json ...
  ecssim validate file.json ...
  ecssim sweep -set path=v1,v2,... [-set ...] [-seeds n] [-out dir] [-plot dir] [-png] [-shard i/n | -shards n] file.json | sweep.json
  ecssim merge -out dir [-plot dir] [-png] shard-dir ... | report.json ...
  ecssim import [-o scenario.json] [-work d] file-or-dir ...
  ecssim version
Run "ecssim <command> -h" for what a command does and its flags.`

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
	case "import":
		err = importCmd(rest, out, errOut)
	case "version":
		err = versionCmd(rest, out, errOut)
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
// instead of exiting; -h prints the usage line, what the command does
// (about) and its flags, and the command runs nothing.
func newFlags(name, args, about string, errOut io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(errOut)
	fs.Usage = func() {
		fmt.Fprintf(errOut, "usage: ecssim %s %s\n\n%s\n", name, args, strings.TrimSpace(about))
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(errOut, "\nflags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parse parses args into fs, turning a flag mistake into a usageError.
// Flags may come before or after the files (ecssim run FILE -out DIR);
// after "--" everything is a file.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(interspersed(fs, args)); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// interspersed moves the flags of args (with their values) in front of
// the other arguments, which follow a "--", so that the flag package,
// which stops at the first argument that is not a flag, reads them all.
func interspersed(fs *flag.FlagSet, args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			rest = append(rest, a)
			continue
		}
		flags = append(flags, a)
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		if hasValue || f == nil {
			continue
		}
		if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
			continue
		}
		if i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append(flags, "--"), rest...)
}
