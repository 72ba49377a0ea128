package ui

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// State says where the analysis stands.
type State int

// States of a run.
const (
	Loading State = iota // reading a file
	Done                 // the analysis ended
	Live                 // capturing from an interface
)

// LiveStatus is what a live capture reports about itself. A live source
// calls Model.SetLive now and then (say once a second).
type LiveStatus struct {
	Interface string  // interface name(s), as the user gave them
	Rate      float64 // packets per second over the last interval
	Dropped   uint64  // packets the kernel dropped so far
	Packets   uint64  // packets captured so far
	// Sources has each live source's own counters, when there are several.
	Sources []LiveSource
}

// LiveSource is one live source's counters.
type LiveSource struct {
	Name    string
	Packets uint64
	Rate    float64
	Dropped uint64
}

// Row is one session with everything the sessions table shows, computed
// once off the UI goroutine. A Row never changes after the model handed it
// out; an update replaces it.
type Row struct {
	S        *model.Session
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

	// Lower-case search fields for the filter.
	ips      []string
	user     string
	rules    []string
	statuses []string
	hay      string
}

// FindingGroup is a finding and the others that say the same thing about
// other sessions or channels (the text report groups them the same way).
type FindingGroup struct {
	First model.Finding
	Where []string // session or channel ids of the others
}

// Snapshot is a consistent view of the model, taken on the UI goroutine.
// Its slices must not be modified.
type Snapshot struct {
	Version  uint64
	State    State
	Packets  uint64
	Rows     []*Row // in session-number order
	Groups   []FindingGroup
	Pairs    []model.NATPair
	Counts   [model.Error + 1]int // findings by severity
	Sources  []string
	Stats    model.Stats
	Live     LiveStatus
	Err      error
	Finished time.Time // zero until Done
}

// Model holds what the analysis found so far. It implements
// analysis.Consumer; all its methods are safe for concurrent use.
type Model struct {
	version atomic.Uint64
	packets atomic.Uint64

	mu       sync.Mutex
	state    State
	sources  []string
	rows     []*Row
	byID     map[string]*Row
	groups   []*groupAcc
	groupBy  map[string]*groupAcc
	counts   [model.Error + 1]int
	pairs    []model.NATPair
	pairOf   map[string]int // session id → index in pairs
	stats    model.Stats
	live     LiveStatus
	err      error
	finished time.Time

	// pairFindings are the findings of NAT pairs told while a live
	// capture runs, by session; pairSeen the ones counted already, by
	// pair (inside leg) until the pair is final.
	pairFindings map[string][]model.Finding
	pairSeen     map[string]map[string]bool
}

type groupAcc struct {
	first model.Finding
	where []string
}

// NewModel returns an empty model for the given source labels.
func NewModel(sources ...string) *Model {
	return &Model{
		sources:      append([]string(nil), sources...),
		byID:         map[string]*Row{},
		groupBy:      map[string]*groupAcc{},
		pairOf:       map[string]int{},
		pairFindings: map[string][]model.Finding{},
		pairSeen:     map[string]map[string]bool{},
	}
}

// Version changes whenever the model does.
func (m *Model) Version() uint64 { return m.version.Load() }

// Packets is the number of packets read so far.
func (m *Model) Packets() uint64 { return m.packets.Load() }

// SetPackets records the progress of the analysis; it suits
// analysis.Config.Progress.
func (m *Model) SetPackets(n uint64) { m.packets.Store(n) }

// Len is the number of sessions known.
func (m *Model) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows)
}

// Session implements analysis.Consumer. A session delivered again with the
// same id replaces the earlier one (live capture may report a session while
// it is still open).
func (m *Model) Session(s *model.Session, findings []model.Finding) {
	fs := append([]model.Finding(nil), findings...)
	sortFindings(fs)
	r := newRow(s, fs)
	r.own = fs
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, paired := m.pairOf[s.ID]; paired {
		r = m.newRowLocked(s, fs) // with the pair's findings
	}
	if old, ok := m.byID[s.ID]; ok {
		for _, f := range old.own {
			m.counts[clampSev(f.Severity)]--
		}
		i := m.index(old)
		m.rows[i] = r
	} else {
		i := sort.Search(len(m.rows), func(i int) bool { return rowLess(r, m.rows[i]) })
		m.rows = append(m.rows, nil)
		copy(m.rows[i+1:], m.rows[i:])
		m.rows[i] = r
	}
	m.byID[s.ID] = r
	for _, f := range fs {
		m.counts[clampSev(f.Severity)]++
		m.addToGroup(f)
	}
	m.version.Add(1)
}

// Update implements analysis.Updater: a running session is shown, and
// replaced, until its concluded version arrives through Session.
func (m *Model) Update(s *model.Session) { m.Session(s, nil) }

