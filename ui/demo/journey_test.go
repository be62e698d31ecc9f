package demo

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// TestEveryJourneyFits walks every persona through every service the kiosk
// offers it (Headless.Journeys: status, PIN check and change of each PIN,
// renewal or issuance with and without the optional signature PIN, the
// counter's ticket; a 住基カード to its notice), with the demo's virtual
// reader, the real flow machine, the training issuer and the operator
// panel's clerk. On every screen reached it checks:
//
//   - nothing needs scrolling: every scroll container's content fits it;
//   - every button (actions, services, keypad keys) lies wholly inside the
//     window and is at least MinTarget high;
//   - nothing is clipped: no widget or text is laid out smaller than its
//     minimum size (a text box shorter than its text cuts off descenders,
//     issue 10) or reaches outside the window;
//   - the staff session is closed whenever a resident holds the kiosk (the
//     walk starts with the clerk signed in and left so).
//
// Every step is checked as walked (Japanese, 1920×1080). Each different
// kind of screen (screenKey) is re-laid out on the 1280×800 and the
// full-HD panel, each in the next offered language in turn, so that every
// language meets every panel over the walk; JOURNEYS_ALL=1 checks every
// kind of screen in every language on both panels (six times as long).
func TestEveryJourneyFits(t *testing.T) {
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(sizes[0])
	h, err := NewHeadless(a, w, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	journeys, err := h.Journeys()
	if err != nil {
		t.Fatal(err)
	}
	var langs []string
	for _, l := range h.Kiosk.Offered() {
		if l.Tag != "ja" {
			langs = append(langs, l.Tag)
		}
	}
	langs = append(langs, "ja") // each size starts with a change of language: the screen is rebuilt for it
	if len(langs) < 6 {
		t.Fatalf("%d languages offered: %v", len(langs), langs)
	}
	all := os.Getenv("JOURNEYS_ALL") == "1"
	report := func(id string, size fyne.Size, where, problem string) {
		t.Errorf("%s: %s", where, problem)
	}
	screens := map[string]bool{}
	checked := map[string]bool{} // screens already checked in every panel and language
	layouts := 0
	for _, j := range journeys {
		var path []string
		err := h.Walk(j, func(step int) error {
			id := h.Kiosk.ScreenID()
			path = append(path, id)
			screens[id] = true
			if ui.ResidentHeld(id) {
				if c, ok := h.Desk.Desk().Clerk(); ok {
					t.Errorf("%s step %d: %s holds the kiosk while %s's staff session is open", j.Name(), step, id, c.ID)
				}
			}
			where := func(size fyne.Size, lang string) string {
				return fmt.Sprintf("%s step %d %s %.0fx%.0f %s", j.Name(), step, id, size.Width, size.Height, lang)
			}
			// Every step as walked: Japanese on the full-HD panel.
			ui.Settle(w)
			layouts++
			for _, p := range fitProblems(w) {
				report(id, sizes[0], where(sizes[0], "ja"), p)
			}
			// Each different screen (what it shows, not the persona's
			// dates) once more on the 1280×800 panel and the full-HD one,
			// each in the next language in turn: every language on every
			// kind of screen over the walk (JOURNEYS_ALL=1: every language
			// for every screen, about six times as long).
			key := screenKey(h.Kiosk.Snapshot())
			if checked[key] {
				return nil
			}
			checked[key] = true
			n := len(checked)
			for i, size := range []fyne.Size{sizes[1], sizes[0]} {
				these := []string{langs[(2*n+i)%len(langs)]}
				if all {
					these = langs
				}
				w.Resize(size)
				for _, lang := range these {
					if lang == h.Kiosk.Tr().Lang() { // a change of language rebuilds the screen for the panel
						h.Kiosk.Tr().SetLang(langs[(2*n+i+1)%len(langs)])
					}
					h.Kiosk.Tr().SetLang(lang)
					ui.Settle(w)
					layouts++
					for _, p := range fitProblems(w) {
						report(id, size, where(size, lang), p)
					}
				}
			}
			h.Kiosk.Tr().SetLang("ja")
			w.Resize(sizes[0])
			return nil
		})
		if err != nil {
			t.Errorf("%v (path %s)", err, strings.Join(path, " → "))
		}
		t.Logf("%s: %s", j.Name(), strings.Join(path, " → "))
	}
	// The walks must reach the screens of every service, or they test little.
	for _, id := range []string{"STATUS", "LAST_TRY_CONFIRM", "ENTER_PIN", "NEW_PIN", "REPEAT_PIN", "PIN_CHECKED", "PIN_CHANGED",
		"CHOOSE_CERTS", "ELIGIBILITY", "WAIT_APPROVAL", "RECEIPT", "GO_TO_COUNTER", "JUKI_CARD"} {
		if !screens[id] {
			t.Errorf("no journey reaches %s", id)
		}
	}
	t.Logf("%d journeys, %d screens, %d different screens, %d languages, 2 panels: %d layouts checked", len(journeys), len(screens), len(checked), len(langs), layouts)
}

// screenKey tells screens apart by what takes room on them: the state,
// the PIN asked and why, the service, the error, the number of services
// and which one is recommended, the certificates that can be chosen — not
// the dates or the persona.
func screenKey(s flow.Snapshot) string {
	k := fmt.Sprintf("%s|%s|%s|%s|%v|%v|%s|%d|%s|%d|%v", s.State, s.Service, s.PIN.Which, s.PIN.Purpose, s.PIN.Optional, s.LastTryWarning,
		s.Error, len(s.Offers), s.Recommended, len(s.Locked), s.WaitHere)
	for _, c := range s.Choices {
		k += fmt.Sprintf("|%s %v %d", c.Cert, c.Allowed, len(c.Reasons))
	}
	return k
}

// fitProblems lists what on w's canvas is out of view, needs scrolling or
// is clipped.
func fitProblems(w fyne.Window) []string {
	var out []string
	win := w.Canvas().Size()
	var walk func(o fyne.CanvasObject, at fyne.Position)
	walk = func(o fyne.CanvasObject, at fyne.Position) {
		if !o.Visible() {
			return
		}
		at = at.Add(o.Position())
		size, end := o.Size(), at.Add(o.Size())
		outside := at.X < -0.5 || at.Y < -0.5 || end.X > win.Width+0.5 || end.Y > win.Height+0.5
		switch x := o.(type) {
		case *container.Scroll:
			need := x.Content.MinSize()
			if need.Height > size.Height+0.5 || need.Width > size.Width+0.5 {
				out = append(out, fmt.Sprintf("content %.0fx%.0f in a %.0fx%.0f viewport: must scroll", need.Width, need.Height, size.Width, size.Height))
			}
		case *widget.Button:
			if outside || size.Height < ui.MinTarget-0.5 {
				out = append(out, fmt.Sprintf("button %q at (%.0f,%.0f)–(%.0f,%.0f) out of view or too small", x.Text, at.X, at.Y, end.X, end.Y))
			}
		case *canvas.Text:
			if x.Text != "" && (outside || size.Height < x.MinSize().Height-0.5) {
				out = append(out, fmt.Sprintf("text %q in a %.0fx%.0f box at (%.0f,%.0f) (needs %.0f high): clipped", x.Text, size.Width, size.Height, at.X, at.Y, x.MinSize().Height))
			}
		}
		if wd, ok := o.(fyne.Widget); ok && size.Width > 0 {
			if min := wd.MinSize(); size.Height < min.Height-0.5 || size.Width < min.Width-0.5 {
				out = append(out, fmt.Sprintf("%T laid out %.0fx%.0f, needs %.0fx%.0f: clipped", o, size.Width, size.Height, min.Width, min.Height))
			}
		}
		switch c := o.(type) {
		case *fyne.Container:
			for _, k := range c.Objects {
				walk(k, at)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(c).Objects() {
				walk(k, at)
			}
		}
	}
	walk(w.Canvas().Content(), fyne.Position{})
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, fyne.Position{})
	}
	return out
}
