// Package vcard is a virtual JPKI card (My Number card, 公的個人認証サービス):
// an in-memory ISO 7816-4 card that answers short APDUs the way the real card
// does (DESIGN.md section 4), plus the issuance write commands of
// docs/ISSUANCE-APDUS.md. It can be served to pcscd through the vpcd driver
// (VPCDServer), so the whole PC/SC stack and OpenSC see it as a card.
//
// Personas (NewPersona, List) are ready-made cards with fictional holders and
// certificates from a test CA. A Card is safe for concurrent use. It never
// logs; PIN bytes stay inside the card.
package vcard

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/jpki-kiosk/kiosk/card"
)

// Errors returned by Transmit.
var (
	// ErrNoCard: the card is not in the reader (removed, or pulled by a fault).
	// It wraps card.ErrCardRemoved, so the card layer and the flow treat a
	// pulled virtual card exactly like a pulled real one.
	ErrNoCard = fmt.Errorf("vcard: no card: %w", card.ErrCardRemoved)
	// ErrFault: an injected transmission fault; the card stays in the reader.
	ErrFault = errors.New("vcard: injected transmission fault")
)

// FaultAction is what a FaultFunc makes happen to one APDU.
type FaultAction int

// Fault actions.
const (
	FaultNone         FaultAction = iota // process the APDU normally
	FaultRemoveBefore                    // pull the card before the APDU reaches it: ErrNoCard
	FaultRemoveAfter                     // the card executes the APDU, then is pulled before answering: ErrNoCard
	FaultError                           // the APDU is lost in transmission: ErrFault, card state unchanged
)

// FaultFunc decides the fate of the nth APDU (1-based, counted over the
// card's life) before the card sees it. It runs with the card locked: it must
// not call the card's methods.
type FaultFunc func(n int, apdu []byte) FaultAction

// FailAt returns a FaultFunc that applies action to the nth APDU only.
func FailAt(n int, action FaultAction) FaultFunc {
	return func(i int, _ []byte) FaultAction {
		if i == n {
			return action
		}
		return FaultNone
	}
}

// Options configure a Card beyond its persona.
type Options struct {
	// ATR answered to the reader; DefaultATR if nil.
	ATR []byte
	// IssuerKey is the issuer public key that EXTERNAL AUTHENTICATE checks;
	// nil means no issuer can authenticate (issuance commands answer 69 82).
	IssuerKey *ecdsa.PublicKey
	// KeyGen makes the key pair for GENERATE ASYMMETRIC KEY PAIR;
	// fresh RSA-2048 keys if nil.
	KeyGen func() (*rsa.PrivateKey, error)
	// Rand supplies GET CHALLENGE bytes; crypto/rand if nil.
	Rand io.Reader
}

// pinFormat says whether a new PIN value is acceptable to the card.
type pinFormat func(pin []byte) bool

// pinState is a PIN EF: reference data and its retry counter.
type pinState struct {
	value    []byte // nil: no PIN set
	left     int
	max      int
	format   pinFormat
	verified bool // session state
}

// keyState is a private-key EF.
type keyState struct {
	key       *rsa.PrivateKey // nil: no key generated
	pin       uint16          // PIN EF guarding the key
	cert      uint16          // certificate EF of the key, 0 if none
	needCert  bool            // generated; its certificate EF awaits a matching certificate
	needPIN   bool            // generated; unusable until RESET RETRY COUNTER sets its PIN
	waitsPINs bool            // needPIN applies to this key (the signature key)
}

// efState is a transparent EF.
type efState struct {
	data     []byte
	readPIN  uint16 // PIN EF that must be verified before READ BINARY; 0 if free
	writable bool   // UPDATE BINARY allowed after issuer authentication
	key      uint16 // key EF whose certificate this is; 0 if none
}

// application is a DF selected by AID.
type application struct {
	aid  []byte
	efs  map[uint16]*efState
	pins map[uint16]*pinState
	keys map[uint16]*keyState
}

// Card is a virtual JPKI card. The zero value is not usable: build one with
// NewPersona(...).Card or Persona.NewCard.
type Card struct {
	mu        sync.Mutex
	atr       []byte
	present   bool
	inserts   int // bumped by Insert, so a server sees a quick remove+insert
	serial    []byte
	jpki      *application
	basic     *application
	issuerKey *ecdsa.PublicKey
	keyGen    func() (*rsa.PrivateKey, error)
	rand      io.Reader
	fault     FaultFunc
	count     int

	// card session: cleared by reset, power off, removal
	cur        *application
	curEF      uint16
	hasEF      bool
	issuerAuth bool
	challenge  []byte
	pending    []byte // rest of a response announced by 61xx
}

// newCard wraps applications into a present, freshly reset card.
func newCard(jpki, basic *application, serial []byte, opts Options) *Card {
	c := &Card{
		atr:       bytes.Clone(opts.ATR),
		present:   true,
		serial:    bytes.Clone(serial),
		jpki:      jpki,
		basic:     basic,
		issuerKey: opts.IssuerKey,
		keyGen:    opts.KeyGen,
		rand:      opts.Rand,
	}
	if c.atr == nil {
		c.atr = bytes.Clone(DefaultATR)
	}
	if c.keyGen == nil {
		c.keyGen = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	}
	if c.rand == nil {
		c.rand = rand.Reader
	}
	return c
}

// ATR returns the card's answer to reset.
func (c *Card) ATR() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.atr)
}

