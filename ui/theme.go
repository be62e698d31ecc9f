package ui

import (
	"encoding/binary"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/assets"
)

// Kiosk colours. Every text/background pair used on screen reaches WCAG 2.1 AA
// (4.5:1) and most reach AAA (7:1); theme_test.go checks the ratios.
var (
	colBackground   = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF} // white
	colForeground   = color.NRGBA{0x1A, 0x1A, 0x1A, 0xFF} // near black
	colPrimary      = color.NRGBA{0x00, 0x4E, 0xB0, 0xFF} // strong blue
	colError        = color.NRGBA{0xB0, 0x00, 0x20, 0xFF} // warning red
	colSuccess      = color.NRGBA{0x1A, 0x6B, 0x32, 0xFF} // dark green
	colWarning      = color.NRGBA{0x8A, 0x4B, 0x00, 0xFF} // dark amber (text on white)
	colButton       = color.NRGBA{0xE4, 0xEA, 0xF2, 0xFF} // light blue-grey
	colDisabled     = color.NRGBA{0x5E, 0x5E, 0x5E, 0xFF} // disabled text
	colDisabledBtn  = color.NRGBA{0xEE, 0xEE, 0xEE, 0xFF}
	colHeader       = color.NRGBA{0xE8, 0xF0, 0xFA, 0xFF} // step header band
	colInputBorder  = color.NRGBA{0x4A, 0x4A, 0x4A, 0xFF}
	colPlaceHolder  = color.NRGBA{0x59, 0x59, 0x59, 0xFF}
	colSeparator    = color.NRGBA{0xB8, 0xC2, 0xCE, 0xFF}
	colHover        = color.NRGBA{0x00, 0x4E, 0xB0, 0x22}
	colPressed      = color.NRGBA{0x00, 0x4E, 0xB0, 0x44}
	colFocus        = color.NRGBA{0x00, 0x4E, 0xB0, 0x66}
	colOverlay      = color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF}
	colShadow       = color.NRGBA{0x00, 0x00, 0x00, 0x40}
	colSelection    = color.NRGBA{0x00, 0x4E, 0xB0, 0x40}
	colScrollBar    = color.NRGBA{0x4A, 0x4A, 0x4A, 0xCC}
	colScrollBarBg  = color.NRGBA{0xE0, 0xE0, 0xE0, 0xFF}
	colCardSurface  = color.NRGBA{0xF4, 0xF7, 0xFB, 0xFF} // certificate card background
	colErrorSurface = color.NRGBA{0xFD, 0xEE, 0xEF, 0xFF} // background of warning boxes
	colWarningBg    = color.NRGBA{0xFF, 0xC2, 0x3D, 0xFF} // behind dark text only
	colOnWarning    = colForeground
	colOnPrimary    = colBackground // text on primary, error and success fills
)

// Touch target sizes in device-independent pixels (1 dp = 1 px at scale 1 on
// the 1920×1080 panel).
const (
	// MinTarget is the smallest height of anything a resident can tap.
	MinTarget float32 = 64
	// PrimaryHeight is the height of a screen's one primary action.
	PrimaryHeight float32 = 88
	// KeyHeight is the height of a keypad key.
	KeyHeight float32 = 80
)

var (
	fontRegular     = fyne.NewStaticResource("BIZUDGothic-Regular.ttf", withLineMargin(assets.FontRegular()))
	fontBold        = fyne.NewStaticResource("BIZUDGothic-Bold.ttf", withLineMargin(assets.FontBold()))
	fontPropRegular = newLazyFont("BIZUDPGothic-Regular.ttf", func() []byte { return withLineMargin(assets.FontPropRegular()) })
	fontPropBold    = newLazyFont("BIZUDPGothic-Bold.ttf", func() []byte { return withLineMargin(assets.FontPropBold()) })
	fontCJKRegular  = fyne.NewStaticResource("NotoSansCJKsc-Regular-subset.otf", assets.FontCJKRegular())
	fontCJKBold     = fyne.NewStaticResource("NotoSansCJKsc-Bold-subset.otf", assets.FontCJKBold())
)

// lineMargin is the room added below the baseline of every line of text, as
// a fraction of the font size.
const lineMargin = 0.12

// withLineMargin deepens the font's descent by lineMargin (in the hhea and
// OS/2 tables, whichever the shaper reads) and returns the patched font.
//
// BIZ UDGothic's ascent and descent add up to exactly one em (1802 + 246 of
// 2048 units), and Fyne makes a text object exactly that tall and draws it
// into a texture of that height: the descenders of p, q, y and g, which
// reach 244 units down and one pixel more after the baseline is rounded
// up, were clipped, and the lines of wrapped text touched — a descender
// ran into the next line's capitals and accents (issue 10). A deeper
// descent gives every text box room for its descenders and wrapped lines a
// gap. b is the font file as read (a copy); it is changed in place. A font
// whose tables cannot be found is returned unchanged.
func withLineMargin(b []byte) []byte {
	be := binary.BigEndian
	table := func(tag string) []byte {
		if len(b) < 12 {
			return nil
		}
		n := int(be.Uint16(b[4:]))
		for i := 0; i < n; i++ {
			rec := 12 + 16*i
			if rec+16 > len(b) {
				return nil
			}
			if string(b[rec:rec+4]) == tag {
				off, ln := int(be.Uint32(b[rec+8:])), int(be.Uint32(b[rec+12:]))
				if off < 0 || ln < 0 || off+ln > len(b) {
					return nil
				}
				return b[off : off+ln]
			}
		}
		return nil
	}
	head, hhea, os2 := table("head"), table("hhea"), table("OS/2")
	if len(head) < 20 || len(hhea) < 10 || len(os2) < 78 {
		return b
	}
	extra := int(float64(be.Uint16(head[18:])) * lineMargin) // unitsPerEm
	deepen := func(at []byte) { be.PutUint16(at, uint16(int16(be.Uint16(at))-int16(extra))) }
	deepen(hhea[6:])                                          // descender (negative)
	deepen(os2[70:])                                          // sTypoDescender (negative)
	be.PutUint16(os2[76:], be.Uint16(os2[76:])+uint16(extra)) // usWinDescent (positive)
	return b
}

