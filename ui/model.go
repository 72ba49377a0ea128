package ui

import (
	"net/netip"
	"slices"
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
	// Evicted counts the rows dropped by the live cap (LiveRows).
	Evicted uint64
}

// In live mode the model keeps the LiveRows rows changed last, and of the
// others the LiveFlagged changed last that carry a warning or an error;
// the rest are evicted (counted in the header), so a capture that runs for
// days shows what matters in bounded memory. A running session keeps at
// most LiveDialog entries of its dialog, the latest, as the analysis does
// (from three quarters of it after a trim: see mergeDialog).
const (
	LiveRows    = 5000
	LiveFlagged = 1000
	LiveDialog  = 10000
	// rows beyond the caps before they are enforced: the cost of a prune
	// spread over that many sessions
	pruneSlack = 500
)

// Model holds what the analysis found so far. It implements
// analysis.Consumer and analysis.Reviser; all its methods are safe for
// concurrent use.
type Model struct {
	version atomic.Uint64
	packets atomic.Uint64

	mu      sync.Mutex
	state   State
	sources []string
	rows    []*Row
	byID    map[string]*Row
	// findings about the capture as a whole (no session), from Finish
	capture []model.Finding
	// groups are derived from the rows, again when grouped is false
	groups   []*groupAcc
	grouped  bool
	counts   [model.Error + 1]int
	pairs    []model.NATPair
	pairOf   map[string]int // session id → index in pairs
	stats    model.Stats
	live     LiveStatus
	err      error
	finished time.Time
	touches  uint64 // the last Row.touched given
	evicted  uint64
	// pairFindings are the findings of the NAT pairs told while a live
	// capture runs (not final yet), by session: shown on the legs' rows,
	// counted apart from the delivered findings until the pair is final.
	pairFindings map[string][]model.Finding
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
		pairOf:       map[string]int{},
		pairFindings: map[string][]model.Finding{},
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
	if n := len(s.Dialog); cap(s.Dialog)-n > 4 {
		// A row lives long: it keeps its dialog, not the room the
		// analysis left for it to grow.
		s.Dialog = slices.Clone(s.Dialog)
	}
	fs := append([]model.Finding(nil), findings...)
	model.SortFindings(fs)
	r := newRow(s, fs)
	r.own = fs
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pairedLocked(s.ID) {
		r = m.newRowLocked(s, fs) // with the pair's findings
	}
	m.put(r)
	for _, f := range fs {
		m.counts[clampSev(f.Severity)]++
	}
	m.version.Add(1)
}

// put adds or replaces a row, and in live mode enforces the caps.
func (m *Model) put(r *Row) {
	m.touches++
	r.touched = m.touches
	if old, ok := m.byID[r.S.ID]; ok {
		for _, f := range old.own {
			m.counts[clampSev(f.Severity)]--
		}
		m.rows[m.index(old)] = r
	} else {
		i := sort.Search(len(m.rows), func(i int) bool { return rowLess(r, m.rows[i]) })
		m.rows = append(m.rows, nil)
		copy(m.rows[i+1:], m.rows[i:])
		m.rows[i] = r
	}
	m.byID[r.S.ID] = r
	m.grouped = false
	if m.state == Live && len(m.rows) > LiveRows+LiveFlagged+pruneSlack {
		m.prune()
	}
}

