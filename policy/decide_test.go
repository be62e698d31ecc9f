package policy

import (
	"errors"
	"slices"
	"testing"
)

// checkCase is one row of the decision table. src quotes the line of a seed
// page (000 = Moriya, 001 = Kakamigahara), DESIGN.md or docs/RULES.md that
// the row checks.
type checkCase struct {
	src     string
	profile string // "moriya", "kakamigahara" or "noapproval"
	req     Request
	want    Decision
}

func d(s string) Date { return MustDate(s) }

// profileFor loads an embedded profile; "noapproval" is Moriya with the
// approval step dropped (approval_required = false).
func profileFor(t testing.TB, name string) *Profile {
	t.Helper()
	if name == "noapproval" {
		p, err := LoadProfile("moriya")
		if err != nil {
			t.Fatal(err)
		}
		q := *p
		q.ApprovalRequired = false
		return &q
	}
	p, err := LoadProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var (
	card     = []Document{DocMyNumberCard}
	cardNote = []Document{DocMyNumberCard, DocExpiryNotice}
	cardForm = []Document{DocMyNumberCard, DocApplicationForm}
	legalRep = []Document{DocHolderInPerson, DocLegalRepPhotoID, DocProofOfAuthority}
)

func docs(lists ...[]Document) []Document {
	out := []Document{}
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func rs(r ...Reason) []Reason { return append([]Reason{}, r...) }

var checkCases = []checkCase{
	// ---- renewal window and the 6th birthday
	{src: "000 有効期間満了前に更新を行った場合は…6回目の誕生日まで", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeRenew, CertExpiry: d("2026-06-15")},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired, RenewedBeforeExpiry), NewExpiry: d("2031-06-15"), RenewalOpens: d("2026-03-15"), Visits: 1, Documents: cardNote}},
	{src: "000 有効期間満了の3か月前から更新可能 (day before the window)", profile: "moriya",
		req:  Request{Today: d("2026-03-14"), BirthDate: d("1980-06-15"), Cert: CertSign, Purpose: PurposeRenew, CertExpiry: d("2026-06-15")},
		want: Decision{Allowed: false, Route: RouteApproval, Reasons: rs(NotYetRenewable), RenewalOpens: d("2026-03-15"), Visits: 1, Documents: cardNote}},
	{src: "000 3か月前から (first day of the window, inclusive)", profile: "moriya",
		req:  Request{Today: d("2026-03-15"), BirthDate: d("1980-06-15"), Cert: CertSign, Purpose: PurposeRenew, CertExpiry: d("2026-06-15")},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired, RenewedBeforeExpiry), NewExpiry: d("2031-06-15"), RenewalOpens: d("2026-03-15"), Visits: 1, Documents: cardNote}},
	{src: "DESIGN §3 window: last day of the month where it has no such day (31 May → 28 Feb)", profile: "kakamigahara",
		req:  Request{Today: d("2026-02-27"), BirthDate: d("1970-05-31"), Cert: CertAuth, Purpose: PurposeRenew, CertExpiry: d("2026-05-31")},
		want: Decision{Allowed: false, Route: RouteApproval, Reasons: rs(NotYetRenewable), RenewalOpens: d("2026-02-28"), Visits: 1, Documents: cardForm}},
	{src: "DESIGN §3 renewed on the expiry day itself: not strictly before, 5th birthday after the issue date", profile: "moriya",
		req:  Request{Today: d("2026-06-15"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeRenew, CertExpiry: d("2026-06-15")},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired), NewExpiry: d("2031-06-15"), RenewalOpens: d("2026-03-15"), Visits: 1, Documents: cardNote}},
	{src: "000 電子証明書の有効期限が過ぎた場合でも、新しい電子証明書は無料で発行", profile: "moriya",
		req:  Request{Today: d("2026-06-16"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeRenew, CertExpiry: d("2026-06-15")},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired, CertExpiredIssueNew), NewExpiry: d("2031-06-15"), RenewalOpens: d("2026-03-15"), Visits: 1, Documents: card}},
	{src: "DESIGN §3 6th birthday only when the current expiry is a birthday (old card cut it to 1 Sep)", profile: "moriya",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("1990-10-10"), Cert: CertAuth, Purpose: PurposeRenew, CertExpiry: d("2026-09-01")},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired), NewExpiry: d("2030-10-10"), RenewalOpens: d("2026-06-01"), Visits: 1, Documents: cardNote}},
	{src: "DESIGN §3 29 February → 28 February in non-leap years (6th birthday from a 29 Feb expiry)", profile: "moriya",
		req:  Request{Today: d("2028-01-10"), BirthDate: d("2000-02-29"), Cert: CertSign, Purpose: PurposeRenew, CertExpiry: d("2028-02-29")},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired, RenewedBeforeExpiry), NewExpiry: d("2033-02-28"), RenewalOpens: d("2027-11-29"), Visits: 1, Documents: cardNote}},

	// ---- new issuance, card expiry
	{src: "001 発行日から5回目の誕生日までが有効期限", profile: "kakamigahara",
		req:  Request{Today: d("2026-03-01"), BirthDate: d("2000-02-29"), Cert: CertAuth, Purpose: PurposeNew},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired), NewExpiry: d("2031-02-28"), Visits: 1, Documents: cardForm}},
	{src: "DESIGN §3 birthdays strictly after the issue date (issued on the birthday)", profile: "kakamigahara",
		req:  Request{Today: d("2026-10-10"), BirthDate: d("1990-10-10"), Cert: CertSign, Purpose: PurposeNew},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired), NewExpiry: d("2031-10-10"), Visits: 1, Documents: cardForm}},
	{src: "DESIGN §3 never beyond the card's own expiry date", profile: "moriya",
		req:  Request{Today: d("2026-01-05"), BirthDate: d("1990-10-10"), Cert: CertSign, Purpose: PurposeNew, CardExpiry: d("2029-10-10")},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired, CardExpiresFirst), NewExpiry: d("2029-10-10"), Visits: 1, Documents: card}},
	{src: "000 マイナンバーカードが失効したとき (card expires today: RULES.md refuse)", profile: "moriya",
		req:  Request{Today: d("2026-01-05"), BirthDate: d("1990-10-10"), Cert: CertAuth, Purpose: PurposeNew, CardExpiry: d("2026-01-05")},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(CardExpired), Visits: 1, Documents: card}},
	{src: "RULES.md renewal that would not outlast the current certificate: renew the card", profile: "moriya",
		req:  Request{Today: d("2026-08-01"), BirthDate: d("1990-10-10"), Cert: CertAuth, Purpose: PurposeRenew, CertExpiry: d("2026-10-10"), CardExpiry: d("2026-10-10")},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(CardRenewalNeeded), RenewalOpens: d("2026-07-10"), Visits: 1, Documents: cardNote}},
	{src: "RULES.md new issuance while the certificate is in force: renew instead", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeNew, CertExpiry: d("2026-06-15")},
		want: Decision{Allowed: false, Route: RouteApproval, Reasons: rs(CertStillValid), Visits: 1, Documents: card}},
	{src: "DESIGN §1 a profile setting can drop the approval step", profile: "noapproval",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeNew},
		want: Decision{Allowed: true, Route: RouteSelf, Reasons: rs(), NewExpiry: d("2030-06-15"), Visits: 1, Documents: card}},

	// ---- age, adult wards, legal representatives
	{src: "000 署名用電子証明は、15歳以上でないと発行できません (day before the 15th birthday)", profile: "moriya",
		req:  Request{Today: d("2026-06-30"), BirthDate: d("2011-07-01"), Cert: CertSign, Purpose: PurposeNew, Applicant: ApplicantLegalRep},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(UnderFifteen), Visits: 1, Documents: docs(card, legalRep)}},
	{src: "000 15歳の誕生日を迎え、署名用電子証明を搭載したいかた", profile: "moriya",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("2011-07-01"), Cert: CertSign, Purpose: PurposeNew},
		want: Decision{Allowed: true, Route: RouteApproval, Reasons: rs(ApprovalRequired), NewExpiry: d("2031-07-01"), Visits: 1, Documents: card}},
	{src: "000 15歳未満および成年被後見人は原則不可 (adult ward, signature)", profile: "kakamigahara",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("1950-01-01"), Cert: CertSign, Purpose: PurposeNew, Applicant: ApplicantLegalRep, AdultWard: true},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(AdultWard), Visits: 1, Documents: docs(cardForm, legalRep)}},
	{src: "001 15歳未満の方…本人と法定代理人が揃って窓口に (child alone)", profile: "kakamigahara",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("2015-01-01"), Cert: CertAuth, Purpose: PurposeNew},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(LegalRepRequired), Visits: 1, Documents: cardForm}},
	{src: "001 法定代理人の場合 即日発行ができます (child with legal rep; 年齢制限 なし for auth)", profile: "kakamigahara",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("2015-01-01"), Cert: CertAuth, Purpose: PurposeNew, Applicant: ApplicantLegalRep},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired), NewExpiry: d("2031-01-01"), Visits: 1, Documents: docs(cardForm, legalRep)}},
	{src: "001 本籍地が各務原市にある場合は戸籍謄本の提示は不要", profile: "kakamigahara",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("2015-01-01"), Cert: CertAuth, Purpose: PurposeNew, Applicant: ApplicantLegalRep, DomicileInCity: true},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired), NewExpiry: d("2031-01-01"), Visits: 1, Documents: docs(cardForm, []Document{DocHolderInPerson, DocLegalRepPhotoID})}},
	{src: "DESIGN §3 Kakamigahara's waiver only; Moriya still needs proof of authority", profile: "moriya",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("2015-01-01"), Cert: CertAuth, Purpose: PurposeNew, Applicant: ApplicantLegalRep, DomicileInCity: true},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired), NewExpiry: d("2031-01-01"), Visits: 1, Documents: docs(card, legalRep)}},
	{src: "001 成年被後見人…本人と法定代理人が揃って (auth, PIN reset, alone)", profile: "kakamigahara",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("1950-01-01"), Cert: CertAuth, Purpose: PurposePINReset, AdultWard: true},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(LegalRepRequired), Visits: 1, Documents: card}},
	{src: "DESIGN §3 legal rep of a minor of 16: same day at the counter, holder need not come", profile: "moriya",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("2010-01-01"), Cert: CertSign, Purpose: PurposeNew, Applicant: ApplicantLegalRep},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired), NewExpiry: d("2031-01-01"), Visits: 1, Documents: []Document{DocMyNumberCard, DocLegalRepPhotoID, DocProofOfAuthority}}},

	// ---- voluntary proxies
	{src: "000 代理人による申請は2回来庁が必要になります(照会申請)", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeNew, Applicant: ApplicantProxy},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired, ProxyTwoVisits, ProxyContactOffice, ExpiryAtIssue), Visits: 2, Documents: []Document{DocMyNumberCard, DocProxyIDPhotoOrTwo, DocInquiryReply}}},
	{src: "000 代理人による更新の場合 通知に同封された委任状 / 暗証番号の再設定を合わせて委任します", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertSign, Purpose: PurposeRenew, CertExpiry: d("2026-06-15"), Applicant: ApplicantProxy},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired, RenewedBeforeExpiry, ProxyPINResetMandate), NewExpiry: d("2031-06-15"), RenewalOpens: d("2026-03-15"), Visits: 1, Documents: []Document{DocLetterOfAttorney, DocMyNumberCard, DocProxyIDPhotoOrTwo}}},
	{src: "001 任意代理人申請の場合…照会書兼回答書を郵送 (renewal: 新規発行/更新申請書)", profile: "kakamigahara",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeRenew, CertExpiry: d("2026-06-15"), Applicant: ApplicantProxy},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired, ProxyTwoVisits, ProxyContactOffice, ExpiryAtIssue), RenewalOpens: d("2026-03-15"), Visits: 2, Documents: []Document{DocApplicationForm, DocProxyPhotoID, DocInquiryReply, DocMyNumberCard}}},
	{src: "001 任意代理人が手続きを行う場合 即日手続きができません (PIN reset)", profile: "kakamigahara",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertSign, Purpose: PurposePINReset, Applicant: ApplicantProxy},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired, ProxyTwoVisits, ProxyContactOffice), Visits: 2, Documents: []Document{DocProxyPhotoID, DocInquiryReply, DocMyNumberCard}}},
	{src: "RULES.md PIN change by a voluntary proxy is not taken", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposePINChange, Applicant: ApplicantProxy},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(ProxyNotAccepted), Visits: 1, Documents: []Document{}}},
	{src: "DESIGN §3 under-15 through a voluntary proxy: legal representative required", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("2015-06-15"), Cert: CertAuth, Purpose: PurposeNew, Applicant: ApplicantProxy},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(LegalRepRequired, ProxyTwoVisits, ProxyContactOffice), Visits: 2, Documents: []Document{DocMyNumberCard, DocProxyIDPhotoOrTwo, DocInquiryReply}}},

	// ---- PINs
	{src: "DESIGN §1 PIN change: self", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertSign, Purpose: PurposePINChange},
		want: Decision{Allowed: true, Route: RouteSelf, Reasons: rs(), Visits: 1, Documents: card}},
	{src: "DESIGN §1 PIN change by an under-15 with the old PIN: self (not an application)", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("2015-06-15"), Cert: CertAuth, Purpose: PurposePINChange},
		want: Decision{Allowed: true, Route: RouteSelf, Reasons: rs(), Visits: 1, Documents: card}},
	{src: "000 暗証番号がロックされた場合は、再設定が必要です", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposePINChange, PINLocked: true},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(PINLocked), Visits: 1, Documents: card}},
	{src: "001 パスワードの初期化・再設定…本人が手続きを行う場合 即日手続きができます", profile: "kakamigahara",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertSign, Purpose: PurposePINReset, PINLocked: true},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired), Visits: 1, Documents: card}},
	{src: "DESIGN §1 PIN reset: staff only — counter, even without the approval step", profile: "noapproval",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposePINReset},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired), Visits: 1, Documents: card}},
	{src: "RULES.md PIN reset of an expired certificate: issue a new one instead", profile: "moriya",
		req:  Request{Today: d("2026-07-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposePINReset, CertExpiry: d("2026-06-15")},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(CertExpired), Visits: 1, Documents: card}},

	// ---- fees, old cards
	{src: "000 紛失等本人の責による…再交付に伴う電子証明書の発行は有料で200円 (別途…800円)", profile: "moriya",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertSign, Purpose: PurposeReissueLost},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired, CardReissueFee), NewExpiry: d("2030-06-15"), FeeYen: 200, Visits: 1, Documents: []Document{DocMyNumberCard, DocIssueFee}}},
	{src: "001 発行手数料…紛失などによる再発行の場合必要。発行手数料は200円", profile: "kakamigahara",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeReissueLost},
		want: Decision{Allowed: true, Route: RouteCounter, Reasons: rs(StaffRequired), NewExpiry: d("2030-06-15"), FeeYen: 200, Visits: 1, Documents: []Document{DocMyNumberCard, DocApplicationForm, DocIssueFee}}},
	{src: "001 平成28年1月から…マイナンバーカードの取得が必要", profile: "kakamigahara",
		req:  Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeNew, CardType: CardJuki},
		want: Decision{Allowed: false, Route: RouteCounter, Reasons: rs(JukiCard), Visits: 1, Documents: []Document{}}},
}

