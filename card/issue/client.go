package issue

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
)

// abortTimeout bounds the best-effort Abort sent to a backend after a failure.
const abortTimeout = 5 * time.Second

// Event is one step of an issuance for the audit trail (package store behind
// an adapter). It carries no PIN and no personal data.
type Event struct {
	Time      time.Time `json:"time"`
	JournalID string    `json:"journal_id"`
	Issuer    string    `json:"issuer"`
	Approval  Approval  `json:"approval"`
	Step      string    `json:"step"` // open, generate_key, write_certificate, set_pin, done, interrupted, failed
	Cert      Cert      `json:"cert,omitempty"`
	Status    StepState `json:"status,omitempty"` // sent or done for card steps
	Serial    string    `json:"serial,omitempty"`
	Error     string    `json:"error,omitempty"`  // a code (Code), never error text
	Resume    string    `json:"resume,omitempty"` // the step to resume after an interruption
}

// EventSink receives the issuance events (the kiosk's audit store). It is
// called on the issuing goroutine and should return quickly.
type EventSink interface {
	IssuanceEvent(ctx context.Context, e Event)
}

// Client is the kiosk's side of an issuance: it relays a Backend's scripts
// to the card through the allow-list, journals every state-changing step and
// sets the PINs itself. It implements Issuer. Use one Client per kiosk; it
// handles one card session at a time.
type Client struct {
	name    string
	backend Backend
	journal *Journal
	events  EventSink
	limits  Limits // zero fields: defaults (Limits)

	mu      sync.Mutex
	pending *Entry // the issuance whose PINs the kiosk sets next
}

// NewClient builds an issuer named name from a backend and a journal.
func NewClient(name string, b Backend, j *Journal) *Client {
	return &Client{name: name, backend: b, journal: j}
}

// NewTraining opens (creating on first run) the training CA in dataDir and
// returns the training issuer, with its journal in the same directory.
func NewTraining(dataDir string) (*Client, error) {
	ca, err := OpenCA(dataDir)
	if err != nil {
		return nil, err
	}
	j, err := OpenJournal(dataDir)
	if err != nil {
		return nil, err
	}
	return NewClient("training", ca, j), nil
}

// SetEvents sets the sink that receives the issuance events.
func (c *Client) SetEvents(s EventSink) { c.events = s }

// Name implements Issuer.
func (c *Client) Name() string { return c.name }

// Backend returns the backend (a *CA for the training issuer).
func (c *Client) Backend() Backend { return c.backend }

// Journal returns the journal of unfinished issuances.
func (c *Client) Journal() *Journal { return c.journal }

// abort records a failed run of journal entry e and returns the error for
// the caller: when the card was changed the entry stays in the journal as
// interrupted, naming the step to resume; when it was not, the entry is
// removed. Either way an event says so.
func (c *Client) abort(ctx context.Context, e *Entry, err error) *Error {
	err = timedOut(ctx, err)
	e.LastError = Code(err) // a code only: error text may quote the gateway
	ierr := &Error{CardChanged: e.CardChanged(), Err: err}
	if ierr.CardChanged {
		e.State = EntryInterrupted
		ierr.JournalID, ierr.Resume = e.ID, e.Resume()
		if serr := c.journal.save(e); serr != nil {
			ierr.Err = errors.Join(err, serr)
		}
		c.emit(ctx, e, "interrupted", "", "", "", err)
	} else {
		if rerr := c.journal.remove(e); rerr != nil {
			ierr.Err = errors.Join(err, rerr)
		}
		c.emit(ctx, e, "failed", "", "", "", err)
	}
	return ierr
}

func (c *Client) emit(ctx context.Context, e *Entry, step string, cert Cert, st StepState, serial string, err error) {
	if c.events == nil {
		return
	}
	ev := Event{Time: time.Now(), JournalID: e.ID, Issuer: c.name, Approval: e.Approval, Step: step, Cert: cert, Status: st, Serial: serial}
	if err != nil {
		ev.Error = Code(err)
		ev.Resume = e.Resume()
	}
	c.events.IssuanceEvent(ctx, ev)
}

// counter counts the commands relayed to the card.
type counter struct {
	r relayer
	n int
}

