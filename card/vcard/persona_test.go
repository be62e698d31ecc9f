package vcard

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"testing"
	"time"
)

func d(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, jst)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCertExpiryRule(t *testing.T) {
	tests := []struct {
		birth, issue, card, want string
	}{
		{"1980-04-12", "2024-03-10", "2034-04-12", "2028-04-12"},
		{"1980-04-12", "2024-04-12", "2034-04-12", "2029-04-12"}, // birthday on the issue date does not count
		{"1980-04-12", "2024-04-13", "2034-04-12", "2029-04-12"},
		{"2000-02-29", "2023-03-01", "2033-02-28", "2028-02-29"}, // leap birthday in a leap year
		{"2000-02-29", "2024-03-01", "2034-02-28", "2029-02-28"}, // and on the 28th otherwise
		{"1980-04-12", "2024-03-10", "2027-01-01", "2027-01-01"}, // capped by the card
	}
	for _, tt := range tests {
		if got := certExpiry(d(tt.birth), d(tt.issue), d(tt.card)); !got.Equal(d(tt.want)) {
			t.Errorf("certExpiry(%s, %s, %s) = %s, want %s", tt.birth, tt.issue, tt.card, got.Format(time.DateOnly), tt.want)
		}
	}
	if got := cardExpiry(d("2012-06-01"), d("2025-03-10")); !got.Equal(d("2029-06-01")) {
		t.Errorf("minor's card expiry %s", got.Format(time.DateOnly))
	}
	for _, tt := range []struct{ birth, want string }{
		{"1926-12-24", "219261224"}, {"1926-12-25", "319261225"}, {"1989-01-07", "319890107"},
		{"1989-01-08", "419890108"}, {"2019-05-01", "520190501"}, {"1900-01-01", "119000101"},
	} {
		if got := BirthValue(d(tt.birth)); got != tt.want {
			t.Errorf("BirthValue(%s) = %s, want %s", tt.birth, got, tt.want)
		}
	}
}

// TestPersonaDates checks each persona's situation on several dates,
// including month ends and a leap day.
func TestPersonaDates(t *testing.T) {
	for _, now := range []time.Time{testNow, d("2028-02-29"), d("2026-12-31"), d("2027-08-31"), time.Now()} {
		today := dateOf(now)
		for _, in := range List() {
			p, err := NewPersona(in.Name, now)
			if err != nil {
				t.Fatal(err)
			}
			at := in.Name + "@" + today.Format(time.DateOnly)
			switch in.Name {
			case PersonaRenewable:
				if !p.AuthExpiry.After(today) || p.AuthExpiry.After(today.AddDate(0, 3, 0)) {
					t.Errorf("%s: expiry %s not within 3 months", at, p.AuthExpiry.Format(time.DateOnly))
				}
			case PersonaExpired:
				if !p.AuthExpiry.Before(today) || !p.SignExpiry.Before(today) || !p.CardExpiry.After(today) {
					t.Errorf("%s: expiry %s / card %s", at, p.AuthExpiry.Format(time.DateOnly), p.CardExpiry.Format(time.DateOnly))
				}
			case PersonaChild:
				if age := ageOn(p.Holder.Birth, today); age != 14 {
					t.Errorf("%s: age %d", at, age)
				}
				if p.SignCert != nil || p.SignKey != nil {
					t.Errorf("%s: child has a signature certificate", at)
				}
			case PersonaJuki:
				if !p.SignExpiry.Before(today) || p.AuthCert != nil {
					t.Errorf("%s: juki certificates", at)
				}
			case PersonaNoCerts:
				if p.AuthCert != nil || p.SignCert != nil {
					t.Errorf("%s: has certificates", at)
				}
			default:
				if !p.AuthExpiry.After(today.AddDate(1, 0, 0)) {
					t.Errorf("%s: expiry %s too soon", at, p.AuthExpiry.Format(time.DateOnly))
				}
			}
			for _, c := range []*x509.Certificate{p.AuthCert, p.SignCert} {
				if c == nil {
					continue
				}
				exp := p.AuthExpiry
				if c == p.SignCert {
					exp = p.SignExpiry
				}
				if got := dateOf(c.NotAfter); !got.Equal(exp) {
					t.Errorf("%s: %s notAfter %s, want %s", at, c.Subject, got.Format(time.DateOnly), exp.Format(time.DateOnly))
				}
				if in.Name != PersonaJuki && !exp.Equal(certExpiry(p.Holder.Birth, p.IssueDate, p.CardExpiry)) {
					t.Errorf("%s: expiry does not follow the rule", at)
				}
			}
		}
	}
}

