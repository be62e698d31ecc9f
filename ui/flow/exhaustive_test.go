package flow

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// step of a recipe: an event, a clock advance, or "post without running the
// card task".
type advance time.Duration

type noDrain struct{ ev Event }

// recipe reaches one state from a fresh rig.
type recipe struct {
	persona string
	opt     func(*rig)
	steps   []any
	late    func(*rig) // after the steps
}

var toChoose = []any{CardInserted{}, SelectService{Service: ServicePrepare}, pin(basicPIN)}

func cat(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var toWait = cat(toChoose, []any{SelectCerts{Certs: CertSet{Auth: true}}, Next{}})
var toNewAuth = cat(toWait, []any{StaffApproved{TicketID: "T1", ApprovalID: "A"}})

// recipes reach every state (some in several ways, for the PIN purposes).
var recipes = map[string]recipe{
	"insert":         {persona: "adult"},
	"reading":        {persona: "adult", steps: []any{noDrain{CardInserted{}}}},
	"unknown":        {persona: "unknown", steps: []any{CardInserted{}}},
	"juki":           {persona: "juki", steps: []any{CardInserted{}}},
	"read-failed":    {persona: "adult", opt: func(r *rig) { r.card.failRead = true }, steps: []any{CardInserted{}}},
	"status":         {persona: "adult", steps: []any{CardInserted{}}},
	"status-locked":  {persona: "auth-locked", steps: []any{CardInserted{}}},
	"last-try":       {persona: "sign-one-try-left", steps: []any{CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINSign}}},
	"last-try-basic": {persona: "adult", opt: func(r *rig) { r.card.tries[PINBasicInfo] = 1 }, steps: []any{CardInserted{}, SelectService{Service: ServicePrepare}}},
	"enter-check":    {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINAuth}}},
	"enter-expiry":   {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServiceSignExpiry}}},
	"enter-old":      {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINChange, PIN: PINAuth}}},
	"enter-basic":    {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePrepare}}},
	"enter-signopt":  {persona: "renewable", steps: cat(toChoose, []any{SelectCerts{Certs: CertSet{Sign: true}}})},
	"enter-busy":     {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINAuth}, noDrain{pin(authPIN)}}},
	"new-change":     {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINChange, PIN: PINAuth}, pin(authPIN)}},
	"repeat-change":  {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINChange, PIN: PINAuth}, pin(authPIN), pin(newAuth)}},
	"new-issue":      {persona: "renewable", steps: toNewAuth},
	"repeat-issue":   {persona: "renewable", steps: cat(toNewAuth, []any{pin(newAuth)})},
	"checked":        {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINAuth}, pin(authPIN)}},
	"changed":        {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINChange, PIN: PINAuth}, pin(authPIN), pin(newAuth), pin(newAuth)}},
	"locked":         {persona: "auth-locked", steps: []any{CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINAuth}}},
	"closed":         {persona: "renewable", opt: func(r *rig) { r.rules.closed = true }, steps: []any{CardInserted{}, SelectService{Service: ServicePrepare}}},
	"choose":         {persona: "renewable", steps: toChoose},
	"eligibility":    {persona: "renewable", steps: cat(toChoose, []any{SelectCerts{Certs: CertSet{Auth: true}}})},
	"not-eligible":   {persona: "adult", steps: cat(toChoose, []any{SelectCerts{Certs: CertSet{Auth: true}}})},
	"wait":           {persona: "renewable", steps: toWait},
	"declined":       {persona: "renewable", steps: cat(toWait, []any{StaffDeclined{TicketID: "T1", Reason: "X"}})},
	"counter":        {persona: "auth-locked", steps: []any{CardInserted{}, SelectService{Service: ServiceCounter}}},
	"issuing":        {persona: "renewable", steps: cat(toNewAuth, []any{pin(newAuth), noDrain{pin(newAuth)}})},
	"receipt":        {persona: "renewable", steps: cat(toNewAuth, []any{pin(newAuth), pin(newAuth)})},
	"failed":         {persona: "renewable", opt: func(r *rig) { r.issuer.fail = true }, steps: cat(toNewAuth, []any{pin(newAuth), pin(newAuth)})},
	"countdown":      {persona: "adult", steps: []any{CardInserted{}, advance(time.Minute), Tick{}}},
	"countdown-wait": {persona: "renewable", steps: cat(toWait, []any{advance(DefaultApprovalWait), Tick{}})},
	"take-card":      {persona: "adult", steps: []any{CardInserted{}, Cancel{}}},
	"counter-go":     {persona: "child", steps: cat(toChoose, []any{SelectCerts{Certs: CertSet{Auth: true}}, Next{}})},
	"resume-wait":    {persona: "renewable", steps: cat(toWait, []any{CardRemoved{}, noDrain{CardInserted{}}})},
	"resume-here":    {persona: "auth-locked", steps: []any{CardInserted{}, SelectService{Service: ServiceCounter}, CardRemoved{}, noDrain{CardInserted{}}}},
	// Status screens with other offers.
	"status-closed":   {persona: "renewable", opt: func(r *rig) { r.rules.closed = true }, steps: []any{CardInserted{}}},
	"status-one-try":  {persona: "sign-one-try-left", steps: []any{CardInserted{}}},
	"status-born":     {persona: "renewable", steps: cat(toChoose, []any{Cancel{}})},
	"status-signread": {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServiceSignExpiry}, pin(signPIN)}},
	// Card tasks in flight (the probe "CardResult/pending" completes them).
	"reading-fail":    {persona: "adult", opt: func(r *rig) { r.card.failRead = true }, steps: []any{noDrain{CardInserted{}}}},
	"reading-juki":    {persona: "juki", steps: []any{noDrain{CardInserted{}}}},
	"reading-unknown": {persona: "unknown", steps: []any{noDrain{CardInserted{}}}},
	"busy-wrong":      {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINAuth}, noDrain{pin(wrongPIN)}}},
	"busy-wrong-last": {persona: "adult", opt: func(r *rig) { r.card.tries[PINAuth] = 2 }, steps: []any{CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINAuth}, noDrain{pin(wrongPIN)}}},
	"busy-lock":       {persona: "sign-one-try-left", steps: []any{CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINSign}, Next{}, noDrain{pin(wrongPIN + "AA")}}},
	"busy-removed":    {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINCheck, PIN: PINAuth}, noDrain{pin(authPIN)}}, late: func(r *rig) { r.card.removed = true }},
	"busy-expiry":     {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServiceSignExpiry}, noDrain{pin(signPIN)}}},
	"busy-old":        {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINChange, PIN: PINAuth}, noDrain{pin(authPIN)}}},
	"busy-change":     {persona: "adult", steps: []any{CardInserted{}, SelectService{Service: ServicePINChange, PIN: PINAuth}, pin(authPIN), pin(newAuth), noDrain{pin(newAuth)}}},
	"busy-basic":      {persona: "renewable", steps: []any{CardInserted{}, SelectService{Service: ServicePrepare}, noDrain{pin(basicPIN)}}},
	"busy-signopt":    {persona: "renewable", steps: cat(toChoose, []any{SelectCerts{Certs: CertSet{Sign: true}}, noDrain{pin(signPIN)}})},
	"issuing-fail":    {persona: "renewable", opt: func(r *rig) { r.issuer.fail = true }, steps: cat(toNewAuth, []any{pin(newAuth), noDrain{pin(newAuth)}})},
	// Other routes out of the summary.
	"eligibility-child":    {persona: "child", steps: cat(toChoose, []any{SelectCerts{Certs: CertSet{Auth: true}}})},
	"eligibility-self":     {persona: "renewable", opt: func(r *rig) { r.rules.selfRun = true }, steps: cat(toChoose, []any{SelectCerts{Certs: CertSet{Auth: true}}})},
	"eligibility-noticket": {persona: "renewable", opt: func(r *rig) { r.rec.failTick = true }, steps: cat(toChoose, []any{SelectCerts{Certs: CertSet{Auth: true}}})},
}

