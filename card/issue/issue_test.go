package issue

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
)

var newPINs = map[Cert]string{Auth: "5678", Sign: "NEWPIN42"}

// issueAll runs one issuance and sets the PINs it asks for, as the kiosk does.
func issueAll(ctx context.Context, c *Client, t card.Transmitter, req Request) (*Result, error) {
	res, err := c.Issue(ctx, t, req)
	if err != nil {
		return nil, err
	}
	for _, cert := range res.PendingPINs {
		pin := []byte(newPINs[cert])
		err := c.SetPIN(ctx, t, cert, pin)
		clear(pin)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// checkIssued asserts that the card holds, for each cert, a certificate of
// the training CA matching the card's key, with its CA certificate, and
// that the new PIN works.
func checkIssued(t *testing.T, ca *CA, vc *vcard.Card, req Request) {
	t.Helper()
	for _, cr := range req.Certs {
		f := filesOf(cr.Cert)
		cert, err := x509.ParseCertificate(vc.File(uint16(f.cert)))
		if err != nil {
			t.Fatalf("%s certificate on the card: %v", cr.Cert, err)
		}
		if !vc.PublicKey(uint16(f.key)).Equal(cert.PublicKey) {
			t.Errorf("%s certificate does not match the card's key", cr.Cert)
		}
		if !bytes.Equal(vc.File(uint16(f.ca)), ca.Certificate(cr.Cert).Raw) {
			t.Errorf("%s CA EF does not hold the training CA", cr.Cert)
		}
		roots := x509.NewCertPool()
		roots.AddCert(ca.Certificate(cr.Cert))
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}, CurrentTime: cert.NotBefore}); err != nil {
			t.Errorf("%s certificate does not chain to the training CA: %v", cr.Cert, err)
		}
		if got := policy.DateOf(cert.NotAfter); got != cr.NotAfter {
			t.Errorf("%s certificate expires %s, want %s", cr.Cert, got, cr.NotAfter)
		}
	}
	cc := card.New(vc)
	for _, cr := range req.Certs {
		p := card.PINAuth
		if cr.Cert == Sign {
			p = card.PINSign
		}
		if err := cc.Verify(p, []byte(newPINs[cr.Cert])); err != nil {
			t.Errorf("new %s PIN: %v", cr.Cert, err)
		}
	}
}

