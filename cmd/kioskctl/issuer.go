package main

import (
	"fmt"
	"path/filepath"

	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// issuerInitOut is the `issuer init --json` answer.
type issuerInitOut struct {
	Data      string `json:"data"`
	IssuerKey string `json:"issuer_key"` // the public key `vcard serve --data` trusts
}

// runIssuerInit creates (or opens) the training issuer's data directory, so a
// virtual card can be served that trusts it before the first issuance.
func runIssuerInit(e *env, args []string) error {
	fl := newFlags(e, "issuer init")
	dataDir := fl.String("data", "", "kiosk data directory to create (required)")
	asJSON := fl.Bool("json", false, "print a JSON object")
	if err := parseFlags(fl, args); err != nil {
		return err
	}
	if *dataDir == "" {
		return usagef("--data DIR is required")
	}
	if _, err := issue.NewTraining(*dataDir); err != nil {
		return &refusal{Code: "ISSUER_INIT_FAILED", Message: err.Error(), JSON: *asJSON}
	}
	out := issuerInitOut{Data: *dataDir, IssuerKey: filepath.Join(*dataDir, vcard.IssuerKeyFile)}
	if *asJSON {
		writeJSON(e.stdout, out)
		return nil
	}
	fmt.Fprintf(e.stdout, "training issuer ready in %s\nissuer key: %s (serve a card that trusts it: kioskctl vcard serve --data %s)\n",
		out.Data, out.IssuerKey, out.Data)
	return nil
}
