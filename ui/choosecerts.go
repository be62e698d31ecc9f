package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func init() { registerPage(flow.StateChooseCerts, chooseCerts) }

// chooseCerts lets the resident choose the certificates to renew or issue:
// one big tile per certificate with what policy says about it, plus "both".
// One tap on a tile chooses and goes on (the flow moves to the summary).
// It shows the tiles.
func chooseCerts(k *Kiosk, s flow.Snapshot) Page {
	tr := k.tr
	var tiles []fyne.CanvasObject
	allowed := flow.CertSet{}
	legalRep := false
	for _, ch := range s.Choices {
		for _, r := range ch.Reasons {
			legalRep = legalRep || r == "LEGAL_REP_REQUIRED"
		}
		if ch.Cert == flow.CertSign && !ch.Allowed && s.Sign.Known && !s.Sign.Present {
			// A signature certificate this card cannot carry (an
			// under-15's): never offered.
			continue
		}
		tiles = append(tiles, certTile(k, ch))
		if ch.Allowed {
			if ch.Cert == flow.CertSign {
				allowed.Sign = true
			} else {
				allowed.Auth = true
			}
		}
	}
	var notes []fyne.CanvasObject
	if legalRep {
		// Policy routes an under-15's certificate to the counter, with a
		// legal representative: say so whatever can be chosen today.
		notes = append(notes, WarningPanel(tr.T("screen.choose_certs.legal_rep")))
	}
	if allowed.Empty() {
		notes = append(notes, WarningPanel(tr.T("screen.choose_certs.none")))
	}
	rows := []fyne.CanvasObject{Heading(tr.T("screen.choose_certs.lead"))}
	if len(tiles) == 1 && len(notes) > 0 {
		// One certificate (an under-15's card): its tile and what to do
		// side by side. Below each other, in half the width, they pushed
		// the notes below the fold.
		rows = append(rows, container.NewGridWithColumns(2, tiles[0], container.NewVBox(notes...)))
	} else {
		rows = append(rows, container.NewGridWithColumns(2, tiles...))
		rows = append(rows, notes...)
	}
	page := Page{
		Title: tr.T("screen.choose_certs.title"),
		Body:  container.NewVBox(rows...),
		Wide:  true,
		Secondary: []Action{{ID: "back", Label: tr.T("action.back_to_menu"), Icon: theme.NavigateBackIcon(),
			Do: func() { k.Send(flow.Back{}) }}},
	}
	if allowed.Empty() {
		// Nothing to choose: going back is the one thing to do.
		page.Secondary = nil
		page.Primary = &Action{ID: "back", Label: tr.T("action.back_to_menu"), Icon: theme.NavigateBackIcon(),
			Do: func() { k.Send(flow.Back{}) }}
	}
	if allowed.Sign && allowed.Auth {
		// Both is the usual choice: the primary action, always in view in the
		// action bar, whatever the panel size and language.
		page.Primary = &Action{ID: "certs.BOTH", Label: tr.T("screen.choose_certs.both"), Icon: theme.ContentAddIcon(),
			Do: func() { k.Send(flow.SelectCerts{Certs: allowed}) }}
	}
	return page
}

// certTile is one certificate: name, what policy says, and the choose button
// (disabled when the certificate cannot be issued here).
func certTile(k *Kiosk, ch flow.CertEligibility) fyne.CanvasObject {
	tr := k.tr
	name := tr.T("cert." + ch.Cert.String() + ".name")
	rows := []fyne.CanvasObject{Body(tr.T("purpose." + string(ch.Purpose)))}
	if ch.Allowed && !ch.NewExpiry.IsZero() {
		rows = append(rows, Strong(tr.T("screen.choose_certs.new_expiry", "Date", tr.Date(ch.NewExpiry))))
	}
	for _, r := range ch.Reasons {
		if ch.Allowed {
			rows = append(rows, Body("・"+tr.T("reason."+r)))
		} else {
			rows = append(rows, Emphasis(tr.T("reason."+r), theme.ColorNameError))
		}
	}
	set := flow.CertSet{Sign: ch.Cert == flow.CertSign, Auth: ch.Cert == flow.CertAuth}
	b := k.Tappable("certs."+ch.Cert.String(), tr.T("screen.choose_certs.choose", "Cert", name), theme.NavigateNextIcon(),
		func() { k.Send(flow.SelectCerts{Certs: set}) })
	if !ch.Allowed {
		b.Disable()
	}
	title := Strong(name)
	title.SizeName = theme.SizeNameSubHeadingText
	btnH := float32(KeyHeight)
	if k.Compact() { // the 1280×800 panel: the minimum touch height, so that
		btnH = MinTarget // a renewal's reasons in Portuguese stay in view
	}
	content := fyne.CanvasObject(container.NewBorder(title, AtLeast(b, 0, btnH), nil, nil, container.NewVBox(rows...)))
	if k.Compact() {
		content = Tight(content)
	}
	return Panel(colCardSurface, content)
}
