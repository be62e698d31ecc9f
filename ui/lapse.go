package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

// policyCert maps the flow's certificate to policy's.
func policyCert(c flow.Cert) policy.Cert {
	if c == flow.CertSign {
		return policy.CertSign
	}
	return policy.CertAuth
}

// lapseLines says in plain words when certificate c lapses by itself
// (policy.RevocationCauses): a lead line, then one line per cause.
func lapseLines(tr *i18n.Catalogue, c flow.Cert) []string {
	out := []string{tr.T("lapse.lead." + c.String())}
	for _, r := range policy.RevocationCauses(policyCert(c)) {
		out = append(out, "・"+tr.T("lapse."+string(r)))
	}
	return out
}

// lapseNotes are the lapse explanations for the certificates given (sign
// first), closed by what to do then; none for no certificate.
func lapseNotes(tr *i18n.Catalogue, certs []flow.Cert) []string {
	var out []string
	for _, c := range []flow.Cert{flow.CertSign, flow.CertAuth} {
		for _, x := range certs {
			if x == c {
				out = append(out, lapseLines(tr, c)...)
			}
		}
	}
	if len(out) > 0 {
		out = append(out, tr.T("lapse.then"))
	}
	return out
}

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
		ls := lapseLines(k.tr, c)
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
