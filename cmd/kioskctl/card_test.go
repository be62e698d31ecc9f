package main

import (
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ebfe/scard"
	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/jlis"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// memConn serves an in-memory virtual card as if it were in a reader.
type memConn struct {
	vc     *vcard.Card
	closed bool
}

func (m *memConn) Transmit(apdu []byte) ([]byte, error) {
	resp, err := m.vc.Transmit(apdu)
	if errors.Is(err, vcard.ErrNoCard) {
		return nil, &card.PCSCError{Op: "SCardTransmit", Code: uint32(scard.ErrRemovedCard)}
	}
	return resp, err
}
func (m *memConn) Reader() string { return "Test Reader 00" }
func (m *memConn) Close() error   { m.closed = true; m.vc.Reset(); return nil }

// withCard makes the card commands talk to a fresh virtual card of the
// persona; it returns the card and a counter of connections.
func withCard(t *testing.T, name string) (*vcard.Card, *vcard.Persona, *int) {
	t.Helper()
	p, err := vcard.NewPersona(name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vc := p.NewCard(vcard.Options{})
	connects := 0
	oldConnect, oldList := connectCard, listReaders
	connectCard = func(reader string) (cardConn, error) {
		connects++
		if reader != "" && reader != "Test Reader 00" {
			return nil, &card.PCSCError{Op: "SCardConnect", Code: uint32(scard.ErrUnknownReader)}
		}
		return &memConn{vc: vc}, nil
	}
	listReaders = func() ([]card.ReaderStatus, error) {
		return []card.ReaderStatus{{Name: "Test Reader 00", CardPresent: vc.Present()}}, nil
	}
	t.Cleanup(func() { connectCard, listReaders = oldConnect, oldList })
	return vc, p, &connects
}

// decode parses stdout as JSON into v.
func decode(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
}

type errObj struct {
	Error   string         `json:"error"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

func TestReadersCommand(t *testing.T) {
	withCard(t, vcard.PersonaAdult)
	code, out, _ := runCLI(t, "", "readers", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var got struct {
		Readers []struct {
			Name        string `json:"name"`
			CardPresent bool   `json:"card_present"`
		} `json:"readers"`
	}
	decode(t, out, &got)
	if len(got.Readers) != 1 || got.Readers[0].Name != "Test Reader 00" || !got.Readers[0].CardPresent {
		t.Errorf("readers = %+v", got)
	}
	listReaders = func() ([]card.ReaderStatus, error) { return nil, card.ErrNoService }
	if code, out, _ := runCLI(t, "", "readers", "--json"); code != exitRefused || !strings.Contains(out, `"NO_SERVICE"`) {
		t.Errorf("readers without service: %d %s", code, out)
	}
}

func TestCardStatusCommand(t *testing.T) {
	_, p, _ := withCard(t, vcard.PersonaAdult)
	code, out, errOut := runCLI(t, "", "card", "status", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var st struct {
		Reader   string `json:"reader"`
		CardType string `json:"card_type"`
		AuthCert *struct {
			Serial    string `json:"serial"`
			NotBefore string `json:"not_before"`
			NotAfter  string `json:"not_after"`
		} `json:"auth_cert"`
		Retries map[string]*int `json:"retries"`
		APDUs   int             `json:"apdus"`
	}
	decode(t, out, &st)
	if st.Reader != "Test Reader 00" || st.CardType != "mynumber" || st.AuthCert == nil {
		t.Fatalf("status = %s", out)
	}
	if st.AuthCert.Serial != p.AuthCert.SerialNumber.String() ||
		st.AuthCert.NotAfter != p.AuthCert.NotAfter.In(japan).Format("2006-01-02") ||
		st.AuthCert.NotBefore != p.AuthCert.NotBefore.In(japan).Format("2006-01-02") {
		t.Errorf("auth_cert = %+v, want serial %v until %v", *st.AuthCert, p.AuthCert.SerialNumber, p.AuthCert.NotAfter)
	}
	for k, want := range map[string]int{"auth": 3, "sign": 5, "basic_info": 3} {
		if st.Retries[k] == nil || *st.Retries[k] != want {
			t.Errorf("retries[%s] = %v, want %d", k, st.Retries[k], want)
		}
	}
	if st.APDUs < 1 || st.APDUs > 16 {
		t.Errorf("apdus = %d, budget 16", st.APDUs)
	}

	// Human-readable form.
	if code, out, _ := runCLI(t, "", "card", "status"); code != exitOK || !strings.Contains(out, "card type:  mynumber") {
		t.Errorf("text status: %d %q", code, out)
	}
	// A named reader that does not exist.
	code, out, _ = runCLI(t, "", "card", "status", "--reader", "Nope", "--json")
	var e errObj
	decode(t, out, &e)
	if code != exitRefused || e.Error != "NO_READER" {
		t.Errorf("unknown reader: %d %s", code, out)
	}
}

// TestCardStatusRefAndGenuine: card_ref is stable per card and differs
// between cards; genuine is null without --genuine; the virtual card's CA
// copies J-LIS's names but is not J-LIS; a training CA and an (injected)
// J-LIS root are told apart by signature.
func TestCardStatusRefAndGenuine(t *testing.T) {
	type out struct {
		CardType string  `json:"card_type"`
		CardRef  string  `json:"card_ref"`
		Genuine  *string `json:"genuine"`
		APDUs    int     `json:"apdus"`
		Retries  map[string]*int
	}
	status := func(args ...string) (out, string) {
		t.Helper()
		code, stdout, errOut := runCLI(t, "", append([]string{"card", "status", "--json"}, args...)...)
		if code != exitOK {
			t.Fatalf("exit %d: %s %s", code, stdout, errOut)
		}
		var o out
		decode(t, stdout, &o)
		if !strings.Contains(stdout, `"genuine"`) || !strings.Contains(stdout, `"card_ref"`) {
			t.Errorf("keys missing: %s", stdout)
		}
		return o, stdout
	}
	_, p, _ := withCard(t, vcard.PersonaAdult)
	a, _ := status()
	a2, _ := status()
	if a.CardRef != "auth:"+p.AuthCert.SerialNumber.Text(16) || a.CardRef != a2.CardRef || a.Genuine != nil {
		t.Fatalf("adult: %+v", a)
	}
	if a.APDUs > 16 {
		t.Errorf("card status used %d APDUs, budget 16", a.APDUs)
	}
	g, raw := status("--genuine")
	t.Logf("auth certificate %d bytes: card status %d APDUs, --genuine %d APDUs", len(p.AuthCert.Raw), a.APDUs, g.APDUs)
	if g.Genuine == nil || *g.Genuine != "not_jlis" {
		t.Errorf("virtual card with J-LIS names: %s", raw)
	}
	// Its CA as the training CA of a data directory: "training".
	dir := t.TempDir()
	writePEM(t, filepath.Join(dir, "ca-auth.crt"), p.AuthCA.Raw)
	if g, raw := status("--genuine", "--data", dir); g.Genuine == nil || *g.Genuine != "training" {
		t.Errorf("training: %s", raw)
	}
	// Its CA injected as a J-LIS root: "jlis".
	old := jlisRoots
	jlisRoots = func() []jlis.Root { return []jlis.Root{{File: "test", Cert: p.AuthCA, Generation: 2023}} }
	defer func() { jlisRoots = old }()
	if g, raw := status("--genuine"); g.Genuine == nil || *g.Genuine != "jlis" {
		t.Errorf("jlis: %s", raw)
	}
	if code, text, _ := runCLI(t, "", "card", "status", "--genuine"); code != exitOK || !strings.Contains(text, "genuine:    J-LIS (2023)") {
		t.Errorf("text: %s", text)
	}

	// Cards without an auth certificate: the token serialNumber.
	withCard(t, vcard.PersonaNoCerts)
	n, _ := status("--genuine")
	withCard(t, vcard.PersonaChild)
	c, raw := status()
	if !strings.HasPrefix(n.CardRef, "card:") || n.Genuine != nil || n.CardRef == c.CardRef || c.CardRef == a.CardRef {
		t.Errorf("refs %q %q %q", n.CardRef, c.CardRef, a.CardRef)
	}
	if c.Retries["sign"] != nil {
		t.Errorf("child: sign retries shown for a certificate not on the card: %s", raw)
	}
	if _, text, _ := runCLI(t, "", "card", "status"); !strings.Contains(text, "sign cert:  not on this card") || strings.Contains(text, "reset") {
		t.Errorf("child text: %s", text)
	}
}

func writePEM(t *testing.T, path string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCardStatusJuki(t *testing.T) {
	withCard(t, vcard.PersonaJuki)
	code, out, _ := runCLI(t, "", "card", "status", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	var st map[string]any
	decode(t, out, &st)
	retries := st["retries"].(map[string]any)
	if st["card_type"] != "juki" || st["auth_cert"] != nil || retries["auth"] != nil || retries["sign"] != 5.0 {
		t.Errorf("juki status = %s", out)
	}
}

func TestPINStatusCommand(t *testing.T) {
	withCard(t, vcard.PersonaSignOneTryLeft)
	code, out, _ := runCLI(t, "", "pin", "status", "--json")
	var st struct {
		CardType string         `json:"card_type"`
		Retries  map[string]int `json:"retries"`
		APDUs    int            `json:"apdus"`
	}
	decode(t, out, &st)
	if code != exitOK || st.CardType != "mynumber" || st.Retries["auth"] != 3 || st.Retries["sign"] != 1 || st.Retries["basic_info"] != 3 {
		t.Errorf("pin status: %d %s", code, out)
	}
}

func TestPINVerifyCommand(t *testing.T) {
	vc, _, _ := withCard(t, vcard.PersonaAdult)
	code, out, errOut := runCLI(t, "1234\n", "pin", "verify", "--which", "auth", "--json")
	if code != exitOK || !strings.Contains(out, `"verified": true`) {
		t.Fatalf("correct PIN: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "9999\r\n", "pin", "verify", "--which", "auth", "--json")
	var e errObj
	decode(t, out, &e)
	if code != exitRefused || e.Error != "PIN_INCORRECT" || e.Details["retries"] != 2.0 {
		t.Errorf("wrong PIN: %d %s", code, out)
	}
	if strings.Contains(out, "9999") {
		t.Errorf("output shows the PIN: %s", out)
	}
	code, out, _ = runCLI(t, "ABC123", "pin", "verify", "--which", "sign", "--json") // no newline at EOF
	if code != exitOK {
		t.Errorf("sign PIN: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "1234\n", "pin", "verify", "--which", "basic", "--json")
	if code != exitOK {
		t.Errorf("basic PIN: %d %s", code, out)
	}
	if n, _ := vc.Retries(vcard.EFAuthPIN); n != 2 {
		t.Errorf("auth counter %d after a wrong PIN, want 2", n)
	}
	if code, _, _ := runCLI(t, "1234\n", "pin", "verify", "--which", "auth"); code != exitOK {
		t.Errorf("correct auth PIN: exit %d", code)
	}
	if n, _ := vc.Retries(vcard.EFAuthPIN); n != 3 {
		t.Errorf("auth counter %d after a correct PIN, want 3", n)
	}
}

func TestPINVerifyLastTry(t *testing.T) {
	vc, _, _ := withCard(t, vcard.PersonaSignOneTryLeft)
	code, out, _ := runCLI(t, "WRONG1\n", "pin", "verify", "--which", "sign", "--json")
	var e errObj
	decode(t, out, &e)
	if code != exitRefused || e.Error != "LAST_TRY_NOT_CONFIRMED" || e.Details["retries"] != 1.0 {
		t.Fatalf("last try: %d %s", code, out)
	}
	if n, _ := vc.Retries(vcard.EFSignPIN); n != 1 {
		t.Fatalf("a try was spent: %d left", n)
	}
	code, out, _ = runCLI(t, "WRONG1\n", "pin", "verify", "--which", "sign", "--confirm-last-try", "--json")
	decode(t, out, &e)
	if code != exitRefused || e.Error != "PIN_INCORRECT" || e.Details["retries"] != 0.0 {
		t.Fatalf("confirmed wrong last try: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "ABC123\n", "pin", "verify", "--which", "sign", "--confirm-last-try", "--json")
	decode(t, out, &e)
	if code != exitRefused || e.Error != "PIN_LOCKED" {
		t.Fatalf("locked: %d %s", code, out)
	}
}

// A PIN that breaks the format rule is refused before any APDU.
func TestPINFormatCostsNoTry(t *testing.T) {
	vc, _, connects := withCard(t, vcard.PersonaAdult)
	for _, tt := range []struct {
		which, pin string
	}{
		{"auth", "12345"}, {"auth", "12a4"}, {"basic", "123"}, {"sign", "abc123"}, {"sign", "ABCDEF"},
		{"sign", "123456"}, {"sign", "ABC12"}, {"sign", "ABCDEFGHIJ1234567"},
	} {
		code, out, _ := runCLI(t, tt.pin+"\n", "pin", "verify", "--which", tt.which, "--json")
		var e errObj
		decode(t, out, &e)
		if code != exitRefused || e.Error != "PIN_FORMAT" {
			t.Errorf("%s PIN %q: %d %s", tt.which, tt.pin, code, out)
		}
		if strings.Contains(out, tt.pin) {
			t.Errorf("output shows the PIN: %s", out)
		}
	}
	if *connects != 0 || vc.APDUCount() != 0 {
		t.Errorf("%d connections and %d APDUs for malformed PINs, want none", *connects, vc.APDUCount())
	}
}

func TestPINChangeCommand(t *testing.T) {
	withCard(t, vcard.PersonaAdult)
	code, out, errOut := runCLI(t, "ABC123\nNEWPIN42\n", "pin", "change", "--which", "sign", "--json")
	if code != exitOK || !strings.Contains(out, `"changed": true`) {
		t.Fatalf("change: %d %s %s", code, out, errOut)
	}
	if strings.Contains(out+errOut, "NEWPIN42") || strings.Contains(out+errOut, "ABC123") {
		t.Errorf("output shows a PIN: %s %s", out, errOut)
	}
	if code, out, _ := runCLI(t, "NEWPIN42\n", "pin", "verify", "--which", "sign"); code != exitOK {
		t.Errorf("verify with the new PIN: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "1234\n12\n", "pin", "change", "--which", "auth", "--json")
	if code != exitRefused || !strings.Contains(out, "PIN_FORMAT") {
		t.Errorf("malformed new PIN: %d %s", code, out)
	}
}

func TestCardCommandUsage(t *testing.T) {
	withCard(t, vcard.PersonaAdult)
	for _, args := range [][]string{
		{"pin", "verify"},
		{"pin", "verify", "--which", "pin"},
		{"pin", "change", "--which", "basic"},
		{"pin", "verify", "--which", "auth", "1234"}, // a PIN as an argument is refused
		{"card", "status", "extra"},
	} {
		if code, _, _ := runCLI(t, "1234\n", args...); code != exitUsage {
			t.Errorf("kioskctl %v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, errOut := runCLI(t, "", "pin", "verify", "--which", "auth"); code != exitUsage || !strings.Contains(errOut, "standard input") {
		t.Errorf("no PIN on stdin: %d %q", code, errOut)
	}
}

func TestCardErrorsMapped(t *testing.T) {
	vc, _, _ := withCard(t, vcard.PersonaAdult)
	tests := []struct {
		err  error
		code string
	}{
		{card.ErrNoReader, "NO_READER"},
		{card.ErrNoCard, "NO_CARD"},
		{&card.PCSCError{Op: "SCardConnect", Code: uint32(scard.ErrNoSmartcard)}, "NO_CARD"},
		{&card.PCSCError{Op: "SCardConnect", Code: uint32(scard.ErrSharingViolation)}, "CARD_IN_USE"},
		{&card.PCSCError{Op: "SCardEstablishContext", Code: uint32(scard.ErrNoService)}, "NO_SERVICE"},
	}
	for _, tt := range tests {
		connectCard = func(string) (cardConn, error) { return nil, tt.err }
		code, out, _ := runCLI(t, "", "card", "status", "--json")
		var e errObj
		decode(t, out, &e)
		if code != exitRefused || e.Error != tt.code {
			t.Errorf("%v: %d %s, want %s", tt.err, code, out, tt.code)
		}
	}
	// The card pulled in the middle of the status check.
	connectCard = func(string) (cardConn, error) { return &memConn{vc: vc}, nil }
	vc.SetFault(vcard.FailAt(vc.APDUCount()+5, vcard.FaultRemoveBefore))
	code, out, _ := runCLI(t, "", "card", "status", "--json")
	if code != exitRefused || !strings.Contains(out, `"CARD_REMOVED"`) {
		t.Errorf("card pulled: %d %s", code, out)
	}
	// Not a JPKI card at all.
	connectCard = func(string) (cardConn, error) { return notJPKI{}, nil }
	code, out, _ = runCLI(t, "1234\n", "pin", "verify", "--which", "auth", "--json")
	if code != exitRefused || !strings.Contains(out, `"UNKNOWN_CARD"`) {
		t.Errorf("unknown card: %d %s", code, out)
	}
	code, out, _ = runCLI(t, "", "card", "status", "--json")
	if code != exitOK || !strings.Contains(out, `"card_type": "unknown"`) || !strings.Contains(out, `"auth_cert": null`) {
		t.Errorf("unknown card status: %d %s", code, out)
	}
}

// notJPKI answers every command with 6A 82 (file not found).
type notJPKI struct{}

func (notJPKI) Transmit([]byte) ([]byte, error) { return []byte{0x6A, 0x82}, nil }
func (notJPKI) Reader() string                  { return "Other Reader" }
func (notJPKI) Close() error                    { return nil }
