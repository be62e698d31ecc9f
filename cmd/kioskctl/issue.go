package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/policy"
)

// kioskctl issue: renew or newly issue certificates onto a card, for staff
// and tests (docs/ISSUANCE.md). Standard input carries, one per line:
//
//	basic:PIN   the basic-information PIN: the birth date (for the expiry)
//	            and, for the signature certificate, name, sex and address
//	            are read from the card with it, used in memory and dropped
//	auth:PIN    the new user-authentication PIN (with --cert auth or both)
//	sign:PIN    the new signature PIN (with --cert sign or both)
//
// Every PIN's format is checked with policy before the card is touched; no
// PIN is echoed, logged or kept, and none reaches the issuer: the kiosk
// sets them itself after the issuer's script (RESET RETRY COUNTER).

// issueTimeout bounds one issuance, card and issuer together.
const issueTimeout = 3 * time.Minute

type issuedOut struct {
	Cert      string `json:"cert"`
	Serial    string `json:"serial"`     // decimal, as card status shows it
	NotBefore string `json:"not_before"` // YYYY-MM-DD, Asia/Tokyo
	NotAfter  string `json:"not_after"`  // YYYY-MM-DD, Asia/Tokyo
	Resumed   bool   `json:"resumed,omitempty"`
}

type issueOut struct {
	Reader       string      `json:"reader"`
	Issuer       string      `json:"issuer"`
	Certificates []issuedOut `json:"certificates"`
	APDUs        int         `json:"apdus"`
}

// issueFlags are the command's flags once checked.
type issueFlags struct {
	cardFlags
	dataDir, issuer        string
	certs                  []issue.Cert
	purpose                issue.Purpose
	today                  time.Time
	cardExpiry, signExpiry policy.Date
	approval               issue.Approval
	gateway                struct{ url, cert, key, ca string }
	confirm                bool
}

// define defines the flags issue and pin reset share: the reader, the
// issuance backend and its gateway, the approval recorded with the
// operation (what), and --json.
func (f *issueFlags) define(fs *flag.FlagSet, what, staffHelp string) {
	f.cardFlags.define(fs)
	fs.StringVar(&f.issuer, "issuer", "training", "issuance backend: training|gateway")
	fs.StringVar(&f.dataDir, "data", "", "kiosk data `directory` (training CA, issuer key, journal)")
	fs.StringVar(&f.approval.ID, "approval", "", "approval ID recorded with the "+what)
	fs.StringVar(&f.approval.StaffID, "staff", "", staffHelp)
	fs.StringVar(&f.approval.Ticket, "ticket", "", "ticket number")
	fs.StringVar(&f.gateway.url, "gateway-url", "", "gateway base URL (https) with --issuer gateway")
	fs.StringVar(&f.gateway.cert, "gateway-cert", "", "kiosk client certificate (PEM) for the gateway")
	fs.StringVar(&f.gateway.key, "gateway-key", "", "its private key (PEM)")
	fs.StringVar(&f.gateway.ca, "gateway-ca", "", "the gateway's CA certificate(s) (PEM), pinned")
}

// check checks the shared flags once parsed.
func (f *issueFlags) check() error {
	if f.dataDir == "" {
		return usagef("--data: the kiosk data directory is required")
	}
	switch f.issuer {
	case "training":
	case "gateway":
		if f.gateway.url == "" || f.gateway.cert == "" || f.gateway.key == "" || f.gateway.ca == "" {
			return usagef("--issuer gateway needs --gateway-url, --gateway-cert, --gateway-key and --gateway-ca")
		}
	default:
		return usagef("--issuer: want training|gateway, got %q", f.issuer)
	}
	return nil
}

