package ecssim_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/ecssim/ecssim"

// layers is the dependency table: for each package (a directory of the
// module, slash-separated; a rule for "x" covers x and the directories
// below it unless a longer rule names them), the module's packages it may
// import besides itself. A package whose directory no rule covers fails the
// test, so a new package has to take its place in the table.
//
// The direction it keeps:
//
//	examples/*, cmd/*  ──►  sim/scenario  ──►  sim  ──►  sim's leaves (sim/traffic, sim/capacity, sim/dist)
//	                                              └──►  placement, autoscale, loadbalancer, metrics  ──►  internal/*
//	examples/*, cmd/*  ──►  chart  ──►  tidy  ──►  sim/scenario, sweep
//	examples/*, cmd/*  ──►  progress  ──►  sim, sweep
//
// sweep, the one package that starts goroutines, imports nothing of the
// simulator: it runs any function, side by side.
//
// No leaf imports sim, in its tests either: each leaf can be built,
// tested, benchmarked and documented with no simulation at all. Only
// sim/scenario, tidy and progress (which read a run), the examples and
// the commands import sim.
var layers = []struct {
	dir     string
	imports []string // rules (entries of this table) whose packages it may import
}{
	{"internal", []string{"internal"}},
	{"metrics", []string{"internal"}},
	{"placement", []string{"internal", "placement"}},
	{"loadbalancer", []string{"internal"}},
	{"autoscale", []string{"internal", "metrics"}},
	{"sim/dist", []string{"internal"}},
	{"sim/capacity", []string{"internal"}},
	{"sim/storage", []string{"internal"}},
	{"sim/traffic", []string{"internal", "sim/dist"}},
	{"sim", []string{"internal", "metrics", "placement", "autoscale", "loadbalancer", "sim/dist", "sim/capacity", "sim/storage", "sim/traffic"}},
	{"sim/scenario", []string{"internal", "metrics", "placement", "autoscale", "loadbalancer", "sim", "sim/dist", "sim/capacity", "sim/storage", "sim/traffic"}},
	{"sweep", []string{"internal"}},
	{"tidy", []string{"internal", "sim", "sim/scenario", "sweep"}},
	{"chart", []string{"internal", "tidy", "sweep", "sim/scenario"}},   // sim/scenario: its tests draw a real run
	{"progress", []string{"internal", "sim", "sweep", "sim/scenario"}}, // sim/scenario, sweep: its tests run a scenario and a sweep
	{"examples", []string{"internal", "metrics", "placement", "autoscale", "loadbalancer", "sim", "sim/dist", "sim/capacity", "sim/storage", "sim/traffic", "sim/scenario", "sweep", "tidy", "chart", "progress"}},
	{"cmd", []string{"internal", "metrics", "placement", "autoscale", "loadbalancer", "sim", "sim/dist", "sim/capacity", "sim/storage", "sim/traffic", "sim/scenario", "sweep", "tidy", "chart", "progress"}},
	{"deploy", []string{"sim/scenario", "sweep"}}, // its test checks the cluster manifests against ShardFromEnv and the scenario they run
	{".", []string{"internal", "metrics", "placement", "autoscale", "loadbalancer", "sim"}},
}

// layerOf returns the rule covering package directory dir: the longest
// rule directory equal to dir or a parent of it ("." covers only the
// root).
func layerOf(dir string) (rule string, imports []string, ok bool) {
	for _, l := range layers {
		covers := l.dir == dir || l.dir != "." && strings.HasPrefix(dir, l.dir+"/")
		if covers && len(l.dir) >= len(rule) {
			rule, imports, ok = l.dir, l.imports, true
		}
	}
	return rule, imports, ok
}

// corePackages are the directories whose non-test code must be free of
// ambient nondeterminism.
var corePackages = []string{"sim", "placement", "autoscale", "metrics", "loadbalancer", "internal"}

// goroutinePackages are the only directories whose non-test code may
// start goroutines: sweep runs independent simulations side by side, one
// Sim per goroutine, and returns results in a fixed order, which keeps a
// sweep's output deterministic without a goroutine inside any simulation.
var goroutinePackages = []string{"sweep"}

type goFile struct {
	path string // slash-separated, relative to the module root
	dir  string // its package directory, or "." for the root
	top  string // top-level directory, or "." for the root
	ast  *ast.File
}

func parseModule(t *testing.T, mode parser.Mode) []goFile {
	t.Helper()
	var files []goFile
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != "." && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, mode)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(path)
		top := "."
		if i := strings.IndexByte(rel, '/'); i >= 0 {
			top = rel[:i]
		}
		dir := "."
		if i := strings.LastIndexByte(rel, '/'); i >= 0 {
			dir = rel[:i]
		}
		files = append(files, goFile{path: rel, dir: dir, top: top, ast: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d Go files; is the test running at the module root?", len(files))
	}
	return files
}

// TestLayering enforces the dependency direction of the layers table, for
// every Go file of the module, tests included.
func TestLayering(t *testing.T) {
	for _, f := range parseModule(t, parser.ImportsOnly) {
		rule, allowed, ok := layerOf(f.dir)
		if !ok {
			t.Errorf("%s: package %s has no place in the layers table", f.path, f.dir)
			continue
		}
		for _, imp := range f.ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p != module && !strings.HasPrefix(p, module+"/") {
				continue
			}
			target := strings.TrimPrefix(strings.TrimPrefix(p, module), "/")
			if target == "" {
				target = "."
			}
			if importAllowed(f.dir, target) {
				continue
			}
			t.Errorf("%s imports %s: package %s (rule %q) may import only %v", f.path, p, f.dir, rule, allowed)
		}
	}
}

