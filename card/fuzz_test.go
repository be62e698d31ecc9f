package card

import (
	"bytes"
	"errors"
	"testing"
)

// Fuzz tests for every parser of card data. Run one with
// go test ./card/ -run '^$' -fuzz FuzzParseBasicInfo -fuzztime 30s.

func FuzzStatusWord(f *testing.F) {
	for _, sw := range []uint16{0x9000, 0x6A82, 0x63C3, 0x63C0, 0x6984, 0x6100, 0x6C10, 0x6F00} {
		f.Add(sw)
	}
	f.Fuzz(func(t *testing.T, sw uint16) {
		err := statusErr(sw)
		if (err == nil) != (sw == swOK) {
			t.Fatalf("statusErr(%04X) = %v", sw, err)
		}
		if err == nil {
			return
		}
		_ = err.Error()
		var pe *PINError
		if errors.As(err, &pe) != (sw&0xFFF0 == 0x63C0) {
			t.Fatalf("%04X: PINError %v", sw, pe)
		}
		if pe != nil && pe.Retries != int(sw&0x0F) {
			t.Fatalf("%04X: retries %d", sw, pe.Retries)
		}
	})
}

// replay answers with responses cut from fuzz data: each is a length byte
// followed by that many bytes.
type replay struct{ data []byte }

func (r *replay) Transmit([]byte) ([]byte, error) {
	if len(r.data) == 0 {
		return nil, ErrCardRemoved
	}
	n := min(int(r.data[0]), len(r.data)-1)
	resp := r.data[1 : 1+n]
	r.data = r.data[1+n:]
	return resp, nil
}

// FuzzTransmit feeds arbitrary responses through the 61xx/6Cxx chores and
// every operation that parses them: nothing panics or loops.
func FuzzTransmit(f *testing.F) {
	f.Add([]byte{2, 0x61, 0x05, 7, 1, 2, 3, 4, 5, 0x90, 0x00})
	f.Add([]byte{2, 0x6C, 0x10, 2, 0x90, 0x00})
	f.Add([]byte{2, 0x90, 0x00, 2, 0x90, 0x00, 2, 0x63, 0xC3})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := New(&replay{data: data})
		_, _ = c.Status()
		_, _ = c.ReadCertificate(CertAuthCA)
		_, _ = c.ReadBasicInfo([]byte("1234"), ConfirmLastTry())
		_, _ = c.GenerateKeyPair(KeyAuth)
		_, _ = c.GetChallenge()
	})
}

func FuzzReadTLV(f *testing.F) {
	f.Add(basicInfoFixture())
	f.Add([]byte{0x7F, 0x49, 0x82, 0x01, 0x09})
	f.Fuzz(func(t *testing.T, b []byte) {
		tag, v, rest, err := readTLV(b)
		if err != nil {
			return
		}
		_, hdr, n, herr := tlvHeader(b)
		if herr != nil || n != len(v) || hdr+n+len(rest) != len(b) || tag == 0 && len(b) > 0 && b[0] != 0 {
			t.Fatalf("readTLV and tlvHeader disagree on % X", b)
		}
	})
}

func FuzzParseToken(f *testing.F) {
	f.Add(h(tokenResp("JPKIAPICCTOKEN2"))[:160])
	f.Add(h(tokenResp("JPKIAPICCTOKEN"))[:160])
	f.Fuzz(func(t *testing.T, b []byte) {
		tok, err := ParseToken(b)
		if err != nil {
			return
		}
		if len(tok.Serial) != 16 || len(tok.Label) > 32 {
			t.Fatalf("token %+v", tok)
		}
		_ = tok.Type()
	})
}

func FuzzCertLength(f *testing.F) {
	f.Add([]byte{0x30, 0x82, 0x04, 0xD2})
	f.Add([]byte{0x30, 0x81, 0xF0})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := CertLength(b)
		if err == nil && (n < 2 || n > maxEF) {
			t.Fatalf("CertLength(% X) = %d", b, n)
		}
	})
}