// prune keeps the LiveRows rows changed last and the LiveFlagged changed
// last among the others with a warning or worse, and evicts the rest.
func (m *Model) prune() {
	recent := append([]*Row(nil), m.rows...)
	sort.Slice(recent, func(i, j int) bool { return recent[i].touched > recent[j].touched })
	keep := make(map[*Row]bool, LiveRows+LiveFlagged)
	flagged := 0
	for i, r := range recent {
		switch {
		case i < LiveRows:
			keep[r] = true
		case r.Worst >= model.Warning && flagged < LiveFlagged:
			keep[r] = true
			flagged++
		}
	}
	kept := m.rows[:0] // snapshots hold copies of the slice
	for _, r := range m.rows {
		if keep[r] {
			kept = append(kept, r)
			continue
		}
		delete(m.byID, r.S.ID)
		delete(m.pairFindings, r.S.ID)
		m.evicted++
	}
	clear(m.rows[len(kept):])
	m.rows = kept
	// NAT pairs go with the last of their two rows (a new slice: snapshots
	// share the old one)
	pairs := make([]model.NATPair, 0, len(m.pairs))
	clear(m.pairOf)
	for _, p := range m.pairs {
		if m.byID[p.Inside] != nil || m.byID[p.Outside] != nil {
			pairs = append(pairs, p)
			m.pairOf[p.Inside], m.pairOf[p.Outside] = len(pairs)-1, len(pairs)-1
		}
	}
	m.pairs = pairs
}

// Revise implements analysis.Reviser: a finding of a session shown earlier
// changed severity, or was withdrawn.
func (m *Model) Revise(rv *model.Revision) {
	finding, was, withdrawn := rv.Finding, rv.Was, rv.Withdrawn
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.version.Add(1)
	m.counts[clampSev(was)]--
	if !withdrawn {
		m.counts[clampSev(finding.Severity)]++
	}
	r := m.byID[finding.Session]
	if r == nil {
		return
	}
	fs := make([]model.Finding, 0, len(r.own))
	for _, f := range r.own {
		if f.Rule == finding.Rule && f.Channel == finding.Channel && f.Summary == finding.Summary {
			if withdrawn {
				continue
			}
			f = finding
		}
		fs = append(fs, f)
	}
	model.SortFindings(fs)
	m.remakeLocked(r, fs)
}

// Update implements analysis.Updater: a running session is shown, and
// replaced, until its concluded version arrives through Session. Its
// dialog is the one shown so far, up to dialogFrom, then the delta.
func (m *Model) Update(s *model.Session, dialogFrom int) {
	m.mu.Lock()
	old := m.byID[s.ID]
	m.mu.Unlock()
	// Rows never change once made, and updates of one session come from
	// one goroutine, in order: old can be read unlocked.
	later := s.DialogDropped - s.DialogOffset // a file's dialog drops its latest entries
	dialog, front := mergeDialog(old, s.Dialog, dialogFrom, s.DialogOffset)
	s.Dialog, s.DialogOffset, s.DialogDropped = dialog, front, front+later
	r := newRow(s, nil)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pairedLocked(s.ID) {
		r = m.newRowLocked(s, nil) // with the pair's findings told so far
	}
	r.running = true
	m.put(r)
	m.version.Add(1)
}

// mergeDialog returns the dialog of a running session: old's entries before
// from, then delta; and the number of its first entry. The answers
// references of delta count from refFront (the analysis' DialogOffset, as
// in a full snapshot); those of the result are indexes into it, as in any
// session, whether the row was built from one snapshot or from many
// deltas.
func mergeDialog(old *Row, delta []model.DialogEntry, from, refFront int) ([]model.DialogEntry, int) {
	if old == nil || !old.running {
		shiftRefs(delta, refFront-from)
		return delta, from
	}
	base := old.S.Dialog
	front := old.S.DialogOffset
	k := from - front
	if k < 0 || k > len(base) {
		shiftRefs(delta, refFront-from)
		return delta, from // what came before is not at hand
	}
	// The delta is the row's own (Updates shares nothing): rebased in place.
	shiftRefs(delta, refFront-front)
	var d []model.DialogEntry
	if k == len(base) {
		// Appending past the end of base writes nothing an earlier row
		// shows: they are all prefixes of it.
		d = append(base, delta...)
	} else {
		// An entry shown changed (its reply came): a new array, so that
		// the rows already handed out stay as they were.
		d = make([]model.DialogEntry, k, k+len(delta)+max(16, k/4))
		copy(d, base[:k])
		d = append(d, delta...)
		keepDroppedRefs(d[k:min(len(d), len(base))], base[k:], refFront-front)
	}
	if len(d) > LiveDialog {
		// The references of the entries kept change with the front: a new
		// array, rebased, with room for a quarter of LiveDialog more
		// entries appended in place before the next trim.
		keep := LiveDialog - LiveDialog/4
		n := len(d) - keep
		kept := make([]model.DialogEntry, keep, LiveDialog)
		copy(kept, d[n:])
		shiftRefs(kept, -n)
		d, front = kept, front+n
	}
	return d, front
}

