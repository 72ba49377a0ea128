package report

import (
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/ftpscope/ftpscope/model"
)

// A session is written by hand rather than through encoding/json: a report
// of 20,000 sessions spends seconds in reflection otherwise. The output is
// the document encoding/json gives for the same value (TestEncoderMatches
// compares them on every sample), field for field, in struct order, with
// the same omitempty rules.

type enc struct {
	b []byte
	// the timestamp text up to its seconds, for the second last written:
	// the lines of a dialog mostly share it
	lastSec    int64
	lastPrefix []byte
}

func (e *enc) raw(s string) { e.b = append(e.b, s...) }

// key writes a member's name. Names are given precomputed, as the bytes
// they are written as with the comma before them (`,"id":`): one append,
// the comma left off for an object's first member. Names are constants
// that need no escaping.
func (e *enc) key(first *bool, k string) {
	if *first {
		*first = false
		k = k[1:]
	}
	e.b = append(e.b, k...)
}

func (e *enc) str(first *bool, name, v string) {
	e.key(first, name)
	e.quote(v)
}

func (e *enc) strOmit(first *bool, name, v string) {
	if v != "" {
		e.str(first, name, v)
	}
}

func (e *enc) uint(first *bool, name string, v uint64) {
	e.key(first, name)
	e.b = appendUint(e.b, v)
}

func (e *enc) boolean(first *bool, name string, v bool) {
	e.key(first, name)
	e.b = strconv.AppendBool(e.b, v)
}

func (e *enc) float(first *bool, name string, v float64) {
	e.key(first, name)
	e.b = appendFloat(e.b, v)
}

// appendFloat appends v as encoding/json writes a float64.
func appendFloat(b []byte, v float64) []byte {
	// Latencies are whole microseconds in milliseconds: write them as the
	// shortest decimal directly (the text strconv would give), else fall
	// back to strconv.
	if us := v * 1000; v >= 0 && v < 1e12 && us == float64(int64(us)) && float64(int64(us))/1000 == v {
		n := uint64(us)
		b = appendUint(b, n/1000)
		if frac := n % 1000; frac != 0 { // its digits without the trailing zeros
			t := &digitTriples[frac]
			switch {
			case t[2] != '0':
				b = append(b, '.', t[0], t[1], t[2])
			case t[1] != '0':
				b = append(b, '.', t[0], t[1])
			default:
				b = append(b, '.', t[0])
			}
		}
		return b
	}
	// encoding/json's format for float64
	abs := v
	if abs < 0 {
		abs = -abs
	}
	f := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		f = 'e'
	}
	b = strconv.AppendFloat(b, v, f, -1, 64)
	if f == 'e' {
		// as encoding/json: e-07 becomes e-7
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// list writes a slice as encoding/json does: null when nil, else an array
// of its items, each written by item.
func list[T any](e *enc, items []T, item func(*T)) {
	if items == nil {
		e.raw("null")
		return
	}
	e.b = append(e.b, '[')
	for i := range items {
		if i > 0 {
			e.b = append(e.b, ',')
		}
		item(&items[i])
	}
	e.b = append(e.b, ']')
}

// appendStrings appends a non-nil slice of strings as a JSON array.
func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendQuoted(b, s)
	}
	return append(b, ']')
}

func (e *enc) time(first *bool, name string, t model.Time) {
	e.key(first, name)
	e.timeValue(t)
}

func (e *enc) timeValue(t model.Time) { e.b = e.appendTime(e.b, t) }

// appendTime appends t quoted, or null for the zero time. The hot
// functions of the encoder append to a buffer of their own and hand it
// back, as strconv does: a buffer stored back into the encoder after each
// append costs three stores and, while the GC marks, a write barrier.
func (e *enc) appendTime(b []byte, t model.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	sec := t.Unix()
	if sec == e.lastSec && e.lastPrefix != nil {
		// the quoted text in place, into room grown once
		n, p := len(b), e.lastPrefix
		b = slices.Grow(b, len(p)+12)[:n+len(p)+12]
		d := b[n:]
		d[0] = '"'
		copy(d[1:], p)
		putNanos(d[1+len(p):], t.Nanosecond())
		d[len(d)-1] = '"'
		return b
	}
	b = append(b, '"')
	start := len(b)
	b = t.AppendUTC(b)
	if n := len(b) - start; n == len(model.TimeLayout)-5 { // "…05.000000000Z"
		e.lastSec = sec
		e.lastPrefix = append(e.lastPrefix[:0], b[start:len(b)-10]...)
	}
	return append(b, '"')
}