func TestCheckTable(t *testing.T) {
	for _, c := range checkCases {
		t.Run(c.src, func(t *testing.T) {
			got, err := Check(profileFor(t, c.profile), c.req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Allowed != c.want.Allowed || got.Route != c.want.Route ||
				!slices.Equal(got.Reasons, c.want.Reasons) || got.NewExpiry != c.want.NewExpiry ||
				got.RenewalOpens != c.want.RenewalOpens || got.FeeYen != c.want.FeeYen ||
				got.Visits != c.want.Visits || !slices.Equal(got.Documents, c.want.Documents) {
				t.Errorf("%s\n got %+v\nwant %+v", c.profile, got, c.want)
			}
			if got.Reasons == nil || got.Documents == nil {
				t.Error("reasons and documents must never be nil")
			}
			if got.Allowed == refused(got.Reasons) {
				t.Errorf("allowed=%v but reasons %v", got.Allowed, got.Reasons)
			}
		})
	}
}

func TestCheckRequestErrors(t *testing.T) {
	p := profileFor(t, "moriya")
	ok := Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Cert: CertAuth, Purpose: PurposeNew}
	for name, mut := range map[string]func(*Request){
		"no today":            func(r *Request) { r.Today = Date{} },
		"no birth date":       func(r *Request) { r.BirthDate = Date{} },
		"born after today":    func(r *Request) { r.BirthDate = d("2026-04-02") },
		"bad cert":            func(r *Request) { r.Cert = "both" },
		"bad purpose":         func(r *Request) { r.Purpose = "update" },
		"bad applicant":       func(r *Request) { r.Applicant = "friend" },
		"bad card type":       func(r *Request) { r.CardType = "ic" },
		"renew without date":  func(r *Request) { r.Purpose = PurposeRenew },
		"empty cert and date": func(r *Request) { r.Cert = "" },
	} {
		r := ok
		mut(&r)
		var re *RequestError
		if _, err := Check(p, r); !errors.As(err, &re) {
			t.Errorf("%s: err = %v, want *RequestError", name, err)
		}
	}
	if _, err := Check(p, ok); err != nil {
		t.Fatal(err)
	}
	if _, err := Check(nil, ok); err == nil {
		t.Error("nil profile accepted")
	}
}

