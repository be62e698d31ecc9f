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

// lapseAction opens, in one tap, the explanation of when the certificates
// lapse by themselves (status and eligibility screens).
func (k *Kiosk) lapseAction() Action {
	return Action{ID: "lapse.open", Label: k.tr.T("lapse.open"), Icon: theme.InfoIcon(), Do: k.showLapse}
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
	w := min(1100, k.win.Canvas().Size().Width*0.8) // paragraphs wrap to the popup's width
	pop = widget.NewModalPopUp(container.New(layout.NewCustomPaddedLayout(24, 24, 32, 32), AtLeast(container.NewVBox(rows...), w, 0)), k.win.Canvas())
	pop.Show()
}