func parseIssueFlags(e *env, args []string) (*issueFlags, error) {
	f := &issueFlags{}
	fs := newFlags(e, "issue")
	f.define(fs, "issuance", "approving staff ID")
	which := fs.String("cert", "", "certificates: auth|sign|both")
	purpose := fs.String("purpose", "", "renew|new")
	today := fs.String("today", "", "issue date YYYY-MM-DD for the expiry computation (default: today, Asia/Tokyo)")
	cardExpiry := fs.String("card-expiry", "", "the card's expiry date YYYY-MM-DD (caps the certificates' expiry)")
	signExpiry := fs.String("sign-cert-expiry", "", "expiry YYYY-MM-DD of the current signature certificate, from the expiry notice (default: the auth certificate's)")
	fs.BoolVar(&f.confirm, "confirm-last-try", false, "allow spending the basic-info PIN's last try")
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	switch *which {
	case "auth":
		f.certs = []issue.Cert{issue.Auth}
	case "sign":
		f.certs = []issue.Cert{issue.Sign}
	case "both":
		f.certs = []issue.Cert{issue.Auth, issue.Sign}
	default:
		return nil, usagef("--cert: want auth|sign|both, got %q", *which)
	}
	f.purpose = issue.Purpose(*purpose)
	if !f.purpose.Valid() {
		return nil, usagef("--purpose: want renew|new, got %q", *purpose)
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	var err error
	if f.today, err = parseToday(*today); err != nil {
		return nil, err
	}
	for _, d := range []struct {
		flag, s string
		dst     *policy.Date
	}{{"--card-expiry", *cardExpiry, &f.cardExpiry}, {"--sign-cert-expiry", *signExpiry, &f.signExpiry}} {
		if d.s == "" {
			continue
		}
		if *d.dst, err = policy.ParseDate(d.s); err != nil {
			return nil, usagef("%s: %v", d.flag, err)
		}
	}
	return f, nil
}

// issuePINs are the PINs read from standard input.
type issuePINs struct {
	basic []byte
	next  map[issue.Cert][]byte
}

func (p *issuePINs) wipe() {
	clear(p.basic[:cap(p.basic)])
	for _, b := range p.next {
		clear(b[:cap(b)])
	}
}

// readIssuePINs reads "label:PIN" lines and checks each PIN with policy.
func readIssuePINs(e *env, f *issueFlags) (*issuePINs, error) {
	pins := &issuePINs{next: map[issue.Cert][]byte{}}
	kinds := map[string]policy.PINKind{"basic": policy.PINBasic, "auth": policy.PINAuth, "sign": policy.PINSign}
	wanted := map[string]bool{"basic": true}
	for _, c := range f.certs {
		wanted[string(c)] = true
	}
	seen := map[string]bool{}
	for {
		line, err := readSecretLine(e.stdin)
		if err != nil {
			pins.wipe()
			if errors.Is(err, errLineTooLong) {
				return nil, refuse(f.asJSON, "PIN_FORMAT", "standard input: line too long")
			}
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		if line == nil {
			break
		}
		label, pin, ok := cutLabel(line)
		if !ok || !wanted[label] || seen[label] {
			clear(line[:cap(line)])
			pins.wipe()
			switch {
			case !ok:
				return nil, usagef("standard input: want lines label:PIN (basic, auth, sign)")
			case seen[label]:
				return nil, usagef("standard input: %s given twice", label)
			}
			return nil, usagef("standard input: %q is not needed for --cert %s", label, certsName(f.certs))
		}
		seen[label] = true
		if reasons := policy.ValidatePIN(kinds[label], pin); len(reasons) > 0 {
			clear(line[:cap(line)])
			pins.wipe()
			return nil, &refusal{Code: "PIN_FORMAT", Message: label + " PIN does not meet the PIN rule",
				Details: map[string]any{"pin": label, "reasons": reasons}, JSON: f.asJSON}
		}
		if label == "basic" {
			pins.basic = pin
		} else {
			pins.next[issue.Cert(label)] = pin
		}
	}
	for label := range wanted {
		if !seen[label] {
			pins.wipe()
			return nil, usagef("standard input: %s:PIN missing (want basic:PIN and the new PIN of each certificate)", label)
		}
	}
	return pins, nil
}

var errLineTooLong = errors.New("line too long")

// readSecretLine reads one line byte by byte, so that no buffer keeps a
// copy of the rest; nil at the end of input. The caller wipes the line.
func readSecretLine(r io.Reader) ([]byte, error) {
	line := make([]byte, 0, maxPINLine)
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if len(line) == maxPINLine {
				clear(line)
				return nil, errLineTooLong
			}
			line = append(line, b[0])
		}
		if errors.Is(err, io.EOF) {
			if len(line) == 0 {
				return nil, nil
			}
			break
		}
		if err != nil {
			clear(line)
			return nil, err
		}
	}
	for len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) == 0 { // blank lines are skipped
		return readSecretLine(r)
	}
	return line, nil
}

