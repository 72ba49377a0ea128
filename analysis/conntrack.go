package analysis

import (
	"net/netip"

	"github.com/ftpscope/ftpscope/ctwatch"
	"github.com/ftpscope/ftpscope/model"
)

// withConntrack gives a session what the capturing host's conntrack says
// of it: the entry of its control connection (found by the 5-tuple of
// either leg of a NAT) and, for each announcement, the expectation the
// helper created for it. Announcements the Linux helper does not read
// (LPRT, 228) get none.
func withConntrack(tr *ctwatch.Tracker, s *model.Session) {
	if tr == nil {
		return
	}
	client, err1 := netip.ParseAddrPort(s.Client)
	server, err2 := netip.ParseAddrPort(s.Server)
	if err1 != nil || err2 != nil {
		return
	}
	tp := ctwatch.TCP(client, server)
	e := tr.Control(tp)
	if e == nil {
		return
	}
	m := e.Model()
	m.SNAT, m.DNAT = e.Orig.Src != e.Reply.Dst, e.Orig.Dst != e.Reply.Src
	s.Conntrack = &m
	for i := range s.Channels {
		ch := &s.Channels[i]
		a := ch.Announce
		if a == nil || a.Verb == "LPRT" || a.Verb == "LPSV" {
			continue
		}
		ep, err := netip.ParseAddrPort(a.Endpoint)
		if err != nil {
			continue
		}
		if x := tr.ExpectationFor(tp, ep, a.TS.Time); x != nil {
			xm := x.Model()
			ch.Expectation = &xm
		}
	}
}
