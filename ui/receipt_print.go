package ui

import (
	"sort"
	"strconv"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
	"github.com/jpki-kiosk/kiosk/ui/printer"
)

// PrintedReceipt is the paper receipt for snapshot s (a RECEIPT or
// PIN_CHANGED snapshot) in the kiosk's language: what was done, new expiry
// dates, fee, the ticket number, the date, the QR code when withQR, and when
// a new certificate lapses. Nothing personal is on it.
func PrintedReceipt(tr *i18n.Catalogue, s flow.Snapshot, withQR bool) printer.Receipt {
	rc := s.Receipt
	r := printer.Receipt{Title: tr.T("screen.receipt." + s.State.String() + ".title")}
	if rc == nil {
		return r
	}
	for _, d := range rc.Done {
		r.Done = append(r.Done, tr.T("done."+d))
	}
	certs := make([]flow.Cert, 0, len(rc.NewExpiry))
	for c := range rc.NewExpiry {
		certs = append(certs, c)
	}
	sort.Slice(certs, func(i, j int) bool { return certs[i] < certs[j] })
	for _, c := range certs {
		r.Rows = append(r.Rows, printer.Row{Label: tr.T("screen.receipt.new_expiry", "Cert", tr.T("cert."+c.String()+".name")), Value: tr.Date(rc.NewExpiry[c])})
	}
	if rc.Service == flow.ServicePrepare {
		fee := tr.T("screen.eligibility.free")
		if rc.FeeYen > 0 {
			fee = tr.Yen(rc.FeeYen)
		}
		r.Rows = append(r.Rows, printer.Row{Label: tr.T("screen.eligibility.fee"), Value: fee})
	}
	if !rc.Date.IsZero() {
		r.Rows = append(r.Rows, printer.Row{Label: tr.T("screen.receipt.date"), Value: tr.Date(rc.Date)})
	}
	for _, o := range rc.Outstanding {
		r.Done = append(r.Done, tr.T("error."+o))
	}
	if rc.Ticket > 0 {
		r.TicketLabel, r.Ticket = tr.T("ticket.label"), strconv.Itoa(rc.Ticket)
	}
	if withQR && rc.QR != "" {
		r.QR, r.QRCaption = rc.QR, tr.T("screen.receipt.qr_caption")
	}
	r.Notes = lapseNotes(tr, certs)
	return r
}
