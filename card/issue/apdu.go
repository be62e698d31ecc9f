package issue

import (
	"crypto/rsa"
	"encoding/binary"
	"fmt"

	"github.com/jpki-kiosk/kiosk/card"
)

// Token EF layout (DESIGN.md section 4, docs/ISSUANCE-APDUS.md step 2).
const (
	tokenSize  = 160
	serialSize = 16   // the token's serialNumber, bytes 80..95
	maxCertEF  = 4096 // capacity of a certificate EF
	maxChunk   = 255  // largest UPDATE BINARY data of a short APDU
)

// issuerAuthContext prefixes the data the issuer signs for EXTERNAL
// AUTHENTICATE (docs/ISSUANCE-APDUS.md step 2).
const issuerAuthContext = "JPKI-ISSUER-AUTH"

// The application, its files and the instruction bytes are package
// card's (card.AIDJPKI, card.EF*, card.INS*): the reader and the writer
// spell them once.

const swOK uint16 = 0x9000

// files of each certificate: key, certificate, CA certificate, PIN.
type files struct{ key, cert, ca, pin card.FileID }

func filesOf(c Cert) files {
	if c == Sign {
		return files{card.EFSignKey, card.EFSignCert, card.EFSignCA, card.EFSignPIN}
	}
	return files{card.EFAuthKey, card.EFAuthCert, card.EFAuthCA, card.EFAuthPIN}
}

// certOfKey returns the certificate whose key lives in EF id.
func certOfKey(id card.FileID) (Cert, bool) {
	switch id {
	case card.EFAuthKey:
		return Auth, true
	case card.EFSignKey:
		return Sign, true
	}
	return "", false
}

// certOfEF returns the certificate stored in EF id (not the CA certificate).
func certOfEF(id card.FileID) (Cert, bool) {
	switch id {
	case card.EFAuthCert:
		return Auth, true
	case card.EFSignCert:
		return Sign, true
	}
	return "", false
}

// certOfCA returns the certificate whose CA certificate is stored in EF id.
func certOfCA(id card.FileID) (Cert, bool) {
	switch id {
	case card.EFAuthCA:
		return Auth, true
	case card.EFSignCA:
		return Sign, true
	}
	return "", false
}

// Command builders: the only places that spell out APDU bytes.

func selectJPKI() []byte { return cmd(0x00, card.INSSelect, 0x04, 0x0C, card.AIDJPKI[:], 0) }

func selectEF(id card.FileID) []byte {
	return cmd(0x00, card.INSSelect, 0x02, 0x0C, []byte{byte(id >> 8), byte(id)}, 0)
}

func getChallenge() []byte { return cmd(0x00, card.INSGetChallenge, 0, 0, nil, 8) }

func externalAuth(sig []byte) []byte { return cmd(0x00, card.INSExternalAuth, 0, 0, sig, 0) }

func generateKey(id card.FileID) []byte {
	return cmd(0x00, card.INSGenerateKey, 0, 0, []byte{byte(id >> 8), byte(id)}, 256)
}

func updateBinary(off int, data []byte) []byte {
	return cmd(0x00, card.INSUpdateBinary, byte(off>>8), byte(off), data, 0)
}

func readBinary(off, n int) []byte {
	return cmd(0x00, card.INSReadBinary, byte(off>>8), byte(off), nil, n)
}

func resetRetry(pin []byte) []byte { return cmd(0x00, card.INSResetRetry, 0x02, 0x80, pin, 0) }

// cmd encodes a short APDU through card.Command; the builders above never
// exceed its limits, so an error is a programming error.
func cmd(cla, ins, p1, p2 byte, data []byte, le int) []byte {
	b, err := card.Command{CLA: cla, INS: ins, P1: p1, P2: p2, Data: data, Le: le}.Bytes()
	if err != nil {
		panic("issue: " + err.Error())
	}
	return b
}

// writeScript is the SELECT and UPDATE BINARY commands that write der to EF id.
func writeScript(id card.FileID, der []byte) [][]byte {
	out := [][]byte{selectEF(id)}
	for off := 0; off < len(der); off += maxChunk {
		out = append(out, updateBinary(off, der[off:min(off+maxChunk, len(der))]))
	}
	return out
}

