package flow

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/jpki-kiosk/kiosk/card"
	"github.com/jpki-kiosk/kiosk/card/issue"
	"github.com/jpki-kiosk/kiosk/card/vcard"
)

// stalledBackend never answers a step until the context ends (or 5 s, so
// that an issuance without a deadline fails the test instead of hanging it).
type stalledBackend struct{ issue.Backend }

func (b stalledBackend) Step(ctx context.Context, _ *issue.StepRequest) (*issue.Script, error) {
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(5 * time.Second):
		return nil, errors.New("stalled")
	}
}

// TestGUIIssuanceHasADeadline: the machine's issuances run on a context
// without a deadline; the issuer's own time limit ends a stalled one.
func TestGUIIssuanceHasADeadline(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	training, err := issue.NewTraining(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca := training.Backend().(*issue.CA)
	iss := issue.NewClient("training", stalledBackend{ca}, training.Journal())
	iss.SetLimits(issue.Limits{Duration: 300 * time.Millisecond})
	p, err := vcard.NewPersona("renewable", realNow)
	if err != nil {
		t.Fatal(err)
	}
	vc := p.NewCard(vcard.Options{IssuerKey: ca.IssuerPublicKey(), KeyGen: issuePoolKeyGen(t)})
	ia := NewIssueAdapter(iss, card.New(vc))
	start := time.Now()
	_, err = ia.Issue(context.Background(), IssueRequest{ApprovalID: "AP-1", Cert: CertAuth, Purpose: PurposeRenew, NotAfter: realNow.AddDate(5, 0, 0)})
	if !errors.Is(err, issue.ErrIssuanceTimeout) {
		t.Fatalf("stalled issuer: err = %v, want the issuance time limit", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("ended after %v", d)
	}
}
