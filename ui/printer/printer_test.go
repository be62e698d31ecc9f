package printer

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/image/font"
)

var sample = Receipt{
	Title: "電子証明書を更新しました", Done: []string{"署名用電子証明書を発行しました", "利用者証明用電子証明書を発行しました"},
	Rows:        []Row{{"署名用電子証明書の新しい有効期限", "2031年6月15日"}, {"手数料", "無料"}, {"日付", "2026年11月21日"}},
	TicketLabel: "受付番号", Ticket: "17",
	QR:        "JPKIK1;k=DEMO;s=S1;d=20261121;do=ISSUED_SIGN+ISSUED_AUTH;fee=0;t=17;a=A1",
	QRCaption: "窓口でこのコードを読み取ります。",
	Notes:     []string{"署名用電子証明書は、引越しなどで住所や氏名が変わると自動的に失効します。"},
}

// fakePrinter is a TCP receipt printer on loopback: it answers DLE EOT
// status queries with the configured bytes until the job starts (ESC @),
// then keeps everything it receives.
type fakePrinter struct {
	ln     net.Listener
	status map[byte]byte // DLE EOT n → answer; missing: no answer
	mu     sync.Mutex
	jobs   [][]byte
	done   chan struct{}
}

func newFakePrinter(t *testing.T, status map[byte]byte) *fakePrinter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakePrinter{ln: ln, status: status, done: make(chan struct{}, 8)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakePrinter) addr() string { return "tcp://" + f.ln.Addr().String() }

func (f *fakePrinter) serve(c net.Conn) {
	defer c.Close()
	defer func() { f.done <- struct{}{} }()
	var head [3]byte
	for {
		if _, err := io.ReadFull(c, head[:2]); err != nil {
			return
		}
		if head[0] == 0x10 && head[1] == 0x04 {
			if _, err := io.ReadFull(c, head[2:]); err != nil {
				return
			}
			if a, ok := f.status[head[2]]; ok {
				c.Write([]byte{a})
			}
			continue
		}
		rest, _ := io.ReadAll(c)
		f.mu.Lock()
		f.jobs = append(f.jobs, append(head[:2:2], rest...))
		f.mu.Unlock()
		return
	}
}

func (f *fakePrinter) wait(t *testing.T) {
	t.Helper()
	select {
	case <-f.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the fake printer saw no connection end")
	}
}