func (c *counter) Relay(apdu []byte) ([]byte, error) {
	c.n++
	return c.r.Relay(apdu)
}

// Issue implements Issuer. It reads the card serial, resumes the card's
// unfinished journal entry if there is one (the request must then include
// its unfinished certificates), and runs the backend's scripts. On success
// the journal entry waits for the PINs (SetPIN). On failure it returns an
// *Error saying whether the card changed and where to resume.
func (c *Client) Issue(ctx context.Context, t card.Transmitter, req Request) (*Result, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	ctx, cancel := c.deadline(ctx)
	defer cancel()
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	cnt := &counter{r: relayOf(t)}
	serial, _, err := readToken(cnt)
	if err != nil {
		return nil, &Error{Err: fmt.Errorf("identifying the card: %w", err)}
	}
	c.mu.Lock()
	c.pending = nil
	c.mu.Unlock()

	key := cardKey(serial)
	e, err := c.journal.load(key)
	if err != nil {
		return nil, err
	}
	if e != nil && e.Purpose == PINReset {
		return nil, &Error{JournalID: e.ID, CardChanged: e.CardChanged(), Resume: e.Resume(),
			Err: fmt.Errorf("%w: the card has an unfinished pin reset: run it again first", ErrRequest)}
	}
	var resume *ResumeInfo
	if e == nil {
		e = &Entry{ID: newEntryID(req.Now), Card: key, Issuer: c.name, Purpose: req.Purpose, Created: time.Now().UTC()}
	} else {
		if e.Issuer != c.name {
			return nil, &Error{JournalID: e.ID, CardChanged: e.CardChanged(), Resume: e.Resume(),
				Err: fmt.Errorf("%w: the card's unfinished issuance belongs to the %s issuer", ErrRequest, e.Issuer)}
		}
		for _, jc := range e.Certs {
			if (jc.Write != StepDone || jc.PIN != StepDone) && !req.wants(jc.Cert) {
				return nil, &Error{JournalID: e.ID, CardChanged: e.CardChanged(), Resume: e.Resume(),
					Err: fmt.Errorf("%w: the card has an unfinished %s certificate: include it to resume", ErrRequest, jc.Cert)}
			}
		}
		resume = &ResumeInfo{JournalID: e.ID, PreviousSession: e.Session}
	}
	e.Approval = req.Approval
	var gen []CertRequest
	for _, cr := range req.Certs {
		jc := e.cert(cr.Cert)
		if jc == nil {
			e.Certs = append(e.Certs, JournalCert{Cert: cr.Cert})
			jc = &e.Certs[len(e.Certs)-1]
		}
		if jc.Write == StepDone {
			resume.Written = append(resume.Written, jc.Cert) // written before this attempt
			continue
		}
		if jc.Serial != "" && jc.Write != StepDone {
			e.Abandoned = append(e.Abandoned, jc.Serial) // issued, never fully written
		}
		*jc = JournalCert{Cert: cr.Cert, NotAfter: cr.NotAfter}
		gen = append(gen, cr)
	}
	if resume != nil {
		resume.Abandoned = e.Abandoned
	}
	e.State, e.LastError, e.Session = EntryOpen, "", ""
	if err := c.journal.save(e); err != nil {
		return nil, err
	}
	c.emit(ctx, e, "open", "", "", "", nil)

	open := &OpenRequest{
		Version: ProtocolVersion, RequestID: e.ID + "-" + fmt.Sprint(time.Now().UnixNano()),
		Purpose: req.Purpose, Certs: gen, Approval: req.Approval, CardSerial: serial,
		IssueTime: req.Now.Truncate(time.Second), Resume: resume,
	}
	for _, g := range gen {
		if g.Cert == Sign {
			open.Holder = req.Holder
		}
	}
	written, err := c.run(ctx, cnt, e, open)
	if err != nil {
		return nil, c.abort(ctx, e, err)
	}
	e.State = EntryPINPending
	if err := c.journal.save(e); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.pending = e
	c.mu.Unlock()

	res := &Result{JournalID: e.ID, APDUs: cnt.n}
	for _, jc := range e.Certs {
		if jc.PIN != StepDone {
			res.PendingPINs = append(res.PendingPINs, jc.Cert)
		}
	}
	for _, cr := range req.Certs {
		if w, ok := written[cr.Cert]; ok {
			res.Certs = append(res.Certs, w)
			continue
		}
		jc := e.cert(cr.Cert)
		res.Certs = append(res.Certs, Issued{Cert: cr.Cert, Serial: jc.Serial, NotBefore: jc.NotBefore, NotAfter: endOfDay(jc.NotAfter), Resumed: true})
	}
	return res, nil
}

