package ecs

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"path"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/report"
)

// Datasets (event.dataset).
const (
	DatasetSession = "ftpscope.session"
	DatasetChannel = "ftpscope.channel"
	DatasetFinding = "ftpscope.finding"
)

// sessionRef is what a session's channel and finding documents repeat of
// it, kept for a while for the findings that come only at the end.
type sessionRef struct {
	id, source     string
	client, server netip.AddrPort
	communityID    string
	user           string
	iface          string
	start          time.Time
}

func (w *Writer) refOf(s *model.Session) sessionRef {
	r := sessionRef{id: s.ID, source: s.Source, communityID: s.CommunityID, start: s.Start.Time}
	r.client, _ = netip.ParseAddrPort(s.Client)
	r.server, _ = netip.ParseAddrPort(s.Server)
	if s.User != nil {
		r.user = *s.User
	}
	r.iface = s.Vantage
	if r.iface == "" {
		r.iface = w.o.Interfaces[s.Source]
	}
	return r
}

// severityNumber is event.severity: 1 info, 2 warning, 3 error.
func severityNumber(s model.Severity) int64 { return int64(s) }

// failed says whether a channel status is a failed data channel.
func failed(status string) bool {
	switch status {
	case model.StatusRejected, model.StatusNoConnection, model.StatusRefused, model.StatusFiltered,
		model.StatusAborted, model.StatusTruncated:
		return true
	}
	return false
}

// channelOutcome is event.outcome of a channel.
func channelOutcome(status string) string {
	switch {
	case status == model.StatusOK:
		return "success"
	case failed(status):
		return "failure"
	}
	return "unknown" // unused (the server refused the command before any data) or unknown
}

// head writes the fields every document starts with.
func (w *Writer) head(d *builder, ts time.Time, dataset, kind string, types []string) {
	d.begin()
	if !ts.IsZero() {
		d.time("@timestamp", ts)
	}
	d.open("ecs")
	d.str("version", Version)
	d.close()
	d.open("event")
	d.str("kind", kind)
	d.strs("category", "network")
	d.strs("type", types...)
	d.str("dataset", dataset)
	d.str("module", "ftpscope")
}

// observer writes the observer object.
func (w *Writer) observer(d *builder, iface string) {
	d.open("observer")
	d.strOmit("hostname", w.o.Observer)
	d.str("product", "ftpscope")
	d.strOmit("version", w.o.Version)
	if iface != "" {
		d.open("ingress")
		d.open("interface")
		d.str("name", iface)
		d.close()
		d.close()
	}
	d.close()
}

// network writes the network object of a TCP connection.
func network(d *builder, a netip.Addr, communityID string, bytes int64, packets uint64, withCounts bool) {
	d.open("network")
	d.str("transport", "tcp")
	d.str("iana_number", "6")
	d.str("protocol", "ftp")
	if a.IsValid() {
		if a.Unmap().Is4() {
			d.str("type", "ipv4")
		} else {
			d.str("type", "ipv6")
		}
	}
	d.strOmit("community_id", communityID)
	if withCounts {
		d.int("bytes", bytes)
		d.int("packets", int64(packets))
	}
	d.close()
}

// roles writes ECS client and server: the FTP client and server of the
// session's control connection, whichever way the document's connection
// goes; with ports only when the document is about the control connection.
func roles(d *builder, r *sessionRef, ports bool) {
	for _, e := range []struct {
		key string
		ap  netip.AddrPort
	}{{"client", r.client}, {"server", r.server}} {
		if !e.ap.IsValid() {
			continue
		}
		d.open(e.key)
		d.str("ip", e.ap.Addr().Unmap().String())
		if ports {
			d.int("port", int64(e.ap.Port()))
		}
		d.close()
	}
}

func userName(d *builder, name string) {
	if name != "" {
		d.open("user")
		d.str("name", name)
		d.close()
	}
}

