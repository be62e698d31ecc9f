package ui

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
	"github.com/jpki-kiosk/kiosk/ui/i18n"
	"github.com/jpki-kiosk/kiosk/ui/paper"
	"github.com/jpki-kiosk/kiosk/ui/printer"
)

// printing is the kiosk's receipt printer state: the settings in force and
// the outcome of the last receipt printed.
type printing struct {
	on      bool   // print each receipt
	target  string // printer target (printer.Open)
	noQR    bool   // leave the QR code off the receipt (screen and paper)
	langs   []string
	lastKey string // the receipt last sent to the printer
	fault   string // its fault code ("" printed, or not printed yet)
	done    bool   // the printer answered for lastKey
	onPrint func(code string)
	wg      sync.WaitGroup
}

// ApplySettings puts the settings the kiosk shows into force at once: the
// scrambled keypad, the languages the chooser offers, and whether, with or
// without a QR code and on which printer, the next receipt is printed.
func (k *Kiosk) ApplySettings(s staff.Settings) {
	k.opts.Scramble = s.Scramble
	k.print.on, k.print.target, k.print.noQR = s.ReceiptPrint, s.Printer, !s.ReceiptQR
	k.print.langs = slices.Clone(s.Languages)
	if len(k.print.langs) > 0 && !slices.Contains(k.print.langs, k.tr.Lang()) {
		k.tr.SetLang(k.print.langs[0]) // rebuilds
		return
	}
	k.rebuild()
}

// Offered lists the languages the resident may choose: the catalogue's
// languages named in the settings (all of them before settings apply).
func (k *Kiosk) Offered() []i18n.Language {
	all := k.tr.Languages()
	if len(k.print.langs) == 0 {
		return all
	}
	out := make([]i18n.Language, 0, len(all))
	for _, l := range all {
		if slices.Contains(k.print.langs, l.Tag) {
			out = append(out, l)
		}
	}
	return out
}

// PrinterFault is the fault code of the last receipt that did not print
// ("" when it printed or nothing was printed).
func (k *Kiosk) PrinterFault() string { return k.print.fault }

// WaitPrinting waits until the receipt being printed has printed or failed
// (tests, screenshots).
func (k *Kiosk) WaitPrinting() { k.print.wg.Wait() }

// onPrinted registers f to hear each receipt's printing outcome: "" printed,
// else a printer fault code. Staff mode audits it.
func (k *Kiosk) onPrinted(f func(code string)) { k.print.onPrint = f }

// receiptKey identifies one receipt of one session.
func receiptKey(rc *flow.Receipt) string {
	return fmt.Sprint(rc.QR, rc.Done, rc.Ticket, rc.Date.Unix())
}

// maybePrint sends a receipt shown for the first time to the printer, when
// printing is on. The session goes on whatever the printer does: the result
// comes back on the UI goroutine and the receipt screen tells the resident.
func (k *Kiosk) maybePrint(s flow.Snapshot) {
	rc := s.Receipt
	if rc == nil || !k.print.on || (s.State != flow.StateReceipt && s.State != flow.StatePINChanged) {
		return
	}
	key := receiptKey(rc)
	if key == k.print.lastKey {
		return
	}
	k.print.lastKey, k.print.fault, k.print.done = key, "", false
	r := paper.Receipt(k.tr, s, !k.print.noQR)
	target := k.print.target
	k.print.wg.Add(1)
	go func() {
		defer k.print.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		job, _, err := printer.Job(r)
		if err == nil {
			var p printer.Printer
			if p, err = printer.Open(target); err == nil {
				err = p.Print(ctx, job)
			}
		}
		code := printer.FaultCode(err)
		doUI(func() { k.printed(key, code) })
	}()
}

// doUI runs f on the UI goroutine (in Fyne's test app: at once).
func doUI(f func()) { fyne.Do(f) }

func (k *Kiosk) printed(key, code string) {
	if key != k.print.lastKey {
		return
	}
	k.print.fault, k.print.done = code, true
	if k.print.onPrint != nil {
		k.print.onPrint(code)
	}
	if s := k.snap.State; k.override == "" && (s == flow.StateReceipt || s == flow.StatePINChanged) {
		k.rebuild()
	}
}

// printNotice is what the receipt screen says about the paper receipt for
// the receipt shown: "" when nothing was printed (or not yet).
func (k *Kiosk) printNotice(rc *flow.Receipt) (text string, fault bool) {
	if rc == nil || !k.print.on || !k.print.done || receiptKey(rc) != k.print.lastKey {
		return "", false
	}
	if k.print.fault != "" {
		return k.tr.T("screen.receipt.print_failed"), true
	}
	return k.tr.T("screen.receipt.printed"), false
}
