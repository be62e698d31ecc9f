package vcard

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Persona names.
const (
	PersonaAdult           = "adult"
	PersonaRenewable       = "renewable"
	PersonaExpired         = "expired"
	PersonaChild           = "child"
	PersonaAuthLocked      = "auth-locked"
	PersonaSignOneTryLeft  = "sign-one-try-left"
	PersonaSignLocked      = "sign-locked"
	PersonaJuki            = "juki"
	PersonaNoCerts         = "no-certs"
	defaultAuthPIN         = "1234"
	defaultSignPIN         = "ABC123"
	defaultBasicPIN        = "1234"
	fictionalIndividualNum = "000000000000" // fictional; the product never reads it
)

// Info describes a persona without building it: for lists and help text.
type Info struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	AuthPIN     string `json:"auth_pin,omitempty"`  // "" when the card has no auth PIN
	SignPIN     string `json:"sign_pin,omitempty"`  // "" when the card has no sign PIN
	BasicPIN    string `json:"basic_pin,omitempty"` // basic-information application PIN; "" when absent (住基カード)
}

// Holder is the fictional card holder's personal data, as printed on the
// card, held by the basic-information application and the signature
// certificate.
type Holder struct {
	Name       string    `json:"name"`        // 氏名, e.g. "デジタル 花子"
	NameRomaji string    `json:"name_romaji"` // CN of the signature certificate
	Address    string    `json:"address"`     // 住所
	Birth      time.Time `json:"-"`           // birth date (midnight JST)
	Sex        string    `json:"sex"`         // "1" male, "2" female (JIS X 0303)
}

// Persona is a ready-made card: its holder, PINs, dates, keys and
// certificates. Certificates and keys are nil where the card has none.
type Persona struct {
	Info
	CardType   string // "mynumber" or "juki"
	Holder     Holder
	Serial     string    // card serial: the token's serialNumber, EF 0006 bytes 80..95
	IssueDate  time.Time // card and certificate issue date
	CardExpiry time.Time // the card's own expiry date
	AuthExpiry time.Time // last valid day of the auth certificate (zero if none)
	SignExpiry time.Time // last valid day of the sign certificate (zero if none)

	AuthRetries, SignRetries, BasicRetries int

	AuthCert, SignCert *x509.Certificate
	AuthCA, SignCA     *x509.Certificate
	AuthKey, SignKey   *rsa.PrivateKey

	noSignEFs bool // the card has no signature EFs at all (under-15)
	noAuthEFs bool // the card has no user-authentication EFs (old 住基カード)
}

// spec is how a persona is made from the date it is made for.
type spec struct {
	info   Info
	index  int // key-pool slot and serial
	juki   bool
	child  bool
	noCert bool
	auth   int // auth retries left
	sign   int // sign retries left
	holder func(today time.Time) Holder
	issue  func(today time.Time) time.Time
}

var (
	hanako = func(time.Time) Holder {
		return Holder{Name: "デジタル 花子", NameRomaji: "DIGITAL HANAKO", Address: "茨城県守谷市中央二丁目16番地1",
			Birth: time.Date(1980, time.April, 12, 0, 0, 0, 0, jst), Sex: "2"}
	}
	twoYearsAgo = func(today time.Time) time.Time { return today.AddDate(-2, 0, 0) }
)

