package flow

import "time"

// Snapshot is the view model the UI renders: an immutable value (its slices
// are copies) describing one screen. Codes only, no wording; no PIN, name,
// address or birth date.
type Snapshot struct {
	Seq     uint64  // increases with every accepted event
	State   State   // the screen
	Service Service // the service in progress (ServiceNone on the status screen)
	Step    Step    // step header: step K of N of the service
	Busy    bool    // card I/O in progress: show progress, taps are ignored

	CardType CardType
	Auth     CertView // user-authentication certificate
	// CardRef is CardInfo.Ref: the card reference (card.Ref) read at
	// insertion, stable for the session: what approvals are bound to.
	CardRef string
	// Genuine is CardInfo.Genuine ("jlis", "training", "not_jlis"; "" not
	// checked) and GenuineGen the J-LIS root's generation: shown to the
	// clerk before an approval.
	Genuine    string
	GenuineGen int
	Sign       CertView // signature certificate (Known only after the sign PIN)
	Tries      Retries  // tries left per PIN (-1: unknown)
	Locked     []PIN    // PINs with no tries left
	Offers     []Offer  // the services the status screen offers
	// Recommended is the one offer the status screen makes the primary
	// action (ServiceCounter when a PIN is locked, ServicePrepare when a
	// certificate expired or can be renewed); ServiceNone: none.
	Recommended Service
	// WaitHere: on StateGoToCounter, a clerk comes to this kiosk (PIN
	// reset): the resident waits here with the card instead of going to
	// the counter.
	WaitHere bool

	PIN            PINField // the PIN field on PIN screens (zero elsewhere)
	LastTryWarning bool     // the PIN in question has one try left

	Choices     []CertEligibility // per-certificate eligibility (choose/eligibility screens)
	Selected    CertSet           // the certificates chosen
	Route       Route             // the combined route of the chosen certificates
	FeeYen      int               // the combined fee
	Visits      int               // the most visits any chosen certificate needs
	Documents   []string          // document codes to bring, merged
	Reasons     []string          // reason codes for the current screen
	Hours       Hours             // on StateClosed
	Ticket      *Ticket           // the session's ticket, if any
	Receipt     *Receipt          // on StatePINChanged and StateReceipt
	Error       string            // error code of the last failure, "" if none
	Countdown   int               // seconds left on StateIdleCountdown
	IdleFrom    State             // the screen to return to from the countdown
	CanGoBack   bool              // Back does something here
	CanContinue bool              // Next does something here
}

// CertView is one certificate on the status screen.
type CertView struct {
	Known         bool      // the flow has read it (sign: after the sign PIN)
	Present       bool      // the card holds this certificate
	Serial        string    // certificate serial number (hex)
	NotAfter      time.Time // expiry
	DaysLeft      int       // days until expiry (negative: expired)
	Expired       bool      // NotAfter is before today
	RenewableFrom time.Time // first day of the renewal window
	Renewable     bool      // today is in the renewal window or it expired
}

// Offer is one button of the status screen.
type Offer struct {
	Service Service
	PIN     PIN // for PIN check and change
}

// PINField describes the PIN field: which PIN, what for, the rules to show,
// and the live check's verdict. Never the PIN itself.
type PINField struct {
	Which    PIN
	Purpose  string   // VERIFY, OLD, NEW, REPEAT, BASIC_INFO, SIGN_OPTIONAL
	Rules    []string // rule codes shown beside the field
	MinLen   int
	MaxLen   int
	Digits   bool // digits-only keypad (else A–Z and 0–9)
	Left     int  // tries left (-1 for new PINs)
	Optional bool // Next skips it (the sign PIN when preparing)
	Problems []string
}

// CertEligibility is policy's answer for one certificate.
type CertEligibility struct {
	Cert         Cert
	Purpose      Purpose
	Allowed      bool
	Route        Route
	Reasons      []string
	NewExpiry    time.Time
	RenewalOpens time.Time
	FeeYen       int
	Visits       int
	Documents    []string
}

// Receipt is what the resident takes away. QR holds no personal data.
type Receipt struct {
	Service     Service
	Done        []string // codes of what was done, e.g. "PIN_CHANGED_SIGN", "ISSUED_AUTH"
	NewExpiry   map[Cert]time.Time
	FeeYen      int
	Ticket      int // 0: no ticket
	ApprovalID  string
	Date        time.Time
	QR          string   // data for the QR code: session, ticket, what was done, fee; no personal data
	Outstanding []string // error codes of parts not done (partial issuance)
}

// clone returns a deep copy of the snapshot's slices and pointers.
func (s Snapshot) clone() Snapshot {
	s.Locked = append([]PIN(nil), s.Locked...)
	s.Offers = append([]Offer(nil), s.Offers...)
	s.PIN.Rules = append([]string(nil), s.PIN.Rules...)
	s.PIN.Problems = append([]string(nil), s.PIN.Problems...)
	if s.Choices != nil {
		ch := make([]CertEligibility, len(s.Choices))
		for i, c := range s.Choices {
			c.Reasons = append([]string(nil), c.Reasons...)
			c.Documents = append([]string(nil), c.Documents...)
			ch[i] = c
		}
		s.Choices = ch
	}
	s.Documents = append([]string(nil), s.Documents...)
	s.Reasons = append([]string(nil), s.Reasons...)
	if s.Ticket != nil {
		t := *s.Ticket
		s.Ticket = &t
	}
	if s.Receipt != nil {
		r := *s.Receipt
		r.Done = append([]string(nil), r.Done...)
		r.Outstanding = append([]string(nil), r.Outstanding...)
		r.NewExpiry = make(map[Cert]time.Time, len(s.Receipt.NewExpiry))
		for k, v := range s.Receipt.NewExpiry {
			r.NewExpiry[k] = v
		}
		s.Receipt = &r
	}
	return s
}
