package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// palette is one set of the kiosk's colours (the package's col* variables).
type palette struct {
	background, foreground, primary, errorC, success, warning, button, disabled,
	disabledBtn, header, inputBorder, placeHolder, separator, hover, pressed, focus,
	overlay, shadow, selection, scrollBar, scrollBarBg, cardSurface, errorSurface,
	warningBg, onWarning, onPrimary color.NRGBA
}

// standardPalette is the light palette (every text pair ≥ 4.5:1, WCAG AA).
var standardPalette = palette{
	background: colBackground, foreground: colForeground, primary: colPrimary, errorC: colError,
	success: colSuccess, warning: colWarning, button: colButton, disabled: colDisabled,
	disabledBtn: colDisabledBtn, header: colHeader, inputBorder: colInputBorder,
	placeHolder: colPlaceHolder, separator: colSeparator, hover: colHover, pressed: colPressed,
	focus: colFocus, overlay: colOverlay, shadow: colShadow, selection: colSelection,
	scrollBar: colScrollBar, scrollBarBg: colScrollBarBg, cardSurface: colCardSurface,
	errorSurface: colErrorSurface, warningBg: colWarningBg, onWarning: colOnWarning,
	onPrimary: colOnPrimary,
}

// highContrastPalette is white and yellow on black (every text pair ≥ 7:1,
// WCAG AAA), for low vision.
var highContrastPalette = palette{
	background:   color.NRGBA{0x00, 0x00, 0x00, 0xFF},
	foreground:   color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF},
	primary:      color.NRGBA{0xFF, 0xE0, 0x00, 0xFF}, // yellow
	errorC:       color.NRGBA{0xFF, 0x9A, 0x9A, 0xFF}, // light red
	success:      color.NRGBA{0x8C, 0xF0, 0x8C, 0xFF}, // light green
	warning:      color.NRGBA{0xFF, 0xC8, 0x6E, 0xFF}, // light amber
	button:       color.NRGBA{0x26, 0x26, 0x26, 0xFF},
	disabled:     color.NRGBA{0xB4, 0xB4, 0xB4, 0xFF},
	disabledBtn:  color.NRGBA{0x1A, 0x1A, 0x1A, 0xFF},
	header:       color.NRGBA{0x14, 0x14, 0x14, 0xFF},
	inputBorder:  color.NRGBA{0xFF, 0xFF, 0xFF, 0xFF},
	placeHolder:  color.NRGBA{0xC0, 0xC0, 0xC0, 0xFF},
	separator:    color.NRGBA{0x80, 0x80, 0x80, 0xFF},
	hover:        color.NRGBA{0xFF, 0xE0, 0x00, 0x30},
	pressed:      color.NRGBA{0xFF, 0xE0, 0x00, 0x50},
	focus:        color.NRGBA{0xFF, 0xE0, 0x00, 0x80},
	overlay:      color.NRGBA{0x00, 0x00, 0x00, 0xFF},
	shadow:       color.NRGBA{0x00, 0x00, 0x00, 0x80},
	selection:    color.NRGBA{0xFF, 0xE0, 0x00, 0x60},
	scrollBar:    color.NRGBA{0xFF, 0xFF, 0xFF, 0xCC},
	scrollBarBg:  color.NRGBA{0x30, 0x30, 0x30, 0xFF},
	cardSurface:  color.NRGBA{0x0C, 0x0C, 0x0C, 0xFF},
	errorSurface: color.NRGBA{0x2A, 0x00, 0x08, 0xFF},
	warningBg:    color.NRGBA{0xFF, 0xE0, 0x00, 0xFF},
	onWarning:    color.NRGBA{0x00, 0x00, 0x00, 0xFF},
	onPrimary:    color.NRGBA{0x00, 0x00, 0x00, 0xFF},
}

