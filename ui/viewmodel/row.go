package viewmodel

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/ftpscope/ftpscope/model"
)

// Row is one session with everything the sessions table shows, computed
// once off the UI goroutine. A Row never changes after the model handed it
// out; an update replaces it.
type Row struct {
	// S is the session. Once it concluded, the row keeps its dialog
	// packed and S.Dialog is nil: Session gives the session whole.
	S        *model.Session
	packed   *packedDialog
	Findings []model.Finding // this session's findings, worst first
	own      []model.Finding // those that came with the session (not from a NAT pair told live)
	// Other is the other leg of the session's NAT pair, when one is known.
	Other string

	Num       int            // the number in the id ("s12" → 12)
	Worst     model.Severity // 0 when there is no finding
	User      string         // "–" when no login was seen
	Observed  int            // channels with a data connection
	Announced int            // channels with an announcement
	Bytes     int64          // data bytes, both directions
	LastReply string         // the last reply, e.g. "221 Goodbye."
	Where     string         // source, and vantage when there is one

	// touched orders rows by their last change, for the live cap
	touched uint64
	// running: the session is still open (Update merges the analysis'
	// deltas; S.DialogOffset numbers S.Dialog[0])
	running bool

	// Lower-case search fields for the filter.
	ips      []string
	user     string
	rules    []string
	statuses []string
	hay      string
}

// Session returns the row's session with its whole dialog: S itself, or,
// when the row keeps the dialog packed, a copy of S with the dialog
// unpacked into new memory (on every call: a caller keeps what it shows).
func (r *Row) Session() *model.Session {
	if r.packed == nil {
		return r.S
	}
	s := *r.S
	s.Dialog = r.packed.unpack()
	return &s
}

// DialogLen is the number of entries in the session's dialog.
func (r *Row) DialogLen() int {
	if r.packed == nil {
		return len(r.S.Dialog)
	}
	return r.packed.len()
}

// packDialog makes the row keep its session's dialog packed, and drops it
// from S: a concluded session's row lives as long as the model, and the
// dialog given to it is memory the analysis reuses (the session itself is
// the model's once given).
func (r *Row) packDialog() {
	d := r.S.Dialog
	r.S.Dialog = nil
	if len(d) > 0 {
		if r.packed = packDialog(d); r.packed == nil {
			r.S.Dialog = slices.Clone(d) // does not fit the packed form
		}
	}
}

// ByNumber orders rows by session number (s2 before s10), then by id: the
// order the model keeps them in, and the list's when it sorts by no column.
func ByNumber(a, b *Row) bool {
	if a.Num != b.Num {
		return a.Num < b.Num
	}
	return a.S.ID < b.S.ID
}

// newRow computes a row's columns and search fields.
func newRow(s *model.Session, fs []model.Finding) *Row {
	r := &Row{S: s, Findings: fs, Num: model.SessionNumber(s.ID), User: "–", Where: s.Source}
	if s.Vantage != "" {
		r.Where += "/" + s.Vantage
	}
	if s.User != nil {
		r.User = *s.User
	}
	for _, f := range fs {
		if f.Severity > r.Worst {
			r.Worst = f.Severity
		}
	}
	// A row is made for every update of a running session: its search
	// fields are built with few allocations (small sets, no fmt).
	var ips, statuses, rules set
	addIP := func(ep string) {
		if ep == "" {
			return
		}
		if ap, err := netip.ParseAddrPort(ep); err == nil {
			ips.add(strings.ToLower(ap.Addr().String()))
		} else {
			ips.add(strings.ToLower(ep))
		}
	}
	addIP(s.Client)
	addIP(s.Server)
	var hay strings.Builder
	hay.Grow(256)
	words := func(ws ...string) {
		for _, w := range ws {
			hay.WriteString(w)
			hay.WriteByte(' ')
		}
	}
	words(s.ID, s.Client, s.Server, r.User, r.Where)
	for _, ch := range s.Channels {
		statuses.add(ch.Status)
		if ch.Announce != nil {
			r.Announced++
			addIP(ch.Announce.Endpoint)
		}
		if c := ch.Connection; c != nil {
			r.Observed++
			r.Bytes += c.BytesToFTPClient + c.BytesToFTPServer
			addIP(c.Initiator)
			addIP(c.Responder)
		}
		if t := ch.Transfer; t != nil {
			words(t.Verb, t.Arg)
		}
	}
	for i := len(s.Dialog) - 1; i >= 0; i-- {
		if e := &s.Dialog[i]; e.Kind == "reply" && !e.Malformed {
			r.LastReply = strconv.Itoa(e.Code) + " " + e.Text
			break
		}
	}
	if r.LastReply == "" && s.Closed != "" {
		r.LastReply = "closed (" + s.Closed + ")"
	}
	const hayDialog = 4096 // bounds memory per session
	var code [20]byte
	for i := range s.Dialog {
		if hay.Len() > hayDialog {
			break
		}
		e := &s.Dialog[i]
		if e.Kind == "command" {
			words(e.Verb, e.Arg)
		} else {
			hay.Write(strconv.AppendInt(code[:0], int64(e.Code), 10))
			hay.WriteByte(' ')
			words(e.Text)
		}
	}
	for _, f := range fs {
		rules.add(f.Rule)
		words(f.Summary)
	}
	r.ips = ips.sorted()
	r.rules = rules.sorted()
	r.statuses = statuses.sorted()
	r.user = strings.ToLower(r.User)
	r.hay = strings.ToLower(hay.String())
	return r
}

// set is a small set of strings: a session has a handful of addresses,
// rules and statuses, fewer than a map is worth.
type set []string

func (s *set) add(v string) {
	if !slices.Contains(*s, v) {
		*s = append(*s, v)
	}
}

func (s set) sorted() []string {
	if s == nil {
		return []string{}
	}
	slices.Sort(s)
	return s
}
