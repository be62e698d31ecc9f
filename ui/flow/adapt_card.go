package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
)

// CardAdapter is the CardPort of a real (or virtual) card behind package
// card. card's calls take no context: the adapter checks ctx before each
// call, so a wiped session starts no new card I/O.
type CardAdapter struct {
	Card *card.Card
	// Location is the zone of the birth date (YYYYMMDD on the card); UTC if nil.
	Location *time.Location
	// Genuine, when set, checks the whole auth certificate (DER) against the
	// J-LIS roots and the kiosk's training CA and returns "jlis",
	// "training" or "not_jlis" (DESIGN.md §4, "genuine") with the J-LIS
	// root's generation (2015, 2023; 0 otherwise); Identify then reads the
	// whole certificate. Wired by cmd with card/jlis.
	Genuine func(der []byte) (verdict string, generation int)
}

var _ CardPort = (*CardAdapter)(nil)

// Identify reads the card's status without a PIN.
func (a *CardAdapter) Identify(ctx context.Context) (CardInfo, error) {
	if err := ctx.Err(); err != nil {
		return CardInfo{}, err
	}
	st, err := a.Card.Status()
	if err != nil {
		if errors.Is(err, card.ErrNotJPKI) {
			return CardInfo{Type: CardUnknown, Retries: Retries{-1, -1, -1}}, nil
		}
		return CardInfo{}, mapCardErr(err)
	}
	info := CardInfo{Type: cardType(st.Type), Retries: Retries{-1, -1, -1}, Ref: st.Ref, NoSign: st.NoSignCert()}
	if st.AuthCert != nil {
		info.Auth = certInfo(st.AuthCert)
	}
	for p, n := range st.Retries {
		if p == card.PINSign && info.NoSign {
			continue // a counter without a certificate: never shown, never "locked"
		}
		info.Retries.set(flowPIN(p), n)
	}
	if a.Genuine != nil && st.AuthCert != nil && st.Type == card.TypeMyNumber {
		if der, err := a.Card.ReadCertificate(card.CertAuth); err == nil {
			info.Genuine, info.GenuineGen = a.Genuine(der.Raw)
		} else if errors.Is(err, card.ErrCardRemoved) || errors.Is(err, card.ErrNoCard) {
			return CardInfo{}, mapCardErr(err)
		}
	}
	return info, nil
}

// VerifyPIN verifies one PIN.
func (a *CardAdapter) VerifyPIN(ctx context.Context, which PIN, pin []byte, confirmLastTry bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := cardPIN(which)
	if err != nil {
		return err
	}
	return mapCardErr(a.Card.Verify(p, pin, opts(confirmLastTry)...))
}

// ChangePIN verifies old and sets new.
func (a *CardAdapter) ChangePIN(ctx context.Context, which PIN, old, new []byte, confirmLastTry bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := cardPIN(which)
	if err != nil {
		return err
	}
	return mapCardErr(a.Card.ChangePIN(p, old, new, opts(confirmLastTry)...))
}

// ReadSignCert verifies the sign PIN and reads the signature certificate's
// serial and validity; the personal data in it is not looked at.
func (a *CardAdapter) ReadSignCert(ctx context.Context, pin []byte, confirmLastTry bool) (*CertInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := a.Card.ReadSignCertificate(pin, opts(confirmLastTry)...)
	if errors.Is(err, card.ErrNoCertificate) {
		return nil, nil
	}
	if err != nil {
		return nil, mapCardErr(err)
	}
	return &CertInfo{Serial: strings.ToUpper(c.SerialNumber.Text(16)), NotBefore: c.NotBefore, NotAfter: c.NotAfter}, nil
}

// ReadBirthDate verifies the basic-info PIN and returns the birth date only.
func (a *CardAdapter) ReadBirthDate(ctx context.Context, pin []byte, confirmLastTry bool) (time.Time, error) {
	bi, birth, err := readBasicInfo(ctx, a.Card, pin, confirmLastTry, a.Location)
	if err != nil {
		return time.Time{}, err
	}
	*bi = card.BasicInfo{} // drop name, address and sex at once
	return birth, nil
}

// readBasicInfo verifies the basic-info PIN and reads the holder's data,
// the birth date (YYYYMMDD on the card) parsed in loc (nil: UTC). The
// caller wipes bi as soon as it has taken what it needs.
func readBasicInfo(ctx context.Context, c *card.Card, pin []byte, confirmLastTry bool, loc *time.Location) (*card.BasicInfo, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, err
	}
	bi, err := c.ReadBasicInfo(pin, opts(confirmLastTry)...)
	if err != nil {
		return nil, time.Time{}, mapCardErr(err)
	}
	if loc == nil {
		loc = time.UTC
	}
	birth, err := time.ParseInLocation("20060102", bi.BirthDate, loc)
	if err != nil {
		*bi = card.BasicInfo{}
		return nil, time.Time{}, errors.New("malformed birth date on the card")
	}
	return bi, birth, nil
}

// SetPIN sets a JPKI PIN after issuance (RESET RETRY COUNTER).
func (a *CardAdapter) SetPIN(ctx context.Context, which PIN, pin []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := cardPIN(which)
	if err != nil {
		return err
	}
	return mapCardErr(a.Card.ResetRetryCounter(p, pin))
}

func opts(confirm bool) []card.Option {
	if confirm {
		return []card.Option{card.ConfirmLastTry()}
	}
	return nil
}

func cardPIN(p PIN) (card.PIN, error) {
	switch p {
	case PINAuth:
		return card.PINAuth, nil
	case PINSign:
		return card.PINSign, nil
	case PINBasicInfo:
		return card.PINBasicInfo, nil
	}
	return 0, fmt.Errorf("no such pin %d", int(p))
}

func flowPIN(p card.PIN) PIN {
	switch p {
	case card.PINAuth:
		return PINAuth
	case card.PINSign:
		return PINSign
	case card.PINBasicInfo:
		return PINBasicInfo
	}
	return PINNone
}

func cardType(t card.Type) CardType {
	switch t.String() {
	case "mynumber":
		return CardMyNumber
	case "juki":
		return CardJuki
	case "smartphone":
		return CardSmartphone
	}
	return CardUnknown
}

func certInfo(c *card.CertInfo) *CertInfo {
	ci := &CertInfo{NotBefore: c.NotBefore, NotAfter: c.NotAfter}
	if c.Serial != nil {
		ci.Serial = strings.ToUpper(c.Serial.Text(16))
	}
	return ci
}

// mapCardErr turns package card's errors into the port's.
func mapCardErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *card.PINError
	switch {
	case errors.As(err, &pe):
		return &PINError{Left: pe.Retries}
	case errors.Is(err, card.ErrLastTry):
		return ErrLastTry
	case errors.Is(err, card.ErrAuthBlocked):
		return ErrPINLocked
	case errors.Is(err, card.ErrCardRemoved), errors.Is(err, card.ErrNoCard), errors.Is(err, card.ErrCardReset),
		// A reader unplugged or the smart-card service gone mid-operation ends
		// the session the same way: the card is no longer reachable.
		errors.Is(err, card.ErrNoReader), errors.Is(err, card.ErrNoService):
		return fmt.Errorf("%w: %v", ErrCardRemoved, err)
	}
	return err
}