// run relays the backend's scripts for one attempt and returns the
// certificates written. Every state-changing command is journalled as sent
// before it goes to the card and as done after the card accepted it.
func (c *Client) run(ctx context.Context, t relayer, e *Entry, open *OpenRequest) (map[Cert]Issued, error) {
	var certs []Cert
	for _, cr := range open.Certs {
		certs = append(certs, cr.Cert)
	}
	g := newGuard(certs)
	lim := c.Limits()
	writes := map[card.FileID]int{}         // state-changing commands per EF (Limits.WritesPerEF)
	caSent := map[card.FileID][]byte{}      // CA certificate EF content as written in this run
	caChecked := map[card.FileID]bool{}     // read back and found equal since the last write
	caCerts := map[Cert]*x509.Certificate{} // CA certificates written and checked in this run
	pubs := map[Cert]*rsa.PublicKey{}
	bufs := map[Cert][]byte{} // certificates as written so far (memory only)
	written := map[Cert]Issued{}
	defer func() {
		for k, b := range bufs {
			clear(b)
			delete(bufs, k)
		}
	}()

	script, err := c.backend.Open(ctx, open)
	if err != nil {
		return nil, fmt.Errorf("opening the issuance: %w", err)
	}
	e.Session = script.Session
	if err := c.journal.save(e); err != nil {
		return nil, err
	}
	abort := func(err error) (map[Cert]Issued, error) {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		defer cancel()
		err = timedOut(ctx, err)
		_ = c.backend.Abort(actx, script.Session, Code(err)) // a code: the backend gets nothing it did not send
		return nil, err
	}
	// verifyCA reads back the CA certificate EF ef if it was written and
	// not yet checked: it must be selected on the card.
	verifyCA := func(ef card.FileID) error {
		cert, ok := certOfCA(ef)
		if !ok || caSent[ef] == nil || caChecked[ef] {
			return nil
		}
		ca, err := checkCA(t, cert, caSent[ef])
		if err != nil {
			return err
		}
		caChecked[ef], caCerts[cert] = true, ca
		return nil
	}
	scripts := 1
	mark := func(jc *JournalCert, step string, st StepState) error {
		if err := c.journal.save(e); err != nil {
			return err
		}
		c.emit(ctx, e, step, jc.Cert, st, jc.Serial, nil)
		return nil
	}
	lastSeq := 0
	for script.Phase != PhaseDone {
		if script.Seq <= lastSeq || script.Session != e.Session {
			return abort(fmt.Errorf("%w: script %d of session %q out of order", ErrProtocol, script.Seq, script.Session))
		}
		lastSeq = script.Seq
		if script.Phase != PhaseChallenge && script.Phase != PhaseAuthenticate && script.Phase != PhaseWrite {
			return abort(fmt.Errorf("%w: unknown phase %q", ErrProtocol, script.Phase))
		}
		if len(script.Commands) == 0 {
			return abort(fmt.Errorf("%w: empty %q script", ErrProtocol, script.Phase))
		}
		if len(script.Commands) > lim.Commands {
			return abort(fmt.Errorf("%w: %q script %d has %d commands (limit %d)", ErrTooManyCommands, script.Phase, script.Seq, len(script.Commands), lim.Commands))
		}
		for _, ci := range script.Certificates {
			if jc := e.cert(ci.Cert); jc != nil && g.certs[ci.Cert] && jc.Write != StepDone {
				jc.Serial = ci.Serial
			}
		}
		responses := make([]Response, 0, len(script.Commands))
		for _, raw := range script.Commands {
			if err := ctx.Err(); err != nil {
				return abort(err)
			}
			prev := g.ef
			a, err := g.check(raw)
			if err != nil {
				return abort(err)
			}
			if a.ins == card.INSSelect && prev != 0 {
				// Leaving an EF: a CA certificate written to it must read back intact.
				if err := verifyCA(prev); err != nil {
					return abort(err)
				}
			}
			var target card.FileID // the EF a state-changing command changes
			switch a.ins {
			case card.INSGenerateKey:
				target = card.FileID(a.data[0])<<8 | card.FileID(a.data[1])
			case card.INSUpdateBinary:
				target = g.ef
			}
			if target != 0 {
				if writes[target]++; writes[target] > lim.WritesPerEF {
					return abort(fmt.Errorf("%w: %s of EF %04X beyond %d writes", ErrTooManyWrites, describe(a), target, lim.WritesPerEF))
				}
			}
			// Write-ahead: record what the command may do to the card.
			var jc *JournalCert
			switch a.ins {
			case card.INSGenerateKey:
				cert, _ := certOfKey(card.FileID(a.data[0])<<8 | card.FileID(a.data[1]))
				jc = e.cert(cert)
				jc.Key, jc.Write = StepSent, StepNone
				delete(pubs, cert)
				delete(bufs, cert)
				if err := mark(jc, "generate_key", StepSent); err != nil {
					return abort(err)
				}
			case card.INSUpdateBinary:
				if cert, ok := certOfCA(g.ef); ok {
					if off := int(a.p1)<<8 | int(a.p2); off > len(caSent[g.ef]) {
						return abort(fmt.Errorf("%w: UPDATE BINARY at %d leaves a gap after %d bytes", ErrProtocol, off, len(caSent[g.ef])))
					}
					ca := e.cert(cert)
					if ca.Write == StepDone {
						// A resume never rewrites a written certificate's CA EF,
						// so the CA certificate must come first.
						return abort(fmt.Errorf("%w: the %s CA certificate after the certificate", ErrForbidden, cert))
					}
					if ca.CAWrite != StepSent {
						ca.CAWrite = StepSent
						if err := mark(ca, "write_ca_certificate", StepSent); err != nil {
							return abort(err)
						}
					}
				}
				if cert, ok := certOfEF(g.ef); ok {
					jc = e.cert(cert)
					off := int(a.p1)<<8 | int(a.p2)
					if off > len(bufs[cert]) {
						return abort(fmt.Errorf("%w: UPDATE BINARY at %d leaves a gap after %d bytes", ErrProtocol, off, len(bufs[cert])))
					}
					if jc.Write != StepSent {
						jc.Write = StepSent
						if err := mark(jc, "write_certificate", StepSent); err != nil {
							return abort(err)
						}
					}
				}
			}
			data, sw, err := exchange(t, raw)
			if err != nil {
				return abort(fmt.Errorf("%s: %w", describe(a), err))
			}
			responses = append(responses, Response{Data: data, SW: swString(sw)})
			if sw != swOK {
				return abort(fmt.Errorf("%s: %w: %w", describe(a), ErrCard, &card.StatusError{SW: sw}))
			}
			switch {
			case a.ins == card.INSGenerateKey:
				pub, err := parsePublicKey(data)
				if err != nil {
					return abort(fmt.Errorf("the card's new %s key: %w", jc.Cert, err))
				}
				pubs[jc.Cert] = pub
				jc.Key = StepDone
				if err := mark(jc, "generate_key", StepDone); err != nil {
					return abort(err)
				}
			case a.ins == card.INSUpdateBinary && jc == nil:
				if _, ok := certOfCA(g.ef); ok {
					off := int(a.p1)<<8 | int(a.p2)
					caSent[g.ef] = append(caSent[g.ef][:off], a.data...)
					caChecked[g.ef] = false
				}
			case a.ins == card.INSUpdateBinary && jc != nil:
				off := int(a.p1)<<8 | int(a.p2)
				bufs[jc.Cert] = append(bufs[jc.Cert][:off], a.data...)
				cert, err := complete(bufs[jc.Cert], pubs[jc.Cert])
				if err != nil {
					return abort(fmt.Errorf("the %s certificate written: %w", jc.Cert, err))
				}
				if ca := caCerts[jc.Cert]; cert != nil && ca != nil {
					if err := cert.CheckSignatureFrom(ca); err != nil {
						return abort(fmt.Errorf("%w: the %s certificate is not signed by the CA certificate written: %v", ErrCACertificate, jc.Cert, err))
					}
				}
				if cert != nil && jc.Write != StepDone {
					jc.Write, jc.Serial, jc.NotBefore = StepDone, serialString(cert), cert.NotBefore
					if jc.CAWrite == StepSent {
						jc.CAWrite = StepDone // written before the certificate
					}
					written[jc.Cert] = Issued{Cert: jc.Cert, Serial: jc.Serial, NotBefore: cert.NotBefore, NotAfter: cert.NotAfter, DER: cert.Raw}
					if err := mark(jc, "write_certificate", StepDone); err != nil {
						return abort(err)
					}
				}
			}
		}
		// The script ends: a CA certificate EF still selected must read back intact.
		if err := verifyCA(g.ef); err != nil {
			return abort(err)
		}
		next, err := c.backend.Step(ctx, &StepRequest{Session: script.Session, Seq: script.Seq, Responses: responses})
		if err != nil {
			return abort(fmt.Errorf("issuer after %q: %w", script.Phase, err))
		}
		if scripts++; scripts > lim.Scripts {
			return abort(fmt.Errorf("%w: script %d (limit %d)", ErrTooManyScripts, scripts, lim.Scripts))
		}
		script = next
	}
	for ef, ok := range caChecked {
		if !ok {
			return abort(fmt.Errorf("%w: EF %04X written but not read back", ErrCACertificate, ef))
		}
	}
	for _, cert := range certs {
		if e.cert(cert).Write != StepDone {
			return abort(fmt.Errorf("%w: the issuer finished without writing the %s certificate", ErrProtocol, cert))
		}
	}
	for _, ci := range script.Certificates {
		if w, ok := written[ci.Cert]; ok && w.Serial != ci.Serial {
			return abort(fmt.Errorf("%w: the issuer reports %s serial %s, the card got %s", ErrProtocol, ci.Cert, ci.Serial, w.Serial))
		}
	}
	return written, nil
}

