package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
)

// Operational messages: start, stop, readers and the PC/SC service coming
// and going, store errors, crashes. On Windows they go to the Event Log
// (source "JPKI Kiosk", registered by the installer), elsewhere to stderr.
// They never carry personal data: every text passes through scrub.

// Event IDs in the Event Log (one per kind of message, for filters).
const (
	evStarted        = 1
	evStopped        = 2
	evStartFailed    = 3
	evReaderAdded    = 10
	evReaderLost     = 11
	evServiceLost    = 12
	evServiceBack    = 13
	evStoreError     = 20
	evCrash          = 30
	opSourceName     = "JPKI Kiosk"
	crashFilePrefix  = "crash-"
	crashReportLimit = 64 << 10
)

// severity of an operational message.
type severity int

const (
	sevInfo severity = iota
	sevWarning
	sevError
)

// opSink is where operational messages go (the Event Log, stderr).
type opSink interface {
	write(sev severity, id uint32, msg string) error
	close() error
}

// opLog writes scrubbed operational messages to a sink. The zero value
// discards them; it is safe for concurrent use.
type opLog struct {
	mu   sync.Mutex
	sink opSink
}

// ops is the program's operational log, opened by main.
var ops = &opLog{}

// log formats and scrubs a message.
func (l *opLog) log(sev severity, id uint32, format string, args ...any) {
	l.write(sev, id, scrub(fmt.Sprintf(format, args...)))
}

func (l *opLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sink != nil {
		_ = l.sink.close()
		l.sink = nil
	}
}

// cardEvent records what an operator needs from a monitor event: readers
// and the service, never cards (a card going in is a resident's business).
func (l *opLog) cardEvent(ev card.Event) {
	reader := nonASCII.ReplaceAllString(ev.Reader, "?") // the hardware's name, kept whole
	switch ev.Kind {
	case card.ReaderAdded:
		l.write(sevInfo, evReaderAdded, "reader connected: "+reader)
	case card.ReaderRemoved:
		l.write(sevWarning, evReaderLost, "reader lost: "+reader)
	case card.ServiceLost:
		why := "unknown"
		var pe *card.PCSCError
		if errors.As(ev.Err, &pe) {
			why = fmt.Sprintf("%s returned 0x%08x", pe.Op, pe.Code)
		} else if ev.Err != nil {
			why = scrub(ev.Err.Error())
		}
		l.write(sevWarning, evServiceLost, "smart-card service lost ("+why+"); waiting for it to return")
	case card.ServiceRestored:
		l.write(sevInfo, evServiceBack, "smart-card service back")
	}
}

// write sends msg as it is: only for texts made of codes and hardware names.
func (l *opLog) write(sev severity, id uint32, msg string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sink != nil {
		_ = l.sink.write(sev, id, msg)
	}
}

// stderrSink writes messages to w, one line each.
type stderrSink struct{ w io.Writer }

func (s stderrSink) write(sev severity, id uint32, msg string) error {
	level := [...]string{"info", "warning", "error"}[sev]
	_, err := fmt.Fprintf(s.w, "jpki-kiosk: %s %d: %s\n", level, id, msg)
	return err
}

func (s stderrSink) close() error { return nil }

var (
	nonASCII = regexp.MustCompile(`[^\x20-\x7e\t\n]+`)
	word     = regexp.MustCompile(`\b0x[0-9a-fA-F]+\b|[A-Za-z0-9]+`)
	digits4  = regexp.MustCompile(`\d{4,}`)
	letter   = regexp.MustCompile(`[A-Za-z]`)
	digit    = regexp.MustCompile(`\d`)
)

// scrub removes from s whatever could be personal data: non-ASCII text
// (names and addresses are Japanese), runs of 4 or more digits (PINs,
// individual numbers, dates, serials) and words shaped like a signature PIN
// (6–16 letters and digits mixed, policy.ValidatePIN). Hex words written
// 0x… stay, for stack traces and PC/SC codes.
func scrub(s string) string {
	s = nonASCII.ReplaceAllString(s, "?")
	return word.ReplaceAllStringFunc(s, func(w string) string {
		switch {
		case strings.HasPrefix(w, "0x"):
			return w
		case len(w) >= 6 && len(w) <= 16 && letter.MatchString(w) && digit.MatchString(w):
			return "<redacted>"
		}
		return digits4.ReplaceAllString(w, "####")
	})
}

