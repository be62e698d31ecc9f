package flow

import (
	"slices"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
)

// PolicyRules is the Rules port backed by package policy and one
// municipality profile.
type PolicyRules struct {
	Profile *policy.Profile
}

var _ Rules = PolicyRules{}

// ReasonPolicyError is the reason code when policy cannot answer a question
// (a request it calls invalid): the resident is sent to the counter.
const ReasonPolicyError = "POLICY_ERROR"

// Eligibility asks policy.Check.
func (r PolicyRules) Eligibility(q EligibilityQuery) Eligibility {
	req := policy.Request{
		Today:      toDate(q.Today),
		BirthDate:  toDate(q.BirthDate),
		Cert:       q.Cert,
		Purpose:    q.Purpose,
		CertExpiry: toDate(q.CertExpiry),
		CardExpiry: toDate(q.CardExpiry),
		Applicant:  policy.ApplicantSelf,
		CardType:   policy.CardMyNumber,
	}
	d, err := policy.Check(r.Profile, req)
	if err != nil {
		return Eligibility{Route: RouteCounter, Reasons: []string{ReasonPolicyError}}
	}
	if !d.Allowed && slices.Contains(d.Reasons, policy.LegalRepRequired) {
		// Not alone at the kiosk, but with a legal representative at the
		// counter (an under-15's user-authentication certificate): when
		// policy allows that, the resident may choose it and is given a
		// counter ticket; the reason stays to say who must come.
		rep := req
		rep.Applicant = policy.ApplicantLegalRep
		if dr, err := policy.Check(r.Profile, rep); err == nil && dr.Allowed {
			reasons := append([]policy.Reason{policy.LegalRepRequired}, dr.Reasons...)
			d = dr
			d.Reasons = reasons
			d.Route = policy.RouteCounter
		}
	}
	el := Eligibility{
		Allowed: d.Allowed, Route: d.Route, NewExpiry: d.NewExpiry.Midnight(),
		RenewalOpens: d.RenewalOpens.Midnight(), FeeYen: d.FeeYen, Visits: d.Visits,
	}
	for _, x := range d.Reasons {
		el.Reasons = append(el.Reasons, string(x))
	}
	for _, x := range d.Documents {
		el.Documents = append(el.Documents, string(x))
	}
	return el
}

// PINProblems runs policy.ValidatePIN.
func (PolicyRules) PINProblems(which PIN, pin []byte) []string {
	var out []string
	for _, x := range policy.ValidatePIN(which, pin) {
		out = append(out, string(x))
	}
	return out
}

// PINFormat describes a PIN from policy's limits.
func (PolicyRules) PINFormat(which PIN) PINFormat {
	lo, hi := policy.PINLimits(which)
	f := PINFormat{MinLen: lo, MaxLen: hi, DigitsOnly: which != PINSign, MaxTries: policy.PINTries(which)}
	if which == PINSign {
		f.Rules = []string{"SIGN"}
	} else {
		f.Rules = []string{"FOUR_DIGITS"}
	}
	return f
}

// Hours asks policy.Hours.
func (r PolicyRules) Hours(at time.Time) Hours {
	open, reason, next := policy.Hours(r.Profile, at)
	return Hours{Open: open, Reason: string(reason), NextOpen: next}
}

// RenewalOpens asks policy.RenewalOpens.
func (PolicyRules) RenewalOpens(expiry time.Time) time.Time {
	return policy.RenewalOpens(toDate(expiry)).Midnight()
}

// toDate takes the calendar date of a flow date (midnight UTC, see dateOf).
func toDate(t time.Time) policy.Date { return policy.DateIn(t, time.UTC) }
