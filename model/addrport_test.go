package model

import (
	"net/netip"
	"testing"
)

// A known endpoint is the one its text parses to: the dissector's value
// and the parsed text are interchangeable, for the addresses a capture
// shows (IPv4, IPv6, IPv4-mapped, zoned).
func TestAddrPortOfKnownIsParsedText(t *testing.T) {
	for _, text := range []string{"192.168.1.10:53886", "0.0.0.0:0", "[2001:db8::1]:21", "[::ffff:198.51.100.7]:40000", "[fe80::1%eth0]:21", "[::]:65535"} {
		known := netip.MustParseAddrPort(text)
		if known.String() != text {
			t.Fatalf("%s prints as %s", text, known)
		}
		parsed, ok := AddrPortOf(text, netip.AddrPort{})
		if !ok || parsed != known {
			t.Errorf("%s parses to %v %v, want %v", text, parsed, ok, known)
		}
		if got, ok := AddrPortOf("ignored", known); !ok || got != known {
			t.Errorf("known %v gives %v %v", known, got, ok)
		}
	}
	if _, ok := AddrPortOf("invalid AddrPort", netip.AddrPort{}); ok {
		t.Error("an unparsable endpoint is ok")
	}
}
