// Package paper lays out the kiosk's paper receipt: the translated text of a
// flow snapshot's receipt for package printer, and when certificates lapse
// by themselves (policy.RevocationCauses) in plain words. It has no Fyne, so
// kioskctl prints the same receipt as the kiosk.
package paper

import (
	"strconv"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
	"github.com/jpki-kiosk/kiosk/ui/printer"
)

// Receipt is the paper receipt for snapshot s (a RECEIPT or
// PIN_CHANGED snapshot) in the kiosk's language: what was done, new expiry
// dates, fee, the ticket number, the date, the QR code when withQR, and when
// a new certificate lapses. Nothing personal is on it.
func Receipt(tr *i18n.Catalogue, s flow.Snapshot, withQR bool) printer.Receipt {
	rc := s.Receipt
	r := printer.Receipt{Title: tr.T("screen.receipt." + s.State.String() + ".title"), Latin: tr.Lang() != "ja"}
	if rc == nil {
		return r
	}
	for _, d := range rc.Done {
		r.Done = append(r.Done, tr.T("done."+d))
	}
	var certs []flow.Cert
	for _, c := range []flow.Cert{flow.CertSign, flow.CertAuth} { // as on the screen
		if _, ok := rc.NewExpiry[c]; !ok {
			continue
		}
		certs = append(certs, c)
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
	r.Notes = LapseNotes(tr, certs)
	return r
}

// LapseLines says in plain words when certificate c lapses by itself
// (policy.RevocationCauses): a lead line, then one line per cause.
func LapseLines(tr *i18n.Catalogue, c flow.Cert) []string {
	out := []string{tr.T("lapse.lead." + c.String())}
	for _, r := range policy.RevocationCauses(c) {
		out = append(out, "・"+tr.T("lapse."+string(r)))
	}
	return out
}

// LapseNotes are the lapse explanations for the certificates given (sign
// first), closed by what to do then; none for no certificate.
func LapseNotes(tr *i18n.Catalogue, certs []flow.Cert) []string {
	var out []string
	for _, c := range []flow.Cert{flow.CertSign, flow.CertAuth} {
		for _, x := range certs {
			if x == c {
				out = append(out, LapseLines(tr, c)...)
			}
		}
	}
	if len(out) > 0 {
		out = append(out, tr.T("lapse.then"))
	}
	return out
}

// SampleNames lists the sample receipts, for kioskctl receipt print.
func SampleNames() []string { return []string{"renewal", "new", "reissue-lost", "pin-change"} }

// Sample returns a sample receipt snapshot with fixed dates (false for an
// unknown name). The QR data carries no personal data, like a real one.
func Sample(name string) (flow.Snapshot, bool) {
	d := func(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC) }
	s := flow.Snapshot{State: flow.StateReceipt, Service: flow.ServicePrepare}
	both := map[flow.Cert]time.Time{flow.CertSign: d(2032, 12, 24), flow.CertAuth: d(2032, 12, 24)}
	switch name {
	case "renewal":
		s.Receipt = &flow.Receipt{Service: flow.ServicePrepare, Done: []string{"ISSUED_SIGN", "ISSUED_AUTH"}, NewExpiry: both,
			Ticket: 17, Date: d(2026, 11, 21), QR: "JPKIK1;k=DEMO;s=S1;d=20261121;do=ISSUED_SIGN+ISSUED_AUTH;fee=0;t=17;a=A1"}
	case "new":
		s.Receipt = &flow.Receipt{Service: flow.ServicePrepare, Done: []string{"ISSUED_AUTH"}, NewExpiry: map[flow.Cert]time.Time{flow.CertAuth: d(2032, 12, 24)},
			Ticket: 18, Date: d(2026, 11, 21), QR: "JPKIK1;k=DEMO;s=S2;d=20261121;do=ISSUED_AUTH;fee=0;t=18;a=A2"}
	case "reissue-lost":
		s.Receipt = &flow.Receipt{Service: flow.ServicePrepare, Done: []string{"ISSUED_SIGN", "ISSUED_AUTH"}, NewExpiry: both, FeeYen: policy.ReissueFeeYen,
			Ticket: 19, Date: d(2026, 11, 21), QR: "JPKIK1;k=DEMO;s=S3;d=20261121;do=ISSUED_SIGN+ISSUED_AUTH;fee=200;t=19;a=A3"}
	case "pin-change":
		s.State, s.Service = flow.StatePINChanged, flow.ServicePINChange
		s.Receipt = &flow.Receipt{Service: flow.ServicePINChange, Done: []string{"PIN_CHANGED_AUTH"}, Date: d(2026, 11, 21),
			QR: "JPKIK1;k=DEMO;s=S4;d=20261121;do=PIN_CHANGED_AUTH;fee=0"}
	default:
		return flow.Snapshot{}, false
	}
	return s, true
}
