package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card/vcard"
)

func TestVcardPersonas(t *testing.T) {
	code, out, errOut := runCLI(t, "", "vcard", "personas", "--json", "--today", "2026-03-10")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var list []personaJSON
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	byName := map[string]personaJSON{}
	for _, p := range list {
		byName[p.Name] = p
	}
	if len(list) != len(vcard.List()) {
		t.Fatalf("%d personas", len(list))
	}
	tests := []struct {
		name, authPIN, signPIN string
		authExpiry, signExpiry *string
	}{
		{"adult", "1234", "ABC123", ptr("2028-04-12"), ptr("2028-04-12")},
		{"renewable", "1234", "ABC123", ptr("2026-05-10"), ptr("2026-05-10")},
		{"child", "1234", "", ptr("2029-12-10"), nil},
		{"juki", "", "ABC123", nil, ptr("2020-03-10")},
		{"no-certs", "1234", "ABC123", nil, nil},
	}
	for _, tt := range tests {
		p, ok := byName[tt.name]
		if !ok || p.AuthPIN != tt.authPIN || p.SignPIN != tt.signPIN || !eqPtr(p.AuthExpiry, tt.authExpiry) || !eqPtr(p.SignExpiry, tt.signExpiry) {
			t.Errorf("%s: %+v (auth %v sign %v)", tt.name, p, deref(p.AuthExpiry), deref(p.SignExpiry))
		}
	}
	if code, out, _ := runCLI(t, "", "vcard", "personas"); code != exitOK || !strings.Contains(out, "sign-one-try-left") {
		t.Errorf("text list: %d\n%s", code, out)
	}
	if code, _, _ := runCLI(t, "", "vcard", "personas", "--today", "10/03/2026"); code != exitUsage {
		t.Errorf("bad date: exit %d", code)
	}
}

func ptr(s string) *string { return &s }
func eqPtr(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
func deref(p *string) string {
	if p == nil {
		return "null"
	}
	return *p
}

func TestVcardServeUsage(t *testing.T) {
	for _, args := range [][]string{
		{"vcard", "serve", "--persona", "nobody"},
		{"vcard", "serve", "--today", "2026-13-01"},
		{"vcard", "serve", "extra"},
	} {
		if code, _, errOut := runCLI(t, "", args...); code != exitUsage {
			t.Errorf("%v: exit %d (%s)", args, code, errOut)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, vcard.IssuerKeyFile), []byte("not a key"), 0o600)
	if code, _, errOut := runCLI(t, "", "vcard", "serve", "--data", dir); code != exitRefused || !strings.Contains(errOut, "ISSUER_KEY") {
		t.Errorf("bad issuer key: exit %d (%s)", code, errOut)
	}
}

// TestVcardServe serves to a fake vpcd driver on loopback and checks that
// the card answers, trusts the issuer key from --data, and stops on cancel.
func TestVcardServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	os.WriteFile(filepath.Join(dir, vcard.IssuerKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)

	ctx, cancel := context.WithCancel(context.Background())
	old := serveContext
	serveContext = func() (context.Context, context.CancelFunc) { return ctx, cancel }
	defer func() { serveContext = old }()

	type result struct {
		code     int
		out, err string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errOut := runCLI(t, "", "vcard", "serve", "--vpcd", ln.Addr().String(), "--persona", "sign-one-try-left", "--data", dir, "--today", "2026-03-10")
		done <- result{code, out, errOut}
	}()
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	conn, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	send := func(msg []byte) []byte {
		t.Helper()
		hdr := binary.BigEndian.AppendUint16(nil, uint16(len(msg)))
		if _, err := conn.Write(append(hdr, msg...)); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(conn, hdr); err != nil {
			t.Fatal(err)
		}
		r := make([]byte, binary.BigEndian.Uint16(hdr))
		if _, err := io.ReadFull(conn, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	if atr := send([]byte{4}); string(atr) != string(vcard.DefaultATR) {
		t.Errorf("ATR % X", atr)
	}
	send([]byte{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01})
	send([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1B})
	if r := send([]byte{0x00, 0x20, 0x00, 0x80}); string(r) != "\x63\xC1" {
		t.Errorf("sign retries % X, want 63 C1", r)
	}
	// issuer authentication with the key from --data
	ch := send([]byte{0x00, 0x84, 0x00, 0x00, 0x08})
	send([]byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x06})
	tok := send([]byte{0x00, 0xB0, 0x00, 0x00, 0xA0})
	sig, _ := ecdsa.SignASN1(rand.Reader, key, vcard.IssuerAuthDigest(ch[:8], tok[vcard.SerialOffset:vcard.SerialOffset+vcard.SerialSize]))
	if r := send(append([]byte{0x00, 0x82, 0x00, 0x00, byte(len(sig))}, sig...)); string(r) != "\x90\x00" {
		t.Errorf("external authenticate % X", r)
	}
	cancel()
	select {
	case r := <-done:
		if r.code != exitOK {
			t.Fatalf("exit %d: %s", r.code, r.err)
		}
		for _, want := range []string{"sign-one-try-left", "ABC123", "1 tries left", "issuance enabled", "stopped"} {
			if !strings.Contains(r.out, want) {
				t.Errorf("output lacks %q:\n%s", want, r.out)
			}
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}
