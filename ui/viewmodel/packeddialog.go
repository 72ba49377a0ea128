package viewmodel

import (
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// packedDialog is a concluded session's dialog as its row keeps it: the
// model keeps thousands of rows for as long as the UI runs, and a
// model.DialogEntry (192 bytes, its strings and latency apart) is mostly
// room for what a line rarely has. Packed, the texts of all entries are
// one string, an entry is its fixed part (72 bytes), and what few lines
// have (multi-line text, raw bytes, a segment place, an unusual kind) is
// kept apart, by entry. A login's dialog of seven entries takes about 600
// bytes instead of 1.8 KiB, in three allocations instead of a dozen.
type packedDialog struct {
	text    string // verb, argument and text of each entry, one after the other
	entries []packedEntry
	extras  []packedExtra // in entry order
}

type packedEntry struct {
	ts      time.Time
	frame   uint64
	latency float64 // with hasLatency
	// ends in text of the entry's verb, argument and text; each starts
	// where the one before ends
	verbEnd, argEnd, textEnd uint32
	code, lines              int32
	answers                  int32 // model.DialogRef's index + 1: 0 is none
	flags                    entryFlags
}

type packedExtra struct {
	entry            int
	kind             string // when neither "command" nor "reply" nor empty
	textLines        []string
	textLinesDropped int
	raw              *model.RawText
	segment          *model.SegmentPlace
}

type entryFlags uint16

const (
	isCommand entryFlags = 1 << iota
	isReply
	hasLatency
	hasExtra
	preliminary
	unsolicited
	malformed
	truncated
	cut
	unanswered
	decrypted
)

// packDialog packs d. It keeps nothing of d: the analysis reuses its
// memory (the model is an analysis.Streamer). It returns nil when an entry
// does not fit the packed form (a text past 4 GiB, a count past int32),
// and the row then keeps d itself.
func packDialog(d []model.DialogEntry) *packedDialog {
	n := 0
	for i := range d {
		n += len(d[i].Verb) + len(d[i].Arg) + len(d[i].Text)
	}
	if n > 1<<32-1 {
		return nil
	}
	var text strings.Builder
	text.Grow(n)
	p := &packedDialog{entries: make([]packedEntry, len(d))}
	for i := range d {
		e := &d[i]
		if !fitsInt32(e.Code) || !fitsInt32(e.Lines) {
			return nil
		}
		ref, _ := e.Answers.Index()
		if !fitsInt32(ref + 1) {
			return nil
		}
		pe := &p.entries[i]
		pe.ts, pe.frame = e.TS.Time, e.Frame
		text.WriteString(e.Verb)
		pe.verbEnd = uint32(text.Len())
		text.WriteString(e.Arg)
		pe.argEnd = uint32(text.Len())
		text.WriteString(e.Text)
		pe.textEnd = uint32(text.Len())
		pe.code, pe.lines, pe.answers = int32(e.Code), int32(e.Lines), int32(ref+1)
		if e.LatencyMS != nil {
			pe.latency, pe.flags = *e.LatencyMS, pe.flags|hasLatency
		}
		pe.flags |= flagsOf(e)
		x := packedExtra{entry: i, textLines: e.TextLines, textLinesDropped: e.TextLinesDropped, raw: e.RawText, segment: e.Segment}
		switch e.Kind {
		case "reply":
			pe.flags |= isReply
		case "command":
			pe.flags |= isCommand
		default:
			x.kind = e.Kind
		}
		if x.kind != "" || x.textLines != nil || x.textLinesDropped != 0 || x.raw != nil || x.segment != nil {
			pe.flags |= hasExtra
			p.extras = append(p.extras, x)
		}
	}
	p.text = text.String()
	return p
}

func fitsInt32(v int) bool { return v >= -1<<31 && v <= 1<<31-1 }

func flagsOf(e *model.DialogEntry) entryFlags {
	var f entryFlags
	for _, b := range [...]struct {
		set  bool
		flag entryFlags
	}{
		{e.Preliminary, preliminary}, {e.Unsolicited, unsolicited}, {e.Malformed, malformed},
		{e.Truncated, truncated}, {e.Cut, cut}, {e.Unanswered, unanswered}, {e.Decrypted, decrypted},
	} {
		if b.set {
			f |= b.flag
		}
	}
	return f
}

// len is the number of entries.
func (p *packedDialog) len() int { return len(p.entries) }

// unpack returns the dialog as it was packed, in new memory: strings share
// the packed text, and each latency is a float of its own.
func (p *packedDialog) unpack() []model.DialogEntry {
	d := make([]model.DialogEntry, len(p.entries))
	start := uint32(0)
	extras := p.extras
	for i := range p.entries {
		pe := &p.entries[i]
		e := &d[i]
		e.TS, e.Frame = model.At(pe.ts), pe.frame
		e.Verb = p.text[start:pe.verbEnd]
		e.Arg = p.text[pe.verbEnd:pe.argEnd]
		e.Text = p.text[pe.argEnd:pe.textEnd]
		start = pe.textEnd
		e.Code, e.Lines, e.Answers = int(pe.code), int(pe.lines), model.RefTo(int(pe.answers)-1)
		if pe.flags&hasLatency != 0 {
			ms := pe.latency
			e.LatencyMS = &ms
		}
		f := pe.flags
		e.Preliminary, e.Unsolicited, e.Malformed = f&preliminary != 0, f&unsolicited != 0, f&malformed != 0
		e.Truncated, e.Cut, e.Unanswered, e.Decrypted = f&truncated != 0, f&cut != 0, f&unanswered != 0, f&decrypted != 0
		switch {
		case f&isCommand != 0:
			e.Kind = "command"
		case f&isReply != 0:
			e.Kind = "reply"
		}
		if f&hasExtra != 0 && len(extras) > 0 && extras[0].entry == i {
			x := &extras[0]
			extras = extras[1:]
			if x.kind != "" {
				e.Kind = x.kind
			}
			e.TextLines, e.TextLinesDropped, e.RawText, e.Segment = x.textLines, x.textLinesDropped, x.raw, x.segment
		}
	}
	return d
}
