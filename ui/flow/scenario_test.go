package flow

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// Tap budget of DESIGN §7: both expiry dates and all PIN tries within 2 taps
// of inserting the card.
func TestStatusWithinTwoTaps(t *testing.T) {
	r := newRig(t, "adult")
	s := r.send(CardInserted{})
	r.want(s, StateStatus)
	if !s.Auth.Known || !s.Auth.Present || s.Auth.NotAfter.IsZero() {
		t.Fatalf("auth certificate not shown at once: %+v", s.Auth)
	}
	if s.Tries != (Retries{Auth: 3, Sign: 5, BasicInfo: 3}) {
		t.Fatalf("tries %+v", s.Tries)
	}
	if s.Sign.Known {
		t.Fatal("sign expiry known without the sign PIN")
	}
	if s.Step != (Step{}) {
		t.Fatalf("status screen has a step %+v: it belongs to no journey", s.Step)
	}
	if !slices.Contains(s.Offers, Offer{Service: ServiceSignExpiry, PIN: PINSign}) {
		t.Fatalf("no sign-expiry offer: %v", s.Offers)
	}
	r.want(r.send(SelectService{Service: ServiceSignExpiry}), StateEnterPIN)
	s = r.send(pin(signPIN))
	r.want(s, StateStatus)
	if !s.Sign.Known || !s.Sign.Present || s.Sign.DaysLeft <= 0 || !s.Auth.Known {
		t.Fatalf("after the sign PIN: sign %+v auth %+v", s.Sign, s.Auth)
	}
	if r.taps > 2 {
		t.Fatalf("both expiries and all tries took %d taps, budget 2", r.taps)
	}
	if slices.Contains(s.Offers, Offer{Service: ServiceSignExpiry, PIN: PINSign}) {
		t.Fatal("sign-expiry still offered once known")
	}
}

func TestStatusDates(t *testing.T) {
	r := newRig(t, "renewable")
	s := r.send(CardInserted{})
	// 2025-06-11 → 2025-07-20: 39 days, renewable from 2025-04-20.
	if s.Auth.DaysLeft != 39 || !s.Auth.Renewable || s.Auth.Expired {
		t.Fatalf("auth view %+v", s.Auth)
	}
	if want := time.Date(2025, 4, 20, 0, 0, 0, 0, time.UTC); !s.Auth.RenewableFrom.Equal(want) {
		t.Fatalf("renewable from %v", s.Auth.RenewableFrom)
	}
	r = newRig(t, "expired")
	s = r.send(CardInserted{})
	if !s.Auth.Expired || s.Auth.DaysLeft >= 0 {
		t.Fatalf("expired view %+v", s.Auth)
	}
	r = newRig(t, "no-certs")
	s = r.send(CardInserted{})
	if !s.Auth.Known || s.Auth.Present {
		t.Fatalf("no-certs view %+v", s.Auth)
	}
	r.send(SelectService{Service: ServiceSignExpiry})
	s = r.send(pin(signPIN))
	if !s.Sign.Known || s.Sign.Present {
		t.Fatalf("no sign cert view %+v", s.Sign)
	}
}

// A PIN change takes at most 4 taps besides the PIN characters.
func TestPINChangeWithinFourTaps(t *testing.T) {
	for _, which := range []PIN{PINSign, PINAuth} {
		t.Run(which.String(), func(t *testing.T) {
			r := newRig(t, "adult")
			r.send(CardInserted{})
			old, nw := authPIN, newAuth
			if which == PINSign {
				old, nw = signPIN, newSign
			}
			s := r.send(SelectService{Service: ServicePINChange, PIN: which})
			r.want(s, StateEnterPIN)
			if s.PIN.Which != which || s.PIN.Purpose != purposeOld || s.Step != (Step{1, 4}) {
				t.Fatalf("field %+v step %+v", s.PIN, s.Step)
			}
			s = r.send(pin(old))
			r.want(s, StateNewPIN)
			if s.Step != (Step{2, 4}) || s.PIN.Left != -1 {
				t.Fatalf("new pin step %+v field %+v", s.Step, s.PIN)
			}
			r.want(r.send(pin(nw)), StateRepeatPIN)
			s = r.send(pin(nw))
			r.want(s, StatePINChanged)
			if r.taps > 4 {
				t.Fatalf("PIN change took %d taps, budget 4", r.taps)
			}
			if r.card.pins[which] != nw {
				t.Fatal("card PIN not changed")
			}
			if s.Receipt == nil || !slices.Equal(s.Receipt.Done, []string{"PIN_CHANGED_" + which.String()}) {
				t.Fatalf("receipt %+v", s.Receipt)
			}
			r.want(r.send(Next{}), StateStatus)
		})
	}
}

