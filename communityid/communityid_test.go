package communityid

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"strings"
	"testing"
)

// baseline is testdata/baseline.json: the published test vectors of the
// Community ID specification.
type baseline struct {
	Origin  string `json:"origin"`
	Vectors []struct {
		Proto   uint8  `json:"proto"`
		Saddr   string `json:"saddr"`
		Daddr   string `json:"daddr"`
		Sport   uint16 `json:"sport"`
		Dport   uint16 `json:"dport"`
		Seed0   string `json:"seed0"`
		Seed1   string `json:"seed1"`
		SHA1Hex string `json:"sha1_hex"`
		Note    string `json:"note"`
	} `json:"vectors"`
}

func loadBaseline(t *testing.T) baseline {
	t.Helper()
	raw, err := os.ReadFile("testdata/baseline.json")
	if err != nil {
		t.Fatal(err)
	}
	var b baseline
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Vectors) == 0 {
		t.Fatal("no vectors in testdata/baseline.json")
	}
	return b
}

func TestBaselineVectors(t *testing.T) {
	b := loadBaseline(t)
	families := map[bool]bool{}
	for _, v := range b.Vectors {
		src := netip.AddrPortFrom(netip.MustParseAddr(v.Saddr), v.Sport)
		dst := netip.AddrPortFrom(netip.MustParseAddr(v.Daddr), v.Dport)
		if v.Proto == ProtoTCP {
			families[src.Addr().Is4()] = true
		}
		for seed, want := range map[uint16]string{0: v.Seed0, 1: v.Seed1} {
			if got := string(Append(nil, seed, v.Proto, src, dst)); got != want {
				t.Errorf("proto %d %s → %s, seed %d: got %s, want %s (%s)", v.Proto, src, dst, seed, got, want, v.Note)
			}
		}
		// The digest itself, as the baseline's no-base64 variant gives it.
		id := string(Append(nil, 0, v.Proto, src, dst))
		digest, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(id, "1:"))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if got := hex.EncodeToString(digest); got != v.SHA1Hex {
			t.Errorf("proto %d %s → %s: digest %s, want %s", v.Proto, src, dst, got, v.SHA1Hex)
		}
		if v.Proto == ProtoTCP {
			if got := TCP(src, dst); got != v.Seed0 {
				t.Errorf("TCP(%s, %s) = %s, want %s", src, dst, got, v.Seed0)
			}
		}
	}
	if !families[true] || !families[false] {
		t.Errorf("the baseline must hold TCP over IPv4 and over IPv6: %v", families)
	}
}

func TestMappedAddressesCountAsIPv4(t *testing.T) {
	v4 := TCP(netip.MustParseAddrPort("1.2.3.4:1122"), netip.MustParseAddrPort("5.6.7.8:3344"))
	mapped := TCP(netip.MustParseAddrPort("[::ffff:1.2.3.4]:1122"), netip.MustParseAddrPort("5.6.7.8:3344"))
	if v4 != mapped || v4 == "" {
		t.Errorf("mapped %q, IPv4 %q", mapped, v4)
	}
}

func TestNoIDWithoutTwoEndpointsOfOneFamily(t *testing.T) {
	v4, v6 := netip.MustParseAddrPort("1.2.3.4:21"), netip.MustParseAddrPort("[2001:db8::1]:21")
	for _, c := range [][2]netip.AddrPort{{v4, v6}, {v4, {}}, {{}, {}}} {
		if got := TCP(c[0], c[1]); got != "" {
			t.Errorf("TCP(%v, %v) = %q, want empty", c[0], c[1], got)
		}
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	a, b := netip.MustParseAddrPort("[2001:db8::1]:49152"), netip.MustParseAddrPort("[2001:db8::2]:21")
	buf := make([]byte, 0, Len)
	if n := testing.AllocsPerRun(100, func() { buf = Append(buf[:0], 0, ProtoTCP, a, b) }); n != 0 {
		t.Errorf("Append allocates %v times", n)
	}
	if len(buf) != Len {
		t.Errorf("length %d, want %d", len(buf), Len)
	}
}

func BenchmarkAppend(b *testing.B) {
	x, y := netip.MustParseAddrPort("192.168.1.10:49691"), netip.MustParseAddrPort("203.0.113.20:21")
	buf := make([]byte, 0, Len)
	for b.Loop() {
		buf = Append(buf[:0], 0, ProtoTCP, x, y)
	}
}
