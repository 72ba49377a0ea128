package ctwatch

import (
	"net/netip"
	"testing"
)

func TestTupleStrings(t *testing.T) {
	v6 := TCP(netip.MustParseAddrPort("[2001:db8:1::10]:40312"), netip.MustParseAddrPort("[2001:db8:100::20]:21"))
	if got, want := v6.String(), "[2001:db8:1::10]:40312 → [2001:db8:100::20]:21"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
	if got := (Tuple{}).String(); got != "? → ?" {
		t.Errorf("zero tuple %q", got)
	}
	exp := TCP(netip.MustParseAddrPort("203.0.113.20:0"), netip.MustParseAddrPort("203.0.113.1:39185"))
	for _, c := range []struct {
		mask Tuple
		want string
	}{
		{fullMask, "203.0.113.20 → 203.0.113.1:39185"},
		{TCP(netip.MustParseAddrPort("0.0.0.0:0"), netip.MustParseAddrPort("255.255.255.255:65535")), "* → 203.0.113.1:39185"},
		{TCP(netip.MustParseAddrPort("0.0.0.0:65535"), netip.MustParseAddrPort("255.255.255.255:65535")), "*:0 → 203.0.113.1:39185"},
		{TCP(netip.MustParseAddrPort("255.255.255.255:65535"), netip.MustParseAddrPort("255.255.255.255:65535")), "203.0.113.20:0 → 203.0.113.1:39185"},
		{Tuple{}, "203.0.113.20:0 → 203.0.113.1:39185"}, // no mask known
	} {
		if got := maskedString(exp, c.mask); got != c.want {
			t.Errorf("mask %s: %q, want %q", c.mask, got, c.want)
		}
	}
}

func TestMatchesUnderMask(t *testing.T) {
	ap := netip.MustParseAddrPort
	exp := TCP(ap("203.0.113.20:0"), ap("203.0.113.1:39185"))
	v6exp := TCP(ap("[2001:db8::20]:0"), ap("[2001:db8::1]:39185"))
	v6mask := TCP(ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:0"), ap("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"))
	for _, c := range []struct {
		conn, exp, mask Tuple
		want            bool
	}{
		{TCP(ap("203.0.113.20:20"), ap("203.0.113.1:39185")), exp, fullMask, true},
		{TCP(ap("203.0.113.20:51234"), ap("203.0.113.1:39185")), exp, fullMask, true},
		{TCP(ap("203.0.113.21:20"), ap("203.0.113.1:39185")), exp, fullMask, false},
		{TCP(ap("203.0.113.20:20"), ap("203.0.113.1:39186")), exp, fullMask, false},
		{Tuple{Proto: 17, Src: ap("203.0.113.20:20"), Dst: ap("203.0.113.1:39185")}, exp, fullMask, false},
		{TCP(ap("198.51.100.9:20"), ap("203.0.113.1:39185")), exp,
			TCP(ap("0.0.0.0:0"), ap("255.255.255.255:65535")), true},
		{TCP(ap("[2001:db8::20]:20"), ap("[2001:db8::1]:39185")), v6exp, v6mask, true},
		{TCP(ap("[2001:db8::21]:20"), ap("[2001:db8::1]:39185")), v6exp, v6mask, false},
		{TCP(ap("203.0.113.20:20"), ap("203.0.113.1:39185")), v6exp, v6mask, false},
	} {
		if got := matches(c.conn, c.exp, c.mask); got != c.want {
			t.Errorf("%s within %s / %s: %v, want %v", c.conn, c.exp, c.mask, got, c.want)
		}
	}
}

func TestKeyEitherDirection(t *testing.T) {
	a := TCP(netip.MustParseAddrPort("192.168.1.10:40312"), netip.MustParseAddrPort("203.0.113.20:21"))
	mapped := TCP(netip.MustParseAddrPort("[::ffff:192.168.1.10]:40312"), netip.MustParseAddrPort("203.0.113.20:21"))
	if keyOf(a) != keyOf(a.Reverse()) || keyOf(a) != keyOf(mapped) {
		t.Error("one connection, several keys")
	}
	b := a
	b.Proto = 17
	if keyOf(a) == keyOf(b) {
		t.Error("TCP and UDP share a key")
	}
}
