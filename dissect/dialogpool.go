package dissect

import (
	"sync"

	"github.com/ftpscope/ftpscope/model"
)

// Dialogs are most of what the dissector allocates in a capture of many
// short sessions (a 30-line dialog is 4 KiB, and growing it by appending
// allocates twice that again), so the dialogs of sessions that were
// written out and forgotten are reused for new sessions.
var dialogPool sync.Pool // of *[]model.DialogEntry, empty, capacity ≥ minPooledDialog

const (
	firstDialogCap  = 16
	minPooledDialog = 2 * firstDialogCap
)

// newDialog returns an empty dialog, reused when one is free.
func newDialog() []model.DialogEntry {
	if p, ok := dialogPool.Get().(*[]model.DialogEntry); ok {
		return *p
	}
	return make([]model.DialogEntry, 0, firstDialogCap)
}

// RecycleDialog hands back the dialog of a session model once nothing
// refers to it any more: the report writer has written the session and
// no finding, NAT leg or view kept it. Only a consumer that keeps nothing
// may call it (analysis does, for streaming report writers).
func RecycleDialog(d []model.DialogEntry) {
	if cap(d) < minPooledDialog {
		return
	}
	clear(d[:cap(d)]) // drop the strings it points to
	d = d[:0]
	dialogPool.Put(&d)
}
