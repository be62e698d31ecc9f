package demo

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// DeclineReason is the reason code the panel's clerk gives when declining.
const DeclineReason = "IDENTITY_NOT_CONFIRMED"

// Panel is the demo operator's window: insert or remove any persona's card,
// unplug the reader, and act as the clerk who approves or declines a
// prepared request. Operator texts are bilingual (Japanese / English).
type Panel struct {
	k      *ui.Kiosk
	reader *Reader
	win    fyne.Window
	status *widget.Label
	plug   *widget.Check
	creds  *widget.Label

	desk    *ui.StaffDesk
	staffID string
}

// NewPanel opens the operator panel as a second window of a.
func NewPanel(a fyne.App, k *ui.Kiosk, r *Reader) *Panel {
	p := &Panel{k: k, reader: r, win: a.NewWindow("デモ操作パネル / Demo operator panel")}
	p.win.SetContent(p.build())
	p.win.Resize(fyne.NewSize(760, 1000))
	p.win.SetCloseIntercept(func() {}) // closing the panel would strand the demo
	k.OnRender(func(string) { p.refresh() })
	return p
}

// Show shows the panel window.
func (p *Panel) Show() { p.win.Show() }

func (p *Panel) build() fyne.CanvasObject {
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	var rows []fyne.CanvasObject
	for _, info := range Personas() {
		info := info
		b := widget.NewButton(info.Name, func() { p.onInsert(info.Name) })
		b.Importance = widget.HighImportance
		pins := fmt.Sprintf("PIN: auth %s / sign %s / basic %s", dash(info.AuthPIN), dash(info.SignPIN), dash(info.BasicPIN))
		d := widget.NewLabel(info.Description + "\n" + pins)
		d.Wrapping = fyne.TextWrapWord
		rows = append(rows, container.NewBorder(nil, nil, ui.AtLeast(b, 240, ui.MinTarget), nil, d))
	}
	remove := widget.NewButton("カードを抜く / Remove card", p.onRemove)
	approve := widget.NewButton("係員として承認 / Approve as clerk", p.onApprove)
	decline := widget.NewButton("係員として却下 / Decline as clerk", p.onDecline)
	reset := widget.NewButton("カードを初期状態に / Reset all cards", p.onReset)
	p.creds = widget.NewLabel("")
	p.creds.Wrapping = fyne.TextWrapWord
	p.plug = widget.NewCheck("カードリーダー接続 / Reader connected", p.onPlug)
	p.plug.SetChecked(true)
	head := widget.NewLabelWithStyle("カードを入れる / Insert a card", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	actions := container.NewGridWithColumns(2, remove, reset, approve, decline)
	return container.NewBorder(container.NewVBox(p.status, actions, p.creds, p.plug, widget.NewSeparator(), head), nil, nil, nil,
		container.NewVScroll(container.NewVBox(rows...)))
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// SetStaff makes the panel's clerk a real one: approvals and declines go
// through the staff desk's approval book as staff member id (so that the
// kiosk's guarded issuer accepts them), and the panel shows the demo staff
// credentials for the kiosk's own staff screens (F12, or five taps on the
// header's top-left corner).
func (p *Panel) SetStaff(d *ui.StaffDesk, id, password string) {
	p.desk, p.staffID = d, id
	p.creds.SetText(fmt.Sprintf("係員モード / Staff mode (F12): ID %s  パスワード / password %s", id, password))
}

// Insert puts persona's card in and tells the kiosk; UI goroutine.
func (p *Panel) Insert(persona string) error {
	if p.reader.Current() != "" {
		p.reader.Remove()
		p.k.Send(flow.CardRemoved{})
	}
	if err := p.reader.Insert(persona); err != nil {
		return err
	}
	p.k.Send(flow.CardInserted{})
	return nil
}

func (p *Panel) onInsert(persona string) {
	if err := p.Insert(persona); err != nil {
		p.status.SetText("エラー / error: " + err.Error())
	}
}

func (p *Panel) onRemove() {
	p.reader.Remove()
	p.k.Send(flow.CardRemoved{})
}

func (p *Panel) onReset() {
	p.reader.Reset()
	p.k.Send(flow.CardRemoved{})
}

func (p *Panel) onPlug(on bool) { p.k.SetReaderPresent(on) }

// Approve acts as the clerk approving the waiting ticket: with a staff desk
// (SetStaff) the approval is recorded and bound to the card like the staff
// screen's, after an identity check with the resident's My Number card.
func (p *Panel) Approve() error {
	s := p.k.Snapshot()
	if s.State != flow.StateWaitApproval || s.Ticket == nil {
		return errors.New("no ticket waits for approval")
	}
	if p.desk == nil {
		p.k.Send(flow.StaffApproved{TicketID: s.Ticket.ID, ApprovalID: "DEMO-" + s.Ticket.ID})
		return nil
	}
	id, err := strconv.ParseInt(s.Ticket.ID, 10, 64)
	if err != nil {
		return err
	}
	g, err := p.desk.Approvals().Approve(context.Background(), staff.ApprovalRequest{TicketID: id, CardRef: staff.CardRef(s),
		StaffID: p.staffID, Identity: []policy.IDDocument{policy.IDMyNumberCard}, Documents: s.Documents, Genuine: s.Genuine})
	if err != nil {
		return err
	}
	p.k.Send(g.Event(time.Time{}))
	return nil
}

func (p *Panel) onApprove() {
	if err := p.Approve(); err != nil {
		p.status.SetText("エラー / error: " + err.Error())
	}
}

func (p *Panel) onDecline() {
	s := p.k.Snapshot()
	if s.Ticket == nil {
		return
	}
	ev := flow.StaffDeclined{TicketID: s.Ticket.ID, Reason: DeclineReason}
	if p.desk != nil {
		id, err := strconv.ParseInt(s.Ticket.ID, 10, 64)
		if err == nil {
			ev, err = p.desk.Approvals().Decline(context.Background(), id, staff.CardRef(s), p.staffID, DeclineReason)
		}
		if err != nil {
			p.status.SetText("エラー / error: " + err.Error())
			return
		}
	}
	p.k.Send(ev)
}

// refresh shows what is in the reader and where the kiosk is.
func (p *Panel) refresh() {
	cur := p.reader.Current()
	if cur == "" {
		cur = "—"
	}
	s := p.k.Snapshot()
	text := fmt.Sprintf("カード / card: %s    画面 / screen: %s", cur, p.k.ScreenID())
	if s.Ticket != nil {
		text += fmt.Sprintf("    整理券 / ticket: %d", s.Ticket.Number)
	}
	p.status.SetText(text)
}