// appendNanos writes the nine fraction digits and the Z: every timestamp
// of a report has them, so they are written in place, three digits at a
// time from a table, into room grown once.
func appendNanos(b []byte, ns int) []byte {
	n := len(b)
	b = slices.Grow(b, 10)[:n+10]
	putNanos(b[n:], ns)
	return b
}

// putNanos writes the nine fraction digits and the Z into d[:10].
func putNanos(d []byte, ns int) {
	d = d[:10]
	hi, mid, lo := ns/1e6, ns/1e3%1e3, ns%1e3
	d[0], d[1], d[2] = digitTriples[hi][0], digitTriples[hi][1], digitTriples[hi][2]
	d[3], d[4], d[5] = digitTriples[mid][0], digitTriples[mid][1], digitTriples[mid][2]
	d[6], d[7], d[8] = digitTriples[lo][0], digitTriples[lo][1], digitTriples[lo][2]
	d[9] = 'Z'
}

// digitTriples holds the three decimal digits of 0 to 999.
var digitTriples = func() (t [1000][3]byte) {
	for i := range t {
		t[i] = [3]byte{byte('0' + i/100), byte('0' + i/10%10), byte('0' + i%10)}
	}
	return t
}()

func (e *enc) timePtrOmit(first *bool, name string, t *model.Time) {
	if t != nil {
		e.time(first, name, *t)
	}
}

const hexDigits = "0123456789abcdef"

// plain marks the bytes a JSON string carries as they are: ASCII but
// control characters, quote, backslash, <, > and &. Bytes of multi-byte
// UTF-8 are not plain (checked rune by rune); one lookup decides the
// common case.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// plainPrefix8 returns how many of s's leading bytes are plain, checked
// eight at a time: len(s) when all are, else a multiple of 8 from where
// the byte loop of quote takes over. Most strings of a report are plain
// text; one of fewer than 8 bytes goes to the byte loop whole.
func plainPrefix8(s string) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	n := 0
	for {
		var t string
		switch {
		case len(s)-n >= 8:
			t = s[n : n+8]
		case n < len(s) && len(s) >= 8:
			t = s[len(s)-8:] // the last bytes, overlapping the plain word before
		default:
			return n
		}
		w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		// below 0x20: the subtraction borrows into the byte's high bit;
		// from 0x80: the high bit is w's own
		special := (w - 0x20*ones) | w
		// a byte equal to c is a zero byte of w^c, which (x-ones) &^ x
		// marks; '"' (0x22) and '&' (0x26) differ in bit 2 alone, '<'
		// (0x3c) and '>' (0x3e) in bit 1 alone
		x, y, z := (w|0x04*ones)^(0x26*ones), (w|0x02*ones)^(0x3e*ones), w^('\\'*ones)
		special |= (x-ones)&^x | (y-ones)&^y | (z-ones)&^z
		if special&highs != 0 {
			return n
		}
		n = min(n+8, len(s))
	}
}

// quote writes s as a JSON string the way encoding/json does: <, >, & and
// the line separators escaped, invalid UTF-8 replaced by U+FFFD.
func (e *enc) quote(s string) { e.b = appendQuoted(e.b, s) }

