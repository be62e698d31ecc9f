package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/paper"
)

// TestLapseExplained: the status screen explains in one tap, in plain words,
// every automatic lapse cause of both certificates (policy.RevocationCauses);
// the eligibility screen says it before a renewal and offers the same tap;
// the printed receipt carries it for the certificates issued.
func TestLapseExplained(t *testing.T) {
	for _, lang := range []string{"ja", "en", "pt-BR"} {
		t.Run(lang, func(t *testing.T) {
			r := newStaffRig(t, "moriya", statusSnap())
			r.k.tr.SetLang(lang)
			r.screen(flow.StateStatus.String())
			r.k.ResetTaps()
			b := r.k.Button("lapse.open")
			if b == nil {
				t.Fatal("the status screen has no lapse button")
			}
			test.Tap(b)
			for _, c := range []policy.Cert{policy.CertSign, policy.CertAuth} {
				for _, cause := range policy.RevocationCauses(c) {
					if !strings.Contains(nospace(r.popupTexts()), nospace(r.tr("lapse."+string(cause)))) {
						t.Errorf("%s: the explanation lacks %s:\n%s", lang, cause, r.popupTexts())
					}
				}
			}
			if r.k.Button("lapse.close") == nil {
				t.Error("the explanation has no close button")
			}
			test.Tap(r.k.Button("lapse.close"))

			el := sample(t, flow.StateEligibility)
			r.s.snap = el
			r.k.Refresh()
			if !strings.Contains(nospace(r.texts()), nospace(r.tr("lapse.short.SIGN"))) {
				t.Errorf("the eligibility screen does not say when the signature certificate lapses")
			}
			if r.k.Button("lapse.open") == nil {
				t.Error("the eligibility screen has no lapse button")
			}

			rc := sample(t, flow.StateReceipt)
			pr := paper.Receipt(r.k.tr, rc, true)
			notes := strings.Join(pr.Notes, "\n")
			for _, cause := range policy.RevocationCauses(policy.CertSign) {
				if !strings.Contains(notes, r.tr("lapse."+string(cause))) {
					t.Errorf("%s: the printed receipt lacks %s", lang, cause)
				}
			}
		})
	}
}

// popupTexts returns every text drawn in the top overlay (a modal popup).
func (r *staffRig) popupTexts() string {
	top := r.w.Canvas().Overlays().Top()
	if top == nil {
		return ""
	}
	var b strings.Builder
	for _, o := range test.LaidOutObjects(top) {
		if t, ok := o.(*canvas.Text); ok && o.Visible() {
			b.WriteString(t.Text)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// nospace drops white space, so that text wrapped over lines compares whole.
func nospace(s string) string { return strings.Join(strings.Fields(s), "") }

// TestStaffLapsedCase: the clerk records "moved, certificate lapsed — issue
// anew" as a counter case: a new signature certificate, the cause audited as
// a code.
func TestStaffLapsedCase(t *testing.T) {
	s := statusSnap()
	s.Auth.Serial = "5150"
	r := newStaffRig(t, "moriya", s)
	r.openCase("clerk1")
	r.tap("staff.kind.lapsed")
	r.tap("staff.lapse.NAME_CHANGE")
	r.tap("staff.cert.sign")
	r.tap("staff.cert.auth") // only the signature certificate lapses on a move or a new name
	r.tap("staff.case.open")
	r.tap("staff.doc.HOLDER_IDENTITY.mynumber_card")
	r.tap("staff.doc.MYNUMBER_CARD")
	r.tap("staff.case.approve")
	r.see(r.tr("staff.case.approved_lead"))
	var cause, certs string
	r.st.DB().QueryRow(`SELECT json_extract(detail_json, '$.cause'), json_extract(detail_json, '$.certificates') FROM audit_events WHERE kind = 'certificate_lapsed'`).Scan(&cause, &certs)
	if cause != "NAME_CHANGE" || certs != `["sign"]` {
		t.Errorf("recorded cause %q certificates %s", cause, certs)
	}
}

// TestStaffCardReissueFeeExplained: a reissue after a loss goes to the
// counter; the clerk takes 200 yen once for both certificates and is told
// the card's own fee (Moriya: 800 yen) is separate.
func TestStaffCardReissueFeeExplained(t *testing.T) {
	r := reissueLostCase(t)
	r.see(r.tr("staff.case.fee", "Fee", r.k.tr.Yen(200)))
	if !strings.Contains(nospace(r.texts()), nospace(r.tr("staff.case.card_fee", "Fee", r.k.tr.Yen(800)))) {
		t.Error("the card's own 800-yen fee is not explained")
	}
}
