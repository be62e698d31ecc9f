package issue

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// A hostile gateway (issue 11): redirects, endless or oversized scripts,
// personal data in its error text, a bad CA certificate.

func TestGatewayRefusesEveryRedirect(t *testing.T) {
	// A plain-http server that must never hear from the kiosk.
	var plainHits atomic.Int64
	var leaked sync.Map
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		b, _ := io.ReadAll(r.Body)
		leaked.Store(string(b), true)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(plain.Close)

	_, ca := newTraining(t)
	pki := newTestPKI(t)
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, target := range []string{"plain", "self"} {
			t.Run(http.StatusText(status)+" to "+target, func(t *testing.T) {
				var gwHits atomic.Int64
				real := under(NewGatewayHandler(ca))
				var self string
				cfg := startGateway(t, pki, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if strings.HasPrefix(r.URL.Path, "/followed") { // the redirect's target on the gateway itself
						http.StripPrefix("/followed", real).ServeHTTP(w, r)
						return
					}
					gwHits.Add(1)
					to := plain.URL + r.URL.Path
					if target == "self" {
						to = self + "/followed" + r.URL.Path
					}
					http.Redirect(w, r, to, status)
				}))
				self = strings.TrimSuffix(cfg.URL, "/gw")
				c := newGatewayClient(t, cfg)
				p, vc := persona(t, vcard.PersonaRenewable, ca)
				before := plainHits.Load()
				_, err := c.Issue(context.Background(), vc, request(p, Renew, Auth, Sign))
				var ie *Error
				if !errors.As(err, &ie) || !errors.Is(err, ErrRedirect) || ie.Code() != "GATEWAY_REDIRECT" {
					t.Fatalf("redirect: err = %v, want ErrRedirect", err)
				}
				if ie.CardChanged {
					t.Error("card changed")
				}
				if n := plainHits.Load() - before; n != 0 {
					t.Errorf("the plain-http server got %d requests", n)
				}
				if n := gwHits.Load(); n != 1 {
					t.Errorf("%d requests to the gateway, want 1 (a redirect is not retried)", n)
				}
				if pend, _ := c.Journal().Pending(); len(pend) != 0 {
					t.Errorf("journal %+v for an unchanged card", pend)
				}
				t.Logf("%v", err)
			})
		}
	}
	leaked.Range(func(k, _ any) bool {
		t.Errorf("sent in cleartext: %.80s", k)
		return true
	})
}

// endless answers every step with another challenge script, like a gateway
// that never says "done" (it gives up after 1000, so that a kiosk without a
// limit fails the test instead of hanging it).
type endless struct {
	Backend
	steps atomic.Int64
}

func (b *endless) Step(_ context.Context, req *StepRequest) (*Script, error) {
	if b.steps.Add(1) > 1000 {
		return &Script{Session: req.Session, Seq: req.Seq + 1, Phase: PhaseDone}, nil
	}
	return &Script{Session: req.Session, Seq: req.Seq + 1, Phase: PhaseChallenge, Commands: []Hex{selectJPKI(), getChallenge()}}, nil
}

// stalled answers the first step only when ctx ends (or after 5 s, so that
// a kiosk without a deadline fails the test instead of hanging it).
type stalled struct{ Backend }

func (b stalled) Step(ctx context.Context, _ *StepRequest) (*Script, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(5 * time.Second):
		return nil, &BackendError{"INTERNAL", "stalled"}
	}
}

