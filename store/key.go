package store

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// The audit key: an HMAC-SHA256 key kept outside the database, in a file
// only the kiosk account can read (0600; on Windows also sealed with DPAPI
// for the kiosk account). Every event written with the key carries
// mac = hex(HMAC-SHA256(key, hash)); since hash chains every event before
// it, one valid mac vouches for the whole trail up to it, and whoever can
// write the database but not read the key can no longer recompute the
// chain. See docs/SECURITY.md ("The audit key").

// KeySize is the length of the audit key in bytes.
const KeySize = 32

// KindChainKeyed marks the first keyed event of a trail that was written
// without a key (an upgraded database): detail from_seq (its own seq) and
// key_id. A trail created keyed starts keyed at seq 1, without a marker.
const KindChainKeyed = "chain_keyed"

// KindRowBound binds a staff, ticket or approval row to the trail when no
// other event does (rows of an upgraded database, staff rows whose last
// event was purged): detail bind and row_hash, as in the events that change
// those rows.
const KindRowBound = "row_bound"

// ErrKeyMissing is a keyed trail opened for writing without its key file.
var ErrKeyMissing = errors.New("store: the audit trail is keyed but its key file is missing")

// ErrKeyFile is a key file that cannot be used (bad contents, readable by
// others, sealed for another account).
var ErrKeyFile = errors.New("store: unusable audit key file")

// DefaultKeyPath is where the audit key lives when Options.KeyPath is "":
// beside the database, as "<database>.key".
func DefaultKeyPath(dbPath string) string { return dbPath + ".key" }

// keyFileHeader starts every key file; the rest is the sealed key
// (sealKey: hex on Unix, base64 of a DPAPI blob on Windows).
const keyFileHeader = "jpki-kiosk-audit-key-v1\n"

// loadKey reads the key file at path; fs.ErrNotExist when there is none.
func loadKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s is readable by others (mode %v): chmod 600 it", ErrKeyFile, path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v (run as the kiosk account, or give --key)", ErrKeyFile, err)
	}
	body, ok := bytes.CutPrefix(b, []byte(keyFileHeader))
	if !ok {
		return nil, fmt.Errorf("%w: %s is not an audit key file", ErrKeyFile, path)
	}
	key, err := unsealKey(bytes.TrimSpace(body))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrKeyFile, path, err)
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w: %s holds %d bytes, want %d", ErrKeyFile, path, len(key), KeySize)
	}
	return key, nil
}

// createKey makes a new random key at path, mode 0600, complete or not at
// all: written to a temporary file and linked into place, so that of two
// processes racing, one wins and the other reads the winner's key.
func createKey(path string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	sealed, err := sealKey(key)
	if err != nil {
		return nil, fmt.Errorf("sealing the audit key: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".audit-key-*")
	if err != nil {
		return nil, fmt.Errorf("creating the audit key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return nil, err
	}
	body := append([]byte(keyFileHeader), append(sealed, '\n')...)
	_, err = tmp.Write(body)
	if err = errors.Join(err, tmp.Sync(), tmp.Close()); err != nil {
		return nil, fmt.Errorf("writing the audit key: %w", err)
	}
	err = os.Link(tmp.Name(), path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// No hard links here (FAT, some shares): create it exclusively.
		err = writeNew(path, body)
	}
	if errors.Is(err, fs.ErrExist) {
		return loadKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the audit key %s: %w", path, err)
	}
	return key, nil
}

// writeNew writes b to a file that must not exist yet, mode 0600, synced.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
	}
	return err
}

// KeyID names a key without revealing it: the first 8 bytes, in hex, of
// HMAC-SHA256(key, "jpki-kiosk key id").
func KeyID(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("jpki-kiosk key id"))
	return hex.EncodeToString(m.Sum(nil)[:8])
}

// EventMAC is the mac of an event with hash h under key:
// hex(HMAC-SHA256(key, h)), h as 64 lower-case hex characters.
func EventMAC(key []byte, h string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(h))
	return hex.EncodeToString(m.Sum(nil))
}

// macOK reports whether mac is the event's under key, in constant time.
func macOK(key []byte, h, mac string) bool {
	return hmac.Equal([]byte(EventMAC(key, h)), []byte(mac))
}

// macChecker checks many macs with one HMAC state (Reset instead of a new
// key schedule per event).
type macChecker struct {
	m        hash.Hash
	sum, hex []byte
}

func newMACChecker(key []byte) macChecker {
	return macChecker{m: hmac.New(sha256.New, key), sum: make([]byte, 0, sha256.Size), hex: make([]byte, 0, 2*sha256.Size)}
}

// ok reports whether mac is the mac of hash h (as EventMAC writes it:
// lower-case hex), in constant time.
func (c *macChecker) ok(h, mac string) bool {
	c.m.Reset()
	c.m.Write([]byte(h))
	c.sum = c.m.Sum(c.sum[:0])
	c.hex = hex.AppendEncode(c.hex[:0], c.sum)
	return hmac.Equal(c.hex, []byte(mac))
}

// Keyed reports whether the store holds its audit key (always, once opened
// for writing; for a read-only store, when the key file was found).
func (s *Store) Keyed() bool { return s.key != nil }

// KeyPath is the audit key file the store uses (or looked for).
func (s *Store) KeyPath() string { return s.keyPath }

// trailKeyed reports whether any event carries a mac.
func trailKeyed(ctx context.Context, q queryer) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM audit_events WHERE mac IS NOT NULL LIMIT 1`).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

type queryer interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// setUpKey loads the key of a store opened for writing, creating it for a
// trail that has none yet, and keys an unkeyed trail from its next event:
// a chain_keyed marker (itself keyed), then a row_bound event for every
// staff, ticket and approval row that no event binds.
func (s *Store) setUpKey(ctx context.Context) error {
	key, err := loadKey(s.keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		keyed, err := trailKeyed(ctx, s.db)
		if err != nil {
			return err
		}
		if keyed {
			return fmt.Errorf("%w: no key at %s (restore it from the backup; a new key would not verify the trail)", ErrKeyMissing, s.keyPath)
		}
		key, err = createKey(s.keyPath)
		if err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	s.key = key
	return s.write(ctx, func(tx *sql.Tx) error {
		keyed, err := trailKeyed(ctx, tx)
		if err != nil || keyed {
			return err
		}
		seq, _, err := chainHead(ctx, tx)
		if err != nil {
			return err
		}
		if seq == 0 {
			return nil // a new trail: keyed from its first event
		}
		if err := s.appendDetail(ctx, tx, 0, KindChainKeyed, Detail{"from_seq": seq + 1, "key_id": KeyID(key)}); err != nil {
			return err
		}
		return s.bindUnboundTx(ctx, tx)
	})
}
