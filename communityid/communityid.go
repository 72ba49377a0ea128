// Package communityid computes the Community ID v1 of a flow, the flow hash
// that Zeek, Suricata, Arkime, Wireshark and the Elastic Common Schema
// (network.community_id) share, so that records of one connection written
// by different monitors join on one string.
//
// The algorithm is corelight/community-id-spec: SHA-1 over the seed, the
// two endpoints ordered so that the numerically smaller address (then port)
// comes first, the IP protocol number and a padding byte, then the ports,
// all in network byte order; the digest in standard base64 after "1:".
package communityid

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"net/netip"
)

// IP protocol numbers of the port-carrying transports.
const (
	ProtoTCP  = 6
	ProtoUDP  = 17
	ProtoSCTP = 132
)

// Len is the length of a Community ID v1 string: "1:" and the 28 base64
// characters of the 20-byte digest.
const Len = 2 + 28

// maxInput is the hash input for IPv6: seed 2, addresses 2×16, protocol
// and padding 2, ports 2×2.
const maxInput = 2 + 16 + 16 + 2 + 4

// Append appends the Community ID v1 of the flow between a and b, in either
// direction, to dst. It appends nothing when the endpoints are not both
// IPv4 or both IPv6 (the spec then leaves the ID empty); IPv4-mapped IPv6
// addresses count as IPv4. It does not allocate when dst has room.
func Append(dst []byte, seed uint16, proto uint8, a, b netip.AddrPort) []byte {
	aa, ba := a.Addr().Unmap(), b.Addr().Unmap()
	if !aa.IsValid() || !ba.IsValid() || aa.Is4() != ba.Is4() {
		return dst
	}
	ap, bp := a.Port(), b.Port()
	// The smaller address goes first; between equal addresses, the ports
	// decide. Both directions of a flow so give one ID.
	if c := aa.Compare(ba); c > 0 || (c == 0 && ap > bp) {
		aa, ba, ap, bp = ba, aa, bp, ap
	}
	var in [maxInput]byte
	binary.BigEndian.PutUint16(in[0:], seed)
	n := 2
	n += putAddr(in[n:], aa)
	n += putAddr(in[n:], ba)
	in[n], in[n+1] = proto, 0
	n += 2
	binary.BigEndian.PutUint16(in[n:], ap)
	binary.BigEndian.PutUint16(in[n+2:], bp)
	n += 4
	sum := sha1.Sum(in[:n])
	dst = append(dst, '1', ':')
	return base64.StdEncoding.AppendEncode(dst, sum[:])
}

// putAddr writes the address in network byte order (4 or 16 bytes) and
// returns its length.
func putAddr(dst []byte, a netip.Addr) int {
	if a.Is4() {
		b := a.As4()
		return copy(dst, b[:])
	}
	b := a.As16()
	return copy(dst, b[:])
}

// TCP returns the Community ID v1 (seed 0) of the TCP connection between a
// and b, or "" when it has none (see Append).
func TCP(a, b netip.AddrPort) string {
	var buf [Len]byte
	return string(Append(buf[:0], 0, ProtoTCP, a, b))
}