func TestPINChangeRulesAndMismatch(t *testing.T) {
	r := newRig(t, "adult")
	r.send(CardInserted{})
	r.send(SelectService{Service: ServicePINChange, PIN: PINSign})
	r.send(pin(signPIN))
	if got := r.m.ValidatePIN([]byte("abc")); len(got) == 0 {
		t.Fatal("live check accepts a lower-case short PIN")
	}
	if got := r.m.ValidatePIN([]byte(newSign)); len(got) != 0 {
		t.Fatalf("live check rejects a good PIN: %v", got)
	}
	s := r.send(pin("ABCDEFG"))
	r.want(s, StateNewPIN)
	if s.Error != ErrCodePINRule || !slices.Contains(s.PIN.Problems, "SIGN_PIN_MIX") {
		t.Fatalf("error %q problems %v", s.Error, s.PIN.Problems)
	}
	r.send(pin(newSign))
	s = r.send(pin("NEW2026"))
	r.want(s, StateNewPIN)
	if s.Error != ErrCodePINMismatch {
		t.Fatalf("error %q", s.Error)
	}
	r.send(pin(newSign))
	r.want(r.send(Back{}), StateNewPIN)
	r.want(r.send(Back{}), StateStatus)
	if r.card.pins[PINSign] != signPIN {
		t.Fatal("PIN changed after going back")
	}
}

func TestPINChangeWrongOldPIN(t *testing.T) {
	r := newRig(t, "adult")
	r.send(CardInserted{})
	r.send(SelectService{Service: ServicePINChange, PIN: PINAuth})
	s := r.send(pin(wrongPIN))
	r.want(s, StateEnterPIN)
	if s.Error != ErrCodePINIncorrect || s.Tries.Auth != 2 || s.PIN.Left != 2 || s.PIN.Purpose != purposeOld {
		t.Fatalf("after a wrong PIN: %+v", s)
	}
	s = r.send(pin(wrongPIN))
	r.want(s, StateLastTryConfirm)
	if !s.LastTryWarning {
		t.Fatal("no last-try warning")
	}
	r.want(r.send(Next{}), StateEnterPIN)
	r.want(r.send(pin(authPIN)), StateNewPIN)
	if r.m.Snapshot().Tries.Auth != 3 {
		t.Fatal("tries not restored after a right PIN")
	}
}

func TestPINCheck(t *testing.T) {
	r := newRig(t, "adult")
	r.send(CardInserted{})
	r.send(SelectService{Service: ServicePINCheck, PIN: PINSign})
	s := r.send(pin(badPIN))
	r.want(s, StateEnterPIN)
	if s.Error != ErrCodePINFormat || s.Tries.Sign != 5 || r.card.calls != 1 {
		t.Fatalf("a malformed PIN reached the card or used a try: %+v calls %d", s, r.card.calls)
	}
	s = r.send(pin("ZZZ999"))
	if s.Error != ErrCodePINIncorrect || s.Tries.Sign != 4 {
		t.Fatalf("after a wrong PIN: error %q tries %d", s.Error, s.Tries.Sign)
	}
	s = r.send(pin(signPIN))
	r.want(s, StatePINChecked)
	if s.Tries.Sign != 5 || s.Step != (Step{2, 2}) {
		t.Fatalf("checked: tries %d step %+v", s.Tries.Sign, s.Step)
	}
	r.want(r.send(Next{}), StateStatus)
	r.send(Cancel{})
	if got := r.rec.ends[0].Outcome; got != OutcomePINChecked {
		t.Fatalf("outcome %s", got)
	}
}

// The last try of a PIN needs an explicit confirmation before the field opens,
// and the port is asked to use it only with that confirmation.
func TestLastTryGuard(t *testing.T) {
	r := newRig(t, "sign-one-try-left")
	s := r.send(CardInserted{})
	if s.Tries.Sign != 1 {
		t.Fatalf("tries %+v", s.Tries)
	}
	s = r.send(SelectService{Service: ServicePINCheck, PIN: PINSign})
	r.want(s, StateLastTryConfirm)
	if !s.LastTryWarning || s.PIN.Left != 1 {
		t.Fatalf("guard snapshot %+v", s)
	}
	before := r.card.calls
	r.want(r.send(pin(signPIN)), StateLastTryConfirm) // ignored: confirm first
	if r.card.calls != before {
		t.Fatal("a PIN reached the card before the last try was confirmed")
	}
	r.want(r.send(Back{}), StateStatus)
	r.send(SelectService{Service: ServicePINCheck, PIN: PINSign})
	r.want(r.send(Next{}), StateEnterPIN)
	s = r.send(pin("ZZZ999"))
	r.want(s, StatePINLocked)
	if s.Tries.Sign != 0 || !slices.Equal(s.Locked, []PIN{PINSign}) || !slices.Equal(s.Reasons, []string{"PIN_LOCKED"}) {
		t.Fatalf("locked snapshot %+v", s)
	}
	s = r.send(Next{})
	r.want(s, StateGoToCounter)
	if s.Ticket == nil || s.Ticket.Number != 1 || !slices.Contains(r.rec.tickets[0].Reasons, "PIN_LOCKED") {
		t.Fatalf("ticket %+v requests %+v", s.Ticket, r.rec.tickets)
	}
}

