package dissect

import (
	"net/netip"

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
	m.Client, m.Server, m.CommunityID = endpointTexts(s.client, s.server)
	m.ClientAddrPort, m.ServerAddrPort = s.client, s.server
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

// channelModel is a channel's model.Announce and model.Transfer with the
// values their pointers point at: one allocation where there were up to
// seven.
type channelModel struct {
	announce                          model.Announce
	replyCode                         int
	transfer                          model.Transfer
	announcedSize, restart, fileBytes int64
	finalTS                           model.Time
	// room for the transfer's reply codes: the model must not point into
	// the dissector's channel, or a consumer that keeps sessions keeps
	// the dissector's whole session with it
	replyCodes [2]int
}

func (a *Analyzer) exportChannel(s *session, ch *channel) model.Channel {
	mc := model.Channel{ID: ch.id(), Mode: ch.mode}
	var responder netip.AddrPort // of mc.Connection
	switch {
	case ch.snapshot != nil:
		mc.Connection, responder = withEndpointTexts(ch.snapshot), ch.snapshotResponder
	case ch.conn != nil:
		mc.Connection, responder = withEndpointTexts(ch.connectionModel(ch.conn)), ch.conn.responder
	}
	var cm *channelModel
	if ch.ann != nil || ch.xfer != nil {
		cm = new(channelModel)
	}
	if an := ch.ann; an != nil {
		cm.announce = model.Announce{Verb: an.verb, TS: model.At(an.ts), Raw: an.raw, Frame: an.frame,
			ReplyText: an.replyText, ReplyFrame: an.replyFrame, Family: an.family}
		ma := &cm.announce
		if mc.Connection != nil && an.endpoint == responder {
			ma.Endpoint = mc.Connection.Responder // the usual case: the connection went where announced
		} else {
			ma.Endpoint = an.endpoint.String()
		}
		ma.EndpointAddrPort = an.endpoint
		if an.replyCode != 0 {
			cm.replyCode = an.replyCode
			ma.ReplyCode = &cm.replyCode
		}
		mc.Announce = ma
	}
	if x := ch.xfer; x != nil {
		// never nil (the report writes [] for none), and copied into the
		// model's own room
		codes := append(cm.replyCodes[:0], x.replyCodes...)
		cm.transfer = model.Transfer{Verb: x.verb, Arg: x.arg, TS: model.At(x.ts), ReplyCodes: codes, ReplyText: x.finalText,
			Frame: x.frame, FinalFrame: x.finalFrame, SizeFrom: x.sizeFrom}
		mx := &cm.transfer
		if x.size >= 0 {
			cm.announcedSize = x.size
			mx.AnnouncedSize = &cm.announcedSize
		}
		if x.hasRestart {
			cm.restart = x.restart
			mx.Restart = &cm.restart
		}
		if e := ch.export; e != nil {
			mx.ExportPath, mx.SHA256, mx.ExportPartial = e.path, e.sum, e.partial
		}
		if n := ch.tls.FileBytes(); n >= 0 {
			cm.fileBytes = n
			mx.FileBytes = &cm.fileBytes
		}
		if !x.finalTS.IsZero() {
			cm.finalTS = model.At(x.finalTS)
			mx.FinalTS = &cm.finalTS
			mx.LatencyMS = float64(x.finalTS.Sub(x.ts).Microseconds()) / 1000
		}
		mc.Transfer = mx
	}
	mc.Status = channelStatus(ch, mc.Connection, s.end, a.cfg)
	return mc
}
