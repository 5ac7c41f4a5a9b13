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

// allowedImports is the import table of DESIGN.md §2: for each top-level
// directory, the module's top-level directories its packages may import
// (besides their own subpackages). Standard library and third-party imports
// are not limited here.
var allowedImports = map[string][]string{
	"internal":     {"internal"},
	"metrics":      {"internal"},
	"placement":    {"internal"},
	"loadbalancer": {"internal"},
	"autoscale":    {"internal", "metrics"},
	"sim":          {"internal", "metrics", "placement", "autoscale", "loadbalancer"},
	"examples":     {"internal", "metrics", "placement", "autoscale", "loadbalancer", "sim"},
	".":            {"internal", "metrics", "placement", "autoscale", "loadbalancer", "sim"},
}

// corePackages are the directories whose non-test code must be free of
// ambient nondeterminism.
var corePackages = []string{"sim", "placement", "autoscale", "metrics", "loadbalancer", "internal"}

type goFile struct {
	path string // slash-separated, relative to the module root
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
		files = append(files, goFile{path: rel, top: top, ast: f})
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

// TestLayering enforces the dependency direction: no leaf imports sim, the
// leaves import each other only as the table allows, and nothing imports
// examples.
func TestLayering(t *testing.T) {
	for _, f := range parseModule(t, parser.ImportsOnly) {
		allowed, ok := allowedImports[f.top]
		if !ok {
			t.Errorf("%s: top-level directory %q is not in DESIGN.md's layout", f.path, f.top)
			continue
		}
		for _, imp := range f.ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p != module && !strings.HasPrefix(p, module+"/") {
				continue
			}
			rest := strings.TrimPrefix(strings.TrimPrefix(p, module), "/")
			target, _, _ := strings.Cut(rest, "/")
			if target == "" {
				target = "."
			}
			if target == f.top || slices.Contains(allowed, target) {
				continue
			}
			t.Errorf("%s imports %s: %s may import only %v (DESIGN.md §2)", f.path, p, f.top, allowed)
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
// statements (DESIGN.md §3).
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