// appendQuoted appends s quoted (see quote).
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	i := plainPrefix8(s)
	for i < len(s) {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendSession(b []byte, s *model.Session) []byte {
	e := enc{b: b}
	e.session(s)
	return e.b
}

// session appends one session; the encoder keeps its timestamp cache from
// one session to the next.
func (e *enc) session(s *model.Session) { e.b = e.appendSession(e.b, s) }

// appendSession appends a session, into a buffer of its own as
// appendDialogEntry does; the rare members are written by the encoder's
// methods, the buffer handed over to them and back.
func (e *enc) appendSession(b []byte, s *model.Session) []byte {
	b = appendQuoted(append(b, `{"id":`...), s.ID)
	b = appendQuoted(append(b, `,"source":`...), s.Source)
	if s.Vantage != "" {
		b = appendQuoted(append(b, `,"vantage":`...), s.Vantage)
	}
	b = appendQuoted(append(b, `,"client":`...), s.Client)
	b = appendQuoted(append(b, `,"server":`...), s.Server)
	b = e.appendTime(append(b, `,"start":`...), s.Start)
	b = e.appendTime(append(b, `,"end":`...), s.End)
	if s.User == nil {
		b = append(b, `,"user":null`...)
	} else {
		b = appendQuoted(append(b, `,"user":`...), *s.User)
	}
	b = appendBool(append(b, `,"tls":`...), s.TLS)
	if s.CommunityID != "" {
		b = appendQuoted(append(b, `,"community_id":`...), s.CommunityID)
	}
	if s.Protected {
		b = append(b, `,"protected":true`...)
	}
	if s.TLSOpaqueBytes != 0 {
		b = appendInt(append(b, `,"tls_opaque_bytes":`...), s.TLSOpaqueBytes)
	}
	if d := s.TLSDecryption; d != nil {
		e.b = append(b, `,"tls_decryption":`...)
		e.tlsDecryption(d)
		b = e.b
	}
	b = appendInt(append(b, `,"commands":`...), int64(s.Commands))
	b = appendInt(append(b, `,"replies":`...), int64(s.Replies))
	b = appendBool(append(b, `,"handshake_seen":`...), s.HandshakeSeen)
	if s.Closed != "" {
		b = appendQuoted(append(b, `,"closed":`...), s.Closed)
	}
	if s.Greeting != nil {
		b = e.appendDialogEntry(append(b, `,"greeting":`...), s.Greeting)
	}
	b = appendInt(append(b, `,"control_bytes_to_server":`...), s.ControlBytesToServer)
	b = appendInt(append(b, `,"control_bytes_to_client":`...), s.ControlBytesToClient)
	if s.GapBytes != 0 {
		b = appendInt(append(b, `,"gap_bytes":`...), s.GapBytes)
	}
	if len(s.RetransmissionConflicts) > 0 {
		e.b = append(b, `,"retransmission_conflicts":`...)
		list(e, s.RetransmissionConflicts, e.retransmissionConflict)
		b = e.b
	}
	if c := s.SnaplenCut; c != nil {
		b = appendInt(append(b, `,"snaplen_cut":{"packets":`...), int64(c.Packets))
		b = appendInt(append(b, `,"bytes":`...), c.Bytes)
		b = appendUint(append(b, `,"first_frame":`...), c.FirstFrame)
		b = e.appendTime(append(b, `,"first_ts":`...), c.FirstTS)
		b = append(b, '}')
	}
	if s.DialogDropped != 0 {
		b = appendInt(append(b, `,"dialog_dropped":`...), int64(s.DialogDropped))
	}
	if s.DialogOffset != 0 {
		b = appendInt(append(b, `,"dialog_offset":`...), int64(s.DialogOffset))
	}
	b = append(b, `,"dialog":`...)
	if s.Dialog == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range s.Dialog {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.appendDialogEntry(b, &s.Dialog[i])
		}
		b = append(b, ']')
	}
	b = append(b, `,"channels":`...)
	if s.Channels == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range s.Channels {
			if i > 0 {
				b = append(b, ',')
			}
			b = e.appendChannel(b, &s.Channels[i])
		}
		b = append(b, ']')
	}
	if len(s.Anomalies) > 0 {
		b = appendStrings(append(b, `,"anomalies":`...), s.Anomalies)
	}
	b = appendUint(append(b, `,"frames":{"first":`...), s.Frames.First)
	b = appendUint(append(b, `,"last":`...), s.Frames.Last)
	b = append(b, '}')
	if s.WiresharkFilter != "" {
		b = appendQuoted(append(b, `,"wireshark_filter":`...), s.WiresharkFilter)
	}
	if ct := s.Conntrack; ct != nil {
		if ct.Helper == nil {
			b = append(b, `,"conntrack":{"helper":null`...)
		} else {
			b = appendQuoted(append(b, `,"conntrack":{"helper":`...), *ct.Helper)
		}
		b = appendQuoted(append(b, `,"tuple":`...), ct.Tuple)
		b = appendQuoted(append(b, `,"reply_tuple":`...), ct.ReplyTuple)
		b = appendUint(append(b, `,"zone":`...), uint64(ct.Zone))
		b = appendUint(append(b, `,"mark":`...), uint64(ct.Mark))
		b = append(b, '}')
	}
	return append(b, '}')
}

