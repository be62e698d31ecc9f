package flow

import (
	"context"
	"github.com/jpki-kiosk/kiosk/policy"
	"time"
)

// --- preparing issuance ---

// chooseCerts computes both certificates' eligibility and opens the choice.
func (m *Machine) chooseCerts(now time.Time) {
	m.pin.closeField()
	m.chooseRefresh(now)
	m.st = StateChooseCerts
}

// chooseRefresh asks policy about the whole request in one call (both
// certificates, the chosen ones counted): per-certificate eligibility, and
// the route, fee, visits and documents of the choice. It runs again whenever
// what the session knows or the choice changes.
func (m *Machine) chooseRefresh(now time.Time) {
	q := QuoteQuery{Today: m.today(now), BirthDate: m.birth, CardExpiry: m.cardExpiry}
	unconfirmed := false
	for _, c := range []Cert{CertSign, CertAuth} {
		var cur *CertInfo
		if c == CertAuth {
			cur = m.info.Auth
		} else if m.signKnown {
			cur = m.sign
		} else if m.info.Auth != nil {
			// Unread without the sign PIN: both certificates are issued
			// together, so the auth certificate's expiry stands in for it;
			// the clerk confirms at approval (SIGN_EXPIRY_UNCONFIRMED).
			cur = m.info.Auth
			unconfirmed = true
		}
		cq := CertQuery{Cert: c, Chosen: m.prep.selected.Has(c)}
		if cur != nil {
			cq.Expiry = dateOf(cur.NotAfter, m.loc(now))
		}
		q.Certs = append(q.Certs, cq)
	}
	qt := m.cfg.Rules.Quote(q)
	m.prep.choices = nil
	for _, ce := range qt.Certs {
		ce.Reasons = append([]string(nil), ce.Reasons...)
		ce.Documents = append([]string(nil), ce.Documents...)
		if ce.Cert == CertSign && unconfirmed {
			ce.Reasons = append(ce.Reasons, reasonUnconfirm)
		}
		m.prep.choices = append(m.prep.choices, ce)
	}
	m.prep.total = quoteTotal{route: qt.Route, feeYen: qt.FeeYen, visits: qt.Visits, documents: append([]string(nil), qt.Documents...)}
}

func (m *Machine) choice(c Cert) *CertEligibility {
	for i := range m.prep.choices {
		if m.prep.choices[i].Cert == c {
			return &m.prep.choices[i]
		}
	}
	return nil
}

// summarize opens the eligibility summary of the chosen certificates.
func (m *Machine) summarize() {
	m.st = StateEligibility
	m.reasons = nil
	if !m.anyAllowed() {
		m.setOutcome(OutcomeNotEligible)
	}
}

func (m *Machine) anyAllowed() bool {
	for _, c := range m.prep.selected.Certs() {
		if ce := m.choice(c); ce != nil && ce.Allowed {
			return true
		}
	}
	return false
}

// combined is the route, fee, visits and documents of the allowed choices,
// as policy totalled them.
func (m *Machine) combined() (Route, int, int, []string) {
	t := m.prep.total
	return t.route, t.feeYen, t.visits, t.documents
}

// afterSummary is Next on the summary (only when something is allowed): a
// ticket and the wait for a clerk, the counter, or the new PINs (route self).
func (m *Machine) afterSummary(now time.Time) {
	route, _, _, _ := m.combined()
	switch route {
	case RouteSelf:
		m.queueNewPINs(now)
	case RouteApproval:
		if !m.takeTicket(now, RouteApproval) {
			return
		}
		m.st = StateWaitApproval
		m.setOutcome(OutcomeWaiting)
	default:
		m.toCounter(now, RouteCounter)
	}
}

func (m *Machine) queueNewPINs(now time.Time) {
	m.pin.queue = nil
	for _, c := range m.prep.selected.Certs() {
		if ce := m.choice(c); ce != nil && ce.Allowed {
			m.pin.queue = append(m.pin.queue, c)
		}
	}
	m.nextNewPIN(now)
}

