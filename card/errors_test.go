package card

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ebfe/scard"
)

func TestStatusWordErrors(t *testing.T) {
	tests := []struct {
		sw   uint16
		want error // nil: no sentinel
	}{
		{0x6700, ErrWrongLength},
		{0x6982, ErrSecurityStatus},
		{0x6983, ErrAuthBlocked},
		{0x6984, ErrAuthBlocked},
		{0x6985, ErrConditions},
		{0x6986, ErrNoCurrentEF},
		{0x6A80, ErrWrongData},
		{0x6A81, ErrNotSupported},
		{0x6A82, ErrFileNotFound},
		{0x6A84, ErrNotEnoughMemory},
		{0x6A86, ErrWrongParameters},
		{0x6B00, ErrWrongParameters},
		{0x6D00, ErrNotSupported},
		{0x6E00, ErrNotSupported},
		{0x63C2, ErrWrongPIN},
		{0x63C0, ErrAuthBlocked},
		{0x6F00, nil},
		{0x6281, nil},
	}
	all := []error{ErrWrongLength, ErrSecurityStatus, ErrAuthBlocked, ErrConditions, ErrNoCurrentEF,
		ErrWrongData, ErrNotSupported, ErrFileNotFound, ErrNotEnoughMemory, ErrWrongParameters, ErrWrongPIN}
	for _, tt := range tests {
		err := fmt.Errorf("wrapped: %w", &StatusError{SW: tt.sw})
		for _, s := range all {
			want := s == tt.want || (tt.sw == 0x63C0 && s == ErrWrongPIN)
			if got := errors.Is(err, s); got != want {
				t.Errorf("errors.Is(%04X, %v) = %v, want %v", tt.sw, s, got, want)
			}
		}
	}
}

func TestPINErrorRetries(t *testing.T) {
	for n := range 16 {
		err := error(&StatusError{SW: 0x63C0 | uint16(n)})
		var pe *PINError
		if !errors.As(err, &pe) || pe.Retries != n {
			t.Errorf("63C%X: PINError = %v, want retries %d", n, pe, n)
		}
	}
	var pe *PINError
	if errors.As(&StatusError{SW: 0x6300}, &pe) {
		t.Error("6300 is not a PIN error")
	}
}

func TestPCSCErrors(t *testing.T) {
	tests := []struct {
		code scard.Error
		want error
	}{
		{scard.ErrNoService, ErrNoService},
		{scard.ErrServiceStopped, ErrNoService},
		{scard.ErrInvalidHandle, ErrNoService},
		{scard.ErrNoReadersAvailable, ErrNoReader},
		{scard.ErrUnknownReader, ErrNoReader},
		{scard.ErrNoSmartcard, ErrCardRemoved}, // during a session (SCardTransmit): taken away
		{scard.ErrRemovedCard, ErrCardRemoved},
		{scard.ErrNotTransacted, ErrCardRemoved},
		{scard.ErrCommError, ErrCardRemoved},
		{scard.ErrCommDataLost, ErrCardRemoved},
		{scard.ErrResetCard, ErrCardReset},
		{scard.ErrSharingViolation, ErrCardInUse},
		{scard.ErrUnresponsiveCard, ErrCardMute},
		{scard.ErrCancelled, ErrCancelled},
		{scard.ErrInternalError, nil},
	}
	all := []error{ErrNoService, ErrNoReader, ErrNoCard, ErrCardRemoved, ErrCardReset, ErrCardInUse, ErrCardMute, ErrCancelled}
	for _, tt := range tests {
		err := pcscErr("SCardTransmit", tt.code)
		var pe *PCSCError
		if !errors.As(err, &pe) || pe.Code != uint32(tt.code) {
			t.Fatalf("pcscErr(%x) = %v", uint32(tt.code), err)
		}
		for _, s := range all {
			if got := errors.Is(err, s); got != (s == tt.want) {
				t.Errorf("errors.Is(%08x, %v) = %v", uint32(tt.code), s, got)
			}
		}
	}
	if err := pcscErr("SCardConnect", scard.ErrNoSmartcard); !errors.Is(err, ErrNoCard) || errors.Is(err, ErrCardRemoved) {
		t.Errorf("no card at connect: %v", err)
	}
	if pcscErr("x", nil) != nil {
		t.Error("pcscErr(nil) != nil")
	}
}
