package card

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// TraceEntry is one APDU exchange as recorded for staff diagnostics.
type TraceEntry struct {
	Command  string        // command APDU in hex, PIN bytes replaced by "<PIN n bytes>"
	Response string        // response APDU in hex, personal data replaced by "<data n bytes>"
	Duration time.Duration // time spent in Transmit
	Err      string        // transport error, if any
}

// Trace is a Transmitter that records every APDU (for staff diagnostics)
// and counts them. It never records a PIN: the data of VERIFY, CHANGE
// REFERENCE DATA and RESET RETRY COUNTER becomes a marker. Responses of
// READ BINARY are kept only for the public files of the JPKI application
// (token, authentication certificate, CA certificates); anything read
// elsewhere (signature certificate, basic-info) becomes a marker too.
type Trace struct {
	next Transmitter

	mu      sync.Mutex
	entries []TraceEntry
	count   int
	keep    int // entries kept (the oldest are dropped); 0 = all

	// What the card has selected, as far as the commands tell.
	app      application
	ef       FileID
	efKnown  bool
	maskNext bool // a GET RESPONSE continues a masked response
}

// NewTrace wraps t. keep bounds the number of entries held (the oldest are
// dropped); 0 keeps all.
func NewTrace(t Transmitter, keep int) *Trace {
	return &Trace{next: t, keep: keep}
}

// Transmit sends apdu through the wrapped transmitter and records it.
func (tr *Trace) Transmit(apdu []byte) ([]byte, error) {
	cmd, maskResp := tr.describe(apdu)
	start := time.Now()
	resp, err := tr.next.Transmit(apdu)
	e := TraceEntry{Command: cmd, Duration: time.Since(start)}
	if err != nil {
		e.Err = err.Error()
	} else {
		e.Response = describeResponse(resp, maskResp)
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.count++
	tr.maskNext = maskResp && err == nil && len(resp) >= 2 && resp[len(resp)-2] == sw1MoreData
	tr.entries = append(tr.entries, e)
	if tr.keep > 0 && len(tr.entries) > tr.keep {
		tr.entries = tr.entries[len(tr.entries)-tr.keep:]
	}
	return resp, err
}

// Reconnect passes a reconnect to the wrapped transmitter.
func (tr *Trace) Reconnect() error {
	rc, ok := tr.next.(Reconnecter)
	if !ok {
		return errors.New("reconnect not supported")
	}
	tr.mu.Lock()
	tr.app, tr.efKnown = appNone, false
	tr.mu.Unlock()
	return rc.Reconnect()
}

// Count returns the number of APDUs sent, GET RESPONSE included.
func (tr *Trace) Count() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.count
}

// Entries returns a copy of the recorded exchanges.
func (tr *Trace) Entries() []TraceEntry {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]TraceEntry(nil), tr.entries...)
}

// WriteTo writes the entries as text, one exchange per line.
func (tr *Trace) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for _, e := range tr.Entries() {
		fmt.Fprintf(&b, "> %s\n", e.Command)
		if e.Err != "" {
			fmt.Fprintf(&b, "! %s (%v)\n", e.Err, e.Duration.Round(time.Microsecond))
		} else {
			fmt.Fprintf(&b, "< %s (%v)\n", e.Response, e.Duration.Round(time.Microsecond))
		}
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// describe renders a command with PIN data masked, follows selections, and
// tells whether the response must be masked.
func (tr *Trace) describe(apdu []byte) (string, bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(apdu) < 4 {
		return hexBytes(apdu), false
	}
	cla, ins, p1, p2 := apdu[0], apdu[1], apdu[2], apdu[3]
	var data []byte
	if len(apdu) > 5 && int(apdu[4]) <= len(apdu)-5 {
		data = apdu[5 : 5+int(apdu[4])]
	}
	if (ins == insVerify || ins == insChangeRefData || ins == INSResetRetry) && p2&0x80 != 0 && p2&0x1F != 0 {
		tr.ef, tr.efKnown = FileID(p2&0x1F), true // a PIN EF named by short file id becomes current
	}
	switch ins {
	case insVerify, insChangeRefData, INSResetRetry:
		if len(apdu) > 5 { // everything after Lc is PIN, unless Lc tells otherwise
			n, rest := len(apdu)-5, []byte(nil)
			if len(data) > 0 {
				n, rest = len(data), apdu[5+len(data):]
			}
			s := hexBytes(apdu[:5]) + fmt.Sprintf(" <PIN %d bytes>", n)
			if len(rest) > 0 {
				s += " " + hexBytes(rest)
			}
			return s, false
		}
	}
	if cla != claISO && cla != claJPKI {
		// Another logical channel (CLA 01–03), secure messaging or
		// chaining: we cannot follow its selections, so mask what it reads
		// and forget what channel 0 had selected (a guess that fails safe).
		tr.app, tr.efKnown = appNone, false
		return hexBytes(apdu), true
	}
	switch ins {
	case INSSelect:
		tr.followSelect(p1, p2, data)
	case INSReadBinary:
		if p1&0x80 != 0 { // short file id: that EF becomes current
			tr.ef, tr.efKnown = FileID(p1&0x1F), true
		}
		return hexBytes(apdu), !tr.publicFile()
	case insGetResponse:
		return hexBytes(apdu), tr.maskNext
	}
	return hexBytes(apdu), false
}

// followSelect tracks SELECT: only the forms the package itself sends are
// followed (a whole AID, 02 0C with a file id); anything else (P1 00, a
// prefix of an AID, a path) leaves the application unknown, so that reads
// are masked until a known SELECT.
func (tr *Trace) followSelect(p1, p2 byte, data []byte) {
	if p2 != selectNoFCI {
		tr.app, tr.efKnown = appNone, false
		return
	}
	switch p1 {
	case selectByDFName:
		tr.efKnown = false
		switch {
		case bytes.Equal(data, AIDJPKI[:]):
			tr.app = appJPKI
		case bytes.Equal(data, aidBasicInfo[:]):
			tr.app = appBasicInfo
		default:
			tr.app = appNone
		}
	case selectEFUnderDF:
		if len(data) == 2 {
			tr.ef, tr.efKnown = FileID(data[0])<<8|FileID(data[1]), true
		} else {
			tr.efKnown = false
		}
	default:
		tr.app, tr.efKnown = appNone, false
	}
}

// publicFile tells whether the selected file holds nothing personal.
func (tr *Trace) publicFile() bool {
	if tr.app != appJPKI || !tr.efKnown {
		return false
	}
	switch tr.ef {
	case EFToken, EFAuthCert, EFAuthCA, EFSignCA:
		return true
	}
	return false
}

func describeResponse(resp []byte, mask bool) string {
	if !mask || len(resp) <= 2 {
		return hexBytes(resp)
	}
	n := len(resp) - 2
	return fmt.Sprintf("<data %d bytes> %s", n, hexBytes(resp[n:]))
}

func hexBytes(b []byte) string {
	return fmt.Sprintf("% X", b)
}
