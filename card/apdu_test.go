package card

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ebfe/scard"
)

func TestCommandBytes(t *testing.T) {
	tests := []struct {
		name string
		cmd  Command
		want string
	}{
		{"case 1", Command{CLA: 0x00, INS: insVerify, P2: 0x80}, "00 20 00 80"},
		{"case 2", Command{INS: INSReadBinary, P1: 0x01, P2: 0x02, Le: 255}, "00 B0 01 02 FF"},
		{"case 2, Le 256 as 00", Command{INS: INSReadBinary, Le: 256}, "00 B0 00 00 00"},
		{"case 3", Command{INS: INSSelect, P1: 0x02, P2: 0x0C, Data: []byte{0x00, 0x06}}, "00 A4 02 0C 02 00 06"},
		{"case 4", Command{CLA: 0x80, INS: insComputeSig, P2: 0x80, Data: []byte{1, 2}, Le: 256}, "80 2A 00 80 02 01 02 00"},
	}
	for _, tt := range tests {
		got, err := tt.cmd.Bytes()
		if err != nil || !bytes.Equal(got, h(tt.want)) {
			t.Errorf("%s: Bytes() = % X, %v; want %s", tt.name, got, err, tt.want)
		}
	}
	for _, bad := range []Command{
		{Data: make([]byte, 256)},
		{Le: 257},
		{Le: -1},
	} {
		if _, err := bad.Bytes(); !errors.Is(err, ErrWrongLength) {
			t.Errorf("Bytes(data %d, le %d) = %v, want ErrWrongLength", len(bad.Data), bad.Le, err)
		}
	}
}

func TestTransmitGetResponse(t *testing.T) {
	s := newScript(t,
		step{cmd: "00 46 00 00 02 00 17 00", resp: "01 02 61 03"},
		step{cmd: "00 C0 00 00 03", resp: "03 04 05 61 00"},
		step{cmd: "00 C0 00 00 00", resp: "06 90 00"},
	)
	var rc bool
	data, err := transmit(s, Command{INS: INSGenerateKey, Data: []byte{0x00, 0x17}, Le: 256}, &rc)
	if err != nil || !bytes.Equal(data, []byte{1, 2, 3, 4, 5, 6}) {
		t.Fatalf("transmit = % X, %v", data, err)
	}
}

func TestTransmitWrongLe(t *testing.T) {
	s := newScript(t,
		step{cmd: "00 B0 00 00 FF", resp: "6C 10"},
		step{cmd: "00 B0 00 00 10", resp: "0102030405060708090A0B0C0D0E0F10 9000"},
	)
	var rc bool
	data, err := transmit(s, Command{INS: INSReadBinary, Le: 255}, &rc)
	if err != nil || len(data) != 16 {
		t.Fatalf("transmit = % X, %v", data, err)
	}
}

func TestTransmitStatusError(t *testing.T) {
	s := newScript(t, step{cmd: selAuthCrt, resp: "6A 82"})
	var rc bool
	_, err := transmit(s, Command{INS: INSSelect, P1: 2, P2: 0x0C, Data: []byte{0, 0x0A}}, &rc)
	var se *StatusError
	if !errors.As(err, &se) || se.SW != 0x6A82 || !errors.Is(err, ErrFileNotFound) {
		t.Fatalf("transmit error = %v, want StatusError 6a82", err)
	}
}

func TestTransmitShortResponse(t *testing.T) {
	s := newScript(t, step{cmd: verifyNone, resp: "90"})
	var rc bool
	if _, err := transmit(s, Command{INS: insVerify, P2: 0x80}, &rc); !errors.Is(err, ErrMalformed) {
		t.Fatalf("one-byte response: %v, want ErrMalformed", err)
	}
}

// A reset by another party: the Card reconnects once and starts the
// operation over, selections included.
func TestCardResetRestartsOperation(t *testing.T) {
	reset := &PCSCError{Op: "SCardTransmit", Code: uint32(scard.ErrResetCard)}
	s := newScript(t,
		step{cmd: selJPKI, resp: ok},
		step{cmd: selToken, resp: ok},
		step{cmd: "00 B0 00 00 A0", err: reset},
		step{cmd: selJPKI, resp: ok},
		step{cmd: selToken, resp: ok},
		step{cmd: "00 B0 00 00 A0", resp: tokenResp("JPKIAPICCTOKEN2")},
	)
	c := New(s)
	typ, err := c.Identify()
	if err != nil || typ != TypeMyNumber {
		t.Fatalf("Identify = %v, %v", typ, err)
	}
	if s.reconnects != 1 {
		t.Errorf("reconnects = %d, want 1", s.reconnects)
	}
}

func TestCardResetTwiceFails(t *testing.T) {
	reset := &PCSCError{Op: "SCardTransmit", Code: uint32(scard.ErrResetCard)}
	s := newScript(t,
		step{cmd: selJPKI, err: reset},
		step{cmd: selJPKI, err: reset},
	)
	_, err := New(s).Identify()
	if !errors.Is(err, ErrCardReset) || s.reconnects != 1 {
		t.Fatalf("Identify = %v after %d reconnects, want ErrCardReset after 1", err, s.reconnects)
	}
}

// After a transport error the card state is unknown: the next operation
// selects the application again.
func TestTransportErrorForgetsSelection(t *testing.T) {
	gone := &PCSCError{Op: "SCardTransmit", Code: uint32(scard.ErrRemovedCard)}
	s := newScript(t,
		step{cmd: selJPKI, resp: ok},
		step{cmd: selToken, err: gone},
		step{cmd: selJPKI, resp: ok},
		step{cmd: selToken, resp: ok},
		step{cmd: "00 B0 00 00 A0", resp: tokenResp("JPKIAPICCTOKEN")},
	)
	c := New(s)
	if _, err := c.Identify(); !errors.Is(err, ErrCardRemoved) {
		t.Fatalf("Identify = %v, want ErrCardRemoved", err)
	}
	if typ, err := c.Identify(); err != nil || typ != TypeJuki {
		t.Fatalf("second Identify = %v, %v", typ, err)
	}
}

// A reset with a VERIFY in flight: the PIN is not sent again (the lost
// VERIFY may have spent a try); the operation fails as a reset, and the
// next status read re-reads the counter.
func TestVerifyAnswerLostIsNotResent(t *testing.T) {
	reset := &PCSCError{Op: "SCardTransmit", Code: uint32(scard.ErrResetCard)}
	s := newScript(t,
		step{cmd: selJPKI, resp: ok}, step{cmd: selAuthPIN, resp: ok}, step{cmd: verifyNone, resp: "63 C3"},
		step{cmd: "00 20 00 80 04 31 32 33 34", err: reset},
		// the next operation: status of the counter, from scratch
		step{cmd: selJPKI, resp: ok}, step{cmd: selAuthPIN, resp: ok}, step{cmd: verifyNone, resp: "63 C2"},
	)
	c := New(s)
	if err := c.Verify(PINAuth, []byte("1234")); !errors.Is(err, ErrCardReset) {
		t.Fatalf("Verify = %v, want ErrCardReset", err)
	}
	n, err := c.Retries(PINAuth)
	if err != nil || n != 2 {
		t.Fatalf("Retries = %d, %v", n, err)
	}
}