// complete returns the certificate in buf once it is fully written: DER of
// the size its header announces, matching the card's new public key. Nil,
// nil while incomplete.
func complete(buf []byte, pub *rsa.PublicKey) (*x509.Certificate, error) {
	if len(buf) < 4 {
		return nil, nil
	}
	if buf[0] != 0x30 || buf[1] != 0x82 {
		return nil, fmt.Errorf("%w: not a DER certificate", ErrProtocol)
	}
	n := 4 + (int(buf[2])<<8 | int(buf[3]))
	if len(buf) < n {
		return nil, nil
	}
	cert, err := x509.ParseCertificate(buf[:n])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProtocol, err)
	}
	if pub == nil || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%w: the certificate does not match the key the card generated", ErrProtocol)
	}
	return cert, nil
}

// checkCA checks the CA certificate of cert just written (sent, as the
// kiosk relayed it; its EF is selected on the card): it must be one DER
// X.509 CA certificate, and the card must read back exactly those bytes.
func checkCA(t relayer, cert Cert, sent []byte) (*x509.Certificate, error) {
	fail := func(why string) error { return fmt.Errorf("%w: the %s CA certificate %s", ErrCACertificate, cert, why) }
	if len(sent) < 4 || sent[0] != 0x30 || sent[1] != 0x82 {
		return nil, fail("is not a DER certificate")
	}
	n := 4 + (int(sent[2])<<8 | int(sent[3]))
	switch {
	case len(sent) < n:
		return nil, fail("is incomplete")
	case len(sent) > n:
		return nil, fail("has bytes after the certificate")
	}
	ca, err := x509.ParseCertificate(sent)
	if err != nil {
		return nil, fail("is not an X.509 certificate")
	}
	if !ca.IsCA {
		return nil, fail("is not a CA certificate")
	}
	got := make([]byte, 0, n)
	for off := 0; off < n; off += maxChunk {
		data, sw, err := exchange(t, readBinary(off, min(maxChunk, n-off)))
		if err != nil {
			return nil, fmt.Errorf("reading back the %s CA certificate: %w", cert, err)
		}
		if sw != swOK {
			return nil, fmt.Errorf("reading back the %s CA certificate: %w: %w", cert, ErrCard, &card.StatusError{SW: sw})
		}
		got = append(got, data...)
	}
	if !bytes.Equal(got, sent) {
		return nil, fail("read back differs from what was written")
	}
	return ca, nil
}

