package policy

import (
	"slices"
	"testing"
)

func TestTextsComplete(t *testing.T) {
	for _, r := range AllReasons() {
		if !HasText(r) || Describe(r, "ja") == Describe(r, "en") {
			t.Errorf("reason %s: missing ja or en text", r)
		}
	}
	for _, doc := range AllDocuments() {
		if !HasText(doc) {
			t.Errorf("document %s: missing ja or en text", doc)
		}
	}
	for _, c := range []Cert{CertSign, CertAuth} {
		for _, r := range RevocationCauses(c) {
			if !HasText(r) {
				t.Errorf("revocation %s: missing text", r)
			}
		}
	}
	for _, k := range []string{"SIGN", "FOUR_DIGITS"} {
		if !HasText(k) {
			t.Errorf("PIN rule %s: missing text", k)
		}
	}
	if Describe("NO_SUCH_CODE", "ja") != "NO_SUCH_CODE" || HasText("NO_SUCH_CODE") {
		t.Error("unknown codes should come back as themselves")
	}
	if Describe(UnderFifteen, "vi") != Describe(UnderFifteen, "ja") {
		t.Error("other languages fall back to Japanese")
	}
	// Every code in the texts file is one the package knows (no stale entries).
	tx := loadTexts()
	for code := range tx.Reasons {
		if !slices.Contains(AllReasons(), Reason(code)) {
			t.Errorf("texts.toml: stale reason %s", code)
		}
	}
	for code := range tx.Documents {
		if !slices.Contains(AllDocuments(), Document(code)) {
			t.Errorf("texts.toml: stale document %s", code)
		}
	}
}

// TestRevocationCauses: 001 転居および転出による住所の変更、氏名の変更、死亡など住民票の消除、
// 利用者証明用電子証明書の失効、マイナンバーカードの有効期限切れ等 / 利用者証明用:
// マイナンバーカードが失効すると同時に失効.
func TestRevocationCauses(t *testing.T) {
	if got := RevocationCauses(CertSign); len(got) != 5 || got[3] != RevokeAuthCertRevoked {
		t.Errorf("sign: %v", got)
	}
	if got := RevocationCauses(CertAuth); !slices.Equal(got, []Revocation{RevokeCardExpiry}) {
		t.Errorf("auth: %v", got)
	}
}

// TestEveryReasonTested: each exported reason code is expected by at least
// one table case (decisions, hours or PINs).
func TestEveryReasonTested(t *testing.T) {
	seen := map[Reason]bool{}
	for _, c := range checkCases {
		for _, r := range c.want.Reasons {
			seen[r] = true
		}
	}
	for _, c := range hoursCases {
		seen[c.reason] = true
	}
	for _, c := range pinCases {
		for _, r := range c.want {
			seen[r] = true
		}
	}
	for _, r := range AllReasons() {
		if !seen[r] {
			t.Errorf("reason %s has no table case", r)
		}
	}
}