// A port that refuses the last try without confirmation sends the resident
// to the guard, whatever the flow believed about the counter.
func TestLastTryRefusedByPort(t *testing.T) {
	r := newRig(t, "adult")
	r.send(CardInserted{})
	r.card.tries[PINAuth] = 1 // changed behind the flow's back
	r.send(SelectService{Service: ServicePINCheck, PIN: PINAuth})
	s := r.send(pin(authPIN))
	r.want(s, StateLastTryConfirm)
	r.send(Next{})
	r.want(r.send(pin(authPIN)), StatePINChecked)
}

func TestLockedPINGoesToCounter(t *testing.T) {
	r := newRig(t, "auth-locked")
	s := r.send(CardInserted{})
	if slices.Contains(s.Offers, Offer{Service: ServicePINCheck, PIN: PINAuth}) ||
		!slices.Contains(s.Offers, Offer{Service: ServiceCounter}) {
		t.Fatalf("offers %v", s.Offers)
	}
	r.want(r.send(SelectService{Service: ServicePINChange, PIN: PINAuth}), StatePINLocked)
	r.want(r.send(Cancel{}), StateStatus)
	s = r.send(SelectService{Service: ServiceCounter})
	r.want(s, StateGoToCounter)
	if s.Ticket == nil || r.rec.tickets[0].Route != RouteCounter {
		t.Fatalf("ticket %+v", r.rec.tickets)
	}
	// Counter is not offered when nothing is locked.
	r = newRig(t, "adult")
	r.send(CardInserted{})
	r.want(r.send(SelectService{Service: ServiceCounter}), StateStatus)
}

func TestJukiAndUnknownCards(t *testing.T) {
	for name, want := range map[string]State{"juki": StateJukiCard, "unknown": StateUnknownCard} {
		r := newRig(t, name)
		s := r.send(CardInserted{})
		r.want(s, want)
		if s.Auth.Known || len(s.Offers) != 0 {
			t.Fatalf("%s: shows certificates or services: %+v", name, s)
		}
		for _, ev := range []Event{SelectService{Service: ServicePrepare}, SelectService{Service: ServicePINCheck, PIN: PINAuth}, pin(authPIN)} {
			r.want(r.send(ev), want)
		}
		r.want(r.send(Next{}), StateTakeCard)
		r.want(r.send(CardRemoved{}), StateInsertCard)
		wantOutcome := map[string]string{"juki": OutcomeJuki, "unknown": OutcomeUnknownCard}[name]
		if r.rec.ends[0].Outcome != wantOutcome {
			t.Fatalf("outcome %s", r.rec.ends[0].Outcome)
		}
	}
}

func TestReadFailedRetry(t *testing.T) {
	r := newRig(t, "adult")
	r.card.failRead = true
	s := r.send(CardInserted{})
	r.want(s, StateReadFailed)
	if s.Error != ErrCodeCard {
		t.Fatalf("error %q", s.Error)
	}
	r.card.failRead = false
	r.want(r.send(Next{}), StateStatus)
}

// prepare drives a resident through preparation up to the eligibility summary.
func (r *rig) prepare(certs CertSet) Snapshot {
	r.t.Helper()
	r.send(CardInserted{})
	s := r.send(SelectService{Service: ServicePrepare})
	r.want(s, StateEnterPIN)
	if s.PIN.Which != PINBasicInfo || s.Step != (Step{1, 6}) {
		r.t.Fatalf("basic-info field %+v step %+v", s.PIN, s.Step)
	}
	s = r.send(pin(basicPIN))
	r.want(s, StateChooseCerts)
	if len(s.Choices) != 2 {
		r.t.Fatalf("choices %+v", s.Choices)
	}
	return r.send(SelectCerts{Certs: certs})
}

