package dissect

import (
	"github.com/ftpscope/ftpscope/communityid"
	"github.com/ftpscope/ftpscope/model"
)

// export converts a session to the report model: a concluded one hands
// over its dialog, one still running (a live view) a copy of it.
func (a *Analyzer) export(s *session) *model.Session {
	var dialog []model.DialogEntry
	if s.emitted {
		dialog = s.dialog.Final()
	} else {
		dialog = s.dialog.Snapshot()
	}
	m := &model.Session{
		ID:                   s.id,
		Source:               s.vantage.label,
		Vantage:              s.vantage.iface,
		Client:               s.client.String(),
		Server:               s.server.String(),
		CommunityID:          communityid.TCP(s.client, s.server),
		Start:                model.At(s.start),
		End:                  model.At(s.end),
		TLS:                  s.tls,
		Protected:            s.protected,
		TLSOpaqueBytes:       s.tlsSkip[0].Bytes() + s.tlsSkip[1].Bytes(),
		TLSDecryption:        s.ftps.Status(),
		Commands:             s.commands,
		Replies:              s.repliesN,
		HandshakeSeen:        s.c.handshake,
		Closed:               s.c.closed,
		Greeting:             s.greeting,
		ControlBytesToServer: s.c.span[fromInitiator].Bytes(),
		ControlBytesToClient: s.c.span[fromResponder].Bytes(),
		GapBytes:             s.gapBytes,
		DialogDropped:        s.dialog.Dropped(),
		DialogOffset:         s.dialog.Base(),
		Dialog:               dialog,
		Channels:             make([]model.Channel, 0, len(s.channels)),
		Anomalies:            s.anomalies,
		Frames:               model.FrameRange{First: s.c.firstFrame, Last: s.c.lastFrame},
		Segments:             s.segments,
	}
	m.RetransmissionConflicts = s.conflicts
	m.SnaplenCut = s.snaplen
	if m.Dialog == nil {
		m.Dialog = []model.DialogEntry{} // the report's dialog is an array, even empty (FuzzPipeline)
	}
	if s.hasUser {
		u := s.user
		m.User = &u
	}
	for _, ch := range s.channels {
		m.Channels = append(m.Channels, a.exportChannel(s, ch))
	}
	return m
}

func (a *Analyzer) exportChannel(s *session, ch *channel) model.Channel {
	mc := model.Channel{ID: ch.id(), Mode: ch.mode}
	if an := ch.ann; an != nil {
		ma := &model.Announce{Verb: an.verb, TS: model.At(an.ts), Endpoint: an.endpoint.String(), Raw: an.raw, Frame: an.frame,
			ReplyText: an.replyText, ReplyFrame: an.replyFrame, Family: an.family}
		if an.replyCode != 0 {
			code := an.replyCode
			ma.ReplyCode = &code
		}
		mc.Announce = ma
	}
	if x := ch.xfer; x != nil {
		mx := &model.Transfer{Verb: x.verb, Arg: x.arg, TS: model.At(x.ts), ReplyCodes: x.replyCodes, ReplyText: x.finalText,
			Frame: x.frame, FinalFrame: x.finalFrame, SizeFrom: x.sizeFrom}
		if mx.ReplyCodes == nil {
			mx.ReplyCodes = []int{}
		}
		if x.size >= 0 {
			n := x.size
			mx.AnnouncedSize = &n
		}
		if x.hasRestart {
			r := x.restart
			mx.Restart = &r
		}
		if e := ch.export; e != nil {
			mx.ExportPath, mx.SHA256, mx.ExportPartial = e.path, e.sum, e.partial
		}
		if n := ch.tls.FileBytes(); n >= 0 {
			size := n // allocated only here: n itself must not escape
			mx.FileBytes = &size
		}
		if !x.finalTS.IsZero() {
			t := model.At(x.finalTS)
			mx.FinalTS = &t
			mx.LatencyMS = float64(x.finalTS.Sub(x.ts).Microseconds()) / 1000
		}
		mc.Transfer = mx
	}
	switch {
	case ch.snapshot != nil:
		mc.Connection = ch.snapshot
	case ch.conn != nil:
		mc.Connection = ch.connectionModel(ch.conn)
	}
	mc.Status = channelStatus(ch, mc.Connection, s.end, a.cfg)
	return mc
}