func TestLimitsRefuseAHostileBackend(t *testing.T) {
	ins := func(cmds [][]byte, ins byte) (n int) {
		for _, c := range cmds[3:] { // after the kiosk's own token read
			if c[1] == ins {
				n++
			}
		}
		return n
	}
	// A first UPDATE BINARY chunk announcing a 4,080-byte certificate.
	chunk := append([]byte{0x30, 0x82, 0x0F, 0xEC}, bytes.Repeat([]byte{0x55}, 251)...)
	tests := []struct {
		name    string
		backend func(*CA) Backend
		want    error
		code    string
		check   func(t *testing.T, cmds [][]byte)
	}{
		{"20,005 GET CHALLENGE in one script", func(ca *CA) Backend {
			return &tamper{Backend: ca, mutate: func(s *Script) {
				if s.Phase == PhaseChallenge {
					s.Commands = []Hex{selectJPKI()}
					for range 20004 {
						s.Commands = append(s.Commands, getChallenge())
					}
				}
			}}
		}, ErrTooManyCommands, "TOO_MANY_COMMANDS", func(t *testing.T, cmds [][]byte) {
			if len(cmds) != 3 {
				t.Errorf("%d commands of the oversized script reached the card", len(cmds)-3)
			}
		}},
		{"never done", func(ca *CA) Backend { return &endless{Backend: ca} }, ErrTooManyScripts, "TOO_MANY_SCRIPTS", func(t *testing.T, cmds [][]byte) {
			if n := ins(cmds, card.INSGetChallenge); n != DefaultMaxScripts {
				t.Errorf("%d GET CHALLENGE relayed, want %d (one per script within the limit)", n, DefaultMaxScripts)
			}
		}},
		{"33 rewrites of one file", func(ca *CA) Backend {
			return &tamper{Backend: ca, mutate: func(s *Script) {
				if s.Phase == PhaseWrite {
					cmds := []Hex{selectEF(card.EFAuthCert)}
					for range DefaultMaxWritesPerEF + 1 {
						cmds = append(cmds, updateBinary(0, chunk))
					}
					s.Commands = append(cmds, s.Commands...)
				}
			}}
		}, ErrTooManyWrites, "TOO_MANY_WRITES", func(t *testing.T, cmds [][]byte) {
			if n := ins(cmds, card.INSUpdateBinary); n != DefaultMaxWritesPerEF {
				t.Errorf("%d UPDATE BINARY reached the card, want %d", n, DefaultMaxWritesPerEF)
			}
		}},
		{"a stalled backend (time limit)", func(ca *CA) Backend { return stalled{ca} }, ErrIssuanceTimeout, "ISSUANCE_TIMEOUT", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := newDataDir(t)
			ca, err := OpenCA(dir)
			if err != nil {
				t.Fatal(err)
			}
			j, err := OpenJournal(dir)
			if err != nil {
				t.Fatal(err)
			}
			c := NewClient("training", tt.backend(ca), j)
			c.SetLimits(Limits{Duration: 300 * time.Millisecond})
			p, vc := persona(t, vcard.PersonaRenewable, ca)
			rec := &recorder{next: vc}
			start := time.Now()
			// No deadline of the caller's: the issuer bounds the time itself
			// (the GUI's issuances pass a context without one).
			_, err = c.Issue(context.Background(), rec, request(p, Renew, Auth))
			var ie *Error
			if !errors.As(err, &ie) || !errors.Is(err, tt.want) || ie.Code() != tt.code {
				t.Fatalf("err = %v (code %q), want %v (%s)", err, Code(err), tt.want, tt.code)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("refused after %v", d)
			}
			if tt.check != nil {
				tt.check(t, rec.cmds)
			}
			if pend, _ := c.Journal().Pending(); ie.CardChanged && (len(pend) != 1 || pend[0].LastError != tt.code) {
				t.Errorf("journal %+v, want last_error %s", pend, tt.code)
			}
			t.Logf("%v", err)
		})
	}
}

func TestDefaultLimitsAdmitALawfulIssuance(t *testing.T) {
	c, ca := newTraining(t)
	if l := c.Limits(); l != (Limits{DefaultMaxCommands, DefaultMaxScripts, DefaultMaxWritesPerEF, DefaultMaxDuration}) {
		t.Fatalf("limits %+v", l)
	}
	// The largest lawful write script: both certificates, every EF full.
	var n int
	for range 4 {
		n += len(writeScript(card.EFAuthCert, make([]byte, maxCertEF)))
	}
	if n > DefaultMaxCommands {
		t.Errorf("a lawful write script of %d commands exceeds the limit %d", n, DefaultMaxCommands)
	}
	if w := len(writeScript(card.EFAuthCert, make([]byte, maxCertEF))) - 1; w > DefaultMaxWritesPerEF {
		t.Errorf("filling an EF takes %d writes, limit %d", w, DefaultMaxWritesPerEF)
	}
	p, vc := persona(t, vcard.PersonaRenewable, ca)
	req := request(p, Renew, Auth, Sign)
	if _, err := issueAll(context.Background(), c, vc, req); err != nil {
		t.Fatal(err)
	}
	checkIssued(t, ca, vc, req)
}

