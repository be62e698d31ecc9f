package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// serveContext is the context `vcard serve` runs under: until SIGINT or
// SIGTERM. Tests replace it.
var serveContext = func() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// parseToday reads --today (YYYY-MM-DD, Asia/Tokyo); empty means now.
func parseToday(s string) (time.Time, error) {
	if s == "" {
		return time.Now(), nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, japan)
	if err != nil {
		return time.Time{}, usagef("--today: want YYYY-MM-DD, got %q", s)
	}
	return d.Add(12 * time.Hour), nil
}

// loadIssuerKey reads DIR/issuer-auth.pub if it exists (nil if it does not).
func loadIssuerKey(dir string) (*ecdsa.PublicKey, error) {
	if dir == "" {
		return nil, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, vcard.IssuerKeyFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return vcard.ParseIssuerKey(b)
}

func runVcardServe(e *env, args []string) error {
	fl := newFlags(e, "vcard serve")
	addr := fl.String("vpcd", vcard.DefaultVPCDAddr, "host:port where pcscd's vpcd driver listens")
	name := fl.String("persona", vcard.PersonaAdult, "persona to serve (see `kioskctl vcard personas`)")
	dataDir := fl.String("data", "", "kiosk data directory; its "+vcard.IssuerKeyFile+" (PEM PKIX ECDSA P-256) is the issuer key the card trusts")
	todayFlag := fl.String("today", "", "date the persona's certificates are made for, YYYY-MM-DD (default: today)")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	now, err := parseToday(*todayFlag)
	if err != nil {
		return err
	}
	p, err := vcard.NewPersona(*name, now)
	if err != nil {
		return usagef("%v (known: %s)", err, personaNames())
	}
	issuer, err := loadIssuerKey(*dataDir)
	if err != nil {
		return refuse(false, "ISSUER_KEY", "%v", err)
	}
	card := p.NewCard(vcard.Options{IssuerKey: issuer})
	describePersona(e.stdout, p)
	switch {
	case issuer != nil:
		fmt.Fprintf(e.stdout, "issuer key:   %s (issuance enabled)\n", filepath.Join(*dataDir, vcard.IssuerKeyFile))
	default:
		fmt.Fprintln(e.stdout, "issuer key:   none (issuance commands answer 69 82)")
	}
	fmt.Fprintf(e.stdout, "serving to vpcd at %s until interrupted\n", *addr)

	ctx, stop := serveContext()
	defer stop()
	srv := &vcard.VPCDServer{Addr: *addr, Card: card, Logf: func(format string, a ...any) {
		fmt.Fprintf(e.stderr, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
	}}
	if err := srv.Serve(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "stopped")
	return nil
}

// describePersona prints what the served card is, for the operator.
func describePersona(w io.Writer, p *vcard.Persona) {
	date := func(t time.Time) string {
		if t.IsZero() {
			return "none"
		}
		return t.Format(time.DateOnly)
	}
	pin := func(s string) string {
		if s == "" {
			return "none"
		}
		return s
	}
	fmt.Fprintf(w, "persona:      %s — %s\n", p.Name, p.Description)
	fmt.Fprintf(w, "card:         %s, serial %s, issued %s, expires %s\n", p.CardType, p.Serial, date(p.IssueDate), date(p.CardExpiry))
	fmt.Fprintf(w, "holder:       %s (%s), born %s, %s (fictional)\n", p.Holder.Name, p.Holder.NameRomaji, date(p.Holder.Birth), p.Holder.Address)
	fmt.Fprintf(w, "auth cert:    expires %s; PIN %s, %d tries left\n", date(p.AuthExpiry), pin(p.AuthPIN), p.AuthRetries)
	fmt.Fprintf(w, "sign cert:    expires %s; PIN %s, %d tries left\n", date(p.SignExpiry), pin(p.SignPIN), p.SignRetries)
	fmt.Fprintf(w, "basic info:   PIN %s, %d tries left\n", pin(p.BasicPIN), p.BasicRetries)
}

func personaNames() string {
	var names []string
	for _, in := range vcard.List() {
		names = append(names, in.Name)
	}
	return strings.Join(names, ", ")
}

// personaJSON is one line of `vcard personas --json`.
type personaJSON struct {
	vcard.Info
	CardType   string  `json:"card_type"`
	CardExpiry string  `json:"card_expiry"`
	AuthExpiry *string `json:"auth_expiry"`
	SignExpiry *string `json:"sign_expiry"`
	Retries    struct {
		Auth  int `json:"auth"`
		Sign  int `json:"sign"`
		Basic int `json:"basic_info"`
	} `json:"retries"`
}

func runVcardPersonas(e *env, args []string) error {
	fl := newFlags(e, "vcard personas")
	asJSON := fl.Bool("json", false, "print JSON")
	todayFlag := fl.String("today", "", "date the expiry dates are computed for, YYYY-MM-DD (default: today)")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	now, err := parseToday(*todayFlag)
	if err != nil {
		return err
	}
	var out []personaJSON
	for _, in := range vcard.List() {
		p, err := vcard.NewPersona(in.Name, now)
		if err != nil {
			return refuse(*asJSON, "PERSONA", "%v", err)
		}
		j := personaJSON{Info: in, CardType: p.CardType, CardExpiry: p.CardExpiry.Format(time.DateOnly)}
		if !p.AuthExpiry.IsZero() {
			s := p.AuthExpiry.Format(time.DateOnly)
			j.AuthExpiry = &s
		}
		if !p.SignExpiry.IsZero() {
			s := p.SignExpiry.Format(time.DateOnly)
			j.SignExpiry = &s
		}
		j.Retries.Auth, j.Retries.Sign, j.Retries.Basic = p.AuthRetries, p.SignRetries, p.BasicRetries
		out = append(out, j)
	}
	if *asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	for _, j := range out {
		fmt.Fprintf(e.stdout, "%-18s auth PIN %-5s sign PIN %-7s basic PIN %-5s %s\n",
			j.Name, orDash(j.AuthPIN), orDash(j.SignPIN), orDash(j.BasicPIN), j.Description)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
