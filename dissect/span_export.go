package dissect

import "github.com/ftpscope/ftpscope/dissect/tcpseq"

// seqSpan is a direction's tcpseq.Span with the two names the file export
// reads it by from before the Span moved to dissect/tcpseq (export_files.go,
// which another change of issue 18 moves out of dissect); they go with that
// move.
type seqSpan struct {
	tcpseq.Span
	synBase bool // a SYN anchored the span: tcpseq.Span.FirstDataSeq's ok
}

// setSYN anchors the span at a SYN's sequence number.
func (s *seqSpan) setSYN(seq uint32) {
	s.SetSYN(seq)
	s.synBase = true
}

// offset unwraps seq into an offset from the span's base.
func (s *seqSpan) offset(seq uint32) int64 { return s.Offset(seq) }