// importAllowed reports whether the package in dir may import target:
// target is dir itself (an external test package), or the rule covering
// target is in the import list of the rule covering dir.
func importAllowed(dir, target string) bool {
	if target == dir {
		return true
	}
	_, imports, ok := layerOf(dir)
	rule, _, known := layerOf(target)
	return ok && known && slices.Contains(imports, rule)
}

// TestLayeringCatchesViolations checks the table on imports it must refuse
// and allow, so that the guard cannot silently rot.
func TestLayeringCatchesViolations(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		ok       bool
	}{
		{"sim/traffic", "sim", false},
		{"sim/capacity", "sim", false},
		{"sim/traffic", "sim/scenario", false},
		{"placement", "sim", false},
		{"metrics", "autoscale", false},
		{"sim", "sim/scenario", false},
		{"sim", "examples/quickstart", false},
		{"examples/scenario", "cmd/ecssim", false},
		{"sim", "sim/traffic", true},
		{"sim", "sim/dist", true},
		{"sim/traffic", "sim/dist", true},
		{"sim/scenario", "sim", true},
		{"sim/scenario", "sim/traffic", true},
		{"examples/quickstart", "sim/traffic", true},
		{"examples/targetsweep", "sweep", true},
		{"sweep", "sim", false},
		{"sim", "sweep", false},
		{"sim/scenario", "sweep", false},
		{"tidy", "sim/scenario", true},
		{"chart", "tidy", true},
		{"chart", "sim", false},
		{"progress", "sim", true},
		{"tidy", "chart", false},
		{"placement/placementtest", "placement", true},
		{"examples/quickstart", "sim/scenario", true},
		{"cmd/ecssim", "sim/scenario", true},
		{"autoscale", "metrics", true},
	} {
		if got := importAllowed(tc.from, tc.to); got != tc.ok {
			t.Errorf("%s importing %s: allowed = %v, want %v", tc.from, tc.to, got, tc.ok)
		}
	}
}

// forbiddenTime are the time functions that read or wait on the wall clock.
var forbiddenTime = []string{"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "Tick", "NewTimer", "NewTicker"}

// allowedRand are the math/rand names that do not draw from the global
// generator: constructors taking an explicit source, and types.
var allowedRand = []string{"New", "NewPCG", "NewChaCha8", "NewSource", "NewZipf", "Rand", "PCG", "ChaCha8", "Source", "Zipf"}

// TestNoAmbientNondeterminism walks the syntax trees of the core packages
// and fails on wall-clock reads, the global random generator and go
// statements: the determinism contract of sim/doc.go.
func TestNoAmbientNondeterminism(t *testing.T) {
	checked := 0
	for _, f := range parseModule(t, 0) {
		if !slices.Contains(corePackages, f.top) || strings.HasSuffix(f.path, "_test.go") {
			continue
		}
		checked++
		for _, v := range nondeterminism(f.ast) {
			t.Errorf("%s: %s", f.path, v)
		}
	}
	if checked == 0 {
		t.Fatal("no core package files were checked")
	}
}

// nondeterminism lists the ambient sources of nondeterminism used in f.
func nondeterminism(f *ast.File) []string {
	pkgs := map[string]string{} // local name -> import path, for time and math/rand
	for _, imp := range f.Imports {
		p, _ := strconv.Unquote(imp.Path.Value)
		local := ""
		switch p {
		case "time":
			local = "time"
		case "math/rand", "math/rand/v2":
			local = "rand"
		default:
			continue
		}
		if imp.Name != nil {
			local = imp.Name.Name
		}
		pkgs[local] = p
	}
	var found []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			found = append(found, "go statement (no goroutines in the core)")
		case *ast.SelectorExpr:
			id, ok := n.X.(*ast.Ident)
			if !ok || id.Obj != nil { // a local variable, not a package
				return true
			}
			switch pkgs[id.Name] {
			case "time":
				if slices.Contains(forbiddenTime, n.Sel.Name) {
					found = append(found, "time."+n.Sel.Name+" reads the wall clock; take now as an argument")
				}
			case "math/rand", "math/rand/v2":
				if !slices.Contains(allowedRand, n.Sel.Name) {
					found = append(found, "rand."+n.Sel.Name+" uses the global generator; draw from a named stream")
				}
			}
		}
		return true
	})
	return found
}

// TestOnlySweepStartsGoroutines: outside goroutinePackages no non-test
// file of the module has a go statement, the core, the examples and the
// commands included. Parallel runs go through sweep.
func TestOnlySweepStartsGoroutines(t *testing.T) {
	checked := 0
	for _, f := range parseModule(t, 0) {
		if slices.Contains(goroutinePackages, f.dir) || strings.HasSuffix(f.path, "_test.go") {
			continue
		}
		checked++
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if _, ok := n.(*ast.GoStmt); ok {
				t.Errorf("%s: go statement outside %v; run things side by side with sweep.Map", f.path, goroutinePackages)
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no files were checked")
	}
}

// TestNondeterminismCheckCatchesViolations runs the checker on a synthetic
// file so the guard itself cannot silently rot.
func TestNondeterminismCheckCatchesViolations(t *testing.T) {
	src := `package x
import ("time"; mr "math/rand/v2")
func f(r *mr.Rand, d time.Duration) { _ = time.Now(); _ = mr.IntN(3); _ = mr.New(mr.NewPCG(1, 2)); go f(r, d) }`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := nondeterminism(f)
	if len(got) != 3 || !strings.HasPrefix(got[0], "time.Now") || !strings.HasPrefix(got[1], "rand.IntN") || !strings.HasPrefix(got[2], "go statement") {
		t.Fatalf("found %q, want time.Now, rand.IntN and a go statement", got)
	}
}