// sessionDocument is the session's own document.
func (w *Writer) sessionDocument(s *model.Session, findings []model.Finding, r *sessionRef) document {
	d := &w.build
	d.b = d.b[:0]
	w.head(d, s.Start.Time, DatasetSession, "event", []string{"connection", "protocol"})
	if !s.Start.IsZero() {
		d.time("start", s.Start.Time)
	}
	if !s.End.IsZero() {
		d.time("end", s.End.Time)
		if !s.Start.IsZero() && !s.End.Before(s.Start.Time) {
			d.int("duration", int64(s.End.Sub(s.Start.Time)))
		}
	}
	nFailed := 0
	for i := range s.Channels {
		if failed(s.Channels[i].Status) {
			nFailed++
		}
	}
	var worst *model.Finding
	for i := range findings {
		if worst == nil || findings[i].Severity > worst.Severity {
			worst = &findings[i]
		}
	}
	outcome := "success"
	if nFailed > 0 || worst != nil && worst.Severity >= model.Error {
		outcome = "failure"
	}
	d.str("outcome", outcome)
	if worst != nil {
		d.int("severity", severityNumber(worst.Severity))
	}
	d.close()
	doc := document{srcNAT: -1, dstNAT: -1, session: true}
	if r.client.IsValid() && r.server.IsValid() {
		doc.srcNAT = d.endpoint("source", r.client.Addr(), r.client.Port(), s.ControlBytesToServer, true)
		doc.dstNAT = d.endpoint("destination", r.server.Addr(), r.server.Port(), s.ControlBytesToClient, true)
	}
	roles(d, r, true)
	network(d, r.client.Addr(), s.CommunityID, s.ControlBytesToServer+s.ControlBytesToClient, 0, false)
	userName(d, r.user)
	w.observer(d, r.iface)
	var msg strings.Builder
	fmt.Fprintf(&msg, "FTP session %s", s.ID)
	if r.user != "" {
		fmt.Fprintf(&msg, " of %s", r.user)
	}
	fmt.Fprintf(&msg, " from %s to %s: %d data channels", s.Client, s.Server, len(s.Channels))
	if nFailed > 0 {
		fmt.Fprintf(&msg, ", %d failed", nFailed)
	}
	if worst != nil {
		fmt.Fprintf(&msg, "; %s: %s", worst.Severity, worst.Summary)
	}
	d.str("message", msg.String())
	d.open("ftpscope")
	// The channels are documents of their own: the session's object says
	// "channels": null rather than repeat them.
	bare := *s
	bare.Channels = nil
	w.scratch = report.AppendSession(w.scratch[:0], &bare)
	d.raw("session", w.scratch)
	d.close()
	d.close()
	doc.b = append([]byte(nil), d.b...)
	return doc
}

// channelEndpoints are the data connection's two ends, for NAT pairing.
type channelEndpoints struct{ initiator, responder netip.AddrPort }

