package kiosk_test

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// mod is the module path (go.mod).
const mod = "github.com/jpki-kiosk/kiosk/"

// under reports whether import path dep is the package rel (relative to the
// module unless it contains a dot) or one below it.
func under(dep, rel string) bool {
	full := rel
	if !strings.Contains(rel, ".") {
		full = mod + rel
	}
	full = strings.TrimSuffix(full, "/")
	return dep == full || strings.HasPrefix(dep, full+"/")
}

func goList(t *testing.T, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	out, err := exec.Command("go", append([]string{"list"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("go list %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// TestArchitecture enforces the import direction of DESIGN.md section 2 from
// `go list -deps`: card, policy, store and ui/flow stay free of Fyne and of
// the layers above them.
func TestArchitecture(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string // prefixes, relative to the module unless they contain a dot
	}{
		{"policy", []string{"card", "store", "ui", "cmd", "fyne.io/"}},
		{"card", []string{"card/vcard", "card/issue", "ui", "policy", "store", "cmd", "fyne.io/"}},
		{"store", []string{"card", "ui", "cmd", "fyne.io/"}},
		{"store/fleet", []string{"card", "ui", "cmd", "fyne.io/"}},
		{"ui/flow", []string{"fyne.io/", "card/vcard", "cmd"}},
		{"ui/flow/staff", []string{"fyne.io/", "card/vcard", "cmd"}},
		{"ui/speech", []string{"fyne.io/", "card", "policy", "store", "cmd", "ui/flow"}},
		{"card/issue", []string{"card/vcard", "ui", "store", "cmd", "fyne.io/"}},
		{"ui/printer", []string{"store", "card", "ui/flow", "cmd", "fyne.io/"}},
		{"ui/paper", []string{"card/vcard", "cmd", "fyne.io/"}},
	}
	for _, r := range rules {
		for _, dep := range strings.Fields(goList(t, "-deps", "./"+r.pkg)) {
			for _, f := range r.forbidden {
				if under(dep, f) {
					t.Errorf("%s depends on %s (DESIGN.md section 2 forbids %s)", r.pkg, dep, f)
				}
			}
		}
	}
}

// TestVirtualCardUsers: only cmd and the demo wiring use the virtual card
// (card/vcard) — and card/pcsctest, test support that serves it to pcscd for
// the PC/SC tests. Direct imports of non-test files count; a test file may use
// it.
func TestVirtualCardUsers(t *testing.T) {
	allowed := []string{"cmd", "ui/demo", "card/vcard", "card/pcsctest"}
	out := goList(t, "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./...")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || slices.ContainsFunc(allowed, func(a string) bool { return under(f[0], a) }) {
			continue
		}
		for _, dep := range f[1:] {
			if under(dep, "card/vcard") {
				t.Errorf("%s imports %s: only cmd, ui/demo and card/pcsctest may (DESIGN.md section 2)", f[0], dep)
			}
		}
	}
}

// TestScreensDoNotImportStore: the screens (package ui) reach the store only
// through ui/flow and ui/flow/staff, which own the store calls and return
// their errors. Packages below ui (ui/flow/..., test support such as
// ui/samples) may import it. Checked file by file, test files excepted.
func TestScreensDoNotImportStore(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("ui", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in ui: %v", err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		base := filepath.Base(name)
		if strings.HasSuffix(base, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			if under(p, "store") {
				t.Errorf("%s imports %s: screens go through ui/flow/staff (DESIGN.md section 2)", name, p)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("checked %d files of package ui; the glob is wrong", checked)
	}
}