func TestCertificateContents(t *testing.T) {
	p := mustPersona(t, PersonaAdult)
	if len(p.AuthCert.Subject.Names) != 2 || p.AuthCert.Subject.CommonName == "" || p.AuthCert.Subject.Country[0] != "JP" {
		t.Errorf("auth subject %s", p.AuthCert.Subject)
	}
	if p.AuthCert.Issuer.OrganizationalUnit[0] != "JPKI for user authentication" {
		t.Errorf("auth issuer %s", p.AuthCert.Issuer)
	}
	if p.AuthCert.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("auth key usage %v", p.AuthCert.KeyUsage)
	}
	if p.SignCert.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Errorf("sign key usage %v", p.SignCert.KeyUsage)
	}
	if p.SignCert.Subject.CommonName != "DIGITAL HANAKO" || p.AuthCert.Version != 3 {
		t.Errorf("sign subject %s", p.SignCert.Subject)
	}
	// subjectAltName otherNames
	want := map[string]string{
		OIDHolderName.String(): "デジタル 花子", OIDHolderSex.String(): "2",
		OIDHolderBirth.String(): "319800412", OIDHolderAddress.String(): "茨城県守谷市中央二丁目16番地1",
	}
	got := map[string]string{}
	for _, ext := range p.SignCert.Extensions {
		if !ext.Id.Equal(oidSAN) {
			continue
		}
		var names []asn1.RawValue
		if _, err := asn1.Unmarshal(ext.Value, &names); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			var on struct {
				ID  asn1.ObjectIdentifier
				Val asn1.RawValue // [0] EXPLICIT
			}
			if _, err := asn1.UnmarshalWithParams(n.FullBytes, &on, "tag:0"); err != nil {
				t.Fatal(err)
			}
			var s string
			if _, err := asn1.UnmarshalWithParams(on.Val.Bytes, &s, "utf8"); err != nil {
				t.Fatal(err)
			}
			got[on.ID.String()] = s
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("SAN %s = %q, want %q", k, got[k], v)
		}
	}
	for _, c := range []*x509.Certificate{p.AuthCert} {
		for _, ext := range c.Extensions {
			if ext.Id.Equal(oidSAN) {
				t.Error("auth certificate carries personal data")
			}
		}
	}
}

func TestBasicInfo(t *testing.T) {
	c := newTestCard(t, PersonaAdult)
	tx(t, c, selBasic)
	tx(t, c, selEF(EFBasicPIN))
	txb(t, c, verifyAPDU(defaultBasicPIN))
	tx(t, c, selEF(EFBasicInfo))
	head, sw := tx(t, c, "00 B0 00 00 03")
	if sw != 0x9000 || head[0] != 0xFF || head[1] != 0x20 {
		t.Fatalf("% X %04X", head, sw)
	}
	n := int(head[2]) + 3
	if head[2] == 0x81 {
		head, _ = tx(t, c, "00 B0 00 00 04")
		n = int(head[3]) + 4
	}
	info, sw := txb(t, c, []byte{0, 0xB0, 0, 0, byte(n)})
	if sw != 0x9000 {
		t.Fatalf("%04X", sw)
	}
	for _, want := range [][]byte{
		append([]byte{0xDF, 0x22, byte(len("デジタル 花子"))}, "デジタル 花子"...),
		[]byte("\xDF\x24\x0819800412"), []byte("\xDF\x25\x012"),
	} {
		if !bytes.Contains(info, want) {
			t.Errorf("basic info lacks % X", want)
		}
	}
}

func TestListAndDeterminism(t *testing.T) {
	l := List()
	if len(l) != len(specs) || l[0].Name != PersonaAdult || l[0].AuthPIN != "1234" || l[0].SignPIN != "ABC123" {
		t.Fatalf("List: %+v", l[0])
	}
	if _, err := NewPersona("nobody", testNow); err == nil {
		t.Error("unknown persona built")
	}
	a, b := mustPersona(t, PersonaAdult), mustPersona(t, PersonaAdult)
	if !bytes.Equal(a.AuthCert.Raw, b.AuthCert.Raw) {
		t.Error("same persona and date give different certificates")
	}
	start := time.Now()
	for _, in := range l {
		mustPersona(t, in.Name)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("building all personas took %v", el)
	}
}
