package issue

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"reflect"
	"time"
)

// sessionTTL bounds how long the training CA keeps an idle session.
const sessionTTL = 30 * time.Minute

// session is one issuance in progress at the training CA. It holds the
// holder's data in memory for the time of the session only.
type session struct {
	id        string
	req       OpenRequest
	seq       int    // the outstanding script's number
	phase     string // the outstanding script's phase
	challenge []byte
	issued    []CertInfo
	first     *Script // the answer to Open (for a repeated Open)
	lastReq   *StepRequest
	lastReply *Script
	touched   time.Time
}

// Open implements Backend: it checks the request and returns the challenge
// script.
func (ca *CA) Open(_ context.Context, req *OpenRequest) (*Script, error) {
	if req.Version != ProtocolVersion {
		return nil, &BackendError{"UNSUPPORTED_VERSION", fmt.Sprintf("protocol version %d", req.Version)}
	}
	r := Request{Purpose: req.Purpose, Certs: req.Certs, Holder: req.Holder, Now: req.IssueTime}
	switch {
	case req.Purpose == PINReset:
		// Issuer authentication only: the kiosk resets the PIN itself.
		if len(req.Certs) > 0 || req.Holder != nil || !req.PINReset.Valid() {
			return nil, &BackendError{"BAD_REQUEST", "pin_reset names one certificate's PIN and asks for no certificate"}
		}
	case req.PINReset != "":
		return nil, &BackendError{"BAD_REQUEST", "pin_reset needs purpose pin_reset"}
	case len(req.Certs) > 0:
		if err := r.Validate(); err != nil {
			return nil, &BackendError{"BAD_REQUEST", err.Error()}
		}
	case !req.Purpose.Valid():
		return nil, &BackendError{"BAD_REQUEST", "purpose"}
	}
	if len(req.CardSerial) != serialSize {
		return nil, &BackendError{"BAD_REQUEST", "card serial must be 16 bytes"}
	}
	ca.sessMu.Lock()
	defer ca.sessMu.Unlock()
	for id, s := range ca.sessions {
		if time.Since(s.touched) > sessionTTL {
			ca.drop(id)
		}
		if req.RequestID != "" && s.req.RequestID == req.RequestID && s.first != nil {
			if reflect.DeepEqual(s.req, *req) && s.seq == 1 {
				return s.first, nil // a retried Open
			}
			return nil, &BackendError{"DUPLICATE_REQUEST", "request_id already used"}
		}
	}
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	s := &session{id: hex.EncodeToString(id[:]), req: *req, seq: 1, phase: PhaseChallenge, touched: time.Now()}
	if req.Holder != nil {
		h := *req.Holder
		s.req.Holder = &h
	}
	s.first = &Script{Session: s.id, Seq: 1, Phase: PhaseChallenge, Commands: []Hex{selectJPKI(), getChallenge()}}
	ca.sessions[s.id] = s
	return s.first, nil
}

// Step implements Backend: it checks the card's answers to the outstanding
// script and returns the next one. A repeated step (a retry after a lost
// reply) gets the same reply again.
func (ca *CA) Step(_ context.Context, req *StepRequest) (*Script, error) {
	ca.sessMu.Lock()
	defer ca.sessMu.Unlock()
	s, ok := ca.sessions[req.Session]
	if !ok {
		return nil, &BackendError{"NO_SESSION", "unknown or finished session"}
	}
	s.touched = time.Now()
	if s.lastReq != nil && req.Seq == s.lastReq.Seq && reflect.DeepEqual(req, s.lastReq) {
		return s.lastReply, nil
	}
	if req.Seq != s.seq {
		return nil, &BackendError{"WRONG_STEP", fmt.Sprintf("expected answers to script %d, got %d", s.seq, req.Seq)}
	}
	reply, err := ca.advance(s, req)
	if err != nil {
		ca.drop(s.id)
		return nil, err
	}
	cp := *req
	s.lastReq, s.lastReply = &cp, reply
	return reply, nil
}

