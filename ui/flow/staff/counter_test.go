package staff

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
)

var today = policy.NewDate(2025, 6, 10)

func TestPlanLegalRepDocuments(t *testing.T) {
	kaka, mori := profile(t, "kakamigahara"), profile(t, "moriya")
	both := []policy.Cert{policy.CertSign, policy.CertAuth}

	// Under 15, registered domicile in Kakamigahara: no family register.
	pl, err := PlanCase(kaka, CaseInput{Kind: CaseLegalRep, Purpose: policy.PurposeNew, Certs: both, Under15: true, DomicileInCity: true, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(pl.Documents, policy.DocProofOfAuthority) {
		t.Errorf("Kakamigahara under-15 with domicile in the city: %v still asks the proof of authority", pl.Documents)
	}
	for _, d := range []policy.Document{policy.DocHolderInPerson, policy.DocLegalRepPhotoID} {
		if !slices.Contains(pl.Documents, d) {
			t.Errorf("documents %v lack %s", pl.Documents, d)
		}
	}
	if !slices.Equal(pl.Allowed, []policy.Cert{policy.CertAuth}) || !slices.Contains(pl.Refused[policy.CertSign], "UNDER_15") {
		t.Errorf("under-15: allowed %v refused %v; want auth only, sign refused UNDER_15", pl.Allowed, pl.Refused)
	}
	// Same child, domicile elsewhere; and Moriya, which has no waiver.
	for _, c := range []struct {
		p    *policy.Profile
		home bool
	}{{kaka, false}, {mori, true}} {
		pl, err := PlanCase(c.p, CaseInput{Kind: CaseLegalRep, Purpose: policy.PurposeNew, Certs: both, Under15: true, DomicileInCity: c.home, Today: today})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(pl.Documents, policy.DocProofOfAuthority) {
			t.Errorf("%s domicile=%v: %v lacks the proof of authority", c.p.ID, c.home, pl.Documents)
		}
	}
	// Adult ward: signature refused, auth allowed with the legal rep.
	pl, err = PlanCase(mori, CaseInput{Kind: CaseLegalRep, Purpose: policy.PurposeNew, Certs: both, AdultWard: true, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pl.Allowed, []policy.Cert{policy.CertAuth}) || !slices.Contains(pl.Refused[policy.CertSign], "ADULT_WARD") {
		t.Errorf("adult ward: allowed %v refused %v", pl.Allowed, pl.Refused)
	}
}

func TestLegalRepChecklistAndApproval(t *testing.T) {
	s, _ := clerkStore(t)
	ctx := context.Background()
	k := &Counter{Store: s, Approvals: NewApprovals(s), Profile: profile(t, "moriya")}
	cs, err := k.Open(CaseInput{Kind: CaseLegalRep, Purpose: policy.PurposeNew, Certs: []policy.Cert{policy.CertAuth}, Under15: true, Today: today}, cardA, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Approve(ctx, cs, "clerk1"); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("approve with an empty checklist: %v", err)
	}
	for _, it := range cs.List.Items {
		if !it.Identity {
			cs.List.Tick(it.Doc, true)
		}
	}
	// Two non-photo IDs do not do for a legal representative (photo only).
	cs.List.ToggleID(policy.DocLegalRepPhotoID, policy.IDHealthInsurance)
	cs.List.ToggleID(policy.DocLegalRepPhotoID, policy.IDPensionBook)
	if m := cs.Missing(); !slices.Equal(m, []policy.Document{policy.DocLegalRepPhotoID}) {
		t.Fatalf("missing %v, want the representative's photo ID", m)
	}
	cs.List.ToggleID(policy.DocLegalRepPhotoID, policy.IDPassport)
	g, err := k.Approve(ctx, cs, "clerk1")
	if err != nil {
		t.Fatal(err)
	}
	if cs.Step != StepApproved || g.Ticket.Route != store.RouteCounter {
		t.Errorf("step %s, ticket route %s", cs.Step, g.Ticket.Route)
	}
	if _, err := k.Approvals.Verify(ctx, g.Token, cs.TicketID, cardA); err != nil {
		t.Errorf("case approval does not verify: %v", err)
	}
	ws, err := WorkFor(cs)
	if err != nil || len(ws) != 1 || ws[0].Cert != policy.CertAuth || ws[0].Purpose != policy.PurposeNew {
		t.Errorf("WorkFor = %+v, %v", ws, err)
	}
}

func TestReissueLostFee(t *testing.T) {
	s, _ := clerkStore(t)
	ctx := context.Background()
	k := &Counter{Store: s, Approvals: NewApprovals(s), Profile: profile(t, "moriya")}
	cs, err := k.Open(CaseInput{Kind: CaseReissueLost, Certs: []policy.Cert{policy.CertSign, policy.CertAuth}, Today: today}, cardA, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Plan.FeeYen != 200 {
		t.Fatalf("fee %d, want 200 for both certificates", cs.Plan.FeeYen)
	}
	cs.List.ToggleID(DocHolderIdentity, policy.IDMyNumberCard)
	for _, it := range cs.List.Items {
		cs.List.Tick(it.Doc, true)
	}
	if _, err := k.Approve(ctx, cs, "clerk1"); !errors.Is(err, ErrFeeUnpaid) {
		t.Fatalf("approve before the fee: %v", err)
	}
	if err := k.RecordFee(ctx, cs, "clerk1"); err != nil {
		t.Fatal(err)
	}
	if err := k.RecordFee(ctx, cs, "clerk1"); err != nil { // idempotent
		t.Fatal(err)
	}
	if _, err := k.Approve(ctx, cs, "clerk1"); err != nil {
		t.Fatal(err)
	}
	var n, yen int
	rows, err := s.DB().Query(`SELECT COUNT(*), COALESCE(SUM(json_extract(detail_json,'$.fee_yen')),0) FROM audit_events WHERE kind = ?`, store.KindFeeCharged)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		rows.Scan(&n, &yen)
	}
	rows.Close()
	if n != 1 || yen != 200 {
		t.Errorf("fee events %d, %d yen; want one of 200", n, yen)
	}
}

// A voluntary proxy's new issuance over two visits on different days, with
// the kiosk restarted in between: the case lives in the database only.
func TestVoluntaryProxyTwoVisitsSurviveRestart(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "kiosk.db")
	ctx := context.Background()
	p := profile(t, "kakamigahara")

	// Visit 1.
	s := openStore(t, path, c)
	addStaff(t, s, "clerk1", store.RoleClerk)
	k := &Counter{Store: s, Approvals: NewApprovals(s), Profile: p}
	cs, err := k.Open(CaseInput{Kind: CaseProxy, Purpose: policy.PurposeNew, Certs: []policy.Cert{policy.CertAuth}, Today: today}, cardA, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !cs.TwoVisits() || !cs.List.Has(policy.DocInquiryReply) {
		t.Fatalf("proxy new issuance: visits %d, documents %v", cs.Plan.Visits, cs.Plan.Documents)
	}
	if _, err := k.Approve(ctx, cs, "clerk1"); !errors.Is(err, ErrStep) {
		t.Fatalf("same-day approval of a two-visit case: %v", err)
	}
	for _, it := range cs.List.Items {
		cs.List.Tick(it.Doc, true)
	}
	if err := k.RecordFirstVisit(ctx, cs, "clerk1"); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("first visit without the proxy's ID: %v", err)
	}
	cs.List.ToggleID(policy.DocProxyPhotoID, policy.IDDriversLicence)
	cs.List.Tick(policy.DocInquiryReply, false) // not back yet: not needed today
	if err := k.RecordFirstVisit(ctx, cs, "clerk1"); err != nil {
		t.Fatal(err)
	}
	if err := k.MarkLetterSent(ctx, cs, "clerk1", "letter-0042"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart, ten days later.
	c.Add(10 * 24 * time.Hour)
	s = openStore(t, path, c)
	defer s.Close()
	k = &Counter{Store: s, Approvals: NewApprovals(s), Profile: p}
	if none, err := k.Resume(ctx, cardB, today.AddDays(10), 0, 0); err != nil || none != nil {
		t.Fatalf("another card resumed %+v, %v", none, err)
	}
	cs, err = k.Resume(ctx, cardA, today.AddDays(10), 0, 0)
	if err != nil || cs == nil {
		t.Fatalf("Resume = %v, %v", cs, err)
	}
	if cs.Step != StepSecondVisit {
		t.Fatalf("resumed at %s, want %s", cs.Step, StepSecondVisit)
	}
	if !cs.List.Items[slices.IndexFunc(cs.List.Items, func(it Item) bool { return it.Doc == policy.DocApplicationForm })].Checked {
		t.Error("the first visit's application form is not carried over")
	}
	cs.List.ToggleID(policy.DocProxyPhotoID, policy.IDPassport)
	cs.List.Tick(policy.DocMyNumberCard, true)
	if _, err := k.Approve(ctx, cs, "clerk1"); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("second visit without the returned inquiry letter: %v", err)
	}
	cs.List.Tick(policy.DocInquiryReply, true)
	g, err := k.Approve(ctx, cs, "clerk1")
	if err != nil {
		t.Fatal(err)
	}
	pc, err := s.ProxyCase(ctx, cs.ProxyID)
	if err != nil {
		t.Fatal(err)
	}
	if pc.State != store.ProxyCompleted || !slices.Contains(pc.Documents, "inquiry_reply") || pc.LetterRef != "letter-0042" {
		t.Errorf("proxy case %+v", pc)
	}
	if open, _ := s.OpenProxyCases(ctx, cardA); len(open) != 0 {
		t.Errorf("case still open: %+v", open)
	}
	if _, err := k.Approvals.Verify(ctx, g.Token, cs.TicketID, cardA); err != nil {
		t.Errorf("second-visit approval: %v", err)
	}
}

func TestMoriyaProxyRenewalMandate(t *testing.T) {
	p := profile(t, "moriya")
	pl, err := PlanCase(p, CaseInput{Kind: CaseProxy, Purpose: policy.PurposeRenew, Certs: []policy.Cert{policy.CertAuth}, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if pl.Visits != 1 || !pl.MandatePINReset || !slices.Contains(pl.Documents, policy.DocLetterOfAttorney) {
		t.Fatalf("Moriya proxy renewal plan: %+v", pl)
	}
	cs := &Case{Plan: pl, List: NewChecklist(pl.Documents)}
	if cs.PINResetIncluded() {
		t.Error("PIN reset included without the sentence in the letter")
	}
	cs.Mandate = true
	if !cs.PINResetIncluded() {
		t.Error("PIN reset not included with the sentence in the letter")
	}
	// Kakamigahara has no such letter: never.
	pl, _ = PlanCase(profile(t, "kakamigahara"), CaseInput{Kind: CaseProxy, Purpose: policy.PurposeRenew, Certs: []policy.Cert{policy.CertAuth}, Today: today})
	cs = &Case{Plan: pl, List: NewChecklist(pl.Documents), Mandate: true}
	if cs.PINResetIncluded() {
		t.Error("Kakamigahara proxy renewal includes a PIN reset")
	}
}

func TestChecklistIdentityRules(t *testing.T) {
	l := NewChecklist([]policy.Document{policy.DocProxyIDPhotoOrTwo, policy.DocMyNumberCard})
	l.ToggleID(policy.DocProxyIDPhotoOrTwo, policy.IDHealthInsurance)
	if len(l.Missing(nil)) != 2 {
		t.Fatalf("missing %v", l.Missing(nil))
	}
	l.ToggleID(policy.DocProxyIDPhotoOrTwo, policy.IDPensionBook)
	l.Tick(policy.DocMyNumberCard, true)
	if m := l.Missing(nil); len(m) != 0 {
		t.Fatalf("two non-photo IDs for PROXY_ID_PHOTO_OR_TWO: missing %v", m)
	}
	l.ToggleID(policy.DocProxyIDPhotoOrTwo, policy.IDPensionBook) // untick
	if !slices.Equal(l.Missing(nil), []policy.Document{policy.DocProxyIDPhotoOrTwo}) {
		t.Errorf("after unticking: %v", l.Missing(nil))
	}
	l.Tick(policy.DocProxyIDPhotoOrTwo, true) // identity items are not ticked
	if len(l.Missing(nil)) != 1 {
		t.Error("Tick satisfied an identity item")
	}
}

// TestLapsedCase: "moved, certificate lapsed — issue anew": a new issuance
// (not a renewal) of the signature certificate for the holder, free, with
// the cause recorded as a code when the clerk approves.
func TestLapsedCase(t *testing.T) {
	s, _ := clerkStore(t)
	ctx := context.Background()
	k := &Counter{Store: s, Approvals: NewApprovals(s), Profile: profile(t, "moriya")}
	if _, err := k.Open(CaseInput{Kind: CaseLapsed, Certs: []policy.Cert{policy.CertSign}, Today: today, Lapse: policy.RevokeCardExpiry}, cardA, 0, 0); !errors.Is(err, ErrCase) {
		t.Errorf("an expired card as a lapse cause: %v", err)
	}
	cs, err := k.Open(CaseInput{Kind: CaseLapsed, Certs: []policy.Cert{policy.CertSign}, Today: today}, cardA, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if cs.Plan.Input.Purpose != policy.PurposeNew || cs.Plan.Input.Lapse != policy.RevokeAddressChange || cs.Plan.FeeYen != 0 ||
		!slices.Equal(cs.Plan.Allowed, []policy.Cert{policy.CertSign}) || !cs.List.Has(DocHolderIdentity) {
		t.Fatalf("plan %+v", cs.Plan)
	}
	cs.List.ToggleID(DocHolderIdentity, policy.IDMyNumberCard)
	for _, it := range cs.List.Items {
		cs.List.Tick(it.Doc, true)
	}
	if _, err := k.Approve(ctx, cs, "clerk1"); err != nil {
		t.Fatal(err)
	}
	var n int
	var cause string
	s.DB().QueryRow(`SELECT COUNT(*), MAX(json_extract(detail_json, '$.cause')) FROM audit_events WHERE kind = ?`, KindCertLapsed).Scan(&n, &cause)
	if n != 1 || cause != string(policy.RevokeAddressChange) {
		t.Errorf("%d lapse records, cause %q", n, cause)
	}
	if ws, err := WorkFor(cs); err != nil || len(ws) != 1 || ws[0].Purpose != policy.PurposeNew {
		t.Errorf("WorkFor = %+v, %v", ws, err)
	}
}
