package issue

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
)

var staffApproval = Approval{ID: "AP-9", StaffID: "S001", Ticket: "3"}

// checkNewPIN asserts that the PIN of cert has its full counter and that
// pin verifies.
func checkNewPIN(t *testing.T, vc *vcard.Card, p card.PIN, pin string) {
	t.Helper()
	cc := card.New(vc)
	n, err := cc.Retries(p)
	if err != nil || n != p.MaxRetries() {
		t.Fatalf("%s retries after reset: %d, %v; want %d", p, n, err, p.MaxRetries())
	}
	if err := cc.Verify(p, []byte(pin)); err != nil {
		t.Fatalf("new %s PIN: %v", p, err)
	}
}

func TestResetPINUnlocksALockedPIN(t *testing.T) {
	for _, tc := range []struct {
		persona string
		cert    Cert
		pin     card.PIN
		newPIN  string
	}{
		{vcard.PersonaAuthLocked, Auth, card.PINAuth, "8642"},
		{vcard.PersonaSignLocked, Sign, card.PINSign, "RESET99"},
	} {
		t.Run(string(tc.cert), func(t *testing.T) {
			ctx := context.Background()
			c, ca := newTraining(t)
			ev := &events{}
			c.SetEvents(ev)
			_, vc := persona(t, tc.persona, ca)
			if n, _ := card.New(vc).Retries(tc.pin); n != 0 {
				t.Fatalf("persona %s: %d tries left, want a locked PIN", tc.persona, n)
			}
			certBefore := bytes.Clone(vc.File(uint16(filesOf(tc.cert).cert)))
			rec := &recorder{next: vc}
			pin := []byte(tc.newPIN)
			if err := c.ResetPIN(ctx, rec, tc.cert, pin, staffApproval); err != nil {
				t.Fatal(err)
			}
			if string(pin) != tc.newPIN {
				t.Error("ResetPIN changed the caller's PIN slice")
			}
			checkNewPIN(t, vc, tc.pin, tc.newPIN)
			if !bytes.Equal(vc.File(uint16(filesOf(tc.cert).cert)), certBefore) {
				t.Error("the certificate changed")
			}
			// Nothing but the token read, the issuer's authentication and the kiosk's PIN step.
			var ins []byte
			for _, b := range rec.cmds {
				ins = append(ins, b[1])
			}
			want := []byte{card.INSSelect, card.INSSelect, card.INSReadBinary, card.INSSelect, card.INSGetChallenge, card.INSExternalAuth, card.INSSelect, card.INSResetRetry}
			if !bytes.Equal(ins, want) {
				t.Errorf("instructions % X, want % X", ins, want)
			}
			got := ev.steps()
			wantSteps := []string{"open", "reset_pin:" + string(tc.cert) + ":sent", "reset_pin:" + string(tc.cert) + ":done", "done"}
			if !slices.Equal(got, wantSteps) {
				t.Errorf("events %q, want %q", got, wantSteps)
			}
			for _, e := range ev.all {
				if e.Approval != staffApproval || e.Issuer != "training" {
					t.Errorf("event %+v: approval or issuer missing", e)
				}
			}
			if p, _ := c.Journal().Pending(); len(p) != 0 {
				t.Errorf("journal keeps %d entries after a finished reset", len(p))
			}
		})
	}
}