// readQR decodes the QR code in img with zbarimg (Debian zbar-tools), a
// decoder independent of the library that made it.
func readQR(t *testing.T, img image.Image) string {
	t.Helper()
	bin, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("zbarimg not found: run scripts/install-deps.sh (package zbar-tools)")
	}
	p := filepath.Join(t.TempDir(), "receipt.png")
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", p).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestPrintOverTCP prints the receipt to a loopback TCP printer, decodes
// the raster back into an image and reads the QR code back.
func TestPrintOverTCP(t *testing.T) {
	f := newFakePrinter(t, map[byte]byte{1: 0x16, 2: 0x12, 4: 0x12})
	p, err := Open(f.addr())
	if err != nil {
		t.Fatal(err)
	}
	job, want, err := Job(sample)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Print(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	f.wait(t)
	if len(f.jobs) != 1 || !bytes.Equal(f.jobs[0], job) {
		t.Fatalf("the printer received %d jobs", len(f.jobs))
	}
	img, cut, err := Decode(f.jobs[0])
	if err != nil || !cut {
		t.Fatalf("decode: cut %v, %v", cut, err)
	}
	if img.Bounds().Dx() != Width || img.Bounds().Dy() != want.Bounds().Dy() {
		t.Fatalf("printed %v, rendered %v", img.Bounds(), want.Bounds())
	}
	if got := readQR(t, img); got != sample.QR {
		t.Errorf("QR code read back %q, want %q", got, sample.QR)
	}
	if out := os.Getenv("RECEIPT_PNG"); out != "" { // a picture of the paper, for docs
		var b bytes.Buffer
		png.Encode(&b, img)
		os.WriteFile(out, b.Bytes(), 0o644)
	}
	// The ticket number is printed large: a band of black dots over 100 rows high.
	if h := tallestInk(img); h < 100 {
		t.Errorf("tallest printed glyph %d dots, want the ticket number over 100", h)
	}
}

// tallestInk is the height of the tallest run of rows that hold ink without
// a white row between them, ignoring the QR code (rows wider than half the paper).
func tallestInk(img *image.Gray) int {
	best, run := 0, 0
	for y := range img.Bounds().Dy() {
		ink, lo, hi := false, Width, 0
		for x := range Width {
			if img.Pix[y*img.Stride+x] == 0 {
				ink, lo, hi = true, min(lo, x), max(hi, x)
			}
		}
		if ink && hi-lo < Width/2 {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func TestPrinterFaults(t *testing.T) {
	for _, c := range []struct {
		name   string
		status map[byte]byte
		want   string
	}{
		{"paper out", map[byte]byte{1: 0x1E, 2: 0x32, 4: 0x72}, FaultPaperOut},
		{"cover open", map[byte]byte{1: 0x1E, 2: 0x16, 4: 0x12}, FaultCoverOpen},
		{"offline", map[byte]byte{1: 0x1E, 2: 0x12, 4: 0x12}, FaultOffline},
		{"error", map[byte]byte{1: 0x1E, 2: 0x52, 4: 0x12}, FaultError},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakePrinter(t, c.status)
			p, _ := Open(f.addr())
			err := p.Print(context.Background(), []byte{0x1B, 0x40})
			if got := FaultCode(err); got != c.want {
				t.Errorf("fault %q (%v), want %s", got, err, c.want)
			}
			f.wait(t)
			if len(f.jobs) != 0 {
				t.Error("a job was sent to a printer in fault")
			}
		})
	}
	// No printer listening: offline.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	p, _ := Open("tcp://" + addr)
	if got := FaultCode(p.Print(context.Background(), []byte{1})); got != FaultOffline {
		t.Errorf("closed port: %q, want %s", got, FaultOffline)
	}
	// A printer that answers no status query is printed to.
	f := newFakePrinter(t, nil)
	tp := &TCP{Addr: strings.TrimPrefix(f.addr(), "tcp://"), Timeout: 200 * time.Millisecond}
	if err := tp.Print(context.Background(), []byte{0x1B, 0x40, 0x0A}); err != nil {
		t.Errorf("silent printer: %v", err)
	}
	f.wait(t)
	if len(f.jobs) != 1 {
		t.Errorf("silent printer got %d jobs", len(f.jobs))
	}
}

func TestOpenTargets(t *testing.T) {
	for target, want := range map[string]string{
		"tcp://10.0.0.5":      "*printer.TCP 10.0.0.5:9100",
		"tcp://10.0.0.5:9101": "*printer.TCP 10.0.0.5:9101",
		"/dev/usb/lp0":        "*printer.Device /dev/usb/lp0",
		"cups:receipt":        "*printer.CUPS receipt",
	} {
		p, err := Open(target)
		if err != nil {
			t.Errorf("%s: %v", target, err)
			continue
		}
		var got string
		switch x := p.(type) {
		case *TCP:
			got = "*printer.TCP " + x.Addr
		case *Device:
			got = "*printer.Device " + x.Path
		case *CUPS:
			got = "*printer.CUPS " + x.Queue
		}
		if got != want {
			t.Errorf("%s: %s, want %s", target, got, want)
		}
	}
	if _, err := Open(" "); FaultCode(err) != FaultNotPrinting {
		t.Errorf("empty target: %v", err)
	}
}

func TestDeviceAndCUPS(t *testing.T) {
	dir := t.TempDir()
	job, _, err := Job(sample)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "lp0")
	if err := (&Device{Path: path}).Print(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, job) {
		t.Error("device file does not hold the job")
	}
	if err := (&Device{Path: filepath.Join(dir, "no", "such")}).Print(context.Background(), job); FaultCode(err) != FaultOffline {
		t.Errorf("missing device: %v", err)
	}
	// A stand-in lp records its arguments and the data.
	lp := filepath.Join(dir, "lp")
	script := "#!/bin/sh\necho \"$@\" > " + dir + "/args\ncat > " + dir + "/data\n"
	if err := os.WriteFile(lp, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	old := LP
	LP = lp
	t.Cleanup(func() { LP = old })
	if err := (&CUPS{Queue: "tm88"}).Print(context.Background(), job); err != nil {
		t.Fatal(err)
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	data, _ := os.ReadFile(filepath.Join(dir, "data"))
	if strings.TrimSpace(string(args)) != "-d tm88 -s -o raw" || !bytes.Equal(data, job) {
		t.Errorf("lp got %q and %d bytes", args, len(data))
	}
	LP = filepath.Join(dir, "missing-lp")
	if err := (&CUPS{}).Print(context.Background(), job); !errors.As(err, new(*Fault)) {
		t.Errorf("missing lp: %v", err)
	}
}

func TestRasterRoundTrip(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, Width, 300)) // black everywhere (Y 0)
	for x := range Width {
		img.Pix[5*img.Stride+x] = 255 // row 5 white
	}
	job := append(append([]byte{0x1B, 0x40}, Raster(img)...), cmdCut...)
	got, cut, err := Decode(job)
	if err != nil || !cut || got.Bounds().Dy() != 300 {
		t.Fatalf("decode %v cut %v: %v", got.Bounds(), cut, err)
	}
	if !bytes.Equal(got.Pix, img.Pix) {
		t.Error("round trip changed the image")
	}
	if bytes.Count(job, []byte{0x1D, 0x76, 0x30}) != 2 {
		t.Error("300 rows should go in two GS v 0 bands")
	}
}

func FuzzDecode(f *testing.F) {
	job, _, err := Job(Receipt{Title: "x", QR: "y"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(job)
	f.Add([]byte{0x1B, 0x40, 0x1D, 0x76, 0x30, 0, 1, 0, 1, 0, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		img, _, err := Decode(b)
		if err == nil && (img.Bounds().Dx() > Width || img.Bounds().Dy() > maxRows) {
			t.Fatalf("decoded %v", img.Bounds())
		}
	})
}

func TestWrap(t *testing.T) {
	fs, err := loadFaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"when your address changes (for example, you move) and more words here to wrap",
		"署名用電子証明書は、次のときに自動的に失効します。引越しなどで住所が変わったとき"} {
		lines := wrap(fs.small, s, 300)
		if len(lines) < 2 {
			t.Errorf("%q: not wrapped: %q", s, lines)
		}
		for _, l := range lines {
			if strings.HasPrefix(l, " ") || font.MeasureString(fs.small, l).Ceil() > 300 {
				t.Errorf("%q: line %q starts with a space or is too wide", s, l)
			}
		}
		if strings.Join(strings.Fields(strings.Join(lines, "")), "") != strings.Join(strings.Fields(s), "") {
			t.Errorf("%q: wrapping lost text: %q", s, lines)
		}
	}
}