func (r *rig) run(steps []any) {
	r.t.Helper()
	for _, s := range steps {
		switch s := s.(type) {
		case advance:
			r.clk.advance(time.Duration(s))
		case noDrain:
			e := s.ev
			if sp, ok := e.(SubmitPIN); ok {
				e = pin(string(sp.PIN))
			}
			r.post(e)
		case SubmitPIN:
			r.send(pin(string(s.PIN))) // a fresh buffer: Handle wipes it
		case Event:
			r.send(s)
		}
	}
}

// probe is one event variant of the exhaustive test.
type probe struct {
	name string
	make func(r *rig) []any // steps: the last Event is the probe
}

func ev(e Event) func(*rig) []any { return func(*rig) []any { return []any{e} } }

var probes = []probe{
	{"CardInserted", ev(CardInserted{})},
	{"CardRemoved", ev(CardRemoved{})},
	{"CardReread", ev(CardReread{})},
	{"Service/SignExpiry", ev(SelectService{Service: ServiceSignExpiry})},
	{"Service/Check/Auth", ev(SelectService{Service: ServicePINCheck, PIN: PINAuth})},
	{"Service/Check/Sign", ev(SelectService{Service: ServicePINCheck, PIN: PINSign})},
	{"Service/Check/None", ev(SelectService{Service: ServicePINCheck})},
	{"Service/Change/Auth", ev(SelectService{Service: ServicePINChange, PIN: PINAuth})},
	{"Service/Prepare", ev(SelectService{Service: ServicePrepare})},
	{"Service/Counter", ev(SelectService{Service: ServiceCounter})},
	{"Service/None", ev(SelectService{})},
	{"Certs/Both", ev(SelectCerts{Certs: CertSet{Sign: true, Auth: true}})},
	{"Certs/None", ev(SelectCerts{})},
	{"Next", ev(Next{})},
	{"Back", ev(Back{})},
	{"Cancel", ev(Cancel{})},
	{"PIN/auth", ev(pin(authPIN))},
	{"PIN/sign", ev(pin(signPIN))},
	{"PIN/basic", ev(pin(basicPIN))},
	{"PIN/wrong", ev(pin(wrongPIN))},
	{"PIN/malformed", ev(pin(badPIN))},
	{"PIN/newAuth", ev(pin(newAuth))},
	{"Tick/now", ev(Tick{})},
	{"Tick/idle", func(*rig) []any { return []any{advance(DefaultApprovalWait + time.Hour), Tick{}} }},
	{"Tick/countdown-end", func(*rig) []any { return []any{advance(DefaultCountdown), Tick{}} }},
	{"StaffApproved", ev(StaffApproved{TicketID: "T1", ApprovalID: "A9", CardExpiry: time.Date(2030, 1, 1, 0, 0, 0, 0, jst)})},
	{"StaffApproved/card-expired", ev(StaffApproved{TicketID: "T1", ApprovalID: "A9", CardExpiry: time.Date(2025, 1, 1, 0, 0, 0, 0, jst)})},
	{"StaffApproved/other-ticket", ev(StaffApproved{TicketID: "T404", ApprovalID: "A9"})},
	{"StaffApproved/no-ticket-id", ev(StaffApproved{ApprovalID: "A9"})},
	{"StaffDeclined", ev(StaffDeclined{TicketID: "T1", Reason: "R"})},
	{"StaffDeclined/no-ticket-id", ev(StaffDeclined{Reason: "R"})},
	{"Activity", ev(Activity{})},
	{"CardResult/stale", ev(cardDone{gen: 0, op: opIdentify})},
	{"CardResult/pending", func(r *rig) []any { return []any{pendingResult{}} }},
}

