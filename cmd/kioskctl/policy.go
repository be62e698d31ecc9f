package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
)

// policyCheckJSON is the `policy check --json` answer (DESIGN.md §6): every
// field always present, null where none, arrays never null.
type policyCheckJSON struct {
	Allowed      bool              `json:"allowed"`
	Route        policy.Route      `json:"route"`
	Reasons      []policy.Reason   `json:"reasons"`
	NewExpiry    policy.Date       `json:"new_expiry"`
	RenewalOpens policy.Date       `json:"renewal_opens"`
	FeeYen       int               `json:"fee_yen"`
	Visits       int               `json:"visits"`
	Documents    []policy.Document `json:"documents"`
}

// policyHoursJSON is the `policy hours --json` answer.
type policyHoursJSON struct {
	Open     bool    `json:"open"`
	Reason   *string `json:"reason"`
	NextOpen *string `json:"next_open"`
}

const atLayout = "2006-01-02T15:04"

func runPolicyCheck(e *env, args []string) error {
	fs := newFlags(e, "policy check")
	prof := fs.String("profile", "", "municipality profile: an embedded name ("+strings.Join(policy.ProfileNames(), ", ")+") or a .toml file")
	today := fs.String("today", "", "day of the service, YYYY-MM-DD (required)")
	dob := fs.String("dob", "", "holder's birth date, YYYY-MM-DD (required)")
	cert := fs.String("cert", "", "certificate: sign|auth (required)")
	purpose := fs.String("purpose", "", "renew|new|reissue-lost|pin-reset|pin-change (required)")
	certExp := fs.String("cert-expiry", "", "current certificate's expiry, YYYY-MM-DD (required for renew)")
	cardExp := fs.String("card-expiry", "", "the card's expiry, YYYY-MM-DD")
	applicant := fs.String("applicant", "self", "self|legal-rep|proxy")
	ward := fs.Bool("adult-ward", false, "the holder is an adult ward (成年被後見人)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for _, f := range []struct{ name, val string }{
		{"profile", *prof}, {"today", *today}, {"dob", *dob}, {"cert", *cert}, {"purpose", *purpose},
	} {
		if f.val == "" {
			return usagef("policy check: --%s is required", f.name)
		}
	}
	req := policy.Request{Applicant: policy.Applicant(*applicant), AdultWard: *ward}
	var err error
	for _, f := range []struct {
		name, val string
		dst       *policy.Date
		optional  bool
	}{
		{"today", *today, &req.Today, false}, {"dob", *dob, &req.BirthDate, false},
		{"cert-expiry", *certExp, &req.CertExpiry, true}, {"card-expiry", *cardExp, &req.CardExpiry, true},
	} {
		if f.optional && f.val == "" {
			continue
		}
		if *f.dst, err = policy.ParseDate(f.val); err != nil {
			return usagef("policy check: --%s: %v", f.name, err)
		}
	}
	if req.Cert, err = policy.ParseCert(*cert); err != nil {
		return usagef("policy check: --cert: %v", err)
	}
	if req.Purpose, err = policy.ParsePurpose(*purpose); err != nil {
		return usagef("policy check: --purpose: %v", err)
	}
	if req.Applicant, err = policy.ParseApplicant(*applicant); err != nil {
		return usagef("policy check: --applicant: %v", err)
	}
	if req.Purpose == policy.PurposeRenew && req.CertExpiry.IsZero() {
		return usagef("policy check: --purpose renew needs --cert-expiry (the current certificate's expiry)")
	}
	if req.BirthDate.After(req.Today) {
		return usagef("policy check: --dob %s is after --today %s", req.BirthDate, req.Today)
	}

	p, err := loadProfileArg(*prof, *asJSON)
	if err != nil {
		return err
	}
	dec, err := policy.Check(p, req)
	if err != nil {
		var re *policy.RequestError
		if errors.As(err, &re) {
			return usagef("policy check: %v", re.Msg)
		}
		return err
	}
	if *asJSON {
		writeJSON(e.stdout, policyCheckJSON{dec.Allowed, dec.Route, dec.Reasons, dec.NewExpiry,
			dec.RenewalOpens, dec.FeeYen, dec.Visits, dec.Documents})
		return nil
	}
	printDecision(e.stdout, p, dec)
	return nil
}

