package vcard

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/subtle"
)

// doSelect handles SELECT (ISO 7816-4 section 11.2.2): by DF name for the
// applications (the whole AID or, as real cards accept, a prefix of it), by
// file id for an EF of the current application (P1 02, or P1 00 as real
// cards also accept), and the MF.
func (c *Card) doSelect(cmd command) []byte {
	switch cmd.p1 {
	case selectByDFName:
		if cmd.p2 != selectNoResponse {
			return status(swWrongP1P2)
		}
		var app *application
		for _, a := range []*application{c.jpki, c.basic} {
			if a != nil && app == nil && len(cmd.data) > 0 && bytes.HasPrefix(a.aid, cmd.data) {
				app = a
			}
		}
		if app == nil {
			return status(swFileNotFound)
		}
		// Selecting an application by name starts its security state afresh:
		// PINs verified before (in it or in the one left) are no longer
		// verified (what OpenSC's JPKI driver expects of a real card, and what an
		// independent JPKI emulator does). The driver relies on it: it
		// selects the application, then asks the tries left with an empty
		// VERIFY and takes 90 00 ("still verified") for an error, so a PIN
		// left verified by the previous client (pkcs11-tool --login, which
		// disconnects without a reset) made the next pkcs15-tool fail with
		// "Unsupported card" until pcscd powered the idle card down.
		if c.cur != nil {
			clearVerified(c.cur)
		}
		clearVerified(app)
		c.cur = app
		c.hasEF = false
		c.issuerAuth = false
		c.challenge = nil
		return status(swOK)
	case selectEFUnderDF:
		if cmd.p2 != selectNoResponse {
			return status(swWrongP1P2)
		}
		if len(cmd.data) != 2 {
			return status(swWrongLength)
		}
		id := uint16(cmd.data[0])<<8 | uint16(cmd.data[1])
		if c.cur == nil || !c.cur.has(id) {
			return status(swFileNotFound)
		}
		c.curEF, c.hasEF = id, true
		return status(swOK)
	case selectMF:
		if cmd.p2 != selectNoResponse && cmd.p2 != 0x00 {
			return status(swWrongP1P2)
		}
		if len(cmd.data) == 2 && !bytes.Equal(cmd.data, []byte{0x3F, 0x00}) {
			// P1 00 with a file id: a real card selects the EF of the current DF.
			return c.doSelect(command{cla: cmd.cla, ins: cmd.ins, p1: selectEFUnderDF, p2: selectNoResponse, data: cmd.data})
		}
		if len(cmd.data) != 0 && !bytes.Equal(cmd.data, []byte{0x3F, 0x00}) {
			return status(swFileNotFound)
		}
		if c.cur != nil {
			clearVerified(c.cur)
		}
		c.cur, c.hasEF = nil, false
		c.issuerAuth, c.challenge = false, nil
		return status(swOK)
	}
	return status(swWrongP1P2)
}

func clearVerified(a *application) {
	for _, p := range a.pins {
		p.verified = false
	}
}

// has reports whether the application holds an EF of that id.
func (a *application) has(id uint16) bool {
	return a.efs[id] != nil || a.pins[id] != nil || a.keys[id] != nil
}

// currentEF returns the selected transparent EF, or the status word that
// says why there is none.
func (c *Card) currentEF() (*efState, uint16) {
	if c.cur == nil || !c.hasEF {
		return nil, swNoCurrentEF
	}
	ef := c.cur.efs[c.curEF]
	if ef == nil {
		return nil, swIncompatibleFile
	}
	return ef, swOK
}

// certPending reports whether a certificate EF waits for the certificate of
// a newly generated key (docs/ISSUANCE-APDUS.md, pending-EF rule).
func (c *Card) certPending(ef *efState) bool {
	if ef.key == 0 || c.cur == nil {
		return false
	}
	k := c.cur.keys[ef.key]
	return k != nil && (k.needCert || k.needPIN)
}

// selectSFI makes the EF with short file id sfi (its file id's low 5 bits)
// of the current application the current EF, as READ BINARY and VERIFY
// naming an EF by short file id do on a real card.
func (c *Card) selectSFI(sfi byte) uint16 {
	id := uint16(sfi & 0x1F)
	if c.cur == nil || id == 0 || !c.cur.has(id) {
		return swFileNotFound
	}
	c.curEF, c.hasEF = id, true
	return swOK
}

// doReadBinary handles READ BINARY with a 15-bit offset in P1-P2, or with a
// short file id (P1 100x xxxx: the EF, which becomes current; P2 the offset).
func (c *Card) doReadBinary(cmd command) []byte {
	if len(cmd.data) != 0 {
		return status(swWrongLength)
	}
	if cmd.p1&0x80 != 0 {
		if cmd.p1&0x60 != 0 {
			return status(swWrongP1P2)
		}
		if sw := c.selectSFI(cmd.p1); sw != swOK {
			return status(sw)
		}
		cmd.p1 = 0 // the offset is P2 alone
	}
	ef, sw := c.currentEF()
	if ef == nil {
		return status(sw)
	}
	if ef.readPIN != 0 {
		if p := c.cur.pins[ef.readPIN]; p == nil || !p.verified {
			return status(swSecurityNotSat)
		}
	}
	if c.certPending(ef) {
		return status(swConditionsNotSat)
	}
	if c.cur == c.jpki && c.curEF == EFAvail {
		c.refreshAvailability(ef)
	}
	offset := int(cmd.p1)<<8 | int(cmd.p2)
	if offset >= len(ef.data) {
		return status(swWrongOffset)
	}
	le := 256
	if cmd.hasLe {
		le = cmd.le
	}
	avail := len(ef.data) - offset
	if le > avail { // less is left than asked for: tell the exact length
		return status(swWrongLe | uint16(avail))
	}
	return response(ef.data[offset:offset+le], swOK)
}