func TestRenewalWithApproval(t *testing.T) {
	r := newRig(t, "renewable")
	s := r.prepare(CertSet{Sign: true, Auth: true})
	r.want(s, StateEnterPIN)
	if !s.PIN.Optional || s.PIN.Which != PINSign || !s.CanContinue {
		t.Fatalf("optional sign PIN field %+v", s.PIN)
	}
	s = r.send(pin(signPIN))
	r.want(s, StateEligibility)
	if s.Route != RouteApproval || s.FeeYen != 0 || !slices.Equal(s.Documents, []string{"CARD", "EXPIRY_NOTICE"}) {
		t.Fatalf("summary route %s fee %d docs %v", s.Route, s.FeeYen, s.Documents)
	}
	for _, c := range s.Choices {
		if c.Purpose != PurposeRenew || !c.Allowed || slices.Contains(c.Reasons, reasonUnconfirm) {
			t.Fatalf("choice %+v", c)
		}
	}
	s = r.send(Next{})
	r.want(s, StateWaitApproval)
	if s.Ticket == nil || s.Step != (Step{4, 6}) {
		t.Fatalf("ticket %+v step %+v", s.Ticket, s.Step)
	}
	// The clerk's part: approval with the card face's expiry.
	clerk := r.taps
	r.want(r.send(StaffApproved{TicketID: "T999", ApprovalID: "A1"}), StateWaitApproval) // not this ticket
	r.want(r.send(StaffApproved{ApprovalID: "A1"}), StateWaitApproval)                   // no ticket named
	r.want(r.send(StaffDeclined{Reason: "X"}), StateWaitApproval)                        // no ticket named
	s = r.send(StaffApproved{TicketID: s.Ticket.ID, ApprovalID: "A1", CardExpiry: time.Date(2029, 9, 20, 0, 0, 0, 0, jst)})
	if clerk := r.taps - clerk; clerk > 5 {
		t.Fatalf("clerk took %d taps, budget 5", clerk)
	}
	r.want(s, StateNewPIN)
	if s.PIN.Which != PINSign || s.Step != (Step{5, 6}) {
		t.Fatalf("new sign PIN field %+v", s.PIN)
	}
	r.send(pin(newSign))
	s = r.send(pin(newSign))
	r.want(s, StateNewPIN)
	if s.PIN.Which != PINAuth {
		t.Fatalf("second new PIN is %s", s.PIN.Which)
	}
	r.send(pin(newAuth))
	s = r.post(pin(newAuth))
	r.want(s, StateIssuing)
	if !s.Busy {
		t.Fatal("issuing is not busy")
	}
	s = r.q.Drain(r.m)
	r.want(s, StateReceipt)
	rc := s.Receipt
	if rc == nil || !slices.Equal(rc.Done, []string{"ISSUED_SIGN", "ISSUED_AUTH"}) || rc.Ticket != 1 || rc.ApprovalID != "A1" {
		t.Fatalf("receipt %+v", rc)
	}
	capped := time.Date(2029, 9, 20, 0, 0, 0, 0, time.UTC) // the card expires before the 5 years
	if !rc.NewExpiry[CertSign].Equal(capped) || !rc.NewExpiry[CertAuth].Equal(capped) {
		t.Fatalf("new expiry %v", rc.NewExpiry)
	}
	for _, x := range []string{"1980", "0920", newSign, newAuth} {
		if strings.Contains(rc.QR, x) {
			t.Fatalf("QR data holds personal data or a PIN (pattern %d)", indexOf([]string{"1980", "0920", newSign, newAuth}, x))
		}
	}
	if !strings.Contains(rc.QR, ";t=1") || !strings.Contains(rc.QR, "ISSUED_SIGN+ISSUED_AUTH") {
		t.Fatalf("QR %q", rc.QR)
	}
	if r.card.pins[PINSign] != newSign || r.card.pins[PINAuth] != newAuth {
		t.Fatal("new PINs not set on the card")
	}
	if len(r.issuer.reqs) != 2 || r.issuer.reqs[0].ApprovalID != "A1" || r.issuer.reqs[0].Purpose != PurposeRenew {
		t.Fatalf("issuer requests %+v", r.issuer.reqs)
	}
	s = r.send(Next{})
	r.want(s, StateStatus)
	if !s.Sign.Known || s.Sign.Serial != "NEW" || s.Auth.Serial != "NEW" {
		t.Fatalf("status after issuance: %+v %+v", s.Sign, s.Auth)
	}
	r.send(CardRemoved{})
	if r.rec.ends[0].Outcome != OutcomeIssued || r.rec.ends[0].Reason != EndCardRemoved {
		t.Fatalf("end %+v", r.rec.ends[0])
	}
}

