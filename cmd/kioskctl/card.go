package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/card/jlis"
	"github.com/jpki-kiosk/kiosk/policy"
)

// The card commands: readers, card status, pin status, pin verify, pin
// change. PINs come from standard input only, one per line, and are never
// echoed, logged or kept: they are wiped once sent.

// cardConn is an open card: card.Conn, or a virtual card in tests.
type cardConn interface {
	card.Transmitter
	Reader() string
	Close() error
}

// Seams for tests: the PC/SC reader list and connection.
var (
	listReaders = card.ListReaders
	connectCard = func(reader string) (cardConn, error) {
		c, err := card.Connect(reader)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
)

// jlisRoots are the genuine check's anchors: the embedded J-LIS roots (a
// seam for tests, which inject a test root).
var jlisRoots = jlis.Roots

// japan is Asia/Tokyo: the contract's dates are local (DESIGN.md section 6).
var japan = policy.JST

// maxPINLine bounds a line of standard input read as a PIN.
const maxPINLine = 64

type readersOut struct {
	Readers []card.ReaderStatus `json:"readers"`
}

func runReaders(e *env, args []string) error {
	fs := newFlags(e, "readers")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	readers, err := listReaders()
	if err != nil {
		return cardRefusal(*asJSON, err)
	}
	if *asJSON {
		writeJSON(e.stdout, readersOut{Readers: readers})
		return nil
	}
	if len(readers) == 0 {
		fmt.Fprintln(e.stdout, "no readers")
	}
	for _, r := range readers {
		state := "empty"
		if r.CardPresent {
			state = "card present"
		}
		fmt.Fprintf(e.stdout, "%s\t%s\n", r.Name, state)
	}
	return nil
}

// cardFlags are the flags of every command on a card: --reader, --json.
type cardFlags struct {
	reader string
	asJSON bool
}

func (f *cardFlags) define(fs *flag.FlagSet) {
	fs.StringVar(&f.reader, "reader", "", "reader `name` (default: the first reader with a card)")
	fs.BoolVar(&f.asJSON, "json", false, "print JSON")
}

// open connects to the card (openSession).
func (f cardFlags) open() (*session, error) { return openSession(f.asJSON, f.reader) }

// session is one exclusive connection to a card, counting APDUs.
type session struct {
	conn  cardConn
	trace *card.Trace
	card  *card.Card
}

// openSession connects to the named reader, or to the first with a card.
func openSession(asJSON bool, reader string) (*session, error) {
	conn, err := connectCard(reader)
	if err != nil {
		return nil, cardRefusal(asJSON, err)
	}
	tr := card.NewTrace(conn, 0)
	return &session{conn: conn, trace: tr, card: card.New(tr)}, nil
}

func (s *session) close() { _ = s.conn.Close() }

// retriesOut is the three retry counters; null where the card has no such PIN.
type retriesOut struct {
	Auth      *int `json:"auth"`
	Sign      *int `json:"sign"`
	BasicInfo *int `json:"basic_info"`
}

func retriesOf(m map[card.PIN]int) retriesOut {
	get := func(p card.PIN) *int {
		if n, ok := m[p]; ok {
			return &n
		}
		return nil
	}
	return retriesOut{Auth: get(card.PINAuth), Sign: get(card.PINSign), BasicInfo: get(card.PINBasicInfo)}
}

func (r retriesOut) String() string {
	f := func(p *int) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("auth %s, sign %s, basic_info %s", f(r.Auth), f(r.Sign), f(r.BasicInfo))
}

type certOut struct {
	Serial    string `json:"serial"`     // decimal
	NotBefore string `json:"not_before"` // YYYY-MM-DD, Asia/Tokyo
	NotAfter  string `json:"not_after"`  // YYYY-MM-DD, Asia/Tokyo
}

type cardStatusOut struct {
	Reader   string     `json:"reader"`
	CardType card.Type  `json:"card_type"`
	CardRef  string     `json:"card_ref"` // card.Ref: auth certificate serial, else a hash of the token serialNumber
	AuthCert *certOut   `json:"auth_cert"`
	Retries  retriesOut `json:"retries"`
	APDUs    int        `json:"apdus"`
	// Genuine is "jlis", "training" or "not_jlis" with --genuine (null
	// without it, or for a card without an auth certificate).
	Genuine *jlis.Verdict `json:"genuine"`
	// generation of the J-LIS root (text output only).
	generation int
	noSign     bool
}

func runCardStatus(e *env, args []string) error {
	fs := newFlags(e, "card status")
	var f cardFlags
	f.define(fs)
	genuine := fs.Bool("genuine", false, "read the whole auth certificate and check it against the J-LIS roots")
	dataDir := fs.String("data", "", "kiosk data `directory` whose training CA counts as \"training\" with --genuine")
	if err := parseFlags(fs, args); err != nil {
		return err
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
	if st.NoSignCert() {
		delete(st.Retries, card.PINSign) // EF 0008: no signature certificate, its counter means nothing
	}
	out := cardStatusOut{Reader: s.conn.Reader(), CardType: st.Type, CardRef: st.Ref, Retries: retriesOf(st.Retries), noSign: st.NoSignCert()}
	if *genuine && st.AuthCert != nil {
		cert, err := s.card.ReadCertificate(card.CertAuth)
		if err != nil {
			return cardRefusal(f.asJSON, err)
		}
		var training []*x509.Certificate
		if *dataDir != "" {
			training = issue.TrainingCACerts(*dataDir)
		}
		r := jlis.Checker{Roots: jlisRoots(), Training: training}.Check(cert)
		out.Genuine, out.generation = &r.Verdict, r.Generation
	}
	out.APDUs = s.trace.Count()
	if c := st.AuthCert; c != nil {
		out.AuthCert = &certOut{
			Serial:    c.Serial.String(),
			NotBefore: c.NotBefore.In(japan).Format(time.DateOnly),
			NotAfter:  c.NotAfter.In(japan).Format(time.DateOnly),
		}
	}
	if f.asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	fmt.Fprintf(e.stdout, "reader:     %s\ncard type:  %s\ncard ref:   %s\n", out.Reader, out.CardType, out.CardRef)
	if out.CardType == card.TypeSmartphone {
		fmt.Fprintln(e.stdout, "note:       a smartphone's certificate is managed in the phone; the kiosk works with the card itself")
	}
	if out.AuthCert != nil {
		fmt.Fprintf(e.stdout, "auth cert:  serial %s, valid %s to %s\n", out.AuthCert.Serial, out.AuthCert.NotBefore, out.AuthCert.NotAfter)
	} else {
		fmt.Fprintln(e.stdout, "auth cert:  none")
	}
	if out.noSign {
		fmt.Fprintln(e.stdout, "sign cert:  not on this card")
	}
	if out.Genuine != nil {
		r := jlis.Result{Verdict: *out.Genuine, Generation: out.generation}
		fmt.Fprintf(e.stdout, "genuine:    %s\n", r)
	}
	fmt.Fprintf(e.stdout, "retries:    %s\napdus:      %d\n", out.Retries, out.APDUs)
	return nil
}

type pinStatusOut struct {
	Reader   string     `json:"reader"`
	CardType card.Type  `json:"card_type"`
	Retries  retriesOut `json:"retries"`
	APDUs    int        `json:"apdus"`
}

func runPINStatus(e *env, args []string) error {
	fs := newFlags(e, "pin status")
	var f cardFlags
	f.define(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := f.open()
	if err != nil {
		return err
	}
	defer s.close()
	typ, err := s.jpkiCard(f.asJSON)
	if err != nil {
		return err
	}
	m := map[card.PIN]int{}
	for _, p := range []card.PIN{card.PINAuth, card.PINSign, card.PINBasicInfo} {
		n, err := s.card.Retries(p)
		if errors.Is(err, card.ErrFileNotFound) {
			continue
		}
		if err != nil {
			return cardRefusal(f.asJSON, err)
		}
		m[p] = n
	}
	out := pinStatusOut{Reader: s.conn.Reader(), CardType: typ, Retries: retriesOf(m), APDUs: s.trace.Count()}
	if f.asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	fmt.Fprintf(e.stdout, "reader:     %s\ncard type:  %s\nretries:    %s\n", out.Reader, out.CardType, out.Retries)
	return nil
}

// jpkiCard identifies the card and refuses anything without JPKI.
func (s *session) jpkiCard(asJSON bool) (card.Type, error) {
	typ, err := s.card.Identify()
	if err != nil {
		return typ, cardRefusal(asJSON, err)
	}
	if typ == card.TypeUnknown {
		return typ, refuse(asJSON, "UNKNOWN_CARD", "not a My Number card or 住基カード (no JPKI token)")
	}
	return typ, nil
}

// onJPKICard opens the reader's card, refuses anything without JPKI, and
// runs do on it: an error of do is a card refusal. apdus gets the count of
// APDUs sent.
func (f pinFlags) onJPKICard(do func(s *session) error, apdus *int) error {
	s, err := f.open()
	if err != nil {
		return err
	}
	defer s.close()
	if _, err := s.jpkiCard(f.asJSON); err != nil {
		return err
	}
	if err := do(s); err != nil {
		return cardRefusal(f.asJSON, err)
	}
	*apdus = s.trace.Count()
	return nil
}

// pinFlags are the flags shared by pin verify and pin change.
type pinFlags struct {
	cardFlags
	which   string
	confirm bool
}

func parsePINFlags(e *env, name string, args []string, choices ...string) (pinFlags, card.PIN, policy.PINKind, error) {
	var f pinFlags
	fs := newFlags(e, name)
	fs.StringVar(&f.which, "which", "", "the PIN: "+strings.Join(choices, "|"))
	f.cardFlags.define(fs)
	fs.BoolVar(&f.confirm, "confirm-last-try", false, "allow spending the last try of the PIN")
	if err := parseFlags(fs, args); err != nil {
		return f, 0, 0, err
	}
	valid := false
	for _, c := range choices {
		valid = valid || f.which == c
	}
	if !valid {
		return f, 0, 0, usagef("--which: want %s, got %q", strings.Join(choices, "|"), f.which)
	}
	switch f.which {
	case "auth":
		return f, card.PINAuth, policy.PINAuth, nil
	case "sign":
		return f, card.PINSign, policy.PINSign, nil
	}
	return f, card.PINBasicInfo, policy.PINBasic, nil
}

func (f pinFlags) options() []card.Option {
	if f.confirm {
		return []card.Option{card.ConfirmLastTry()}
	}
	return nil
}

// readPIN reads one line of standard input byte by byte (no buffer keeps a
// copy) and checks its format with policy, so a typo never costs a try.
func readPIN(e *env, asJSON bool, kind policy.PINKind, what string) ([]byte, error) {
	pin := make([]byte, 0, maxPINLine)
	var b [1]byte
	for {
		n, err := e.stdin.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if len(pin) == maxPINLine {
				clear(pin)
				return nil, refuse(asJSON, "PIN_FORMAT", "%s: line too long", what)
			}
			pin = append(pin, b[0])
		}
		if errors.Is(err, io.EOF) {
			if len(pin) == 0 {
				return nil, usagef("%s: expected on standard input, one per line", what)
			}
			break
		}
		if err != nil {
			clear(pin)
			return nil, fmt.Errorf("reading %s: %w", what, err)
		}
	}
	for len(pin) > 0 && pin[len(pin)-1] == '\r' {
		pin = pin[:len(pin)-1]
	}
	if reasons := policy.ValidatePIN(kind, pin); len(reasons) > 0 {
		clear(pin[:cap(pin)])
		return nil, &refusal{Code: "PIN_FORMAT", Message: what + " does not meet the PIN rule",
			Details: map[string]any{"reasons": reasons}, JSON: asJSON}
	}
	return pin, nil
}

type pinVerifyOut struct {
	Reader   string `json:"reader"`
	Which    string `json:"which"`
	Verified bool   `json:"verified"`
	Retries  int    `json:"retries"`
	APDUs    int    `json:"apdus"`
}

func runPINVerify(e *env, args []string) error {
	f, p, kind, err := parsePINFlags(e, "pin verify", args, "auth", "sign", "basic")
	if err != nil {
		return err
	}
	pin, err := readPIN(e, f.asJSON, kind, "PIN")
	if err != nil {
		return err
	}
	defer clear(pin[:cap(pin)])
	var out pinVerifyOut
	if err := f.onJPKICard(func(s *session) error {
		out = pinVerifyOut{Reader: s.conn.Reader(), Which: f.which, Verified: true, Retries: p.MaxRetries()}
		return s.card.Verify(p, pin, f.options()...)
	}, &out.APDUs); err != nil {
		return err
	}
	if f.asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s PIN correct (%d tries)\n", f.which, out.Retries)
	return nil
}

type pinChangeOut struct {
	Reader  string `json:"reader"`
	Which   string `json:"which"`
	Changed bool   `json:"changed"`
	APDUs   int    `json:"apdus"`
}

func runPINChange(e *env, args []string) error {
	f, p, kind, err := parsePINFlags(e, "pin change", args, "auth", "sign")
	if err != nil {
		return err
	}
	current, err := readPIN(e, f.asJSON, kind, "current PIN")
	if err != nil {
		return err
	}
	defer clear(current[:cap(current)])
	next, err := readPIN(e, f.asJSON, kind, "new PIN")
	if err != nil {
		return err
	}
	defer clear(next[:cap(next)])
	var out pinChangeOut
	if err := f.onJPKICard(func(s *session) error {
		out = pinChangeOut{Reader: s.conn.Reader(), Which: f.which, Changed: true}
		return s.card.ChangePIN(p, current, next, f.options()...)
	}, &out.APDUs); err != nil {
		return err
	}
	if f.asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s PIN changed\n", f.which)
	return nil
}

// cardRefusal maps the card package's errors to the contract's codes.
func cardRefusal(asJSON bool, err error) error {
	var pe *card.PINError
	switch {
	case errors.As(err, &pe) && errors.Is(err, card.ErrWrongPIN):
		return &refusal{Code: "PIN_INCORRECT", Message: fmt.Sprintf("wrong PIN, %d tries left", pe.Retries),
			Details: map[string]int{"retries": pe.Retries}, JSON: asJSON}
	case errors.Is(err, card.ErrLastTry):
		return &refusal{Code: "LAST_TRY_NOT_CONFIRMED", Message: "one try left: pass --confirm-last-try to use it",
			Details: map[string]int{"retries": 1}, JSON: asJSON}
	case errors.Is(err, card.ErrAuthBlocked):
		return &refusal{Code: "PIN_LOCKED", Message: "the PIN is locked; it can be reset at the counter",
			Details: map[string]int{"retries": 0}, JSON: asJSON}
	case errors.Is(err, card.ErrPINFormat), errors.Is(err, card.ErrWrongData):
		return refuse(asJSON, "PIN_FORMAT", "the card refused the PIN's format")
	case errors.Is(err, card.ErrNoService):
		return refuse(asJSON, "NO_SERVICE", "the smart-card service is not running (pcscd; on Windows it stops with no reader)")
	case errors.Is(err, card.ErrNoReader):
		return refuse(asJSON, "NO_READER", "no smart-card reader (or not the one named)")
	case errors.Is(err, card.ErrNoCard):
		return refuse(asJSON, "NO_CARD", "no card in the reader")
	case errors.Is(err, card.ErrCardRemoved):
		return refuse(asJSON, "CARD_REMOVED", "the card was removed")
	case errors.Is(err, card.ErrCardInUse):
		return refuse(asJSON, "CARD_IN_USE", "another program is using the card")
	case errors.Is(err, card.ErrCardMute), errors.Is(err, card.ErrCardReset):
		return refuse(asJSON, "CARD_ERROR", "the card does not respond: %v", err)
	case errors.Is(err, card.ErrFileNotFound):
		return refuse(asJSON, "NOT_ON_CARD", "the card has no such PIN or file")
	}
	return refuse(asJSON, "CARD_ERROR", "%v", err)
}
