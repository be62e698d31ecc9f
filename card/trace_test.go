package card

import (
	"strings"
	"testing"
)

func TestTraceMasksPINs(t *testing.T) {
	s := newScript(t,
		step{cmd: selJPKI, resp: ok}, step{cmd: selSignPIN, resp: ok},
		step{cmd: verifyNone, resp: "63 C5"},
		step{cmd: "00 20 00 80 06 41 42 43 31 32 33", resp: ok},
		step{cmd: "00 24 01 80 06 58 59 5A 37 38 39", resp: ok},
		step{cmd: selAuthPIN, resp: ok},
		step{cmd: "00 2C 02 80 04 39 38 37 36", resp: ok},
	)
	tr := NewTrace(s, 0)
	c := New(tr)
	if err := c.ChangePIN(PINSign, []byte("ABC123"), []byte("XYZ789")); err != nil {
		t.Fatal(err)
	}
	if err := c.ResetRetryCounter(PINAuth, []byte("9876")); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if _, err := tr.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"41 42 43 31 32 33", "58 59 5A 37 38 39", "39 38 37 36", "ABC123", "XYZ789", "9876"} {
		if strings.Contains(out, secret) {
			t.Errorf("trace holds PIN bytes %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"> 00 20 00 80 06 <PIN 6 bytes>", "> 00 24 01 80 06 <PIN 6 bytes>",
		"> 00 2C 02 80 04 <PIN 4 bytes>", "> 00 20 00 80\n< 63 C5"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	if tr.Count() != 7 || len(tr.Entries()) != 7 {
		t.Errorf("Count = %d, entries %d; want 7", tr.Count(), len(tr.Entries()))
	}
}

// Responses read from personal files are masked; public files are shown.
func TestTraceMasksPersonalData(t *testing.T) {
	tr := NewTrace(newScript(t,
		step{cmd: selJPKI, resp: ok},
		step{cmd: selToken, resp: ok}, step{cmd: "00 B0 00 00 04", resp: "4A 50 4B 49 90 00"},
		step{cmd: selSignCrt, resp: ok}, step{cmd: "00 B0 00 00 04", resp: "30 82 01 00 90 00"},
		step{cmd: selBasic, resp: ok},
		step{cmd: selBasic4, resp: ok}, step{cmd: "00 B0 00 00 04", resp: "FF 20 0A DF 61 02"},
		step{cmd: "00 C0 00 00 02", resp: "22 08 90 00"},
	), 0)
	for _, apdu := range []string{selJPKI, selToken, "00 B0 00 00 04", selSignCrt, "00 B0 00 00 04",
		selBasic, selBasic4, "00 B0 00 00 04", "00 C0 00 00 02"} {
		if _, err := tr.Transmit(h(apdu)); err != nil {
			t.Fatal(err)
		}
	}
	e := tr.Entries()
	if e[2].Response != "4A 50 4B 49 90 00" {
		t.Errorf("token read masked: %q", e[2].Response)
	}
	for _, i := range []int{4, 7, 8} {
		if !strings.HasPrefix(e[i].Response, "<data ") {
			t.Errorf("entry %d (%s) not masked: %q", i, e[i].Command, e[i].Response)
		}
	}
}

// Even a malformed PIN command (Lc longer than the data) shows no PIN byte.
func TestTraceMasksMalformedPINCommand(t *testing.T) {
	tr := NewTrace(newScript(t, step{cmd: "00 20 00 80 09 31 32 33 34", resp: "67 00"}), 0)
	if _, err := tr.Transmit(h("00 20 00 80 09 31 32 33 34")); err != nil {
		t.Fatal(err)
	}
	if got := tr.Entries()[0].Command; got != "00 20 00 80 09 <PIN 4 bytes>" {
		t.Errorf("command traced as %q", got)
	}
}

func TestTraceKeep(t *testing.T) {
	steps := make([]step, 5)
	for i := range steps {
		steps[i] = step{cmd: verifyNone, resp: "63 C3"}
	}
	tr := NewTrace(newScript(t, steps...), 2)
	for range 5 {
		if _, err := tr.Transmit(h(verifyNone)); err != nil {
			t.Fatal(err)
		}
	}
	if tr.Count() != 5 || len(tr.Entries()) != 2 {
		t.Errorf("Count %d entries %d, want 5 and 2", tr.Count(), len(tr.Entries()))
	}
}

// TestTraceMasksBypasses: the forms a real card accepts besides 00 A4 02 0C
// (short file ids, SELECT P1 00, an AID prefix, other logical channels)
// never leave personal data in the trace; the token stays visible.
func TestTraceMasksBypasses(t *testing.T) {
	const secret = "AA BB CC DD 90 00"
	for _, tc := range []struct {
		name string
		cmds []string // the last one's response must be masked
	}{
		{"READ BINARY by short file id of the sign certificate", []string{selJPKI, selToken, "00 B0 81 00 04"}},
		{"READ BINARY by short file id in basic-info", []string{selBasic, "00 B0 81 00 04"}},
		{"SELECT P1 00", []string{selJPKI, selToken, "00 A4 00 0C 02 00 01", "00 B0 00 00 04"}},
		{"SELECT by an AID prefix", []string{selJPKI, selToken, "00 A4 04 0C 05 D3 92 10 00 31", "00 B0 00 00 04"}},
		{"another logical channel", []string{selJPKI, selToken, "01 B0 00 00 04"}},
		{"channel 0 after another channel", []string{selJPKI, selToken, "01 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08", "00 B0 00 00 04"}},
		{"VERIFY by short file id", []string{selJPKI, selToken, "00 20 00 81", "00 B0 00 00 04"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var steps []step
			for i, c := range tc.cmds {
				resp := ok
				if i == len(tc.cmds)-1 {
					resp = secret
				}
				steps = append(steps, step{cmd: c, resp: resp})
			}
			tr := NewTrace(newScript(t, steps...), 0)
			for _, c := range tc.cmds {
				if _, err := tr.Transmit(h(c)); err != nil {
					t.Fatal(err)
				}
			}
			e := tr.Entries()
			if last := e[len(e)-1].Response; strings.Contains(last, "AA BB") || !strings.Contains(last, "<data 4 bytes>") {
				t.Errorf("response %q not masked", last)
			}
		})
	}
	// The token read by short file id in the JPKI application stays visible.
	tr := NewTrace(newScript(t, step{cmd: selJPKI, resp: ok}, step{cmd: "00 B0 86 00 04", resp: "4A 50 4B 49 90 00"}), 0)
	for _, c := range []string{selJPKI, "00 B0 86 00 04"} {
		if _, err := tr.Transmit(h(c)); err != nil {
			t.Fatal(err)
		}
	}
	if r := tr.Entries()[1].Response; r != "4A 50 4B 49 90 00" {
		t.Errorf("token by short file id: %q", r)
	}
}