func TestResetPINRefusals(t *testing.T) {
	ctx := context.Background()
	c, ca := newTraining(t)
	_, vc := persona(t, vcard.PersonaAuthLocked, ca)
	for _, tc := range []struct {
		name string
		cert Cert
		pin  string
	}{{"no cert", "", "1234"}, {"empty pin", Auth, ""}, {"long pin", Auth, "12345678901234567"}} {
		if err := c.ResetPIN(ctx, vc, tc.cert, []byte(tc.pin), staffApproval); !errors.Is(err, ErrRequest) {
			t.Errorf("%s: %v, want ErrRequest", tc.name, err)
		}
	}
	if vc.APDUCount() != 0 {
		t.Errorf("a refused request sent %d APDUs", vc.APDUCount())
	}

	// An issuer the card does not trust: EXTERNAL AUTHENTICATE fails, the
	// PIN stays locked, the journal keeps nothing.
	other, _ := newTraining(t)
	err := other.ResetPIN(ctx, vc, Auth, []byte("8642"), staffApproval)
	var ie *Error
	if !errors.As(err, &ie) || ie.CardChanged || !errors.Is(err, ErrCard) {
		t.Fatalf("untrusted issuer: %v, want an unchanged-card ErrCard", err)
	}
	if n, _ := card.New(vc).Retries(card.PINAuth); n != 0 {
		t.Errorf("auth PIN has %d tries after a refused reset", n)
	}
	if p, _ := other.Journal().Pending(); len(p) != 0 {
		t.Errorf("journal keeps %d entries after a refused reset", len(p))
	}

	// A card with an unfinished issuance: resume that first.
	p, vc2 := persona(t, vcard.PersonaRenewable, ca)
	if _, err := c.Issue(ctx, vc2, request(p, Renew, Auth)); err != nil {
		t.Fatal(err)
	}
	if err := c.ResetPIN(ctx, vc2, Auth, []byte("8642"), staffApproval); !errors.Is(err, ErrRequest) {
		t.Errorf("reset during an issuance: %v, want ErrRequest", err)
	}
}

func TestResetPINInterruptedAndRunAgain(t *testing.T) {
	ctx := context.Background()
	c, ca := newTraining(t)
	_, vc := persona(t, vcard.PersonaAuthLocked, ca)
	// The card executes RESET RETRY COUNTER (the 8th APDU) and is pulled
	// before it answers: the kiosk cannot know, the journal says so.
	vc.SetFault(vcard.FailAt(8, vcard.FaultRemoveAfter))
	err := c.ResetPIN(ctx, vc, Auth, []byte("8642"), staffApproval)
	var ie *Error
	if !errors.As(err, &ie) || !ie.CardChanged || ie.Resume != "auth: reset pin" {
		t.Fatalf("interrupted reset: %v, want a changed card resuming at the reset", err)
	}
	pending, _ := c.Journal().Pending()
	if len(pending) != 1 || pending[0].Purpose != PINReset || pending[0].State != EntryInterrupted {
		t.Fatalf("journal %+v", pending)
	}
	vc.SetFault(nil)
	vc.Insert()
	// An issuance refuses the card until the reset is finished.
	req := Request{Purpose: Renew, Certs: []CertRequest{{Cert: Auth, NotAfter: policy.DateOf(time.Now().AddDate(1, 0, 0))}}}
	if _, err := c.Issue(ctx, vc, req); !errors.Is(err, ErrRequest) {
		t.Errorf("issue after an interrupted reset: %v, want ErrRequest", err)
	}
	if err := c.ResetPIN(ctx, vc, Auth, []byte("9753"), staffApproval); err != nil {
		t.Fatal(err)
	}
	checkNewPIN(t, vc, card.PINAuth, "9753")
	if p, _ := c.Journal().Pending(); len(p) != 0 {
		t.Errorf("journal keeps %d entries", len(p))
	}
}

func TestResetPINThroughTheGateway(t *testing.T) {
	_, ca := newTraining(t)
	cfg := startGateway(t, newTestPKI(t), under(NewGatewayHandler(ca)))
	c := newGatewayClient(t, cfg)
	_, vc := persona(t, vcard.PersonaAuthLocked, ca)
	if err := c.ResetPIN(context.Background(), vc, Auth, []byte("8642"), staffApproval); err != nil {
		t.Fatal(err)
	}
	checkNewPIN(t, vc, card.PINAuth, "8642")
}

func TestTrainingRefusesMixedPINResetRequests(t *testing.T) {
	_, ca := newTraining(t)
	serial := bytes.Repeat([]byte{1}, serialSize)
	for _, req := range []*OpenRequest{
		{Version: ProtocolVersion, Purpose: PINReset, CardSerial: serial},                                                     // no PIN named
		{Version: ProtocolVersion, Purpose: PINReset, PINReset: Auth, CardSerial: serial, Certs: []CertRequest{{Cert: Auth}}}, // with a certificate
		{Version: ProtocolVersion, Purpose: Renew, PINReset: Auth, CardSerial: serial},                                        // wrong purpose
	} {
		if _, err := ca.Open(context.Background(), req); !errors.Is(err, ErrBackend) {
			t.Errorf("%+v: %v, want a refusal", req, err)
		}
	}
}
