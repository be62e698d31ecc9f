package policy

import (
	"testing"
	"time"
)

// The words the flow and the screens use (docs/FLOW.md, "Vocabulary").
func TestCertAndPINWords(t *testing.T) {
	for _, tc := range []struct {
		c    Cert
		code string
		pin  PINKind
	}{
		{CertSign, "SIGN", PINSign},
		{CertAuth, "AUTH", PINAuth},
	} {
		if tc.c.String() != tc.code || tc.c.PIN() != tc.pin {
			t.Errorf("%q: String %q PIN %v, want %q %v", string(tc.c), tc.c.String(), tc.c.PIN(), tc.code, tc.pin)
		}
		if c, ok := tc.pin.Cert(); !ok || c != tc.c {
			t.Errorf("%v.Cert() = %q, %v; want %q", tc.pin, c, ok, tc.c)
		}
	}
	var zero PINKind
	if zero != PINNone || zero.String() != "NONE" || PINBasic.String() != "BASIC_INFO" || PINKind(9).String() != "PIN_9" {
		t.Errorf("PIN codes: %v %v %v", zero, PINBasic, PINKind(9))
	}
	if _, ok := PINBasic.Cert(); ok {
		t.Error("the basic-info PIN protects no certificate")
	}
	if _, ok := PINNone.Cert(); ok {
		t.Error("PINNone protects no certificate")
	}
	if Cert("x").String() != "CERT(x)" {
		t.Errorf("unknown cert: %s", Cert("x"))
	}
}

func TestRouteRank(t *testing.T) {
	if !(RouteSelf.Rank() < RouteApproval.Rank() && RouteApproval.Rank() < RouteCounter.Rank()) {
		t.Error("routes must rank self < approval < counter")
	}
	if Route("elsewhere").Rank() != RouteCounter.Rank() || Route("").Rank() != RouteCounter.Rank() {
		t.Error("an unknown route must count as counter (the safe side)")
	}
}

func TestDateInAndMidnight(t *testing.T) {
	// 23:30 UTC on 31 March is 1 April in Japan.
	at := time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC)
	if d := DateIn(at, JST); d != MustDate("2026-04-01") {
		t.Errorf("DateIn JST = %s", d)
	}
	if d := DateIn(at, time.UTC); d != MustDate("2026-03-31") {
		t.Errorf("DateIn UTC = %s", d)
	}
	if !DateIn(time.Time{}, JST).IsZero() || !(Date{}).Midnight().IsZero() {
		t.Error("zero must stay zero both ways")
	}
	m := MustDate("2028-02-29").Midnight()
	if m != time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC) || DateIn(m, time.UTC) != MustDate("2028-02-29") {
		t.Errorf("Midnight = %v", m)
	}
}
