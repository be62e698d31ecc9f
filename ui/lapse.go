package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/paper"
)

// LapseButton opens, in one tap, the explanation of when the certificates
// lapse by themselves (status screen).
func (k *Kiosk) LapseButton() *widget.Button {
	return k.Control("lapse.open", k.tr.T("lapse.open"), theme.InfoIcon(), k.showLapse)
}

// showLapse shows the lapse explanation for both certificates over the
// screen, with one button to close it.
func (k *Kiosk) showLapse() {
	var pop *widget.PopUp
	var rows []fyne.CanvasObject
	rows = append(rows, Heading(k.tr.T("lapse.title")))
	for _, c := range []flow.Cert{flow.CertSign, flow.CertAuth} {
		ls := paper.LapseLines(k.tr, c)
		rows = append(rows, Strong(ls[0]))
		for _, l := range ls[1:] {
			rows = append(rows, Body(l))
		}
	}
	rows = append(rows, Body(k.tr.T("lapse.then")))
	closeB := widget.NewButtonWithIcon(k.tr.T("action.close"), theme.CancelIcon(), func() { pop.Hide() })
	k.buttons["lapse.close"] = closeB
	rows = append(rows, widget.NewSeparator(), container.NewHBox(layout.NewSpacer(), AtLeast(closeB, 240, MinTarget)))
	pop = widget.NewModalPopUp(container.New(layout.NewCustomPaddedLayout(24, 24, 32, 32), container.NewVBox(rows...)), k.win.Canvas())
	pop.Show()
}
