package paper

import (
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
)

func TestReceipt(t *testing.T) {
	tr, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ja", "en", "pt-BR"} {
		tr.SetLang(lang)
		s, _ := Sample("reissue-lost")
		r := Receipt(tr, s, true)
		if r.Ticket != "19" || r.QR != s.Receipt.QR || len(r.Done) != 2 || len(r.Rows) != 4 || r.Latin != (lang != "ja") {
			t.Errorf("%s: %+v", lang, r)
		}
		sign, auth := tr.T("cert."+flow.CertSign.String()+".name"), tr.T("cert."+flow.CertAuth.String()+".name")
		if !strings.Contains(r.Rows[0].Label, sign) || !strings.Contains(r.Rows[1].Label, auth) {
			t.Errorf("%s: the signature certificate comes first, as on the screen: %q, %q", lang, r.Rows[0].Label, r.Rows[1].Label)
		}
		if !strings.Contains(r.Rows[2].Value, "200") {
			t.Errorf("%s: fee row %+v", lang, r.Rows[2])
		}
		notes := strings.Join(r.Notes, "\n")
		for _, c := range policy.RevocationCauses(policy.CertSign) {
			if !strings.Contains(notes, tr.T("lapse."+string(c))) {
				t.Errorf("%s: notes lack %s", lang, c)
			}
		}
		if r := Receipt(tr, s, false); r.QR != "" {
			t.Errorf("%s: QR printed with the QR code off", lang)
		}
		pc, _ := Sample("pin-change")
		if r := Receipt(tr, pc, true); r.Ticket != "" || len(r.Notes) != 0 || len(r.Rows) != 1 {
			t.Errorf("%s: PIN change receipt %+v", lang, r)
		}
	}
	if m := tr.Missing(); len(m) > 0 {
		t.Errorf("messages missing: %v", m)
	}
	if _, ok := Sample("nope"); ok {
		t.Error("unknown sample accepted")
	}
	if got := LapseNotes(tr, []flow.Cert{flow.CertAuth}); len(got) != 3 { // lead, card expiry, what to do
		t.Errorf("auth lapse notes %q", got)
	}
}
