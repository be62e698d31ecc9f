package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func init() { registerPage(flow.StateReading, reading) }

// reading shows progress while the card is identified; the card must stay in.
// It shows an activity bar and "do not remove the card".
func reading(k *Kiosk, s flow.Snapshot) Page {
	tr := k.tr
	return Page{Title: tr.T("screen.reading.title"), Body: Progress(tr.T("screen.reading.lead"), tr.T("common.keep_card_in"))}
}

// Progress is the body of a busy screen: a lead sentence, an infinite
// progress bar and a warning line.
func Progress(lead, warning string) fyne.CanvasObject {
	bar := widget.NewProgressBarInfinite()
	l := Heading(lead)
	l.Alignment = fyne.TextAlignCenter
	w := Emphasis(warning, theme.ColorNameError)
	w.Alignment = fyne.TextAlignCenter
	return container.NewVBox(layoutSpacer(80), l, AtLeast(bar, 600, 48), w)
}

// layoutSpacer is empty vertical space of h pixels.
func layoutSpacer(h float32) fyne.CanvasObject {
	return AtLeast(container.NewStack(), 1, h)
}
