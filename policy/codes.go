package policy

// Reason is a stable upper-snake-case code explaining an answer. Texts for
// every code, in Japanese and English, are in assets/policy/texts.toml
// (see Text).
type Reason string

// Reasons that refuse a request (Decision.Allowed is false).
const (
	UnderFifteen      Reason = "UNDER_15"            // signature certificate before the 15th birthday
	AdultWard         Reason = "ADULT_WARD"          // signature certificate for an adult ward (成年被後見人)
	LegalRepRequired  Reason = "LEGAL_REP_REQUIRED"  // under-15 or adult ward without a legal representative
	NotYetRenewable   Reason = "NOT_YET_RENEWABLE"   // before the renewal window opens
	CertStillValid    Reason = "CERT_STILL_VALID"    // new issuance asked while the certificate is in force
	CertExpired       Reason = "CERT_EXPIRED"        // PIN service on an expired certificate
	CardExpired       Reason = "CARD_EXPIRED"        // the card expires on or before the day
	CardRenewalNeeded Reason = "CARD_RENEWAL_NEEDED" // a renewal would not outlast the current certificate
	PINLocked         Reason = "PIN_LOCKED"          // PIN change asked for a locked PIN
	JukiCard          Reason = "JUKI_CARD"           // old Basic Resident Register card
	ProxyNotAccepted  Reason = "PROXY_NOT_ACCEPTED"  // the profile takes no voluntary proxy for this service
)

// Reasons that inform but do not refuse.
const (
	ApprovalRequired     Reason = "APPROVAL_REQUIRED"          // route approval: a clerk checks ID before the card is written
	StaffRequired        Reason = "STAFF_REQUIRED"             // route counter: staff-assisted from the start
	CardExpiresFirst     Reason = "CARD_EXPIRES_FIRST"         // new expiry cut to the card's expiry
	CertExpiredIssueNew  Reason = "CERT_EXPIRED_ISSUE_NEW"     // renewal asked after expiry: issued anew, free
	RenewedBeforeExpiry  Reason = "RENEWED_BEFORE_EXPIRY"      // 6th birthday rule applied
	ProxyTwoVisits       Reason = "PROXY_TWO_VISITS"           // an inquiry letter is mailed to the holder
	ProxyContactOffice   Reason = "PROXY_CONTACT_OFFICE"       // ask the office about documents first
	ProxyPINResetMandate Reason = "PROXY_PIN_RESET_BY_MANDATE" // PIN reset only if the letter of attorney says so
	ExpiryAtIssue        Reason = "EXPIRY_SET_AT_ISSUE"        // issued on a later visit: expiry not known yet
	CardReissueFee       Reason = "CARD_REISSUE_FEE_SEPARATE"  // the card's own reissue fee is charged separately
)

// Reasons for a closed reception (Hours).
const (
	OutsideHours      Reason = "OUTSIDE_HOURS"      // served day, but outside the reception windows
	PublicHoliday     Reason = "HOLIDAY"            // national holiday (祝日, 振替休日, 国民の休日)
	MaintenanceSunday Reason = "MAINTENANCE_SUNDAY" // Sunday after the third Saturday: nationwide maintenance
	YearEndClosure    Reason = "YEAR_END_CLOSURE"   // 29 December – 3 January
	ClosedDay         Reason = "CLOSED_DAY"         // a weekday the office does not serve (e.g. Saturday)
	ProfileClosure    Reason = "PROFILE_CLOSURE"    // a closure day listed in the profile
	CalendarUnknown   Reason = "CALENDAR_UNKNOWN"   // outside the holiday data's years: not claimed open
)

// Unmet PIN rules (ValidatePIN).
const (
	PINTooShort    Reason = "PIN_TOO_SHORT"
	PINTooLong     Reason = "PIN_TOO_LONG"
	PINBadChar     Reason = "PIN_BAD_CHAR"
	PINNeedsLetter Reason = "PIN_NEEDS_LETTER"
	PINNeedsDigit  Reason = "PIN_NEEDS_DIGIT"
)

// Refusing reports whether r refuses a request (as opposed to informing).
func (r Reason) Refusing() bool {
	switch r {
	case UnderFifteen, AdultWard, LegalRepRequired, NotYetRenewable, CertStillValid,
		CertExpired, CardExpired, CardRenewalNeeded, PINLocked, JukiCard, ProxyNotAccepted:
		return true
	}
	return false
}

// AllReasons lists every reason code the package can produce, in a fixed order.
func AllReasons() []Reason {
	return []Reason{
		UnderFifteen, AdultWard, LegalRepRequired, NotYetRenewable, CertStillValid,
		CertExpired, CardExpired, CardRenewalNeeded, PINLocked, JukiCard, ProxyNotAccepted,
		ApprovalRequired, StaffRequired, CardExpiresFirst, CertExpiredIssueNew,
		RenewedBeforeExpiry, ProxyTwoVisits, ProxyContactOffice, ProxyPINResetMandate,
		ExpiryAtIssue, CardReissueFee,
		OutsideHours, PublicHoliday, MaintenanceSunday, YearEndClosure, ClosedDay, ProfileClosure,
		CalendarUnknown,
		PINTooShort, PINTooLong, PINBadChar, PINNeedsLetter, PINNeedsDigit,
	}
}