// ticketMatches reports whether a staff decision names the waiting ticket:
// a decision without a ticket ID, or for another ticket, is not this
// resident's.
func (m *Machine) ticketMatches(id string) bool {
	return m.prep.ticket != nil && id != "" && id == m.prep.ticket.ID
}

func (m *Machine) onApproved(e StaffApproved, now time.Time) bool {
	if m.st != StateWaitApproval || !m.ticketMatches(e.TicketID) {
		return false
	}
	m.prep.approvalID = e.ApprovalID
	if !e.CardExpiry.IsZero() {
		m.cardExpiry = dateOf(e.CardExpiry, m.loc(now))
		m.chooseRefresh(now)
		var reasons []string
		for _, c := range m.prep.selected.Certs() {
			if ce := m.choice(c); ce != nil && !ce.Allowed {
				reasons = append(reasons, ce.Reasons...)
			}
		}
		if !m.anyAllowed() {
			m.reasons = reasons
			m.st = StateGoToCounter
			m.setOutcome(OutcomeCounter)
			return true
		}
	}
	m.queueNewPINs(now)
	return true
}

// toCounter takes a ticket for the counter and says so.
func (m *Machine) toCounter(now time.Time, route Route) {
	if m.prep.ticket == nil && !m.takeTicket(now, route) {
		return
	}
	m.st = StateGoToCounter
	m.setOutcome(OutcomeCounter)
}

// takeTicket draws a ticket; on failure it goes to FAILED.
func (m *Machine) takeTicket(now time.Time, route Route) bool {
	req := TicketRequest{Service: m.svc, Purpose: "pin-reset", Route: route, Certs: m.prep.selected, Reasons: append([]string(nil), m.reasons...)}
	if m.svc == ServicePrepare {
		req.Purpose = string(PurposeNew)
		for _, c := range m.prep.selected.Certs() {
			if ce := m.choice(c); ce != nil {
				req.Reasons = append(req.Reasons, ce.Reasons...)
				if ce.Purpose == PurposeRenew {
					req.Purpose = string(PurposeRenew)
				}
			}
		}
		_, req.FeeYen, _, _ = m.combined()
	} else if m.pin.which == PINSign || m.pin.which == PINAuth {
		req.Certs = CertSet{Sign: m.pin.which == PINSign, Auth: m.pin.which == PINAuth}
	} else {
		req.Certs = CertSet{Sign: m.info.Retries.Sign == 0, Auth: m.info.Retries.Auth == 0}
	}
	if req.Certs.Empty() {
		// Nothing chosen yet (the basic-info PIN is locked before the
		// choice): the counter looks at both certificates.
		req.Certs = CertSet{Sign: true, Auth: true}
		if m.svc == ServicePrepare {
			req.Purpose = string(PurposeNew)
			if a := m.info.Auth; a != nil {
				req.Purpose = string(policy.IssuePurpose(toDate(m.today(now)), toDate(dateOf(a.NotAfter, m.loc(now)))))
			}
		}
	}
	t, err := m.cfg.Recorder.TakeTicket(context.Background(), m.session, req)
	if err != nil {
		m.recErr(err)
		m.errCode = ErrCodeTicket
		m.st = StateFailed
		m.setOutcome(OutcomeFailed)
		return false
	}
	m.prep.ticket = &t
	return true
}

// --- dates ---

func (m *Machine) loc(now time.Time) *time.Location {
	if m.cfg.Location != nil {
		return m.cfg.Location
	}
	return now.Location()
}

func (m *Machine) today(now time.Time) time.Time { return dateOf(now, m.loc(now)) }

// dateOf is t's calendar date in loc, as midnight UTC (for day arithmetic).
func dateOf(t time.Time, loc *time.Location) time.Time {
	return policy.DateIn(t, loc).Midnight()
}
