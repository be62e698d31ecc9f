package card

import (
	"crypto/rsa"
	"fmt"
	"math/big"
)

// The write side of the card (docs/ISSUANCE-APDUS.md). An issuance backend
// decides when to call these; they do not select the JPKI application again
// if it is selected, since a new SELECT clears the issuer authentication.

// Lengths and tags of the issuance commands (docs/ISSUANCE-APDUS.md; ISO 7816-8 §5.1).
const (
	challengeLen     = 8      // GET CHALLENGE answers 8 random bytes
	tagPublicKey     = 0x7F49 // public key template
	tagModulus       = 0x81   // RSA modulus inside 7F49
	tagExponent      = 0x82   // RSA public exponent inside 7F49
	minModulusBits   = 1024
	maxModulusBits   = 4096
	maxPublicExpBits = 31
)

// SelectJPKI selects the JPKI application, even if it is selected already:
// a fresh start for an issuance script (it clears issuer authentication).
func (c *Card) SelectJPKI() error {
	return c.do(func() error {
		if err := c.forceSelectApp(appJPKI); err != nil {
			return fmt.Errorf("selecting jpki application: %w", err)
		}
		return nil
	})
}

// GetChallenge asks the JPKI application for 8 random bytes (GET CHALLENGE
// 00 84 00 00 08), good for one EXTERNAL AUTHENTICATE.
func (c *Card) GetChallenge() ([]byte, error) {
	var ch []byte
	err := c.do(func() (err error) {
		if err := c.selectApp(appJPKI); err != nil {
			return fmt.Errorf("selecting jpki application: %w", err)
		}
		ch, err = c.tx(Command{CLA: claISO, INS: INSGetChallenge, Le: challengeLen})
		if err != nil {
			return fmt.Errorf("getting challenge: %w", err)
		}
		if len(ch) != challengeLen {
			return fmt.Errorf("challenge of %d bytes: %w", len(ch), ErrMalformed)
		}
		return nil
	})
	return ch, err
}

// ExternalAuthenticate sends the issuer's signature over the last challenge
// (EXTERNAL AUTHENTICATE 00 82 00 00 Lc sig). A wrong signature gives
// ErrSecurityStatus, a missing challenge ErrConditions.
func (c *Card) ExternalAuthenticate(sig []byte) error {
	return c.do(func() error {
		if err := c.selectApp(appJPKI); err != nil {
			return fmt.Errorf("selecting jpki application: %w", err)
		}
		if _, err := c.tx(Command{CLA: claISO, INS: INSExternalAuth, Data: sig}); err != nil {
			return fmt.Errorf("issuer authentication: %w", err)
		}
		return nil
	})
}

// GenerateKeyPair makes the card generate a new key pair for k (GENERATE
// ASYMMETRIC KEY PAIR 00 46 00 00 02 <key EF> 00) and returns its public
// key. It needs issuer authentication; afterwards the key's certificate is
// pending until WriteCertificate.
func (c *Card) GenerateKeyPair(k Key) (*rsa.PublicKey, error) {
	keyEF, _, _, err := k.parts()
	if err != nil {
		return nil, err
	}
	var pub *rsa.PublicKey
	err = c.do(func() error {
		if err := c.selectApp(appJPKI); err != nil {
			return fmt.Errorf("selecting jpki application: %w", err)
		}
		data, err := c.tx(Command{CLA: claISO, INS: INSGenerateKey,
			Data: []byte{byte(keyEF >> 8), byte(keyEF)}, Le: maxShortLe})
		if err != nil {
			return fmt.Errorf("generating %s key: %w", k, err)
		}
		pub, err = ParsePublicKey(data)
		return err
	})
	return pub, err
}

// ParsePublicKey parses the public key template 7F49 { 81 modulus,
// 82 exponent } that GENERATE ASYMMETRIC KEY PAIR returns.
func ParsePublicKey(b []byte) (*rsa.PublicKey, error) {
	tag, value, _, err := readTLV(b)
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	if tag != tagPublicKey {
		return nil, fmt.Errorf("public key tag %x: %w", tag, ErrMalformed)
	}
	var n, e []byte
	for len(value) > 0 {
		var v []byte
		if tag, v, value, err = readTLV(value); err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		switch tag {
		case tagModulus:
			n = v
		case tagExponent:
			e = v
		}
	}
	mod := new(big.Int).SetBytes(n)
	exp := new(big.Int).SetBytes(e)
	switch {
	case mod.BitLen() < minModulusBits || mod.BitLen() > maxModulusBits || mod.Bit(0) == 0:
		return nil, fmt.Errorf("public key modulus of %d bits: %w", mod.BitLen(), ErrMalformed)
	case exp.BitLen() > maxPublicExpBits || exp.Cmp(big.NewInt(3)) < 0 || exp.Bit(0) == 0:
		return nil, fmt.Errorf("public key exponent: %w", ErrMalformed)
	}
	return &rsa.PublicKey{N: mod, E: int(exp.Int64())}, nil
}

// WriteCertificate selects a certificate file (CertAuth or CertSign) and
// writes der with UPDATE BINARY in chunks of at most 255 bytes, from
// offset 0 (00 D6 <off> Lc <data>). It needs issuer authentication.
func (c *Card) WriteCertificate(f CertFile, der []byte) error {
	if f != CertAuth && f != CertSign {
		return fmt.Errorf("writing %s certificate: %w", f, ErrWrongParameters)
	}
	if len(der) == 0 || len(der) > maxEF {
		return fmt.Errorf("certificate of %d bytes: %w", len(der), ErrWrongLength)
	}
	id, _ := f.file()
	return c.do(func() error {
		if err := c.selectApp(appJPKI); err != nil {
			return fmt.Errorf("selecting jpki application: %w", err)
		}
		if err := c.selectEF(id); err != nil {
			return fmt.Errorf("selecting %s certificate: %w", f, err)
		}
		for off := 0; off < len(der); off += maxShortData {
			chunk := der[off:min(off+maxShortData, len(der))]
			_, err := c.tx(Command{CLA: claISO, INS: INSUpdateBinary, P1: byte(off >> 8), P2: byte(off), Data: chunk})
			if err != nil {
				return fmt.Errorf("writing %s certificate at %d: %w", f, off, err)
			}
		}
		return nil
	})
}

// ResetRetryCounter sets a JPKI PIN (PINAuth or PINSign) and its counter to
// the maximum (RESET RETRY COUNTER 00 2C 02 80 Lc <PIN> after SELECT of the
// PIN EF). It needs issuer authentication. The caller owns pin.
func (c *Card) ResetRetryCounter(p PIN, pin []byte) error {
	if p != PINAuth && p != PINSign {
		return fmt.Errorf("resetting %s pin: %w", p, ErrWrongParameters)
	}
	if err := checkPINLen(pin); err != nil {
		return fmt.Errorf("new %s pin: %w", p, err)
	}
	return c.do(func() error {
		if err := c.selectPIN(p); err != nil {
			return err
		}
		if _, err := c.tx(Command{CLA: claISO, INS: INSResetRetry, P1: resetNewOnly, P2: pinRefSpecific, Data: pin}); err != nil {
			return fmt.Errorf("setting %s pin: %w", p, err)
		}
		return nil
	})
}
