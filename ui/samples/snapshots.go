// Package samples is test support: typical flow snapshots, one per state,
// and a throw-away store with a signed-in supervisor, for tests and the
// screenshot program.
package samples

import (
	"time"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// Snapshots returns one typical snapshot per flow state, with fixed
// dates, for tests and screenshots of screens the demo cannot reach quickly.
func Snapshots() []flow.Snapshot {
	d := func(y int, m time.Month, dd int) time.Time { return time.Date(y, m, dd, 0, 0, 0, 0, time.UTC) }
	auth := flow.CertView{Known: true, Present: true, Serial: "1A2B", NotAfter: d(2026, 12, 24), DaysLeft: 33, RenewableFrom: d(2026, 9, 24), Renewable: true}
	sign := flow.CertView{Known: true, Present: true, Serial: "3C4D", NotAfter: d(2026, 12, 24), DaysLeft: 33, RenewableFrom: d(2026, 9, 24), Renewable: true}
	tries := flow.Retries{Auth: 3, Sign: 5, BasicInfo: 3}
	base := flow.Snapshot{CardType: flow.CardMyNumber, Auth: auth, Sign: flow.CertView{}, Tries: tries}
	choices := []flow.CertEligibility{
		{Cert: flow.CertSign, Purpose: flow.PurposeRenew, Allowed: true, Route: flow.RouteApproval, Reasons: []string{"APPROVAL_REQUIRED", "RENEWED_BEFORE_EXPIRY"}, NewExpiry: d(2032, 12, 24), Visits: 1, Documents: []string{"MYNUMBER_CARD", "EXPIRY_NOTICE"}},
		{Cert: flow.CertAuth, Purpose: flow.PurposeRenew, Allowed: true, Route: flow.RouteApproval, Reasons: []string{"APPROVAL_REQUIRED"}, NewExpiry: d(2032, 12, 24), Visits: 1, Documents: []string{"MYNUMBER_CARD", "EXPIRY_NOTICE"}},
	}
	ticket := &flow.Ticket{Number: 17, Day: d(2026, 11, 21), ID: "T17"}
	var out []flow.Snapshot
	add := func(f func(s *flow.Snapshot)) {
		s := base
		s.Seq = uint64(len(out) + 1)
		f(&s)
		out = append(out, s)
	}
	add(func(s *flow.Snapshot) { *s = flow.Snapshot{State: flow.StateInsertCard} })
	add(func(s *flow.Snapshot) { s.State, s.Busy = flow.StateReading, true })
	add(func(s *flow.Snapshot) {
		*s = flow.Snapshot{State: flow.StateUnknownCard, CardType: flow.CardUnknown, CanContinue: true}
	})
	add(func(s *flow.Snapshot) {
		*s = flow.Snapshot{State: flow.StateJukiCard, CardType: flow.CardJuki, Reasons: []string{"JUKI_CARD"}, CanContinue: true}
	})
	add(func(s *flow.Snapshot) {
		*s = flow.Snapshot{State: flow.StateReadFailed, Error: "CARD_ERROR", CanContinue: true}
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Recommended = flow.StateStatus, flow.ServicePrepare // the auth certificate is renewable
		s.Offers = []flow.Offer{{Service: flow.ServiceSignExpiry, PIN: flow.PINSign}, {Service: flow.ServicePINCheck, PIN: flow.PINSign}, {Service: flow.ServicePINChange, PIN: flow.PINSign},
			{Service: flow.ServicePINCheck, PIN: flow.PINAuth}, {Service: flow.ServicePINChange, PIN: flow.PINAuth}, {Service: flow.ServicePrepare}}
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step = flow.StateLastTryConfirm, flow.ServicePINCheck, flow.Step{K: 1, N: 2}
		s.Tries.Sign = 1
		s.PIN = flow.PINField{Which: flow.PINSign, Purpose: "VERIFY", Rules: []string{"SIGN"}, MinLen: 6, MaxLen: 16, Left: 1}
		s.LastTryWarning, s.CanGoBack, s.CanContinue = true, true, true
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step = flow.StateEnterPIN, flow.ServicePINChange, flow.Step{K: 1, N: 4}
		s.PIN = flow.PINField{Which: flow.PINAuth, Purpose: "OLD", Rules: []string{"FOUR_DIGITS"}, MinLen: 4, MaxLen: 4, Digits: true, Left: 3}
		s.CanGoBack = true
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step = flow.StateNewPIN, flow.ServicePINChange, flow.Step{K: 2, N: 4}
		s.PIN = flow.PINField{Which: flow.PINSign, Purpose: "NEW", Rules: []string{"SIGN"}, MinLen: 6, MaxLen: 16, Left: -1}
		s.CanGoBack = true
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step = flow.StateRepeatPIN, flow.ServicePINChange, flow.Step{K: 3, N: 4}
		s.PIN = flow.PINField{Which: flow.PINAuth, Purpose: "REPEAT", Rules: []string{"FOUR_DIGITS"}, MinLen: 4, MaxLen: 4, Digits: true, Left: -1}
		s.CanGoBack = true
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.CanGoBack, s.CanContinue = flow.StatePINChecked, flow.ServicePINCheck, flow.Step{K: 2, N: 2}, true, true
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.CanGoBack, s.CanContinue = flow.StatePINChanged, flow.ServicePINChange, flow.Step{K: 4, N: 4}, true, true
		s.Receipt = &flow.Receipt{Service: flow.ServicePINChange, Done: []string{"PIN_CHANGED_AUTH"}, Date: d(2026, 11, 21), QR: "JPKIK1;k=DEMO;s=S1;d=20261121;do=PIN_CHANGED_AUTH;fee=0"}
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.CanGoBack, s.CanContinue = flow.StatePINLocked, flow.ServicePINCheck, flow.Step{K: 2, N: 2}, true, true
		s.Tries.Auth, s.Locked, s.Reasons = 0, []flow.PIN{flow.PINAuth}, []string{"PIN_LOCKED"}
		s.PIN = flow.PINField{Which: flow.PINAuth, Purpose: "VERIFY", Left: 0}
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.CanGoBack, s.CanContinue = flow.StateClosed, flow.ServicePrepare, flow.Step{K: 1, N: 6}, true, true
		s.Reasons = []string{"MAINTENANCE_SUNDAY"}
		s.Hours = flow.Hours{Reason: "MAINTENANCE_SUNDAY", NextOpen: time.Date(2026, 11, 24, 8, 30, 0, 0, time.UTC)}
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.CanGoBack = flow.StateChooseCerts, flow.ServicePrepare, flow.Step{K: 2, N: 6}, true
		s.Choices = choices
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.CanGoBack, s.CanContinue = flow.StateEligibility, flow.ServicePrepare, flow.Step{K: 3, N: 6}, true, true
		s.Choices, s.Selected = choices, flow.CertSet{Sign: true, Auth: true}
		s.Route, s.Visits, s.Documents = flow.RouteApproval, 1, []string{"MYNUMBER_CARD", "EXPIRY_NOTICE"}
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step = flow.StateWaitApproval, flow.ServicePrepare, flow.Step{K: 4, N: 6}
		s.Choices, s.Selected, s.Ticket = choices, flow.CertSet{Sign: true, Auth: true}, ticket
		s.Route, s.Documents = flow.RouteApproval, []string{"MYNUMBER_CARD", "EXPIRY_NOTICE"}
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.CanGoBack, s.CanContinue = flow.StateDeclined, flow.ServicePrepare, flow.Step{K: 4, N: 6}, true, true
		s.Reasons, s.Ticket = []string{"LEGAL_REP_REQUIRED"}, ticket
	})
	add(func(s *flow.Snapshot) {
		// A PIN reset: the clerk comes to this kiosk.
		s.State, s.Service, s.Step, s.WaitHere = flow.StateGoToCounter, flow.ServiceCounter, flow.Step{K: 1, N: 1}, true
		s.Reasons, s.Ticket = []string{"PIN_LOCKED"}, ticket
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.Busy = flow.StateIssuing, flow.ServicePrepare, flow.Step{K: 6, N: 6}, true
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.CanGoBack, s.CanContinue = flow.StateReceipt, flow.ServicePrepare, flow.Step{K: 6, N: 6}, true, true
		s.Sign = sign
		s.Receipt = &flow.Receipt{Service: flow.ServicePrepare, Done: []string{"ISSUED_SIGN", "ISSUED_AUTH"},
			NewExpiry: map[flow.Cert]time.Time{flow.CertSign: d(2032, 12, 24), flow.CertAuth: d(2032, 12, 24)},
			Ticket:    17, ApprovalID: "A1", Date: d(2026, 11, 21), QR: "JPKIK1;k=DEMO;s=S1;d=20261121;do=ISSUED_SIGN+ISSUED_AUTH;fee=0;t=17;a=A1"}
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Service, s.Step, s.CanGoBack, s.CanContinue = flow.StateFailed, flow.ServicePINChange, flow.Step{K: 4, N: 4}, true, true
		s.Error = "CARD_REMOVED"
	})
	add(func(s *flow.Snapshot) {
		s.State, s.Countdown, s.IdleFrom, s.CanContinue = flow.StateIdleCountdown, 27, flow.StateStatus, true
	})
	add(func(s *flow.Snapshot) { *s = flow.Snapshot{State: flow.StateTakeCard} })
	return out
}