var (
	// goroutine frames: "pkg.fn(0x1, 0xc000010000)" → "pkg.fn(...)".
	frameArgs = regexp.MustCompile(`\((0x[0-9a-f]+|\.\.\.|\{[^)]*\})(, (0x[0-9a-f]+|\.\.\.|\{[^)]*\}))*\)$`)
	// "\t/path/file.go:123 +0x1f": keep path and line, whatever the digits.
	fileLine = regexp.MustCompile(`^\t(\S+\.(go|s|c)):(\d+)( \+0x[0-9a-f]+)?$`)
)

// crashReport writes a scrubbed report of a panic: the time, the panic
// value, and the stack with function arguments removed and file:line kept.
func crashReport(w io.Writer, v any, stack []byte, now time.Time) error {
	var b strings.Builder
	fmt.Fprintf(&b, "JPKI kiosk crash report\ntime: %s\npanic: %s\n\n", now.UTC().Format(time.RFC3339), scrub(fmt.Sprint(v)))
	for _, line := range strings.Split(string(stack), "\n") {
		if m := fileLine.FindStringSubmatch(line); m != nil {
			fmt.Fprintf(&b, "\t%s:%s\n", scrub(m[1]), m[3])
			continue
		}
		b.WriteString(scrub(frameArgs.ReplaceAllString(line, "(...)")))
		b.WriteByte('\n')
	}
	out := b.String()
	if len(out) > crashReportLimit {
		out = out[:crashReportLimit] + "\n[truncated]\n"
	}
	_, err := io.WriteString(w, out)
	return err
}

// writeCrashReport writes crash-YYYYMMDD-HHMMSS.txt (mode 0600) into dir
// and returns its path.
func writeCrashReport(dir string, v any, stack []byte, now time.Time) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, crashFilePrefix+now.UTC().Format("20060102-150405")+".txt")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", err
	}
	err = crashReport(f, v, stack, now)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return path, err
}

// onCrash is deferred by main: a panic on the main goroutine (Fyne runs
// every UI callback there) is written as a scrubbed report into dir and to
// the operational log, then the program exits 2.
func onCrash(dir string) {
	v := recover()
	if v == nil {
		return
	}
	stack := debug.Stack()
	path, err := writeCrashReport(dir, v, stack, time.Now())
	if err != nil {
		ops.log(sevError, evCrash, "crashed: %v; crash report not written: %v", v, err)
	} else {
		ops.log(sevError, evCrash, "crashed: %v; report %s", v, path)
	}
	ops.close()
	fmt.Fprintln(os.Stderr, "jpki-kiosk: crashed; report:", path)
	os.Exit(2)
}

// open sets the sink messages go to.
func (l *opLog) open(s opSink) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sink = s
}

// crashDir is where crash reports go: the data directory (-data, else the
// default one), or the temporary directory in demo mode without -data.
func crashDir(c config) string {
	switch {
	case c.data != "":
		return c.data
	case c.demo:
		return os.TempDir()
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return os.TempDir()
	}
	return filepath.Join(dir, "jpki-kiosk")
}

// pendingCrashFile receives the runtime's own report of a fatal error on any
// goroutine (debug.SetCrashOutput) — unscrubbed, so it lives only until the
// next start (Shell Launcher restarts the kiosk at once), which scrubs it
// into a crash report and deletes it.
const pendingCrashFile = "crash-pending.raw"

// catchCrashes turns a pending raw crash output left in dir by the previous
// run into a scrubbed report, then sends this run's fatal errors to a new
// pending file. The returned function (for a clean exit) removes it.
func catchCrashes(dir string) (stop func()) {
	nothing := func() {}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nothing
	}
	pending := filepath.Join(dir, pendingCrashFile)
	if raw, err := os.ReadFile(pending); err == nil && len(raw) > 0 {
		at := time.Now()
		if fi, err := os.Stat(pending); err == nil {
			at = fi.ModTime()
		}
		if path, err := writeCrashReport(dir, "fatal error in the previous run", raw, at); err == nil {
			ops.log(sevError, evCrash, "the previous run crashed; report %s", path)
		}
	}
	_ = os.Remove(pending)
	f, err := os.OpenFile(pending, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nothing
	}
	if err := debug.SetCrashOutput(f, debug.CrashOptions{}); err != nil {
		f.Close()
		return nothing
	}
	return func() {
		_ = debug.SetCrashOutput(nil, debug.CrashOptions{})
		f.Close()
		_ = os.Remove(pending)
	}
}
