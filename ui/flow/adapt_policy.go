package flow

import (
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

// Quote asks policy.CheckKiosk.
func (r PolicyRules) Quote(q QuoteQuery) Quote {
	kr := policy.KioskRequest{Today: toDate(q.Today), BirthDate: toDate(q.BirthDate), CardExpiry: toDate(q.CardExpiry)}
	for _, c := range q.Certs {
		kr.Certs = append(kr.Certs, policy.KioskCert{Cert: c.Cert, Expiry: toDate(c.Expiry), Chosen: c.Chosen})
	}
	kq, err := policy.CheckKiosk(r.Profile, kr)
	if err != nil {
		var out Quote
		for _, c := range kr.Certs {
			out.Certs = append(out.Certs, CertEligibility{Cert: c.Cert, Purpose: policy.IssuePurpose(kr.Today, c.Expiry),
				Route: RouteCounter, Reasons: []string{ReasonPolicyError}})
		}
		return out
	}
	out := Quote{Route: kq.Route, FeeYen: kq.FeeYen, Visits: kq.Visits, Documents: codes(kq.Documents)}
	for _, d := range kq.Certs {
		out.Certs = append(out.Certs, CertEligibility{
			Cert: d.Cert, Purpose: d.Purpose, Allowed: d.Allowed, Route: d.Route, Reasons: codes(d.Reasons),
			NewExpiry: d.NewExpiry.Midnight(), RenewalOpens: d.RenewalOpens.Midnight(), FeeYen: d.FeeYen,
			Visits: d.Visits, Documents: codes(d.Documents),
		})
	}
	return out
}

// codes turns policy's reason or document codes into strings (nil for none).
func codes[T ~string](xs []T) []string {
	var out []string
	for _, x := range xs {
		out = append(out, string(x))
	}
	return out
}

// PINProblems runs policy.ValidatePIN.
func (PolicyRules) PINProblems(which PIN, pin []byte) []string {
	return codes(policy.ValidatePIN(which, pin))
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
