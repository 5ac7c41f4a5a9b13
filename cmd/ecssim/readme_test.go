package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeSimulateYourOwnService runs the README's section "Simulate
// your own service" as written, on the corpus's fargate-web directory
// copied to aws/: its go install names this module's command, every line
// it shows of the import report is in the report, and run prints exactly
// the output it shows.
func TestReadmeSimulateYourOwnService(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Simulate your own service\n")
	if !ok {
		t.Fatal("the README has no section Simulate your own service")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	blocks := fenced(section)
	if len(blocks) != 4 {
		t.Fatalf("the section has %d code blocks, want 4 (AWS calls, commands, import report, run output)", len(blocks))
	}
	commands, report, output := blocks[1], blocks[2], blocks[3]

	gomod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	module := strings.Fields(strings.SplitN(string(gomod), "\n", 2)[0])[1]
	if !strings.Contains(commands, "go install "+module+"/cmd/ecssim@") {
		t.Errorf("the go install line does not name %s/cmd/ecssim:\n%s", module, commands)
	}

	corpus, err := filepath.Abs("../../sim/scenario/testdata/aws/fargate-web")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "aws"), os.DirFS(corpus)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var outs, errs []string
	for _, line := range strings.Split(commands, "\n") {
		args, ok := strings.CutPrefix(line, "ecssim ")
		if !ok {
			continue
		}
		status, out, errOut := ecssim(t, strings.Fields(args)...)
		if status != 0 {
			t.Fatalf("%s: status %d: %s", line, status, errOut)
		}
		outs, errs = append(outs, out), append(errs, errOut)
	}
	if len(outs) != 2 {
		t.Fatalf("%d ecssim commands, want import and run", len(outs))
	}
	for _, line := range strings.Split(report, "\n") {
		if strings.TrimSpace(line) != "..." && !strings.Contains(errs[0], line) {
			t.Errorf("the import report lacks the README's line %q:\n%s", line, errs[0])
		}
	}
	if outs[1] != output {
		t.Errorf("ecssim run printed\n%s\nthe README shows\n%s", outs[1], output)
	}
}

// fenced returns the contents of the ``` blocks of markdown text.
func fenced(text string) []string {
	var blocks []string
	parts := strings.Split(text, "```")
	for i := 1; i < len(parts); i += 2 {
		_, body, _ := strings.Cut(parts[i], "\n") // after the language name
		blocks = append(blocks, body)
	}
	return blocks
}

// TestReadmeResults runs the command lines of the README's section
// "Results: tidy data, charts, progress, sweeps" as written (from a copy
// of the repository's examples/scenario/testdata), checks that each
// writes the files the section names, and that merge writes into merged
// the very bytes the whole sweep wrote into sweep.
func TestReadmeResults(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Results: tidy data, charts, progress, sweeps\n")
	if !ok {
		t.Fatal("the README has no section Results")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var commands []string
	for _, block := range fenced(section) {
		for _, line := range strings.Split(block, "\n") {
			if args, ok := strings.CutPrefix(line, "ecssim "); ok {
				commands = append(commands, args)
			}
		}
	}
	if len(commands) != 6 {
		t.Fatalf("%d ecssim lines, want run, sweep, three shards and merge", len(commands))
	}
	testdata, err := filepath.Abs("../../examples/scenario/testdata")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples/scenario/testdata"), os.DirFS(testdata)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, line := range commands {
		var args []string
		for _, f := range strings.Fields(line) {
			args = append(args, strings.Trim(f, "'")) // the shell's quotes
		}
		if status, _, errOut := ecssim(t, args...); status != 0 {
			t.Fatalf("ecssim %s: status %d: %s", line, status, errOut)
		}
	}
	for _, want := range []string{"nasa/periods.csv", "nasa/periods.jsonl", "nasa/periods.md", "nasa/events.csv", "nasa/events.jsonl",
		"nasa/events.md", "nasa/nasa-web.svg", "sweep/runs.csv", "sweep/summary.csv", "sweep/manifest.json", "sweep/nasa-web.svg",
		"shard-0/runs.csv", "shard-2/manifest.json", "merged/runs.csv", "merged/summary.md", "merged/nasa-web.svg", "nasa/index.html", "merged/index.html"} {
		if !strings.Contains(section, "`"+filepath.Base(strings.TrimSuffix(want, filepath.Ext(want)))) {
			t.Errorf("the section does not name %s", want)
		}
		if _, err := os.Stat(want); err != nil {
			t.Errorf("the commands wrote no %s", want)
		}
	}
	sameFiles(t, "merged", files(t, "merged"), files(t, "sweep"))
}
