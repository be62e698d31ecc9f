package ui

import (
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

func init() { registerPage(flow.StateIssuing, issuing) }

// issuing shows progress while the issuer writes the certificates and the
// new PINs are set; the card must stay in.
// It shows an activity bar and "do not remove the card".
func issuing(k *Kiosk, s flow.Snapshot) Page {
	tr := k.tr
	return Page{Title: tr.T("screen.issuing.title"), Body: Progress(tr.T("screen.issuing.lead"), tr.T("common.keep_card_in"))}
}
