package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// Screen ids of the kiosk's own screens (not states of the flow).
const (
	idReaderMissing = "kiosk.reader_missing"
	idUnknownState  = "kiosk.unknown_state"
)

// notice is a screen that explains something and says what to do next: the
// error screens, results and hand-overs. Each one is a noticeSpec in the table
// of notices.go; the texts come from the catalogue under "screen.<key>.*".
type notice struct {
	k    *Kiosk
	spec noticeSpec
}

// noticeSpec describes a notice screen.
type noticeSpec struct {
	key     string               // message prefix: screen.<key>.title, .lead, .next_steps
	icon    func() fyne.Resource // the big icon left of the text (built when shown: themes need a running app)
	tone    fyne.ThemeColorName
	next    string // label key of the primary action (sends flow.Next); "" for none
	back    string // label key of a secondary action sending flow.Back; "" for none
	cancel  string // label key of a secondary action sending flow.Cancel; "" for none
	reasons bool   // list the snapshot's reason codes
	ticket  bool   // show the ticket number large
	errCode bool   // explain the snapshot's error code
	extra   func(k *Kiosk, s flow.Snapshot) []fyne.CanvasObject
}

func registerNotice(id string, spec noticeSpec) {
	Register(id, func(k *Kiosk) Screen { return &notice{k: k, spec: spec} })
}

// Page builds the notice: icon, lead sentence, details, and what to do next.
func (n *notice) Page(s flow.Snapshot) Page {
	tr := n.k.tr
	sp := n.spec
	if sp.key == "go_to_counter" && s.WaitHere {
		// A clerk resets the PIN at this kiosk: wait here with the card.
		sp.key, sp.next = "go_to_counter_here", ""
	}
	var rows []fyne.CanvasObject
	leadText := tr.T("screen." + sp.key + ".lead")
	if sp.key == "pin_locked" && s.PIN.Which > 0 {
		// After a lockout, say which PIN: "this PIN" means nothing once the
		// resident has left the PIN screen.
		leadText = tr.T("screen.pin_locked.lead_named", "PIN", tr.T("pin."+s.PIN.Which.String()+".name"))
	}
	if sp.key == "take_card" && s.Error == flow.ErrCodeTimeout {
		leadText = tr.T("screen.take_card.lead_timeout")
	}
	lead := Strong(leadText)
	lead.SizeName = theme.SizeNameSubHeadingText
	if sp.tone == theme.ColorNameError {
		lead.Importance = widget.DangerImportance
	}
	rows = append(rows, lead)
	if sp.errCode && s.Error != "" {
		rows = append(rows, Body(tr.T("error."+s.Error)))
	}
	if sp.reasons {
		for _, r := range s.Reasons {
			rows = append(rows, Body("・"+tr.T("reason."+r)))
		}
	}
	if sp.ticket && s.Ticket != nil {
		rows = append(rows, TicketPanel(tr.T("ticket.label"), s.Ticket.Number))
	}
	if sp.extra != nil {
		rows = append(rows, sp.extra(n.k, s)...)
	}
	if id := "screen." + sp.key + ".next_steps"; tr.Has("ja", id) {
		rows = append(rows, widget.NewSeparator(), Strong(tr.T("common.what_next")), Body(tr.T(id)))
	}
	icon := widget.NewIcon(sp.icon())
	body := container.NewBorder(nil, nil, container.NewVBox(AtLeast(icon, 160, 160)), nil, container.NewVBox(rows...))
	p := Page{Title: tr.T("screen." + sp.key + ".title"), Body: body}
	if sp.next != "" && s.CanContinue {
		p.Primary = &Action{ID: "next", Label: tr.T(sp.next), Icon: theme.NavigateNextIcon(), Do: func() { n.k.Send(flow.Next{}) }}
	}
	if sp.back != "" && s.CanGoBack {
		p.Secondary = append(p.Secondary, Action{ID: "back", Label: tr.T(sp.back), Icon: theme.NavigateBackIcon(), Do: func() { n.k.Send(flow.Back{}) }})
	}
	if sp.cancel != "" {
		p.Secondary = append(p.Secondary, Action{ID: "cancel", Label: tr.T(sp.cancel), Icon: theme.CancelIcon(), Do: func() { n.k.Send(flow.Cancel{}) }})
	}
	return p
}

// TicketPanel shows a ticket number large enough to read from the counter.
func TicketPanel(label string, number int) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	// The number is what the resident shows and listens for at the
	// counter: three times the body text, not a heading.
	num := canvas.NewText(strconv.Itoa(number), theme.Color(theme.ColorNamePrimary))
	num.TextStyle.Bold = true
	num.TextSize = 3 * theme.TextSize()
	num.Alignment = fyne.TextAlignCenter
	return container.NewHBox(Panel(colHeader, container.NewHBox(container.NewCenter(l),
		AtLeast(container.NewCenter(num), 220, num.MinSize().Height)))) // digits: the font's descent is room enough
}
