package analysis

import (
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/dialog"
	"github.com/ftpscope/ftpscope/model"
)

// BenchmarkDissectStage is the dissector goroutine's part of the whole job
// over $FTPSCOPE_BENCH_PCAP, the part that sets the job's length on a
// capture of many short sessions: every packet, read once before the
// timer into memory, is decoded and goes through Analyzer.Frame, and the
// concluded sessions are handed over unbuilt, as to the output goroutine,
// to a goroutine that builds them and recycles their dialog buffer (the
// output goroutine's share of the dissector's allocation) and writes
// nothing. ns/frame compares with BenchmarkReadAhead's.
func BenchmarkDissectStage(b *testing.B) {
	path, _ := benchCapture(b)
	src, err := capture.OpenFile("", path, 0)
	if err != nil {
		b.Fatal(err)
	}
	// The packets are kept without pointers (offsets into one arena), or
	// the collector would scan a million frames at every cycle, which the
	// job never does; each is decoded again as it is dissected, a few
	// nanoseconds on the fast path.
	type record struct {
		off, n, length int
		ns             int64
		link           layers.LinkType
	}
	var records []record
	var arena []byte
	for {
		p, err := src.Next()
		if err != nil {
			break
		}
		records = append(records, record{off: len(arena), n: len(p.Data), length: p.Info.Length,
			ns: p.Info.Timestamp.UnixNano(), link: p.LinkType})
		arena = append(arena, p.Data...)
	}
	src.Close()
	infos := []*capture.Info{src.Info()}
	dec := decode.New()
	var f decode.Frame
	b.ReportAllocs()
	var sessions int
	for b.Loop() {
		sink := startBuilding()
		a := dissect.New(dissect.DefaultConfig(), infos, sink)
		for i, r := range records {
			f.Packet = capture.Packet{Data: arena[r.off : r.off+r.n : r.off+r.n], LinkType: r.link, Frame: uint64(i + 1),
				Info: gopacket.CaptureInfo{Timestamp: time.Unix(0, r.ns), CaptureLength: r.n, Length: r.length}}
			dec.Decode(&f)
			a.Frame(&f)
		}
		a.Finish()
		sessions = sink.wait()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(len(records))/float64(b.N), "ns/frame")
	b.ReportMetric(float64(sessions), "sessions")
}

// buildingSink builds the sessions an Analyzer concludes on a goroutine
// of its own, as outputStage does, and only counts them.
type buildingSink struct {
	queue chan func() *model.Session
	done  chan int
}

func startBuilding() *buildingSink {
	s := &buildingSink{queue: make(chan func() *model.Session, stageDepth), done: make(chan int)}
	go func() {
		n := 0
		for build := range s.queue {
			m := build()
			dialog.Recycle(m.Dialog)
			n++
		}
		s.done <- n
	}()
	return s
}

func (s *buildingSink) Session(m *model.Session) {
	s.SessionLater(func() *model.Session { return m })
}

func (s *buildingSink) SessionLater(build func() *model.Session) { s.queue <- build }

// wait returns the number of sessions built, once all are.
func (s *buildingSink) wait() int {
	close(s.queue)
	return <-s.done
}
