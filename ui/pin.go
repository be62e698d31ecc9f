package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// pinEntry asks a PIN: an existing one (ENTER_PIN), a new one (NEW_PIN) or
// the new one again (REPEAT_PIN). It shows what the PIN is for, its rule,
// the tries left before anything is submitted, and checks the rule live
// while the resident types, on the on-screen keypad or a physical keyboard.
// The PIN lives only in the field's byte buffer and is wiped on submit and
// when the screen goes away.
type pinEntry struct {
	k *Kiosk

	which  flow.PIN
	maxLen int
	field  *PINField
	pad    *Keypad

	// Rebuilt with every page, updated in place while typing.
	counter  *Paragraph
	problems *fyne.Container
	ok       bool
}

func init() {
	for _, st := range []flow.State{flow.StateEnterPIN, flow.StateNewPIN, flow.StateRepeatPIN} {
		Register(st.String(), func(k *Kiosk) Screen { return &pinEntry{k: k} })
	}
}

// Field returns the PIN field (for tests and the keyboard).
func (p *pinEntry) Field() *PINField { return p.field }

// Keypad returns the on-screen keypad.
func (p *pinEntry) Keypad() *Keypad { return p.pad }

// Page lays out the explanation and field beside (digits) or above
// (letters and digits) the keypad.
func (p *pinEntry) Page(s flow.Snapshot) Page {
	tr := p.k.tr
	f := s.PIN
	if p.field == nil || p.which != f.Which || p.maxLen != f.MaxLen {
		p.build(f)
	}
	name := tr.T("pin." + f.Which.String() + ".name")

	lead := Heading(tr.T("screen.pin.lead."+f.Purpose, "PIN", name))

	// A wrong PIN and the last-try warning share one warning panel; the
	// tries left are a line of their own when there is no warning.
	var warn []string
	switch s.Error {
	case "PIN_INCORRECT", "PIN_MISMATCH":
		warn = append(warn, tr.T("error."+s.Error))
	}
	if s.LastTryWarning {
		warn = append(warn, tr.T("screen.pin.last_try_warning"))
	}
	var warning, tries fyne.CanvasObject
	if len(warn) > 0 {
		warning = WarningPanel(strings.Join(warn, "\n"))
	} else if f.Left > 0 {
		tries = Emphasis(tr.N("screen.pin.tries_left", f.Left), theme.ColorNamePrimary)
	}
	some := func(objs ...fyne.CanvasObject) []fyne.CanvasObject {
		var out []fyne.CanvasObject
		for _, o := range objs {
			if o != nil {
				out = append(out, o)
			}
		}
		return out
	}

	var rules []fyne.CanvasObject
	for _, r := range f.Rules {
		rules = append(rules, Body("・"+tr.T("pinrule."+r)))
	}
	p.counter = Body("")
	p.problems = container.NewVBox()
	showLabel := tr.T("screen.pin.show")
	showIcon := theme.VisibilityIcon()
	if p.field.Shown() {
		showLabel, showIcon = tr.T("screen.pin.hide"), theme.VisibilityOffIcon()
	}
	show := p.k.Control("pin.show", showLabel, showIcon, p.onToggleShow) // not a step: no tap counted
	p.pad.SetLabels(tr.T("keypad.backspace"), tr.T("keypad.clear"))

	compact := p.k.Compact()
	showW := float32(220)
	if compact {
		showW = 180
	}
	fieldRow := container.NewBorder(nil, nil, nil, AtLeast(show, showW, MinTarget), p.field)
	var ruleBox fyne.CanvasObject
	if compact {
		// The 1280×800 terminal: the rule box without its title and tight,
		// the lead smaller, no sentence repeating the rule, the character
		// count under the field, lower keys.
		lead.SizeName = theme.SizeNameSubHeadingText
		ruleBox = Panel(colCardSurface, Tight(container.NewVBox(append(rules, p.problems)...)))
		p.pad.SetKeyHeight(MinTarget)
	} else {
		ruleBox = Panel(colCardSurface, container.NewVBox(append([]fyne.CanvasObject{Strong(tr.T("screen.pin.rule"))}, append(rules, p.counter, p.problems)...)...))
		p.pad.SetKeyHeight(KeyHeight)
	}

	var body fyne.CanvasObject
	switch {
	case compact:
		// The warning takes the place of the lead (the title names the
		// PIN); the tries left go under the field with the count.
		first := fyne.CanvasObject(lead)
		if warning != nil {
			first = Tight(warning)
		}
		p.field.SetMinHeight(80)
		under := Tight(container.NewVBox(some(p.counter, tries)...))
		if f.Digits {
			left := container.NewVBox(first, fieldRow, under, ruleBox)
			body = container.NewGridWithColumns(2, left, container.NewVBox(p.pad.Object()))
			break
		}
		// Letters and digits: the ten-column keypad needs the full width,
		// so the rule sits beside the field, and the count and the tries
		// share a line; the keypad takes the rest of the page.
		p.field.SetMinHeight(72)
		under = Tight(container.NewGridWithColumns(2, some(p.counter, tries)...))
		row := container.NewBorder(nil, nil, nil, AtLeast(ruleBox, 460, 0), container.NewVBox(fieldRow, under))
		body = container.NewBorder(container.NewVBox(first, row), nil, nil, nil, p.pad.Object())
	case f.Digits:
		p.field.SetMinHeight(96)
		var explain []fyne.CanvasObject
		if warning == nil { // after a wrong try, the warning matters more than the explanation
			explain = []fyne.CanvasObject{lead, Body(tr.T("pin." + f.Which.String() + ".what"))}
		} else {
			explain = []fyne.CanvasObject{lead, warning}
		}
		left := container.NewVBox(append(explain, some(tries, fieldRow, ruleBox)...)...)
		body = container.NewGridWithColumns(2, left, container.NewVBox(p.pad.Object()))
	default:
		p.field.SetMinHeight(88)
		// Letters and digits: the ten-column keypad needs the full width
		// and takes the rest of the page, so the rule sits beside the
		// field, and under the field the count and the tries, or the
		// warning after a wrong try. The sentence repeating the rule is
		// left out: the rule box says it (issue 10: the keypad's last row
		// was below the fold).
		ruleBox = Panel(colCardSurface, container.NewVBox(append([]fyne.CanvasObject{Strong(tr.T("screen.pin.rule"))}, append(rules, p.problems)...)...))
		// After a wrong try the warning takes the place of the lead, as on
		// the smaller terminal (the title names the PIN).
		first := fyne.CanvasObject(lead)
		if warning != nil {
			first = warning
		}
		left := container.NewVBox(some(fieldRow, p.counter, tries)...)
		row := container.NewBorder(nil, nil, nil, AtLeast(ruleBox, 720, 0), left)
		body = container.NewBorder(container.NewVBox(first, row), nil, nil, nil, p.pad.Object())
	}

	page := Page{
		Title: tr.T("screen.pin.title."+f.Purpose, "PIN", name),
		Body:  body,
		Focus: p.field,
		Wide:  true,
		Primary: &Action{ID: "next", Label: tr.T("screen.pin.ok"), Icon: theme.ConfirmIcon(), Do: p.onSubmit,
			Danger: s.LastTryWarning},
	}
	if f.Optional && s.CanContinue {
		page.Secondary = append(page.Secondary, Action{ID: "skip", Label: tr.T("screen.pin.skip"), Icon: theme.MediaFastForwardIcon(),
			Do: func() { p.wipe(); p.k.Send(flow.Next{}) }})
	}
	if s.CanGoBack {
		page.Secondary = append(page.Secondary, Action{ID: "back", Label: tr.T("action.back"), Icon: theme.NavigateBackIcon(),
			Do: func() { p.wipe(); p.k.Send(flow.Back{}) }})
	}
	page.Secondary = append(page.Secondary, Action{ID: "cancel", Label: tr.T("action.cancel"), Icon: theme.CancelIcon(),
		Do: func() { p.wipe(); p.k.Send(flow.Cancel{}) }})
	return page
}

