package policy

import (
	"errors"
	"slices"
)

// Decision is policy's answer to a Request. Its JSON form is the
// `kioskctl policy check --json` contract (DESIGN.md §6).
type Decision struct {
	Allowed      bool       `json:"allowed"`
	Route        Route      `json:"route"`
	Reasons      []Reason   `json:"reasons"`       // never nil; refusing codes first
	NewExpiry    Date       `json:"new_expiry"`    // zero (null) when not allowed, not issuing, or fixed on a later visit
	RenewalOpens Date       `json:"renewal_opens"` // set for renew (the current certificate's window), else zero
	FeeYen       int        `json:"fee_yen"`
	Visits       int        `json:"visits"`    // 2 where an inquiry letter is mailed to the holder
	Documents    []Document `json:"documents"` // never nil
}

// Check answers one request under profile p. It returns a *RequestError when
// the request itself is incomplete or invalid; a refusal is a Decision with
// Allowed false, not an error.
func Check(p *Profile, req Request) (Decision, error) {
	if p == nil {
		return Decision{}, &RequestError{"no profile"}
	}
	if err := req.normalise(); err != nil {
		return Decision{}, err
	}
	d := Decision{Reasons: []Reason{}, Documents: []Document{}, Visits: 1}
	add := func(r Reason) {
		if !slices.Contains(d.Reasons, r) {
			d.Reasons = append(d.Reasons, r)
		}
	}
	today, dob := req.Today, req.BirthDate
	under15 := AgeOn(dob, today) < 15
	needsRep := under15 || req.AdultWard
	purpose := req.Purpose // the service actually carried out

	if req.CardType == CardJuki {
		// 平成28年1月から電子証明書を新規で発行する場合は、マイナンバーカードの取得が必要
		d.Route = RouteCounter
		d.Reasons = []Reason{JukiCard}
		return d, nil
	}
	if !req.CardExpiry.IsZero() && !req.CardExpiry.After(today) {
		add(CardExpired) // certificates lapse with the card (マイナンバーカードが失効したとき)
	}

	switch req.Purpose {
	case PurposeRenew:
		d.RenewalOpens = RenewalOpens(req.CertExpiry)
		switch {
		case today.After(req.CertExpiry):
			// 有効期限が過ぎた場合でも、新しい電子証明書は無料で発行
			add(CertExpiredIssueNew)
			purpose = PurposeNew
		case today.Before(d.RenewalOpens):
			add(NotYetRenewable)
		}
	case PurposeNew:
		if !req.CertExpiry.IsZero() && !today.After(req.CertExpiry) {
			add(CertStillValid)
		}
	case PurposePINReset, PurposePINChange:
		if !req.CertExpiry.IsZero() && today.After(req.CertExpiry) {
			add(CertExpired)
		}
	}

	switch {
	case req.Cert == CertSign && under15:
		add(UnderFifteen) // 15歳未満および成年被後見人は原則不可
	case req.Cert == CertSign && req.AdultWard:
		add(AdultWard)
	case needsRep && req.Applicant != ApplicantLegalRep && purpose != PurposePINChange:
		add(LegalRepRequired) // 本人と法定代理人が揃って窓口に
	}
	if purpose == PurposePINChange && req.PINLocked {
		add(PINLocked) // ロックされた場合は、再設定が必要
	}

	// documents and visits
	switch req.Applicant {
	case ApplicantProxy:
		rule, ok := p.proxy[purpose]
		if !ok {
			add(ProxyNotAccepted)
			break
		}
		d.Visits = rule.visits
		d.Documents = append(d.Documents, rule.documents...)
		if rule.visits == 2 {
			add(ProxyTwoVisits)
		}
		if rule.contactFirst {
			add(ProxyContactOffice)
		}
		if rule.pinResetByMandate {
			add(ProxyPINResetMandate)
		}
	case ApplicantLegalRep:
		d.Documents = append(d.Documents, p.documents[purpose]...)
		for _, doc := range p.legalRep.documents {
			switch {
			case doc == DocHolderInPerson && !needsRep:
			case doc == DocProofOfAuthority && p.legalRep.waiveUnder15 && under15 && req.DomicileInCity:
			default:
				d.Documents = append(d.Documents, doc)
			}
		}
	default:
		d.Documents = append(d.Documents, p.documents[purpose]...)
	}

	// new expiry
	if purpose.issuing() && !refused(d.Reasons) {
		current := Date{}
		if purpose == PurposeRenew {
			current = req.CertExpiry
		}
		exp, sixth, capped := NewExpiry(dob, today, current, req.CardExpiry)
		switch {
		case purpose == PurposeRenew && capped && !exp.After(req.CertExpiry):
			add(CardRenewalNeeded)
		case d.Visits > 1:
			add(ExpiryAtIssue) // issued on the second visit: the date is not known today
		default:
			d.NewExpiry = exp
			if capped {
				add(CardExpiresFirst)
			} else if sixth {
				add(RenewedBeforeExpiry)
			}
		}
	}

	d.Allowed = !refused(d.Reasons)
	d.Route = route(p, req, purpose, needsRep, d.Reasons)
	if d.Allowed {
		if purpose == PurposeReissueLost {
			d.FeeYen = ReissueFeeYen
			if p.CardReissueFeeYen > 0 {
				add(CardReissueFee)
			}
		}
		switch d.Route {
		case RouteApproval:
			add(ApprovalRequired)
		case RouteCounter:
			add(StaffRequired)
		}
	}
	sortReasons(d.Reasons)
	return d, nil
}

