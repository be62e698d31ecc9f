package issue

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
)

// StepState is how far one step of an issuance got.
type StepState string

// Step states. A step is marked Sent before its command goes to the card
// and Done after the card accepted it, so that a crash or a pulled card
// leaves an honest record: Sent means "the card may or may not have done it".
const (
	StepNone StepState = ""
	StepSent StepState = "sent"
	StepDone StepState = "done"
)

// Entry states.
const (
	EntryOpen        = "open"        // an issuance is running
	EntryInterrupted = "interrupted" // it stopped with the card changed: resume it
	EntryPINPending  = "pin_pending" // certificates written, a PIN still to set
)

// JournalCert is the progress of one certificate of an issuance.
type JournalCert struct {
	Cert     Cert        `json:"cert"`
	NotAfter policy.Date `json:"not_after"`
	Key      StepState   `json:"key"`                // GENERATE ASYMMETRIC KEY PAIR
	Write    StepState   `json:"write"`              // SELECT + UPDATE BINARY of the certificate
	CAWrite  StepState   `json:"ca_write,omitempty"` // UPDATE BINARY of its CA certificate EF (sent: the EF may be torn)
	PIN      StepState   `json:"pin"`                // RESET RETRY COUNTER (the kiosk's step)
	Serial   string      `json:"serial,omitempty"`   // the certificate being (or last) written
	// NotBefore is the written certificate's start of validity.
	NotBefore time.Time `json:"not_before,omitzero"`
}

// Entry is the journal of one issuance on one card: which step of which
// certificate is done. It holds no personal data and no PIN: the card is
// named by a salted hash of its serial, the certificates by serial number.
type Entry struct {
	ID        string        `json:"id"`
	Card      string        `json:"card"`    // hash of the card serial
	Issuer    string        `json:"issuer"`  // training or gateway
	Purpose   Purpose       `json:"purpose"` // renew or new
	Approval  Approval      `json:"approval"`
	State     string        `json:"state"`
	Session   string        `json:"session,omitempty"` // the backend's session ID
	Certs     []JournalCert `json:"certs"`
	Abandoned []string      `json:"abandoned_serials,omitempty"` // issued, never fully written: to revoke
	LastError string        `json:"last_error,omitempty"`        // a code (Code), never error text
	Created   time.Time     `json:"created"`
	Updated   time.Time     `json:"updated"`
}

// cert returns the progress record of c, or nil.
func (e *Entry) cert(c Cert) *JournalCert {
	for i := range e.Certs {
		if e.Certs[i].Cert == c {
			return &e.Certs[i]
		}
	}
	return nil
}

// CardChanged reports whether any state-changing command may have reached
// the card (a key generation, a certificate or CA certificate write was at
// least sent), or a PIN reset was at least sent.
func (e *Entry) CardChanged() bool {
	for _, c := range e.Certs {
		if c.Key != StepNone || c.Write != StepNone || c.CAWrite != StepNone || c.PIN != StepNone {
			return true
		}
	}
	return false
}

// Resume names what a resume does for each unfinished certificate:
// "sign: generate key, write certificate" (a certificate not completely
// written gets a fresh key) or "auth: set pin"; "" when every step is done.
func (e *Entry) Resume() string {
	var parts []string
	for _, c := range e.Certs {
		switch {
		case e.Purpose == PINReset:
			if c.PIN != StepDone {
				parts = append(parts, string(c.Cert)+": reset pin")
			}
		case c.Write != StepDone: // a resume generates a fresh key for a certificate not fully written
			parts = append(parts, string(c.Cert)+": generate key, write certificate")
		case c.PIN != StepDone:
			parts = append(parts, string(c.Cert)+": set pin")
		}
	}
	return strings.Join(parts, ", ")
}

// Journal keeps the entries of unfinished issuances in DIR/journal, one
// small JSON file per card, written atomically (temporary file + rename)
// with mode 0600. A finished issuance's entry is removed.
type Journal struct {
	dir string
	mu  sync.Mutex
}

// OpenJournal opens (creating with mode 0700) the journal under dataDir.
func OpenJournal(dataDir string) (*Journal, error) {
	dir := filepath.Join(dataDir, "journal")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("opening the issuance journal: %w", err)
	}
	return &Journal{dir: dir}, nil
}

// cardKey names a card in the journal without storing its serial.
func cardKey(serial []byte) string {
	h := sha256.Sum256(append([]byte("jpki-kiosk journal card\x00"), serial...))
	return hex.EncodeToString(h[:12])
}

func newEntryID(now time.Time) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func (j *Journal) path(card string) string { return filepath.Join(j.dir, card+".json") }

// Load returns the unfinished entry of a card (by its key), or nil.
func (j *Journal) load(card string) (*Entry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	b, err := os.ReadFile(j.path(card))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the issuance journal: %w", err)
	}
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil {
		return nil, fmt.Errorf("issuance journal %s is damaged: %w", j.path(card), err)
	}
	return &e, nil
}

// save writes e atomically.
func (j *Journal) save(e *Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.Updated = time.Now().UTC()
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(j.path(e.Card), append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("writing the issuance journal: %w", err)
	}
	return nil
}

// remove deletes a finished entry.
func (j *Journal) remove(e *Entry) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := os.Remove(j.path(e.Card)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("closing the issuance journal: %w", err)
	}
	return nil
}

// Pending lists the unfinished issuances, oldest first: what staff must
// resume (the card must come back to the kiosk).
func (j *Journal) Pending() ([]Entry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	names, err := filepath.Glob(filepath.Join(j.dir, "*.json"))
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var e Entry
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, fmt.Errorf("issuance journal %s is damaged: %w", n, err)
		}
		out = append(out, e)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Created.Before(out[b].Created) })
	return out, nil
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, synced and renamed over path, so a crash leaves the old or the
// new content, never a mix.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync() // best effort: not supported on every platform
		d.Close()
	}
	return nil
}
