package vcard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// fakeVPCD plays pcscd's vpcd driver: it listens and the card connects.
type fakeVPCD struct {
	ln net.Listener
}

func newFakeVPCD(t *testing.T) *fakeVPCD {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return &fakeVPCD{ln: ln}
}

func (f *fakeVPCD) accept(t *testing.T) net.Conn {
	t.Helper()
	f.ln.(*net.TCPListener).SetDeadline(time.Now().Add(5 * time.Second))
	c, err := f.ln.Accept()
	if err != nil {
		t.Fatalf("card did not connect: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange sends one message and reads the answer.
func exchange(t *testing.T, c net.Conn, msg []byte) []byte {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if err := writeFrame(c, msg); err != nil {
		t.Fatal(err)
	}
	r, err := readFrame(c)
	if err != nil {
		t.Fatalf("reading answer to % X: %v", msg, err)
	}
	return r
}

func serve(t *testing.T, addr string, card *Card) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- (&VPCDServer{Addr: addr, Card: card, Retry: 20 * time.Millisecond, Poll: 10 * time.Millisecond}).Serve(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}

func TestVPCDServe(t *testing.T) {
	f := newFakeVPCD(t)
	card := newTestCard(t, PersonaAdult)
	serve(t, f.ln.Addr().String(), card)
	conn := f.accept(t)

	if atr := exchange(t, conn, []byte{vpcdGetATR}); !bytes.Equal(atr, DefaultATR) {
		t.Fatalf("ATR % X", atr)
	}
	if err := writeFrame(conn, []byte{vpcdPowerOn}); err != nil { // no answer expected
		t.Fatal(err)
	}
	if r := exchange(t, conn, h(selJPKI)); !bytes.Equal(r, []byte{0x90, 0x00}) {
		t.Fatalf("select: % X", r)
	}
	exchange(t, conn, h(selEF(EFAuthPIN)))
	exchange(t, conn, verifyAPDU("1234"))
	if err := writeFrame(conn, []byte{vpcdReset}); err != nil {
		t.Fatal(err)
	}
	exchange(t, conn, h(selJPKI))
	exchange(t, conn, h(selEF(EFAuthPIN)))
	if r := exchange(t, conn, h("00 20 00 80")); !bytes.Equal(r, []byte{0x63, 0xC3}) {
		t.Fatalf("after reset control: % X, want 63C3", r)
	}

	// Removal closes the connection; insertion connects again.
	card.Remove()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := readFrame(conn); !errors.Is(err, io.EOF) {
		t.Fatalf("after Remove: %v, want EOF", err)
	}
	card.Insert()
	conn2 := f.accept(t)
	if atr := exchange(t, conn2, []byte{vpcdGetATR}); !bytes.Equal(atr, DefaultATR) {
		t.Fatalf("ATR after insert % X", atr)
	}

	// A dropped connection (pcscd restarted) is reconnected.
	conn2.Close()
	conn3 := f.accept(t)
	if r := exchange(t, conn3, h(selJPKI)); !bytes.Equal(r, []byte{0x90, 0x00}) {
		t.Fatalf("select after reconnect: % X", r)
	}

	// A fault that pulls the card ends the connection without an answer.
	card.SetFault(FailAt(card.APDUCount()+1, FaultRemoveBefore))
	conn3.SetDeadline(time.Now().Add(5 * time.Second))
	if err := writeFrame(conn3, h(selJPKI)); err != nil {
		t.Fatal(err)
	}
	if _, err := readFrame(conn3); !errors.Is(err, io.EOF) {
		t.Fatalf("after pulled card: %v, want EOF", err)
	}
}

func TestVPCDFrames(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want []byte
		err  bool
	}{
		{"control", []byte{0, 1, 4}, []byte{4}, false},
		{"apdu", []byte{0, 4, 0, 0xB0, 0, 0}, []byte{0, 0xB0, 0, 0}, false},
		{"empty", []byte{0, 0}, nil, true},
		{"short header", []byte{0}, nil, true},
		{"truncated", []byte{0, 5, 1, 2}, nil, true},
	}
	for _, tt := range tests {
		got, err := readFrame(bytes.NewReader(tt.in))
		if (err != nil) != tt.err || !bytes.Equal(got, tt.want) {
			t.Errorf("%s: % X %v", tt.name, got, err)
		}
	}
	var buf bytes.Buffer
	if err := writeFrame(&buf, []byte{0x90, 0x00}); err != nil || !bytes.Equal(buf.Bytes(), []byte{0, 2, 0x90, 0x00}) {
		t.Errorf("write: % X %v", buf.Bytes(), err)
	}
	if err := writeFrame(&buf, make([]byte, maxFrame+1)); err == nil {
		t.Error("oversized frame written")
	}
}