// route decides where the service runs; for a refused request, where the
// resident is sent next.
func route(p *Profile, req Request, purpose Purpose, needsRep bool, reasons []Reason) Route {
	for _, r := range reasons {
		switch r {
		case CardExpired, CardRenewalNeeded, UnderFifteen, AdultWard, LegalRepRequired, PINLocked:
			return RouteCounter
		}
	}
	switch {
	case req.Applicant != ApplicantSelf:
		return RouteCounter
	case purpose == PurposePINChange:
		return RouteSelf
	case needsRep:
		return RouteCounter
	case purpose == PurposePINReset:
		return RouteCounter // "staff only" (DESIGN.md §1 table): a clerk drives the reset
	case purpose == PurposeReissueLost:
		return RouteCounter // a fee is taken (DESIGN.md §1: fees are staff-assisted cases)
	case p.ApprovalRequired:
		return RouteApproval
	}
	return RouteSelf
}

func refused(rs []Reason) bool { return slices.ContainsFunc(rs, Reason.Refusing) }

// sortReasons orders codes as AllReasons does: refusing codes first.
func sortReasons(rs []Reason) {
	all := AllReasons()
	slices.SortStableFunc(rs, func(a, b Reason) int { return slices.Index(all, a) - slices.Index(all, b) })
}

// Quote is the answer for a set of certificates asked for together.
type Quote struct {
	Decisions []Decision // one per request, in order
	FeeYen    int        // total: the 200-yen reissue fee is counted once for both certificates
	Visits    int        // the most visits any allowed request needs
	Documents []Document // the union of the allowed requests' documents, in order
}

// CheckAll answers several requests for the same holder on the same day
// (typically the signature and the authentication certificate) and totals
// them: 2種類発行する場合でも200円.
func CheckAll(p *Profile, reqs []Request) (Quote, error) {
	q := Quote{Documents: []Document{}}
	for i, r := range reqs {
		if i > 0 && (r.Today != reqs[0].Today || r.BirthDate != reqs[0].BirthDate) {
			return Quote{}, &RequestError{"requests in one quote must share the day and the holder's birth date"}
		}
		d, err := Check(p, r)
		if err != nil {
			return Quote{}, err
		}
		q.Decisions = append(q.Decisions, d)
		if d.Allowed {
			q.add(d)
		}
	}
	if len(reqs) == 0 {
		return Quote{}, errors.New("policy: no requests")
	}
	return q, nil
}

// add counts an allowed decision in the totals: one fee for one or both
// certificates (the 200 yen is a maximum, not a sum), the most visits, the
// documents united in order.
func (q *Quote) add(d Decision) {
	q.FeeYen = max(q.FeeYen, d.FeeYen)
	q.Visits = max(q.Visits, d.Visits)
	for _, doc := range d.Documents {
		if !slices.Contains(q.Documents, doc) {
			q.Documents = append(q.Documents, doc)
		}
	}
}
