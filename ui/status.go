package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func init() { registerPage(flow.StateStatus, status) }

// status is the home screen of a session: both certificates explained side
// by side (expiry, days left, renewal window, PIN tries) and the services the
// flow offers, one tap each.
// It shows the two certificate cards and the service tiles.
func status(k *Kiosk, s flow.Snapshot) Page {
	tr := k.tr
	compact := k.Compact() // the 1280×800 panel
	var tiles []fyne.CanvasObject
	var primary *Action
	var offers []flow.Offer
	for _, o := range s.Offers {
		if o.Service == s.Recommended && o.PIN == flow.PINNone {
			// The one action this resident needs is the primary action:
			// in the action bar, in view on both panels, not the last
			// grey tile.
			o := o
			primary = &Action{ID: serviceID(o), Label: tr.T(serviceID(o)), Icon: serviceIcon(o.Service),
				Do: func() { onService(k, o) }}
			continue
		}
		offers = append(offers, o)
	}
	var hint fyne.CanvasObject
	switch {
	case len(s.Locked) > 0:
		hint = WarningPanel(tr.T("screen.status.locked_hint"))
	case s.Recommended == flow.ServicePrepare && (s.Auth.Expired || s.Sign.Expired):
		// What next for an expired certificate: a new one, free of charge.
		hint = WarningPanel(tr.T("screen.status.expired_hint"))
	}
	// Five or six services, or a hint above them: on the 1920×1080 panel
	// too, the certificate cards leave out their purpose line and the
	// tiles take the minimum touch height, so that every service stays in
	// view in every language (three columns are too narrow for the
	// service names in Latin-script languages).
	crowded := compact || len(offers) > 4 || hint != nil
	tileH := float32(KeyHeight)
	if crowded {
		tileH = MinTarget
	}
	for _, o := range offers {
		tiles = append(tiles, AtLeast(serviceButton(k, o), 0, tileH))
	}
	cards := container.NewGridWithColumns(2,
		CertCard(tr, flow.CertSign, s.Sign, s.Tries.Sign, crowded),
		CertCard(tr, flow.CertAuth, s.Auth, s.Tries.Auth, crowded))
	// The third PIN (basic information) fills the empty cell of the last
	// row of tiles when there is one: all three PINs' tries without a row
	// more.
	basic := container.NewPadded(BasicInfoTries(k, s))
	rows := []fyne.CanvasObject{cards}
	switch {
	case len(tiles)%2 == 1:
		tiles = append(tiles, basic)
		if hint != nil {
			rows = append(rows, hint)
		}
	case hint != nil: // hint and the third PIN side by side: one row
		rows = append(rows, container.NewGridWithColumns(2, hint, basic))
	default:
		rows = append(rows, basic)
	}
	// Two columns right under the cards, without a caption.
	rows = append(rows, container.NewGridWithColumns(2, tiles...))
	return Page{
		Title:   tr.T("screen.status.title"),
		Body:    container.NewVBox(rows...),
		Primary: primary,
		Secondary: []Action{{ID: "cancel", Label: tr.T("action.finish"), Icon: theme.LogoutIcon(),
			Do: func() { k.Send(flow.Cancel{}) }},
			k.lapseAction()}, // when a certificate lapses by itself: one tap
		Wide: true,
	}
}

// serviceID is a service's id and message key: "service.<SERVICE>[.<PIN>]".
func serviceID(o flow.Offer) string {
	id := "service." + o.Service.String()
	if o.Service == flow.ServicePINCheck || o.Service == flow.ServicePINChange {
		id += "." + o.PIN.String()
	}
	return id
}

// serviceButton is one service tile; its id is serviceID.
func serviceButton(k *Kiosk, o flow.Offer) *widget.Button {
	id := serviceID(o)
	b := k.Tappable(id, k.tr.T(id), serviceIcon(o.Service), func() { onService(k, o) })
	b.Alignment = widget.ButtonAlignLeading
	return b
}

// serviceIcon is the icon of a service.
func serviceIcon(svc flow.Service) fyne.Resource {
	icon := theme.NavigateNextIcon()
	switch svc {
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
	return icon
}

func onService(k *Kiosk, o flow.Offer) {
	k.Send(flow.SelectService{Service: o.Service, PIN: o.PIN})
}

// TriesSummary lists the tries left of all three PINs (signature,
// authentication, basic information) on one line each.
func TriesSummary(k *Kiosk, s flow.Snapshot) fyne.CanvasObject {
	var rows []fyne.CanvasObject
	for _, p := range []flow.PIN{flow.PINSign, flow.PINAuth, flow.PINBasicInfo} {
		rows = append(rows, Body(triesLine(k, s, p)))
	}
	return container.NewVBox(rows...)
}

// BasicInfoTries is the status screen's line for the third PIN, the
// basic-information (券面事項入力補助) PIN, which has no certificate card of
// its own: name and tries left, red when locked or at the last try.
func BasicInfoTries(k *Kiosk, s flow.Snapshot) fyne.CanvasObject {
	text := triesLine(k, s, flow.PINBasicInfo)
	if n := s.Tries.BasicInfo; n == 0 || n == 1 {
		return Emphasis(text, theme.ColorNameError)
	}
	return Body(text)
}

func triesLine(k *Kiosk, s flow.Snapshot, p flow.PIN) string {
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
	return text
}