// cutLabel splits "label:PIN" without copying the PIN.
func cutLabel(line []byte) (string, []byte, bool) {
	for i, c := range line {
		if c == ':' {
			return string(line[:i]), line[i+1:], true
		}
	}
	return "", nil, false
}

func certsName(cs []issue.Cert) string {
	if len(cs) == 2 {
		return "both"
	}
	return string(cs[0])
}

func runIssue(e *env, args []string) error {
	f, err := parseIssueFlags(e, args)
	if err != nil {
		return err
	}
	pins, err := readIssuePINs(e, f)
	if err != nil {
		return err
	}
	defer pins.wipe()

	iss, err := newIssuer(f)
	if err != nil {
		return refuse(f.asJSON, "ISSUER_UNAVAILABLE", "%v", err)
	}
	s, err := f.open()
	if err != nil {
		return err
	}
	defer s.close()

	st, err := s.card.Status()
	if err != nil {
		return cardRefusal(f.asJSON, err)
	}
	switch st.Type {
	case card.TypeMyNumber:
	case card.TypeJuki:
		return refuse(f.asJSON, "JUKI_CARD", "old 住基カード: new certificates need a My Number card")
	default:
		return refuse(f.asJSON, "UNKNOWN_CARD", "not a My Number card")
	}
	var opts []card.Option
	if f.confirm {
		opts = append(opts, card.ConfirmLastTry())
	}
	info, err := s.card.ReadBasicInfo(pins.basic, opts...)
	if err != nil {
		return cardRefusal(f.asJSON, err)
	}
	holder := &issue.Holder{Name: info.Name, Sex: info.Sex, BirthDate: info.BirthDate, Address: info.Address}
	*info = card.BasicInfo{}
	defer holder.Wipe()

	req, err := issueRequest(f, holder, st)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), issueTimeout)
	defer cancel()
	res, err := iss.Issue(ctx, s.card, req)
	if err != nil {
		return issueRefusal(f.asJSON, err)
	}
	for _, c := range res.PendingPINs {
		pin, ok := pins.next[c]
		if !ok {
			return refuse(f.asJSON, "PIN_MISSING", "the resumed issuance needs the new %s PIN", c)
		}
		if err := iss.SetPIN(ctx, s.card, c, pin); err != nil {
			return issueRefusal(f.asJSON, err)
		}
	}

	out := issueOut{Reader: s.conn.Reader(), Issuer: iss.Name(), APDUs: s.trace.Count()}
	for _, c := range res.Certs {
		out.Certificates = append(out.Certificates, issuedOut{
			Cert: string(c.Cert), Serial: c.Serial, Resumed: c.Resumed,
			NotBefore: dateOrEmpty(c.NotBefore), NotAfter: dateOrEmpty(c.NotAfter),
		})
	}
	if f.asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	for _, c := range out.Certificates {
		fmt.Fprintf(e.stdout, "%s certificate: serial %s, valid %s to %s\n", c.Cert, c.Serial, c.NotBefore, c.NotAfter)
	}
	fmt.Fprintf(e.stdout, "new PINs set; %d APDUs\n", out.APDUs)
	return nil
}

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(japan).Format(time.DateOnly)
}

