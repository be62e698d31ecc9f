package card

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha1"
	_ "crypto/sha256"
	_ "crypto/sha512"
	"encoding/asn1"
	"errors"
	"math/big"
	"sync"
	"testing"
)

// tlvBytes encodes one BER-TLV with a one- or two-byte tag.
func tlvBytes(tag uint32, value []byte) []byte {
	var b []byte
	if tag > 0xFF {
		b = append(b, byte(tag>>8))
	}
	b = append(b, byte(tag))
	switch n := len(value); {
	case n < 0x80:
		b = append(b, byte(n))
	case n < 0x100:
		b = append(b, 0x81, byte(n))
	default:
		b = append(b, 0x82, byte(n>>8), byte(n))
	}
	return append(b, value...)
}

func basicInfoFixture() []byte {
	var body []byte
	body = append(body, tlvBytes(0xDF21, make([]byte, 8))...)
	body = append(body, tlvBytes(0xDF22, []byte("デジタル 花子"))...)
	body = append(body, tlvBytes(0xDF23, []byte("茨城県守谷市中央二丁目16番地1"))...)
	body = append(body, tlvBytes(0xDF24, []byte("19800412"))...)
	body = append(body, tlvBytes(0xDF25, []byte("2"))...)
	return append(tlvBytes(0xFF20, body), 0xFF, 0xFF) // file padding after the template
}

func TestParseBasicInfo(t *testing.T) {
	info, err := ParseBasicInfo(basicInfoFixture())
	if err != nil {
		t.Fatal(err)
	}
	want := BasicInfo{Name: "デジタル 花子", Address: "茨城県守谷市中央二丁目16番地1", BirthDate: "19800412", Sex: "2"}
	if *info != want {
		t.Errorf("ParseBasicInfo = %+v, want %+v", *info, want)
	}
	bad := map[string][]byte{
		"wrong tag":     tlvBytes(0xFF21, nil),
		"truncated":     basicInfoFixture()[:20],
		"no name":       tlvBytes(0xFF20, append(tlvBytes(0xDF23, []byte("x")), append(tlvBytes(0xDF24, []byte("19800412")), tlvBytes(0xDF25, []byte("1"))...)...)),
		"bad date":      tlvBytes(0xFF20, bytes.ReplaceAll(basicInfoFixture()[4:len(basicInfoFixture())-2], []byte("19800412"), []byte("1980041X"))),
		"not utf-8":     tlvBytes(0xFF20, bytes.ReplaceAll(basicInfoFixture()[4:len(basicInfoFixture())-2], []byte("2"), []byte{0xFF})),
		"empty":         nil,
		"tag long form": {0xFF, 0xA0, 0x80, 0x01},
	}
	for name, b := range bad {
		if _, err := ParseBasicInfo(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: ParseBasicInfo = %v, want ErrMalformed", name, err)
		}
	}
}

// otherName builds a GeneralName otherName with a string value.
func otherName(oid asn1.ObjectIdentifier, str []byte) []byte {
	o, _ := asn1.Marshal(oid)
	v, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: str})
	gn, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: append(o, v...)})
	return gn
}

func utf8String(s string) []byte {
	b, _ := asn1.MarshalWithParams(s, "utf8")
	return b
}

func sanFixture(birth string) []byte {
	var names []byte
	dns, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte("example.jp")})
	names = append(names, dns...)
	names = append(names, otherName(oidJPKIName, utf8String("デジタル 花子"))...)
	names = append(names, otherName(asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 2}, utf8String("ignored"))...)
	names = append(names, otherName(oidJPKISex, utf8String("2"))...)
	names = append(names, otherName(oidJPKIBirthDate, utf8String(birth))...)
	// The address as a BMPString (UTF-16BE) to exercise that decoder.
	bmp := []byte{0x1E, 0x06, 0x83, 0x28, 0x57, 0xCE, 0x5E, 0x02} // 茨城市
	names = append(names, otherName(oidJPKIAddress, bmp)...)
	seq, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: names})
	return seq
}