func runPolicyHours(e *env, args []string) error {
	fs := newFlags(e, "policy hours")
	prof := fs.String("profile", "", "municipality profile: an embedded name or a .toml file (required)")
	atText := fs.String("at", "", "local time (Asia/Tokyo), YYYY-MM-DDTHH:MM (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *prof == "" {
		return usagef("policy hours: --profile is required")
	}
	if *atText == "" {
		return usagef("policy hours: --at is required")
	}
	at, err := time.ParseInLocation(atLayout, *atText, policy.JST)
	if err != nil || len(*atText) != len(atLayout) {
		return usagef("policy hours: --at: bad time %q: want YYYY-MM-DDTHH:MM", *atText)
	}
	if y := at.Year(); y < policy.MinYear || y > policy.MaxYear {
		return usagef("policy hours: --at %q is out of range: years %d to %d", *atText, policy.MinYear, policy.MaxYear)
	}
	p, err := loadProfileArg(*prof, *asJSON)
	if err != nil {
		return err
	}
	open, reason, next := policy.Hours(p, at)
	out := policyHoursJSON{Open: open}
	if reason != "" {
		s := string(reason)
		out.Reason = &s
	}
	if !next.IsZero() {
		s := next.In(policy.JST).Format(atLayout)
		out.NextOpen = &s
	}
	if *asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s (%s) %s\n", p.Name.JA, p.Name.EN, at.Format("2006-01-02 15:04"))
	if open {
		fmt.Fprintln(e.stdout, "受付中 / open")
		return nil
	}
	fmt.Fprintf(e.stdout, "受付していません / closed: %s\n  %s\n  %s\n", reason,
		policy.Describe(reason, "ja"), policy.Describe(reason, "en"))
	if out.NextOpen != nil {
		fmt.Fprintf(e.stdout, "次の受付 / next open: %s\n", next.In(policy.JST).Format("2006-01-02 15:04"))
	} else {
		fmt.Fprintln(e.stdout, "次の受付 / next open: 60日以内に見つかりません / none within 60 days")
	}
	return nil
}

// loadProfileArg loads --profile: a path (policy.ProfileArg) is read from
// disk, anything else is an embedded profile name. An unknown name, an
// unreadable file or a bad file is a refusal (exit 1).
func loadProfileArg(arg string, asJSON bool) (*policy.Profile, error) {
	name, isFile := policy.ProfileArg(arg)
	if !isFile {
		p, err := policy.LoadProfile(arg)
		if err != nil {
			return nil, refuse(asJSON, "UNKNOWN_PROFILE", "%v", err)
		}
		return p, nil
	}
	data, err := readProfileFile(arg)
	if err != nil {
		return nil, refuse(asJSON, "PROFILE_UNREADABLE", "%v", err)
	}
	p, err := policy.ParseProfile(data, name)
	if err != nil {
		return nil, refuse(asJSON, "PROFILE_INVALID", "%s: %v", arg, err)
	}
	return p, nil
}

// readProfileFile reads at most policy.MaxProfileBytes+1 bytes of a
// profile file, so /dev/zero or a huge file cannot exhaust memory; the
// parser then refuses what is too long.
func readProfileFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, policy.MaxProfileBytes+1))
}

var routeText = map[policy.Route]string{
	policy.RouteSelf:     "セルフ(キオスクでご本人のみ) / self (the resident alone at the kiosk)",
	policy.RouteApproval: "職員承認(書き込み前に職員が確認) / approval (a clerk approves at the kiosk)",
	policy.RouteCounter:  "窓口(職員と一緒に) / counter (staff-assisted)",
}

// printDecision writes the readable Japanese + English summary of a decision.
func printDecision(w io.Writer, p *policy.Profile, d policy.Decision) {
	verdict := "可 / allowed"
	if !d.Allowed {
		verdict = "不可 / not allowed"
	}
	orNone := func(x policy.Date) string {
		if x.IsZero() {
			return "なし / none"
		}
		return x.String()
	}
	fmt.Fprintf(w, "%s (%s)\n", p.Name.JA, p.Name.EN)
	fmt.Fprintf(w, "判定 / decision:        %s\n", verdict)
	fmt.Fprintf(w, "手続き場所 / route:     %s\n", routeText[d.Route])
	fmt.Fprintf(w, "新しい有効期限 / new expiry: %s\n", orNone(d.NewExpiry))
	fmt.Fprintf(w, "更新受付開始 / renewal opens: %s\n", orNone(d.RenewalOpens))
	fmt.Fprintf(w, "手数料 / fee:           %d円 / %d yen\n", d.FeeYen, d.FeeYen)
	fmt.Fprintf(w, "来庁回数 / visits:      %d\n", d.Visits)
	if len(d.Reasons) > 0 {
		fmt.Fprintln(w, "理由 / reasons:")
		for _, r := range d.Reasons {
			fmt.Fprintf(w, "  %s\n    %s\n    %s\n", r, policy.Describe(r, "ja"), policy.Describe(r, "en"))
		}
	}
	if len(d.Documents) > 0 {
		fmt.Fprintln(w, "持ち物 / documents:")
		for _, doc := range d.Documents {
			fmt.Fprintf(w, "  %s\n    %s\n    %s\n", doc, policy.Describe(doc, "ja"), policy.Describe(doc, "en"))
			if note := p.DocumentNote(doc, "ja"); note != "" {
				fmt.Fprintf(w, "    ※ %s\n    ※ %s\n", note, p.DocumentNote(doc, "en"))
			}
		}
	}
}
