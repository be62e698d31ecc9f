package issue

import (
	"bytes"
	"fmt"

	"github.com/jpki-kiosk/kiosk/card"
)

// guard is the relay's allow-list. A backend may only send, inside the JPKI
// application: SELECT of the application and of the certificate EFs (and CA
// certificate EFs) of the certificates being issued, GET CHALLENGE,
// EXTERNAL AUTHENTICATE, GENERATE ASYMMETRIC KEY PAIR for the keys being
// issued, and UPDATE BINARY of the selected certificate EF. Everything else
// (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, READ BINARY, any
// other application, proprietary classes) is refused before it reaches the
// card: the issuer can neither read personal data nor touch PINs.
type guard struct {
	certs  map[Cert]bool // the certificates of this issuance
	inJPKI bool          // the JPKI application is selected
	ef     card.FileID   // the selected EF, 0 if none
}

func newGuard(certs []Cert) *guard {
	g := &guard{certs: map[Cert]bool{}, inJPKI: true} // the kiosk selected it to read the token
	for _, c := range certs {
		g.certs[c] = true
	}
	return g
}

// check parses b and returns it if allowed, updating the selection state.
func (g *guard) check(b []byte) (apdu, error) {
	a, err := parseAPDU(b)
	if err != nil {
		return a, err
	}
	refuse := func(why string) (apdu, error) {
		return a, fmt.Errorf("%w: %02X %02X %02X %02X: %s", ErrForbidden, a.cla, a.ins, a.p1, a.p2, why)
	}
	if a.cla != 0x00 {
		return refuse("class not allowed")
	}
	switch a.ins {
	case card.INSSelect:
		switch {
		case a.p1 == 0x04 && bytes.Equal(a.data, card.AIDJPKI[:]):
			g.inJPKI, g.ef = true, 0
			return a, nil
		case a.p1 == 0x04:
			g.inJPKI, g.ef = false, 0
			return refuse("select of an application other than JPKI")
		case a.p1 == 0x02 && len(a.data) == 2:
			id := card.FileID(a.data[0])<<8 | card.FileID(a.data[1])
			if !g.inJPKI {
				return refuse("select of an EF outside the JPKI application")
			}
			if !g.writable(id) {
				return refuse(fmt.Sprintf("select of EF %04X", id))
			}
			g.ef = id
			return a, nil
		}
		return refuse("select form not allowed")
	case card.INSGetChallenge:
		if !g.inJPKI || a.p1 != 0 || a.p2 != 0 || len(a.data) != 0 || a.le == 0 {
			return refuse("malformed GET CHALLENGE")
		}
		return a, nil
	case card.INSExternalAuth:
		if !g.inJPKI || a.p1 != 0 || a.p2 != 0 || len(a.data) == 0 {
			return refuse("malformed EXTERNAL AUTHENTICATE")
		}
		return a, nil
	case card.INSGenerateKey:
		if !g.inJPKI || a.p1 != 0 || a.p2 != 0 || len(a.data) != 2 {
			return refuse("malformed GENERATE ASYMMETRIC KEY PAIR")
		}
		c, ok := certOfKey(card.FileID(a.data[0])<<8 | card.FileID(a.data[1]))
		if !ok || !g.certs[c] {
			return refuse(fmt.Sprintf("key generation for key %02X%02X not requested", a.data[0], a.data[1]))
		}
		return a, nil
	case card.INSUpdateBinary:
		off := int(a.p1)<<8 | int(a.p2)
		if !g.inJPKI || a.p1&0x80 != 0 || g.ef == 0 || !g.writable(g.ef) {
			return refuse("UPDATE BINARY outside a certificate EF")
		}
		if len(a.data) == 0 || off+len(a.data) > maxCertEF {
			return refuse("UPDATE BINARY beyond the certificate EF")
		}
		return a, nil
	}
	return refuse("instruction not allowed")
}

// writable reports whether EF id holds a certificate (or its CA certificate)
// of this issuance.
func (g *guard) writable(id card.FileID) bool {
	for c := range g.certs {
		f := filesOf(c)
		if id == f.cert || id == f.ca {
			return true
		}
	}
	return false
}