// channelDocument is one data channel's document.
func (w *Writer) channelDocument(ch *model.Channel, findings []model.Finding, r *sessionRef) (document, channelEndpoints) {
	d := &w.build
	d.b = d.b[:0]
	cn := ch.Connection
	var ends channelEndpoints
	if cn != nil {
		ends.initiator, _ = netip.ParseAddrPort(cn.Initiator)
		ends.responder, _ = netip.ParseAddrPort(cn.Responder)
	}
	var start, end time.Time
	switch {
	case cn != nil && cn.SYN != nil:
		start = cn.SYN.Time
	case ch.Announce != nil && !ch.Announce.TS.IsZero():
		start = ch.Announce.TS.Time
	case ch.Transfer != nil && !ch.Transfer.TS.IsZero():
		start = ch.Transfer.TS.Time
	default:
		start = r.start
	}
	switch {
	case cn != nil && cn.End != nil:
		end = cn.End.Time
	case ch.Transfer != nil && ch.Transfer.FinalTS != nil:
		end = ch.Transfer.FinalTS.Time
	}
	types := []string{"connection"}
	switch ch.Status {
	case model.StatusRefused, model.StatusFiltered, model.StatusRejected:
		types = append(types, "denied")
	}
	w.head(d, start, DatasetChannel, "event", types)
	if !start.IsZero() {
		d.time("start", start)
	}
	if !end.IsZero() {
		d.time("end", end)
		if !start.IsZero() && !end.Before(start) {
			d.int("duration", int64(end.Sub(start)))
		}
	}
	d.str("outcome", channelOutcome(ch.Status))
	var worst model.Severity
	for i := range findings {
		if findings[i].Channel == ch.ID && findings[i].Severity > worst {
			worst = findings[i].Severity
		}
	}
	if worst != 0 {
		d.int("severity", severityNumber(worst))
	}
	d.close()
	doc := document{srcNAT: -1, dstNAT: -1, channel: ch.ID}
	var family netip.Addr
	switch {
	case cn != nil && ends.initiator.IsValid() && ends.responder.IsValid():
		// The initiator sends toward the responder: in active mode the FTP
		// server initiates.
		fromInit, fromResp := cn.BytesToFTPServer, cn.BytesToFTPClient
		if ch.Mode == "active" {
			fromInit, fromResp = cn.BytesToFTPClient, cn.BytesToFTPServer
		}
		doc.srcNAT = d.endpoint("source", ends.initiator.Addr(), ends.initiator.Port(), fromInit, true)
		doc.dstNAT = d.endpoint("destination", ends.responder.Addr(), ends.responder.Port(), fromResp, true)
		family = ends.initiator.Addr()
	case ch.Announce != nil:
		// No connection came: where it should have gone, and from whom.
		if to, err := netip.ParseAddrPort(ch.Announce.Endpoint); err == nil {
			from := r.client.Addr()
			if ch.Mode == "active" {
				from = r.server.Addr()
			}
			if from.IsValid() {
				d.endpoint("source", from, 0, 0, false)
			}
			d.endpoint("destination", to.Addr(), to.Port(), 0, false)
			family = to.Addr()
		}
	}
	roles(d, r, false)
	if cn != nil {
		network(d, family, cn.CommunityID, cn.BytesToFTPClient+cn.BytesToFTPServer, cn.Packets, true)
	} else {
		network(d, family, "", 0, 0, false)
	}
	userName(d, r.user)
	w.fileFields(d, ch)
	w.observer(d, r.iface)
	d.str("message", channelMessage(ch))
	d.open("ftpscope")
	d.open("session")
	d.str("id", r.id)
	d.str("source", r.source)
	d.close()
	d.open("control")
	d.strOmit("community_id", r.communityID)
	d.close()
	w.scratch = report.AppendChannel(w.scratch[:0], ch)
	d.raw("channel", w.scratch)
	d.close()
	d.close()
	doc.b = append([]byte(nil), d.b...)
	return doc, ends
}

// fileVerbs are the transfer commands that move one file.
var fileVerbs = map[string]bool{"RETR": true, "STOR": true, "STOU": true, "APPE": true}

// fileFields writes ECS file.* for a file transfer: the path as the
// client named it, the size the server announced (else what a complete
// transfer carried) and the SHA-256 of an exported file.
func (w *Writer) fileFields(d *builder, ch *model.Channel) {
	x := ch.Transfer
	if x == nil || !fileVerbs[strings.ToUpper(x.Verb)] {
		return
	}
	d.open("file")
	if x.Arg != "" {
		d.str("path", x.Arg)
		d.str("name", path.Base(x.Arg))
	}
	switch cn := ch.Connection; {
	case x.AnnouncedSize != nil:
		d.int("size", *x.AnnouncedSize)
	case ch.Status == model.StatusOK && cn != nil:
		n := cn.BytesToFTPClient
		if strings.ToUpper(x.Verb) != "RETR" {
			n = cn.BytesToFTPServer
		}
		d.int("size", n)
	}
	if x.SHA256 != "" {
		d.open("hash")
		d.str("sha256", x.SHA256)
		d.close()
	}
	d.close()
}

