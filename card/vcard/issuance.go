package vcard

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// IssuerAuthDigest is what the issuer signs for EXTERNAL AUTHENTICATE:
// SHA-256(IssuerAuthContext ‖ challenge ‖ serial), serial being token EF
// bytes 80..95, the serialNumber (docs/ISSUANCE-APDUS.md step 2).
func IssuerAuthDigest(challenge, serial []byte) []byte {
	h := sha256.New()
	h.Write([]byte(IssuerAuthContext))
	h.Write(challenge)
	h.Write(serial)
	return h.Sum(nil)
}

// inJPKI reports whether the JPKI application is the selected one.
func (c *Card) inJPKI() bool { return c.cur != nil && c.cur == c.jpki }

// doGetChallenge handles GET CHALLENGE `00 84 00 00 08`.
func (c *Card) doGetChallenge(cmd command) []byte {
	if cmd.p1 != 0 || cmd.p2 != 0 {
		return status(swWrongP1P2)
	}
	if len(cmd.data) != 0 || !cmd.hasLe {
		return status(swWrongLength)
	}
	if cmd.le != 8 {
		return status(swWrongLe | 8)
	}
	if !c.inJPKI() {
		return status(swConditionsNotSat)
	}
	ch := make([]byte, 8)
	if _, err := io.ReadFull(c.rand, ch); err != nil {
		return status(swConditionsNotSat)
	}
	c.challenge = ch
	return response(ch, swOK)
}

// doExternalAuthenticate handles EXTERNAL AUTHENTICATE `00 82 00 00 Lc
// <ECDSA signature>`: the issuer proves it holds the issuer key.
func (c *Card) doExternalAuthenticate(cmd command) []byte {
	if cmd.p1 != 0 || cmd.p2 != 0 {
		return status(swWrongP1P2)
	}
	if !c.inJPKI() || c.challenge == nil {
		return status(swConditionsNotSat)
	}
	ch := c.challenge
	c.challenge = nil // good for one try
	c.issuerAuth = false
	if c.issuerKey == nil || len(cmd.data) == 0 {
		return status(swSecurityNotSat)
	}
	if !ecdsa.VerifyASN1(c.issuerKey, IssuerAuthDigest(ch, c.serial), cmd.data) {
		return status(swSecurityNotSat)
	}
	c.issuerAuth = true
	return status(swOK)
}

// doGenerateKey handles GENERATE ASYMMETRIC KEY PAIR `00 46 00 00 02
// <key EF> 00`: a new RSA-2048 key, answered as 7F49 { 81 n, 82 e }.
func (c *Card) doGenerateKey(cmd command) []byte {
	if cmd.p1 != 0 || cmd.p2 != 0 {
		return status(swWrongP1P2)
	}
	if len(cmd.data) != 2 {
		return status(swWrongLength)
	}
	if !c.inJPKI() {
		return status(swConditionsNotSat)
	}
	if !c.issuerAuth {
		return status(swSecurityNotSat)
	}
	k := c.jpki.keys[uint16(cmd.data[0])<<8|uint16(cmd.data[1])]
	if k == nil {
		return status(swRefDataNotFound)
	}
	key, err := c.keyGen()
	if err != nil || key == nil {
		return status(swNotEnoughMemory)
	}
	k.key = key
	k.needCert = k.cert != 0
	k.needPIN = k.waitsPINs
	le := 256
	if cmd.hasLe {
		le = cmd.le
	}
	return c.answer(publicKeyTemplate(key.N, key.E), le)
}

// publicKeyTemplate encodes an RSA public key as the ISO 7816-8 template
// 7F49 { 81 modulus, 82 public exponent }.
func publicKeyTemplate(n *big.Int, e int) []byte {
	var body []byte
	body = appendTLV(body, []byte{0x81}, n.Bytes())
	body = appendTLV(body, []byte{0x82}, big.NewInt(int64(e)).Bytes())
	return appendTLV(nil, []byte{0x7F, 0x49}, body)
}