// Serial returns the card serial held in the token EF: its serialNumber, bytes 80..95.
func (c *Card) Serial() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.serial)
}

// Present reports whether the card is in the reader.
func (c *Card) Present() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.present
}

// insertCount returns how many times the card was inserted, with its presence.
func (c *Card) insertCount() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.inserts, c.present
}

// Remove pulls the card out of the reader: the session ends and every
// Transmit answers ErrNoCard until Insert.
func (c *Card) Remove() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.present = false
	c.resetSession()
}

// Insert puts the card (back) into the reader with a fresh session.
func (c *Card) Insert() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.present = true
	c.inserts++
	c.resetSession()
}

// Reset is a warm reset: verified PINs, issuer authentication and the
// selected application are forgotten; stored data and retry counters stay.
func (c *Card) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resetSession()
}

// SetFault installs (or, with nil, removes) a fault hook for later APDUs.
func (c *Card) SetFault(f FaultFunc) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fault = f
}

// APDUCount returns how many APDUs were sent to the card so far, including
// those a fault hook swallowed.
func (c *Card) APDUCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

// Retries returns the retry counter of a PIN EF (EFAuthPIN, EFSignPIN in the
// JPKI application, EFBasicPIN in the basic-information one), and false if
// the card has no such PIN or it is not set.
func (c *Card) Retries(pinEF uint16) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.jpki.pins[pinEF]
	if pinEF == EFBasicPIN {
		p = nil
		if c.basic != nil {
			p = c.basic.pins[pinEF]
		}
	}
	if p == nil || p.value == nil {
		return 0, false
	}
	return p.left, true
}

// File returns a copy of a JPKI-application EF's content (nil if absent or
// empty), bypassing access conditions: for tests that check what was written.
func (c *Card) File(ef uint16) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.jpki.efs[ef]; f != nil {
		return bytes.Clone(f.data)
	}
	return nil
}

// PublicKey returns the public half of a JPKI key EF (EFAuthKey, EFSignKey),
// or nil if the card holds no such key.
func (c *Card) PublicKey(keyEF uint16) *rsa.PublicKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k := c.jpki.keys[keyEF]; k != nil && k.key != nil {
		return &k.key.PublicKey
	}
	return nil
}

// resetSession forgets everything that lives only for one card session.
func (c *Card) resetSession() {
	c.cur = nil
	c.hasEF = false
	c.issuerAuth = false
	c.challenge = nil
	c.pending = nil
	for _, a := range []*application{c.jpki, c.basic} {
		if a == nil {
			continue
		}
		for _, p := range a.pins {
			p.verified = false
		}
	}
}

// Transmit sends one C-APDU to the card and returns its R-APDU (data and
// status word). It fails only when the card is absent or a fault is
// injected; every card-level error is a status word.
func (c *Card) Transmit(apdu []byte) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.present {
		return nil, ErrNoCard
	}
	c.count++
	action := FaultNone
	if c.fault != nil {
		action = c.fault(c.count, bytes.Clone(apdu))
	}
	switch action {
	case FaultRemoveBefore:
		c.present = false
		c.resetSession()
		return nil, ErrNoCard
	case FaultError:
		return nil, ErrFault
	}
	resp := c.process(apdu)
	if action == FaultRemoveAfter {
		c.present = false
		c.resetSession()
		return nil, ErrNoCard
	}
	return resp, nil
}

// process runs one APDU against the card state.
func (c *Card) process(apdu []byte) []byte {
	cmd, err := parseCommand(apdu)
	if err != nil {
		c.pending = nil
		return status(swWrongLength)
	}
	if cmd.ins != insGetResponse {
		c.pending = nil
	}
	if cmd.cla&0x0C != 0 {
		return status(swSecureMessagingUnsp)
	}
	if cmd.cla&0x10 != 0 {
		return status(swLastCmdChainUnsupp)
	}
	wantCLA := byte(claISO)
	if cmd.ins == insComputeSig {
		wantCLA = claProprietary
	}
	if cmd.cla != wantCLA {
		if cmd.cla != claISO && cmd.cla != claProprietary {
			return status(swClaNotSupported)
		}
		return status(swInsNotSupported)
	}
	if do, ok := commands[cmd.ins]; ok {
		return do(c, cmd)
	}
	return status(swInsNotSupported)
}

// commands are the instructions the card knows, by INS byte.
var commands = map[byte]func(c *Card, cmd command) []byte{
	insSelect:       (*Card).doSelect,
	insReadBinary:   (*Card).doReadBinary,
	insVerify:       (*Card).doVerify,
	insChangeRef:    (*Card).doChangeReference,
	insComputeSig:   (*Card).doComputeSignature,
	insGetResponse:  (*Card).doGetResponse,
	insGetChallenge: (*Card).doGetChallenge,
	insExternalAuth: (*Card).doExternalAuthenticate,
	insGenerateKey:  (*Card).doGenerateKey,
	insUpdateBinary: (*Card).doUpdateBinary,
	insResetRetry:   (*Card).doResetRetryCounter,
}

// answer returns data within le bytes; a longer answer is cut, and the rest
// waits for GET RESPONSE behind 61xx.
func (c *Card) answer(data []byte, le int) []byte {
	if len(data) <= le {
		return response(data, swOK)
	}
	c.pending = bytes.Clone(data[le:])
	return response(data[:le], swMoreData|uint16(min(len(c.pending), 256)&0xFF))
}