// newRowLocked makes a session's row with its own findings and those of
// its NAT pair told so far.
func (m *Model) newRowLocked(s *model.Session, own []model.Finding) *Row {
	fs := own
	if pf := m.pairFindings[s.ID]; len(pf) > 0 {
		fs = append(append([]model.Finding(nil), own...), pf...)
		sortFindings(fs)
	}
	r := newRow(s, fs)
	r.own = own
	r.Other = m.otherLegLocked(s.ID)
	return r
}

// otherLegLocked names the other leg of a session's NAT pair, or "".
func (m *Model) otherLegLocked(id string) string {
	i, ok := m.pairOf[id]
	if !ok {
		return ""
	}
	if p := &m.pairs[i]; p.Inside == id {
		return p.Outside
	} else if p.Outside == id {
		return p.Inside
	}
	return ""
}

// LivePair implements analysis.LivePairConsumer: during a live capture the
// pair is shown as soon as it is known — the two legs side by side in the
// sessions list, the ladder across the NAT — with its findings, and taken
// back if it is withdrawn. Finish replaces all of it with the final word.
func (m *Model) LivePair(p *model.NATPair, findings []model.Finding, state string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, known := m.pairOf[p.Inside]
	if known && (m.pairs[i].Inside != p.Inside || m.pairs[i].Outside != p.Outside) {
		known = false
	}
	switch {
	case state == model.PairWithdrawn:
		if !known {
			return
		}
		m.pairs = append(m.pairs[:i], m.pairs[i+1:]...)
		m.pairOf = map[string]int{}
		for j, q := range m.pairs {
			m.pairOf[q.Inside], m.pairOf[q.Outside] = j, j
		}
		findings = nil
	case known:
		m.pairs[i] = *p
	default:
		m.pairs = append(m.pairs, *p)
		m.pairOf[p.Inside], m.pairOf[p.Outside] = len(m.pairs)-1, len(m.pairs)-1
	}
	seen := m.pairSeen[p.Inside]
	if seen == nil {
		seen = map[string]bool{}
		m.pairSeen[p.Inside] = seen
	}
	bySession := map[string][]model.Finding{}
	for _, f := range findings {
		bySession[f.Session] = append(bySession[f.Session], f)
		if k := groupKey(&f) + "\x00" + f.Where() + "\x00" + f.Summary; !seen[k] {
			seen[k] = true
			m.counts[clampSev(f.Severity)]++
			m.addToGroup(f)
		}
	}
	if state != model.PairOpen {
		delete(m.pairSeen, p.Inside) // nothing more comes of this pair
	}
	for _, id := range []string{p.Inside, p.Outside} {
		if fs := bySession[id]; len(fs) > 0 {
			m.pairFindings[id] = fs
		} else {
			delete(m.pairFindings, id)
		}
		// The leg's row is made again, also without new findings: an open
		// session view redraws its ladder across the NAT.
		if old := m.byID[id]; old != nil {
			r := m.newRowLocked(old.S, old.own)
			m.rows[m.index(old)] = r
			m.byID[id] = r
		}
	}
	m.version.Add(1)
}

// index finds r in m.rows (sorted by number).
func (m *Model) index(r *Row) int {
	i := sort.Search(len(m.rows), func(i int) bool { return !rowLess(m.rows[i], r) })
	for ; i < len(m.rows); i++ {
		if m.rows[i].S.ID == r.S.ID {
			return i
		}
	}
	for i := range m.rows { // ids that do not parse as numbers
		if m.rows[i].S.ID == r.S.ID {
			return i
		}
	}
	panic("ui: row not found: " + r.S.ID)
}

func rowLess(a, b *Row) bool {
	if a.Num != b.Num {
		return a.Num < b.Num
	}
	return a.S.ID < b.S.ID
}

func clampSev(s model.Severity) model.Severity {
	if s < 0 || s > model.Error {
		return 0
	}
	return s
}

// groupKey says which findings are "the same" (as the text report does).
func groupKey(f *model.Finding) string {
	return f.Rule + "\x00" + f.Severity.String() + "\x00" + f.Remedy + "\x00" + f.Evidence.Vantage + "\x00" + f.Evidence.Source
}

func (m *Model) addToGroup(f model.Finding) {
	k := groupKey(&f)
	if g, ok := m.groupBy[k]; ok {
		g.where = append(g.where, f.Where())
		return
	}
	g := &groupAcc{first: f}
	m.groupBy[k] = g
	// Keep groups worst first; a new group goes after its equals.
	i := sort.Search(len(m.groups), func(i int) bool { return m.groups[i].first.Severity < f.Severity })
	m.groups = append(m.groups, nil)
	copy(m.groups[i+1:], m.groups[i:])
	m.groups[i] = g
}

// SetLive switches the model to live mode and records the capture's
// counters.
func (m *Model) SetLive(st LiveStatus) {
	m.mu.Lock()
	m.state = Live
	m.live = st
	m.mu.Unlock()
	m.version.Add(1)
}

