package issue

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jpki-kiosk/kiosk/policy"
)

// Files of the training CA in the kiosk's data directory (all mode 0600, the
// directory 0700).
const (
	FileAuthCAKey  = "ca-auth.key"     // RSA-2048 key of the user-authentication CA (PKCS #8 PEM)
	FileAuthCACert = "ca-auth.crt"     // its self-signed certificate (PEM)
	FileSignCAKey  = "ca-sign.key"     // RSA-2048 key of the signature CA
	FileSignCACert = "ca-sign.crt"     // its certificate
	FileIssuerKey  = "issuer-auth.key" // ECDSA P-256 key for EXTERNAL AUTHENTICATE (PKCS #8 PEM)
	FileIssuerPub  = "issuer-auth.pub" // its public key (PKIX PEM), what a virtual card trusts
	FileSerial     = "serial"          // the next certificate serial number, decimal
	caValidity     = 20                // years of a training CA certificate
	rsaBits        = 2048              // JPKI keys and CA keys
	trainingOU     = "TRAINING ONLY - not a J-LIS certificate"
)

// OIDs of the signature certificate's subjectAltName otherName fields
// (DESIGN.md section 4).
var (
	oidJPKIName      = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 1}
	oidJPKISex       = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 3}
	oidJPKIBirthDate = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 4}
	oidJPKIAddress   = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 5}
	oidSubjectAltNm  = asn1.ObjectIdentifier{2, 5, 29, 17}
)

// authority is one CA: its key and certificate.
type authority struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
}

// CA is the training issuer: two local certificate authorities (user
// authentication and digital signature) with JPKI-like names, the issuer
// key the virtual cards trust for EXTERNAL AUTHENTICATE, and a serial
// counter, all kept in the kiosk's data directory. It is also a Backend:
// it produces the issuance scripts a Client relays.
type CA struct {
	dir       string
	auth      authority
	sign      authority
	issuerKey *ecdsa.PrivateKey

	serialMu sync.Mutex
	sessMu   sync.Mutex
	sessions map[string]*session
}

// OpenCA opens the training CA in dir, creating whatever is missing on
// first run (directory 0700, files 0600). Key generation takes a moment.
func OpenCA(dir string) (*CA, error) {
	if err := ensureDir(dir); err != nil {
		return nil, fmt.Errorf("training ca: %w", err)
	}
	ca := &CA{dir: dir, sessions: map[string]*session{}}
	var err error
	if ca.auth, err = ca.loadAuthority(FileAuthCAKey, FileAuthCACert, caSubject(Auth)); err != nil {
		return nil, err
	}
	if ca.sign, err = ca.loadAuthority(FileSignCAKey, FileSignCACert, caSubject(Sign)); err != nil {
		return nil, err
	}
	if ca.issuerKey, err = ca.loadIssuerKey(); err != nil {
		return nil, err
	}
	return ca, nil
}

// ensureDir creates dir with mode 0700, or narrows an existing one to it.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, 0o700)
	}
	return nil
}

// Dir is the data directory.
func (ca *CA) Dir() string { return ca.dir }

// Certificate returns the CA certificate that issues c.
func (ca *CA) Certificate(c Cert) *x509.Certificate { return ca.authority(c).cert }

// IssuerPublicKey is the key a card must trust for EXTERNAL AUTHENTICATE
// (written to issuer-auth.pub).
func (ca *CA) IssuerPublicKey() *ecdsa.PublicKey { return &ca.issuerKey.PublicKey }

func (ca *CA) authority(c Cert) *authority {
	if c == Sign {
		return &ca.sign
	}
	return &ca.auth
}

// caSubject is the JPKI-like name of the CA issuing c.
func caSubject(c Cert) pkix.Name {
	ou := "JPKI for user authentication"
	if c == Sign {
		ou = "JPKI for digital signature"
	}
	return pkix.Name{
		Country:            []string{"JP"},
		Organization:       []string{"JPKI"},
		OrganizationalUnit: []string{ou, "Japan Agency for Local Authority Information Systems", trainingOU},
	}
}