func TestTrainingIssuesBothCertificates(t *testing.T) {
	ctx := context.Background()
	c, ca := newTraining(t)
	ev := &events{}
	c.SetEvents(ev)
	p, vc := persona(t, vcard.PersonaRenewable, ca)
	tr := card.NewTrace(vc, 0)
	req := request(p, Renew, Auth, Sign)

	res, err := issueAll(ctx, c, tr, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Certs) != 2 || res.Certs[0].Cert != Auth || res.Certs[1].Cert != Sign || res.Certs[0].Serial == res.Certs[1].Serial {
		t.Fatalf("result certificates = %+v", res.Certs)
	}
	if !slices.Equal(res.PendingPINs, []Cert{Auth, Sign}) {
		t.Errorf("pending PINs = %v", res.PendingPINs)
	}
	checkIssued(t, ca, vc, req)

	// The signature certificate: holder data in the JPKI otherNames, key usages.
	sc, err := x509.ParseCertificate(vc.File(vcard.EFSignCert))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := card.ParseSignatureSubject(sc)
	if err != nil {
		t.Fatal(err)
	}
	if subj.Name != p.Holder.Name || subj.Address != p.Holder.Address || subj.Sex != p.Holder.Sex ||
		subj.BirthDate != p.Holder.Birth.Format("20060102") || subj.Era != card.EraShowa {
		t.Errorf("signature subject = %+v, holder %+v", subj, p.Holder)
	}
	if sc.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("signature key usage = %v", sc.KeyUsage)
	}
	ac, _ := x509.ParseCertificate(vc.File(vcard.EFAuthCert))
	if ac.KeyUsage != x509.KeyUsageDigitalSignature || len(ac.Extensions) == 0 {
		t.Errorf("authentication key usage = %v", ac.KeyUsage)
	}
	for _, ext := range ac.Extensions {
		if ext.Id.Equal(oidSubjectAltNm) {
			t.Error("the authentication certificate carries personal data")
		}
	}
	if got := ac.SerialNumber.String(); got != res.Certs[0].Serial {
		t.Errorf("auth serial %s, result %s", got, res.Certs[0].Serial)
	}

	// The status the kiosk shows reads the new certificate.
	st, err := card.New(vc).Status()
	if err != nil {
		t.Fatal(err)
	}
	if policy.DateOf(st.AuthCert.NotAfter) != req.Certs[0].NotAfter {
		t.Errorf("status shows expiry %v, want %s", st.AuthCert.NotAfter, req.Certs[0].NotAfter)
	}

	// Finished: nothing left in the journal; no PIN in the trace.
	if pend, err := c.Journal().Pending(); err != nil || len(pend) != 0 {
		t.Errorf("journal after a finished issuance = %+v, %v", pend, err)
	}
	var trace strings.Builder
	tr.WriteTo(&trace)
	for _, pin := range newPINs {
		if strings.Contains(trace.String(), fmt.Sprintf("% X", []byte(pin))) {
			t.Errorf("trace holds the PIN %q", pin)
		}
	}
	if !strings.Contains(trace.String(), "00 2C 02 80 04 <PIN 4 bytes>") {
		t.Errorf("trace lacks the masked RESET RETRY COUNTER:\n%s", trace.String())
	}
	want := []string{"open", "generate_key:auth:sent", "generate_key:auth:done", "generate_key:sign:sent", "generate_key:sign:done",
		"write_ca_certificate:auth:sent", "write_certificate:auth:sent", "write_certificate:auth:done",
		"write_ca_certificate:sign:sent", "write_certificate:sign:sent", "write_certificate:sign:done",
		"set_pin:auth:done", "set_pin:sign:done", "done"}
	if got := ev.steps(); !slices.Equal(got, want) {
		t.Errorf("events\n got %v\nwant %v", got, want)
	}
	for _, e := range ev.all {
		if e.JournalID != res.JournalID || e.Approval.ID != "AP-1" || e.Issuer != "training" {
			t.Errorf("event %+v", e)
		}
	}
}

func TestIssueNewOnCardWithoutCertificates(t *testing.T) {
	c, ca := newTraining(t)
	p, vc := persona(t, vcard.PersonaNoCerts, ca)
	req := request(p, New, Sign)
	if _, err := issueAll(context.Background(), c, vc, req); err != nil {
		t.Fatal(err)
	}
	checkIssued(t, ca, vc, req)
	if vc.File(vcard.EFAuthCert) != nil || vc.PublicKey(vcard.EFAuthKey) != nil {
		t.Error("the authentication side changed though only sign was requested")
	}
}

func TestIssueRefusesBeforeTouchingTheCard(t *testing.T) {
	c, ca := newTraining(t)
	p, vc := persona(t, vcard.PersonaRenewable, ca)
	rec := &recorder{next: vc}

	noHolder := request(p, Renew, Sign)
	noHolder.Holder = nil
	noExpiry := request(p, Renew, Auth)
	noExpiry.Certs[0].NotAfter = policy.Date{}
	twice := request(p, Renew, Auth, Auth)
	for name, req := range map[string]Request{"no holder": noHolder, "no expiry": noExpiry, "twice": twice, "no certs": {Purpose: Renew}} {
		if _, err := c.Issue(context.Background(), rec, req); !errors.Is(err, ErrRequest) {
			t.Errorf("%s: err = %v, want ErrRequest", name, err)
		}
	}
	if len(rec.cmds) != 0 {
		t.Errorf("%d APDUs sent for refused requests", len(rec.cmds))
	}

	jp, jc := persona(t, vcard.PersonaJuki, ca)
	if _, err := c.Issue(context.Background(), jc, request(jp, New, Sign)); !errors.Is(err, ErrNotMyNumber) {
		t.Errorf("住基カード: err = %v, want ErrNotMyNumber", err)
	}
}