// Finish records the end of the run: the NAT pairs and the final findings
// (every session's, after the cross-session rules) replace what was known.
func (m *Model) Finish(sum *Outcome, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.version.Add(1)
	m.state = Done
	m.err = err
	m.finished = time.Now()
	if sum == nil {
		return
	}
	m.stats = sum.Stats
	if len(sum.Sources) > 0 {
		m.sources = m.sources[:0]
		for _, s := range sum.Sources {
			m.sources = append(m.sources, s.Label)
		}
	}
	m.pairs = append([]model.NATPair(nil), sum.NATPairs...)
	m.pairOf = map[string]int{}
	m.pairFindings, m.pairSeen = map[string][]model.Finding{}, map[string]map[string]bool{}
	for i, p := range m.pairs {
		m.pairOf[p.Inside], m.pairOf[p.Outside] = i, i
	}
	bySession := map[string][]model.Finding{}
	m.counts = [model.Error + 1]int{}
	m.groups, m.groupBy = nil, map[string]*groupAcc{}
	for _, f := range sum.Findings {
		bySession[f.Session] = append(bySession[f.Session], f)
		m.counts[clampSev(f.Severity)]++
		m.addToGroup(f)
	}
	for i, r := range m.rows {
		fs := bySession[r.S.ID]
		other := m.otherLegLocked(r.S.ID)
		if sameFindings(fs, r.Findings) && other == r.Other {
			continue
		}
		nr := newRow(r.S, fs)
		nr.own, nr.Other = fs, other
		m.rows[i], m.byID[r.S.ID] = nr, nr
	}
}

func sameFindings(a, b []model.Finding) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Rule != b[i].Rule || a[i].Severity != b[i].Severity || a[i].Channel != b[i].Channel || a[i].Summary != b[i].Summary {
			return false
		}
	}
	return true
}

// Snapshot returns the current state. It copies the row pointers (rows
// themselves are immutable), so it costs O(sessions).
func (m *Model) Snapshot() *Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := &Snapshot{
		Version:  m.version.Load(),
		State:    m.state,
		Packets:  m.packets.Load(),
		Rows:     append([]*Row(nil), m.rows...),
		Pairs:    m.pairs,
		Counts:   m.counts,
		Sources:  append([]string(nil), m.sources...),
		Stats:    m.stats,
		Live:     m.live,
		Err:      m.err,
		Finished: m.finished,
	}
	s.Groups = make([]FindingGroup, len(m.groups))
	for i, g := range m.groups {
		s.Groups[i] = FindingGroup{First: g.first, Where: g.where[:len(g.where):len(g.where)]}
	}
	return s
}

// Row returns the current row of a session, or nil.
func (m *Model) Row(id string) *Row {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byID[id]
}

// Pair returns the NAT pair a session belongs to, if any.
func (m *Model) Pair(id string) (model.NATPair, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.pairOf[id]
	if !ok {
		return model.NATPair{}, false
	}
	return m.pairs[i], true
}

// newRow computes a row's columns and search fields.
func newRow(s *model.Session, fs []model.Finding) *Row {
	r := &Row{S: s, Findings: fs, Num: sessionNumber(s.ID), User: "–", Where: s.Source}
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
	ips := map[string]bool{}
	addIP := func(ep string) {
		if ep == "" {
			return
		}
		if ap, err := netip.ParseAddrPort(ep); err == nil {
			ips[strings.ToLower(ap.Addr().String())] = true
		} else {
			ips[strings.ToLower(ep)] = true
		}
	}
	addIP(s.Client)
	addIP(s.Server)
	var hay strings.Builder
	fmt.Fprintf(&hay, "%s %s %s %s %s ", s.ID, s.Client, s.Server, r.User, r.Where)
	statuses := map[string]bool{}
	for _, ch := range s.Channels {
		statuses[ch.Status] = true
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
			hay.WriteString(t.Verb + " " + t.Arg + " ")
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
	for i := range s.Dialog {
		if hay.Len() > hayDialog {
			break
		}
		e := &s.Dialog[i]
		if e.Kind == "command" {
			hay.WriteString(e.Verb + " " + e.Arg + " ")
		} else {
			fmt.Fprintf(&hay, "%d %s ", e.Code, e.Text)
		}
	}
	rules := map[string]bool{}
	for _, f := range fs {
		rules[f.Rule] = true
		hay.WriteString(f.Summary + " ")
	}
	r.ips = sortedKeys(ips)
	r.rules = sortedKeys(rules)
	r.statuses = sortedKeys(statuses)
	r.user = strings.ToLower(r.User)
	r.hay = strings.ToLower(hay.String())
	return r
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sessionNumber returns the number in an id ("s12" → 12), or 0.
func sessionNumber(id string) int {
	if len(id) < 2 {
		return 0
	}
	n, _ := strconv.Atoi(id[1:])
	return n
}

// sortFindings orders findings worst first, then by time (stable).
func sortFindings(fs []model.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.TS != nil && b.TS != nil {
			return a.TS.Before(b.TS.Time)
		}
		return false
	})
}
