package ui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/ui/samples"
)

// update rewrites the golden files instead of comparing with them:
// `go test ./ui -run Golden -update` (make golden).
var update = flag.Bool("update", false, "rewrite ui/testdata/golden/*.xml from the screens as rendered now")

// TestGoldenScreens compares every sample snapshot's screen, in Japanese and
// English at 1920×1080, with its markup under testdata/golden/ (Fyne's
// test.AssertRendersToMarkup; a mismatch writes the screen's markup to
// testdata/failed/golden/ for a diff). After an intended change of a
// screen, refresh them all with `make golden` and review the diff.
func TestGoldenScreens(t *testing.T) {
	s := &fakeSession{}
	k, w := newTestKiosk(t, s)
	seen := map[string]bool{}
	if *update { // stale files of removed samples go too
		for _, d := range []string{"golden", "failed/golden"} {
			if err := os.RemoveAll(filepath.Join("testdata", d)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, lang := range []string{"ja", "en"} {
		if !k.SetHomeLanguage(lang) {
			t.Fatalf("no language %s", lang)
		}
		for i, snap := range samples.Snapshots() {
			s.snap = snap
			k.Refresh()
			Settle(w)
			name := fmt.Sprintf("golden/%s/%02d-%s.xml", lang, i+1, strings.ToLower(strings.ReplaceAll(snap.State.String(), "_", "-")))
			seen[name] = true
			goldenMarkup(t, name, w.Canvas())
		}
	}
	if *update {
		return
	}
	// A golden file whose sample is gone is stale.
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*", "*.xml"))
	for _, f := range files {
		if rel, _ := filepath.Rel("testdata", f); !seen[filepath.ToSlash(rel)] {
			t.Errorf("%s: no sample renders it (make golden removes it)", f)
		}
	}
}

// goldenMarkup asserts that c renders to the markup in testdata/name, or
// with -update writes it there.
func goldenMarkup(t *testing.T, name string, c fyne.Canvas) {
	t.Helper()
	if !*update {
		test.AssertRendersToMarkup(t, name, c)
		return
	}
	path := filepath.Join("testdata", filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(test.RenderToMarkup(c)), 0o644); err != nil {
		t.Fatal(err)
	}
}