func TestParseSubjectAltName(t *testing.T) {
	s, err := ParseSubjectAltName(sanFixture("319800412"))
	if err != nil {
		t.Fatal(err)
	}
	want := SignatureSubject{Name: "デジタル 花子", Sex: "2", Era: EraShowa, BirthDate: "19800412", Address: "茨城市"}
	if *s != want {
		t.Errorf("ParseSubjectAltName = %+v, want %+v", *s, want)
	}
	for _, bad := range []string{"19800412", "619800412", "3198004", "3ABCDEFGH"} {
		if _, err := ParseSubjectAltName(sanFixture(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("birth %q: %v, want ErrMalformed", bad, err)
		}
	}
	if _, err := ParseSubjectAltName([]byte{0x30, 0x00}); !errors.Is(err, ErrMalformed) {
		t.Errorf("empty GeneralNames: %v, want ErrMalformed", err)
	}
}

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

// rsaKey is one RSA-2048 key shared by the tests.
func rsaKey(t testing.TB) *rsa.PrivateKey {
	testKeyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return testKey
}

func publicKeyTemplate(pub *rsa.PublicKey) []byte {
	body := append(tlvBytes(0x81, pub.N.Bytes()), tlvBytes(0x82, big.NewInt(int64(pub.E)).Bytes())...)
	return tlvBytes(0x7F49, body)
}

func TestParsePublicKey(t *testing.T) {
	key := rsaKey(t)
	pub, err := ParsePublicKey(publicKeyTemplate(&key.PublicKey))
	if err != nil || !pub.Equal(&key.PublicKey) {
		t.Fatalf("ParsePublicKey = %v, %v", pub, err)
	}
	small := &rsa.PublicKey{N: big.NewInt(0xFFFF_FFF1), E: 65537}
	even := &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 2047), E: 65537}
	badE := &rsa.PublicKey{N: key.N, E: 2}
	for _, p := range []*rsa.PublicKey{small, even, badE} {
		if _, err := ParsePublicKey(publicKeyTemplate(p)); !errors.Is(err, ErrMalformed) {
			t.Errorf("ParsePublicKey(%d bits, e=%d) = %v, want ErrMalformed", p.N.BitLen(), p.E, err)
		}
	}
	if _, err := ParsePublicKey(tlvBytes(0x7F48, nil)); !errors.Is(err, ErrMalformed) {
		t.Errorf("wrong tag: %v", err)
	}
}

// DigestInfo matches what crypto/rsa signs for each supported hash.
func TestDigestInfo(t *testing.T) {
	key := rsaKey(t)
	for _, hash := range []crypto.Hash{crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
		hh := hash.New()
		hh.Write([]byte("kiosk"))
		digest := hh.Sum(nil)
		di, err := DigestInfo(hash, digest)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := rsa.SignPKCS1v15(nil, key, crypto.Hash(0), di)
		if err != nil {
			t.Fatal(err)
		}
		if err := rsa.VerifyPKCS1v15(&key.PublicKey, hash, digest, sig); err != nil {
			t.Errorf("%v: DigestInfo differs from crypto/rsa's: %v", hash, err)
		}
	}
	if di, _ := DigestInfo(crypto.SHA256, make([]byte, 32)); !bytes.HasPrefix(di, h("30 31 30 0D 06 09 60 86 48 01 65 03 04 02 01 05 00 04 20")) {
		t.Errorf("SHA-256 DigestInfo prefix: % X", di)
	}
	if _, err := DigestInfo(crypto.MD5, make([]byte, 16)); !errors.Is(err, ErrNotSupported) {
		t.Errorf("MD5: %v, want ErrNotSupported", err)
	}
	if _, err := DigestInfo(crypto.SHA256, make([]byte, 20)); !errors.Is(err, ErrWrongLength) {
		t.Errorf("short digest: %v, want ErrWrongLength", err)
	}
}

func TestReadTLV(t *testing.T) {
	tests := []struct {
		in   string
		tag  uint32
		n    int
		rest int
	}{
		{"81 02 AA BB CC", 0x81, 2, 1},
		{"DF 21 01 00", 0xDF21, 1, 0},
		{"7F 49 81 01 AA", 0x7F49, 1, 0},
		{"FF 20 82 00 01 AA", 0xFF20, 1, 0},
		{"1F 81 01 01 AA", 0x1F8101, 1, 0},
	}
	for _, tt := range tests {
		tag, v, rest, err := readTLV(h(tt.in))
		if err != nil || tag != tt.tag || len(v) != tt.n || len(rest) != tt.rest {
			t.Errorf("readTLV(%s) = %x, %d, %d, %v", tt.in, tag, len(v), len(rest), err)
		}
	}
	for _, bad := range []string{"", "81", "81 03 AA", "1F", "1F 81 81 81 01 00", "81 83 00 00 01", "81 82 01"} {
		if _, _, _, err := readTLV(h(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("readTLV(%s) = %v, want ErrMalformed", bad, err)
		}
	}
}