// Framed runs the live check once the action bar (with OK) exists.
func (p *pinEntry) Framed() { p.onChanged() }

func (p *pinEntry) build(f flow.PINField) {
	if p.field != nil {
		p.field.Wipe()
	}
	p.which, p.maxLen = f.Which, f.MaxLen
	max := f.MaxLen
	if max <= 0 {
		max = 16
	}
	mode, accept := KeypadAlnum, UpperAlnum
	if f.Digits {
		mode, accept = KeypadDigits, DigitsOnly
	}
	p.field = NewPINField(max, accept)
	p.field.OnChanged = func(int) {
		// Every key restarts the idle timer; Activity never changes the
		// snapshot, so there is nothing to render.
		p.k.session.Handle(flow.Activity{})
		p.onChanged()
	}
	p.field.OnSubmit = p.onSubmit
	var rnd = p.k.rnd
	if !p.k.opts.Scramble {
		rnd = nil
	}
	p.pad = NewKeypad(mode, rnd, p.k.tr.T("keypad.backspace"))
	p.pad.OnRune = func(r rune) { p.field.Append(r) }
	p.pad.OnBackspace = p.field.Backspace
	p.pad.OnClear = p.field.Wipe
}

// onChanged runs the live check after every key: the counter, the unmet
// rules, and whether OK may be pressed.
func (p *pinEntry) onChanged() {
	if p.counter == nil {
		return
	}
	tr := p.k.tr
	s := p.k.snap
	n := p.field.Len()
	p.counter.SetText(tr.T("screen.pin.counter", "N", n, "Max", p.field.Max()))
	problems := p.k.session.ValidatePIN(p.field.Bytes())
	p.ok = n >= s.PIN.MinLen && len(problems) == 0 && n > 0
	var rows []fyne.CanvasObject
	switch {
	case n == 0:
	case len(problems) == 0:
		rows = append(rows, Emphasis("✓ "+tr.T("screen.pin.rule_met"), theme.ColorNameSuccess))
		if s.State == flow.StateNewPIN {
			// Advice, never refusal: a weak PIN is still taken.
			for _, a := range policy.PINAdvice(p.which, p.field.Bytes()) {
				rows = append(rows, Emphasis("△ "+tr.T("pinadvice."+string(a)), theme.ColorNameWarning))
			}
		}
	case s.State == flow.StateNewPIN || s.State == flow.StateRepeatPIN:
		for _, code := range problems {
			rows = append(rows, Emphasis("× "+tr.T("reason."+code), theme.ColorNameError))
		}
	}
	p.problems.Objects = rows
	p.problems.Refresh()
	if b := p.k.Button("next"); b != nil {
		if p.ok && !s.Busy {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

func (p *pinEntry) onToggleShow() {
	p.field.SetShown(!p.field.Shown())
	p.k.rebuild()
}

// onSubmit hands a copy of the PIN to the flow (which wipes it) and wipes
// the field.
func (p *pinEntry) onSubmit() {
	if !p.ok || p.k.snap.Busy {
		return
	}
	pin := p.field.Copy()
	p.field.Wipe()
	p.field.SetShown(false)
	p.k.Send(flow.SubmitPIN{PIN: pin})
}

func (p *pinEntry) wipe() {
	if p.field != nil {
		p.field.Wipe()
		p.field.SetShown(false)
	}
}

// Dispose wipes the PIN buffer.
func (p *pinEntry) Dispose() { p.wipe() }
