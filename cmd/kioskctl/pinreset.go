package main

import (
	"context"
	"fmt"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/policy"
)

// kioskctl pin reset: staff reset a locked (or forgotten) PIN of the JPKI
// application without issuing a certificate (docs/ISSUANCE.md). The issuer
// authenticates to the card; the kiosk sends RESET RETRY COUNTER with the
// new PIN, read once from standard input and checked with policy before the
// card is touched. The PIN never reaches the issuer, a log or the journal.

type pinResetOut struct {
	Reader  string `json:"reader"`
	Issuer  string `json:"issuer"`
	Which   string `json:"which"`
	Retries int    `json:"retries"` // tries left after the reset (the maximum)
	APDUs   int    `json:"apdus"`
}

func runPINReset(e *env, args []string) error {
	f := &issueFlags{}
	fs := newFlags(e, "pin reset")
	which := fs.String("which", "", "the PIN: auth|sign")
	f.define(fs, "reset", "staff ID")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var (
		cert issue.Cert
		p    card.PIN
		kind policy.PINKind
	)
	switch *which {
	case "auth":
		cert, p, kind = issue.Auth, card.PINAuth, policy.PINAuth
	case "sign":
		cert, p, kind = issue.Sign, card.PINSign, policy.PINSign
	default:
		return usagef("--which: want auth|sign, got %q", *which)
	}
	if err := f.check(); err != nil {
		return err
	}
	pin, err := readPIN(e, f.asJSON, kind, "new PIN")
	if err != nil {
		return err
	}
	defer clear(pin[:cap(pin)])

	iss, err := newIssuer(f)
	if err != nil {
		return refuse(f.asJSON, "ISSUER_UNAVAILABLE", "%v", err)
	}
	resetter, ok := iss.(issue.PINResetter)
	if !ok {
		return refuse(f.asJSON, "ISSUER_ERROR", "the %s issuer cannot reset PINs", iss.Name())
	}
	s, err := f.open()
	if err != nil {
		return err
	}
	defer s.close()
	switch t, err := s.card.Identify(); {
	case err != nil:
		return cardRefusal(f.asJSON, err)
	case t == card.TypeJuki:
		return refuse(f.asJSON, "JUKI_CARD", "old 住基カード: its PINs are reset by the issuer's own system")
	case t != card.TypeMyNumber:
		return refuse(f.asJSON, "UNKNOWN_CARD", "not a My Number card")
	}
	ctx, cancel := context.WithTimeout(context.Background(), issueTimeout)
	defer cancel()
	// The issuer's commands go through s.card (Card.Relay), which keeps
	// its selection cache current for the check below.
	if err := resetter.ResetPIN(ctx, s.card, cert, pin, f.approval); err != nil {
		return issueRefusal(f.asJSON, err)
	}
	left, err := s.card.Retries(p)
	if err != nil {
		return cardRefusal(f.asJSON, err)
	}
	out := pinResetOut{Reader: s.conn.Reader(), Issuer: iss.Name(), Which: *which, Retries: left, APDUs: s.trace.Count()}
	if f.asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s PIN reset, %d tries\n", *which, left)
	return nil
}
