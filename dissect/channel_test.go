package dissect

import (
	"net/netip"
	"testing"

	"github.com/ftpscope/ftpscope/communityid"
)

// endpointTexts must give exactly what String and communityid.TCP give.
func TestEndpointTexts(t *testing.T) {
	for _, c := range []struct{ a, b netip.AddrPort }{
		{netip.MustParseAddrPort("198.18.99.2:40001"), netip.MustParseAddrPort("198.18.99.1:21")},
		{netip.MustParseAddrPort("[2001:db8:99::2]:50000"), netip.MustParseAddrPort("[2001:db8:99::1]:30001")},
		{netip.MustParseAddrPort("[::ffff:192.0.2.1]:20"), netip.MustParseAddrPort("[2001:db8::10]:50001")},
		{netip.MustParseAddrPort("[fe80::1%a-long-zone-name-of-an-interface-that-overflows-the-buffer]:1"), netip.MustParseAddrPort("198.18.99.1:21")},
		{netip.AddrPort{}, netip.MustParseAddrPort("198.18.99.1:21")},
	} {
		a, b, id := endpointTexts(c.a, c.b)
		if a != c.a.String() || b != c.b.String() || id != communityid.TCP(c.a, c.b) {
			t.Errorf("endpointTexts(%v, %v) = %q, %q, %q; want %q, %q, %q",
				c.a, c.b, a, b, id, c.a.String(), c.b.String(), communityid.TCP(c.a, c.b))
		}
	}
}
