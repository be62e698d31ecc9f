package staff

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jpki-kiosk/kiosk/policy"
	"github.com/jpki-kiosk/kiosk/store"
	"github.com/jpki-kiosk/kiosk/ui/flow"
)

// Errors of approvals; test with errors.Is.
var (
	// ErrNoCard: the card in the reader has no certificate to bind to.
	ErrNoCard = errors.New("staff: no card reference to bind the approval to")
	// ErrIdentity: the identity check is not complete.
	ErrIdentity = errors.New("staff: identity check incomplete")
	// ErrNotGenuine: the card's auth certificate was not issued by J-LIS
	// (or, on a production kiosk, only by the training CA): no approval.
	ErrNotGenuine = errors.New("staff: the card is not a J-LIS card")
	// ErrNotSignedIn: no clerk is signed in.
	ErrNotSignedIn = errors.New("staff: no clerk signed in")
	// ErrBadToken: an approval token that this kiosk did not make for this
	// ticket and this card (forged, altered, or replayed elsewhere).
	ErrBadToken = errors.New("staff: approval token does not match the ticket and card")
	// ErrUsed: the approval was already used for this certificate.
	ErrUsed = errors.New("staff: approval already used")
)

// KindApprovalBound is the audit event that binds an approval's nonce to its
// ticket and card.
const KindApprovalBound = "approval_bound"

// CardRef returns the reference of the card in the reader, from the
// resident flow's snapshot: Snapshot.CardRef, the card reference read at
// insertion (card.Ref: "auth:" and the auth certificate's serial, else
// "card:" and a hash of the token's serialNumber), which stays the same
// while the session renews the auth certificate. Without it (a flow fed by
// a fake port), "auth:" or "sign:" and a certificate serial the snapshot
// shows; "" when it knows none.
func CardRef(s flow.Snapshot) string {
	if s.CardRef != "" {
		return s.CardRef
	}
	for _, c := range []struct {
		prefix string
		v      flow.CertView
	}{{"auth:", s.Auth}, {"sign:", s.Sign}} {
		if c.v.Present && c.v.Serial != "" {
			var b strings.Builder
			for _, r := range strings.ToLower(c.v.Serial) {
				if (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') {
					b.WriteRune(r)
				}
			}
			if b.Len() > 0 {
				return c.prefix + b.String()
			}
		}
	}
	return ""
}

// ApprovalRequest is what the clerk confirms on the approval screen.
type ApprovalRequest struct {
	TicketID   int64
	CardRef    string
	StaffID    string
	Identity   []policy.IDDocument // the identity documents shown
	Documents  []string            // document codes checked (policy codes, any case)
	CardExpiry time.Time           // the card's expiry from the card face; zero: not asked
	// Genuine is the card's genuine check (Snapshot.Genuine): "jlis",
	// "training", "not_jlis", or "" when there was nothing to check (no
	// auth certificate).
	Genuine string
}

// Grant is a recorded approval with its token: the flow's ApprovalID.
type Grant struct {
	Approval store.Approval
	Token    string // t<ticket>.a<approval>.<nonce>.<mac>
	Ticket   store.Ticket
}

// Event is the flow event that lets the resident's session continue.
func (g Grant) Event(cardExpiry time.Time) flow.StaffApproved {
	return flow.StaffApproved{TicketID: strconv.FormatInt(g.Approval.TicketID, 10), ApprovalID: g.Token, CardExpiry: cardExpiry}
}

// Approvals records clerks' decisions in the store and makes tokens that bind
// each approval to its ticket, its card and a fresh nonce. The MAC key lives
// in memory only: a token is good for the kiosk process that made it.
type Approvals struct {
	Store *store.Store
	// AcceptTraining lets a demo or training kiosk approve cards of its
	// training CA; a production kiosk approves J-LIS cards only.
	AcceptTraining bool
	key            []byte

	mu   sync.Mutex
	used map[string]bool // token + cert
}

// NewApprovals makes an approval book on s with a fresh random key.
func NewApprovals(s *store.Store) *Approvals {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic("staff: no randomness: " + err.Error())
	}
	return &Approvals{Store: s, key: key, used: map[string]bool{}}
}

