package model

import (
	"net/netip"
	"testing"
)

func TestWiresharkFilter(t *testing.T) {
	conn := func(a, b string) Channel { return Channel{Connection: &Connection{Initiator: a, Responder: b}} }
	inside := &Session{Client: "192.168.1.10:53886", Server: "203.0.113.20:21", Channels: []Channel{
		conn("192.168.1.10:37302", "203.0.113.20:30033"),
		{}, // announced, no connection
		conn("203.0.113.20:30033", "192.168.1.10:37302"), // the same connection, seen the other way
	}}
	outside := &Session{Client: "203.0.113.1:53886", Server: "203.0.113.20:21", Channels: []Channel{
		conn("203.0.113.20:20", "203.0.113.1:40001"),
	}}
	v6 := &Session{Client: "[2001:db8::10]:50000", Server: "[2001:db8:1::20]:21", Channels: []Channel{
		conn("[::ffff:192.0.2.1]:20", "[2001:db8::10]:50001"),
	}}
	for _, c := range []struct {
		name string
		legs []*Session
		want string
	}{
		{"one leg", []*Session{inside},
			"(ip.addr==192.168.1.10 && tcp.port==53886 && ip.addr==203.0.113.20 && tcp.port==21) || " +
				"(ip.addr==192.168.1.10 && tcp.port==37302 && ip.addr==203.0.113.20 && tcp.port==30033)"},
		{"both NAT legs", []*Session{inside, nil, outside},
			"(ip.addr==192.168.1.10 && tcp.port==53886 && ip.addr==203.0.113.20 && tcp.port==21) || " +
				"(ip.addr==192.168.1.10 && tcp.port==37302 && ip.addr==203.0.113.20 && tcp.port==30033) || " +
				"(ip.addr==203.0.113.1 && tcp.port==53886 && ip.addr==203.0.113.20 && tcp.port==21) || " +
				"(ip.addr==203.0.113.1 && tcp.port==40001 && ip.addr==203.0.113.20 && tcp.port==20)"},
		{"IPv6, a mapped address stays IPv6", []*Session{v6},
			"(ipv6.addr==2001:db8::10 && tcp.port==50000 && ipv6.addr==2001:db8:1::20 && tcp.port==21) || " +
				"(ipv6.addr==::ffff:192.0.2.1 && tcp.port==20 && ipv6.addr==2001:db8::10 && tcp.port==50001)"},
		{"endpoints that do not parse", []*Session{{Client: "?", Server: "203.0.113.20:21"}}, ""},
		{"no leg", nil, ""},
	} {
		if got := WiresharkFilter(c.legs...); got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		// the same, from the dissector's endpoints instead of the text
		if got := WiresharkFilter(withAddrPorts(c.legs)...); got != c.want {
			t.Errorf("%s, known endpoints:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// withAddrPorts copies legs with their endpoints known, as the dissector
// gives them.
func withAddrPorts(legs []*Session) []*Session {
	known := func(text string) netip.AddrPort { ap, _ := netip.ParseAddrPort(text); return ap }
	var out []*Session
	for _, s := range legs {
		if s == nil {
			out = append(out, nil)
			continue
		}
		c := *s
		c.ClientAddrPort, c.ServerAddrPort = known(s.Client), known(s.Server)
		c.Channels = nil
		for _, ch := range s.Channels {
			if cn := ch.Connection; cn != nil {
				k := *cn
				k.InitiatorAddrPort, k.ResponderAddrPort = known(cn.Initiator), known(cn.Responder)
				ch.Connection = &k
			}
			c.Channels = append(c.Channels, ch)
		}
		out = append(out, &c)
	}
	return out
}

// BenchmarkWiresharkFilter is the filter of a session with three data
// connections, as the analysis builds it for every session it reports:
// from the endpoints' text (a report read back) and from the dissector's
// own (known).
func BenchmarkWiresharkFilter(b *testing.B) {
	conn := func(a, b string) Channel { return Channel{Connection: &Connection{Initiator: a, Responder: b}} }
	s := &Session{Client: "198.18.99.2:40001", Server: "198.18.99.1:21", Channels: []Channel{
		conn("198.18.99.2:40002", "198.18.99.1:30001"),
		conn("198.18.99.1:20", "198.18.99.2:40003"),
		conn("198.18.99.2:40004", "198.18.99.1:30002"),
	}}
	for _, known := range []bool{false, true} {
		name := "text"
		if known {
			name, s = "known", withAddrPorts([]*Session{s})[0]
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if WiresharkFilter(s) == "" {
					b.Fatal("no filter")
				}
			}
		})
	}
}
