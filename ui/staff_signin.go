package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/flow/staff"
)

// staffSignIn asks the staff ID and password. The password entry is masked;
// after every attempt it is emptied. A lockout says until when.
type staffSignIn struct {
	staffScreen
	id, pw *widget.Entry
	errMsg string
}

func init() {
	Register(idStaffSignIn, func(k *Kiosk) Screen {
		s := &staffSignIn{staffScreen: newStaffScreen(k)}
		s.id = widget.NewEntry()
		s.pw = widget.NewPasswordEntry()
		s.id.OnSubmitted = func(string) { k.win.Canvas().Focus(s.pw) }
		s.pw.OnSubmitted = func(string) { s.onSignIn() }
		return s
	})
}

// IDEntry and PasswordEntry are the fields (for tests).
func (s *staffSignIn) IDEntry() *widget.Entry { return s.id }

// PasswordEntry is the masked password field.
func (s *staffSignIn) PasswordEntry() *widget.Entry { return s.pw }

// Page lays out the two fields and the message.
func (s *staffSignIn) Page(flow.Snapshot) Page {
	if s.d == nil {
		return noDesk(s.k)
	}
	s.id.SetPlaceHolder(s.t("staff.signin.id"))
	s.pw.SetPlaceHolder(s.t("staff.signin.password"))
	rows := []fyne.CanvasObject{s.banner(), Heading(s.t("staff.signin.lead")),
		Strong(s.t("staff.signin.id")), AtLeast(s.id, 600, MinTarget),
		Strong(s.t("staff.signin.password")), AtLeast(s.pw, 600, MinTarget)}
	if s.errMsg != "" {
		rows = append(rows, WarningPanel(s.errMsg))
	}
	rows = append(rows, Body(s.t("staff.signin.note")))
	return Page{
		Title: s.t("staff.title.signin"),
		Body:  container.NewVBox(rows...),
		Focus: s.id,
		Primary: &Action{ID: "staff.signin", Label: s.t("staff.action.signin"), Icon: theme.LoginIcon(),
			Do: s.onSignIn},
		Secondary: []Action{{ID: "staff.cancel", Label: s.t("staff.action.back_to_kiosk"), Icon: theme.CancelIcon(),
			Do: func() { s.pw.SetText(""); s.k.ShowFlow() }}},
	}
}

func (s *staffSignIn) onSignIn() {
	pw := []byte(s.pw.Text)
	s.pw.SetText("")
	_, err := s.d.desk.SignIn(s.d.ctx(), s.id.Text, pw)
	if err != nil {
		var se *staff.SignInError
		code := staff.SignInFailed
		if errors.As(err, &se) {
			code = se.Code
		}
		if code == staff.SignInLocked && se != nil && !se.Until.IsZero() {
			s.errMsg = s.t("staff.signin.error.LOCKED_UNTIL", "Time", se.Until.In(policy.JST).Format("15:04"))
		} else {
			s.errMsg = s.t("staff.signin.error." + code)
		}
		s.k.rebuild()
		return
	}
	s.errMsg = ""
	s.d.route()
}