// specs lists the personas in a stable order.
var specs = []spec{
	{info: Info{Name: PersonaAdult, Description: "adult (born 1980), both certificates valid for years"},
		index: 0, auth: MaxAuthTries, sign: MaxSignTries, holder: hanako, issue: twoYearsAgo},
	{info: Info{Name: PersonaRenewable, Description: "adult whose certificates expire in about 2 months (renewal window open)"},
		index: 1, auth: MaxAuthTries, sign: MaxSignTries,
		holder: func(today time.Time) Holder {
			bd := noLeapDay(today.AddDate(0, 2, 0))
			return Holder{Name: "更新 太郎", NameRomaji: "KOSHIN TARO", Address: "茨城県守谷市松ケ丘三丁目5番地2",
				Birth: time.Date(1975, bd.Month(), bd.Day(), 0, 0, 0, 0, jst), Sex: "1"}
		},
		// 5th birthday after this date is the coming one, in 2 months
		issue: func(today time.Time) time.Time { return today.AddDate(-5, 3, 0) }},
	{info: Info{Name: PersonaExpired, Description: "adult whose certificates expired about 2 months ago (card still valid)"},
		index: 2, auth: MaxAuthTries, sign: MaxSignTries,
		holder: func(today time.Time) Holder {
			bd := noLeapDay(today.AddDate(0, -2, 0))
			return Holder{Name: "期限 切子", NameRomaji: "KIGEN KIRIKO", Address: "茨城県守谷市本町4321番地",
				Birth: time.Date(1970, bd.Month(), bd.Day(), 0, 0, 0, 0, jst), Sex: "2"}
		},
		issue: func(today time.Time) time.Time { return today.AddDate(-5, -1, 0) }},
	{info: Info{Name: PersonaChild, Description: "14-year-old: user-authentication certificate only, no signature EFs"},
		index: 3, child: true, auth: MaxAuthTries,
		holder: func(today time.Time) Holder {
			return Holder{Name: "デジタル 次郎", NameRomaji: "DIGITAL JIRO", Address: "茨城県守谷市中央二丁目16番地1",
				Birth: noLeapDay(today.AddDate(-14, -3, 0)), Sex: "1"}
		},
		issue: func(today time.Time) time.Time { return today.AddDate(-1, 0, 0) }},
	{info: Info{Name: PersonaAuthLocked, Description: "adult whose user-authentication PIN is locked (0 tries left)"},
		index: 4, auth: 0, sign: MaxSignTries, holder: hanako, issue: twoYearsAgo},
	{info: Info{Name: PersonaSignOneTryLeft, Description: "adult with 1 signature-PIN try left"},
		index: 5, auth: MaxAuthTries, sign: 1, holder: hanako, issue: twoYearsAgo},
	{info: Info{Name: PersonaSignLocked, Description: "adult whose signature PIN is locked (0 tries left)"},
		index: 6, auth: MaxAuthTries, sign: 0, holder: hanako, issue: twoYearsAgo},
	{info: Info{Name: PersonaJuki, Description: "old 住基カード (token JPKIAPICCTOKEN): expired 3-year signature certificate, no user-authentication EFs"},
		index: 7, juki: true, sign: MaxSignTries,
		holder: func(time.Time) Holder {
			return Holder{Name: "住基 一郎", NameRomaji: "JUKI ICHIRO", Address: "岐阜県各務原市那加桜町一丁目69番地",
				Birth: time.Date(1950, time.September, 20, 0, 0, 0, 0, jst), Sex: "1"}
		},
		issue: func(today time.Time) time.Time { return today.AddDate(-9, 0, 0) }},
	{info: Info{Name: PersonaNoCerts, Description: "My Number card without certificates (empty certificate EFs, no keys, PINs set): for new issuance"},
		index: 8, noCert: true, auth: MaxAuthTries, sign: MaxSignTries,
		holder: func(time.Time) Holder {
			return Holder{Name: "新規 発行子", NameRomaji: "SHINKI HAKKOKO", Address: "茨城県守谷市けやき台一丁目7番地",
				Birth: time.Date(1990, time.July, 7, 0, 0, 0, 0, jst), Sex: "2"}
		},
		issue: func(today time.Time) time.Time { return today.AddDate(-1, 0, 0) }},
}

// List returns every persona's name, description and PINs, in a stable order
// with the default ("adult") first.
func List() []Info {
	out := make([]Info, len(specs))
	for i, s := range specs {
		out[i] = s.info
		if !s.juki {
			out[i].BasicPIN = defaultBasicPIN
		}
		if !s.juki {
			out[i].AuthPIN = defaultAuthPIN
		}
		if !s.child {
			out[i].SignPIN = defaultSignPIN
		}
	}
	return out
}

