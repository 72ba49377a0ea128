package diagnose

import (
	"hash/maphash"
	"strconv"

	"github.com/ftpscope/ftpscope/model"
)

// Legs of one control connection are recognised by their dialog: the same
// commands and replies, apart from the announcements a NAT rewrites. A
// dialog's signature is a 64-bit hash of its first signatureEntries
// entries — kind, verb or code and, except for announcement lines, the
// wire text — so that a leg waiting for its other side keeps 8 bytes of
// its dialog, not the text. The seed is the process's own: a capture
// cannot be crafted to make two dialogs collide.

var sigSeed = maphash.MakeSeed()

// sigHash accumulates a signature entry by entry; Sum64 after n entries is
// the signature of the dialog's first n.
type sigHash struct {
	h   maphash.Hash
	buf []byte
}

func newSigHash() *sigHash {
	s := &sigHash{}
	s.h.SetSeed(sigSeed)
	return s
}

func (s *sigHash) add(e *model.DialogEntry) {
	b := s.buf[:0]
	if e.Kind == "command" {
		b = append(b, "C:"...)
		b = append(b, e.Verb...)
	} else {
		b = append(b, "R:"...)
		b = strconv.AppendInt(b, int64(e.Code), 10)
	}
	if !announcementLine(e) {
		b = append(b, ' ')
		b = append(b, wireText(e)...)
	}
	b = append(b, '\n')
	s.h.Write(b)
	s.buf = b
}

// signature is the signature of a concluded session's dialog.
func signature(s *model.Session) uint64 {
	h := newSigHash()
	for i := range s.Dialog {
		if i == signatureEntries {
			break
		}
		h.add(&s.Dialog[i])
	}
	return h.h.Sum64()
}

// openSig is the signature of a running session's dialog as far as it
// goes: prefix[i] signs its first i+1 entries, so two running legs agree
// so far when they sign their common length alike. key signs the entries
// before the first announcement line (hasKey: one crossed).
type openSig struct {
	prefix []uint64
	key    uint64
	hasKey bool
}

func openSignature(s *model.Session) openSig {
	var o openSig
	h := newSigHash()
	for i := range s.Dialog {
		e := &s.Dialog[i]
		if announcementLine(e) && !o.hasKey {
			o.key, o.hasKey = h.h.Sum64(), true
		}
		if i >= signatureEntries {
			if o.hasKey {
				break
			}
			continue
		}
		h.add(e)
		o.prefix = append(o.prefix, h.h.Sum64())
	}
	return o
}

// agree reports whether two running legs' dialogs are the same so far.
func agree(a, b *openLeg) bool {
	n := min(len(a.sig.prefix), len(b.sig.prefix))
	return n == 0 || a.sig.prefix[n-1] == b.sig.prefix[n-1]
}
