// Package jlis holds the J-LIS JPKI root certificates (embedded, public
// trust anchors) and tells whether a card's certificate was issued by
// J-LIS, by the kiosk's training CA, or by neither (DESIGN.md §4, "genuine").
// The check verifies signatures: a CA that copies J-LIS's names is not J-LIS.
package jlis

import (
	"bytes"
	"crypto/x509"
	"embed"
	"encoding/pem"
	"fmt"
	"sort"
	"strings"
)

//go:embed *.pem
var files embed.FS

// Root is one J-LIS root: its certificate and generation (2015 or 2023).
type Root struct {
	File       string
	Cert       *x509.Certificate
	Generation int
}

// Roots returns the four embedded J-LIS roots (auth and sign, 2015 and
// 2023), in file-name order.
func Roots() []Root {
	ents, err := files.ReadDir(".")
	if err != nil {
		panic(err)
	}
	var roots []Root
	for _, e := range ents {
		b, _ := files.ReadFile(e.Name())
		c, err := ParsePEM(b)
		if err != nil {
			panic(fmt.Sprintf("jlis: embedded %s: %v", e.Name(), err))
		}
		gen := 2015
		if strings.Contains(e.Name(), "2023") {
			gen = 2023
		}
		roots = append(roots, Root{File: e.Name(), Cert: c, Generation: gen})
	}
	sort.Slice(roots, func(i, j int) bool { return roots[i].File < roots[j].File })
	return roots
}

// ParsePEM parses the first CERTIFICATE block of b.
func ParsePEM(b []byte) (*x509.Certificate, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, fmt.Errorf("no certificate in PEM data")
		}
		if blk.Type == "CERTIFICATE" {
			return x509.ParseCertificate(blk.Bytes)
		}
	}
}

// Verdict is the outcome of a genuine check, as `kioskctl card status
// --genuine` prints it.
type Verdict string

// Verdicts (DESIGN.md §6).
const (
	JLIS     Verdict = "jlis"     // signed by a J-LIS root
	Training Verdict = "training" // signed by the kiosk's training CA
	NotJLIS  Verdict = "not_jlis" // anything else, including a copy of J-LIS's names
)

// Result is a Verdict and, for JLIS, the root's generation.
type Result struct {
	Verdict    Verdict
	Generation int // 2015 or 2023 for JLIS; 0 otherwise
}

// String gives "J-LIS (2023)", "training" or "not J-LIS" (for logs and
// the command line; screens translate the Verdict).
func (r Result) String() string {
	switch r.Verdict {
	case JLIS:
		return fmt.Sprintf("J-LIS (%d)", r.Generation)
	case Training:
		return "training"
	}
	return "not J-LIS"
}

// Checker checks certificates against J-LIS roots and training CAs.
type Checker struct {
	Roots    []Root              // J-LIS anchors; Roots() in production, a test root in tests
	Training []*x509.Certificate // the training CA certificates this kiosk accepts as "training"
}

// Default is a Checker with the embedded J-LIS roots and the given
// training CA certificates.
func Default(training ...*x509.Certificate) Checker {
	return Checker{Roots: Roots(), Training: training}
}

// signedBy reports whether cert names ca as issuer and ca's key verifies
// its signature. Validity dates are not checked: the 2015 roots have
// expired while certificates they signed can still be valid.
func signedBy(cert, ca *x509.Certificate) bool {
	if cert == nil || ca == nil || !bytes.Equal(cert.RawIssuer, ca.RawSubject) {
		return false
	}
	return ca.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil
}

// Check tells who issued cert.
func (k Checker) Check(cert *x509.Certificate) Result {
	for _, r := range k.Roots {
		if signedBy(cert, r.Cert) {
			return Result{Verdict: JLIS, Generation: r.Generation}
		}
	}
	for _, t := range k.Training {
		if signedBy(cert, t) {
			return Result{Verdict: Training}
		}
	}
	return Result{Verdict: NotJLIS}
}

// CheckDER parses a DER certificate and checks it; a certificate that does
// not parse is NotJLIS.
func (k Checker) CheckDER(der []byte) Result {
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return Result{Verdict: NotJLIS}
	}
	return k.Check(c)
}