// loadAuthority loads a CA key and certificate, creating what is missing.
// A certificate without its key is damage, reported rather than repaired.
func (ca *CA) loadAuthority(keyFile, certFile string, subject pkix.Name) (authority, error) {
	keyPath, certPath := filepath.Join(ca.dir, keyFile), filepath.Join(ca.dir, certFile)
	var a authority
	key, err := readPEMKey(keyPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, cerr := os.Stat(certPath); cerr == nil {
			return a, fmt.Errorf("training ca: %s exists without its key %s", certFile, keyFile)
		}
		k, gerr := rsa.GenerateKey(rand.Reader, rsaBits)
		if gerr != nil {
			return a, gerr
		}
		if err := writeKey(keyPath, k); err != nil {
			return a, err
		}
		key = k
	case err != nil:
		return a, err
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return a, fmt.Errorf("training ca: %s is not an RSA key", keyFile)
	}
	a.key = rk
	b, err := os.ReadFile(certPath)
	if errors.Is(err, fs.ErrNotExist) {
		now := time.Now()
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(now.UnixNano()),
			Subject:               subject,
			NotBefore:             now.Add(-time.Hour).UTC(),
			NotAfter:              now.AddDate(caValidity, 0, 0).UTC(),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			BasicConstraintsValid: true,
			IsCA:                  true,
			MaxPathLenZero:        true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rk.PublicKey, rk)
		if err != nil {
			return a, fmt.Errorf("training ca: %w", err)
		}
		if err := writeFileAtomic(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			return a, err
		}
		b = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	} else if err != nil {
		return a, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return a, fmt.Errorf("training ca: %s is not a PEM certificate", certFile)
	}
	if a.cert, err = x509.ParseCertificate(blk.Bytes); err != nil {
		return a, fmt.Errorf("training ca: %s: %w", certFile, err)
	}
	if !a.cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(&rk.PublicKey) {
		return a, fmt.Errorf("training ca: %s does not match %s", certFile, keyFile)
	}
	return a, nil
}

// loadIssuerKey loads or creates the ECDSA P-256 issuer key and its public file.
func (ca *CA) loadIssuerKey() (*ecdsa.PrivateKey, error) {
	path := filepath.Join(ca.dir, FileIssuerKey)
	key, err := readPEMKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		k, gerr := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if gerr != nil {
			return nil, gerr
		}
		if err := writeKey(path, k); err != nil {
			return nil, err
		}
		key, err = k, nil
	}
	if err != nil {
		return nil, err
	}
	ek, ok := key.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("training ca: %s is not an ECDSA P-256 key", FileIssuerKey)
	}
	pub, err := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	if err != nil {
		return nil, err
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})
	pubPath := filepath.Join(ca.dir, FileIssuerPub)
	if old, err := os.ReadFile(pubPath); err != nil || string(old) != string(pubPEM) {
		if err := writeFileAtomic(pubPath, pubPEM, 0o600); err != nil {
			return nil, err
		}
	}
	return ek, nil
}

func readPEMKey(path string) (crypto.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("training ca: %s is not a PKCS #8 PEM key", filepath.Base(path))
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("training ca: %s: %w", filepath.Base(path), err)
	}
	return k, nil
}

func writeKey(path string, k crypto.PrivateKey) error {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}

