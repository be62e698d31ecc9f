//go:build windows

package printer

import (
	"context"
	"fmt"
	"syscall"
	"unsafe"
)

var (
	winspool          = syscall.NewLazyDLL("winspool.drv")
	procOpenPrinter   = winspool.NewProc("OpenPrinterW")
	procClosePrinter  = winspool.NewProc("ClosePrinter")
	procStartDoc      = winspool.NewProc("StartDocPrinterW")
	procEndDoc        = winspool.NewProc("EndDocPrinter")
	procStartPage     = winspool.NewProc("StartPagePrinter")
	procEndPage       = winspool.NewProc("EndPagePrinter")
	procWritePrinter  = winspool.NewProc("WritePrinter")
	procGetDefaultPrn = winspool.NewProc("GetDefaultPrinterW")
)

// docInfo1 is DOC_INFO_1.
type docInfo1 struct {
	docName, outputFile, datatype *uint16
}

// Spooler is a Windows printer queue; the job is sent with the RAW data
// type, so the driver passes the ESC/POS bytes through unchanged. An empty
// Name is the default printer.
type Spooler struct{ Name string }

func spooler(name string) (Printer, error) { return &Spooler{Name: name}, nil }

// CUPS does not exist on Windows; a cups: target is refused when printing.
type CUPS struct{ Queue string }

// Print implements Printer.
func (p *CUPS) Print(context.Context, []byte) error {
	return &Fault{Code: FaultNotPrinting, Err: fmt.Errorf("cups:%s: CUPS is not available on Windows (use spool:NAME)", p.Queue)}
}

// Print implements Printer.
func (p *Spooler) Print(_ context.Context, job []byte) error {
	name := p.Name
	if name == "" {
		var n uint32 = 256
		buf := make([]uint16, n)
		if r, _, err := procGetDefaultPrn.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n))); r == 0 {
			return &Fault{Code: FaultOffline, Err: fmt.Errorf("no default printer: %w", err)}
		}
		name = syscall.UTF16ToString(buf)
	}
	pn, err := syscall.UTF16PtrFromString(name)
	if err != nil {
		return &Fault{Code: FaultNotPrinting, Err: err}
	}
	var h syscall.Handle
	if r, _, err := procOpenPrinter.Call(uintptr(unsafe.Pointer(pn)), uintptr(unsafe.Pointer(&h)), 0); r == 0 {
		return &Fault{Code: FaultOffline, Err: fmt.Errorf("OpenPrinter %q: %w", name, err)}
	}
	defer procClosePrinter.Call(uintptr(h))
	doc, _ := syscall.UTF16PtrFromString("JPKI kiosk receipt")
	raw, _ := syscall.UTF16PtrFromString("RAW")
	di := docInfo1{docName: doc, datatype: raw}
	if r, _, err := procStartDoc.Call(uintptr(h), 1, uintptr(unsafe.Pointer(&di))); r == 0 {
		return &Fault{Code: FaultError, Err: fmt.Errorf("StartDocPrinter: %w", err)}
	}
	defer procEndDoc.Call(uintptr(h))
	if r, _, err := procStartPage.Call(uintptr(h)); r == 0 {
		return &Fault{Code: FaultError, Err: fmt.Errorf("StartPagePrinter: %w", err)}
	}
	defer procEndPage.Call(uintptr(h))
	var written uint32
	r, _, err := procWritePrinter.Call(uintptr(h), uintptr(unsafe.Pointer(&job[0])), uintptr(len(job)), uintptr(unsafe.Pointer(&written)))
	if r == 0 || int(written) != len(job) {
		return &Fault{Code: FaultError, Err: fmt.Errorf("WritePrinter: %d of %d bytes: %w", written, len(job), err)}
	}
	return nil
}
