package ui

import (
	"bytes"
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

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/printer"
	"github.com/jpki-kiosk/kiosk/ui/samples"
)

// loopPrinter is a receipt printer on a loopback TCP port: it answers the
// DLE EOT status queries with status[n] until the job starts, then keeps
// the job.
type loopPrinter struct {
	ln     net.Listener
	mu     sync.Mutex
	status map[byte]byte
	jobs   [][]byte
}

func newLoopPrinter(t *testing.T) *loopPrinter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &loopPrinter{ln: ln, status: map[byte]byte{1: 0x16, 2: 0x12, 4: 0x12}}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.serve(c)
		}
	}()
	return p
}

func (p *loopPrinter) serve(c net.Conn) {
	defer c.Close()
	var h [3]byte
	for {
		if _, err := io.ReadFull(c, h[:2]); err != nil {
			return
		}
		if h[0] == 0x10 && h[1] == 0x04 {
			io.ReadFull(c, h[2:])
			p.mu.Lock()
			a := p.status[h[2]]
			p.mu.Unlock()
			c.Write([]byte{a})
			continue
		}
		rest, _ := io.ReadAll(c)
		p.mu.Lock()
		p.jobs = append(p.jobs, append(h[:2:2], rest...))
		p.mu.Unlock()
		return
	}
}

func (p *loopPrinter) target() string { return "tcp://" + p.ln.Addr().String() }

