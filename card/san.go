package card

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers of the signature certificate (DESIGN.md §4).
var (
	oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}                  // RFC 5280 §4.2.1.6
	oidJPKIName       = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 1} // name
	oidJPKISex        = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 3} // sex
	oidJPKIBirthDate  = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 4} // birth date EYYYYMMDD
	oidJPKIAddress    = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 5} // address
)

// Japanese eras as the first digit of the birth date (DESIGN.md §4).
const (
	EraMeiji  = 1 // 明治
	EraTaisho = 2 // 大正
	EraShowa  = 3 // 昭和
	EraHeisei = 4 // 平成
	EraReiwa  = 5 // 令和
)

// SignatureSubject is the personal data in the subjectAltName of a
// signature certificate. It is personal data: keep it for the session only.
type SignatureSubject struct {
	Name      string
	Sex       string // as in the certificate: "1" male, "2" female, "3" other
	Era       int    // EraMeiji..EraReiwa, the first digit of the birth date
	BirthDate string // YYYYMMDD (Gregorian)
	Address   string
}

// ParseSignatureSubject reads the JPKI otherName fields from the
// subjectAltName extension of a signature certificate.
func ParseSignatureSubject(cert *x509.Certificate) (*SignatureSubject, error) {
	for _, ext := range cert.Extensions {
		if ext.Id.Equal(oidSubjectAltName) {
			return ParseSubjectAltName(ext.Value)
		}
	}
	return nil, fmt.Errorf("no subjectAltName: %w", ErrMalformed)
}

// ParseSubjectAltName parses the value of a subjectAltName extension
// (GeneralNames, RFC 5280 §4.2.1.6) and picks the JPKI otherName fields:
// name, sex, birth date and address. Other names are ignored.
func ParseSubjectAltName(der []byte) (*SignatureSubject, error) {
	in := cryptobyte.String(der)
	var names cryptobyte.String
	if !in.ReadASN1(&names, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, fmt.Errorf("subjectAltName: %w", ErrMalformed)
	}
	var s SignatureSubject
	var dob string
	seen := 0
	otherName := cbasn1.Tag(0).Constructed().ContextSpecific()
	for !names.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&gn, &tag) {
			return nil, fmt.Errorf("subjectAltName entry: %w", ErrMalformed)
		}
		if tag != otherName {
			continue
		}
		var oid asn1.ObjectIdentifier
		var wrapped cryptobyte.String
		if !gn.ReadASN1ObjectIdentifier(&oid) ||
			!gn.ReadASN1(&wrapped, cbasn1.Tag(0).Constructed().ContextSpecific()) {
			return nil, fmt.Errorf("subjectAltName otherName: %w", ErrMalformed)
		}
		var field *string
		switch {
		case oid.Equal(oidJPKIName):
			field = &s.Name
		case oid.Equal(oidJPKISex):
			field = &s.Sex
		case oid.Equal(oidJPKIBirthDate):
			field = &dob
		case oid.Equal(oidJPKIAddress):
			field = &s.Address
		default:
			continue
		}
		v, err := readString(wrapped)
		if err != nil {
			return nil, fmt.Errorf("subjectAltName %v: %w", oid, err)
		}
		*field = v
		seen++
	}
	if seen == 0 {
		return nil, fmt.Errorf("subjectAltName: no jpki names: %w", ErrMalformed)
	}
	if dob != "" {
		if len(dob) != 9 || dob[0] < '0'+EraMeiji || dob[0] > '0'+EraReiwa || !isDate(dob[1:]) {
			return nil, fmt.Errorf("subjectAltName birth date: %w", ErrMalformed)
		}
		s.Era, s.BirthDate = int(dob[0]-'0'), dob[1:]
	}
	return &s, nil
}

// readString reads one ASN.1 character string: UTF8String, PrintableString,
// IA5String or BMPString.
func readString(s cryptobyte.String) (string, error) {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) || !s.Empty() {
		return "", ErrMalformed
	}
	switch tag {
	case cbasn1.UTF8String, cbasn1.PrintableString, cbasn1.IA5String:
		if !utf8.Valid(v) {
			return "", ErrMalformed
		}
		return string(v), nil
	case cbasn1.Tag(30): // BMPString: UTF-16 big-endian (X.680 §41)
		if len(v)%2 != 0 {
			return "", ErrMalformed
		}
		u := make([]uint16, len(v)/2)
		for i := range u {
			u[i] = uint16(v[2*i])<<8 | uint16(v[2*i+1])
		}
		return string(utf16.Decode(u)), nil
	}
	return "", ErrMalformed
}