// newIssuer builds the backend the flags name.
func newIssuer(f *issueFlags) (issue.Issuer, error) {
	if f.issuer == "gateway" {
		cfg, err := issue.LoadGatewayConfig(f.gateway.url, f.gateway.cert, f.gateway.key, f.gateway.ca)
		if err != nil {
			return nil, err
		}
		return issue.NewGateway(cfg, f.dataDir)
	}
	return issue.NewTraining(f.dataDir)
}

// issueRequest computes each certificate's expiry with policy: the 5th
// birthday after the issue date, the 6th when renewing before a current
// expiry that is a birthday, never after the card's expiry.
func issueRequest(f *issueFlags, h *issue.Holder, st *card.Status) (issue.Request, error) {
	req := issue.Request{Purpose: f.purpose, Approval: f.approval, Holder: h, Now: time.Now()}
	dobT, err := time.Parse("20060102", h.BirthDate)
	if err != nil {
		return req, refuse(f.asJSON, "CARD_ERROR", "the card's birth date is unreadable")
	}
	dob := policy.NewDate(dobT.Year(), dobT.Month(), dobT.Day())
	today := policy.DateOf(f.today)
	if !f.cardExpiry.IsZero() && !f.cardExpiry.After(today) {
		return req, refuse(f.asJSON, "CARD_EXPIRED", "the card expires %s: no certificate can be issued", f.cardExpiry)
	}
	var authExpiry policy.Date
	if st.AuthCert != nil {
		authExpiry = policy.DateOf(st.AuthCert.NotAfter)
	}
	for _, c := range f.certs {
		var current policy.Date
		if f.purpose == issue.Renew {
			current = authExpiry
			if c == issue.Sign && !f.signExpiry.IsZero() {
				current = f.signExpiry
			}
		}
		exp, _, _ := policy.NewExpiry(dob, today, current, f.cardExpiry)
		if !exp.After(today) {
			return req, refuse(f.asJSON, "CARD_EXPIRES_FIRST", "the %s certificate would expire %s", c, exp)
		}
		req.Certs = append(req.Certs, issue.CertRequest{Cert: c, NotAfter: exp})
	}
	if !slices.Contains(f.certs, issue.Sign) {
		req.Holder = nil // the authentication certificate carries no personal data
	}
	return req, nil
}

// issueRefusal maps issuance errors to the contract's codes; an interrupted
// issuance names its journal entry and the step to resume.
func issueRefusal(asJSON bool, err error) error {
	var ie *issue.Error
	if errors.As(err, &ie) && ie.CardChanged {
		return &refusal{Code: "ISSUANCE_INTERRUPTED",
			Message: fmt.Sprintf("%v; run the same command again with the card to resume", err),
			Details: map[string]string{"journal_id": ie.JournalID, "resume": ie.Resume}, JSON: asJSON}
	}
	switch {
	case errors.Is(err, issue.ErrNotMyNumber):
		return refuse(asJSON, "UNKNOWN_CARD", "not a My Number card")
	case errors.Is(err, issue.ErrRequest):
		return refuse(asJSON, "BAD_REQUEST", "%v", err)
	case errors.Is(err, issue.ErrForbidden), errors.Is(err, issue.ErrProtocol), errors.Is(err, issue.ErrBackend):
		return refuse(asJSON, "ISSUER_ERROR", "%v (card unchanged)", err)
	case errors.Is(err, issue.ErrUnavailable):
		return refuse(asJSON, "ISSUER_UNAVAILABLE", "%v (card unchanged)", err)
	case errors.Is(err, issue.ErrCard):
		return refuse(asJSON, "CARD_ERROR", "%v (card unchanged)", err)
	}
	return cardRefusal(asJSON, err)
}
