//go:build !windows

package store

import "encoding/hex"

// sealKey is the key as stored in the file: hex. The file's mode (0600,
// checked at every load) keeps it to the kiosk account.
func sealKey(key []byte) ([]byte, error) { return []byte(hex.EncodeToString(key)), nil }

func unsealKey(b []byte) ([]byte, error) { return hex.DecodeString(string(b)) }
