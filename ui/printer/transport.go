package printer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Fault codes: why a receipt did not print. They go to the audit trail and
// the clerk's dashboard, and are translated as "error.<code>".
const (
	FaultPaperOut    = "PRINTER_PAPER_OUT"
	FaultCoverOpen   = "PRINTER_COVER_OPEN"
	FaultOffline     = "PRINTER_OFFLINE"     // the printer says it is offline, or cannot be reached
	FaultError       = "PRINTER_ERROR"       // the printer reports an error, or the job could not be sent
	FaultNotPrinting = "PRINTER_NOT_PRINTED" // any other failure (bad target, rendering)
)

// Fault is a printer that did not print; Code is one of the Fault* codes.
type Fault struct {
	Code string
	Err  error
}

func (f *Fault) Error() string {
	if f.Err != nil {
		return f.Code + ": " + f.Err.Error()
	}
	return f.Code
}

func (f *Fault) Unwrap() error { return f.Err }

// FaultCode is err's fault code ("" for nil).
func FaultCode(err error) string {
	if err == nil {
		return ""
	}
	var f *Fault
	if errors.As(err, &f) {
		return f.Code
	}
	return FaultNotPrinting
}

// Printer sends a job to one printer.
type Printer interface {
	Print(ctx context.Context, job []byte) error
}

// Open returns the printer for a target:
//
//	tcp://HOST[:PORT]   raw TCP (port 9100 by default), status by DLE EOT
//	cups:QUEUE          a CUPS raw queue (lp -d QUEUE -o raw); "cups:" the default queue
//	spool:NAME          the Windows spooler, RAW data type (Windows only)
//	default             the system's default queue (CUPS or the Windows spooler)
//	PATH                a device (/dev/usb/lp0, COM3) or a file, written as is
func Open(target string) (Printer, error) {
	t := strings.TrimSpace(target)
	switch {
	case t == "":
		return nil, &Fault{Code: FaultNotPrinting, Err: errors.New("no printer set")}
	case strings.HasPrefix(t, "tcp://"):
		addr := strings.TrimPrefix(t, "tcp://")
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(addr, "9100")
		}
		return &TCP{Addr: addr}, nil
	case t == "default":
		return spooler("")
	case strings.HasPrefix(t, "cups:"):
		return &CUPS{Queue: strings.TrimPrefix(t, "cups:")}, nil
	case strings.HasPrefix(t, "spool:"):
		return spooler(strings.TrimPrefix(t, "spool:"))
	}
	return &Device{Path: t}, nil
}

// TCP is a network printer on a raw port (9100). Before each job it asks
// the printer's status with DLE EOT 1, 2 and 4; a printer that does not
// answer a status query in time is printed to anyway.
type TCP struct {
	Addr    string
	Timeout time.Duration // per step; default 3 s
}

// Print implements Printer.
func (p *TCP) Print(ctx context.Context, job []byte) error {
	to := p.Timeout
	if to == 0 {
		to = 3 * time.Second
	}
	d := net.Dialer{Timeout: to}
	c, err := d.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		return &Fault{Code: FaultOffline, Err: err}
	}
	defer c.Close()
	if err := status(c, to); err != nil {
		return err
	}
	c.SetWriteDeadline(time.Now().Add(2 * to))
	if _, err := c.Write(job); err != nil {
		return &Fault{Code: FaultError, Err: err}
	}
	return nil
}

// status asks the real-time status (DLE EOT n) and maps it to a fault. The
// answers have bits 1 and 4 set and bits 0 and 7 clear; an answer that is
// not a status byte, or none, counts as "unknown" (no fault).
func status(c net.Conn, to time.Duration) error {
	ask := func(n byte) (byte, bool) {
		c.SetDeadline(time.Now().Add(to))
		defer c.SetDeadline(time.Time{})
		if _, err := c.Write([]byte{0x10, 0x04, n}); err != nil {
			return 0, false
		}
		var b [1]byte
		if _, err := c.Read(b[:]); err != nil || b[0]&0x93 != 0x12 {
			return 0, false
		}
		return b[0], true
	}
	if s, ok := ask(4); ok && s&0x60 != 0 { // paper roll sensor: paper end
		return &Fault{Code: FaultPaperOut}
	}
	if s, ok := ask(2); ok { // off-line cause
		switch {
		case s&0x04 != 0:
			return &Fault{Code: FaultCoverOpen}
		case s&0x20 != 0:
			return &Fault{Code: FaultPaperOut}
		case s&0x40 != 0:
			return &Fault{Code: FaultError}
		}
	}
	if s, ok := ask(1); ok && s&0x08 != 0 { // printer status: off-line
		return &Fault{Code: FaultOffline}
	}
	return nil
}

// Device is a printer device (USB or serial port) or a file: the job is
// written to it as is (a file is replaced).
type Device struct{ Path string }

// Print implements Printer.
func (p *Device) Print(_ context.Context, job []byte) error {
	f, err := os.OpenFile(p.Path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return &Fault{Code: FaultOffline, Err: err}
	}
	if _, err := f.Write(job); err != nil {
		f.Close()
		return &Fault{Code: FaultError, Err: err}
	}
	if err := f.Close(); err != nil {
		return &Fault{Code: FaultError, Err: fmt.Errorf("closing %s: %w", p.Path, err)}
	}
	return nil
}
