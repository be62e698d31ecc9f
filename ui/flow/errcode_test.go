package flow

import (
	"fmt"
	"testing"
)

func TestCardErrCode(t *testing.T) {
	for err, want := range map[error]string{
		fmt.Errorf("x: %w", ErrCardUnreadable): ErrCodeCardUnreadable,
		fmt.Errorf("x: %w", ErrCardRemoved):    ErrCodeCardRemoved,
		fmt.Errorf("other"):                    ErrCodeCard,
	} {
		if got := cardErrCode(err); got != want {
			t.Errorf("%v: %s, want %s", err, got, want)
		}
	}
}
