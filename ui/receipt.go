package ui

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// receipt is the end of a service (RECEIPT after issuance, PIN_CHANGED after
// a PIN change): what was done, new expiry dates, fee, ticket number, and a
// QR code the counter can scan. Nothing personal is on it.
type receipt struct{ k *Kiosk }

func init() {
	for _, st := range []flow.State{flow.StateReceipt, flow.StatePINChanged} {
		Register(st.String(), func(k *Kiosk) Screen { return &receipt{k: k} })
	}
}

// Page shows the receipt beside its QR code.
func (r *receipt) Page(s flow.Snapshot) Page {
	tr := r.k.tr
	key := "screen.receipt." + s.State.String()
	compact := r.k.Compact() // the 1280×800 terminal
	lead := Heading(tr.T(key + ".lead"))
	qrSize, maxLabel := 360, float32(560)
	if compact {
		lead.SizeName = theme.SizeNameSubHeadingText
		qrSize, maxLabel = 200, 440
	}
	rows := []fyne.CanvasObject{lead}
	if compact && s.Receipt != nil && len(s.Receipt.Done) > 0 {
		rows = nil // the title and the "done" lines say it already
	}
	type pair struct{ label, value string }
	var pairs []pair
	var facts []fyne.CanvasObject
	fact := func(label, value string) {
		pairs = append(pairs, pair{label, value})
		facts = append(facts, nil) // filled below, once the label column's width is known
	}
	var qr fyne.CanvasObject
	if rc := s.Receipt; rc != nil {
		for _, d := range rc.Done {
			facts = append(facts, Strong("✓ "+tr.T("done."+d)))
		}
		for _, c := range []flow.Cert{flow.CertSign, flow.CertAuth} { // as on the status screen
			if _, ok := rc.NewExpiry[c]; !ok {
				continue
			}
			fact(tr.T("screen.receipt.new_expiry", "Cert", tr.T("cert."+c.String()+".name")), tr.Date(rc.NewExpiry[c]))
		}
		if rc.Service == flow.ServicePrepare {
			if rc.FeeYen == 0 {
				fact(tr.T("screen.eligibility.fee"), tr.T("screen.eligibility.free"))
			} else {
				fact(tr.T("screen.eligibility.fee"), tr.Yen(rc.FeeYen))
			}
		}
		if rc.Ticket > 0 {
			fact(tr.T("ticket.label"), strconv.Itoa(rc.Ticket))
		}
		if !rc.Date.IsZero() {
			fact(tr.T("screen.receipt.date"), tr.Date(rc.Date))
		}
		for _, o := range rc.Outstanding {
			facts = append(facts, Emphasis(tr.T("error."+o), theme.ColorNameError))
		}
		if rc.QR != "" && !r.k.print.noQR {
			qr = QRCode(rc.QR, qrSize)
		}
		if text, fault := r.k.printNotice(rc); fault {
			facts = append(facts, WarningPanel(text))
		} else if text != "" {
			facts = append(facts, Strong(text))
		}
	}
	// The label column is as wide as the longest label, up to maxLabel.
	th := fyne.CurrentApp().Settings().Theme()
	var labelW float32
	for _, p := range pairs {
		labelW = max(labelW, fyne.MeasureText(p.label, th.Size(theme.SizeNameText), fyne.TextStyle{}).Width+2*th.Size(theme.SizeNameInnerPadding)+4)
	}
	labelW = min(labelW, maxLabel)
	for i, j := 0, 0; i < len(facts); i++ {
		if facts[i] == nil {
			facts[i] = container.NewBorder(nil, nil, AtLeast(Body(pairs[j].label), labelW, 0), nil, Strong(pairs[j].value))
			j++
		}
	}
	after := Body(tr.T(key + ".after"))
	rows = append(rows, Panel(colCardSurface, container.NewVBox(facts...)))
	var side []fyne.CanvasObject
	if qr != nil {
		caption := Body(tr.T("screen.receipt.qr_caption"))
		caption.Alignment = fyne.TextAlignCenter
		side = []fyne.CanvasObject{qr, AtLeast(caption, float32(qrSize)*1.5, 0)}
	}
	if compact && qr != nil {
		side = append(side, after) // under the code: the facts take the height
	} else {
		rows = append(rows, after)
	}
	var body fyne.CanvasObject = container.NewVBox(rows...)
	if len(side) > 0 {
		body = container.NewBorder(nil, nil, nil, container.NewVBox(side...), body)
	}
	// The resident usually leaves here: "Finish" is the primary action,
	// another service through the menu the secondary one.
	page := Page{Title: tr.T(key + ".title"), Body: body,
		Primary: &Action{ID: "finish", Label: tr.T("action.finish"), Icon: theme.LogoutIcon(), Do: r.onFinish}}
	if s.CanContinue {
		page.Secondary = []Action{{ID: "next", Label: tr.T("action.to_menu"), Icon: theme.HomeIcon(), Do: func() { r.k.Send(flow.Next{}) }}}
	}
	return page
}

// onFinish ends the session in one tap. The flow has no event that ends a
// session on the receipt: Cancel there returns to the menu, where Cancel
// ends the session. So Finish sends Cancel, and Cancel again when the flow
// went to the menu; once the flow ends the session on the first Cancel, the
// second is not sent.
func (r *receipt) onFinish() {
	r.k.Send(flow.Cancel{})
	if r.k.snap.State == flow.StateStatus {
		r.k.Send(flow.Cancel{})
	}
}

// QRCode renders data as a QR code of size×size pixels (medium error
// correction), or a note when it cannot be encoded.
func QRCode(data string, size int) fyne.CanvasObject {
	png, err := qrcode.Encode(data, qrcode.Medium, size)
	if err != nil {
		return widget.NewLabel("QR: " + err.Error())
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource("receipt-qr.png", png))
	img.FillMode = canvas.ImageFillContain
	img.ScaleMode = canvas.ImageScalePixels
	img.SetMinSize(fyne.NewSize(float32(size), float32(size)))
	return img
}