// describe names a command for error messages.
func describe(a apdu) string {
	switch a.ins {
	case card.INSSelect:
		return "SELECT"
	case card.INSGetChallenge:
		return "GET CHALLENGE"
	case card.INSExternalAuth:
		return "EXTERNAL AUTHENTICATE"
	case card.INSGenerateKey:
		return "GENERATE KEY"
	case card.INSUpdateBinary:
		return "UPDATE BINARY"
	}
	return fmt.Sprintf("INS %02X", a.ins)
}

// SetPIN implements Issuer: it sets the new PIN of a certificate the last
// Issue wrote, in the same card session (SELECT of the PIN EF, RESET RETRY
// COUNTER), journalling the step. The PIN goes to the card only; the caller
// keeps and wipes its slice.
func (c *Client) SetPIN(ctx context.Context, t card.Transmitter, cert Cert, pin []byte) error {
	c.mu.Lock()
	e := c.pending
	c.mu.Unlock()
	if e == nil {
		return ErrNoIssuance
	}
	jc := e.cert(cert)
	if jc == nil || jc.Write != StepDone || jc.PIN == StepDone {
		return ErrNoIssuance
	}
	jc.PIN = StepSent
	if err := c.journal.save(e); err != nil {
		return err
	}
	if err := SetPIN(t, cert, pin); err != nil {
		jc.PIN = StepNone
		e.LastError = Code(err)
		e.State = EntryInterrupted
		_ = c.journal.save(e)
		c.emit(ctx, e, "set_pin", cert, StepSent, jc.Serial, err)
		return &Error{JournalID: e.ID, CardChanged: true, Resume: e.Resume(), Err: err}
	}
	jc.PIN = StepDone
	c.emit(ctx, e, "set_pin", cert, StepDone, jc.Serial, nil)
	if e.Resume() != "" {
		return c.journal.save(e)
	}
	c.mu.Lock()
	c.pending = nil
	c.mu.Unlock()
	c.emit(ctx, e, "done", "", "", "", nil)
	return c.journal.remove(e)
}