// keepDroppedRefs gives the entries of d that refer to none the reference
// of the same entry in shown, an earlier version of them, when it refers
// to an entry before the analysis' front, dropped: the analysis can no
// longer say which command a reply answers, the row still can (a reply's
// command never changes once paired). front is the index in d's dialog of
// the analysis' first entry.
func keepDroppedRefs(d, shown []model.DialogEntry, front int) {
	for i := range d {
		if c, ok := shown[i].Answers.Index(); ok && c < front && d[i].Answers.IsZero() {
			d[i].Answers = shown[i].Answers
		}
	}
}

// shiftRefs adds by to the answers references of d; a reference that
// becomes negative, to an entry no longer kept, refers to none.
func shiftRefs(d []model.DialogEntry, by int) {
	if by == 0 {
		return
	}
	for i := range d {
		if c, ok := d[i].Answers.Index(); ok {
			d[i].Answers = model.RefTo(c + by)
		}
	}
}

// pairedLocked reports whether a session's row shows a NAT pair: its other
// leg, or the findings of a pair told live.
func (m *Model) pairedLocked(id string) bool {
	_, paired := m.pairOf[id]
	return paired || len(m.pairFindings[id]) > 0
}

// newRowLocked makes a session's row with its own findings and those of
// its NAT pair told so far.
func (m *Model) newRowLocked(s *model.Session, own []model.Finding) *Row {
	fs := own
	if pf := m.pairFindings[s.ID]; len(pf) > 0 {
		fs = append(append([]model.Finding(nil), own...), pf...)
		model.SortFindings(fs)
	}
	r := newRow(s, fs)
	r.own = own
	r.Other = m.otherLegLocked(s.ID)
	return r
}

// remakeLocked replaces a row by one with the findings own (and its pair's
// told so far), as running and as recently changed as it was.
func (m *Model) remakeLocked(old *Row, own []model.Finding) {
	r := m.newRowLocked(old.S, own)
	r.running, r.touched = old.running, old.touched
	m.rows[m.index(old)], m.byID[old.S.ID] = r, r
	m.grouped = false
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
// back if it is withdrawn. Its findings are counted apart until the pair is
// final, when NATPair delivers them.
func (m *Model) LivePair(p *model.NATPair, findings []model.Finding, state string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.version.Add(1)
	switch state {
	case model.PairWithdrawn:
		m.removePairLocked(p)
		findings = nil
	case model.PairFinal:
		m.addPair(p) // NATPair has it already, with its findings
		findings = nil
	default:
		m.addPair(p)
	}
	bySession := map[string][]model.Finding{}
	for _, f := range findings {
		bySession[f.Session] = append(bySession[f.Session], f)
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
			m.remakeLocked(old, old.own)
		}
	}
}

// removePairLocked forgets a pair of these two legs, if known.
func (m *Model) removePairLocked(p *model.NATPair) {
	i, known := m.pairOf[p.Inside]
	if !known || m.pairs[i].Inside != p.Inside || m.pairs[i].Outside != p.Outside {
		return
	}
	// a new slice: snapshots share the old one
	m.pairs = append(append([]model.NATPair(nil), m.pairs[:i]...), m.pairs[i+1:]...)
	clear(m.pairOf)
	for j, q := range m.pairs {
		m.pairOf[q.Inside], m.pairOf[q.Outside] = j, j
	}
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

// regroup derives the finding groups from the rows: worst first, then in
// the order of the first session that raised them.
func (m *Model) regroup() {
	if m.grouped {
		return
	}
	m.grouped = true
	m.groups = groupFindings(m.groups[:0], m.capture, m.rows)
}

// groupFindings appends to groups the groups of the capture's findings and
// the rows': findings with one model.FindingGroupKey make one group, worst
// first, then in the order of the first that raised them.
func groupFindings(groups []*groupAcc, capture []model.Finding, rows []*Row) []*groupAcc {
	by := map[model.FindingGroupKey]*groupAcc{}
	add := func(f *model.Finding) {
		k := f.GroupKey()
		if g, ok := by[k]; ok {
			g.where = append(g.where, f.Where())
			return
		}
		g := &groupAcc{first: *f}
		by[k] = g
		groups = append(groups, g)
	}
	for i := range capture {
		add(&capture[i])
	}
	for _, r := range rows {
		for i := range r.Findings {
			add(&r.Findings[i])
		}
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].first.Severity > groups[j].first.Severity })
	return groups
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