// pendingResult runs the oldest queued card task and feeds its result.
type pendingResult struct{}

// Every state × every event variant: no panic; either the event is ignored
// (Seq and state unchanged) or the transition is in the documented table;
// every documented transition is seen; Back and Next are accepted exactly
// where the snapshot offers them (CanGoBack, CanContinue).
func TestEveryStateEveryEvent(t *testing.T) {
	seen := map[edge]bool{}
	reached := map[State]bool{}
	names := make([]string, 0, len(recipes))
	for n := range recipes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		rc := recipes[name]
		for _, p := range probes {
			func() {
				defer func() {
					if x := recover(); x != nil {
						t.Fatalf("%s × %s: panic %v", name, p.name, x)
					}
				}()
				r := newRig(t, rc.persona, func(r *rig) {
					if rc.opt != nil {
						rc.opt(r)
					}
				})
				r.run(rc.steps)
				if rc.late != nil {
					rc.late(r)
				}
				before := r.m.Snapshot()
				reached[before.State] = true
				steps := p.make(r)
				r.run(steps[:len(steps)-1])
				last := steps[len(steps)-1]
				from := r.m.Snapshot()
				var after Snapshot
				kind := ""
				if _, ok := last.(pendingResult); ok {
					e, ok := r.q.Step()
					if !ok {
						return // nothing in flight in this state
					}
					kind = e.Kind()
					after = r.m.Handle(e)
				} else {
					e := last.(Event)
					kind = e.Kind()
					if sp, ok := e.(SubmitPIN); ok {
						e = pin(string(sp.PIN))
					}
					after = r.m.Handle(e)
				}
				// What the snapshot offers is exactly what the machine accepts.
				accepted := after.Seq != from.Seq
				switch last.(type) {
				case Back:
					if from.CanGoBack != accepted {
						t.Errorf("%s × %s: %s offers back=%v, but Back accepted=%v", name, p.name, from.State, from.CanGoBack, accepted)
					}
				case Next:
					if from.CanContinue != accepted {
						t.Errorf("%s × %s: %s offers continue=%v, but Next accepted=%v", name, p.name, from.State, from.CanContinue, accepted)
					}
				}
				if after.Seq == from.Seq {
					if after.State != from.State {
						t.Errorf("%s × %s: ignored event changed the state %s → %s", name, p.name, from.State, after.State)
					}
					return
				}
				e := edge{from.State, kind, after.State}
				seen[e] = true
				if !documented[e] {
					t.Errorf("%s × %s: undocumented transition %s --%s--> %s", name, p.name, e.from, e.kind, e.to)
				}
			}()
		}
	}
	for s := State(0); s < numStates; s++ {
		if !reached[s] {
			t.Errorf("no recipe reaches %s", s)
		}
	}
	var missing []string
	for e := range documented {
		if !seen[e] {
			missing = append(missing, fmt.Sprintf("%s --%s--> %s", e.from, e.kind, e.to))
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("documented transition never seen: %s", m)
	}
	if os.Getenv("FLOW_DUMP") != "" {
		var rows []string
		for e := range seen {
			rows = append(rows, fmt.Sprintf("\t{State%s, %q, State%s}: true,", camel(e.from), e.kind, camel(e.to)))
		}
		sort.Strings(rows)
		fmt.Fprintln(os.Stderr, strings.Join(rows, "\n"))
	}
}

func camel(s State) string {
	parts := strings.Split(strings.ToLower(s.String()), "_")
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	out := strings.Join(parts, "")
	return strings.ReplaceAll(out, "Pin", "PIN")
}
