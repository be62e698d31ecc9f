package card

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CertFile names a certificate file of the JPKI application.
type CertFile int

// Certificate files (DESIGN.md §4).
const (
	CertAuth   CertFile = iota + 1 // user-authentication certificate, EF 000A
	CertAuthCA                     // user-authentication CA certificate, EF 000B
	CertSign                       // signature certificate, EF 0001 (needs the sign PIN)
	CertSignCA                     // signature CA certificate, EF 0002
)

func (f CertFile) file() (FileID, error) {
	switch f {
	case CertAuth:
		return EFAuthCert, nil
	case CertAuthCA:
		return EFAuthCA, nil
	case CertSign:
		return EFSignCert, nil
	case CertSignCA:
		return EFSignCA, nil
	}
	return 0, fmt.Errorf("certificate file %d: %w", int(f), ErrWrongParameters)
}

// String names the file: "auth", "auth-ca", "sign", "sign-ca".
func (f CertFile) String() string {
	switch f {
	case CertAuth:
		return "auth"
	case CertAuthCA:
		return "auth-ca"
	case CertSign:
		return "sign"
	case CertSignCA:
		return "sign-ca"
	}
	return fmt.Sprintf("CertFile(%d)", int(f))
}

// DER tags of a certificate's outer SEQUENCE and its length forms (X.690 §8.1.3).
const (
	derSequence = 0x30
	derLen1     = 0x81 // one length byte follows
	derLen2     = 0x82 // two length bytes follow
	derLen3     = 0x83 // three length bytes follow (not minimal for a card's sizes, but BER allows it)
)

// CertLength returns the size of the DER certificate that starts with header
// (DESIGN.md §4: 30 82 hi lo → hi·256+lo+4; also 30 81 ll and 30 83 for
// cards that write those forms). An empty file (anything not starting with a
// SEQUENCE, e.g. all 00 or FF) is ErrNoCertificate.
func CertLength(header []byte) (int, error) {
	if len(header) < 2 {
		return 0, fmt.Errorf("certificate header of %d bytes: %w", len(header), ErrMalformed)
	}
	if header[0] != derSequence {
		return 0, ErrNoCertificate
	}
	var n int
	switch l := header[1]; {
	case l < 0x80:
		n = 2 + int(l)
	case l == derLen1 && len(header) >= 3:
		n = 3 + int(header[2])
	case l == derLen2 && len(header) >= 4:
		n = 4 + (int(header[2])<<8 | int(header[3]))
	case l == derLen3 && len(header) >= 5:
		n = 5 + (int(header[2])<<16 | int(header[3])<<8 | int(header[4]))
	default:
		return 0, fmt.Errorf("certificate length form %02x: %w", l, ErrMalformed)
	}
	if n > maxEF {
		return 0, fmt.Errorf("certificate of %d bytes: %w", n, ErrMalformed)
	}
	return n, nil
}

// certError makes an absent or pending certificate file ErrNoCertificate
// (6A 82 file not found; 69 85 pending after a new key pair).
func certError(f CertFile, err error) error {
	if errors.Is(err, ErrFileNotFound) || errors.Is(err, ErrConditions) {
		return fmt.Errorf("reading %s certificate: %w (%w)", f, ErrNoCertificate, err)
	}
	return fmt.Errorf("reading %s certificate: %w", f, err)
}

// selectCert selects the JPKI application and a certificate file.
func (c *Card) selectCert(f CertFile) error {
	id, err := f.file()
	if err != nil {
		return err
	}
	if err := c.selectApp(appJPKI); err != nil {
		return fmt.Errorf("selecting jpki application: %w", err)
	}
	if err := c.selectEF(id); err != nil {
		return certError(f, err)
	}
	return nil
}

// readFirst reads the first chunk of a certificate file. An empty file
// answers 6B 00 (offset outside the file) at offset 0: no certificate.
func (c *Card) readFirst(f CertFile) ([]byte, error) {
	b, err := c.readBinary(0, readChunk)
	if errors.Is(err, ErrWrongParameters) {
		return nil, fmt.Errorf("reading %s certificate: %w (%w)", f, ErrNoCertificate, err)
	}
	if err != nil {
		return nil, certError(f, err)
	}
	if len(b) == 0 { // a card that answers an empty file with no data (62 82 or 90 00)
		return nil, fmt.Errorf("reading %s certificate: %w (empty file)", f, ErrNoCertificate)
	}
	return b, nil
}

