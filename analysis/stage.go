package analysis

import (
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/dissect/dialog"
	"github.com/ftpscope/ftpscope/model"
)

// outputStage runs the diagnosis and the consumer (report writer, UI) on a
// goroutine of their own, fed in order through a bounded queue: concluding
// a session costs about as much as dissecting it, and a second core is
// usually idle. The dissector hands over sessions it no longer touches.
type outputStage struct {
	queue chan stageEvent
	done  chan struct{}
}

type stageEvent struct {
	session *model.Session
	build   func() *model.Session // a session to build here
	running *model.Session        // a snapshot of a running session (live)
	stats   *liveStats            // the counters, now and then (live)
	channel *model.Channel
	id      string // the channel's session
}

// liveStats are the counters a StatsConsumer hears of.
type liveStats struct {
	sources []model.Source
	stats   model.Stats
}

// stageDepth bounds the sessions in flight between the two goroutines.
const stageDepth = 256

func startOutput(d *diagnoser, observe func(*model.Session)) *outputStage {
	st := &outputStage{queue: make(chan stageEvent, stageDepth), done: make(chan struct{})}
	cc, _ := d.out.(ChannelConsumer)
	sc, _ := d.out.(StatsConsumer)
	_, streams := d.out.(Streamer)
	session := func(s *model.Session) {
		// The dissector's buffer, taken first: a Streamer keeps nothing
		// of it and may drop it from the session it keeps.
		buffer := s.Dialog
		if !streams && len(s.Dialog) > 0 {
			// A consumer that keeps sessions with their dialog keeps a
			// copy of the dialog's size, and the dissector's buffer is
			// reused as it is for the Streamers.
			s.Dialog = make([]model.DialogEntry, len(buffer))
			copy(s.Dialog, buffer)
		}
		if observe != nil {
			observe(s)
		}
		d.Session(s)
		dialog.Recycle(buffer)
	}
	go func() {
		defer close(st.done)
		for ev := range st.queue {
			switch {
			case ev.build != nil:
				session(ev.build())
			case ev.session != nil:
				session(ev.session)
			case ev.running != nil:
				d.Running(ev.running)
			case ev.stats != nil:
				if sc != nil {
					sc.Stats(ev.stats.sources, ev.stats.stats)
				}
			case cc != nil:
				cc.Channel(ev.id, ev.channel)
			}
		}
	}()
	return st
}

// Session implements dissect.Sink.
func (st *outputStage) Session(s *model.Session) { st.queue <- stageEvent{session: s} }

// SessionLater implements dissect.LazySink: converting the session to the
// model is work this goroutine can take off the dissector's.
func (st *outputStage) SessionLater(build func() *model.Session) {
	st.queue <- stageEvent{build: build}
}

// Running hands over a snapshot of a running session.
func (st *outputStage) Running(s *model.Session) { st.queue <- stageEvent{running: s} }

// Stats hands over the counters of a live capture.
func (st *outputStage) Stats(sources []model.Source, stats model.Stats) {
	st.queue <- stageEvent{stats: &liveStats{sources, stats}}
}

// stop waits until everything queued has been handled.
func (st *outputStage) stop() {
	close(st.queue)
	<-st.done
}

// channelStage also forwards channels as they conclude, for consumers that
// want them (JSON lines); other consumers do not make the dissector export
// channels early.
type channelStage struct{ *outputStage }

// Channel implements dissect.ChannelSink.
func (st channelStage) Channel(session string, ch *model.Channel) {
	st.queue <- stageEvent{channel: ch, id: session}
}

// sink returns what the dissector reports to.
func (st *outputStage) sink(d *diagnoser) dissect.Sink {
	if _, ok := d.out.(ChannelConsumer); ok {
		return channelStage{st}
	}
	return st
}
