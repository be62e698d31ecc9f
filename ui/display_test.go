package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// Every text/background pair of both palettes, computed from the theme's
// colours: ≥ 4.5:1 in the standard palette (WCAG AA), ≥ 7:1 in high
// contrast (AAA).
func TestPaletteContrast(t *testing.T) {
	test.NewTempApp(t)
	t.Cleanup(standardPalette.use)
	for _, m := range []struct {
		name string
		p    palette
		min  float64
	}{{"standard", standardPalette, 4.5}, {"high contrast", highContrastPalette, 7}} {
		m.p.use()
		th := NewTheme(28)
		fg := []struct {
			name string
			n    fyne.ThemeColorName
		}{
			{"text", theme.ColorNameForeground}, {"primary", theme.ColorNamePrimary},
			{"error", theme.ColorNameError}, {"success", theme.ColorNameSuccess},
			{"disabled", theme.ColorNameDisabled}, {"placeholder", theme.ColorNamePlaceHolder},
		}
		bgs := map[string]any{
			"background": th.Color(theme.ColorNameBackground, 0), "header": th.Color(theme.ColorNameHeaderBackground, 0),
			"card": colCardSurface,
		}
		for _, f := range fg {
			for bn, bg := range bgs {
				if f.n == theme.ColorNameDisabled && bn != "background" {
					continue
				}
				if r := contrast(th.Color(f.n, 0), bg.(interface{ RGBA() (r, g, b, a uint32) })); r < m.min {
					t.Errorf("%s: %s on %s %.2f:1 < %.1f", m.name, f.name, bn, r, m.min)
				}
			}
		}
		pairs := []struct {
			name   string
			fg, bg fyne.ThemeColorName
		}{
			{"text on button", theme.ColorNameForeground, theme.ColorNameButton},
			{"primary button text", theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
			{"error button text", theme.ColorNameForegroundOnError, theme.ColorNameError},
			{"success badge text", theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
			{"text on warning", theme.ColorNameForegroundOnWarning, theme.ColorNameWarning},
		}
		for _, p := range pairs {
			if r := contrast(th.Color(p.fg, 0), th.Color(p.bg, 0)); r < m.min {
				t.Errorf("%s: %s %.2f:1 < %.1f", m.name, p.name, r, m.min)
			}
		}
		for _, p := range []struct {
			name   string
			fg, bg any
		}{
			{"error text on warning box", colError, colErrorSurface},
			{"warning text", colWarning, colBackground},
			{"warning text on card", colWarning, colCardSurface},
		} {
			type rgba interface{ RGBA() (r, g, b, a uint32) }
			if r := contrast(p.fg.(rgba), p.bg.(rgba)); r < m.min {
				t.Errorf("%s: %s %.2f:1 < %.1f", m.name, p.name, r, m.min)
			}
		}
	}
}

// TestDisplaySettingsLastTheSession: large text and high contrast stay on
// from screen to screen and end with the resident's session — the next
// resident's insert-card screen is in normal text and the standard palette.
// (That the screens fit in every mode is TestResidentScreensNeedNoScrolling.)
func TestDisplaySettingsLastTheSession(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	t.Cleanup(standardPalette.use)
	w.Resize(fyne.Size{Width: 1280, Height: 800})
	k.render(s.snap)
	k.SetDisplay(true, true)
	if k.textSize() != largeTextSmall || colBackground != highContrastPalette.background {
		t.Fatalf("large text %.0f px, background %v", k.textSize(), colBackground)
	}
	for _, snap := range []flow.Snapshot{worstPINSnap(flow.StateEnterPIN, true), worstPINSnap(flow.StateRepeatPIN, true)} {
		s.snap = snap
		k.render(snap)
	}
	if !k.LargeText() || !k.HighContrast() || k.textSize() != largeTextSmall {
		t.Fatal("display settings lost between screens")
	}
	s.snap = flow.Snapshot{Seq: 99, State: flow.StateInsertCard}
	k.render(s.snap)
	if k.LargeText() || k.HighContrast() || colBackground != standardPalette.background || k.textSize() != 22 {
		t.Error("the next resident inherits large text / high contrast")
	}
}
func boolStr(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
