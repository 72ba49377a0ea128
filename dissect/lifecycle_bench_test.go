package dissect

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
)

// lifecycleSession returns the frames of the smallest session that takes
// both connections through their whole lifecycle: the control connection
// opens, a passive LIST's data connection opens, carries one segment and
// closes, the control connection closes. port makes the client's ports
// distinct between sessions.
func lifecycleSession(tb testing.TB, port uint16) [][]byte {
	ctl := &benchConv{tb: tb, a: netip.AddrPortFrom(benchCli4, port), b: netip.AddrPortFrom(benchSrv4, 21), seqA: 1000, seqB: 5000}
	var out [][]byte
	flush := func(t *benchConv) { out = append(out, t.frames...); t.frames = t.frames[:0] }
	ctl.open()
	ctl.line(false, "220 ready")
	ctl.line(true, "PASV")
	pasvPort := 30000 + port%10000
	ctl.line(false, fmt.Sprintf("227 Entering Passive Mode (198,18,99,1,%d,%d).", pasvPort>>8, pasvPort&255))
	flush(ctl)
	data := &benchConv{tb: tb, a: netip.AddrPortFrom(benchCli4, port+1), b: netip.AddrPortFrom(benchSrv4, pasvPort), seqA: 7000, seqB: 9000}
	data.open()
	flush(data)
	ctl.line(true, "LIST")
	ctl.line(false, "150 Here comes the directory listing.")
	flush(ctl)
	data.send(false, benchPayload(200))
	data.close(false)
	flush(data)
	ctl.line(false, "226 Directory send OK.")
	ctl.line(true, "QUIT")
	ctl.line(false, "221 Goodbye.")
	ctl.close(false)
	flush(ctl)
	return out
}

// lazyBuilds is a LazySink that keeps the builds it is handed.
type lazyBuilds struct{ builds []func() *model.Session }

func (l *lazyBuilds) Session(*model.Session)                   {}
func (l *lazyBuilds) SessionLater(build func() *model.Session) { l.builds = append(l.builds, build) }

// BenchmarkConnectionLifecycle feeds whole minimal sessions (lifecycleSession:
// a control connection and one data connection, each opened, used, closed
// and concluded) through Analyzer.Packet to a LazySink, as the analysis
// runs it. "dissector" is the dissector goroutine's share (the sessions'
// models are built outside the timing, as the output goroutine builds
// them); "with-build" builds each model too. ns/op and allocs/op are per
// session.
func BenchmarkConnectionLifecycle(b *testing.B) {
	for _, build := range []bool{false, true} {
		name := "dissector"
		if build {
			name = "with-build"
		}
		b.Run(name, func(b *testing.B) {
			feed := newSessionFeed(func(i int) [][]byte { return lifecycleSession(b, uint16(20000+2*i)) })
			sink := &lazyBuilds{}
			a := New(DefaultConfig(), []*capture.Info{{Label: "bench", Kind: "file"}}, sink)
			emitted := 0
			run := func() {
				for _, f := range sink.builds {
					f()
				}
				emitted += len(sink.builds)
				sink.builds = sink.builds[:0]
			}
			b.ReportAllocs()
			for b.Loop() {
				feed.next(a)
				if build {
					run()
				} else if len(sink.builds) >= 256 {
					b.StopTimer()
					run()
					b.StartTimer()
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(len(feed.sessions[0])), "frames/session")
			a.Finish()
			run()
			if emitted != feed.n {
				b.Fatalf("%d sessions fed, %d emitted", feed.n, emitted)
			}
			if st := a.Stats(); st.DataConnections != uint64(feed.n) {
				b.Fatalf("%d data connections matched, want %d", st.DataConnections, feed.n)
			}
		})
	}
}