func (e *enc) retransmissionConflict(c *model.RetransmissionConflict) {
	e.b = append(e.b, '{')
	g := true
	e.boolean(&g, `,"from_client":`, c.FromClient)
	e.str(&g, `,"used":`, c.Used)
	e.uint(&g, `,"used_frame":`, c.UsedFrame)
	e.str(&g, `,"other":`, c.Other)
	e.uint(&g, `,"other_frame":`, c.OtherFrame)
	e.time(&g, `,"ts":`, c.TS)
	e.b = append(e.b, '}')
}

// appendDialogEntry appends a dialog entry, the line the encoder writes
// most: into a buffer of its own (see appendTime), each member after ts,
// the first, with its comma and name as one constant.
func (e *enc) appendDialogEntry(b []byte, d *model.DialogEntry) []byte {
	b = append(b, `{"ts":`...)
	b = e.appendTime(b, d.TS)
	switch d.Kind { // constants need no escaping
	case "command":
		b = append(b, `,"kind":"command"`...)
	case "reply":
		b = append(b, `,"kind":"reply"`...)
	default:
		b = appendQuoted(append(b, `,"kind":`...), d.Kind)
	}
	if d.Verb != "" {
		b = appendQuoted(append(b, `,"verb":`...), d.Verb)
	}
	if d.Arg != "" {
		b = appendQuoted(append(b, `,"arg":`...), d.Arg)
	}
	if d.Code != 0 {
		b = appendInt(append(b, `,"code":`...), int64(d.Code))
	}
	if d.Text != "" {
		b = appendQuoted(append(b, `,"text":`...), d.Text)
	}
	if d.Lines != 0 {
		b = appendInt(append(b, `,"lines":`...), int64(d.Lines))
	}
	if len(d.TextLines) > 0 {
		b = appendStrings(append(b, `,"text_lines":`...), d.TextLines)
	}
	if d.TextLinesDropped != 0 {
		b = appendInt(append(b, `,"text_lines_dropped":`...), int64(d.TextLinesDropped))
	}
	if r := d.RawText; r != nil {
		if r.ArgRaw != "" {
			b = appendQuoted(append(b, `,"arg_raw":`...), r.ArgRaw)
		}
		if r.TextRaw != "" {
			b = appendQuoted(append(b, `,"text_raw":`...), r.TextRaw)
		}
		if len(r.TextLinesRaw) > 0 {
			b = appendStrings(append(b, `,"text_lines_raw":`...), r.TextLinesRaw)
		}
	}
	if d.LatencyMS != nil {
		b = appendFloat(append(b, `,"latency_ms":`...), *d.LatencyMS)
	}
	if i, ok := d.Answers.Index(); ok {
		b = appendInt(append(b, `,"answers":`...), int64(i))
	}
	b = appendUint(append(b, `,"frame":`...), d.Frame)
	if d.Preliminary {
		b = append(b, `,"preliminary":true`...)
	}
	if d.Unsolicited {
		b = append(b, `,"unsolicited":true`...)
	}
	if d.Malformed {
		b = append(b, `,"malformed":true`...)
	}
	if d.Truncated {
		b = append(b, `,"truncated":true`...)
	}
	if d.Cut {
		b = append(b, `,"cut":true`...)
	}
	if d.Unanswered {
		b = append(b, `,"unanswered":true`...)
	}
	if d.Decrypted {
		b = append(b, `,"decrypted":true`...)
	}
	if p := d.Segment; p != nil {
		b = appendInt(append(b, `,"segment":{"offset":`...), int64(p.Offset))
		if p.Split {
			b = append(b, `,"split":true`...)
		}
		b = appendInt(append(b, `,"index":`...), int64(p.Index))
		if p.Segments != 0 {
			b = appendInt(append(b, `,"segments":`...), int64(p.Segments))
		}
		b = append(b, '}')
	}
	return append(b, '}')
}

