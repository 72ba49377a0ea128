// Package dialog keeps a session's dialog, bounded (Ring), in buffers
// reused between sessions (Recycle), and the bytes as sent of its entries'
// texts that are not valid UTF-8 (RawText).
package dialog

import (
	"slices"
	"sync"

	"github.com/ftpscope/ftpscope/model"
)

// Ring is a session's dialog, bounded. Entries are addressed by
// their absolute index — how many entries the session added before them —
// which never changes, whatever is dropped: a command's latency and
// "unanswered" mark, and a reply's answers reference, find their entry or
// know it is gone. Read from a file, the first limit entries are kept and
// later ones dropped; live, the latest limit entries are kept, each new one
// overwriting the oldest in place (nothing moves).
type Ring struct {
	buf     []model.DialogEntry
	head    int // position in buf of the oldest entry kept
	base    int // absolute index of the oldest entry kept
	dropped int // entries not kept: the latest ones (files) or the oldest (live)
}

// Next returns a new entry, zero, for the caller to fill in place, and its
// absolute index; or nil and -1 when the entry is dropped. limit ≤ 0 keeps
// every entry; keepLatest drops the oldest entry instead of the new one
// once limit entries are kept. An entry is some 200 bytes: filling it
// where it stays spares copying it twice per control line.
func (r *Ring) Next(limit int, keepLatest bool) (*model.DialogEntry, int) {
	if limit <= 0 || len(r.buf) < limit {
		if r.buf == nil {
			r.buf = newBuffer()
		}
		n := len(r.buf)
		if n < cap(r.buf) {
			// Beyond its length a buffer is zero: new, or cleared by
			// Recycle, and nothing here shortens one.
			r.buf = r.buf[:n+1]
		} else {
			r.buf = append(r.buf, model.DialogEntry{})
		}
		return &r.buf[n], r.base + n
	}
	r.dropped++
	if !keepLatest {
		return nil, -1
	}
	p := &r.buf[r.head]
	*p = model.DialogEntry{}
	r.head++
	if r.head == len(r.buf) {
		r.head = 0
	}
	r.base++
	return p, r.base + len(r.buf) - 1
}

// At returns the entry of absolute index i, or nil when it was dropped (or
// i is -1).
func (r *Ring) At(i int) *model.DialogEntry {
	if i < r.base || i >= r.base+len(r.buf) {
		return nil
	}
	p := r.head + i - r.base
	if p >= len(r.buf) {
		p -= len(r.buf)
	}
	return &r.buf[p]
}

// Final returns the entries oldest first, their answers references made
// indexes into the result, and leaves the ring empty. It reorders the
// buffer in place: for a session that concluded.
func (r *Ring) Final() []model.DialogEntry {
	d := r.buf
	if r.head > 0 {
		rotate(d, r.head)
	}
	rebase(d, r.base)
	r.buf, r.head = nil, 0
	return d
}

// Snapshot returns a copy of the entries oldest first, their answers
// references made indexes into the copy: for a session still running.
func (r *Ring) Snapshot() []model.DialogEntry {
	if r.buf == nil {
		return nil
	}
	d := make([]model.DialogEntry, 0, len(r.buf))
	d = append(d, r.buf[r.head:]...)
	d = append(d, r.buf[:r.head]...)
	rebase(d, r.base)
	return d
}

// rotate moves d[k:] before d[:k] in place.
func rotate(d []model.DialogEntry, k int) {
	slices.Reverse(d[:k])
	slices.Reverse(d[k:])
	slices.Reverse(d)
}

// rebase turns the absolute answers references of d, whose first entry has
// absolute index base, into indexes into d; a reference to an entry
// dropped before it refers to none.
func rebase(d []model.DialogEntry, base int) {
	if base == 0 {
		return
	}
	for i := range d {
		if abs, ok := d[i].Answers.Index(); ok {
			d[i].Answers = model.RefTo(abs - base)
		}
	}
}

// Dropped is how many entries were not kept.
func (r *Ring) Dropped() int { return r.dropped }

// Base is the absolute index of the oldest entry kept.
func (r *Ring) Base() int { return r.base }

// End is the absolute index the next entry gets.
func (r *Ring) End() int { return r.base + len(r.buf) }

// Dialogs are most of what the dissector allocates in a capture of many
// short sessions (a 30-line dialog is 4 KiB, and growing it by appending
// allocates twice that again), so the dialogs of sessions that were
// written out and forgotten are reused for new sessions.
var dialogPool sync.Pool // of *[]model.DialogEntry, empty, capacity ≥ firstDialogCap

// firstDialogCap is the capacity of a new dialog: most sessions (a login,
// a listing, a transfer) fit, and their buffers are reused too.
const firstDialogCap = 16

// newBuffer returns an empty dialog, reused when one is free.
func newBuffer() []model.DialogEntry {
	if p, ok := dialogPool.Get().(*[]model.DialogEntry); ok {
		return *p
	}
	return make([]model.DialogEntry, 0, firstDialogCap)
}

// Recycle hands back the dialog of a session model once nothing
// refers to it any more: the report writer has written the session and
// no finding, NAT leg or view kept it. Only a consumer that keeps nothing
// may call it (analysis does, for streaming report writers).
func Recycle(d []model.DialogEntry) {
	if cap(d) < firstDialogCap {
		return
	}
	clear(d[:cap(d)]) // drop the strings it points to
	d = d[:0]
	dialogPool.Put(&d)
}