func TestIssuerKeyNotTrustedLeavesCardUnchanged(t *testing.T) {
	c, _ := newTraining(t)
	p, vc := persona(t, vcard.PersonaRenewable, nil) // trusts no issuer
	before := vc.File(vcard.EFAuthCert)
	_, err := c.Issue(context.Background(), vc, request(p, Renew, Auth))
	var ie *Error
	if !errors.As(err, &ie) || ie.CardChanged || !errors.Is(err, ErrCard) {
		t.Fatalf("err = %v, want an *Error with the card unchanged", err)
	}
	if !bytes.Equal(vc.File(vcard.EFAuthCert), before) {
		t.Error("card changed")
	}
	if pend, _ := c.Journal().Pending(); len(pend) != 0 {
		t.Errorf("journal keeps %+v for an unchanged card", pend)
	}
	if err := c.SetPIN(context.Background(), vc, Auth, []byte("1111")); !errors.Is(err, ErrNoIssuance) {
		t.Errorf("SetPIN without issuance: %v", err)
	}
}

// TestCardRemovedAtEveryAPDU pulls the card before, and after, each APDU of
// a renewal of both certificates (PINs included): the card is either
// unchanged with nothing journalled, or the journal names the step to
// resume and agrees with the card; putting the card back and running the
// same request again always completes the issuance.
func TestCardRemovedAtEveryAPDU(t *testing.T) {
	ctx := context.Background()
	c, ca := newTraining(t)
	p, _ := persona(t, vcard.PersonaRenewable, ca)
	req := request(p, Renew, Auth, Sign)

	_, ref := persona(t, vcard.PersonaRenewable, ca)
	if _, err := issueAll(ctx, c, ref, req); err != nil {
		t.Fatal(err)
	}
	total := ref.APDUCount()
	t.Logf("a renewal of both certificates takes %d APDUs", total)

	for _, action := range []vcard.FaultAction{vcard.FaultRemoveBefore, vcard.FaultRemoveAfter} {
		changed, unchanged := 0, 0
		for n := 1; n <= total; n++ {
			_, vc := persona(t, vcard.PersonaRenewable, ca)
			orig := map[uint16][]byte{vcard.EFAuthCert: vc.File(vcard.EFAuthCert), vcard.EFSignCert: vc.File(vcard.EFSignCert)}
			origKeys := map[uint16]any{vcard.EFAuthKey: vc.PublicKey(vcard.EFAuthKey), vcard.EFSignKey: vc.PublicKey(vcard.EFSignKey)}
			vc.SetFault(vcard.FailAt(n, action))
			_, err := issueAll(ctx, c, vc, req)
			var ie *Error
			if !errors.As(err, &ie) || !errors.Is(err, vcard.ErrNoCard) {
				t.Fatalf("action %d at APDU %d: err = %v, want an *Error caused by the removal", action, n, err)
			}
			pend, perr := c.Journal().Pending()
			if perr != nil {
				t.Fatal(perr)
			}
			if !ie.CardChanged {
				unchanged++
				if len(pend) != 0 {
					t.Errorf("APDU %d: card unchanged but journal holds %+v", n, pend)
				}
				for ef, b := range orig {
					if !bytes.Equal(vc.File(ef), b) {
						t.Errorf("APDU %d: reported unchanged, but EF %04X changed", n, ef)
					}
				}
				for ef, k := range origKeys {
					if !vc.PublicKey(ef).Equal(k) {
						t.Errorf("APDU %d: reported unchanged, but key %04X changed", n, ef)
					}
				}
			} else {
				changed++
				if len(pend) != 1 || pend[0].Resume() == "" || pend[0].Resume() != ie.Resume || pend[0].State != EntryInterrupted {
					t.Fatalf("APDU %d: error %v, journal %+v", n, err, pend)
				}
				// The journal agrees with the card.
				for _, jc := range pend[0].Certs {
					f := filesOf(jc.Cert)
					if jc.Key == StepNone && !vc.PublicKey(uint16(f.key)).Equal(origKeys[uint16(f.key)]) {
						t.Errorf("APDU %d: journal says no %s key generated, the card has a new one", n, jc.Cert)
					}
					if jc.Write == StepDone {
						cert, err := x509.ParseCertificate(vc.File(uint16(f.cert)))
						if err != nil || cert.SerialNumber.String() != jc.Serial {
							t.Errorf("APDU %d: journal says %s serial %s written; card: %v", n, jc.Cert, jc.Serial, err)
						}
					}
				}
			}
			vc.SetFault(nil)
			vc.Insert()
			if _, err := issueAll(ctx, c, vc, req); err != nil {
				t.Fatalf("APDU %d: resuming: %v", n, err)
			}
			checkIssued(t, ca, vc, req)
			if pend, _ := c.Journal().Pending(); len(pend) != 0 {
				t.Fatalf("APDU %d: journal after resume: %+v", n, pend)
			}
		}
		if changed == 0 || unchanged == 0 {
			t.Errorf("action %d: %d changed, %d unchanged outcomes: the test did not cover both", action, changed, unchanged)
		}
	}
}