// refusing fails the write phase with an error whose text carries the
// holder's name and address, as a careless or hostile gateway might.
type refusing struct {
	Backend
	code, msg string
}

func (b *refusing) Step(ctx context.Context, req *StepRequest) (*Script, error) {
	s, err := b.Backend.Step(ctx, req)
	if err == nil && s.Phase == PhaseWrite {
		return nil, &BackendError{Code: b.code, Message: b.msg}
	}
	return s, err
}

func TestJournalKeepsCodesNotGatewayText(t *testing.T) {
	_, ca := newTraining(t)
	pki := newTestPKI(t)
	for _, tt := range []struct{ name, code, want string }{
		{"known code", "ISSUE_FAILED", "ISSUER_ISSUE_FAILED"},
		{"personal data as the code", "", "ISSUER_REFUSED"}, // code set below: the holder's name
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, vc := persona(t, vcard.PersonaRenewable, ca)
			name, addr := p.Holder.Name, p.Holder.Address
			code := tt.code
			if code == "" {
				code = "NAME_" + name
			}
			b := &refusing{Backend: ca, code: code, msg: "no certificate for " + name + ", " + addr}
			c := newGatewayClient(t, startGateway(t, pki, under(NewGatewayHandler(b))))
			ev := &events{}
			c.SetEvents(ev)
			_, err := c.Issue(context.Background(), vc, request(p, Renew, Auth, Sign))
			var ie *Error
			if !errors.As(err, &ie) || !errors.Is(err, ErrBackend) || !ie.CardChanged {
				t.Fatalf("err = %v, want an interrupted issuance refused by the issuer", err)
			}
			files, _ := filepath.Glob(filepath.Join(c.Journal().dir, "*"))
			if len(files) != 1 {
				t.Fatalf("journal files %v", files)
			}
			raw, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{name, addr, "no certificate for", p.Holder.Birth.Format("20060102")} {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("journal holds %q:\n%s", s, raw)
				}
			}
			if !bytes.Contains(raw, []byte(`"last_error": "`+tt.want+`"`)) {
				t.Errorf("journal lacks last_error %s:\n%s", tt.want, raw)
			}
			for _, e := range ev.all {
				if strings.Contains(e.Error, name) || strings.Contains(e.Error, addr) || strings.Contains(e.Error, " ") {
					t.Errorf("event %s carries text %q", e.Step, e.Error)
				}
			}
		})
	}
}

// corruptRead alters the data of every READ BINARY answer after the first
// (the kiosk's token read): a card that keeps other bytes than it was sent.
type corruptRead struct {
	next  interface{ Transmit([]byte) ([]byte, error) }
	reads int
}

func (c *corruptRead) Transmit(apdu []byte) ([]byte, error) {
	resp, err := c.next.Transmit(apdu)
	if err == nil && len(apdu) > 1 && apdu[1] == card.INSReadBinary {
		if c.reads++; c.reads > 1 && len(resp) > 2 {
			resp = bytes.Clone(resp)
			resp[len(resp)-3] ^= 0x01
		}
	}
	return resp, err
}

// replaceCA rewrites the CA certificate EF part of a write script to write der.
func replaceCA(s *Script, ef card.FileID, der []byte) {
	var out []Hex
	for i := 0; i < len(s.Commands); i++ {
		if !bytes.Equal(s.Commands[i], selectEF(ef)) {
			out = append(out, s.Commands[i])
			continue
		}
		for _, c := range writeScript(ef, der) {
			out = append(out, c)
		}
		for i+1 < len(s.Commands) && s.Commands[i+1][1] == card.INSUpdateBinary {
			i++
		}
	}
	s.Commands = out
}

