package viewmodel

import (
	"sort"
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
	// prune's scratch, kept between prunes
	pruneOrder []*Row
	pruneKeep  map[*Row]bool
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
// it is still open). The model keeps s, and of s.Dialog, whose memory the
// analysis reuses once Session returns (see StreamsSessions), nothing but
// a packed copy: it sets s.Dialog to nil.
func (m *Model) Session(s *model.Session, findings []model.Finding) {
	fs := append([]model.Finding(nil), findings...)
	model.SortFindings(fs)
	r := newRow(s, fs)
	r.own = fs
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pairedLocked(s.ID) {
		r = m.newRowLocked(s, fs) // with the pair's findings
	}
	r.packDialog()
	m.put(r)
	for _, f := range fs {
		m.counts[clampSev(f.Severity)]++
	}
	m.version.Add(1)
}

// StreamsSessions implements analysis.Streamer: Session keeps nothing of
// a session's dialog but its packed copy, so the analysis reuses the
// dialog's memory, and no copy is made for the model to keep.
func (m *Model) StreamsSessions() {}

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
		i := sort.Search(len(m.rows), func(i int) bool { return ByNumber(r, m.rows[i]) })
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
	r := m.newRowLocked(old.Session(), own)
	r.S, r.packed = old.S, old.packed
	r.running, r.touched = old.running, old.touched
	m.rows[m.index(old)], m.byID[old.S.ID] = r, r
	m.grouped = false
}

// index finds r in m.rows (sorted by number).
func (m *Model) index(r *Row) int {
	i := sort.Search(len(m.rows), func(i int) bool { return !ByNumber(m.rows[i], r) })
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
	panic("viewmodel: row not found: " + r.S.ID)
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

// GroupFindings groups the findings of rows as the model groups the whole
// capture's (the Findings pane follows the list's filter with it).
func GroupFindings(rows []*Row) []FindingGroup {
	groups := groupFindings(nil, nil, rows)
	out := make([]FindingGroup, len(groups))
	for i, g := range groups {
		out[i] = FindingGroup{First: g.first, Where: g.where}
	}
	return out
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
