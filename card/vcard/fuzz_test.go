package vcard

import (
	"bytes"
	"crypto/rsa"
	"testing"
)

// FuzzTransmit: no APDU sequence makes the card panic, and every answer
// ends in a status word.
func FuzzTransmit(f *testing.F) {
	for _, s := range []string{selJPKI, selBasic, selEF(EFAuthCert), "00 B0 00 00 04", "00 20 00 80", "00 20 00 80 04 31 32 33 34",
		"80 2A 00 80 03 01 02 03 00", "00 84 00 00 08", "00 46 00 00 02 00 17 00", "00 C0 00 00 00", "00 D6 00 00 01 30",
		"00 2C 02 80 04 31 32 33 34", "00 24 01 80 04 31 32 33 34", "00 A4 00 0C 02 3F 00"} {
		f.Add(seq(selJPKI, s))
	}
	f.Add(seq(selJPKI, selEF(EFAuthPIN), "00 20 00 80 04 31 32 33 34", selEF(EFAuthKey), "80 2A 00 80 03 01 02 03 00"))
	f.Add(seq("00 46 00 00 02 00 17 00", "00 C0 00 00 00", "00 C0 00 00 0E", selEF(EFAuthCert), "00 D6 00 00 02 30 82"))
	f.Add(seq(selEF(EFSignPIN), "00 2C 02 80 06 41 42 43 31 32 33", "00 20 00 80 06 41 42 43 31 32 33", selEF(EFSignCert), "00 B0 00 00 00"))
	p := mustPersona(f, PersonaAdult)
	key, err := poolKey(20)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := p.NewCard(Options{KeyGen: func() (*rsa.PrivateKey, error) { return key, nil }})
		// Start issuer-authenticated in the JPKI AP, so that the fuzzer
		// reaches the write commands without forging an ECDSA signature.
		c.cur, c.issuerAuth = c.jpki, true
		// The input is a sequence of APDUs, each prefixed by its length byte.
		for len(data) > 0 {
			n := min(int(data[0]), len(data)-1)
			apdu := data[1 : 1+n]
			data = data[1+n:]
			r, err := c.Transmit(apdu)
			if err != nil {
				t.Fatalf("transmit % X: %v", apdu, err)
			}
			if len(r) < 2 || len(r) > 258 {
				t.Fatalf("answer of %d bytes to % X", len(r), apdu)
			}
		}
	})
}

// seq encodes APDUs (hex) as FuzzTransmit input: each with a length byte.
func seq(apdus ...string) []byte {
	var out []byte
	for _, a := range apdus {
		b := h(a)
		out = append(append(out, byte(len(b))), b...)
	}
	return out
}

// FuzzVPCDFrame: any byte stream from the driver is framed and answered
// without a panic.
func FuzzVPCDFrame(f *testing.F) {
	f.Add([]byte{0, 1, 4})
	f.Add(append([]byte{0, 15}, h(selJPKI)...))
	f.Add([]byte{0, 0, 0, 1, 2})
	p := mustPersona(f, PersonaAdult)
	f.Fuzz(func(t *testing.T, stream []byte) {
		c := p.NewCard(Options{})
		r := bytes.NewReader(stream)
		for {
			msg, err := readFrame(r)
			if err != nil {
				return
			}
			reply, ok, err := handleMessage(c, msg)
			if err != nil {
				return
			}
			if ok {
				var out bytes.Buffer
				if err := writeFrame(&out, reply); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}
