package flow

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/card/vcard"
	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/store/storetest"
)

// TestRealRenewalThroughTrainingIssuer runs a prepared renewal of both
// certificates end to end: the machine, CardAdapter on a virtual card, the
// training issuer through IssueAdapter (holder data from the basic-info
// read, PINs set by the kiosk), policy and the store. Afterwards the status
// screen reads the new certificate through the same card.Card, so the
// adapter left its selection cache consistent.
func TestRealRenewalThroughTrainingIssuer(t *testing.T) {
	dir := t.TempDir()
	iss, err := issue.NewTraining(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	ca := iss.Backend().(*issue.CA)
	p, err := vcard.NewPersona("renewable", realNow)
	if err != nil {
		t.Fatal(err)
	}
	vc := p.NewCard(vcard.Options{IssuerKey: ca.IssuerPublicKey(), KeyGen: issuePoolKeyGen(t)})
	prof, err := policy.LoadProfile("moriya")
	if err != nil {
		t.Fatal(err)
	}
	clk := &fakeClock{now: realNow}
	st, err := store.Open(filepath.Join(dir, "kiosk.db"), store.Options{Now: clk.Now, Synchronous: "NORMAL",
		Argon2: &store.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tr := card.NewTrace(vc, 0)
	cc := card.New(tr)
	ia := NewIssueAdapter(iss, cc)
	ia.StaffID = "clerk01"
	q := &QueueExecutor{}
	rec := NewStoreRecorder(st, prof.ID, "t1")
	iss.SetEvents(ia.Events(rec, func(err error) { t.Errorf("issuance event: %v", err) }))
	m, err := New(Config{Card: ia.CardPort(&CardAdapter{Card: cc}), Rules: PolicyRules{Profile: prof}, Issuer: ia,
		Recorder: rec, Clock: clk, Exec: q, Location: policy.JST,
		OnRecordError: func(err error) { t.Errorf("recorder: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	r := &realRig{rig: &rig{t: t, m: m, q: q, clk: clk}, vc: vc, info: p.Info, st: st, per: p}

	r.send(CardInserted{})
	r.send(SelectService{Service: ServicePrepare})
	r.want(r.send(pin(r.info.BasicPIN)), StateChooseCerts)
	r.send(SelectCerts{Certs: CertSet{Sign: true, Auth: true}})
	s := r.send(pin(r.info.SignPIN))
	r.want(s, StateEligibility)
	s = r.send(Next{})
	r.want(s, StateWaitApproval)
	pending, err := st.PendingApprovals(context.Background(), "2025-06-11")
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending %+v %v", pending, err)
	}
	if err := st.AddStaff(context.Background(), "clerk01", store.RoleClerk, []byte("correct horse battery"), ""); err != nil {
		t.Fatal(err)
	}
	a, err := st.Decide(context.Background(), store.Approval{TicketID: pending[0].ID, CardRef: store.CardRef(p.AuthCert.Raw), StaffID: "clerk01", Decision: store.Approve})
	if err != nil {
		t.Fatal(err)
	}
	s = r.send(StaffApproved{TicketID: s.Ticket.ID, ApprovalID: strconv.FormatInt(a.ID, 10), CardExpiry: p.CardExpiry})
	r.want(s, StateNewPIN)
	r.send(pin("NEWPIN42"))
	r.send(pin("NEWPIN42"))
	r.send(pin("5678"))
	r.want(r.post(pin("5678")), StateIssuing)
	s = r.q.Drain(r.m)
	r.want(s, StateReceipt)
	if s.Receipt == nil || !slices.Equal(s.Receipt.Done, []string{"ISSUED_SIGN", "ISSUED_AUTH"}) {
		t.Fatalf("receipt %+v", s.Receipt)
	}
	// The approved ticket is finished when issuance ends: the clerk's queue
	// and the dashboard no longer hold it.
	if tk, err := st.Ticket(context.Background(), pending[0].ID); err != nil || tk.Status != store.TicketDone {
		t.Errorf("ticket after issuance: %+v %v, want done", tk, err)
	}
	if open, _ := st.Tickets(context.Background(), "2025-06-11", store.TicketWaiting, store.TicketCalled, store.TicketApproved); len(open) != 0 {
		t.Errorf("open tickets after issuance: %+v", open)
	}
	if db, err := st.Dashboard(context.Background(), "2025-06-11"); err != nil || db.ApprovalsPending != 0 || db.TicketsWaiting != 0 {
		t.Errorf("dashboard after issuance: %+v %v", db, err)
	}

	// On the card: training CA certificates with the holder's data, new PINs.
	sc, err := x509.ParseCertificate(vc.File(vcard.EFSignCert))
	if err != nil {
		t.Fatal(err)
	}
	subj, err := card.ParseSignatureSubject(sc)
	if err != nil || subj.Name != p.Holder.Name || subj.Address != p.Holder.Address {
		t.Fatalf("signature subject %+v %v", subj, err)
	}
	if !bytes.Equal(sc.RawIssuer, ca.Certificate(issue.Sign).RawSubject) {
		t.Errorf("sign issuer %v", sc.Issuer)
	}
	if pend, _ := iss.Journal().Pending(); len(pend) != 0 {
		t.Errorf("journal not finished: %+v", pend)
	}
	ac, _ := x509.ParseCertificate(vc.File(vcard.EFAuthCert))
	s = r.send(Next{})
	r.want(s, StateStatus)
	if s.Auth.Serial != hexSerial(ac.SerialNumber.String()) || s.Tries.Auth != 3 || s.Tries.Sign != 5 {
		t.Fatalf("status after issuance: auth %+v tries %+v (card has serial %X)", s.Auth, s.Tries, ac.SerialNumber)
	}
	if err := cc.Verify(card.PINAuth, []byte("5678")); err != nil {
		t.Errorf("new auth PIN: %v", err)
	}
	if err := cc.Verify(card.PINSign, []byte("NEWPIN42")); err != nil {
		t.Errorf("new sign PIN: %v", err)
	}
	// The audit trail holds the issuer's steps, without personal data.
	var audit strings.Builder
	if _, err := st.Export(context.Background(), &audit, "2025-06-11", "2025-06-11", "json"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"issuance_generate_key", "issuance_write_certificate", "issuance_set_pin", "issuance_done", "CERT_SIGN", "STEP_DONE", "JOURNAL_"} {
		if !strings.Contains(audit.String(), want) {
			t.Errorf("audit export lacks %q", want)
		}
	}
	// Short secrets count as whole tokens only: the export's hex hashes may
	// hold "5678" by chance (storetest.Find uses the same rule).
	exportFile := filepath.Join(t.TempDir(), "audit.json")
	if err := os.WriteFile(exportFile, []byte(audit.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	storetest.ScanFiles(t, exportFile, p.Holder.Name, p.Holder.Address, "NEWPIN42", "5678", p.Holder.Birth.Format("20060102"))
	ia.Wipe()
	if ia.holder != nil {
		t.Error("holder kept after Wipe")
	}
}

// issuePoolKeyGen hands out keys 20..23 of the virtual card's public test pool as
// the card's "new" keys, so that the test pays no RSA key generation.
func issuePoolKeyGen(t *testing.T) func() (*rsa.PrivateKey, error) {
	b, err := os.ReadFile(filepath.Join("..", "..", "card", "vcard", "testkeys.pem"))
	if err != nil {
		t.Fatal(err)
	}
	var keys []*rsa.PrivateKey
	for {
		var blk *pem.Block
		if blk, b = pem.Decode(b); blk == nil {
			break
		}
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(*rsa.PrivateKey))
	}
	if len(keys) < 24 {
		t.Fatalf("%d test keys", len(keys))
	}
	n := 0
	return func() (*rsa.PrivateKey, error) {
		n++
		return keys[20+n%4], nil
	}
}
