package issue

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults of the gateway client.
const (
	DefaultGatewayTimeout = 30 * time.Second
	DefaultGatewayRetries = 2
	DefaultGatewayBackoff = 500 * time.Millisecond
	maxGatewayBody        = 1 << 20 // a script of two certificates is about 20 KB
)

// GatewayConfig configures the client of a municipality's issuance gateway
// (docs/GATEWAY.md).
type GatewayConfig struct {
	// URL is the gateway's base URL; it must be https.
	URL string
	// Certificate is the kiosk's client certificate and key (mutual TLS).
	Certificate tls.Certificate
	// ServerCAs are the only authorities trusted for the gateway's server
	// certificate (pinning: the system roots are not used).
	ServerCAs *x509.CertPool
	// Timeout bounds each HTTP exchange; DefaultGatewayTimeout if zero.
	Timeout time.Duration
	// Retries is how many times a request is repeated after a transport
	// failure or a 502/503/504 answer; DefaultGatewayRetries if zero,
	// none if negative. Repeats are safe: the protocol is idempotent.
	Retries int
	// Backoff is the wait before the first repeat, doubled each time;
	// DefaultGatewayBackoff if zero.
	Backoff time.Duration
}

// LoadGatewayConfig reads the client certificate, its key and the pinned
// server CA bundle from PEM files.
func LoadGatewayConfig(gatewayURL, certFile, keyFile, caFile string) (GatewayConfig, error) {
	cfg := GatewayConfig{URL: gatewayURL}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return cfg, fmt.Errorf("gateway client certificate: %w", err)
	}
	cfg.Certificate = cert
	pemCAs, err := os.ReadFile(caFile)
	if err != nil {
		return cfg, fmt.Errorf("gateway server ca: %w", err)
	}
	cfg.ServerCAs = x509.NewCertPool()
	if !cfg.ServerCAs.AppendCertsFromPEM(pemCAs) {
		return cfg, fmt.Errorf("gateway server ca: no certificate in %s", caFile)
	}
	return cfg, nil
}

// gateway is the Backend of an issuance gateway over HTTPS.
type gateway struct {
	base    *url.URL
	client  *http.Client
	retries int
	backoff time.Duration
}

// NewGatewayBackend checks cfg and returns the gateway as a Backend.
func NewGatewayBackend(cfg GatewayConfig) (Backend, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("gateway url %q: must be https://host[:port][/path]", cfg.URL)
	}
	if len(cfg.Certificate.Certificate) == 0 || cfg.Certificate.PrivateKey == nil {
		return nil, errors.New("gateway: a client certificate is required (mutual TLS)")
	}
	if cfg.ServerCAs == nil {
		return nil, errors.New("gateway: the server's CA must be pinned")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultGatewayTimeout
	}
	if cfg.Retries == 0 {
		cfg.Retries = DefaultGatewayRetries
	}
	if cfg.Retries < 0 {
		cfg.Retries = 0
	}
	if cfg.Backoff == 0 {
		cfg.Backoff = DefaultGatewayBackoff
	}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			RootCAs:      cfg.ServerCAs,
			Certificates: []tls.Certificate{cfg.Certificate},
		},
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		Proxy:                 nil, // the gateway is reached directly
	}
	return &gateway{
		base:    u,
		client:  &http.Client{Transport: tr, Timeout: cfg.Timeout, CheckRedirect: refuseRedirect},
		retries: cfg.Retries,
		backoff: cfg.Backoff,
	}, nil
}

// NewGateway returns the gateway issuer, journalling in dataDir.
func NewGateway(cfg GatewayConfig, dataDir string) (*Client, error) {
	b, err := NewGatewayBackend(cfg)
	if err != nil {
		return nil, err
	}
	if err := ensureDir(dataDir); err != nil {
		return nil, err
	}
	j, err := OpenJournal(dataDir)
	if err != nil {
		return nil, err
	}
	return NewClient("gateway", b, j), nil
}

// refuseRedirect is the client's CheckRedirect: no redirect is followed,
// whatever its status or target. A 307/308 would re-send the request body
// (the opening request carries the holder's name, sex, birth date and
// address) to wherever the gateway points, plain http:// included.
func refuseRedirect(req *http.Request, _ []*http.Request) error {
	status := "redirect"
	if req.Response != nil {
		status = req.Response.Status
	}
	return fmt.Errorf("%w (%s to %s://%s)", ErrRedirect, status, req.URL.Scheme, req.URL.Host)
}

// Open implements Backend: POST /v1/issuances.
func (g *gateway) Open(ctx context.Context, req *OpenRequest) (*Script, error) {
	var s Script
	return &s, g.post(ctx, "v1/issuances", req, &s)
}

// Step implements Backend: POST /v1/issuances/{session}/steps.
func (g *gateway) Step(ctx context.Context, req *StepRequest) (*Script, error) {
	var s Script
	return &s, g.post(ctx, "v1/issuances/"+url.PathEscape(req.Session)+"/steps", req, &s)
}

// Abort implements Backend: POST /v1/issuances/{session}/abort.
func (g *gateway) Abort(ctx context.Context, session, reason string) error {
	if session == "" {
		return nil
	}
	return g.post(ctx, "v1/issuances/"+url.PathEscape(session)+"/abort", map[string]string{"reason": reason}, nil)
}

// post sends body as JSON and decodes the answer into out, repeating the
// request after transport failures and 502/503/504 up to g.retries times.
func (g *gateway) post(ctx context.Context, path string, body, out any) error {
	payload, err := json.Marshal(body)
	if err != nil {
		return err
	}
	u := g.base.JoinPath(path).String()
	wait := g.backoff
	var last error
	for attempt := 0; attempt <= g.retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w: %w (last: %v)", ErrUnavailable, ctx.Err(), last)
			case <-time.After(wait):
			}
			wait *= 2
		}
		var retry bool
		retry, last = g.once(ctx, u, payload, out)
		if last == nil || !retry {
			return last
		}
	}
	return fmt.Errorf("%w after %d attempts: %v", ErrUnavailable, g.retries+1, last)
}

// once makes one request; retry tells whether repeating it may help.
func (g *gateway) once(ctx context.Context, u string, payload []byte, out any) (retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := g.client.Do(req)
	if errors.Is(err, ErrRedirect) {
		return false, errors.Unwrap(err) // the *url.Error's cause, without the URL
	}
	if err != nil {
		var certErr *tls.CertificateVerificationError
		if errors.As(err, &certErr) {
			return false, fmt.Errorf("%w: gateway certificate not trusted: %v", ErrUnavailable, err)
		}
		return ctx.Err() == nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxGatewayBody+1))
	if err != nil {
		return true, err
	}
	if len(b) > maxGatewayBody {
		return false, fmt.Errorf("%w: answer larger than %d bytes", ErrProtocol, maxGatewayBody)
	}
	switch {
	case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout:
		return true, fmt.Errorf("gateway answered %s", resp.Status)
	case resp.StatusCode < 400 && resp.StatusCode >= 300: // a 3xx the client did not treat as a redirect
		return false, fmt.Errorf("%w (%s)", ErrRedirect, resp.Status)
	case resp.StatusCode >= 300:
		var be BackendError
		if json.Unmarshal(b, &be) == nil && be.Code != "" {
			return false, &be
		}
		return false, fmt.Errorf("%w: gateway answered %s", ErrProtocol, resp.Status)
	}
	if out == nil {
		return false, nil
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return false, fmt.Errorf("%w: answer of type %q", ErrProtocol, ct)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return false, fmt.Errorf("%w: bad JSON from the gateway: %v", ErrProtocol, err)
	}
	return false, nil
}
