package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jpki-kiosk/kiosk/ui/paper"
	"github.com/jpki-kiosk/kiosk/ui/printer"
)

// TestReceiptPrint prints every sample to a loopback TCP printer (one that
// answers the status queries "ready"), decodes the raster and reads the QR
// code back with zbarimg; then to a file; then to a closed port.
func TestReceiptPrint(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	jobs := make(chan []byte, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			var h [3]byte
			for {
				if _, err := io.ReadFull(c, h[:2]); err != nil {
					break
				}
				if h[0] == 0x10 && h[1] == 0x04 {
					io.ReadFull(c, h[2:])
					c.Write([]byte{0x12})
					continue
				}
				rest, _ := io.ReadAll(c)
				jobs <- append(h[:2:2], rest...)
				break
			}
			c.Close()
		}
	}()
	for _, name := range paper.SampleNames() {
		var out, errb bytes.Buffer
		if code := run(&env{stdout: &out, stderr: &errb}, []string{"receipt", "print", "--printer", "tcp://" + ln.Addr().String(), "--sample", name, "--json"}); code != exitOK {
			t.Fatalf("%s: exit %d: %s", name, code, errb.String())
		}
		var got receiptOut
		if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Dots[0] != printer.Width || got.Bytes == 0 {
			t.Fatalf("%s: output %q %v", name, out.String(), err)
		}
		job := <-jobs
		img, cut, err := printer.Decode(job)
		if err != nil || !cut || img.Bounds().Dy() != got.Dots[1] {
			t.Fatalf("%s: decode %v cut %v: %v", name, img.Bounds(), cut, err)
		}
		snap, _ := paper.Sample(name)
		p := filepath.Join(t.TempDir(), "paper.png")
		out.Reset()
		if code := run(&env{stdout: &out, stderr: &errb}, []string{"receipt", "print", "--printer", filepath.Join(t.TempDir(), "job.bin"), "--sample", name, "--png", p, "--lang", "en"}); code != exitOK {
			t.Fatalf("%s to a file: exit %d: %s", name, code, errb.String())
		}
		q, err := exec.Command("zbarimg", "--quiet", "--raw", p).Output()
		if err != nil || strings.TrimSpace(string(q)) != snap.Receipt.QR {
			t.Errorf("%s: QR read back %q (%v), want %q", name, q, err, snap.Receipt.QR)
		}
	}
	addr := ln.Addr().String()
	ln.Close()
	var out, errb bytes.Buffer
	if code := run(&env{stdout: &out, stderr: &errb}, []string{"receipt", "print", "--printer", "tcp://" + addr, "--json"}); code != exitRefused ||
		!strings.Contains(out.String(), printer.FaultOffline) {
		t.Errorf("closed port: exit %d, %q", code, out.String())
	}
	if code := run(&env{stdout: &out, stderr: &errb}, []string{"receipt", "print", "--printer", "x", "--sample", "nope"}); code != exitUsage {
		t.Errorf("unknown sample: exit %d", code)
	}
}
