//go:build windows

package store

import (
	"encoding/base64"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// sealKey protects the key with DPAPI for the current (kiosk) account:
// "dpapi:" and the base64 of CryptProtectData's blob. Only that account, on
// that machine, can unseal it.
func sealKey(key []byte) ([]byte, error) {
	in := windows.DataBlob{Size: uint32(len(key)), Data: &key[0]}
	var out windows.DataBlob
	if err := windows.CryptProtectData(&in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, fmt.Errorf("CryptProtectData: %w", err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	blob := unsafe.Slice(out.Data, out.Size)
	return []byte("dpapi:" + base64.StdEncoding.EncodeToString(blob)), nil
}

func unsealKey(b []byte) ([]byte, error) {
	const prefix = "dpapi:"
	if len(b) <= len(prefix) || string(b[:len(prefix)]) != prefix {
		return nil, fmt.Errorf("not a DPAPI-sealed key")
	}
	blob, err := base64.StdEncoding.DecodeString(string(b[len(prefix):]))
	if err != nil || len(blob) == 0 {
		return nil, fmt.Errorf("malformed DPAPI blob")
	}
	in := windows.DataBlob{Size: uint32(len(blob)), Data: &blob[0]}
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(&in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, fmt.Errorf("CryptUnprotectData (sealed for another account or machine?): %w", err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return append([]byte(nil), unsafe.Slice(out.Data, out.Size)...), nil
}
