package card

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// h decodes a hex fixture; spaces are ignored.
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(fmt.Sprintf("bad hex fixture %q: %v", s, err))
	}
	return b
}

// step is one expected command and the card's answer.
type step struct {
	cmd  string // expected command APDU, hex
	resp string // response APDU, hex
	err  error  // transport error instead of a response
}

// script is a fake card that expects exactly the given commands in order.
type script struct {
	t          *testing.T
	steps      []step
	i          int
	reconnects int
}

func newScript(t *testing.T, steps ...step) *script {
	t.Helper()
	s := &script{t: t, steps: steps}
	t.Cleanup(func() {
		if s.i != len(s.steps) {
			t.Errorf("script: %d of %d commands sent; next expected %s", s.i, len(s.steps), s.steps[s.i].cmd)
		}
	})
	return s
}

func (s *script) Transmit(apdu []byte) ([]byte, error) {
	s.t.Helper()
	if s.i >= len(s.steps) {
		s.t.Fatalf("script: unexpected command % X after the end", apdu)
	}
	st := s.steps[s.i]
	s.i++
	if want := h(st.cmd); !bytes.Equal(apdu, want) {
		s.t.Fatalf("script step %d: command\n got % X\nwant % X", s.i, apdu, want)
	}
	if st.err != nil {
		return nil, st.err
	}
	return h(st.resp), nil
}

func (s *script) Reconnect() error {
	s.reconnects++
	return nil
}

// Fixtures: commands of DESIGN.md section 4.
const (
	selJPKI    = "00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01"
	selBasic   = "00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08"
	selToken   = "00 A4 02 0C 02 00 06"
	selAuthCrt = "00 A4 02 0C 02 00 0A"
	selSignCrt = "00 A4 02 0C 02 00 01"
	selAuthPIN = "00 A4 02 0C 02 00 18"
	selSignPIN = "00 A4 02 0C 02 00 1B"
	selAuthKey = "00 A4 02 0C 02 00 17"
	selSignKey = "00 A4 02 0C 02 00 1A"
	selBasicPN = "00 A4 02 0C 02 00 11"
	selBasic4  = "00 A4 02 0C 02 00 02"
	selAvail   = "00 A4 02 0C 02 00 08"
	readAvail  = "00 B0 00 00 03"
	verifyNone = "00 20 00 80"
	ok         = "90 00"
)

// tokenResp is a token file with the given label, and 90 00.
func tokenResp(label string) string { return tokenRespSerial(label, "SERIAL0123456789") }

// tokenRespSerial is a token file laid out as a real card's CK_TOKEN_INFO:
// the manufacturerID every card shares, the model, the given serialNumber
// and flags; and 90 00.
func tokenRespSerial(label, serial string) string {
	t := make([]byte, 160)
	copy(t, fmt.Sprintf("%-32s", label))
	copy(t[32:], fmt.Sprintf("%-32s", "0000000000000001"))
	copy(t[64:], fmt.Sprintf("%-16s", "E16R01NJ"))
	copy(t[80:], serial)
	copy(t[96:], []byte{0x00, 0x00, 0x04, 0x0D})
	return hex.EncodeToString(t) + "9000"
}

// availBoth is EF 0008 of a card with both certificates: select and read.
var availBoth = []step{{cmd: selAvail, resp: ok}, {cmd: readAvail, resp: "8F8F00 9000"}}
