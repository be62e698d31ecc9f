package card

import (
	"errors"
	"fmt"
)

// Status is what a card shows without any PIN: its type, the validity of
// the user-authentication certificate and the tries left of each PIN.
type Status struct {
	Type     Type
	Token    *Token       // the token file; nil for a card without the JPKI application
	Ref      string       // the card reference (see Ref)
	Avail    Availability // what EF 0008 says the card carries
	AuthCert *CertInfo    // nil when the card holds no user-authentication certificate
	Retries  map[PIN]int  // tries left; a PIN the card has no counter for is missing
}

// NoSignCert reports whether the card says it carries no signature
// certificate (EF 0008 = 00 8F 00: a child's card, or one never issued).
// Its signature PIN counter then means nothing: never offer a reset for it.
func (s *Status) NoSignCert() bool { return s.Avail == AvailNoSign }

// Status reads the token, the certificate availability (EF 0008), the
// beginning of the user-authentication certificate (serial number and
// validity; one READ BINARY for usual certificates) and the three retry
// counters, spending no PIN try: about 14 APDUs on a My Number card. An
// unknown card gives TypeUnknown and no more; a smartphone gives its type
// and reference only (its certificates are managed in the phone).
func (c *Card) Status() (*Status, error) {
	var st *Status
	err := c.do(func() error {
		st = &Status{Retries: map[PIN]int{}}
		t, tok, err := c.identify()
		if err != nil {
			return err
		}
		st.Type, st.Token, st.Ref = t, tok, TokenRef(tok)
		if t == TypeUnknown || t == TypeSmartphone {
			return nil
		}
		if st.Avail, err = c.readAvailability(); err != nil {
			return err
		}
		st.AuthCert, err = c.readCertInfo(CertAuth)
		if err != nil && !errors.Is(err, ErrNoCertificate) {
			return err
		}
		if st.AuthCert != nil {
			st.Ref = Ref(st.AuthCert.Serial, tok)
		}
		for _, p := range []PIN{PINAuth, PINSign, PINBasicInfo} {
			n, _, err := c.retries(p)
			switch {
			case errors.Is(err, ErrFileNotFound):
				continue // no such PIN on this card (住基カード: no basic-info application; 6A 82 or 6A 88)
			case err != nil:
				return fmt.Errorf("status: %w", err)
			}
			st.Retries[p] = n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}