func TestResumeNeedsTheUnfinishedCertificate(t *testing.T) {
	ctx := context.Background()
	c, ca := newTraining(t)
	p, vc := persona(t, vcard.PersonaRenewable, ca)
	both := request(p, Renew, Auth, Sign)
	// Pull the card at the first UPDATE BINARY of the signature certificate.
	var updates int
	vc.SetFault(func(n int, apdu []byte) vcard.FaultAction {
		if apdu[1] == card.INSUpdateBinary {
			updates++
			if updates == 12 {
				return vcard.FaultRemoveBefore
			}
		}
		return vcard.FaultNone
	})
	if _, err := issueAll(ctx, c, vc, both); err == nil {
		t.Fatal("no error")
	}
	vc.SetFault(nil)
	vc.Insert()
	pend, _ := c.Journal().Pending()
	if len(pend) != 1 {
		t.Fatalf("journal = %+v", pend)
	}
	t.Logf("resume at: %s", pend[0].Resume())
	_, err := c.Issue(ctx, vc, request(p, Renew, Auth))
	var ie *Error
	if !errors.As(err, &ie) || !errors.Is(err, ErrRequest) || !ie.CardChanged || ie.JournalID != pend[0].ID {
		t.Fatalf("a request without the unfinished certificate: %v", err)
	}
	res, err := issueAll(ctx, c, vc, both)
	if err != nil {
		t.Fatal(err)
	}
	checkIssued(t, ca, vc, both)
	if len(pend[0].Abandoned) == 0 && !slices.ContainsFunc(res.Certs, func(i Issued) bool { return i.Resumed }) {
		t.Logf("journal before resume: %+v", pend[0])
	}
}

// BenchmarkTrainingRenewBoth is one renewal of both certificates on an
// in-memory virtual card (no PC/SC), PINs included: the machine time of the
// issuer itself (two certificates signed, journal writes, relay checks).
//
//	go test ./card/issue -run '^$' -bench TrainingRenewBoth
func BenchmarkTrainingRenewBoth(b *testing.B) {
	c, ca := newTraining(b)
	p, vc := persona(b, vcard.PersonaRenewable, ca)
	req := request(p, Renew, Auth, Sign)
	tr := card.NewTrace(vc, 0)
	b.ResetTimer()
	for range b.N {
		if _, err := issueAll(context.Background(), c, tr, req); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(tr.Count())/float64(b.N), "apdus/op")
}