func TestPrepareSkipSignPINAndDecline(t *testing.T) {
	r := newRig(t, "renewable")
	r.prepare(CertSet{Sign: true})
	s := r.send(Next{}) // skip the optional sign PIN
	r.want(s, StateEligibility)
	if !slices.Contains(s.Choices[0].Reasons, reasonUnconfirm) || s.Choices[0].Purpose != PurposeRenew {
		t.Fatalf("unconfirmed sign choice %+v", s.Choices[0])
	}
	s = r.send(Next{})
	r.want(s, StateWaitApproval)
	s = r.send(StaffDeclined{TicketID: s.Ticket.ID, Reason: "ID_MISMATCH"})
	r.want(s, StateDeclined)
	if !slices.Equal(s.Reasons, []string{"ID_MISMATCH"}) {
		t.Fatalf("reasons %v", s.Reasons)
	}
	r.want(r.send(Next{}), StateStatus)
	// The birth date is remembered within the session: no second basic-info PIN.
	r.want(r.send(SelectService{Service: ServicePrepare}), StateChooseCerts)
}

func TestNotYetRenewable(t *testing.T) {
	r := newRig(t, "adult")
	s := r.prepare(CertSet{Auth: true})
	r.want(s, StateEligibility)
	if s.CanContinue || s.Choices[1].Allowed || !slices.Contains(s.Choices[1].Reasons, "NOT_YET_RENEWABLE") ||
		s.Choices[1].RenewalOpens.IsZero() {
		t.Fatalf("summary %+v", s)
	}
	r.want(r.send(Next{}), StateEligibility) // ignored
	r.want(r.send(Back{}), StateChooseCerts)
	r.send(Cancel{})
	r.send(Cancel{})
	if r.rec.ends[0].Outcome != OutcomeNotEligible {
		t.Fatalf("outcome %s", r.rec.ends[0].Outcome)
	}
}

func TestExpiredIsNewIssuance(t *testing.T) {
	r := newRig(t, "expired")
	s := r.prepare(CertSet{Auth: true})
	r.want(s, StateEligibility)
	if c := s.Choices[1]; c.Purpose != PurposeNew || !c.Allowed || c.FeeYen != 0 {
		t.Fatalf("expired auth choice %+v", c)
	}
}

func TestChildGoesToCounter(t *testing.T) {
	r := newRig(t, "child")
	s := r.prepare(CertSet{Sign: true, Auth: true})
	r.want(s, StateEligibility)
	if s.Choices[0].Allowed || !slices.Contains(s.Choices[0].Reasons, "UNDER_15") {
		t.Fatalf("child sign choice %+v", s.Choices[0])
	}
	if s.Route != RouteCounter {
		t.Fatalf("route %s", s.Route)
	}
	s = r.send(Next{})
	r.want(s, StateGoToCounter)
	if s.Ticket == nil || r.rec.tickets[0].Route != RouteCounter {
		t.Fatalf("ticket %+v", r.rec.tickets)
	}
}

func TestSelfRouteSkipsApproval(t *testing.T) {
	r := newRig(t, "expired", func(r *rig) { r.rules.selfRun = true })
	r.prepare(CertSet{Auth: true})
	s := r.send(Next{})
	r.want(s, StateNewPIN)
	r.send(pin(newAuth))
	s = r.send(pin(newAuth))
	r.want(s, StateReceipt)
	if s.Ticket != nil || s.Receipt.Ticket != 0 || len(r.rec.tickets) != 0 {
		t.Fatal("a ticket on route self")
	}
}

func TestCardExpiredAtApproval(t *testing.T) {
	r := newRig(t, "renewable")
	r.prepare(CertSet{Auth: true})
	s := r.send(Next{})
	s = r.send(StaffApproved{TicketID: s.Ticket.ID, ApprovalID: "A2", CardExpiry: baseNow.AddDate(0, 0, -1)})
	r.want(s, StateGoToCounter)
	if !slices.Contains(s.Reasons, "CARD_EXPIRED") {
		t.Fatalf("reasons %v", s.Reasons)
	}
}

func TestClosedHours(t *testing.T) {
	r := newRig(t, "renewable", func(r *rig) { r.rules.closed = true })
	r.send(CardInserted{})
	s := r.send(SelectService{Service: ServicePrepare})
	r.want(s, StateClosed)
	if !slices.Equal(s.Reasons, []string{"OUTSIDE_HOURS"}) || s.Hours.NextOpen.IsZero() {
		t.Fatalf("closed %+v", s)
	}
	r.want(r.send(Next{}), StateStatus)
}

