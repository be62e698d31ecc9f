package ui

import (
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// issuing shows progress while the issuer writes the certificates and the
// new PINs are set; the card must stay in.
type issuing struct{ k *Kiosk }

func init() {
	Register(flow.StateIssuing.String(), func(k *Kiosk) Screen { return &issuing{k: k} })
}

// Page shows an activity bar and "do not remove the card".
func (w *issuing) Page(s flow.Snapshot) Page {
	tr := w.k.tr
	return Page{Title: tr.T("screen.issuing.title"), Body: Progress(tr.T("screen.issuing.lead"), tr.T("common.keep_card_in"))}
}