func channelMessage(ch *model.Channel) string {
	var b strings.Builder
	fmt.Fprintf(&b, "FTP data channel %s (%s", ch.ID, ch.Mode)
	if a := ch.Announce; a != nil {
		fmt.Fprintf(&b, ", %s %s", a.Verb, a.Endpoint)
	}
	b.WriteString(")")
	if x := ch.Transfer; x != nil {
		fmt.Fprintf(&b, " for %s", x.Verb)
		if x.Arg != "" {
			fmt.Fprintf(&b, " %s", x.Arg)
		}
	}
	fmt.Fprintf(&b, ": %s", ch.Status)
	if cn := ch.Connection; cn != nil {
		fmt.Fprintf(&b, ", %d bytes", cn.BytesToFTPClient+cn.BytesToFTPServer)
	}
	if x := ch.Transfer; x != nil && x.ReplyText != "" && ch.Status != model.StatusOK {
		fmt.Fprintf(&b, " (%q)", x.ReplyText)
	}
	return b.String()
}

// findingDocument is one finding's document; r is nil when the finding's
// session is no longer known (findings made at the end of a run).
func (w *Writer) findingDocument(f *model.Finding, r *sessionRef, channels []model.Channel, fallback time.Time) (document, error) {
	d := &w.build
	d.b = d.b[:0]
	ts := fallback
	if f.TS != nil {
		ts = f.TS.Time
	} else if r != nil {
		ts = r.start
	}
	kind := "event"
	if f.Severity >= model.Warning {
		kind = "alert"
	}
	w.head(d, ts, DatasetFinding, kind, []string{"info"})
	d.int("severity", severityNumber(f.Severity))
	d.close()
	// A finding about a data channel is placed on its data connection, so
	// it joins the monitors' records of that connection.
	var cn *model.Connection
	for i := range channels {
		if f.Channel != "" && channels[i].ID == f.Channel {
			cn = channels[i].Connection
		}
	}
	src, dst, cid := netip.AddrPort{}, netip.AddrPort{}, ""
	if r != nil {
		src, dst, cid = r.client, r.server, r.communityID
	}
	if cn != nil {
		i, ierr := netip.ParseAddrPort(cn.Initiator)
		o, oerr := netip.ParseAddrPort(cn.Responder)
		if ierr == nil && oerr == nil {
			src, dst, cid = i, o, cn.CommunityID
		}
	}
	if src.IsValid() && dst.IsValid() {
		d.endpoint("source", src.Addr(), src.Port(), 0, false)
		d.endpoint("destination", dst.Addr(), dst.Port(), 0, false)
		if r != nil {
			roles(d, r, cn == nil)
		}
		network(d, src.Addr(), cid, 0, 0, false)
	} else {
		network(d, netip.Addr{}, "", 0, 0, false)
	}
	iface := ""
	if r != nil {
		userName(d, r.user)
		iface = r.iface
	}
	d.open("rule")
	d.str("id", f.Rule)
	d.str("name", f.Rule)
	d.strOmit("description", f.Explanation)
	d.str("ruleset", "ftpscope")
	d.close()
	w.observer(d, iface)
	d.str("message", f.Summary)
	d.open("ftpscope")
	if f.Session != "" {
		d.open("session")
		d.str("id", f.Session)
		if r != nil {
			d.str("source", r.source)
		}
		d.close()
	}
	if r != nil && r.communityID != "" {
		d.open("control")
		d.str("community_id", r.communityID)
		d.close()
	}
	fj, err := json.Marshal(f)
	if err != nil {
		return document{}, err
	}
	d.raw("finding", fj)
	d.close()
	d.close()
	return document{b: append([]byte(nil), d.b...), srcNAT: -1, dstNAT: -1}, nil
}