// NewPersona builds the named persona with dates relative to now (its date
// in Japan): keys come from a fixed pool, certificates from a test CA, so the
// same name and date give the same card.
func NewPersona(name string, now time.Time) (*Persona, error) {
	var s *spec
	for i := range specs {
		if specs[i].info.Name == name {
			s = &specs[i]
		}
	}
	if s == nil {
		return nil, fmt.Errorf("unknown persona %q", name)
	}
	today := dateOf(now)
	var info Info
	for _, in := range List() {
		if in.Name == name {
			info = in
		}
	}
	p := &Persona{
		Info:         info,
		CardType:     "mynumber",
		Holder:       s.holder(today),
		IssueDate:    s.issue(today),
		AuthRetries:  s.auth,
		SignRetries:  s.sign,
		BasicRetries: MaxBasicTries,
		noSignEFs:    s.child,
		noAuthEFs:    s.juki,
	}
	p.Serial = fmt.Sprintf("VC%014d", 31000000+s.index*1117)
	p.CardExpiry = cardExpiry(p.Holder.Birth, p.IssueDate)
	if s.juki {
		p.CardType = "juki"
		p.BasicRetries = 0
		p.CardExpiry = p.IssueDate.AddDate(10, 0, 0) // 住基カード: 10 years from issue
	}
	var err error
	b := &builder{p: p, index: s.index}
	if !s.juki {
		if p.AuthCA, err = b.ca(0, "JPKI for user authentication"); err != nil {
			return nil, err
		}
	}
	if p.SignCA, err = b.ca(1, "JPKI for digital signature"); err != nil {
		return nil, err
	}
	if s.noCert {
		return p, nil
	}
	if !s.juki {
		p.AuthExpiry = certExpiry(p.Holder.Birth, p.IssueDate, p.CardExpiry)
		if p.AuthKey, p.AuthCert, err = b.endEntity(false, p.AuthExpiry); err != nil {
			return nil, err
		}
	}
	if !s.child {
		p.SignExpiry = certExpiry(p.Holder.Birth, p.IssueDate, p.CardExpiry)
		if s.juki { // certificates on 住基カード were valid for 3 years
			p.SignExpiry = p.IssueDate.AddDate(3, 0, 0)
		}
		if p.SignKey, p.SignCert, err = b.endEntity(true, p.SignExpiry); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Policy identifiers of JPKI certificates.
var (
	oidPolicySign = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 1, 1, 10}
	oidPolicyAuth = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 1, 3, 30}
	oidSAN        = asn1.ObjectIdentifier{2, 5, 29, 17}
)

// OIDs of the subjectAltName otherName values in the signature certificate.
var (
	OIDHolderName    = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 1}
	OIDHolderSex     = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 3}
	OIDHolderBirth   = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 4}
	OIDHolderAddress = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 5}
)

// builder issues a persona's certificates.
type builder struct {
	p       *Persona
	index   int
	caKeys  [2]*rsa.PrivateKey
	caCerts [2]*x509.Certificate
}

// Attribute types of distinguished names.
var (
	oidCountry  = asn1.ObjectIdentifier{2, 5, 4, 6}
	oidLocality = asn1.ObjectIdentifier{2, 5, 4, 7}
	oidOrg      = asn1.ObjectIdentifier{2, 5, 4, 10}
	oidOrgUnit  = asn1.ObjectIdentifier{2, 5, 4, 11}
	oidCN       = asn1.ObjectIdentifier{2, 5, 4, 3}
)

// dn encodes a distinguished name with one attribute per RDN, in the order
// given (pkix.Name would merge repeated OU or L into one multi-valued RDN).
func dn(attrs ...pkix.AttributeTypeAndValue) []byte {
	seq := make(pkix.RDNSequence, len(attrs))
	for i, a := range attrs {
		seq[i] = pkix.RelativeDistinguishedNameSET{a}
	}
	b, err := asn1.Marshal(seq)
	if err != nil {
		panic(err) // strings and OIDs always marshal
	}
	return b
}

func attr(oid asn1.ObjectIdentifier, v string) pkix.AttributeTypeAndValue {
	return pkix.AttributeTypeAndValue{Type: oid, Value: v}
}

// issuerName is the distinguished name of a JPKI CA.
func issuerName(ou string) []byte {
	return dn(attr(oidCountry, "JP"), attr(oidOrg, "JPKI"), attr(oidOrgUnit, ou),
		attr(oidOrgUnit, "Japan Agency for Local Authority Information Systems"))
}

// serialFor derives a positive certificate serial from a label.
func (b *builder) serialFor(label string) *big.Int {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d/%s", label, b.index, b.p.IssueDate.Format(time.DateOnly))))
	return new(big.Int).SetBytes(h[:8])
}

