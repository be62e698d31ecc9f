package policy

import (
	"errors"
	"reflect"
	"slices"
	"testing"
)

// IssuePurpose: 有効期間満了前 is renewal (the last day included); an expired
// certificate, or none, is issued anew.
func TestIssuePurpose(t *testing.T) {
	today := d("2026-12-04")
	for _, tc := range []struct {
		expiry Date
		want   Purpose
	}{
		{Date{}, PurposeNew},
		{d("2027-01-15"), PurposeRenew},
		{today, PurposeRenew},
		{d("2026-12-03"), PurposeNew},
	} {
		if got := IssuePurpose(today, tc.expiry); got != tc.want {
			t.Errorf("IssuePurpose(%s, %q) = %s, want %s", today, tc.expiry, got, tc.want)
		}
	}
}

// kioskCase is one row of the kiosk table: the resident's whole request.
type kioskCase struct {
	name      string
	profile   string
	req       KioskRequest
	purposes  []Purpose // per certificate
	allowed   []bool
	route     Route
	feeYen    int
	visits    int
	documents []Document
}

var adultBirth, childBirth = d("1980-05-10"), d("2012-04-01")

var kioskCases = []kioskCase{
	{name: "both renewable, both chosen: one approval, no fee, documents united", profile: "moriya",
		req: KioskRequest{Today: d("2026-12-04"), BirthDate: adultBirth, Certs: []KioskCert{
			{Cert: CertSign, Expiry: d("2027-01-15"), Chosen: true}, {Cert: CertAuth, Expiry: d("2027-01-15"), Chosen: true}}},
		purposes: []Purpose{PurposeRenew, PurposeRenew}, allowed: []bool{true, true},
		route: RouteApproval, visits: 1, documents: cardNote},
	{name: "nothing chosen: per certificate answers, no totals", profile: "moriya",
		req: KioskRequest{Today: d("2026-12-04"), BirthDate: adultBirth, Certs: []KioskCert{
			{Cert: CertSign, Expiry: d("2027-01-15")}, {Cert: CertAuth, Expiry: d("2027-01-15")}}},
		purposes: []Purpose{PurposeRenew, PurposeRenew}, allowed: []bool{true, true}},
	{name: "profile without approval: route self", profile: "noapproval",
		req: KioskRequest{Today: d("2026-12-04"), BirthDate: adultBirth, Certs: []KioskCert{
			{Cert: CertAuth, Expiry: d("2027-01-15"), Chosen: true}}},
		purposes: []Purpose{PurposeRenew}, allowed: []bool{true}, route: RouteSelf, visits: 1, documents: cardNote},
	{name: "expired and missing certificates are issued anew", profile: "moriya",
		req: KioskRequest{Today: d("2026-12-04"), BirthDate: adultBirth, Certs: []KioskCert{
			{Cert: CertSign, Chosen: true}, {Cert: CertAuth, Expiry: d("2026-11-01"), Chosen: true}}},
		purposes: []Purpose{PurposeNew, PurposeNew}, allowed: []bool{true, true},
		route: RouteApproval, visits: 1, documents: card},
	{name: "renewal window not open: refused, nothing counted", profile: "moriya",
		req: KioskRequest{Today: d("2026-12-04"), BirthDate: adultBirth, Certs: []KioskCert{
			{Cert: CertAuth, Expiry: d("2028-01-15"), Chosen: true}}},
		purposes: []Purpose{PurposeRenew}, allowed: []bool{false}},
	{name: "under 15: auth at the counter with a legal representative, sign refused", profile: "moriya",
		req: KioskRequest{Today: d("2026-12-04"), BirthDate: childBirth, Certs: []KioskCert{
			{Cert: CertSign, Chosen: true}, {Cert: CertAuth, Chosen: true}}},
		purposes: []Purpose{PurposeNew, PurposeNew}, allowed: []bool{false, true},
		route: RouteCounter, visits: 1, documents: docs(card, legalRep)},
	{name: "card expired (clerk's date): refused", profile: "moriya",
		req: KioskRequest{Today: d("2026-12-04"), BirthDate: adultBirth, CardExpiry: d("2026-12-01"), Certs: []KioskCert{
			{Cert: CertAuth, Expiry: d("2027-01-15"), Chosen: true}}},
		purposes: []Purpose{PurposeRenew}, allowed: []bool{false}},
}

