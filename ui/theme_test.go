package ui

import (
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// luminance is the WCAG 2.1 relative luminance.
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	ch := func(v uint32) float64 {
		s := float64(v) / 0xFFFF
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(r) + 0.7152*ch(g) + 0.0722*ch(b)
}

func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func TestThemeContrastAA(t *testing.T) {
	test.NewTempApp(t)
	th := NewTheme(28)
	c := func(n fyne.ThemeColorName) color.Color { return th.Color(n, theme.VariantDark) }
	pairs := []struct {
		name   string
		fg, bg color.Color
	}{
		{"text on background", c(theme.ColorNameForeground), c(theme.ColorNameBackground)},
		{"text on button", c(theme.ColorNameForeground), c(theme.ColorNameButton)},
		{"text on header band", c(theme.ColorNameForeground), c(theme.ColorNameHeaderBackground)},
		{"text on card surface", c(theme.ColorNameForeground), colCardSurface},
		{"primary button text", c(theme.ColorNameForegroundOnPrimary), c(theme.ColorNamePrimary)},
		{"primary text on white", c(theme.ColorNamePrimary), c(theme.ColorNameBackground)},
		{"primary text on header", c(theme.ColorNamePrimary), c(theme.ColorNameHeaderBackground)},
		{"error text on white", c(theme.ColorNameError), c(theme.ColorNameBackground)},
		{"error text on warning box", c(theme.ColorNameError), colErrorSurface},
		{"error button text", c(theme.ColorNameForegroundOnError), c(theme.ColorNameError)},
		{"success text on white", c(theme.ColorNameSuccess), c(theme.ColorNameBackground)},
		{"success badge text", c(theme.ColorNameForegroundOnSuccess), c(theme.ColorNameSuccess)},
		{"disabled text", c(theme.ColorNameDisabled), c(theme.ColorNameBackground)},
		{"placeholder", c(theme.ColorNamePlaceHolder), c(theme.ColorNameBackground)},
		{"text on warning", c(theme.ColorNameForegroundOnWarning), c(theme.ColorNameWarning)},
	}
	for _, p := range pairs {
		if r := contrast(p.fg, p.bg); r < 4.5 {
			t.Errorf("%s: contrast %.2f < 4.5 (WCAG AA)", p.name, r)
		}
	}
	// The kiosk stays light whatever the system asks for.
	if th.Color(theme.ColorNameBackground, theme.VariantDark) != colBackground {
		t.Error("dark variant changes the background")
	}
	test.AssertAllColorNamesDefined(t, th, "kiosk")
}

func TestThemeSizesAndFont(t *testing.T) {
	a := test.NewTempApp(t)
	th := NewTheme(28)
	a.Settings().SetTheme(th)
	if s := th.Size(theme.SizeNameText); s < 28 {
		t.Errorf("body text %v px", s)
	}
	if th.Font(fyne.TextStyle{}).Name() != "BIZUDGothic-Regular.ttf" || th.Font(fyne.TextStyle{Bold: true}).Name() != "BIZUDGothic-Bold.ttf" {
		t.Error("not BIZ UDGothic")
	}
	_, o := PrimaryButton("決定", nil, nil)
	if h := o.MinSize().Height; h < MinTarget {
		t.Errorf("primary button %v px tall", h)
	}
	if h := Target(widget.NewButton("x", nil)).MinSize().Height; h < MinTarget {
		t.Errorf("target %v px tall", h)
	}
	if NewTheme(10).Size(theme.SizeNameText) < 20 {
		t.Error("text below 20 px accepted")
	}
}

func TestFontFollowsTheLanguage(t *testing.T) {
	for _, c := range []struct {
		lang      string
		reg, bold fyne.Resource
	}{
		{"ja", fontRegular, fontBold},
		{"ko", fontCJKRegular, fontCJKBold}, // Korean, Chinese and Vietnamese: the Noto Sans CJK subset
		{"zh-Hans", fontCJKRegular, fontCJKBold},
		{"vi", fontCJKRegular, fontCJKBold},
		{"en", fontPropRegular, fontPropBold},
		{"pt-BR", fontPropRegular, fontPropBold},
	} {
		th := NewTheme(28).ForLang(c.lang)
		if th.Font(fyne.TextStyle{}) != c.reg || th.Font(fyne.TextStyle{Bold: true}) != c.bold {
			t.Errorf("%s: fonts %s / %s", c.lang, th.Font(fyne.TextStyle{}).Name(), th.Font(fyne.TextStyle{Bold: true}).Name())
		}
	}
	if NewTheme(28).ForLang("en").Size(theme.SizeNameText) != 28 {
		t.Error("ForLang changed the text size")
	}
}
