//go:build ignore

// Genkeys writes testkeys.pem: the fixed pool of fictional RSA-2048 keys the
// personas use, so that building a persona costs no key generation. Run with
// `go run genkeys.go` in this directory; the keys are public test material.
package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"log"
	"os"
)

const n = 24

func main() {
	f, err := os.Create("testkeys.pem")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for i := range n {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			log.Fatal(err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			log.Fatal(err)
		}
		b := &pem.Block{Type: "PRIVATE KEY", Headers: map[string]string{"Comment": fmt.Sprintf("vcard test key %d: public, fictional, never trust", i)}, Bytes: der}
		if err := pem.Encode(f, b); err != nil {
			log.Fatal(err)
		}
	}
}
