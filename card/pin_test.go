package card

import (
	"errors"
	"testing"
)

func TestRetries(t *testing.T) {
	tests := []struct {
		resp string
		want int
	}{
		{"63 C3", 3},
		{"63 C1", 1},
		{"63 C0", 0},
		{"69 84", 0},
		{"69 83", 0},
		{"90 00", 3}, // verified in this session: counter at its maximum
	}
	for _, tt := range tests {
		s := newScript(t, step{cmd: selJPKI, resp: ok}, step{cmd: selAuthPIN, resp: ok}, step{cmd: verifyNone, resp: tt.resp})
		n, err := New(s).Retries(PINAuth)
		if err != nil || n != tt.want {
			t.Errorf("Retries after %s = %d, %v; want %d", tt.resp, n, err, tt.want)
		}
	}
	s := newScript(t, step{cmd: selJPKI, resp: ok}, step{cmd: selSignPIN, resp: ok}, step{cmd: verifyNone, resp: "6A 88"})
	if _, err := New(s).Retries(PINSign); err == nil {
		t.Error("Retries after 6A88: no error")
	}
	s = newScript(t, step{cmd: selBasic, resp: ok}, step{cmd: selBasicPN, resp: ok}, step{cmd: verifyNone, resp: "90 00"})
	if n, err := New(s).Retries(PINBasicInfo); err != nil || n != 3 {
		t.Errorf("basic-info Retries = %d, %v", n, err)
	}
}

func TestVerify(t *testing.T) {
	pre := []step{{cmd: selJPKI, resp: ok}, {cmd: selAuthPIN, resp: ok}}
	t.Run("correct", func(t *testing.T) {
		s := newScript(t, append(pre, step{cmd: verifyNone, resp: "63 C3"},
			step{cmd: "00 20 00 80 04 31 32 33 34", resp: ok})...)
		if err := New(s).Verify(PINAuth, []byte("1234")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("wrong", func(t *testing.T) {
		s := newScript(t, append(pre, step{cmd: verifyNone, resp: "63 C3"},
			step{cmd: "00 20 00 80 04 31 31 31 31", resp: "63 C2"})...)
		err := New(s).Verify(PINAuth, []byte("1111"))
		var pe *PINError
		if !errors.As(err, &pe) || pe.Retries != 2 || !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("Verify = %v, want PINError{2}", err)
		}
	})
	t.Run("last try refused", func(t *testing.T) {
		s := newScript(t, append(pre, step{cmd: verifyNone, resp: "63 C1"})...)
		if err := New(s).Verify(PINAuth, []byte("1111")); !errors.Is(err, ErrLastTry) {
			t.Fatalf("Verify = %v, want ErrLastTry (and no VERIFY with data)", err)
		}
	})
	t.Run("last try confirmed", func(t *testing.T) {
		s := newScript(t, append(pre, step{cmd: verifyNone, resp: "63 C1"},
			step{cmd: "00 20 00 80 04 31 31 31 31", resp: "63 C0"})...)
		err := New(s).Verify(PINAuth, []byte("1111"), ConfirmLastTry())
		if !errors.Is(err, ErrAuthBlocked) || !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("Verify = %v, want wrong PIN with no try left", err)
		}
	})
	t.Run("locked", func(t *testing.T) {
		s := newScript(t, append(pre, step{cmd: verifyNone, resp: "69 84"})...)
		if err := New(s).Verify(PINAuth, []byte("1234"), ConfirmLastTry()); !errors.Is(err, ErrAuthBlocked) {
			t.Fatalf("Verify = %v, want ErrAuthBlocked", err)
		}
	})
	t.Run("empty pin", func(t *testing.T) {
		if err := New(newScript(t)).Verify(PINAuth, nil); !errors.Is(err, ErrPINFormat) {
			t.Fatalf("Verify(nil) = %v, want ErrPINFormat without any APDU", err)
		}
	})
}

func TestChangePIN(t *testing.T) {
	s := newScript(t,
		step{cmd: selJPKI, resp: ok}, step{cmd: selSignPIN, resp: ok},
		step{cmd: verifyNone, resp: "63 C5"},
		step{cmd: "00 20 00 80 06 41 42 43 31 32 33", resp: ok},
		step{cmd: "00 24 01 80 06 58 59 5A 37 38 39", resp: ok},
	)
	if err := New(s).ChangePIN(PINSign, []byte("ABC123"), []byte("XYZ789")); err != nil {
		t.Fatal(err)
	}
	// A wrong current PIN stops before CHANGE REFERENCE DATA.
	s = newScript(t,
		step{cmd: selJPKI, resp: ok}, step{cmd: selSignPIN, resp: ok},
		step{cmd: verifyNone, resp: "63 C5"},
		step{cmd: "00 20 00 80 06 41 42 43 31 32 34", resp: "63 C4"},
	)
	var pe *PINError
	if err := New(s).ChangePIN(PINSign, []byte("ABC124"), []byte("XYZ789")); !errors.As(err, &pe) || pe.Retries != 4 {
		t.Fatalf("ChangePIN with wrong PIN = %v", err)
	}
}

// The caller's PIN slices are not modified, and the package keeps no copy
// in the APDUs it sent (the encoded command is wiped).
func TestPINBytesWiped(t *testing.T) {
	rec := &recorder{next: newScript(t,
		step{cmd: selJPKI, resp: ok}, step{cmd: selAuthPIN, resp: ok},
		step{cmd: verifyNone, resp: "63 C3"},
		step{cmd: "00 20 00 80 04 31 32 33 34", resp: ok})}
	pin := []byte("1234")
	if err := New(rec).Verify(PINAuth, pin); err != nil {
		t.Fatal(err)
	}
	if string(pin) != "1234" {
		t.Errorf("caller's PIN changed to %q", pin)
	}
	last := rec.sent[len(rec.sent)-1]
	for _, b := range last {
		if b != 0 {
			t.Fatalf("VERIFY buffer not wiped after transmit: % X", last)
		}
	}
}

// recorder keeps the very slices it was given (not copies).
type recorder struct {
	next Transmitter
	sent [][]byte
}

func (r *recorder) Transmit(apdu []byte) ([]byte, error) {
	resp, err := r.next.Transmit(apdu)
	r.sent = append(r.sent, apdu)
	return resp, err
}