// Abort implements Backend: it forgets the session. Certificates it issued
// but the kiosk did not finish writing stay recorded by their serial in the
// kiosk's journal.
func (ca *CA) Abort(_ context.Context, session, _ string) error {
	ca.sessMu.Lock()
	defer ca.sessMu.Unlock()
	ca.drop(session)
	return nil
}

// drop forgets a session and the holder data it held.
func (ca *CA) drop(id string) {
	if s, ok := ca.sessions[id]; ok {
		s.req.Holder.Wipe()
		delete(ca.sessions, id)
	}
}

// answers checks that the kiosk answered every command of the outstanding
// script with 90 00.
func answers(req *StepRequest, n int) error {
	if len(req.Responses) != n {
		return &BackendError{"INCOMPLETE", fmt.Sprintf("%d responses to %d commands", len(req.Responses), n)}
	}
	for i, r := range req.Responses {
		sw, err := r.sw()
		if err != nil {
			return &BackendError{"BAD_RESPONSE", err.Error()}
		}
		if sw != swOK {
			return &BackendError{"CARD_ERROR", fmt.Sprintf("command %d answered %04X", i+1, sw)}
		}
	}
	return nil
}

// advance moves a session one phase on.
func (ca *CA) advance(s *session, req *StepRequest) (*Script, error) {
	next := &Script{Session: s.id, Seq: s.seq + 1}
	switch s.phase {
	case PhaseChallenge:
		if err := answers(req, 2); err != nil {
			return nil, err
		}
		s.challenge = append([]byte(nil), req.Responses[1].Data...)
		if len(s.challenge) != 8 {
			return nil, &BackendError{"BAD_RESPONSE", "challenge must be 8 bytes"}
		}
		sig, err := signChallenge(ca.issuerKey, s.challenge, s.req.CardSerial)
		if err != nil {
			return nil, err
		}
		next.Phase = PhaseAuthenticate
		next.Commands = []Hex{externalAuth(sig)}
		for _, c := range s.req.Certs {
			next.Commands = append(next.Commands, generateKey(filesOf(c.Cert).key))
		}
	case PhaseAuthenticate:
		if err := answers(req, 1+len(s.req.Certs)); err != nil {
			return nil, err
		}
		if len(s.req.Certs) == 0 {
			next.Phase = PhaseDone
			break
		}
		next.Phase = PhaseWrite
		for i, c := range s.req.Certs {
			pub, err := parsePublicKey(req.Responses[1+i].Data)
			if err != nil {
				return nil, &BackendError{"BAD_RESPONSE", err.Error()}
			}
			der, cert, err := ca.issueCert(c.Cert, pub, s.req.Holder, s.req.IssueTime, c.NotAfter)
			if err != nil {
				return nil, &BackendError{"ISSUE_FAILED", err.Error()}
			}
			s.issued = append(s.issued, CertInfo{Cert: c.Cert, Serial: serialString(cert), NotBefore: cert.NotBefore, NotAfter: cert.NotAfter})
			// The CA certificate first: once the certificate is written, the
			// card's chain is complete (a resume never rewrites the CA EF).
			script := append(writeScript(filesOf(c.Cert).ca, ca.authority(c.Cert).cert.Raw), writeScript(filesOf(c.Cert).cert, der)...)
			for _, b := range script {
				next.Commands = append(next.Commands, Hex(b))
			}
		}
		s.req.Holder.Wipe() // not needed any more
		next.Certificates = s.issued
	case PhaseWrite:
		if err := answers(req, len(s.lastReply.Commands)); err != nil {
			return nil, err
		}
		next.Phase = PhaseDone
		next.Certificates = s.issued
	default:
		return nil, &BackendError{"WRONG_STEP", "session is finished"}
	}
	s.seq, s.phase = next.Seq, next.Phase
	return next, nil
}

// serialString formats a certificate serial number in decimal, as
// `kioskctl card status` shows it.
func serialString(c *x509.Certificate) string { return c.SerialNumber.String() }

var _ Backend = (*CA)(nil)
