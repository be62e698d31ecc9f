package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func init() { registerPage(flow.StateWaitApproval, waitApproval) }

// waitApproval shows the ticket while a clerk is called to check the
// resident's identity and approve. The clerk's button opens the staff hook
// (StaffApprove) on this very terminal.
// It shows the ticket number, what to have ready, and the clerk's button.
func waitApproval(k *Kiosk, s flow.Snapshot) Page {
	tr := k.tr
	rows := []fyne.CanvasObject{Heading(tr.T("screen.wait_approval.lead"))}
	if s.Ticket != nil {
		rows = append(rows, TicketPanel(tr.T("ticket.label"), s.Ticket.Number))
	}
	rows = append(rows, Body(tr.T("screen.wait_approval.explain")))
	if len(s.Documents) > 0 {
		rows = append(rows, Strong(tr.T("screen.eligibility.documents")))
		for _, d := range s.Documents {
			rows = append(rows, Body("・"+tr.T("doc."+d)))
		}
	}
	bar := widget.NewProgressBarInfinite()
	rows = append(rows, AtLeast(bar, 0, 24))
	return Page{
		Title: tr.T("screen.wait_approval.title"),
		Body:  container.NewVBox(rows...),
		Secondary: []Action{
			{ID: "cancel", Label: tr.T("action.cancel"), Icon: theme.CancelIcon(), Do: func() { k.Send(flow.Cancel{}) }},
			{ID: "staff", Label: tr.T("screen.wait_approval.staff"), Icon: theme.AccountIcon(), Do: func() { k.staff(StaffApprove) }},
		},
	}
}
