package issue

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// testPKI is a throw-away TLS PKI for the gateway tests (ECDSA: fast).
type testPKI struct {
	serverCA, clientCA *x509.Certificate
	server, client     tls.Certificate
}

func makeCert(t testing.TB, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

func newTestPKI(t testing.TB) *testPKI {
	now := time.Now()
	ca := func(cn string) (*x509.Certificate, *ecdsa.PrivateKey) {
		return makeCert(t, &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign}, nil, nil)
	}
	leaf := func(cn string, eku x509.ExtKeyUsage, parent *x509.Certificate, pk *ecdsa.PrivateKey) tls.Certificate {
		c, k := makeCert(t, &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{eku},
			IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature}, parent, pk)
		return tls.Certificate{Certificate: [][]byte{c.Raw}, PrivateKey: k, Leaf: c}
	}
	p := &testPKI{}
	var sk, ck *ecdsa.PrivateKey
	p.serverCA, sk = ca("test gateway CA")
	p.clientCA, ck = ca("test kiosk CA")
	p.server = leaf("gateway", x509.ExtKeyUsageServerAuth, p.serverCA, sk)
	p.client = leaf("kiosk-01", x509.ExtKeyUsageClientAuth, p.clientCA, ck)
	return p
}

// startGateway serves h over TLS on loopback, requiring the kiosk's client
// certificate, and returns the kiosk's configuration for it.
func startGateway(t testing.TB, pki *testPKI, h http.Handler) GatewayConfig {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
	clients := x509.NewCertPool()
	clients.AddCert(pki.clientCA)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.server}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	if host, _, _ := net.SplitHostPort(srv.Listener.Addr().String()); !net.ParseIP(host).IsLoopback() {
		t.Fatalf("test gateway on %s, not loopback", host)
	}
	roots := x509.NewCertPool()
	roots.AddCert(pki.serverCA)
	return GatewayConfig{URL: srv.URL + "/gw", Certificate: pki.client, ServerCAs: roots,
		Timeout: 2 * time.Second, Retries: 1, Backoff: 10 * time.Millisecond}
}

// under strips the /gw prefix the tests give the gateway's base URL.
func under(h http.Handler) http.Handler { return http.StripPrefix("/gw", h) }

func newGatewayClient(t testing.TB, cfg GatewayConfig) *Client {
	t.Helper()
	c, err := NewGateway(cfg, newDataDir(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGatewayIssuesOverMutualTLS(t *testing.T) {
	_, ca := newTraining(t)
	cfg := startGateway(t, newTestPKI(t), under(NewGatewayHandler(ca)))
	c := newGatewayClient(t, cfg)
	if c.Name() != "gateway" {
		t.Errorf("name %q", c.Name())
	}
	p, vc := persona(t, vcard.PersonaRenewable, ca)
	req := request(p, Renew, Auth, Sign)
	if _, err := issueAll(context.Background(), c, vc, req); err != nil {
		t.Fatal(err)
	}
	checkIssued(t, ca, vc, req)
}

func TestGatewayTLSRefusals(t *testing.T) {
	pki := newTestPKI(t)
	_, ca := newTraining(t)
	cfg := startGateway(t, pki, under(NewGatewayHandler(ca)))

	// The kiosk refuses to run without a client certificate or a pinned CA.
	noCert := cfg
	noCert.Certificate = tls.Certificate{}
	if _, err := NewGatewayBackend(noCert); err == nil {
		t.Error("gateway without a client certificate accepted")
	}
	noPin := cfg
	noPin.ServerCAs = nil
	if _, err := NewGatewayBackend(noPin); err == nil {
		t.Error("gateway without a pinned CA accepted")
	}
	plain := cfg
	plain.URL = strings.Replace(cfg.URL, "https:", "http:", 1)
	if _, err := NewGatewayBackend(plain); err == nil {
		t.Error("plain http accepted")
	}

	// The server refuses a TLS client without a certificate.
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: cfg.ServerCAs}}}
	resp, err := hc.Post(cfg.URL+"/v1/issuances", "application/json", strings.NewReader("{}"))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("server answered %s to a client without certificate", resp.Status)
	}

	// The kiosk refuses a server whose certificate is not from the pinned CA.
	other := newTestPKI(t)
	wrongPin := cfg
	wrongPin.ServerCAs = x509.NewCertPool()
	wrongPin.ServerCAs.AddCert(other.serverCA)
	b, err := NewGatewayBackend(wrongPin)
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Open(context.Background(), &OpenRequest{Version: ProtocolVersion})
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "not trusted") {
		t.Errorf("unpinned server: %v", err)
	}

	// The handler itself refuses a request that came without a verified client.
	rec := httptest.NewRecorder()
	NewGatewayHandler(ca).ServeHTTP(rec, httptest.NewRequest("POST", "/v1/issuances", strings.NewReader("{}")))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("handler without TLS: %d", rec.Code)
	}
}