// apdu is a parsed short command APDU.
type apdu struct {
	cla, ins, p1, p2 byte
	data             []byte
	le               int // 0: none
}

// parseAPDU splits a short command APDU; extended length is refused.
func parseAPDU(b []byte) (apdu, error) {
	if len(b) < 4 {
		return apdu{}, fmt.Errorf("%w: apdu of %d bytes", ErrProtocol, len(b))
	}
	a := apdu{cla: b[0], ins: b[1], p1: b[2], p2: b[3]}
	body := b[4:]
	switch {
	case len(body) == 0:
	case len(body) == 1:
		a.le = int(body[0])
		if a.le == 0 {
			a.le = 256
		}
	default:
		lc := int(body[0])
		switch {
		case lc == 0:
			return apdu{}, fmt.Errorf("%w: extended-length apdu", ErrProtocol)
		case len(body) == 1+lc:
			a.data = body[1:]
		case len(body) == 2+lc:
			a.data = body[1 : 1+lc]
			a.le = int(body[1+lc])
			if a.le == 0 {
				a.le = 256
			}
		default:
			return apdu{}, fmt.Errorf("%w: apdu length fields do not add up", ErrProtocol)
		}
	}
	return a, nil
}

// relayer relays command APDUs with the ISO 7816-4 transport chores (GET
// RESPONSE on 61 xx, 6C xx) and keeps the card's selection cache current:
// *card.Card (Card.Relay). The chores live in package card only.
type relayer interface {
	Relay(apdu []byte) ([]byte, error)
}

// relayOf returns what to relay through: t itself when it is a *card.Card
// (the session's card, whose selection cache then stays true), otherwise a
// card.Card over t.
func relayOf(t card.Transmitter) relayer {
	if r, ok := t.(relayer); ok {
		return r
	}
	return card.New(t)
}

// exchange relays one APDU and returns the data and the final status word.
func exchange(r relayer, b []byte) ([]byte, uint16, error) {
	resp, err := r.Relay(b)
	if err != nil {
		return nil, 0, err
	}
	if len(resp) < 2 {
		return nil, 0, fmt.Errorf("response of %d bytes: %w", len(resp), card.ErrMalformed)
	}
	n := len(resp) - 2
	return resp[:n], binary.BigEndian.Uint16(resp[n:]), nil
}

// readToken selects the JPKI application, reads the token EF, checks that
// the card is a My Number card and returns the card serial.
func readToken(t relayer) (serial []byte, n int, err error) {
	for _, c := range [][]byte{selectJPKI(), selectEF(card.EFToken)} {
		n++
		_, sw, err := exchange(t, c)
		if err != nil {
			return nil, n, err
		}
		if sw != swOK {
			if sw == 0x6A82 {
				return nil, n, ErrNotMyNumber
			}
			return nil, n, fmt.Errorf("reading the token: %w", &card.StatusError{SW: sw})
		}
	}
	n++
	data, sw, err := exchange(t, readBinary(0, tokenSize))
	if err != nil {
		return nil, n, err
	}
	if sw != swOK {
		return nil, n, fmt.Errorf("reading the token: %w", &card.StatusError{SW: sw})
	}
	// The card serial is the token's serialNumber (CK_TOKEN_INFO bytes
	// 80..95), per card; bytes 32..63 are the manufacturerID every card shares.
	tok, err := card.ParseToken(data)
	if err != nil {
		return nil, n, fmt.Errorf("reading the token: %w", err)
	}
	if tok.Type() != card.TypeMyNumber {
		return nil, n, ErrNotMyNumber
	}
	return tok.Serial, n, nil
}

// parsePublicKey decodes the GENERATE ASYMMETRIC KEY PAIR response
// (docs/ISSUANCE-APDUS.md step 3) and insists on RSA-2048 or larger.
func parsePublicKey(b []byte) (*rsa.PublicKey, error) {
	pub, err := card.ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProtocol, err)
	}
	if pub.N.BitLen() < rsaBits {
		return nil, fmt.Errorf("%w: %d-bit public key", ErrProtocol, pub.N.BitLen())
	}
	return pub, nil
}