// nextSerial takes the next serial number from the counter file; the new
// value is on disk (temporary file + rename) before the number is used, so
// a crash can skip a number but never reuse one.
func (ca *CA) nextSerial() (*big.Int, error) {
	ca.serialMu.Lock()
	defer ca.serialMu.Unlock()
	path := filepath.Join(ca.dir, FileSerial)
	n := uint64(1)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		if n, err = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 63); err != nil || n == 0 {
			return nil, fmt.Errorf("training ca: serial counter %s is damaged", path)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if err := writeFileAtomic(path, []byte(strconv.FormatUint(n+1, 10)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("training ca: advancing the serial counter: %w", err)
	}
	return new(big.Int).SetUint64(n), nil
}

// endOfDay is the last second of d in Japan: a certificate valid "until d".
func endOfDay(d policy.Date) time.Time { return d.At(23, 59).Add(59 * time.Second) }

// issueCert signs a certificate for pub: c's CA, JPKI-like subject, key
// usages as on J-LIS certificates (digitalSignature for authentication;
// digitalSignature and nonRepudiation for signature, which also carries the
// holder's name, sex, birth date and address as subjectAltName otherNames).
func (ca *CA) issueCert(c Cert, pub *rsa.PublicKey, holder *Holder, notBefore time.Time, notAfter policy.Date) ([]byte, *x509.Certificate, error) {
	serial, err := ca.nextSerial()
	if err != nil {
		return nil, nil, err
	}
	var cn [8]byte
	if _, err := rand.Read(cn[:]); err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Country: []string{"JP"}, CommonName: fmt.Sprintf("%X", cn)},
		NotBefore:             notBefore.Truncate(time.Second).UTC(),
		NotAfter:              endOfDay(notAfter).UTC(),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	if c == Sign {
		tmpl.Subject.Locality = []string{"Training"}
		tmpl.KeyUsage |= x509.KeyUsageContentCommitment
		if err := holder.validate(); err != nil {
			return nil, nil, err
		}
		san, err := holderSAN(holder)
		if err != nil {
			return nil, nil, err
		}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oidSubjectAltNm, Value: san}}
	}
	if !tmpl.NotAfter.After(tmpl.NotBefore) {
		return nil, nil, fmt.Errorf("%w: expiry %s is not after the issue time", ErrRequest, notAfter)
	}
	a := ca.authority(c)
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, pub, a.key)
	if err != nil {
		return nil, nil, fmt.Errorf("training ca: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	return der, cert, err
}

// holderSAN encodes the subjectAltName of a signature certificate:
// otherName [0] { type-id, [0] EXPLICIT value } for each field.
func holderSAN(h *Holder) ([]byte, error) {
	birth, err := eraDate(h.BirthDate)
	if err != nil {
		return nil, err
	}
	fields := []struct {
		oid asn1.ObjectIdentifier
		val string
	}{
		{oidJPKIName, h.Name},
		{oidJPKISex, h.Sex},
		{oidJPKIBirthDate, birth},
		{oidJPKIAddress, h.Address},
	}
	var names []asn1.RawValue
	for _, f := range fields {
		val, err := directoryString(f.val)
		if err != nil {
			return nil, err
		}
		explicit, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: val})
		if err != nil {
			return nil, err
		}
		oid, err := asn1.Marshal(f.oid)
		if err != nil {
			return nil, err
		}
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(oid, explicit...)})
	}
	return asn1.Marshal(names)
}

// directoryString encodes s as PrintableString when it can, else UTF8String.
func directoryString(s string) ([]byte, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("%w: holder data is not UTF-8", ErrRequest)
	}
	printable := true
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || strings.ContainsRune(" '()+,-./:=?", r)) {
			printable = false
			break
		}
	}
	if printable {
		return asn1.MarshalWithParams(s, "printable")
	}
	return asn1.MarshalWithParams(s, "utf8")
}

// eraDate formats a YYYYMMDD birth date as JPKI's EYYYYMMDD: the Japanese
// era digit (1 Meiji, 2 Taisho, 3 Showa, 4 Heisei, 5 Reiwa) then the
// Gregorian date.
func eraDate(yyyymmdd string) (string, error) {
	t, err := time.Parse("20060102", yyyymmdd)
	if err != nil {
		return "", fmt.Errorf("%w: birth date must be YYYYMMDD", ErrRequest)
	}
	eras := []struct {
		start string
		digit byte
	}{{"20190501", '5'}, {"19890108", '4'}, {"19261225", '3'}, {"19120730", '2'}}
	for _, e := range eras {
		if s, _ := time.Parse("20060102", e.start); !t.Before(s) {
			return string(e.digit) + yyyymmdd, nil
		}
	}
	return "1" + yyyymmdd, nil
}

// signChallenge is the issuer's EXTERNAL AUTHENTICATE data: ECDSA P-256
// (ASN.1 DER) over SHA-256(context ‖ challenge ‖ card serial).
func signChallenge(key *ecdsa.PrivateKey, challenge, serial []byte) ([]byte, error) {
	h := crypto.SHA256.New()
	h.Write([]byte(issuerAuthContext))
	h.Write(challenge)
	h.Write(serial)
	return ecdsa.SignASN1(rand.Reader, key, h.Sum(nil))
}

// TrainingCACerts reads the training CA certificates (auth and sign) of the
// data directory dir, without creating anything: the anchors a genuine
// check calls "training". Missing or unreadable files are skipped.
func TrainingCACerts(dir string) []*x509.Certificate {
	var out []*x509.Certificate
	for _, f := range []string{FileAuthCACert, FileSignCACert} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			continue
		}
		if blk, _ := pem.Decode(b); blk != nil && blk.Type == "CERTIFICATE" {
			if c, err := x509.ParseCertificate(blk.Bytes); err == nil {
				out = append(out, c)
			}
		}
	}
	return out
}