func (e *enc) channel(c *model.Channel) { e.b = e.appendChannel(e.b, c) }

// appendChannel appends a data channel, into a buffer of its own as
// appendDialogEntry does.
func (e *enc) appendChannel(b []byte, c *model.Channel) []byte {
	b = appendQuoted(append(b, `{"id":`...), c.ID)
	b = appendQuoted(append(b, `,"mode":`...), c.Mode)
	if a := c.Announce; a != nil {
		b = appendQuoted(append(b, `,"announce":{"verb":`...), a.Verb)
		b = e.appendTime(append(b, `,"ts":`...), a.TS)
		b = appendQuoted(append(b, `,"endpoint":`...), a.Endpoint)
		b = append(b, `,"reply_code":`...)
		if a.ReplyCode == nil {
			b = append(b, "null"...)
		} else {
			b = appendInt(b, int64(*a.ReplyCode))
		}
		if a.ReplyText != "" {
			b = appendQuoted(append(b, `,"reply_text":`...), a.ReplyText)
		}
		if a.Raw != "" {
			b = appendQuoted(append(b, `,"raw":`...), a.Raw)
		}
		b = appendUint(append(b, `,"frame":`...), a.Frame)
		if a.ReplyFrame != 0 {
			b = appendUint(append(b, `,"reply_frame":`...), a.ReplyFrame)
		}
		if a.Family != "" {
			b = appendQuoted(append(b, `,"family":`...), a.Family)
		}
		b = append(b, '}')
	}
	if x := c.Transfer; x != nil {
		b = appendQuoted(append(b, `,"transfer":{"verb":`...), x.Verb)
		if x.Arg != "" {
			b = appendQuoted(append(b, `,"arg":`...), x.Arg)
		}
		b = e.appendTime(append(b, `,"ts":`...), x.TS)
		b = append(b, `,"reply_codes":`...)
		if x.ReplyCodes == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, rc := range x.ReplyCodes {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendInt(b, int64(rc))
			}
			b = append(b, ']')
		}
		if x.ReplyText != "" {
			b = appendQuoted(append(b, `,"reply_text":`...), x.ReplyText)
		}
		b = append(b, `,"announced_size":`...)
		if x.AnnouncedSize == nil {
			b = append(b, "null"...)
		} else {
			b = appendInt(b, *x.AnnouncedSize)
		}
		if x.SizeFrom != "" {
			b = appendQuoted(append(b, `,"size_from":`...), x.SizeFrom)
		}
		if x.Restart != nil {
			b = appendInt(append(b, `,"restart":`...), *x.Restart)
		}
		if x.SHA256 != "" {
			b = appendQuoted(append(b, `,"sha256":`...), x.SHA256)
		}
		if x.ExportPath != "" {
			b = appendQuoted(append(b, `,"export_path":`...), x.ExportPath)
		}
		if x.FileBytes != nil {
			b = appendInt(append(b, `,"file_bytes":`...), *x.FileBytes)
		}
		b = appendUint(append(b, `,"frame":`...), x.Frame)
		if x.FinalFrame != 0 {
			b = appendUint(append(b, `,"final_frame":`...), x.FinalFrame)
		}
		if x.FinalTS != nil {
			b = e.appendTime(append(b, `,"final_ts":`...), *x.FinalTS)
		}
		if x.LatencyMS != 0 {
			b = appendFloat(append(b, `,"latency_ms":`...), x.LatencyMS)
		}
		if x.ExportPartial {
			b = append(b, `,"export_partial":true`...)
		}
		b = append(b, '}')
	}
	if cn := c.Connection; cn == nil {
		b = append(b, `,"connection":null`...)
	} else {
		b = appendQuoted(append(b, `,"connection":{"initiator":`...), cn.Initiator)
		b = appendQuoted(append(b, `,"responder":`...), cn.Responder)
		if cn.SYN != nil {
			b = e.appendTime(append(b, `,"syn":`...), *cn.SYN)
		}
		b = appendBool(append(b, `,"established":`...), cn.Established)
		b = appendBool(append(b, `,"reset":`...), cn.Reset)
		if cn.End != nil {
			b = e.appendTime(append(b, `,"end":`...), *cn.End)
		}
		b = appendInt(append(b, `,"bytes_to_ftp_client":`...), cn.BytesToFTPClient)
		b = appendInt(append(b, `,"bytes_to_ftp_server":`...), cn.BytesToFTPServer)
		b = appendQuoted(append(b, `,"match":`...), cn.Match)
		if cn.CommunityID != "" {
			b = appendQuoted(append(b, `,"community_id":`...), cn.CommunityID)
		}
		if cn.SYNRetries != 0 {
			b = appendInt(append(b, `,"syn_retries":`...), int64(cn.SYNRetries))
		}
		if cn.Refused {
			b = append(b, `,"refused":true`...)
		}
		b = appendBool(append(b, `,"handshake_seen":`...), cn.HandshakeSeen)
		if cn.Closed != "" {
			b = appendQuoted(append(b, `,"closed":`...), cn.Closed)
		}
		b = appendInt(append(b, `,"captured_bytes":`...), cn.CapturedBytes)
		b = appendUint(append(b, `,"packets":`...), cn.Packets)
		b = appendUint(append(b, `,"first_frame":`...), cn.FirstFrame)
		if cn.LastFrame != 0 {
			b = appendUint(append(b, `,"last_frame":`...), cn.LastFrame)
		}
		if cn.ICMP != "" {
			b = appendQuoted(append(b, `,"icmp":`...), cn.ICMP)
		}
		if cn.CutBytes != 0 {
			b = appendInt(append(b, `,"cut_bytes":`...), cn.CutBytes)
		}
		if cn.OutOfWindow != 0 {
			b = appendInt(append(b, `,"out_of_window_segments":`...), cn.OutOfWindow)
		}
		if d := cn.TLSDecryption; d != nil {
			e.b = append(b, `,"tls_decryption":`...)
			e.tlsDecryption(d)
			b = e.b
		}
		b = append(b, '}')
	}
	b = appendQuoted(append(b, `,"status":`...), c.Status)
	if x := c.Expectation; x != nil {
		b = appendQuoted(append(b, `,"expectation":{"helper":`...), x.Helper)
		b = appendQuoted(append(b, `,"tuple":`...), x.Tuple)
		if x.NATTo != "" {
			b = appendQuoted(append(b, `,"nat_to":`...), x.NATTo)
		}
		b = e.appendTime(append(b, `,"created":`...), x.Created)
		if x.Removed != nil {
			b = e.appendTime(append(b, `,"removed":`...), *x.Removed)
		}
		b = appendQuoted(append(b, `,"outcome":`...), x.Outcome)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, "true"...)
	}
	return append(b, "false"...)
}

func (e *enc) tlsDecryption(d *model.TLSDecryption) {
	g := true
	e.b = append(e.b, '{')
	e.strOmit(&g, `,"version":`, d.Version)
	e.strOmit(&g, `,"cipher":`, d.Cipher)
	e.boolean(&g, `,"decrypted":`, d.Decrypted)
	e.strOmit(&g, `,"reason":`, d.Reason)
	e.b = append(e.b, '}')
}
