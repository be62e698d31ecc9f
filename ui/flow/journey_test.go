package flow

import (
	"slices"
	"testing"
	"time"
)

// The step counter of a journey starts at 1, never goes back, and ends at
// N/N; the start and status screens carry no step (issue 10: "2/2" on the
// status screen, then "1/2" in the PIN check).
func TestStepsPerJourney(t *testing.T) {
	journeys := []struct {
		name    string
		persona string
		events  []Event
	}{
		{"pin-check", "adult", []Event{SelectService{Service: ServicePINCheck, PIN: PINAuth}, pin(authPIN)}},
		{"pin-change", "adult", []Event{SelectService{Service: ServicePINChange, PIN: PINAuth}, pin(authPIN), pin(newAuth), pin(newAuth)}},
		{"sign-expiry", "adult", []Event{SelectService{Service: ServiceSignExpiry}}},
		{"counter", "auth-locked", []Event{SelectService{Service: ServiceCounter}}},
		{"locked", "sign-locked", []Event{SelectService{Service: ServicePINCheck, PIN: PINSign}, Next{}}},
		{"renewal", "renewable", []Event{SelectService{Service: ServicePrepare}, pin(basicPIN),
			SelectCerts{Certs: CertSet{Auth: true}}, Next{}, StaffApproved{TicketID: "T1", ApprovalID: "A"}, pin(newAuth), pin(newAuth)}},
	}
	for _, j := range journeys {
		t.Run(j.name, func(t *testing.T) {
			r := newRig(t, j.persona)
			s := r.send(CardInserted{})
			if s.State != StateStatus || s.Step != (Step{}) {
				t.Fatalf("status %s step %+v", s.State, s.Step)
			}
			var seq []Step
			first := StateInsertCard
			for i, e := range j.events {
				s = r.send(e)
				seq = append(seq, s.Step)
				if i == 0 {
					first = s.State
				}
			}
			// A locked PIN skips the PIN field: the lockout is the last step.
			if seq[0].K != 1 && first != StatePINLocked {
				t.Errorf("%v: the journey does not start at step 1", seq)
			}
			for i, st := range seq {
				if st.N == 0 || st.N != seq[0].N || st.K < 1 || st.K > st.N {
					t.Errorf("%v: step %d (%+v) out of the journey's N", seq, i, st)
				}
				if i > 0 && st.K < seq[i-1].K {
					t.Errorf("%v: the counter goes back at %d", seq, i)
				}
			}
			if last := seq[len(seq)-1]; last.K != last.N {
				t.Errorf("%v: the journey ends at %d/%d, not N/N", seq, last.K, last.N)
			}
		})
	}
}

// A locked PIN makes the counter the status screen's recommended action; an
// expired or renewable certificate makes it the new issuance; a plain card
// recommends nothing.
func TestRecommendedOffer(t *testing.T) {
	for _, c := range []struct {
		persona string
		want    Service
	}{
		{"auth-locked", ServiceCounter}, {"sign-locked", ServiceCounter},
		{"expired", ServicePrepare}, {"renewable", ServicePrepare}, {"adult", ServiceNone},
	} {
		r := newRig(t, c.persona)
		s := r.send(CardInserted{})
		if s.Recommended != c.want {
			t.Errorf("%s: recommended %s, want %s", c.persona, s.Recommended, c.want)
		}
		if c.want != ServiceNone && !slices.Contains(s.Offers, Offer{Service: c.want}) {
			t.Errorf("%s: recommended %s is not on offer %v", c.persona, c.want, s.Offers)
		}
	}
}