// SetPIN sends the kiosk's PIN step of docs/ISSUANCE-APDUS.md (step 5):
// SELECT of the certificate's PIN EF, then RESET RETRY COUNTER with the new
// PIN, in a card session the issuer authenticated. The encoded command is
// wiped after use; the card package's trace masks the PIN bytes.
func SetPIN(t card.Transmitter, cert Cert, pin []byte) error {
	if !cert.Valid() {
		return fmt.Errorf("%w: certificate %q", ErrRequest, cert)
	}
	if len(pin) == 0 || len(pin) > 16 {
		return card.ErrPINFormat
	}
	return setPIN(relayOf(t), cert, pin)
}

// setPIN relays SELECT of the PIN EF and RESET RETRY COUNTER.
func setPIN(t relayer, cert Cert, pin []byte) error {
	_, sw, err := exchange(t, selectEF(filesOf(cert).pin))
	if err != nil {
		return fmt.Errorf("selecting the %s pin: %w", cert, err)
	}
	if sw != swOK {
		return fmt.Errorf("selecting the %s pin: %w", cert, &card.StatusError{SW: sw})
	}
	b := resetRetry(pin)
	_, sw, err = exchange(t, b)
	clear(b)
	if err != nil {
		return fmt.Errorf("setting the %s pin: %w", cert, err)
	}
	if sw != swOK {
		return fmt.Errorf("setting the %s pin: %w", cert, &card.StatusError{SW: sw})
	}
	return nil
}

var _ Issuer = (*Client)(nil)
