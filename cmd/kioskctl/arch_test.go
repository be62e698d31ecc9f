package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestArchitecture enforces the import direction of DESIGN.md section 2 from
// `go list -deps`: card, policy, store and ui/flow stay free of Fyne and of
// the layers above them; only cmd and demo wiring use the virtual card.
func TestArchitecture(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go tool not on PATH")
	}
	const mod = "github.com/jpki-kiosk/kiosk/"
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
		out, err := exec.Command("go", "list", "-deps", "./../../"+r.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", r.pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, f := range r.forbidden {
				full := f
				if !strings.Contains(f, ".") {
					full = mod + f
				}
				if dep == full || strings.HasPrefix(dep, strings.TrimSuffix(full, "/")+"/") {
					t.Errorf("%s depends on %s (DESIGN.md section 2 forbids %s)", r.pkg, dep, f)
				}
			}
		}
	}
}
