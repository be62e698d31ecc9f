package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/jpki-kiosk/kiosk/ui/flow"
	"github.com/jpki-kiosk/kiosk/ui/samples"
)

// TestReceiptFinishIsPrimary: on the receipt the resident is done, so
// "Finish" is the primary action and ends the session in one tap (to
// TAKE_CARD), while "Back to menu" stays as the secondary action. The fake
// session answers as ui/flow does: Cancel on the receipt goes to the menu,
// Cancel on the menu ends the session.
func TestReceiptFinishIsPrimary(t *testing.T) {
	for _, st := range []flow.State{flow.StateReceipt, flow.StatePINChanged} {
		var receipt flow.Snapshot
		for _, s := range samples.Snapshots() {
			if s.State == st {
				receipt = s
			}
		}
		s := &fakeSession{snap: receipt}
		s.onEvent = func(ev flow.Event) flow.Snapshot {
			next := s.snap
			next.Seq++
			switch ev.(type) {
			case flow.Cancel:
				if s.snap.State == flow.StateStatus {
					return flow.Snapshot{Seq: next.Seq, State: flow.StateTakeCard}
				}
				return statusSnap()
			case flow.Next:
				return statusSnap()
			}
			return next
		}
		k, _ := newTestKiosk(t, s)
		fin, menu := k.Button("finish"), k.Button("next")
		if fin == nil || menu == nil {
			t.Fatalf("%s: buttons finish=%v next=%v", st, fin != nil, menu != nil)
		}
		if fin.Importance != widget.HighImportance || menu.Importance == widget.HighImportance {
			t.Errorf("%s: finish is not the primary action", st)
		}
		if fin.Text != k.Tr().T("action.finish") {
			t.Errorf("%s: finish reads %q", st, fin.Text)
		}
		k.ResetTaps()
		test.Tap(fin)
		if k.ScreenID() != flow.StateTakeCard.String() || k.Taps() != 1 {
			t.Errorf("%s: finish led to %s in %d taps, want TAKE_CARD in 1", st, k.ScreenID(), k.Taps())
		}
		s.snap = receipt
		k.Refresh()
		test.Tap(k.Button("next"))
		if k.ScreenID() != flow.StateStatus.String() {
			t.Errorf("%s: back to menu led to %s", st, k.ScreenID())
		}
	}
}