// targetPIN resolves the PIN a VERIFY-like command refers to (P2 80: the
// current EF): a selected PIN EF, or the PIN guarding a selected key EF.
func (c *Card) targetPIN() (*pinState, uint16) {
	if c.cur == nil || !c.hasEF {
		return nil, swNoCurrentEF
	}
	if p := c.cur.pins[c.curEF]; p != nil {
		return p, swOK
	}
	if k := c.cur.keys[c.curEF]; k != nil {
		if p := c.cur.pins[k.pin]; p != nil {
			return p, swOK
		}
	}
	return nil, swIncompatibleFile
}

// refreshAvailability keeps EF 0008 true to the card after an issuance:
// its first byte says whether a signature certificate is written.
func (c *Card) refreshAvailability(ef *efState) {
	if len(ef.data) != 3 {
		return
	}
	ef.data[0] = 0x00
	if sc := c.jpki.efs[EFSignCert]; sc != nil && len(sc.data) > 0 && sc.data[0] == 0x30 && !c.certPending(sc) {
		ef.data[0] = 0x8F
	}
}

// doVerify handles VERIFY `00 20 00 80` with a PIN, or without data to ask
// for the retries left; P2 `80 | sfi` names the PIN EF by short file id.
func (c *Card) doVerify(cmd command) []byte {
	if cmd.p1 != 0x00 || cmd.p2&0x80 == 0 || cmd.p2&0x60 != 0 {
		return status(swWrongP1P2)
	}
	if cmd.p2 != 0x80 {
		if sw := c.selectSFI(cmd.p2); sw != swOK {
			return status(sw)
		}
	}
	p, sw := c.targetPIN()
	if p == nil {
		return status(sw)
	}
	if p.value == nil {
		return status(swRefDataNotUsable)
	}
	if len(cmd.data) == 0 {
		if p.verified {
			return status(swOK)
		}
		return status(swVerifyFailed | uint16(p.left))
	}
	if p.left == 0 {
		return status(swRefDataNotUsable)
	}
	if subtle.ConstantTimeCompare(cmd.data, p.value) == 1 {
		p.left = p.max
		p.verified = true
		return status(swOK)
	}
	p.left--
	p.verified = false
	return status(swVerifyFailed | uint16(p.left))
}

// doChangeReference handles CHANGE REFERENCE DATA `00 24 01 80 <new PIN>`
// after a VERIFY of the same PIN in this session.
func (c *Card) doChangeReference(cmd command) []byte {
	if cmd.p1 != 0x01 || cmd.p2 != 0x80 {
		return status(swWrongP1P2)
	}
	p, sw := c.targetPIN()
	if p == nil {
		return status(sw)
	}
	if p.value == nil || p.left == 0 {
		return status(swRefDataNotUsable)
	}
	if !p.verified {
		return status(swSecurityNotSat)
	}
	if !p.format(cmd.data) {
		return status(swWrongData)
	}
	p.value = bytes.Clone(cmd.data)
	p.left = p.max
	return status(swOK)
}

// doComputeSignature handles COMPUTE DIGITAL SIGNATURE `80 2A 00 80 Lc
// <DigestInfo> 00`: PKCS#1 v1.5 with the selected key EF.
func (c *Card) doComputeSignature(cmd command) []byte {
	if cmd.p1 != 0x00 || cmd.p2 != 0x80 {
		return status(swWrongP1P2)
	}
	if c.cur == nil || !c.hasEF {
		return status(swNoCurrentEF)
	}
	k := c.cur.keys[c.curEF]
	if k == nil {
		return status(swIncompatibleFile)
	}
	if k.key == nil {
		return status(swRefDataNotFound)
	}
	if k.needPIN {
		return status(swConditionsNotSat)
	}
	if p := c.cur.pins[k.pin]; p == nil || !p.verified {
		return status(swSecurityNotSat)
	}
	if len(cmd.data) == 0 {
		return status(swWrongData)
	}
	if len(cmd.data) > k.key.Size()-11 {
		return status(swWrongLength)
	}
	sig, err := rsa.SignPKCS1v15(nil, k.key, crypto.Hash(0), cmd.data)
	if err != nil {
		return status(swWrongData)
	}
	le := 256
	if cmd.hasLe {
		le = cmd.le
	}
	if le < len(sig) {
		return status(swWrongLe | uint16(len(sig)&0xFF))
	}
	return response(sig, swOK)
}

// doGetResponse hands out the rest of an answer announced by 61xx.
func (c *Card) doGetResponse(cmd command) []byte {
	if cmd.p1 != 0 || cmd.p2 != 0 {
		c.pending = nil
		return status(swWrongP1P2)
	}
	if c.pending == nil || len(cmd.data) != 0 {
		c.pending = nil
		return status(swConditionsNotSat)
	}
	le := 256
	if cmd.hasLe {
		le = cmd.le
	}
	if le > len(c.pending) {
		return status(swWrongLe | uint16(len(c.pending)&0xFF))
	}
	rest := c.pending
	c.pending = nil
	return c.answer(rest, le)
}
