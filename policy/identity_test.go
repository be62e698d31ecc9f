package policy

import "testing"

func TestIdentitySatisfied(t *testing.T) {
	cases := []struct {
		name  string
		rule  IdentityRule
		shown []IDDocument
		want  bool
	}{
		{"photo or two: licence", PhotoOrTwo, []IDDocument{IDDriversLicence}, true},
		{"photo or two: my number card", PhotoOrTwo, []IDDocument{IDMyNumberCard}, true},
		{"photo or two: insurance and pension book", PhotoOrTwo, []IDDocument{IDHealthInsurance, IDPensionBook}, true},
		{"photo or two: one non-photo", PhotoOrTwo, []IDDocument{IDHealthInsurance}, false},
		{"photo or two: same non-photo twice", PhotoOrTwo, []IDDocument{IDHealthInsurance, IDHealthInsurance}, false},
		{"photo or two: nothing", PhotoOrTwo, nil, false},
		{"photo or two: unknown kinds", PhotoOrTwo, []IDDocument{"library_card", "club_card"}, false},
		{"photo only: passport", PhotoOnly, []IDDocument{IDPassport}, true},
		{"photo only: two non-photo", PhotoOnly, []IDDocument{IDHealthInsurance, IDPensionBook}, false},
	}
	for _, c := range cases {
		if got := IdentitySatisfied(c.rule, c.shown); got != c.want {
			t.Errorf("%s: IdentitySatisfied = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestIdentityRuleFor(t *testing.T) {
	for doc, want := range map[Document]IdentityRule{
		DocLegalRepPhotoID:   PhotoOnly,
		DocProxyPhotoID:      PhotoOnly,
		DocProxyIDPhotoOrTwo: PhotoOrTwo,
		DocMyNumberCard:      PhotoOrTwo,
	} {
		if got := IdentityRuleFor(doc); got != want {
			t.Errorf("IdentityRuleFor(%s) = %v, want %v", doc, got, want)
		}
	}
	for _, d := range append(append([]IDDocument{}, PhotoIDs...), NoPhotoIDs...) {
		if !d.Known() {
			t.Errorf("%s not Known", d)
		}
	}
	if IDDocument("x").Known() {
		t.Error("unknown kind reported Known")
	}
}
