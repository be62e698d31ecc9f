package policy

import "fmt"

// Cert names one of the two JPKI certificates on the card.
type Cert string

// The two certificates.
const (
	CertSign Cert = "sign" // 署名用電子証明書
	CertAuth Cert = "auth" // 利用者証明用電子証明書
)

// String is the certificate's code in screens, receipts and audit codes:
// "SIGN" or "AUTH" (its value, "sign" or "auth", is the JSON and flag form).
func (c Cert) String() string {
	switch c {
	case CertSign:
		return "SIGN"
	case CertAuth:
		return "AUTH"
	}
	return fmt.Sprintf("CERT(%s)", string(c))
}

// PIN is the PIN that protects the certificate's key.
func (c Cert) PIN() PINKind {
	if c == CertSign {
		return PINSign
	}
	return PINAuth
}

// Purpose is the service asked for.
type Purpose string

// The services policy answers for.
const (
	PurposeRenew       Purpose = "renew"        // 更新
	PurposeNew         Purpose = "new"          // 新規発行
	PurposeReissueLost Purpose = "reissue-lost" // issued with a card reissued after a loss (holder's fault)
	PurposePINReset    Purpose = "pin-reset"    // 暗証番号の初期化・再設定
	PurposePINChange   Purpose = "pin-change"   // 暗証番号の変更 (old PIN known)
)

// Applicant is who applies.
type Applicant string

// The applicants.
const (
	ApplicantSelf     Applicant = "self"      // the holder
	ApplicantLegalRep Applicant = "legal-rep" // 法定代理人
	ApplicantProxy    Applicant = "proxy"     // 任意代理人 (voluntary proxy)
)

// CardType is the kind of card the certificates are (to be) on.
type CardType string

// The card types (DESIGN.md §4: token JPKIAPICCTOKEN2 vs JPKIAPICCTOKEN).
const (
	CardMyNumber CardType = "mynumber"
	CardJuki     CardType = "juki"
)

// Route is where a request is carried out.
type Route string

// The routes (DESIGN.md §6).
const (
	RouteSelf     Route = "self"     // the resident alone at the kiosk
	RouteApproval Route = "approval" // at the kiosk; a clerk approves before the card is written
	RouteCounter  Route = "counter"  // a staff-assisted session from the start
)

// Rank orders routes by staff involvement: self 0, approval 1, counter 2
// (anything unknown counts as counter: the safe side).
func (r Route) Rank() int {
	switch r {
	case RouteSelf:
		return 0
	case RouteApproval:
		return 1
	}
	return 2
}

// Document is a code for something to bring (texts in assets/policy/texts.toml).
type Document string

// Known document codes.
const (
	DocMyNumberCard      Document = "MYNUMBER_CARD"
	DocExpiryNotice      Document = "EXPIRY_NOTICE"
	DocApplicationForm   Document = "APPLICATION_FORM"
	DocIssueFee          Document = "ISSUE_FEE_200"
	DocHolderInPerson    Document = "HOLDER_IN_PERSON"
	DocLegalRepPhotoID   Document = "LEGAL_REP_PHOTO_ID"
	DocProofOfAuthority  Document = "PROOF_OF_AUTHORITY"
	DocProxyPhotoID      Document = "PROXY_PHOTO_ID"
	DocProxyIDPhotoOrTwo Document = "PROXY_ID_PHOTO_OR_TWO"
	DocLetterOfAttorney  Document = "LETTER_OF_ATTORNEY"
	DocInquiryReply      Document = "INQUIRY_REPLY"
)

// AllDocuments lists every document code, in a fixed order.
func AllDocuments() []Document {
	return []Document{DocMyNumberCard, DocExpiryNotice, DocApplicationForm, DocIssueFee,
		DocHolderInPerson, DocLegalRepPhotoID, DocProofOfAuthority, DocProxyPhotoID,
		DocProxyIDPhotoOrTwo, DocLetterOfAttorney, DocInquiryReply}
}