func TestBasicInfoLocked(t *testing.T) {
	r := newRig(t, "basic-locked")
	r.send(CardInserted{})
	s := r.send(SelectService{Service: ServicePrepare})
	r.want(s, StatePINLocked)
	if s.PIN.Which != PINBasicInfo {
		t.Fatalf("locked PIN %s", s.PIN.Which)
	}
	r.want(r.send(Next{}), StateGoToCounter)
	if tk := r.rec.tickets[0]; tk.Certs != (CertSet{Sign: true, Auth: true}) || tk.Purpose != "renew" {
		t.Fatalf("ticket %+v", tk)
	}
}

func TestSignLockedSkipsOptionalPIN(t *testing.T) {
	r := newRig(t, "sign-locked")
	s := r.prepare(CertSet{Sign: true})
	r.want(s, StateEligibility) // renewal sets a new PIN: the lock does not matter
}

func TestIssuanceFailure(t *testing.T) {
	r := newRig(t, "expired", func(r *rig) { r.issuer.fail = true })
	r.prepare(CertSet{Auth: true})
	s := r.send(Next{})
	r.send(StaffApproved{TicketID: s.Ticket.ID, ApprovalID: "A3"})
	r.send(pin(newAuth))
	s = r.send(pin(newAuth))
	r.want(s, StateFailed)
	if s.Error != ErrCodeIssue || r.card.pins[PINAuth] != authPIN {
		t.Fatalf("failure %+v", s)
	}
	s = r.send(Next{})
	r.want(s, StateGoToCounter)
	if len(r.rec.tickets) != 1 {
		t.Fatalf("ticket drawn twice: %d", len(r.rec.tickets))
	}
}

func TestTicketFailure(t *testing.T) {
	r := newRig(t, "renewable", func(r *rig) { r.rec.failTick = true })
	r.prepare(CertSet{Auth: true})
	s := r.send(Next{})
	r.want(s, StateFailed)
	if s.Error != ErrCodeTicket {
		t.Fatalf("error %q", s.Error)
	}
}

// Idle: countdown after IdleAfter, Next continues, otherwise the session is
// wiped; the countdown lasts at least 20 s whatever the configuration says.
// TestActivityKeepsTheSessionAlive: typing a long PIN slowly sends
// Activity on every key; it restarts the idle timer without a new snapshot,
// an audit record or a tap, and holds no character.
func TestActivityKeepsTheSessionAlive(t *testing.T) {
	r := newRig(t, "adult")
	r.want(r.send(CardInserted{}), StateStatus)
	s := r.send(SelectService{Service: ServicePINChange, PIN: PINSign})
	r.want(s, StateEnterPIN)
	taps, seq := r.taps, s.Seq
	for i := 0; i < 16; i++ { // 16 characters, 20 s apart: 320 s, far past IdleAfter
		r.clk.advance(20 * time.Second)
		if a := r.send(Activity{}); a.Seq != seq {
			t.Fatalf("Activity changed the snapshot: seq %d, was %d", a.Seq, seq)
		}
		r.want(r.send(Tick{}), StateEnterPIN)
	}
	if r.taps != taps {
		t.Errorf("Activity counted as %d taps", r.taps-taps)
	}
	// Without typing, the countdown comes as before.
	r.clk.advance(DefaultIdleAfter - DefaultCountdown)
	r.want(r.send(Tick{}), StateIdleCountdown)
	// In the countdown typing does not bring the screen back; a tap does.
	r.want(r.send(Activity{}), StateIdleCountdown)
	r.want(r.send(Next{}), StateEnterPIN)
}

