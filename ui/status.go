package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// status is the home screen of a session: both certificates explained side
// by side (expiry, days left, renewal window, PIN tries) and the services the
// flow offers, one tap each.
type status struct{ k *Kiosk }

func init() {
	Register(flow.StateStatus.String(), func(k *Kiosk) Screen { return &status{k: k} })
}

// Page shows the two certificate cards and the service tiles.
func (st *status) Page(s flow.Snapshot) Page {
	tr := st.k.tr
	compact := st.k.textNow < 28 // the 1280×800 panel
	cards := container.NewGridWithColumns(2,
		CertCard(tr, flow.CertSign, s.Sign, s.Tries.Sign, compact),
		CertCard(tr, flow.CertAuth, s.Auth, s.Tries.Auth, compact))
	tileH := float32(KeyHeight)
	if compact {
		tileH = MinTarget
	}
	var tiles []fyne.CanvasObject
	for _, o := range s.Offers {
		tiles = append(tiles, AtLeast(st.serviceButton(o), 0, tileH))
	}
	rows := []fyne.CanvasObject{cards}
	if len(s.Locked) > 0 {
		rows = append(rows, WarningPanel(tr.T("screen.status.locked_hint")))
	}
	// Two columns (service names in Latin-script languages are too long for
	// three) right under the cards, without a caption, so that all six
	// services fit on both panels without scrolling.
	rows = append(rows, container.NewGridWithColumns(2, tiles...))
	return Page{
		Title: tr.T("screen.status.title"),
		Body:  container.NewVBox(rows...),
		Secondary: []Action{{ID: "cancel", Label: tr.T("action.finish"), Icon: theme.LogoutIcon(),
			Do: func() { st.k.Send(flow.Cancel{}) }},
			st.k.lapseAction()}, // when a certificate lapses by itself: one tap
		Wide: true,
	}
}

// serviceButton is one service tile; its id is "service.<SERVICE>[.<PIN>]".
func (st *status) serviceButton(o flow.Offer) *widget.Button {
	id := "service." + o.Service.String()
	if o.Service == flow.ServicePINCheck || o.Service == flow.ServicePINChange {
		id += "." + o.PIN.String()
	}
	icon := theme.NavigateNextIcon()
	switch o.Service {
	case flow.ServiceSignExpiry:
		icon = theme.VisibilityIcon()
	case flow.ServicePINCheck:
		icon = theme.ConfirmIcon()
	case flow.ServicePINChange:
		icon = theme.DocumentCreateIcon()
	case flow.ServicePrepare:
		icon = theme.ViewRefreshIcon()
	case flow.ServiceCounter:
		icon = theme.AccountIcon()
	}
	b := st.k.Tappable(id, st.k.tr.T(id), icon, func() { st.onService(o) })
	b.Alignment = widget.ButtonAlignLeading
	return b
}

func (st *status) onService(o flow.Offer) {
	st.k.Send(flow.SelectService{Service: o.Service, PIN: o.PIN})
}

// TriesSummary lists the tries left of the signature and authentication
// PINs on one line each.
func TriesSummary(k *Kiosk, s flow.Snapshot) fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for _, p := range []flow.PIN{flow.PINSign, flow.PINAuth} {
		n := s.Tries.Of(p)
		text := k.tr.T("pin."+p.String()+".name") + ": "
		switch {
		case n < 0:
			text += k.tr.T("cert.tries_unknown")
		case n == 0:
			text += k.tr.T("cert.locked")
		default:
			text += k.tr.N("cert.tries_n", n)
		}
		rows = append(rows, Body(text))
	}
	return container.NewVBox(rows...)
}