// ReissueFeeYen is the fee for certificates issued with a card reissued after
// a loss that is the holder's fault: 200 yen in all, for one or both
// certificates (紛失等本人の責による…再交付に伴う電子証明書の発行は有料で200円).
const ReissueFeeYen = 200

// ParseCert, ParsePurpose and ParseApplicant check an enum value given as text.
func ParseCert(s string) (Cert, error) {
	switch c := Cert(s); c {
	case CertSign, CertAuth:
		return c, nil
	}
	return "", fmt.Errorf("unknown certificate %q: want sign or auth", s)
}

// ParsePurpose checks a purpose given as text.
func ParsePurpose(s string) (Purpose, error) {
	switch p := Purpose(s); p {
	case PurposeRenew, PurposeNew, PurposeReissueLost, PurposePINReset, PurposePINChange:
		return p, nil
	}
	return "", fmt.Errorf("unknown purpose %q: want renew, new, reissue-lost, pin-reset or pin-change", s)
}

// ParseApplicant checks an applicant given as text.
func ParseApplicant(s string) (Applicant, error) {
	switch a := Applicant(s); a {
	case ApplicantSelf, ApplicantLegalRep, ApplicantProxy:
		return a, nil
	}
	return "", fmt.Errorf("unknown applicant %q: want self, legal-rep or proxy", s)
}

// AllPurposes lists the purposes in a fixed order.
func AllPurposes() []Purpose {
	return []Purpose{PurposeRenew, PurposeNew, PurposeReissueLost, PurposePINReset, PurposePINChange}
}

// issuing reports whether p writes a new certificate.
func (p Purpose) issuing() bool {
	return p == PurposeRenew || p == PurposeNew || p == PurposeReissueLost
}

// Request is one question to policy: may this person have this service for
// this certificate today, and how?
type Request struct {
	Today      Date // the day of the service (required)
	BirthDate  Date // the holder's birth date (required)
	Cert       Cert
	Purpose    Purpose
	CertExpiry Date // expiry of the current certificate; zero when none or unknown (required for renew)
	CardExpiry Date // the card's expiry; zero when unknown
	Applicant  Applicant
	AdultWard  bool     // the holder is an adult ward (成年被後見人)
	CardType   CardType // zero means CardMyNumber
	PINLocked  bool     // the certificate's PIN is locked (after 5 / 3 wrong tries)
	// DomicileInCity: the holder's registered domicile (本籍地) is in the
	// municipality; with a profile that waives it, an under-15's legal
	// representative needs no family register as proof of authority.
	DomicileInCity bool
}

// RequestError is a request policy cannot answer (missing or invalid input).
type RequestError struct{ Msg string }

// Error returns the message prefixed with "policy: ".
func (e *RequestError) Error() string { return "policy: " + e.Msg }

func (r *Request) normalise() error {
	if r.Applicant == "" {
		r.Applicant = ApplicantSelf
	}
	if r.CardType == "" {
		r.CardType = CardMyNumber
	}
	switch {
	case r.Today.IsZero():
		return &RequestError{"today is required"}
	case r.BirthDate.IsZero():
		return &RequestError{"birth date is required"}
	case r.BirthDate.After(r.Today):
		return &RequestError{fmt.Sprintf("birth date %s is after today %s", r.BirthDate, r.Today)}
	}
	if _, err := ParseCert(string(r.Cert)); err != nil {
		return &RequestError{err.Error()}
	}
	if _, err := ParsePurpose(string(r.Purpose)); err != nil {
		return &RequestError{err.Error()}
	}
	if _, err := ParseApplicant(string(r.Applicant)); err != nil {
		return &RequestError{err.Error()}
	}
	if r.CardType != CardMyNumber && r.CardType != CardJuki {
		return &RequestError{fmt.Sprintf("unknown card type %q: want mynumber or juki", r.CardType)}
	}
	if r.Purpose == PurposeRenew && r.CertExpiry.IsZero() {
		return &RequestError{"renewal needs the current certificate's expiry date"}
	}
	return nil
}