// ca makes the self-signed CA certificate of slot 0 (auth) or 1 (sign).
func (b *builder) ca(slot int, ou string) (*x509.Certificate, error) {
	key, err := poolKey(slot)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          b.serialFor("ca" + ou),
		RawSubject:            issuerName(ou),
		NotBefore:             b.p.IssueDate.AddDate(-2, 0, 0),
		NotAfter:              b.p.IssueDate.AddDate(12, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	cert, err := sign(tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	b.caKeys[slot], b.caCerts[slot] = key, cert
	return cert, nil
}

// endEntity makes the holder's key and certificate (sign: signature
// certificate, else user-authentication certificate) valid to the end of
// the expiry date.
func (b *builder) endEntity(signCert bool, expiry time.Time) (*rsa.PrivateKey, *x509.Certificate, error) {
	slot, kind := 0, "auth"
	if signCert {
		slot, kind = 1, "sign"
	}
	key, err := poolKey(2 + 2*b.index + slot)
	if err != nil {
		return nil, nil, err
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", kind, b.index)))
	tmpl := &x509.Certificate{
		SerialNumber: b.serialFor(kind),
		NotBefore:    b.p.IssueDate.Add(9 * time.Hour),
		NotAfter:     expiry.Add(24*time.Hour - time.Second),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		RawSubject:   dn(attr(oidCountry, "JP"), attr(oidCN, strings.ToUpper(hex.EncodeToString(h[:8])))),
		Policies:     []x509.OID{mustOID(oidPolicyAuth)},
	}
	if signCert {
		h := b.p.Holder
		tmpl.KeyUsage |= x509.KeyUsageContentCommitment
		tmpl.Policies = []x509.OID{mustOID(oidPolicySign)}
		subject := []pkix.AttributeTypeAndValue{attr(oidCountry, "JP")}
		for _, l := range localities(h.Address) {
			subject = append(subject, attr(oidLocality, l))
		}
		tmpl.RawSubject = dn(append(subject, attr(oidCN, h.NameRomaji))...)
		san, err := holderSAN(h)
		if err != nil {
			return nil, nil, err
		}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: oidSAN, Value: san}}
	}
	cert, err := sign(tmpl, b.caCerts[slot], &key.PublicKey, b.caKeys[slot])
	return key, cert, err
}

// localities romanizes the prefecture and city of the fictional addresses.
func localities(address string) []string {
	switch {
	case strings.HasPrefix(address, "茨城県守谷市"):
		return []string{"Ibaraki-ken", "Moriya-shi"}
	case strings.HasPrefix(address, "岐阜県各務原市"):
		return []string{"Gifu-ken", "Kakamigahara-shi"}
	}
	return nil
}

func mustOID(o asn1.ObjectIdentifier) x509.OID {
	ints := make([]uint64, len(o))
	for i, v := range o {
		ints[i] = uint64(v)
	}
	oid, err := x509.OIDFromInts(ints)
	if err != nil {
		panic(err)
	}
	return oid
}

// BirthValue encodes a birth date as in the signature certificate:
// era digit, then the Gregorian date YYYYMMDD.
func BirthValue(birth time.Time) string {
	return string(eraDigit(birth)) + birth.Format("20060102")
}

// holderSAN encodes subjectAltName with the holder's otherName values, each
// an UTF8String in [0] EXPLICIT.
func holderSAN(h Holder) ([]byte, error) {
	var names []byte
	for _, v := range []struct {
		oid asn1.ObjectIdentifier
		val string
	}{
		{OIDHolderName, h.Name},
		{OIDHolderSex, h.Sex},
		{OIDHolderBirth, BirthValue(h.Birth)},
		{OIDHolderAddress, h.Address},
	} {
		oid, err := asn1.Marshal(v.oid)
		if err != nil {
			return nil, err
		}
		str, err := asn1.MarshalWithParams(v.val, "utf8")
		if err != nil {
			return nil, err
		}
		val, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: str})
		if err != nil {
			return nil, err
		}
		gn, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
			Bytes: append(oid, val...)})
		if err != nil {
			return nil, err
		}
		names = append(names, gn...)
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: names})
}