// readCertDER reads a whole certificate: the first chunk gives its size.
func (c *Card) readCertDER(f CertFile) ([]byte, error) {
	if err := c.selectCert(f); err != nil {
		return nil, err
	}
	first, err := c.readFirst(f)
	if err != nil {
		return nil, err
	}
	n, err := CertLength(first)
	if err != nil {
		return nil, certError(f, err)
	}
	der := make([]byte, n)
	copy(der, first)
	if len(first) < n {
		if err := c.readFull(der[len(first):], len(first)); err != nil {
			return nil, certError(f, err)
		}
	}
	return der, nil
}

// readCert reads and parses a certificate.
func (c *Card) readCert(f CertFile) (*x509.Certificate, error) {
	der, err := c.readCertDER(f)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing %s certificate: %w (%w)", f, ErrMalformed, err)
	}
	return cert, nil
}

// ReadCertificate reads a certificate that needs no PIN: CertAuth,
// CertAuthCA or CertSignCA. For CertSign use ReadSignCertificate.
func (c *Card) ReadCertificate(f CertFile) (*x509.Certificate, error) {
	if f == CertSign {
		return nil, fmt.Errorf("reading sign certificate without pin: %w", ErrSecurityStatus)
	}
	var cert *x509.Certificate
	err := c.do(func() (err error) {
		cert, err = c.readCert(f)
		return err
	})
	return cert, err
}

// CertInfo is what a status check shows of a certificate.
type CertInfo struct {
	Serial    *big.Int
	NotBefore time.Time
	NotAfter  time.Time
}

// ParseCertPrefix reads the serial number and validity from the beginning
// of a DER certificate, which may be cut anywhere after the validity. A
// prefix too short or not a certificate gives ErrMalformed.
func ParseCertPrefix(b []byte) (*CertInfo, error) {
	s := cryptobyte.String(b)
	// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { ... } ... } (RFC 5280 §4.1):
	// step over both headers without needing the whole content.
	for range 2 {
		if !skipHeader(&s) {
			return nil, fmt.Errorf("certificate header: %w", ErrMalformed)
		}
	}
	var serial big.Int
	var sigAlg, issuer cryptobyte.String
	var validity []byte
	if !s.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!s.ReadASN1Integer(&serial) ||
		!s.ReadASN1(&sigAlg, cbasn1.SEQUENCE) ||
		!s.ReadASN1(&issuer, cbasn1.SEQUENCE) ||
		!s.ReadASN1Element((*cryptobyte.String)(&validity), cbasn1.SEQUENCE) {
		return nil, fmt.Errorf("certificate header: %w", ErrMalformed)
	}
	var v struct {
		NotBefore, NotAfter time.Time
	}
	if rest, err := asn1.Unmarshal(validity, &v); err != nil || len(rest) > 0 {
		return nil, fmt.Errorf("certificate validity: %w", ErrMalformed)
	}
	return &CertInfo{Serial: &serial, NotBefore: v.NotBefore, NotAfter: v.NotAfter}, nil
}

// skipHeader steps over the tag and length of a SEQUENCE, leaving s at its
// first content byte.
func skipHeader(s *cryptobyte.String) bool {
	var tag, l uint8
	if !s.ReadUint8(&tag) || cbasn1.Tag(tag) != cbasn1.SEQUENCE || !s.ReadUint8(&l) {
		return false
	}
	switch {
	case l < 0x80:
		return true
	case l == derLen1 || l == derLen2 || l == derLen3:
		return s.Skip(int(l & 0x7F))
	}
	return false
}

// readCertInfo reads only as much of a certificate as its serial number
// and validity need: one READ BINARY for any usual certificate, more when a
// long serial or issuer name pushes the validity past the first chunk, or
// when the card answers a read with fewer bytes than asked.
func (c *Card) readCertInfo(f CertFile) (*CertInfo, error) {
	if err := c.selectCert(f); err != nil {
		return nil, err
	}
	buf, err := c.readFirst(f)
	if err != nil {
		return nil, err
	}
	n, err := CertLength(buf)
	if err != nil {
		return nil, certError(f, err)
	}
	for {
		info, err := ParseCertPrefix(buf)
		if err == nil {
			return info, nil
		}
		if len(buf) >= n {
			return nil, certError(f, err)
		}
		chunk, err := c.readBinary(len(buf), min(readChunk, n-len(buf)))
		if err != nil {
			return nil, certError(f, err)
		}
		if len(chunk) == 0 {
			return nil, certError(f, fmt.Errorf("file ends at %d: %w", len(buf), ErrMalformed))
		}
		buf = append(buf, chunk...)
	}
}
