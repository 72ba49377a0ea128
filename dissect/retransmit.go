package dissect

import (
	"time"

	"github.com/ftpscope/ftpscope/dissect/tcpseq"
	"github.com/ftpscope/ftpscope/model"
)

// Retransmitted control bytes are compared with the copy seen first: the
// delivered bytes kept in a history of each direction (tcpseq.History), or
// the queued ones.
// The first copy is the one the analysis reads, as most TCP stacks (and
// Zeek) keep the bytes they received first; a later copy that differs is a
// retransmission-inconsistent finding — the classic way to show a monitor
// one command and the server another.

// maxConflicts bounds the conflicting copies recorded per session.
const maxConflicts = 8

// keep adds delivered bytes to the direction's history.
func (h *halfStream) keep(seq uint32, data []byte, frame uint64) {
	if h.hist == nil {
		h.hist = tcpseq.NewHistory()
	}
	h.hist.Add(seq, data, frame)
}

// forget empties the history: the bytes after a gap do not continue it.
func (h *halfStream) forget() {
	if h.hist != nil {
		h.hist.Forget()
	}
}

// releaseHistory hands the history back for another session.
func (h *halfStream) releaseHistory() {
	if h.hist != nil {
		h.hist.Release()
		h.hist = nil
	}
}

// compareDelivered compares the bytes of an arriving segment that start at
// seq and lie before the delivery point with those delivered.
func (st *controlStream) compareDelivered(dir int, seq uint32, again []byte, frame uint64, ts time.Time) {
	h := st.half[dir].hist
	if h == nil {
		return
	}
	from, to, ok := h.Kept(seq, len(again))
	if !ok {
		return
	}
	var buf [tcpseq.HistorySize]byte
	first := h.AppendBytes(buf[:0], from, to)
	later := again[from-seq : to-seq]
	if d := tcpseq.FirstDifference(first, later); d >= 0 {
		st.sess.conflict(dir, first, later, d, h.FrameOf(from+uint32(d)), frame, ts)
	}
}

// compareQueued compares the overlap of an arriving segment with a queued
// one, both given from the same sequence number.
func (st *controlStream) compareQueued(dir int, queued *tcpseq.QueuedSegment, first, later []byte, frame uint64, ts time.Time) bool {
	if d := tcpseq.FirstDifference(first, later); d >= 0 {
		st.sess.conflict(dir, first, later, d, queued.Frame, frame, ts)
		return true
	}
	return false
}

// conflict records two copies of the same control bytes that differ at d:
// first, which the analysis read, and later.
func (s *session) conflict(dir int, first, later []byte, d int, firstFrame, laterFrame uint64, ts time.Time) {
	if len(s.conflicts) == 0 {
		s.note("retransmitted control bytes differ from the first copy (" + dirName(dir) + "): the first copy is analysed")
	}
	if len(s.conflicts) >= maxConflicts {
		return
	}
	lo, hi := tcpseq.QuoteWindow(first, d)
	s.conflicts = append(s.conflicts, model.RetransmissionConflict{
		FromClient: dir == fromInitiator,
		Used:       string(first[lo:hi]), UsedFrame: firstFrame,
		Other: string(later[lo:hi]), OtherFrame: laterFrame,
		TS: model.At(ts),
	})
}