func FuzzParseCertPrefix(f *testing.F) {
	der := testCert(f, 99)
	f.Add(der)
	f.Add(der[:255])
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseCertPrefix(b)
		if err == nil && info.Serial == nil {
			t.Fatal("no serial")
		}
	})
}

func FuzzParsePublicKey(f *testing.F) {
	f.Add(publicKeyTemplate(&rsaKey(f).PublicKey))
	f.Fuzz(func(t *testing.T, b []byte) {
		pub, err := ParsePublicKey(b)
		if err == nil && (pub.N.BitLen() < minModulusBits || pub.E < 3) {
			t.Fatalf("accepted weak key of %d bits, e=%d", pub.N.BitLen(), pub.E)
		}
	})
}

func FuzzParseBasicInfo(f *testing.F) {
	f.Add(basicInfoFixture())
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseBasicInfo(b)
		if err == nil && !isDate(info.BirthDate) {
			t.Fatalf("accepted birth date %q", info.BirthDate)
		}
	})
}

func FuzzParseSubjectAltName(f *testing.F) {
	f.Add(sanFixture("319800412"))
	f.Add(sanFixture("519800412"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSubjectAltName(b)
		if err == nil && s.BirthDate != "" && (s.Era < EraMeiji || s.Era > EraReiwa) {
			t.Fatalf("era %d", s.Era)
		}
	})
}

func FuzzParseAvailability(f *testing.F) {
	f.Add([]byte{0x8F, 0x8F, 0x00})
	f.Add([]byte{0x00, 0x8F, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		a := ParseAvailability(b)
		if (a == AvailBoth) != bytes.Equal(b, []byte{0x8F, 0x8F, 0x00}) || (a == AvailNoSign) != bytes.Equal(b, []byte{0x00, 0x8F, 0x00}) {
			t.Fatalf("% X: %v", b, a)
		}
	})
}

// FuzzRelayAllowList: whatever is relayed with the basic-info application
// selected and its PIN verified, nothing but SELECT of a whole AID, the PIN
// EF or EF 0002, VERIFY, READ BINARY of EF 0002 and GET RESPONSE reaches
// the card.
func FuzzRelayAllowList(f *testing.F) {
	for _, s := range []string{"00 B0 81 00 00", "00 A4 00 0C 02 00 01", "00 A4 04 0C 05 D3 92 10 00 31", "01 B0 00 00 04", "00 A4 02 0C 02 00 01", selBasic4} {
		f.Add(h(s))
	}
	f.Fuzz(func(t *testing.T, apdu []byte) {
		var sent []byte
		c := New(transmitFunc(func(b []byte) ([]byte, error) {
			sent = append([]byte(nil), b...)
			return []byte{0x90, 0x00}, nil
		}))
		if _, err := c.Relay(h(selBasic)); err != nil {
			t.Fatal(err)
		}
		sent = nil
		_, _ = c.Relay(apdu)
		if sent == nil {
			return
		}
		cmd, err := ParseCommand(sent)
		if err != nil {
			t.Fatalf("relayed a malformed command % X", sent)
		}
		switch {
		case cmd.CLA != 0:
			t.Fatalf("relayed class %02X", cmd.CLA)
		case cmd.INS == INSSelect && cmd.P1 == selectByDFName && (bytes.Equal(cmd.Data, AIDJPKI[:]) || bytes.Equal(cmd.Data, aidBasicInfo[:])):
		case cmd.INS == INSSelect && cmd.P1 == selectEFUnderDF && (bytes.Equal(cmd.Data, []byte{0, 0x11}) || bytes.Equal(cmd.Data, []byte{0, 0x02})):
		case cmd.INS == insGetResponse:
		default:
			t.Fatalf("relayed % X in basic-info with no EF selected", sent)
		}
	})
}

// transmitFunc is a Transmitter from a function.
type transmitFunc func([]byte) ([]byte, error)

func (f transmitFunc) Transmit(b []byte) ([]byte, error) { return f(b) }
