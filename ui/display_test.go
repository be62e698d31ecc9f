package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/samples"
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

// On the 1280×800 terminal, in large text, high contrast and both, the
// main resident screens need no scrolling and no header title is cut off;
// the settings last until the next resident's insert-card screen.
func TestDisplayModesFitTheSmallPanel(t *testing.T) {
	s := &fakeSession{snap: statusSnap()}
	k, w := newTestKiosk(t, s)
	t.Cleanup(standardPalette.use)
	size := fyne.Size{Width: 1280, Height: 800}
	w.Resize(size)
	snaps := append(samples.Snapshots(), statusSnap(), worstPINSnap(flow.StateEnterPIN, false),
		worstPINSnap(flow.StateEnterPIN, true), worstPINSnap(flow.StateRepeatPIN, true))
	for _, mode := range []struct{ large, high bool }{{true, false}, {false, true}, {true, true}} {
		for _, lang := range []string{"ja", "en"} {
			k.Tr().SetLang(lang)
			for _, snap := range snaps {
				s.snap = snap
				k.render(snap)
				k.SetDisplay(mode.large, mode.high)
				Settle(w)
				w.Canvas().Capture()
				where := func() string {
					return lang + " " + snap.State.String() + " large=" + boolStr(mode.large) + " high=" + boolStr(mode.high)
				}
				walk(w.Canvas().Content(), func(o fyne.CanvasObject) {
					switch v := o.(type) {
					case *container.Scroll:
						need, have := v.Content.MinSize(), v.Size()
						if v.Visible() && (need.Height > have.Height+0.5 || need.Width > have.Width+0.5) {
							t.Errorf("%s: content %.0fx%.0f in a %.0fx%.0f viewport", where(), need.Width, need.Height, have.Width, have.Height)
						}
					case *widget.Label:
						if v.Truncation == fyne.TextTruncateEllipsis && v.Visible() {
							need := fyne.MeasureText(v.Text, fyne.CurrentApp().Settings().Theme().Size(v.SizeName), v.TextStyle).Width
							if need > v.Size().Width {
								t.Errorf("%s: title %q cut off (%.0f px in %.0f)", where(), v.Text, need, v.Size().Width)
							}
						}
					}
				})
				if pe, ok := k.Screen().(*pinEntry); ok {
					for _, b := range append(pe.Keypad().allKeys(), pe.Keypad().Backspace(), pe.Keypad().Clear()) {
						inWindow(t, size, lang, snap.State.String(), b)
					}
				}
			}
		}
	}
	if !k.LargeText() || !k.HighContrast() {
		t.Fatal("display settings lost between screens")
	}
	s.snap = flow.Snapshot{Seq: 99, State: flow.StateInsertCard}
	k.render(s.snap)
	if k.LargeText() || k.HighContrast() || colBackground != standardPalette.background {
		t.Error("the next resident inherits large text / high contrast")
	}
}

func boolStr(b bool) string {
	if b {
		return "on"
	}
	return "off"
}
