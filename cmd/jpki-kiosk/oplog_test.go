package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
)

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"reader lost: Virtual PCD 00 00", "reader lost: Virtual PCD 00 00"},
		{"pin 1234 wrong", "pin #### wrong"},
		{"number 123456789012", "number ####"},
		{"sign pin ABC123 rejected", "sign pin <redacted> rejected"},
		{"name 山田太郎 address 茨城県守谷市", "name ? address ?"},
		{"born 1980-06-15", "born ####-06-15"},
		{"pointer 0xc000123456 kept", "pointer 0xc000123456 kept"},
		{"SCardGetStatusChange: pc/sc error 8010001d", "SCardGetStatusChange: pc/sc error <redacted>"},
		{"profile moriya, issuer training", "profile moriya, issuer training"},
		{"wire.go:123", "wire.go:123"},
	}
	for _, tc := range tests {
		if got := scrub(tc.in); got != tc.want {
			t.Errorf("scrub(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// The operational log never carries a PIN, an individual number or a name,
// whatever the caller formats into it.
func TestOpLogScrubs(t *testing.T) {
	var buf bytes.Buffer
	l := &opLog{}
	l.open(stderrSink{&buf})
	l.log(sevError, evStoreError, "store: %v", errors.New("refused detail 5678 of 山田 with NEWPIN42"))
	l.cardEvent(card.Event{Kind: card.ReaderRemoved, Reader: "ACS ACR39U 00 00"})
	l.cardEvent(card.Event{Kind: card.CardInserted, Reader: "ACS ACR39U 00 00"})
	l.cardEvent(card.Event{Kind: card.ServiceLost, Err: &card.PCSCError{Op: "SCardEstablishContext", Code: 0x8010001d}})
	l.cardEvent(card.Event{Kind: card.ServiceRestored})
	l.close()
	l.log(sevInfo, evStarted, "after close") // discarded
	out := buf.String()
	for _, bad := range []string{"5678", "山田", "NEWPIN42", "card-inserted", "after close"} {
		if strings.Contains(out, bad) {
			t.Errorf("log contains %q:\n%s", bad, out)
		}
	}
	for _, want := range []string{"error 20: store: refused detail #### of ? with <redacted>",
		"warning 11: reader lost: ACS ACR39U 00 00",
		"warning 12: smart-card service lost (SCardEstablishContext returned 0x8010001d)",
		"info 13: smart-card service back"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "\n"); n != 4 {
		t.Errorf("%d lines, want 4 (no line for a card):\n%s", n, out)
	}
}

func TestCrashReport(t *testing.T) {
	dir := t.TempDir()
	var stack []byte
	func() {
		defer func() { recover(); stack = debug.Stack() }()
		pin := []byte("1234")
		panic("verify failed for PIN " + string(pin) + " of 佐藤花子, card 123456789012, sign ABC123")
	}()
	now := time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)
	path, err := writeCrashReport(dir, "verify failed for PIN 1234 of 佐藤花子, card 123456789012, sign ABC123", stack, now)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(path) != "crash-20261204-103000.txt" {
		t.Errorf("report %s", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep := string(b)
	for _, bad := range []string{"1234", "佐藤", "123456789012", "ABC123"} {
		if strings.Contains(rep, bad) {
			t.Errorf("crash report contains %q:\n%s", bad, rep)
		}
	}
	for _, want := range []string{"time: 2026-12-04T10:30:00Z", "panic: verify failed for PIN #### of ?",
		"TestCrashReport", "oplog_test.go:"} {
		if !strings.Contains(rep, want) {
			t.Errorf("crash report lacks %q:\n%s", want, rep)
		}
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("crash report mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestCrashReportArgsRemoved(t *testing.T) {
	stack := "goroutine 1 [running]:\nmain.verify(0xc000012345, 0x4, 0x4)\n\t/src/cmd/jpki-kiosk/wire.go:12345 +0x1f\n"
	var b bytes.Buffer
	if err := crashReport(&b, "x", []byte(stack), time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "main.verify(...)\n\t/src/cmd/jpki-kiosk/wire.go:12345\n") {
		t.Errorf("frame not reduced to name and file:line:\n%s", b.String())
	}
	big := bytes.Repeat([]byte("main.f()\n"), 20000)
	b.Reset()
	_ = crashReport(&b, "x", big, time.Unix(0, 0))
	if b.Len() > crashReportLimit+100 || !strings.HasSuffix(b.String(), "[truncated]\n") {
		t.Errorf("report of %d bytes not truncated", b.Len())
	}
}

func TestCrashDir(t *testing.T) {
	if got := crashDir(config{data: "/srv/kiosk"}); got != "/srv/kiosk" {
		t.Errorf("with -data: %s", got)
	}
	if got := crashDir(config{demo: true}); got != os.TempDir() {
		t.Errorf("demo: %s", got)
	}
	if got := crashDir(config{}); filepath.Base(got) != "jpki-kiosk" {
		t.Errorf("default: %s", got)
	}
}

// A panic on another goroutine (card I/O, timers) kills the program
// without main's recover: the runtime's own output goes to the pending file,
// and the next start turns it into a scrubbed report.
func TestCatchCrashesOtherGoroutine(t *testing.T) {
	if dir := os.Getenv("JPKI_CRASH_CHILD"); dir != "" {
		catchCrashes(dir)
		done := make(chan struct{})
		go func() { panic("PIN 1234 of 山田太郎, sign NEWPIN42") }()
		<-done
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCatchCrashesOtherGoroutine$")
	cmd.Env = append(os.Environ(), "JPKI_CRASH_CHILD="+dir)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("child did not crash:\n%s", out)
	}
	raw, err := os.ReadFile(filepath.Join(dir, pendingCrashFile))
	if err != nil || !bytes.Contains(raw, []byte("panic: PIN 1234")) {
		t.Fatalf("pending crash output %q (%v)", raw, err)
	}
	var logged bytes.Buffer
	ops.open(stderrSink{&logged})
	defer ops.close()
	stop := catchCrashes(dir)
	stop()
	if _, err := os.Stat(filepath.Join(dir, pendingCrashFile)); !os.IsNotExist(err) {
		t.Errorf("pending file still there after a clean stop (%v)", err)
	}
	reports, _ := filepath.Glob(filepath.Join(dir, crashFilePrefix+"2*.txt"))
	if len(reports) != 1 {
		t.Fatalf("reports %v, want 1", reports)
	}
	rep, _ := os.ReadFile(reports[0])
	for _, bad := range []string{"1234", "山田", "NEWPIN42"} {
		if bytes.Contains(rep, []byte(bad)) {
			t.Errorf("report contains %q:\n%s", bad, rep)
		}
	}
	for _, want := range []string{"panic: PIN #### of ?, sign <redacted>", "TestCatchCrashesOtherGoroutine.func", "oplog_test.go:"} {
		if !bytes.Contains(rep, []byte(want)) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
	if !strings.Contains(logged.String(), "error 30: the previous run crashed") {
		t.Errorf("no event 30: %q", logged.String())
	}
}