// count is the number of jobs received. A job the kiosk has sent may still
// be on its way through loopback: count waits up to 5 s for at least want.
func (p *loopPrinter) count(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		n := len(p.jobs)
		p.mu.Unlock()
		if n >= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// sample returns the sample snapshot in state st.
func sample(t *testing.T, st flow.State) flow.Snapshot {
	t.Helper()
	for _, s := range samples.Snapshots() {
		if s.State == st {
			return s
		}
	}
	t.Fatalf("no sample for %v", st)
	return flow.Snapshot{}
}

// settingsScreen signs the supervisor in and opens the settings.
func (r *staffRig) settingsScreen() *staffSettings {
	r.t.Helper()
	r.k.staff(StaffMenu)
	r.signIn("super1", staffPW)
	r.tap("staff.tile.settings")
	r.screen(idStaffSettings)
	return r.k.Screen().(*staffSettings)
}

// showResident leaves staff mode and shows snapshot s as the flow's.
func (r *staffRig) showResident(s flow.Snapshot) {
	r.t.Helper()
	if r.k.override != "" {
		r.tap("staff.signout")
	}
	r.k.ShowFlow()
	r.s.snap = s
	r.k.Refresh()
	r.k.WaitPrinting()
}

// hasQR reports whether the screen shows the receipt's QR code.
func (r *staffRig) hasQR() bool {
	for _, o := range test.LaidOutObjects(r.w.Canvas().Content()) {
		if img, ok := o.(*canvas.Image); ok && img.Visible() && img.Resource != nil && img.Resource.Name() == "receipt-qr.png" {
			return true
		}
	}
	return false
}

func zbar(t *testing.T, job []byte) string {
	t.Helper()
	img, cut, err := printer.Decode(job)
	if err != nil || !cut {
		t.Fatalf("printed job: cut %v, %v", cut, err)
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	p := filepath.Join(t.TempDir(), "paper.png")
	os.WriteFile(p, b.Bytes(), 0o600)
	out, _ := exec.Command("zbarimg", "--quiet", "--raw", p).Output() // exit 4: no code found
	return strings.TrimSpace(string(out))
}

// TestSettingLanguages: removing English on the staff screen removes it from
// the resident's language chooser at once.
func TestSettingLanguages(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	r.settingsScreen()
	r.tap("staff.settings.lang.en")
	r.tap("staff.settings.save")
	r.showResident(statusSnap())
	r.k.onLanguage()
	if r.k.Button("lang.en") != nil || r.k.Button("lang.ja") == nil || r.k.Button("lang.pt-BR") == nil {
		t.Errorf("chooser offers en %v, ja %v, pt-BR %v; want ja and pt-BR only",
			r.k.Button("lang.en") != nil, r.k.Button("lang.ja") != nil, r.k.Button("lang.pt-BR") != nil)
	}
	// A language no longer offered is left for Japanese.
	r.k.tr.SetLang("pt-BR")
	r.settingsScreen()
	r.tap("staff.settings.lang.pt-BR")
	r.tap("staff.settings.save")
	if r.k.tr.Lang() != "ja" {
		t.Errorf("language %s after pt-BR was removed, want ja", r.k.tr.Lang())
	}
}

// TestSettingReceiptPrinting: turning printing on and setting the printer on
// the staff screen prints the next receipt there; the QR code setting takes
// it off screen and paper; printing off prints nothing.
func TestSettingReceiptPrinting(t *testing.T) {
	lp := newLoopPrinter(t)
	r := newStaffRig(t, "moriya", statusSnap())
	rc := sample(t, flow.StateReceipt)
	r.showResident(rc)
	if lp.count(0) != 0 {
		t.Fatal("printed before printing was turned on")
	}
	s := r.settingsScreen()
	r.tap("staff.settings.receipt_print.on")
	s.PrinterEntry().SetText(lp.target())
	r.tap("staff.settings.save")
	rc.Seq++
	rc.Receipt.Ticket = 18
	r.showResident(rc)
	if n := lp.count(1); n != 1 {
		t.Fatalf("%d jobs printed, want 1", n)
	}
	if got := zbar(t, lp.jobs[0]); got != rc.Receipt.QR {
		t.Errorf("printed QR %q, want %q", got, rc.Receipt.QR)
	}
	r.see(r.tr("screen.receipt.printed"))
	if !r.hasQR() {
		t.Error("the screen lacks the QR code")
	}
	// The same receipt shown again is not printed again.
	r.k.Refresh()
	r.k.WaitPrinting()
	if n := lp.count(0); n != 1 { // nothing was sent: no wait
		t.Errorf("%d jobs after a refresh, want 1", n)
	}

	r.settingsScreen()
	r.tap("staff.settings.receipt_qr.off")
	r.tap("staff.settings.save")
	rc.Receipt.Ticket = 19
	r.showResident(rc)
	if n := lp.count(2); n != 2 {
		t.Fatalf("%d jobs, want 2", n)
	}
	if got := zbar(t, lp.jobs[1]); got != "" || r.hasQR() {
		t.Errorf("QR off: paper holds %q, screen has a code: %v", got, r.hasQR())
	}

	r.settingsScreen()
	r.tap("staff.settings.receipt_print.off")
	r.tap("staff.settings.save")
	rc.Receipt.Ticket = 20
	r.showResident(rc)
	if n := lp.count(0); n != 2 { // nothing was sent: no wait
		t.Errorf("printing off: %d jobs, want 2", n)
	}
}

// TestPrinterFault: a printer out of paper leaves the session going, tells
// the resident to note the ticket number, shows the fault on the clerk's
// dashboard and audits it with a code.
func TestPrinterFault(t *testing.T) {
	lp := newLoopPrinter(t)
	lp.status = map[byte]byte{1: 0x1E, 2: 0x32, 4: 0x72}
	r := newStaffRig(t, "moriya", statusSnap())
	s := r.settingsScreen()
	r.tap("staff.settings.receipt_print.on")
	s.PrinterEntry().SetText(lp.target())
	r.tap("staff.settings.save")
	r.showResident(sample(t, flow.StateReceipt))
	r.screen(flow.StateReceipt.String())
	r.see(r.tr("screen.receipt.print_failed"))
	if r.k.Button("finish") == nil {
		t.Error("the receipt lost its finish button")
	}
	var n int
	r.st.DB().QueryRow(`SELECT COUNT(*) FROM audit_events WHERE kind = ? AND json_extract(detail_json, '$.code') = ?`,
		KindPrinterFault, printer.FaultPaperOut).Scan(&n)
	if n != 1 {
		t.Errorf("%d printer faults audited, want 1", n)
	}
	r.k.staff(StaffMenu)
	r.signIn("clerk1", staffPW)
	r.tap("staff.tile.dashboard")
	r.screen(idStaffDashboard)
	r.see(r.tr("staff.dash.printer_fault", "Fault", r.tr("staff.printer."+printer.FaultPaperOut)))
}

// TestSettingProfile: choosing another profile on the staff screen swaps the
// profile the counter cases use and tells the program (which swaps the
// flow's rules, hours and documents: cmd/jpki-kiosk's test).
func TestSettingProfile(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	r.settingsScreen()
	r.tap("staff.settings.profile.kakamigahara")
	r.tap("staff.settings.save")
	if r.desk.counter.Profile.ID != "kakamigahara" || len(r.saved) != 1 || r.saved[0].Profile != "kakamigahara" {
		t.Errorf("counter profile %s, callbacks %+v", r.desk.counter.Profile.ID, r.saved)
	}
}

// TestSettingsShowOnlyWhatTakesEffect: the printer field appears only with
// printing on; the profile choice only for an embedded profile.
func TestSettingsShowOnlyWhatTakesEffect(t *testing.T) {
	r := newStaffRig(t, "moriya", statusSnap())
	s := r.settingsScreen()
	entryShown := func() bool {
		for _, o := range test.LaidOutObjects(r.w.Canvas().Content()) {
			if o == s.PrinterEntry() && o.Visible() {
				return true
			}
		}
		return false
	}
	if entryShown() {
		t.Error("the printer field shows while printing is off")
	}
	r.tap("staff.settings.receipt_print.on")
	if !entryShown() {
		t.Error("the printer field is missing with printing on")
	}
	if r.k.Button("staff.settings.profile.kakamigahara") == nil {
		t.Error("no profile choice for an embedded profile")
	}
	r.desk.settings.Profile = "custom-file"
	r.k.rebuild()
	if r.k.Button("staff.settings.profile.kakamigahara") != nil {
		t.Error("a profile choice is offered to a kiosk running a profile file")
	}
}