// The idle timeout is exactly IdleAfter: the countdown is its last part
// (30 s of the default 60 s), not added to it; "continue" restarts it, as
// often as the resident likes.
func TestIdleTimeout(t *testing.T) {
	r := newRig(t, "renewable")
	r.prepare(CertSet{Auth: true})
	r.clk.advance(29 * time.Second)
	r.want(r.send(Tick{}), StateEligibility)
	r.clk.advance(time.Second)
	s := r.send(Tick{})
	r.want(s, StateIdleCountdown)
	if s.Countdown != 30 || s.IdleFrom != StateEligibility || s.Step != (Step{3, 6}) {
		t.Fatalf("countdown %+v", s)
	}
	r.clk.advance(10 * time.Second)
	if s = r.send(Tick{}); s.Countdown != 20 {
		t.Fatalf("countdown %d", s.Countdown)
	}
	// Extend ten times: each gives the full time again.
	for i := 0; i < 10; i++ {
		r.want(r.send(Next{}), StateEligibility)
		r.clk.advance(29 * time.Second)
		r.want(r.send(Tick{}), StateEligibility)
		r.clk.advance(time.Second)
		if s = r.send(Tick{}); s.State != StateIdleCountdown || s.Countdown != 30 {
			t.Fatalf("extension %d: %v %d", i+1, s.State, s.Countdown)
		}
	}
	r.clk.advance(29 * time.Second)
	r.want(r.send(Tick{}), StateIdleCountdown)
	r.clk.advance(time.Second) // 60 s after the last tap: not a second more
	s = r.send(Tick{})
	r.want(s, StateTakeCard)
	if s.Choices != nil || s.Auth.Known || s.Tries != (Retries{-1, -1, -1}) || !r.m.birth.IsZero() {
		t.Fatalf("session not wiped: %+v", s)
	}
	if r.rec.ends[0].Reason != EndTimeout || s.Error != ErrCodeTimeout {
		t.Fatalf("end %+v, error %q", r.rec.ends[0], s.Error)
	}
	if s = r.send(CardRemoved{}); s.State != StateInsertCard || s.Error != "" {
		t.Fatalf("after taking the card: %v %q", s.State, s.Error)
	}
	r.want(r.send(CardInserted{}), StateStatus)
	// A card pulled mid-session: the start screen says why.
	if s = r.send(CardRemoved{}); s.State != StateInsertCard || s.Error != ErrCodeCardRemoved {
		t.Fatalf("card pulled: %v %q", s.State, s.Error)
	}
	if s = r.send(CardInserted{}); s.Error != "" {
		t.Fatalf("the next card still sees %q", s.Error)
	}

	// Minimum countdown: 20 s before the end whatever the configuration.
	q := &QueueExecutor{}
	m, _ := New(Config{Card: persona("adult"), Rules: fakeRules{}, Clock: r.clk, Exec: q, Countdown: 5 * time.Second})
	m.Handle(CardInserted{})
	q.Drain(m)
	r.clk.advance(DefaultIdleAfter - MinCountdown)
	if s := m.Handle(Tick{}); s.State != StateIdleCountdown || s.Countdown != 20 {
		t.Fatalf("short countdown %+v", s)
	}
}

func TestWarningFor(t *testing.T) {
	for _, c := range []struct{ limit, countdown, want time.Duration }{
		{60 * time.Second, 30 * time.Second, 30 * time.Second},
		{30 * time.Second, 30 * time.Second, 20 * time.Second}, // half the limit is 15: the minimum wins
		{10 * time.Minute, 30 * time.Second, 30 * time.Second},
		{15 * time.Second, 30 * time.Second, 15 * time.Second}, // never more than the limit
		{60 * time.Second, 5 * time.Second, 20 * time.Second},
	} {
		if got := WarningFor(c.limit, c.countdown); got != c.want {
			t.Errorf("WarningFor(%v, %v) = %v, want %v", c.limit, c.countdown, got, c.want)
		}
	}
}

func TestApprovalWaitUsesLongerLimit(t *testing.T) {
	r := newRig(t, "renewable")
	r.prepare(CertSet{Auth: true})
	s := r.send(Next{})
	r.clk.advance(5 * time.Minute)
	r.want(r.send(Tick{}), StateWaitApproval)
	r.clk.advance(DefaultApprovalWait - 5*time.Minute - DefaultCountdown)
	r.want(r.send(Tick{}), StateIdleCountdown)
	// A clerk's decision during the countdown still lands.
	r.want(r.send(StaffApproved{TicketID: s.Ticket.ID, ApprovalID: "A4"}), StateNewPIN)
}