// use makes p the palette the theme and the screens draw with (UI goroutine).
func (p palette) use() {
	colBackground, colForeground, colPrimary, colError = p.background, p.foreground, p.primary, p.errorC
	colSuccess, colWarning, colButton, colDisabled = p.success, p.warning, p.button, p.disabled
	colDisabledBtn, colHeader, colInputBorder, colPlaceHolder = p.disabledBtn, p.header, p.inputBorder, p.placeHolder
	colSeparator, colHover, colPressed, colFocus = p.separator, p.hover, p.pressed, p.focus
	colOverlay, colShadow, colSelection, colScrollBar = p.overlay, p.shadow, p.selection, p.scrollBar
	colScrollBarBg, colCardSurface, colErrorSurface = p.scrollBarBg, p.cardSurface, p.errorSurface
	colWarningBg, colOnWarning, colOnPrimary = p.warningBg, p.onWarning, p.onPrimary
}

// Large-text mode enlarges the text by largeTextFactor on the full-HD panel
// (28 → 35 px) and to largeTextSmall on the 1280×800 terminal (22 → 24 px).
// More does not fit there yet: at 26 px the eligibility, receipt,
// wait-for-a-clerk and status screens scroll in English, Portuguese and
// やさしい日本語 (TestResidentScreensNeedNoScrolling measures it).
const (
	largeTextFactor = 1.25
	largeTextSmall  = 24
	// smallPanel: windows narrower than this are the 1280×800 terminal's.
	smallPanel = 1600
)

// LargeText and HighContrast report the resident's display settings.
func (k *Kiosk) LargeText() bool { return k.large }

// HighContrast reports whether the high-contrast palette is on.
func (k *Kiosk) HighContrast() bool { return k.high }

// SetDisplay sets large text and high contrast for this session (the next
// resident starts with neither) and draws the screen again.
func (k *Kiosk) SetDisplay(large, high bool) {
	if large == k.large && high == k.high {
		return
	}
	k.large, k.high = large, high
	if high {
		highContrastPalette.use()
	} else {
		standardPalette.use()
	}
	k.textNow = 0 // the layout picks the size again
	k.fitText(k.root.Size())
	k.app.Settings().SetTheme(NewTheme(k.textNow).ForLang(k.tr.Lang()))
	k.rebuild()
	k.say(k.tr.T("speech.display", "Large", k.large, "High", k.high))
}

// fitText sets textNow and small for a window of size s: Options.TextSize on
// a full-HD panel, 22 px below 1600 px width; larger in large-text mode. It
// reports whether either changed — the page then has to be built again. A
// zero size (not laid out yet) keeps the panel as it was.
func (k *Kiosk) fitText(s fyne.Size) bool {
	small := k.small
	if s.Width > 0 {
		small = s.Width < smallPanel
	}
	want := k.opts.TextSize
	if small && want > 22 {
		want = 22
	}
	if k.large && small {
		want = max(want, largeTextSmall)
	} else if k.large {
		want *= largeTextFactor
	}
	if want == k.textNow && small == k.small {
		return false
	}
	k.textNow, k.small = want, small
	return true
}

// onDisplay opens the display chooser: large text and high contrast, each a
// big toggle, and close.
func (k *Kiosk) onDisplay() {
	var pop *widget.PopUp
	tr := k.tr
	toggle := func(id, label string, on bool, do func()) fyne.CanvasObject {
		b := widget.NewButtonWithIcon(label, theme.CheckButtonIcon(), func() { pop.Hide(); do() })
		if on {
			b.Icon = theme.CheckButtonCheckedIcon()
			b.Importance = widget.HighImportance
		}
		k.buttons[id] = b
		return AtLeast(b, 480, KeyHeight)
	}
	closeB := widget.NewButtonWithIcon(tr.T("action.close"), theme.CancelIcon(), func() { pop.Hide() })
	k.buttons["display.close"] = closeB
	content := container.NewVBox(Heading(tr.T("header.display")),
		toggle("display.large", tr.T("display.large"), k.large, func() { k.SetDisplay(!k.large, k.high) }),
		toggle("display.contrast", tr.T("display.contrast"), k.high, func() { k.SetDisplay(k.large, !k.high) }),
		widget.NewSeparator(),
		container.NewHBox(layout.NewSpacer(), AtLeast(closeB, 240, MinTarget)))
	pop = widget.NewModalPopUp(container.NewStack(container.New(layout.NewCustomPaddedLayout(24, 24, 32, 32), content)), k.win.Canvas())
	k.openPopup(pop, tr.T("header.display"), []string{"display.large", "display.contrast", "display.close"})
}
