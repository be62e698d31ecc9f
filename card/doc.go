// Package card talks to My Number cards (and old 住基カード) over PC/SC:
// the JPKI application (公的個人認証サービス) and the basic-info application
// (券面事項入力補助AP), as described in DESIGN.md section 4.
//
// Layers, bottom up:
//
//   - Transmitter: one method, Transmit(apdu) → response. *Conn (PC/SC through
//     github.com/ebfe/scard), *Trace (records and counts APDUs, masking PINs)
//     and the virtual card of card/vcard all satisfy it.
//   - Command and the package's transmit: one command struct, one encoder, and
//     the ISO 7816-4 chores (GET RESPONSE on 61xx, resend on 6Cxx, one
//     reconnect after a card reset).
//   - Card: the JPKI operations (identify, certificates, PIN retries, VERIFY,
//     CHANGE REFERENCE DATA, signatures, basic-info) and the issuance write
//     commands of docs/ISSUANCE-APDUS.md.
//   - Monitor: reader and card events from SCardGetStatusChange.
//
// The package has no user interface and no wording for people: PINs come in
// as byte slices or callbacks supplied by the caller, and errors are values to
// be tested with errors.Is and errors.As. It never reads the individual number
// (EF 0001 of the basic-info application).
package card