func TestCACertificateIsReadBack(t *testing.T) {
	_, ca := newTraining(t)
	authCA := ca.Certificate(Auth).Raw
	tests := []struct {
		name    string
		caDER   []byte // written to the auth CA EF instead of the CA's; nil: unchanged
		corrupt bool   // the card reads back other bytes
	}{
		{"0xAA filler", bytes.Repeat([]byte{0xAA}, len(authCA)), false},
		{"certificate header, then filler", append(bytes.Clone(authCA[:4]), bytes.Repeat([]byte{0xAA}, len(authCA)-4)...), false},
		{"bytes after the certificate", append(bytes.Clone(authCA), 0xAA, 0xAA), false},
		{"the wrong CA", ca.Certificate(Sign).Raw, false},
		{"the card keeps other bytes", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var honest atomic.Bool
			tb := &tamper{Backend: ca, mutate: func(s *Script) {
				if s.Phase == PhaseWrite && tt.caDER != nil && !honest.Load() {
					replaceCA(s, card.EFAuthCA, tt.caDER)
				}
			}}
			dir := newDataDir(t)
			j, err := OpenJournal(dir)
			if err != nil {
				t.Fatal(err)
			}
			c := NewClient("training", tb, j)
			p, vc := persona(t, vcard.PersonaRenewable, ca)
			var tr interface{ Transmit([]byte) ([]byte, error) } = vc
			if tt.corrupt {
				tr = &corruptRead{next: vc}
			}
			req := request(p, Renew, Auth)
			_, err = issueAll(context.Background(), c, tr, req)
			var ie *Error
			if !errors.As(err, &ie) || !errors.Is(err, ErrCACertificate) || ie.Code() != "BAD_CA_CERTIFICATE" {
				t.Fatalf("err = %v, want ErrCACertificate", err)
			}
			if !ie.CardChanged {
				t.Error("a written CA EF reported as card unchanged")
			}
			pend, _ := c.Journal().Pending()
			if len(pend) != 1 || pend[0].LastError != "BAD_CA_CERTIFICATE" || pend[0].Resume() != "auth: generate key, write certificate" {
				t.Fatalf("journal %+v", pend)
			}
			t.Logf("%v", err)
			// An honest issuer resumes and completes it.
			honest.Store(true)
			vc.Reset()
			if _, err := issueAll(context.Background(), c, vc, req); err != nil {
				t.Fatal(err)
			}
			checkIssued(t, ca, vc, req)
		})
	}

	// A lawful issuance reads each CA certificate back in full.
	c, ca2 := newTraining(t)
	p, vc := persona(t, vcard.PersonaRenewable, ca2)
	rec := &recorder{next: vc}
	req := request(p, Renew, Auth, Sign)
	if _, err := issueAll(context.Background(), c, rec, req); err != nil {
		t.Fatal(err)
	}
	authCA = ca2.Certificate(Auth).Raw
	var read int
	for _, cmd := range rec.cmds[3:] {
		if cmd[1] == card.INSReadBinary {
			read += int(cmd[len(cmd)-1])
		}
	}
	if want := len(authCA) + len(ca2.Certificate(Sign).Raw); read != want {
		t.Errorf("%d bytes read back, want %d (both CA certificates)", read, want)
	}
}

func TestGatewayRefusesA3xxWithoutLocation(t *testing.T) {
	var hits atomic.Int64
	cfg := startGateway(t, newTestPKI(t), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusMultipleChoices) // no Location: the HTTP client does not follow it
	}))
	b, err := NewGatewayBackend(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Open(context.Background(), &OpenRequest{Version: ProtocolVersion})
	if !errors.Is(err, ErrRedirect) || Code(err) != "GATEWAY_REDIRECT" || hits.Load() != 1 {
		t.Fatalf("300 without Location: err = %v after %d requests", err, hits.Load())
	}
}
