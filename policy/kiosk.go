package policy

import "slices"

// KioskCert is one certificate as the kiosk found it on the card.
type KioskCert struct {
	Cert Cert
	// Expiry is the current certificate's expiry; zero when the card holds
	// none (or the kiosk could not read it).
	Expiry Date
	// Chosen: the resident chose it; the quote's totals count it.
	Chosen bool
}

// KioskRequest is the resident's whole request at the kiosk: one holder,
// one day, self-service, the card's certificates (usually both) of which
// some are chosen.
type KioskRequest struct {
	Today      Date // required
	BirthDate  Date // required
	CardExpiry Date // zero: unknown (the clerk confirms it at approval)
	Certs      []KioskCert
}

// KioskDecision is the answer for one certificate of a KioskRequest.
type KioskDecision struct {
	Cert    Cert
	Purpose Purpose // renew or new (IssuePurpose)
	Decision
}

// KioskQuote answers a KioskRequest: per certificate, and for the chosen
// certificates that are allowed the route (the one with most staff
// involvement), the fee (one 200-yen fee for one or both), the most visits
// and the documents united. With nothing chosen and allowed the route is ""
// and the totals are zero.
type KioskQuote struct {
	Certs     []KioskDecision // one per KioskRequest.Certs, in order
	Route     Route
	FeeYen    int
	Visits    int
	Documents []Document // nil when nothing is counted
}

// IssuePurpose is what an issuance at the kiosk does for a certificate whose
// current expiry is expiry (zero: the card holds none): renew while it is in
// force (up to and including its last day), else issue anew. An expired
// certificate is asked for as new issuance: policy's answer is the same as
// for a renewal after expiry (CERT_EXPIRED_ISSUE_NEW), without that note.
func IssuePurpose(today, expiry Date) Purpose {
	if !expiry.IsZero() && !today.After(expiry) {
		return PurposeRenew
	}
	return PurposeNew
}

// CheckKiosk answers the resident's request at the kiosk in one call. A
// certificate an under-15 (or adult ward) may have only with a legal
// representative is allowed on route counter, the reason LEGAL_REP_REQUIRED
// kept first to say who must come. It returns a *RequestError when the
// request cannot be answered (no profile, no birth date, ...).
func CheckKiosk(p *Profile, k KioskRequest) (KioskQuote, error) {
	if p == nil {
		return KioskQuote{}, &RequestError{"no profile"}
	}
	var q KioskQuote
	var total Quote
	for _, c := range k.Certs {
		req := Request{Today: k.Today, BirthDate: k.BirthDate, Cert: c.Cert, CardExpiry: k.CardExpiry,
			Purpose: IssuePurpose(k.Today, c.Expiry), Applicant: ApplicantSelf, CardType: CardMyNumber}
		if req.Purpose == PurposeRenew {
			req.CertExpiry = c.Expiry
		}
		d, err := Check(p, req)
		if err != nil {
			return KioskQuote{}, err
		}
		if !d.Allowed && slices.Contains(d.Reasons, LegalRepRequired) {
			rep := req
			rep.Applicant = ApplicantLegalRep
			if dr, err := Check(p, rep); err == nil && dr.Allowed {
				dr.Reasons = append([]Reason{LegalRepRequired}, dr.Reasons...)
				dr.Route = RouteCounter
				d = dr
			}
		}
		q.Certs = append(q.Certs, KioskDecision{Cert: c.Cert, Purpose: req.Purpose, Decision: d})
		if c.Chosen && d.Allowed {
			if q.Route == "" || d.Route.Rank() > q.Route.Rank() {
				q.Route = d.Route
			}
			total.add(d)
		}
	}
	q.FeeYen, q.Visits = total.FeeYen, total.Visits
	if len(total.Documents) > 0 {
		q.Documents = total.Documents
	}
	return q, nil
}