// A PIN reset ticket is done at this kiosk: the resident waits here, the
// ticket screen has no "go on" and pulling the card is not "expected". After
// the clerk's reset, CardReread reads the card again: the status shows the
// tries the card now has.
func TestPINResetWaitHereAndReread(t *testing.T) {
	r := newRig(t, "auth-locked")
	r.send(CardInserted{})
	s := r.send(SelectService{Service: ServiceCounter})
	r.want(s, StateGoToCounter)
	if !s.WaitHere || s.CanContinue {
		t.Fatalf("reset ticket: wait here %v, next %v", s.WaitHere, s.CanContinue)
	}
	if r.send(Next{}).Seq != s.Seq {
		t.Fatal("Next accepted while waiting for the clerk here")
	}
	r.card.tries[PINAuth] = 3 // the clerk's reset, outside the flow
	s = r.send(CardReread{})
	r.want(s, StateStatus)
	if s.Tries.Auth != 3 || len(s.Locked) != 0 || s.Ticket != nil || s.Recommended == ServiceCounter {
		t.Fatalf("after reset: tries %+v locked %v ticket %+v recommended %s", s.Tries, s.Locked, s.Ticket, s.Recommended)
	}
	if r.send(CardReread{}).State != StateStatus {
		t.Fatal("reread from the status screen")
	}
}

// A counter ticket for issuance says "go to the counter": its main action
// ends the session and gives the card back.
func TestGoToCounterNextTakesCard(t *testing.T) {
	r := newRig(t, "child")
	s := r.prepare(CertSet{Auth: true})
	s = r.send(Next{})
	r.want(s, StateGoToCounter)
	if s.WaitHere || !s.CanContinue {
		t.Fatalf("counter ticket: wait here %v next %v", s.WaitHere, s.CanContinue)
	}
	r.want(r.send(Next{}), StateTakeCard)
	if s = r.send(CardRemoved{}); s.Error != "" {
		t.Fatalf("error %q after taking the card as told", s.Error)
	}
}

// Pulling the card while waiting for a clerk says so and keeps the ticket;
// the same card resumes it, another card drops it.
func TestCardPulledWhileWaiting(t *testing.T) {
	for _, c := range []struct {
		name, persona string
		reach         func(r *rig) Snapshot
		want          State
	}{
		{"approval", "renewable", func(r *rig) Snapshot { r.prepare(CertSet{Auth: true}); return r.send(Next{}) }, StateWaitApproval},
		{"reset-here", "auth-locked", func(r *rig) Snapshot {
			r.send(CardInserted{})
			return r.send(SelectService{Service: ServiceCounter})
		}, StateGoToCounter},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, c.persona)
			s := c.reach(r)
			r.want(s, c.want)
			ticket := *s.Ticket
			s = r.send(CardRemoved{})
			r.want(s, StateInsertCard)
			if s.Error != ErrCodeCardRemovedWaiting || s.Ticket == nil || s.Ticket.Number != ticket.Number {
				t.Fatalf("after pull: error %q ticket %+v", s.Error, s.Ticket)
			}
			s = r.send(CardInserted{})
			r.want(s, c.want)
			if s.Ticket == nil || s.Ticket.ID != ticket.ID || s.Error != "" {
				t.Fatalf("resumed ticket %+v error %q", s.Ticket, s.Error)
			}
			if c.want == StateWaitApproval {
				s = r.send(StaffApproved{TicketID: ticket.ID, ApprovalID: "A"})
				r.want(s, StateNewPIN)
			}
			// Another card does not get the ticket.
			r.send(CardRemoved{})
			r.card.ref = "someone-else"
			s = r.send(CardInserted{})
			r.want(s, StateStatus)
			if s.Ticket != nil {
				t.Fatalf("another card resumed %+v", s.Ticket)
			}
		})
	}
}

// Waiting here for the clerk's PIN reset gets the approval wait, not the
// short idle timeout.
func TestWaitHereIdleIsApprovalWait(t *testing.T) {
	r := newRig(t, "auth-locked")
	r.send(CardInserted{})
	r.send(SelectService{Service: ServiceCounter})
	r.clk.now = r.clk.now.Add(5 * time.Minute)
	if s := r.send(Tick{}); s.State != StateGoToCounter {
		t.Fatalf("after 5 min waiting for the clerk: %s", s.State)
	}
	r.clk.now = r.clk.now.Add(DefaultApprovalWait)
	if s := r.send(Tick{}); s.State != StateIdleCountdown {
		t.Fatalf("after the approval wait: %s", s.State)
	}
}