func TestCheckKiosk(t *testing.T) {
	for _, tc := range kioskCases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := CheckKiosk(profileFor(t, tc.profile), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if len(q.Certs) != len(tc.req.Certs) {
				t.Fatalf("%d answers for %d certificates", len(q.Certs), len(tc.req.Certs))
			}
			for i, kd := range q.Certs {
				if kd.Cert != tc.req.Certs[i].Cert || kd.Purpose != tc.purposes[i] || kd.Allowed != tc.allowed[i] {
					t.Errorf("%s: %s allowed %v (%v), want %s %v", kd.Cert, kd.Purpose, kd.Allowed, kd.Reasons, tc.purposes[i], tc.allowed[i])
				}
			}
			if q.Route != tc.route || q.FeeYen != tc.feeYen || q.Visits != tc.visits || !slices.Equal(q.Documents, tc.documents) {
				t.Errorf("totals %s %d yen %d visits %v, want %s %d %d %v", q.Route, q.FeeYen, q.Visits, q.Documents,
					tc.route, tc.feeYen, tc.visits, tc.documents)
			}
			if len(tc.documents) == 0 && q.Documents != nil {
				t.Errorf("documents %#v, want nil", q.Documents)
			}
		})
	}
}

// The kiosk's answers are policy.Check's: for each certificate the same
// decision as one Check with the purpose IssuePurpose chose, and the legal
// representative's answer (route counter, LEGAL_REP_REQUIRED first) where
// the holder alone is refused for want of one.
func TestCheckKioskIsCheck(t *testing.T) {
	for _, tc := range kioskCases {
		p := profileFor(t, tc.profile)
		q, err := CheckKiosk(p, tc.req)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range tc.req.Certs {
			req := Request{Today: tc.req.Today, BirthDate: tc.req.BirthDate, Cert: c.Cert, CardExpiry: tc.req.CardExpiry,
				Purpose: IssuePurpose(tc.req.Today, c.Expiry)}
			if req.Purpose == PurposeRenew {
				req.CertExpiry = c.Expiry
			}
			want, err := Check(p, req)
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(want.Reasons, LegalRepRequired) {
				req.Applicant = ApplicantLegalRep
				if dr, _ := Check(p, req); dr.Allowed {
					want = dr
					want.Reasons = append([]Reason{LegalRepRequired}, dr.Reasons...)
					want.Route = RouteCounter
				}
			}
			if !reflect.DeepEqual(q.Certs[i].Decision, want) {
				t.Errorf("%s / %s: %+v, want %+v", tc.name, c.Cert, q.Certs[i].Decision, want)
			}
		}
	}
}

// Asking an expired certificate as new issuance gives the answer of
// policy's renewal-after-expiry path (有効期限が過ぎた場合でも、新しい電子証明書は
// 無料で発行), without its CERT_EXPIRED_ISSUE_NEW note and window.
func TestCheckKioskExpiredIsRenewAfterExpiry(t *testing.T) {
	p := profileFor(t, "moriya")
	today, expired := d("2026-12-04"), d("2026-11-01")
	q, err := CheckKiosk(p, KioskRequest{Today: today, BirthDate: adultBirth, Certs: []KioskCert{{Cert: CertAuth, Expiry: expired, Chosen: true}}})
	if err != nil {
		t.Fatal(err)
	}
	renew, err := Check(p, Request{Today: today, BirthDate: adultBirth, Cert: CertAuth, Purpose: PurposeRenew, CertExpiry: expired})
	if err != nil {
		t.Fatal(err)
	}
	got := q.Certs[0]
	if !slices.Contains(renew.Reasons, CertExpiredIssueNew) || slices.Contains(got.Reasons, CertExpiredIssueNew) {
		t.Fatalf("reasons: kiosk %v, renew path %v", got.Reasons, renew.Reasons)
	}
	if got.Allowed != renew.Allowed || got.NewExpiry != renew.NewExpiry || got.Route != renew.Route ||
		got.FeeYen != renew.FeeYen || got.Visits != renew.Visits || !slices.Equal(got.Documents, renew.Documents) {
		t.Errorf("kiosk %+v, renew path %+v", got.Decision, renew)
	}
}

func TestCheckKioskBadRequest(t *testing.T) {
	p := profileFor(t, "moriya")
	_, err := CheckKiosk(p, KioskRequest{Today: d("2026-12-04"), Certs: []KioskCert{{Cert: CertAuth}}})
	var re *RequestError
	if !errors.As(err, &re) {
		t.Fatalf("no birth date: %v, want a *RequestError", err)
	}
	if _, err := CheckKiosk(nil, KioskRequest{Today: d("2026-12-04"), BirthDate: adultBirth}); !errors.As(err, &re) {
		t.Fatalf("no profile: %v, want a *RequestError", err)
	}
	if q, err := CheckKiosk(p, KioskRequest{Today: d("2026-12-04"), BirthDate: adultBirth}); err != nil || len(q.Certs) != 0 || q.Route != "" {
		t.Fatalf("no certificates, no answers: %+v %v", q, err)
	}
}
