package policy

// Revocation is a cause for which a certificate lapses automatically; the
// kiosk explains it and staff record it (texts in assets/policy/texts.toml).
type Revocation string

// The automatic revocation causes (seed 001: 転居および転出による住所の変更、
// 氏名の変更、死亡など住民票の消除、利用者証明用電子証明書の失効、マイナンバーカードの
// 有効期限切れ等があった場合は、自動的に失効; 利用者証明用: マイナンバーカードが
// 失効すると同時に失効).
const (
	RevokeAddressChange   Revocation = "ADDRESS_CHANGE"
	RevokeNameChange      Revocation = "NAME_CHANGE"
	RevokeRegisterRemoval Revocation = "REGISTER_REMOVAL"
	RevokeAuthCertRevoked Revocation = "AUTH_CERT_REVOKED"
	RevokeCardExpiry      Revocation = "CARD_EXPIRY"
)

// RevocationCauses lists the causes that revoke certificate c automatically.
func RevocationCauses(c Cert) []Revocation {
	if c == CertSign {
		return []Revocation{RevokeAddressChange, RevokeNameChange, RevokeRegisterRemoval,
			RevokeAuthCertRevoked, RevokeCardExpiry}
	}
	return []Revocation{RevokeCardExpiry}
}