// appendTLV appends a BER-TLV with a definite length.
func appendTLV(dst, tag, value []byte) []byte {
	dst = append(dst, tag...)
	switch n := len(value); {
	case n < 0x80:
		dst = append(dst, byte(n))
	case n < 0x100:
		dst = append(dst, 0x81, byte(n))
	default:
		dst = append(dst, 0x82, byte(n>>8), byte(n))
	}
	return append(dst, value...)
}

// doUpdateBinary handles UPDATE BINARY of a certificate EF, in order from
// offset 0 (a write at offset 0 starts the content anew).
func (c *Card) doUpdateBinary(cmd command) []byte {
	if cmd.p1&0x80 != 0 {
		return status(swWrongP1P2)
	}
	if len(cmd.data) == 0 {
		return status(swWrongLength)
	}
	ef, sw := c.currentEF()
	if ef == nil {
		return status(sw)
	}
	if !ef.writable {
		return status(swNotAllowed)
	}
	if !c.issuerAuth {
		return status(swSecurityNotSat)
	}
	offset := int(cmd.p1)<<8 | int(cmd.p2)
	if offset > len(ef.data) {
		return status(swWrongOffset)
	}
	if offset+len(cmd.data) > MaxCertSize {
		return status(swNotEnoughMemory)
	}
	ef.data = append(bytes.Clone(ef.data[:offset]), cmd.data...)
	if ef.key != 0 {
		if k := c.jpki.keys[ef.key]; k != nil && k.needCert && certMatches(ef.data, k) {
			k.needCert = false
		}
	}
	return status(swOK)
}

// certMatches reports whether data is one complete DER certificate whose
// public key is the key's.
func certMatches(data []byte, k *keyState) bool {
	if k.key == nil || len(data) < 4 || data[0] != 0x30 || data[1] != 0x82 {
		return false
	}
	if len(data) != (int(data[2])<<8|int(data[3]))+4 {
		return false
	}
	cert, err := x509.ParseCertificate(data)
	if err != nil {
		return false
	}
	return k.key.PublicKey.Equal(cert.PublicKey)
}

// doResetRetryCounter handles RESET RETRY COUNTER `00 2C 02 80 <new PIN>`
// (new PIN, counter to maximum) and `00 2C 03 80` (counter only), both after
// issuer authentication.
func (c *Card) doResetRetryCounter(cmd command) []byte {
	if (cmd.p1 != 0x02 && cmd.p1 != 0x03) || cmd.p2 != 0x80 {
		return status(swWrongP1P2)
	}
	p, sw := c.targetPIN()
	if p == nil {
		return status(sw)
	}
	if !c.issuerAuth {
		return status(swSecurityNotSat)
	}
	if cmd.p1 == 0x03 {
		if len(cmd.data) != 0 {
			return status(swWrongLength)
		}
		if p.value == nil {
			return status(swRefDataNotUsable)
		}
	} else {
		if !p.format(cmd.data) {
			return status(swWrongData)
		}
		p.value = bytes.Clone(cmd.data)
		for _, k := range c.cur.keys {
			if c.cur.pins[k.pin] == p {
				k.needPIN = false
			}
		}
	}
	p.left = p.max
	p.verified = false
	return status(swOK)
}

// IssuerKeyFile is the file, in the kiosk's data directory, holding the
// issuer public key a virtual card trusts: PEM "PUBLIC KEY" (PKIX) of an
// ECDSA P-256 key, written by the training issuer beside issuer-auth.key.
const IssuerKeyFile = "issuer-auth.pub"

// ParseIssuerKey reads an issuer public key in the IssuerKeyFile format.
func ParseIssuerKey(pemData []byte) (*ecdsa.PublicKey, error) {
	b, _ := pem.Decode(pemData)
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errors.New("issuer key: no PEM \"PUBLIC KEY\" block")
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		return nil, fmt.Errorf("issuer key: %w", err)
	}
	ek, ok := k.(*ecdsa.PublicKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, errors.New("issuer key: not an ECDSA P-256 public key")
	}
	return ek, nil
}