// sign issues a certificate; PKCS#1 v1.5 signing needs no randomness, so
// the result is deterministic.
func sign(tmpl, parent *x509.Certificate, pub *rsa.PublicKey, priv *rsa.PrivateKey) (*x509.Certificate, error) {
	tmpl.SignatureAlgorithm = x509.SHA256WithRSA
	der, err := x509.CreateCertificate(nil, tmpl, parent, pub, priv)
	if err != nil {
		return nil, fmt.Errorf("issuing test certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}

// NewCard builds the persona's card. Each call gives an independent card
// with fresh counters.
func (p *Persona) NewCard(opts Options) *Card {
	authPIN := &pinState{value: []byte(defaultAuthPIN), left: p.AuthRetries, max: MaxAuthTries, format: authPINFormat}
	signPIN := &pinState{value: []byte(defaultSignPIN), left: p.SignRetries, max: MaxSignTries, format: signPINFormat}
	jpki := &application{
		aid:  bytes.Clone(AIDJPKI),
		efs:  map[uint16]*efState{EFToken: {data: p.token()}},
		pins: map[uint16]*pinState{},
		keys: map[uint16]*keyState{},
	}
	if !p.noAuthEFs {
		jpki.efs[EFAuthCert] = &efState{data: der(p.AuthCert), writable: true, key: EFAuthKey}
		jpki.efs[EFAuthCA] = &efState{data: der(p.AuthCA), writable: true}
		jpki.pins[EFAuthPIN] = authPIN
		jpki.keys[EFAuthKey] = &keyState{key: p.AuthKey, pin: EFAuthPIN, cert: EFAuthCert}
	}
	jpki.efs[EFSignCA] = &efState{data: der(p.SignCA), writable: true}
	if !p.noSignEFs {
		jpki.efs[EFSignCert] = &efState{data: der(p.SignCert), readPIN: EFSignPIN, writable: true, key: EFSignKey}
		jpki.pins[EFSignPIN] = signPIN
		jpki.keys[EFSignKey] = &keyState{key: p.SignKey, pin: EFSignPIN, cert: EFSignCert, waitsPINs: true}
	}
	if p.CardType != "juki" { // an old 住基カード has no EF 0008 (6A 82)
		jpki.efs[EFAvail] = &efState{data: p.availability()}
	}
	if p.CardType == "juki" { // 住基カード: no basic-information application
		return newCard(jpki, nil, []byte(p.Serial), opts)
	}
	basic := &application{
		aid: bytes.Clone(AIDBasicInfo),
		efs: map[uint16]*efState{
			EFBasicNumber: {data: []byte(fictionalIndividualNum), readPIN: EFBasicPIN},
			EFBasicInfo:   {data: p.basicInfo(), readPIN: EFBasicPIN},
		},
		pins: map[uint16]*pinState{EFBasicPIN: {value: []byte(defaultBasicPIN), left: p.BasicRetries, max: MaxBasicTries, format: authPINFormat}},
		keys: map[uint16]*keyState{},
	}
	return newCard(jpki, basic, []byte(p.Serial), opts)
}

func der(c *x509.Certificate) []byte {
	if c == nil {
		return nil
	}
	return bytes.Clone(c.Raw)
}

// token is the content of EF 0006, laid out as the PKCS #11 CK_TOKEN_INFO
// of a real card: label 0..31, manufacturerID 32..63 (the same on every
// card), model 64..79, serialNumber 80..95 (this card's), flags 96..99, then
// PIN lengths; zeros after.
func (p *Persona) token() []byte {
	t := make([]byte, TokenSize)
	label := TokenMyNumber
	if p.CardType == "juki" {
		label = TokenJuki
	}
	copy(t, fmt.Sprintf("%-32s", label))
	copy(t[32:64], fmt.Sprintf("%-32s", TokenManufacturer))
	copy(t[64:80], fmt.Sprintf("%-16s", TokenModel))
	copy(t[SerialOffset:SerialOffset+SerialSize], p.Serial)
	binary.BigEndian.PutUint32(t[96:100], tokenFlags)
	// ulMaxSessionCount .. ulRwSessionCount (4 × 4 bytes), then min/max PIN length.
	binary.BigEndian.PutUint32(t[116:120], 6)
	binary.BigEndian.PutUint32(t[120:124], 16)
	return t
}

// availability is EF 0008: 8F 8F 00 with both certificates, 00 8F 00
// without the signature certificate (an under-15's card). An old 住基カード
// has no such file (6A 82).
func (p *Persona) availability() []byte {
	if p.noSignEFs || p.SignCert == nil {
		return []byte{0x00, 0x8F, 0x00}
	}
	return []byte{0x8F, 0x8F, 0x00}
}

// basicInfo is EF 0002 of the basic-information application:
// FF20 { DF21 header, DF22 name, DF23 address, DF24 birth YYYYMMDD, DF25 sex }.
func (p *Persona) basicInfo() []byte {
	var body []byte
	body = appendTLV(body, []byte{0xDF, 0x21}, []byte{0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00})
	body = appendTLV(body, []byte{0xDF, 0x22}, []byte(p.Holder.Name))
	body = appendTLV(body, []byte{0xDF, 0x23}, []byte(p.Holder.Address))
	body = appendTLV(body, []byte{0xDF, 0x24}, []byte(p.Holder.Birth.Format("20060102")))
	body = appendTLV(body, []byte{0xDF, 0x25}, []byte(p.Holder.Sex))
	return appendTLV(nil, []byte{0xFF, 0x20}, body)
}

// authPINFormat: exactly 4 digits (also the basic-information PIN).
func authPINFormat(pin []byte) bool {
	if len(pin) != 4 {
		return false
	}
	for _, b := range pin {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
}

// signPINFormat: 6 to 16 of A–Z and 0–9 (the card checks the alphabet and
// length; the product also requires a letter and a digit).
func signPINFormat(pin []byte) bool {
	if len(pin) < 6 || len(pin) > 16 {
		return false
	}
	for _, b := range pin {
		if (b < '0' || b > '9') && (b < 'A' || b > 'Z') {
			return false
		}
	}
	return true
}