// Card removal at every step of every scenario wipes the session and
// returns to the start; a card result still in flight is dropped.
func TestRemovalAtEveryStep(t *testing.T) {
	scripts := map[string][]Event{
		"status":     {CardInserted{}, SelectService{Service: ServiceSignExpiry}, pin(signPIN), Cancel{}},
		"pin-check":  {CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINAuth}, pin(wrongPIN), pin(authPIN), Next{}},
		"pin-change": {CardInserted{}, SelectService{Service: ServicePINChange, PIN: PINSign}, pin(signPIN), pin(newSign), pin(newSign), Next{}},
		"prepare": {CardInserted{}, SelectService{Service: ServicePrepare}, pin(basicPIN), SelectCerts{Certs: CertSet{Sign: true, Auth: true}},
			pin(signPIN), Next{}, StaffApproved{TicketID: "T1", ApprovalID: "A"}, pin(newSign), pin(newSign), pin(newAuth), pin(newAuth), Next{}},
	}
	for name, script := range scripts {
		for k := 1; k <= len(script); k++ {
			for _, inFlight := range []bool{false, true} {
				r := newRig(t, "renewable")
				for _, ev := range script[:k-1] {
					r.send(ev)
				}
				if inFlight {
					r.post(script[k-1]) // the card task has not run yet
				} else {
					r.send(script[k-1])
				}
				s := r.post(CardRemoved{})
				if s.State != StateInsertCard {
					t.Fatalf("%s step %d: state %s", name, k, s.State)
				}
				if s.Busy || s.Ticket != nil || s.Receipt != nil || s.Choices != nil || s.Auth.Known || s.Tries != (Retries{-1, -1, -1}) {
					t.Fatalf("%s step %d: left over %+v", name, k, s)
				}
				if !r.m.birth.IsZero() || r.m.pin.oldPIN != nil || r.m.pin.newPIN != nil || len(r.m.pin.newPINs) != 0 || r.m.sign != nil {
					t.Fatalf("%s step %d: personal data or PINs left in memory", name, k)
				}
				seq := s.Seq
				if s = r.q.Drain(r.m); s.Seq != seq || s.State != StateInsertCard {
					t.Fatalf("%s step %d: stale card result accepted", name, k)
				}
				if len(r.rec.ends) != 1 || r.rec.ends[0].Reason != EndCardRemoved || len(r.rec.open) != 0 {
					t.Fatalf("%s step %d: session ends %+v", name, k, r.rec.ends)
				}
			}
		}
	}
}

// PIN buffers handed to Handle are zeroed, used or not.
func TestPINBuffersWiped(t *testing.T) {
	r := newRig(t, "adult")
	ignored := []byte(authPIN)
	r.m.Handle(SubmitPIN{PIN: ignored}) // no session: ignored
	r.send(CardInserted{})
	r.send(SelectService{Service: ServicePINChange, PIN: PINAuth})
	used := []byte(authPIN)
	r.m.Handle(SubmitPIN{PIN: used})
	r.q.Drain(r.m)
	newp := []byte(newAuth)
	r.send(SubmitPIN{PIN: newp})
	for i, b := range [][]byte{ignored, used, newp} {
		for _, c := range b {
			if c != 0 {
				t.Fatalf("buffer %d not wiped", i)
			}
		}
	}
	if r.m.pin.oldPIN == nil || r.m.pin.newPIN == nil {
		t.Fatal("the flow lost the PINs it needs for the change")
	}
	r.send(pin(newAuth))
	if r.m.pin.oldPIN != nil || r.m.pin.newPIN != nil {
		t.Fatal("PINs kept after the change")
	}
}

// Snapshots are values: changing one does not change the machine's next.
func TestSnapshotImmutable(t *testing.T) {
	r := newRig(t, "renewable")
	s := r.prepare(CertSet{Auth: true})
	s.Choices[1].Reasons = append(s.Choices[1].Reasons[:0], "TAMPERED")
	s.Documents[0] = "TAMPERED"
	s2 := r.m.Snapshot()
	if slices.Contains(s2.Choices[1].Reasons, "TAMPERED") || s2.Documents[0] == "TAMPERED" {
		t.Fatal("snapshot shares memory with the machine")
	}
}

func TestTransitionsRecorded(t *testing.T) {
	r := newRig(t, "adult")
	r.send(CardInserted{})
	r.send(SelectService{Service: ServicePINCheck, PIN: PINAuth})
	r.send(pin(wrongPIN))
	r.send(Tick{})
	r.send(CardRemoved{})
	var kinds []string
	for _, tr := range r.rec.trans {
		kinds = append(kinds, tr.Kind+":"+tr.From.String()+">"+tr.To.String())
	}
	want := []string{"CARD_INSERTED:INSERT_CARD>READING", "CARD_RESULT:READING>STATUS", "TAP_SERVICE:STATUS>ENTER_PIN",
		"PIN_SUBMITTED:ENTER_PIN>ENTER_PIN", "CARD_RESULT:ENTER_PIN>ENTER_PIN", "CARD_REMOVED:ENTER_PIN>INSERT_CARD"}
	if !slices.Equal(kinds, want) {
		t.Fatalf("transitions\n got %v\nwant %v", kinds, want)
	}
	if !slices.Contains(r.rec.trans[4].Reasons, ErrCodePINIncorrect) {
		t.Fatalf("reasons %v", r.rec.trans[4].Reasons)
	}
}

func TestNewRequiresPorts(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Fatal("New accepted a config without ports")
	}
}
