package card

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
)

// Key names one of the card's two private keys.
type Key int

// The card's keys (DESIGN.md §4).
const (
	KeyAuth Key = iota + 1 // user-authentication key, EF 0017, PIN 0018, certificate 000A
	KeySign                // signature key, EF 001A, PIN 001B, certificate 0001
)

// String names the key: "auth" or "sign".
func (k Key) String() string {
	switch k {
	case KeyAuth:
		return "auth"
	case KeySign:
		return "sign"
	}
	return fmt.Sprintf("Key(%d)", int(k))
}

func (k Key) parts() (key FileID, pin PIN, cert CertFile, err error) {
	switch k {
	case KeyAuth:
		return EFAuthKey, PINAuth, CertAuth, nil
	case KeySign:
		return EFSignKey, PINSign, CertSign, nil
	}
	return 0, 0, 0, fmt.Errorf("key %d: %w", int(k), ErrWrongParameters)
}

// COMPUTE DIGITAL SIGNATURE parameters of the JPKI form 80 2A 00 80 (DESIGN.md §4).
const (
	signP1 byte = 0x00
	signP2 byte = 0x80 // data field: DigestInfo to be padded (PKCS#1 v1.5) and signed
)

// Hash algorithm identifiers (RFC 8017 appendix A.2.4).
var digestOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

// DigestInfo encodes digest for PKCS#1 v1.5 (RFC 8017 §9.2): SEQUENCE {
// AlgorithmIdentifier { hash OID, NULL }, OCTET STRING digest }. SHA-1,
// SHA-256, SHA-384 and SHA-512 are supported.
func DigestInfo(h crypto.Hash, digest []byte) ([]byte, error) {
	oid, ok := digestOIDs[h]
	if !ok {
		return nil, fmt.Errorf("hash %v: %w", h, ErrNotSupported)
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("digest of %d bytes for %v: %w", len(digest), h, ErrWrongLength)
	}
	type algorithm struct {
		OID    asn1.ObjectIdentifier
		Params asn1.RawValue
	}
	return asn1.Marshal(struct {
		Alg    algorithm
		Digest []byte
	}{algorithm{oid, asn1.NullRawValue}, digest})
}

// sign sends COMPUTE DIGITAL SIGNATURE with the key EF selected.
func (c *Card) sign(k Key, pinFn PINFunc, o options, digestInfo []byte) ([]byte, error) {
	keyEF, pin, _, err := k.parts()
	if err != nil {
		return nil, err
	}
	if err := c.verifyWith(pin, pinFn, o); err != nil {
		return nil, err
	}
	if err := c.selectEF(keyEF); err != nil {
		return nil, fmt.Errorf("selecting %s key: %w", k, err)
	}
	sig, err := c.tx(Command{CLA: claJPKI, INS: insComputeSig, P1: signP1, P2: signP2, Data: digestInfo, Le: maxShortLe})
	if err != nil {
		return nil, fmt.Errorf("signing with %s key: %w", k, err)
	}
	return sig, nil
}

// Signer is a crypto.Signer backed by a key on the card (RSA-2048,
// PKCS#1 v1.5). It asks its PINFunc for the PIN when the card needs it:
// once per card session, or again after a reset.
type Signer struct {
	c    *Card
	key  Key
	pin  PINFunc
	o    options
	cert *x509.Certificate
}

// Signer returns a crypto.Signer for a key. Its public key comes from the
// matching certificate: the auth certificate needs no PIN; the signature
// certificate is read after VERIFY of the sign PIN, so pinFn may be called
// now. The last-try guard (ConfirmLastTry) applies to every VERIFY it makes.
func (c *Card) Signer(k Key, pinFn PINFunc, opts ...Option) (*Signer, error) {
	_, pin, certFile, err := k.parts()
	if err != nil {
		return nil, err
	}
	o := collect(opts)
	var cert *x509.Certificate
	err = c.do(func() error {
		if k == KeySign {
			if err := c.verifyWith(pin, pinFn, o); err != nil {
				return err
			}
		}
		cert, err = c.readCert(certFile)
		return err
	})
	if err != nil {
		return nil, err
	}
	if _, ok := cert.PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("%s certificate key %T: %w", k, cert.PublicKey, ErrNotSupported)
	}
	return &Signer{c: c, key: k, pin: pinFn, o: o, cert: cert}, nil
}

// Public returns the key's *rsa.PublicKey.
func (s *Signer) Public() crypto.PublicKey { return s.cert.PublicKey }

// Certificate returns the certificate of the key, as read from the card.
func (s *Signer) Certificate() *x509.Certificate { return s.cert }

// Sign signs digest, the hash named by opts, with PKCS#1 v1.5. rand is
// unused: the card pads. PSS is not supported.
func (s *Signer) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if _, pss := opts.(*rsa.PSSOptions); pss {
		return nil, fmt.Errorf("rsa-pss: %w", ErrNotSupported)
	}
	di, err := DigestInfo(opts.HashFunc(), digest)
	if err != nil {
		return nil, err
	}
	var sig []byte
	err = s.c.do(func() (err error) {
		sig, err = s.c.sign(s.key, s.pin, s.o, di)
		return err
	})
	if err != nil {
		return nil, err
	}
	if pub := s.cert.PublicKey.(*rsa.PublicKey); len(sig) != pub.Size() {
		return nil, fmt.Errorf("signature of %d bytes: %w", len(sig), ErrMalformed)
	}
	return sig, nil
}

// ReadSignCertificate verifies the sign PIN and reads the signature
// certificate (EF 0001). The last-try guard applies.
func (c *Card) ReadSignCertificate(pin []byte, opts ...Option) (*x509.Certificate, error) {
	o := collect(opts)
	var cert *x509.Certificate
	err := c.do(func() (err error) {
		if err := c.verify(PINSign, pin, o); err != nil {
			return err
		}
		cert, err = c.readCert(CertSign)
		return err
	})
	return cert, err
}

var _ crypto.Signer = (*Signer)(nil)