// TestCheckAllFee: 署名用電子証明書と利用者証明用電子証明書の2種類発行する場合でも200円.
func TestCheckAllFee(t *testing.T) {
	p := profileFor(t, "moriya")
	base := Request{Today: d("2026-04-01"), BirthDate: d("1980-06-15"), Purpose: PurposeReissueLost}
	sign, auth := base, base
	sign.Cert, auth.Cert = CertSign, CertAuth
	q, err := CheckAll(p, []Request{sign, auth})
	if err != nil {
		t.Fatal(err)
	}
	if q.FeeYen != 200 || len(q.Decisions) != 2 || q.Decisions[0].FeeYen != 200 || q.Decisions[1].FeeYen != 200 {
		t.Errorf("quote %+v: want 200 yen in all", q)
	}
	if !slices.Equal(q.Documents, []Document{DocMyNumberCard, DocIssueFee}) || q.Visits != 1 {
		t.Errorf("documents %v visits %d", q.Documents, q.Visits)
	}
	for _, dd := range q.Decisions { // a fee is taken: at the counter, with the card's own fee explained
		if dd.Route != RouteCounter || !slices.Contains(dd.Reasons, CardReissueFee) {
			t.Errorf("reissue-lost decision %+v: want the counter and %s", dd, CardReissueFee)
		}
	}
	q, _ = CheckAll(p, []Request{auth})
	if q.FeeYen != 200 {
		t.Errorf("one certificate: %d yen, want 200", q.FeeYen)
	}
	// A refused certificate is not charged: under-15 sign + auth by the legal representative.
	child := Request{Today: d("2026-04-01"), BirthDate: d("2015-06-15"), Purpose: PurposeNew, Applicant: ApplicantLegalRep}
	cs, ca := child, child
	cs.Cert, ca.Cert = CertSign, CertAuth
	q, _ = CheckAll(p, []Request{cs, ca})
	if q.FeeYen != 0 || q.Decisions[0].Allowed || !q.Decisions[1].Allowed || q.Visits != 1 {
		t.Errorf("child quote %+v", q)
	}
	other := auth
	other.BirthDate = d("1981-01-01")
	if _, err := CheckAll(p, []Request{sign, other}); err == nil {
		t.Error("mixed holders accepted")
	}
	if _, err := CheckAll(p, nil); err == nil {
		t.Error("empty quote accepted")
	}
}