// Finish records the end of the run: the NAT pairs, and the findings
// concluded only at the end (drawn from the pairs, the kernel's drops),
// added to their sessions. A pair told live and not final by then says
// nothing more.
func (m *Model) Finish(sum *Outcome, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.version.Add(1)
	m.state = Done
	m.err = err
	m.finished = time.Now()
	for id := range m.pairFindings {
		delete(m.pairFindings, id)
		if r := m.byID[id]; r != nil {
			m.remakeLocked(r, r.own)
		}
	}
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
	for i := range sum.NATPairs {
		m.addPair(&sum.NATPairs[i])
	}
	m.addLate(sum.Findings)
	for i := range sum.NATPairs {
		m.showOtherLegs(&sum.NATPairs[i])
	}
}

// NATPair implements analysis.PairConsumer: a pair shows as soon as its
// second leg concluded, its findings with its sessions (they replace what
// a live capture told of the pair before).
func (m *Model) NATPair(p *model.NATPair, findings []model.Finding) {
	m.mu.Lock()
	defer m.mu.Unlock()
	defer m.version.Add(1)
	delete(m.pairFindings, p.Inside)
	delete(m.pairFindings, p.Outside)
	m.addPair(p)
	m.addLate(findings)
	m.showOtherLegs(p)
}

// showOtherLegs remakes the rows of a pair's legs that do not name the
// other leg yet.
func (m *Model) showOtherLegs(p *model.NATPair) {
	for _, id := range []string{p.Inside, p.Outside} {
		if r := m.byID[id]; r != nil && r.Other != m.otherLegLocked(id) {
			m.remakeLocked(r, r.own)
		}
	}
}

// addPair adds a pair, or replaces the one of the same legs (told live).
func (m *Model) addPair(p *model.NATPair) {
	if i, ok := m.pairOf[p.Inside]; ok && m.pairs[i].Inside == p.Inside && m.pairs[i].Outside == p.Outside {
		// a new slice: snapshots share the old one
		m.pairs = append([]model.NATPair(nil), m.pairs...)
		m.pairs[i] = *p
		return
	}
	m.pairs = append(m.pairs, *p)
	m.pairOf[p.Inside], m.pairOf[p.Outside] = len(m.pairs)-1, len(m.pairs)-1
}

// addLate adds findings concluded after their sessions to their rows (or
// to the capture's when they have none).
func (m *Model) addLate(late []model.Finding) {
	bySession := map[string][]model.Finding{}
	for _, f := range late {
		m.counts[clampSev(f.Severity)]++
		if m.byID[f.Session] == nil {
			if f.Session == "" {
				m.capture = append(m.capture, f)
			}
			continue
		}
		bySession[f.Session] = append(bySession[f.Session], f)
	}
	for id, extra := range bySession {
		r := m.byID[id]
		fs := append(append([]model.Finding(nil), r.own...), extra...)
		model.SortFindings(fs)
		m.remakeLocked(r, fs)
	}
	m.grouped = false
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
		Evicted:  m.evicted,
	}
	for _, fs := range m.pairFindings { // pairs told live, not final yet
		for i := range fs {
			s.Counts[clampSev(fs[i].Severity)]++
		}
	}
	m.regroup()
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
