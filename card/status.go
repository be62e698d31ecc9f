package card

import (
	"errors"
	"fmt"
)

// Status is what a card shows without any PIN: its type, the validity of
// the user-authentication certificate and the tries left of each PIN.
type Status struct {
	Type     Type
	AuthCert *CertInfo   // nil when the card holds no user-authentication certificate
	Retries  map[PIN]int // tries left; a PIN the card has no counter for is missing
}

// Status reads the token, the beginning of the user-authentication
// certificate (serial number and validity; one READ BINARY for usual
// certificates) and the three retry counters, spending no PIN try: about
// 12 APDUs on a My Number card. An unknown card gives TypeUnknown and no
// more.
func (c *Card) Status() (*Status, error) {
	var st *Status
	err := c.do(func() error {
		st = &Status{Retries: map[PIN]int{}}
		t, _, err := c.identify()
		if err != nil {
			return err
		}
		st.Type = t
		if t == TypeUnknown {
			return nil
		}
		st.AuthCert, err = c.readCertInfo(CertAuth)
		if err != nil && !errors.Is(err, ErrNoCertificate) {
			return err
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
