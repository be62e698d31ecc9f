package vcard

import (
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"sync"
)

// testKeysPEM is a fixed pool of fictional RSA-2048 keys (made by
// genkeys.go) so that a persona costs no key generation. They are public
// test material: nothing may ever trust them.
//
//go:embed testkeys.pem
var testKeysPEM []byte

var (
	poolOnce sync.Once
	pool     []*rsa.PrivateKey
	poolErr  error
)

// poolKey returns key i of the embedded pool.
func poolKey(i int) (*rsa.PrivateKey, error) {
	poolOnce.Do(func() {
		rest := testKeysPEM
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				poolErr = fmt.Errorf("parsing vcard test key %d: %w", len(pool), err)
				return
			}
			rk, ok := k.(*rsa.PrivateKey)
			if !ok {
				poolErr = fmt.Errorf("vcard test key %d is not RSA", len(pool))
				return
			}
			pool = append(pool, rk)
		}
	})
	if poolErr != nil {
		return nil, poolErr
	}
	if i < 0 || i >= len(pool) {
		return nil, fmt.Errorf("vcard test key %d: pool holds %d keys", i, len(pool))
	}
	return pool[i], nil
}