// Theme is the kiosk's look: the default Fyne theme with BIZ UDGothic, large
// text and a light high-contrast palette. The zero value is not usable; build
// it with NewTheme.
type Theme struct {
	base fyne.Theme
	text float32
	prop bool // proportional BIZ UDPGothic (Latin-script languages)
	cjk  bool // Noto Sans CJK SC subset (Korean, Chinese, Vietnamese)
}

var _ fyne.Theme = (*Theme)(nil)

// NewTheme returns the kiosk theme with body text of textSize pixels (28 for
// the 1920×1080 panel, 22 for 1280×800; values below 20 are raised to 20).
func NewTheme(textSize float32) *Theme {
	if textSize < 20 {
		textSize = 20
	}
	return &Theme{base: theme.DefaultTheme(), text: textSize}
}

// ForLang returns the theme for a language: BIZ UDGothic for Japanese
// (and やさしい日本語), the bundled subset of Noto Sans CJK SC for Korean,
// Simplified Chinese and Vietnamese (BIZ UDGothic has neither Hangul, nor
// many simplified characters, nor Vietnamese letters), and the proportional
// BIZ UDPGothic for the other languages, written in Latin letters.
func (t *Theme) ForLang(tag string) *Theme {
	c := *t
	c.prop, c.cjk = false, false
	switch tag {
	case "ja", "ja-x-easy":
	case "ko", "zh-Hans", "vi":
		c.cjk = true
	default:
		c.prop = true
	}
	return &c
}

// Color returns the kiosk palette; the kiosk is always light, whatever the
// operating system's variant.
func (t *Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameMenuBackground:
		return colBackground
	case theme.ColorNameOverlayBackground:
		return colOverlay
	case theme.ColorNameForeground:
		return colForeground
	case theme.ColorNameForegroundOnWarning:
		return colOnWarning
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return colPrimary
	case theme.ColorNameForegroundOnPrimary, theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnSuccess:
		return colOnPrimary
	case theme.ColorNameError:
		return colError
	case theme.ColorNameSuccess:
		return colSuccess
	case theme.ColorNameWarning:
		return colWarningBg
	case theme.ColorNameButton:
		return colButton
	case theme.ColorNameDisabledButton:
		return colDisabledBtn
	case theme.ColorNameDisabled:
		return colDisabled
	case theme.ColorNameHeaderBackground:
		return colHeader
	case theme.ColorNameInputBorder:
		return colInputBorder
	case theme.ColorNamePlaceHolder:
		return colPlaceHolder
	case theme.ColorNameSeparator:
		return colSeparator
	case theme.ColorNameHover:
		return colHover
	case theme.ColorNamePressed:
		return colPressed
	case theme.ColorNameFocus:
		return colFocus
	case theme.ColorNameShadow:
		return colShadow
	case theme.ColorNameSelection:
		return colSelection
	case theme.ColorNameScrollBar:
		return colScrollBar
	case theme.ColorNameScrollBarBackground:
		return colScrollBarBg
	}
	return t.base.Color(n, theme.VariantLight)
}

// Font returns the language's font (see ForLang), bold for bold styles; monospace text keeps the default monospace font.
func (t *Theme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Monospace || s.Symbol:
		return t.base.Font(s)
	case t.cjk && s.Bold:
		return fontCJKBold
	case t.cjk:
		return fontCJKRegular
	case t.prop && s.Bold:
		return fontPropBold
	case t.prop:
		return fontPropRegular
	case s.Bold:
		return fontBold
	}
	return fontRegular
}

// Icon returns the default icons.
func (t *Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base.Icon(n) }

// Size scales the default sizes up for a touch panel read at arm's length.
func (t *Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return t.text
	case theme.SizeNameHeadingText:
		return t.text * 1.6
	case theme.SizeNameSubHeadingText:
		return t.text * 1.25
	case theme.SizeNameCaptionText:
		return t.text * 0.8
	case theme.SizeNameInlineIcon:
		return t.text * 1.2
	case theme.SizeNamePadding:
		return 8
	case theme.SizeNameInnerPadding:
		return 16
	case theme.SizeNameLineSpacing:
		return 6
	case theme.SizeNameInputBorder:
		return 3
	case theme.SizeNameInputRadius, theme.SizeNameSelectionRadius:
		return 10
	case theme.SizeNameScrollBar:
		return 24
	case theme.SizeNameScrollBarSmall:
		return 8
	case theme.SizeNameSeparatorThickness:
		return 2
	}
	return t.base.Size(n)
}

// tightTheme is the kiosk theme with less padding, for dense read-only
// panels on the 1280×800 terminal (the certificate cards of the status
// screen); text sizes, colours and fonts stay those of the kiosk.
type tightTheme struct{ fyne.Theme }

// Size halves the padding around and inside widgets.
func (t tightTheme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNamePadding:
		return 4
	case theme.SizeNameInnerPadding:
		return 6
	case theme.SizeNameLineSpacing:
		return 3
	}
	return t.Theme.Size(n)
}

// Tight shows o with tightTheme over the current kiosk theme.
func Tight(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(o, tightTheme{fyne.CurrentApp().Settings().Theme()})
}
