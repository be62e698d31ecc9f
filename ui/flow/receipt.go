package flow

import (
	"fmt"
	"strings"
	"time"
)

func (m *Machine) makeReceipt(now time.Time, done []string, exp map[Cert]time.Time) *Receipt {
	r := &Receipt{Service: m.svc, Done: done, NewExpiry: exp, ApprovalID: m.prep.approvalID, Date: m.today(now)}
	if m.svc == ServicePrepare {
		_, r.FeeYen, _, _ = m.combined()
	}
	if m.prep.ticket != nil {
		r.Ticket = m.prep.ticket.Number
	}
	var b strings.Builder
	fmt.Fprintf(&b, "JPKIK1;k=%s;s=%s;d=%s;do=%s;fee=%d", qrSafe(m.cfg.KioskID), qrSafe(m.session),
		r.Date.Format("20060102"), strings.Join(done, "+"), r.FeeYen)
	if r.Ticket > 0 {
		fmt.Fprintf(&b, ";t=%d", r.Ticket)
	}
	if r.ApprovalID != "" {
		fmt.Fprintf(&b, ";a=%s", qrSafe(r.ApprovalID))
	}
	r.QR = b.String()
	return r
}

func qrSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ';' || r == '=' || r < 0x20 || r > 0x7e {
			return '_'
		}
		return r
	}, s)
}
