package card

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ebfe/scard"
)

func TestParseCommand(t *testing.T) {
	for _, tc := range []string{"00 20 00 80", "00 B0 01 02 FF", "00 B0 00 00 00", "00 A4 02 0C 02 00 06", "80 2A 00 80 02 01 02 00"} {
		c, err := ParseCommand(h(tc))
		if err != nil {
			t.Errorf("%s: %v", tc, err)
			continue
		}
		if b, _ := c.Bytes(); !bytes.Equal(b, h(tc)) {
			t.Errorf("%s: round trip % X", tc, b)
		}
	}
	for _, bad := range []string{"00 B0 00", "00 B0 00 00 00 01 02", "00 A4 02 0C 03 00 06", "00 B0 00 00 00 00 10"} {
		if _, err := ParseCommand(h(bad)); !errors.Is(err, ErrWrongLength) {
			t.Errorf("%s: %v, want ErrWrongLength", bad, err)
		}
	}
}

// An issuance relayed through the session's Card: the issuer selects the
// JPKI application, authenticates, writes a certificate; then the kiosk's
// own ResetRetryCounter must select the PIN EF (the relayed SELECT left
// the certificate EF current) and must not select the JPKI application
// again (that would end the issuer's authentication).
func TestRelayKeepsTheSelectionCache(t *testing.T) {
	s := newScript(t,
		step{cmd: selJPKI, resp: ok},
		step{cmd: "00 84 00 00 08", resp: "0102030405060708 9000"},
		step{cmd: "00 82 00 00 02 AA BB", resp: ok},
		step{cmd: "00 46 00 00 02 00 17 00", resp: "7F49 6102"},
		step{cmd: "00 C0 00 00 02", resp: "0000 9000"},
		step{cmd: selAuthCrt, resp: ok},
		step{cmd: "00 D6 00 00 02 30 00", resp: ok},
		// the kiosk's step, through the Card's own API
		step{cmd: selAuthPIN, resp: ok},
		step{cmd: "00 2C 02 80 04 31 32 33 34", resp: ok},
	)
	c := New(s)
	for i, tc := range []struct{ cmd, resp string }{
		{selJPKI, "9000"},
		{"00 84 00 00 08", "0102030405060708 9000"},
		{"00 82 00 00 02 AA BB", "9000"},
		{"00 46 00 00 02 00 17 00", "7F49 0000 9000"}, // GET RESPONSE joined
		{selAuthCrt, "9000"},
		{"00 D6 00 00 02 30 00", "9000"},
	} {
		resp, err := c.Relay(h(tc.cmd))
		if err != nil || !bytes.Equal(resp, h(tc.resp)) {
			t.Fatalf("relay %d: % X, %v; want %s", i, resp, err, tc.resp)
		}
	}
	if err := c.ResetRetryCounter(PINAuth, []byte("1234")); err != nil {
		t.Fatal(err)
	}
}

func TestRelayForgetsWhatItCannotFollow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		steps []step
		relay string
	}{
		{"refused SELECT", []step{{cmd: selAuthCrt, resp: "6A82"}}, selAuthCrt},
		{"transport failure", []step{{cmd: "00 84 00 00 08", err: &PCSCError{Op: "SCardTransmit", Code: uint32(scard.ErrCommError)}}}, "00 84 00 00 08"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The card had JPKI and the token selected; after the relayed
			// command it must select both again before reading the token.
			steps := append([]step{{cmd: selJPKI, resp: ok}, {cmd: selToken, resp: ok}, {cmd: "00 B0 00 00 A0", resp: tokenResp(tokenMyNumber)}}, tc.steps...)
			steps = append(steps, step{cmd: selJPKI, resp: ok}, step{cmd: selToken, resp: ok}, step{cmd: "00 B0 00 00 A0", resp: tokenResp(tokenMyNumber)})
			c := New(newScript(t, steps...))
			if _, err := c.ReadToken(); err != nil {
				t.Fatal(err)
			}
			_, _ = c.Relay(h(tc.relay))
			if _, err := c.ReadToken(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRelayChoresAndRefusals(t *testing.T) {
	// 6C xx: resent with the right Le, once.
	c := New(newScript(t,
		step{cmd: selJPKI, resp: ok},
		step{cmd: "00 84 00 00 10", resp: "6C08"},
		step{cmd: "00 84 00 00 08", resp: "0102030405060708 9000"},
	))
	if _, err := c.Relay(h(selJPKI)); err != nil {
		t.Fatal(err)
	}
	if resp, err := c.Relay(h("00 84 00 00 10")); err != nil || !bytes.Equal(resp, h("0102030405060708 9000")) {
		t.Fatalf("6C08: % X %v", resp, err)
	}
	// The individual number stays out of reach, relayed or not.
	c = New(newScript(t, step{cmd: selBasic, resp: ok}))
	if _, err := c.Relay(h(selBasic)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Relay(h("00 A4 02 0C 02 00 01")); !errors.Is(err, ErrPrivacy) {
		t.Errorf("relayed SELECT of the individual number: %v", err)
	}
	// A reset ends the relayed script: no reconnect, no restart.
	s := newScript(t, step{cmd: selJPKI, resp: ok}, step{cmd: "00 84 00 00 08", err: &PCSCError{Op: "SCardTransmit", Code: uint32(scard.ErrResetCard)}})
	c = New(s)
	if _, err := c.Relay(h(selJPKI)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Relay(h("00 84 00 00 08")); !errors.Is(err, ErrCardReset) || s.reconnects != 0 {
		t.Errorf("reset during a relay: %v, %d reconnects", err, s.reconnects)
	}
	if _, err := c.Relay(h("00 84")); !errors.Is(err, ErrWrongLength) {
		t.Errorf("short command: %v", err)
	}
	// A status word is an answer, not an error.
	c = New(newScript(t, step{cmd: selJPKI, resp: ok}, step{cmd: "00 82 00 00 01 00", resp: "6982"}))
	_, _ = c.Relay(h(selJPKI))
	if resp, err := c.Relay(h("00 82 00 00 01 00")); err != nil || !bytes.Equal(resp, h("6982")) {
		t.Errorf("6982: % X %v", resp, err)
	}
}
