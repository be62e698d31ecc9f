package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func init() { registerPage(flow.StateEligibility, eligibility) }

// eligibility is the summary before anything is requested: per chosen
// certificate the new expiry (or why not), then who finishes it (route), the
// fee, the visits and the documents to show. Next takes a ticket (or goes on
// to the new PINs where the resident may finish alone).
// It shows the summary.
func eligibility(k *Kiosk, s flow.Snapshot) Page {
	tr := k.tr
	var certs []fyne.CanvasObject
	for _, ch := range s.Choices {
		if !s.Selected.Has(ch.Cert) {
			continue
		}
		name := tr.T("cert." + ch.Cert.String() + ".name")
		rows := []fyne.CanvasObject{Strong(name)}
		if ch.Allowed {
			if !ch.NewExpiry.IsZero() {
				rows = append(rows, Body(tr.T("screen.eligibility.new_expiry", "Date", tr.Date(ch.NewExpiry))))
			}
			for _, r := range ch.Reasons {
				rows = append(rows, Body("・"+tr.T("reason."+r)))
			}
			if ch.Cert == flow.CertSign { // before deciding to renew: the one that lapses on a move
				rows = append(rows, Body(tr.T("lapse.short.SIGN")))
			}
		} else {
			rows = append(rows, Emphasis(tr.T("screen.eligibility.not_here"), theme.ColorNameError))
			for _, r := range ch.Reasons {
				rows = append(rows, Body("・"+tr.T("reason."+r)))
			}
		}
		certs = append(certs, Panel(colCardSurface, container.NewVBox(rows...)))
	}
	var facts []fyne.CanvasObject
	fact := func(label, value string) {
		facts = append(facts, container.NewBorder(nil, nil, AtLeast(Body(label), 280, 0), nil, Strong(value)))
	}
	if s.CanContinue {
		fact(tr.T("screen.eligibility.route"), tr.T("route."+string(s.Route)))
		if s.FeeYen == 0 {
			fact(tr.T("screen.eligibility.fee"), tr.T("screen.eligibility.free"))
		} else {
			fact(tr.T("screen.eligibility.fee"), tr.Yen(s.FeeYen))
		}
		if s.Visits > 1 {
			fact(tr.T("screen.eligibility.visits"), tr.N("screen.eligibility.visits_n", s.Visits))
		}
		if len(s.Documents) > 0 {
			var docs []fyne.CanvasObject
			for _, d := range s.Documents {
				docs = append(docs, Body("・"+tr.T("doc."+d)))
			}
			facts = append(facts, widget.NewSeparator(), Strong(tr.T("screen.eligibility.documents")), container.NewVBox(docs...))
		}
	} else {
		facts = append(facts, WarningPanel(tr.T("screen.eligibility.none_allowed")))
	}
	var body fyne.CanvasObject = container.NewGridWithColumns(2, container.NewVBox(certs...), container.NewVBox(facts...))
	if k.Compact() { // the 1280×800 terminal: less padding, no scrolling
		body = Tight(body)
	}
	page := Page{
		Title: tr.T("screen.eligibility.title"),
		Body:  body,
		Wide:  true,
		Secondary: []Action{{ID: "back", Label: tr.T("screen.eligibility.rechoose"), Icon: theme.NavigateBackIcon(),
			Do: func() { k.Send(flow.Back{}) }},
			{ID: "cancel", Label: tr.T("action.back_to_menu"), Icon: theme.CancelIcon(), Do: func() { k.Send(flow.Cancel{}) }},
			k.lapseAction()},
	}
	if s.CanContinue {
		page.Primary = &Action{ID: "next", Label: tr.T("screen.eligibility.next." + string(s.Route)), Icon: theme.NavigateNextIcon(),
			Do: func() { k.Send(flow.Next{}) }}
	}
	return page
}