// faulty wraps the gateway handler: it can hang or garble the answer to the
// nth POST, and counts aborts.
type faulty struct {
	next    http.Handler
	n       atomic.Int64
	hangAt  atomic.Int64 // hang on requests hangAt..hangTo (1-based); 0: never
	hangTo  atomic.Int64
	junkAt  int64 // answer junk on this request
	aborts  atomic.Int64
	release chan struct{} // closed when the test ends: hanging handlers return
}

func (f *faulty) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasSuffix(r.URL.Path, "/abort") {
		f.aborts.Add(1)
		f.next.ServeHTTP(w, r)
		return
	}
	n := f.n.Add(1)
	if n >= f.hangAt.Load() && n <= f.hangTo.Load() {
		select { // until the kiosk gives up, or the test ends
		case <-r.Context().Done():
		case <-f.release:
		}
		return
	}
	switch n {
	case f.junkAt:
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"session": "x", "seq": `))
		return
	}
	f.next.ServeHTTP(w, r)
}

func TestGatewayHangsThenResumes(t *testing.T) {
	ctx := context.Background()
	_, ca := newTraining(t)
	pki := newTestPKI(t)
	// Requests: 1 open, 2 challenge answers, 3 key answers (hangs: keys
	// generated, nothing written), 4 the retry of 3 (hangs too).
	f := &faulty{next: under(NewGatewayHandler(ca)), release: make(chan struct{})}
	f.hangAt.Store(3)
	f.hangTo.Store(4)
	cfg := startGateway(t, pki, f)
	t.Cleanup(func() { close(f.release) }) // runs before the server closes
	cfg.Timeout = 300 * time.Millisecond
	c := newGatewayClient(t, cfg)
	p, vc := persona(t, vcard.PersonaRenewable, ca)
	req := request(p, Renew, Auth)

	start := time.Now()
	_, err := issueAll(ctx, c, vc, req)
	var ie *Error
	if !errors.As(err, &ie) || !errors.Is(err, ErrUnavailable) || !ie.CardChanged {
		t.Fatalf("hanging gateway: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("gave up after %v", d)
	}
	if got := f.n.Load(); got != 4 {
		t.Errorf("%d requests, want 4 (one retry)", got)
	}
	pend, _ := c.Journal().Pending()
	if len(pend) != 1 || pend[0].Resume() != "auth: generate key, write certificate" || pend[0].LastError != "ISSUER_UNAVAILABLE" {
		t.Fatalf("journal = %+v", pend)
	}
	t.Logf("error: %v", err)

	// The gateway is back: the same request resumes and completes.
	f.hangAt.Store(0)
	vc.Reset()
	if _, err := issueAll(ctx, c, vc, req); err != nil {
		t.Fatal(err)
	}
	checkIssued(t, ca, vc, req)

	// One lost answer is absorbed by the retry: the step is idempotent.
	_, vc2 := persona(t, vcard.PersonaRenewable, ca)
	f.n.Store(0)
	f.hangAt.Store(3)
	f.hangTo.Store(3)
	if _, err := issueAll(ctx, c, vc2, req); err != nil {
		t.Fatalf("one hung request: %v", err)
	}
	checkIssued(t, ca, vc2, req)
	if got := f.n.Load(); got != 5 {
		t.Errorf("%d requests, want 5 (open, 3 steps, one retry)", got)
	}
}

func TestGatewayBadJSON(t *testing.T) {
	_, ca := newTraining(t)
	f := &faulty{next: under(NewGatewayHandler(ca)), junkAt: 2}
	c := newGatewayClient(t, startGateway(t, newTestPKI(t), f))
	p, vc := persona(t, vcard.PersonaRenewable, ca)
	before := vc.File(vcard.EFAuthCert)
	_, err := c.Issue(context.Background(), vc, request(p, Renew, Auth))
	var ie *Error
	if !errors.As(err, &ie) || !errors.Is(err, ErrProtocol) || ie.CardChanged {
		t.Fatalf("bad JSON: %v", err)
	}
	if !bytes.Equal(before, vc.File(vcard.EFAuthCert)) {
		t.Error("card changed")
	}
	if f.aborts.Load() != 1 {
		t.Errorf("%d aborts sent, want 1", f.aborts.Load())
	}
}

// tamper is a Backend that rewrites the scripts of a real one.
type tamper struct {
	Backend
	mu     sync.Mutex
	mutate func(*Script)
}

func (m *tamper) Open(ctx context.Context, req *OpenRequest) (*Script, error) {
	s, err := m.Backend.Open(ctx, req)
	if err == nil {
		m.mu.Lock()
		m.mutate(s)
		m.mu.Unlock()
	}
	return s, err
}

func (m *tamper) Step(ctx context.Context, req *StepRequest) (*Script, error) {
	s, err := m.Backend.Step(ctx, req)
	if err == nil {
		m.mu.Lock()
		m.mutate(s)
		m.mu.Unlock()
	}
	return s, err
}

func TestGatewayForbiddenCommandsNeverReachTheCard(t *testing.T) {
	verify := []byte{0x00, 0x20, 0x00, 0x80, 0x04, '1', '2', '3', '4'}
	selectBasic := []byte{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08}
	tests := []struct {
		name      string
		phase     string
		cmds      [][]byte // prepended to the phase's script
		forbidden []byte
		changed   bool // keys were generated before the bad command
	}{
		{"individual number", PhaseChallenge, [][]byte{selectBasic, selectEF(0x0001), readBinary(0, 12)}, selectBasic, false},
		{"verify with a PIN", PhaseAuthenticate, [][]byte{verify}, verify, false},
		{"read the token", PhaseChallenge, [][]byte{selectEF(card.EFToken)}, selectEF(card.EFToken), false},
		{"read a certificate", PhaseWrite, [][]byte{selectEF(card.EFAuthCert), readBinary(0, 4)}, readBinary(0, 4), true},
		{"reset a PIN", PhaseWrite, [][]byte{selectEF(card.EFAuthPIN)}, selectEF(card.EFAuthPIN), true},
		{"PIN as RESET RETRY COUNTER", PhaseWrite, [][]byte{resetRetry([]byte("0000"))}, resetRetry([]byte("0000")), true},
		{"sign key not requested", PhaseAuthenticate, [][]byte{generateKey(card.EFSignKey)}, generateKey(card.EFSignKey), false},
		{"CA certificate after the certificate", PhaseWrite + "+append", [][]byte{selectEF(card.EFAuthCA), updateBinary(0, []byte{0x30, 0x82})}, updateBinary(0, []byte{0x30, 0x82}), true},
		{"proprietary class", PhaseAuthenticate, [][]byte{{0x80, 0x2A, 0x00, 0x80, 0x01, 0x00, 0x00}}, []byte{0x80, 0x2A, 0x00, 0x80, 0x01, 0x00, 0x00}, false},
	}
	_, ca := newTraining(t)
	pki := newTestPKI(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &tamper{Backend: ca, mutate: func(s *Script) {
				if s.Phase+"+append" == tt.phase {
					for _, c := range tt.cmds {
						s.Commands = append(s.Commands, c)
					}
				}
				if s.Phase == tt.phase {
					var cmds []Hex
					for _, c := range tt.cmds {
						cmds = append(cmds, c)
					}
					if tt.phase == PhaseAuthenticate { // right after EXTERNAL AUTHENTICATE
						s.Commands = append(append(s.Commands[:1:1], cmds...), s.Commands[1:]...)
					} else {
						s.Commands = append(cmds, s.Commands...)
					}
				}
			}}
			f := &faulty{next: under(NewGatewayHandler(tb))}
			c := newGatewayClient(t, startGateway(t, pki, f))
			p, vc := persona(t, vcard.PersonaRenewable, ca)
			rec := &recorder{next: vc}
			_, err := c.Issue(context.Background(), rec, request(p, Renew, Auth))
			var ie *Error
			if !errors.As(err, &ie) || !errors.Is(err, ErrForbidden) {
				t.Fatalf("err = %v, want ErrForbidden", err)
			}
			for _, cmd := range rec.cmds[3:] { // after the kiosk's own token read
				if bytes.Equal(cmd, tt.forbidden) {
					t.Fatalf("forbidden command % X reached the card", cmd)
				}
			}
			if ie.CardChanged != tt.changed {
				t.Errorf("card changed = %v, want %v", ie.CardChanged, tt.changed)
			}
			pend, _ := c.Journal().Pending()
			if tt.changed && (len(pend) != 1 || pend[0].LastError != "FORBIDDEN_COMMAND") {
				t.Errorf("journal = %+v", pend)
			}
			if !tt.changed && len(pend) != 0 {
				t.Errorf("journal = %+v for an unchanged card", pend)
			}
			if f.aborts.Load() != 1 {
				t.Errorf("%d aborts", f.aborts.Load())
			}
			t.Logf("%v", err)
		})
	}
}
