package policy

import "slices"

// IDDocument is a kind of identity document a clerk checks at the counter
// (本人確認書類). Only the kind is ever recorded, never its number or holder.
type IDDocument string

// Identity documents with a photo (顔写真付き).
const (
	IDDriversLicence     IDDocument = "drivers_licence"      // 運転免許証
	IDPassport           IDDocument = "passport"             // 旅券
	IDMyNumberCard       IDDocument = "mynumber_card"        // マイナンバーカード
	IDResidenceCard      IDDocument = "residence_card"       // 在留カード・特別永住者証明書
	IDDisabilityBook     IDDocument = "disability_book"      // 身体障害者手帳 (with photo)
	IDDrivingHistory     IDDocument = "driving_history"      // 運転経歴証明書
	IDOtherPhotoOfficial IDDocument = "other_photo_official" // other official photo ID (官公署発行)
)

// Identity documents without a photo (顔写真のない身分証).
const (
	IDHealthInsurance IDDocument = "health_insurance" // 健康保険証・資格確認書
	IDPensionBook     IDDocument = "pension_book"     // 年金手帳・基礎年金番号通知書
	IDPensionCert     IDDocument = "pension_cert"     // 年金証書
	IDOtherNoPhoto    IDDocument = "other_no_photo"   // other document without a photo
)

// PhotoIDs and NoPhotoIDs list the identity documents in the clerk's order.
var (
	PhotoIDs   = []IDDocument{IDDriversLicence, IDPassport, IDMyNumberCard, IDResidenceCard, IDDisabilityBook, IDDrivingHistory, IDOtherPhotoOfficial}
	NoPhotoIDs = []IDDocument{IDHealthInsurance, IDPensionBook, IDPensionCert, IDOtherNoPhoto}
)

// HasPhoto reports whether d is a photo ID.
func (d IDDocument) HasPhoto() bool { return slices.Contains(PhotoIDs, d) }

// Known reports whether d is one of the listed kinds.
func (d IDDocument) Known() bool { return d.HasPhoto() || slices.Contains(NoPhotoIDs, d) }

// IdentityRule is what an identity check needs.
type IdentityRule int

const (
	// PhotoOrTwo: one photo ID, or two different IDs without a photo. Seed
	// 000: 代理のかたの本人確認書類(運転免許証、旅券、マイナンバーカード、
	// 健康保険証等顔写真のない身分証は2点). Also used for the holder's own
	// check at the window.
	PhotoOrTwo IdentityRule = iota + 1
	// PhotoOnly: one official photo ID. Seed 001: 官公署発行の顔写真付き本人
	// 確認書類1点 (legal representative).
	PhotoOnly
)

// IdentityRuleFor returns the rule of an identity document code of the
// checklist (LEGAL_REP_PHOTO_ID, PROXY_PHOTO_ID: photo only;
// PROXY_ID_PHOTO_OR_TWO: photo or two), and for anything else (the holder's
// own check) PhotoOrTwo.
func IdentityRuleFor(doc Document) IdentityRule {
	switch doc {
	case DocLegalRepPhotoID, DocProxyPhotoID:
		return PhotoOnly
	}
	return PhotoOrTwo
}

// IsIdentityDocument reports whether a checklist code is an identity check
// the clerk answers with document kinds rather than a tick.
func IsIdentityDocument(doc Document) bool {
	return doc == DocLegalRepPhotoID || doc == DocProxyPhotoID || doc == DocProxyIDPhotoOrTwo
}

// IdentitySatisfied reports whether the documents shown meet rule: unknown
// kinds count for nothing, and two non-photo documents must differ.
func IdentitySatisfied(rule IdentityRule, shown []IDDocument) bool {
	noPhoto := map[IDDocument]bool{}
	for _, d := range shown {
		switch {
		case d.HasPhoto():
			return true
		case slices.Contains(NoPhotoIDs, d):
			noPhoto[d] = true
		}
	}
	return rule == PhotoOrTwo && len(noPhoto) >= 2
}
