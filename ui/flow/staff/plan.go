package staff

import (
	"errors"
	"fmt"
	"slices"

	"github.com/jpki-kiosk/kiosk/policy"
)

// CaseKind is the kind of counter case a clerk opens.
type CaseKind string

// Counter cases.
const (
	// CaseLegalRep: a legal representative (法定代理人) applies with the
	// holder, an under-15 or an adult ward; same day.
	CaseLegalRep CaseKind = "legal_rep"
	// CaseProxy: a voluntary proxy (任意代理人): an inquiry letter and a second
	// visit for new issuance; Moriya's sealed letter of attorney for renewal.
	CaseProxy CaseKind = "proxy"
	// CaseReissueLost: certificates with a card reissued after a loss that is
	// the holder's fault (200 yen).
	CaseReissueLost CaseKind = "reissue_lost"
	// CaseLapsed: a certificate that lapsed by itself (policy.RevocationCauses:
	// the holder moved, changed name...) is issued anew at the counter; the
	// clerk records the cause.
	CaseLapsed CaseKind = "lapsed"
	// CasePINReset: the holder's PIN reset after a lockout.
	CasePINReset CaseKind = "pin_reset"
	// CaseSelf: the holder's own renewal or new issuance at the counter.
	CaseSelf CaseKind = "self"
)

// CaseKinds lists the kinds in the clerk's menu order.
var CaseKinds = []CaseKind{CasePINReset, CaseLegalRep, CaseProxy, CaseReissueLost, CaseLapsed, CaseSelf}

// LapseCauses are the causes a clerk records for CaseLapsed: those of the
// signature certificate a holder who comes to the counter can have (not a
// removal from the register; an expired card is renewed first).
var LapseCauses = []policy.Revocation{policy.RevokeAddressChange, policy.RevokeNameChange, policy.RevokeAuthCertRevoked}

// DocHolderIdentity is the checklist item for the holder's own identity
// check (one photo ID, or two without a photo); it is the kiosk's item, not
// one of policy's documents to bring.
const DocHolderIdentity policy.Document = "HOLDER_IDENTITY"

// CaseInput is what the clerk answers when opening a case. No birth date:
// the clerk says whether the holder is under 15 from the ID they see.
type CaseInput struct {
	Kind           CaseKind
	Purpose        policy.Purpose // new, renew, reissue-lost, pin-reset
	Certs          []policy.Cert
	Under15        bool
	AdultWard      bool
	DomicileInCity bool              // 本籍地 in the municipality (Kakamigahara waiver)
	Today          policy.Date       // required
	CertExpiry     policy.Date       // the current certificate's expiry (renew); zero: today
	CardExpiry     policy.Date       // from the card face; zero: not asked
	Lapse          policy.Revocation // CaseLapsed: why the certificate lapsed (default: address change)
}

// Plan is policy's answer for a counter case.
type Plan struct {
	Input     CaseInput
	Applicant policy.Applicant
	Allowed   []policy.Cert
	Refused   map[policy.Cert][]string // reason codes per refused certificate
	Reasons   []string                 // every reason code, once
	Documents []policy.Document        // the checklist, policy's order, plus the holder's identity for CaseSelf-like kinds
	FeeYen    int
	Visits    int
	// MandatePINReset: a PIN reset may be included only if the letter of
	// attorney says 「暗証番号の再設定を合わせて委任します」.
	MandatePINReset bool
}

// standInBirthDate is the birth date policy is asked with: the clerk tells
// only "under 15 or not", and every rule of a counter case's checklist
// depends on the age through the 15th birthday alone. New expiry dates are
// computed later, by the issuing flow, from the card.
func standInBirthDate(today policy.Date, under15 bool) policy.Date {
	if under15 {
		return policy.NewDate(today.Year()-10, today.Month(), 1)
	}
	return policy.NewDate(today.Year()-40, today.Month(), 1)
}

// ErrCase is a counter case policy cannot plan.
var ErrCase = errors.New("staff: counter case")

// PlanCase asks policy about a counter case under profile p.
func PlanCase(p *policy.Profile, in CaseInput) (Plan, error) {
	if in.Today.IsZero() {
		return Plan{}, fmt.Errorf("%w: no date", ErrCase)
	}
	if len(in.Certs) == 0 {
		return Plan{}, fmt.Errorf("%w: no certificate chosen", ErrCase)
	}
	applicant := policy.ApplicantSelf
	switch in.Kind {
	case CaseLegalRep:
		applicant = policy.ApplicantLegalRep
	case CaseProxy:
		applicant = policy.ApplicantProxy
	case CaseReissueLost:
		in.Purpose = policy.PurposeReissueLost
	case CasePINReset:
		in.Purpose = policy.PurposePINReset
	case CaseLapsed:
		in.Purpose = policy.PurposeNew // a lapsed certificate is not renewed: a new one is issued
		if in.Lapse == "" {
			in.Lapse = policy.RevokeAddressChange
		}
		if !slices.Contains(LapseCauses, in.Lapse) {
			return Plan{}, fmt.Errorf("%w: lapse cause %q", ErrCase, in.Lapse)
		}
	}
	if in.Purpose == "" {
		in.Purpose = policy.PurposeNew
	}
	expiry := in.CertExpiry
	if expiry.IsZero() && in.Purpose == policy.PurposeRenew {
		expiry = in.Today
	}
	dob := standInBirthDate(in.Today, in.Under15)
	var reqs []policy.Request
	for _, c := range in.Certs {
		reqs = append(reqs, policy.Request{Today: in.Today, BirthDate: dob, Cert: c, Purpose: in.Purpose,
			CertExpiry: expiry, CardExpiry: in.CardExpiry, Applicant: applicant, AdultWard: in.AdultWard,
			DomicileInCity: in.DomicileInCity, PINLocked: in.Purpose == policy.PurposePINReset})
	}
	q, err := policy.CheckAll(p, reqs)
	if err != nil {
		return Plan{}, fmt.Errorf("%w: %v", ErrCase, err)
	}
	pl := Plan{Input: in, Applicant: applicant, Refused: map[policy.Cert][]string{}, FeeYen: q.FeeYen, Visits: max(q.Visits, 1)}
	for i, d := range q.Decisions {
		c := in.Certs[i]
		var rs []string
		for _, r := range d.Reasons {
			rs = append(rs, string(r))
			if !slices.Contains(pl.Reasons, string(r)) {
				pl.Reasons = append(pl.Reasons, string(r))
			}
			if r == policy.ProxyPINResetMandate {
				pl.MandatePINReset = true
			}
		}
		if d.Allowed {
			pl.Allowed = append(pl.Allowed, c)
		} else {
			pl.Refused[c] = rs
		}
	}
	pl.Documents = append(pl.Documents, q.Documents...)
	if applicant == policy.ApplicantSelf {
		pl.Documents = append([]policy.Document{DocHolderIdentity}, pl.Documents...)
	}
	return pl, nil
}