func lowerCodes(vs []string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		v = strings.ToLower(v)
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func idCodes(ids []policy.IDDocument) []string {
	out := make([]string, 0, len(ids))
	for _, d := range ids {
		out = append(out, "id_"+string(d))
	}
	return out
}

// Genuine reports whether a card with that genuine check may be approved:
// a J-LIS card always; a training card on a kiosk that accepts training
// cards; "" (no auth certificate to check) as well; anything else never.
func (a *Approvals) Genuine(verdict string) bool {
	switch verdict {
	case "jlis", "":
		return true
	case "training":
		return a.AcceptTraining
	}
	return false
}

// IdentityOK reports whether the identity documents shown meet the rule of
// an approval: one photo ID, or two without a photo.
func IdentityOK(ids []policy.IDDocument) bool {
	return policy.IdentitySatisfied(policy.PhotoOrTwo, ids)
}

// Approve records the clerk's approval of a waiting ticket for the card in
// the reader, after an identity check that meets policy (one photo ID or two
// without a photo), and returns its token.
func (a *Approvals) Approve(ctx context.Context, r ApprovalRequest) (Grant, error) {
	if r.CardRef == "" {
		return Grant{}, ErrNoCard
	}
	if r.StaffID == "" {
		return Grant{}, ErrNotSignedIn
	}
	if !IdentityOK(r.Identity) {
		return Grant{}, ErrIdentity
	}
	if !a.Genuine(r.Genuine) {
		return Grant{}, fmt.Errorf("%w (%s)", ErrNotGenuine, r.Genuine)
	}
	docs := append(lowerCodes(r.Documents), idCodes(r.Identity)...)
	ap, err := a.Store.Decide(ctx, store.Approval{TicketID: r.TicketID, CardRef: r.CardRef, StaffID: r.StaffID,
		Decision: store.Approve, Documents: docs})
	if err != nil {
		return Grant{}, fmt.Errorf("recording approval: %w", err)
	}
	t, err := a.Store.Ticket(ctx, r.TicketID)
	if err != nil {
		return Grant{}, err
	}
	nb := make([]byte, 8)
	if _, err := rand.Read(nb); err != nil {
		return Grant{}, err
	}
	nonce := "n" + hex.EncodeToString(nb)
	tok := fmt.Sprintf("t%d.a%d.%s.%s", r.TicketID, ap.ID, nonce, a.mac(r.TicketID, ap.ID, r.CardRef, nonce))
	d := store.Detail{"approval": ap.ID, "ticket": t.Number, "ticket_date": t.Date, "card_ref": r.CardRef, "nonce": nonce, "staff_id": r.StaffID}
	if !r.CardExpiry.IsZero() {
		d["card_expiry_checked"] = true
	}
	if _, err := a.Store.Append(ctx, t.SessionID, KindApprovalBound, d); err != nil {
		return Grant{}, err
	}
	return Grant{Approval: ap, Token: tok, Ticket: t}, nil
}

// Decline records the clerk's refusal with a reason code and returns the
// flow event for the resident's session.
func (a *Approvals) Decline(ctx context.Context, ticketID int64, cardRef, staffID, reason string) (flow.StaffDeclined, error) {
	if cardRef == "" {
		cardRef = "none"
	}
	if staffID == "" {
		return flow.StaffDeclined{}, ErrNotSignedIn
	}
	if _, err := a.Store.Decide(ctx, store.Approval{TicketID: ticketID, CardRef: cardRef, StaffID: staffID,
		Decision: store.Decline, Reason: reason}); err != nil {
		return flow.StaffDeclined{}, fmt.Errorf("recording decline: %w", err)
	}
	return flow.StaffDeclined{TicketID: strconv.FormatInt(ticketID, 10), Reason: reason}, nil
}

func (a *Approvals) mac(ticketID, approvalID int64, cardRef, nonce string) string {
	h := hmac.New(sha256.New, a.key)
	fmt.Fprintf(h, "jpki-kiosk approval\x00%d\x00%d\x00%s\x00%s", ticketID, approvalID, cardRef, nonce)
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// ParsedToken is the visible part of a token.
type ParsedToken struct {
	TicketID   int64
	ApprovalID int64
	Nonce      string
	MAC        string
}

// ParseToken splits a token; it checks the form only.
func ParseToken(tok string) (ParsedToken, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 4 || !strings.HasPrefix(parts[0], "t") || !strings.HasPrefix(parts[1], "a") {
		return ParsedToken{}, ErrBadToken
	}
	t, err1 := strconv.ParseInt(parts[0][1:], 10, 64)
	ap, err2 := strconv.ParseInt(parts[1][1:], 10, 64)
	if err1 != nil || err2 != nil {
		return ParsedToken{}, ErrBadToken
	}
	return ParsedToken{TicketID: t, ApprovalID: ap, Nonce: parts[2], MAC: parts[3]}, nil
}

// Verify checks a token against the ticket and the card it is presented
// for: the MAC binds ticket, approval, card and nonce, and the store must
// still hold that approval for that ticket and card (approved, not yet done).
func (a *Approvals) Verify(ctx context.Context, tok string, ticketID int64, cardRef string) (store.Approval, error) {
	p, err := ParseToken(tok)
	if err != nil {
		return store.Approval{}, err
	}
	want := a.mac(ticketID, p.ApprovalID, cardRef, p.Nonce)
	if p.TicketID != ticketID || !hmac.Equal([]byte(want), []byte(p.MAC)) {
		return store.Approval{}, ErrBadToken
	}
	ap, err := a.Store.CheckApproval(ctx, ticketID, cardRef)
	if err != nil {
		return store.Approval{}, err
	}
	if ap.ID != p.ApprovalID {
		return store.Approval{}, ErrBadToken
	}
	return ap, nil
}

// Use verifies a token for one certificate of the ticket and marks that
// certificate as used: a token writes each approved certificate once.
func (a *Approvals) Use(ctx context.Context, tok string, ticketID int64, cardRef, cert string) error {
	if _, err := a.Verify(ctx, tok, ticketID, cardRef); err != nil {
		return err
	}
	t, err := a.Store.Ticket(ctx, ticketID)
	if err != nil {
		return err
	}
	cert = strings.ToLower(cert)
	if !slices.Contains(t.Certificates, cert) {
		return fmt.Errorf("%w: ticket is for %v, not %s", ErrBadToken, t.Certificates, cert)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	k := tok + "/" + cert
	if a.used[k] {
		return ErrUsed
	}
	a.used[k] = true
	return nil
}

// Finish closes an approved ticket after the work is done, so that its
// approval cannot be used again (even by another kiosk process).
func (a *Approvals) Finish(ctx context.Context, ticketID int64, staffID string) error {
	return a.Store.SetTicketStatus(ctx, ticketID, store.TicketDone, staffID)
}

// GuardedIssuer wraps the flow's Issuer: before each certificate is written
// it checks the request's approval token against the ticket of the day and
// the card the request is for (IssueRequest.CardRef, the card the session
// holds), once per certificate.
type GuardedIssuer struct {
	Next      flow.Issuer
	Approvals *Approvals
}

// Issue checks the approval, then lets Next write the certificate. Requests
// without an approval (route self, where a profile allows it) pass; one with
// an approval but no card reference does not.
func (g GuardedIssuer) Issue(ctx context.Context, req flow.IssueRequest) (flow.IssueResult, error) {
	if req.ApprovalID != "" {
		if req.CardRef == "" {
			return flow.IssueResult{}, ErrNoCard
		}
		p, err := ParseToken(req.ApprovalID)
		if err != nil {
			return flow.IssueResult{}, err
		}
		t, err := g.Approvals.Store.Ticket(ctx, p.TicketID)
		if err != nil {
			return flow.IssueResult{}, err
		}
		if req.Ticket != 0 && t.Number != req.Ticket {
			return flow.IssueResult{}, fmt.Errorf("%w: ticket %d, request for %d", ErrBadToken, t.Number, req.Ticket)
		}
		if err := g.Approvals.Use(ctx, req.ApprovalID, p.TicketID, req.CardRef, req.Cert.String()); err != nil {
			return flow.IssueResult{}, err
		}
	}
	return g.Next.Issue(ctx, req)
}
