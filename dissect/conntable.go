package dissect

import (
	"encoding/binary"

	"github.com/ftpscope/ftpscope/dissect/decode"
)

// connTable finds a connection by its key. IPv4 connections, nearly all
// of them in most captures, are kept by a key of 16 bytes, which hashes
// and compares in a third of the time of the 44-byte key IPv6 needs.
type connTable struct {
	v4 map[flowKey4]*conn
	v6 map[flowKey]*conn
}

// flowKey4 is a flowKey of IPv4 endpoints, packed.
type flowKey4 struct {
	vantage uint32
	a, b    uint32
	ap, bp  uint16
}

func newConnTable() connTable {
	return connTable{v4: map[flowKey4]*conn{}, v6: map[flowKey]*conn{}}
}

func (k *flowKey) packed() flowKey4 {
	return flowKey4{vantage: k.vantage, a: binary.BigEndian.Uint32(k.a[:4]), b: binary.BigEndian.Uint32(k.b[:4]), ap: k.ap, bp: k.bp}
}

// keyOf4 is keyOf for an IPv4 segment, packed: the same key without
// building the 44-byte one first.
func keyOf4(v uint32, s *decode.Segment) (flowKey4, bool) {
	src, dst := binary.BigEndian.Uint32(s.Src[:4]), binary.BigEndian.Uint32(s.Dst[:4])
	if src < dst || (src == dst && s.SrcPort <= s.DstPort) {
		return flowKey4{vantage: v, a: src, b: dst, ap: s.SrcPort, bp: s.DstPort}, true
	}
	return flowKey4{vantage: v, a: dst, b: src, ap: s.DstPort, bp: s.SrcPort}, false
}

// lookup returns the connection of s at vantage v, nil if none, and
// whether s travels from its key's a side. last, the connection of the
// previous packet, is tried first: segments come in runs, and a key
// comparison is cheaper than the map.
func (t *connTable) lookup(v uint32, s *decode.Segment, last *conn) (*conn, bool) {
	if !s.V6 {
		k, fromA := keyOf4(v, s)
		if last != nil && !last.key.v6 && last.key.packed() == k {
			return last, fromA
		}
		return t.v4[k], fromA
	}
	k, fromA := keyOf(v, s)
	if last != nil && last.key == k {
		return last, fromA
	}
	return t.v6[k], fromA
}

func (t *connTable) get(k *flowKey) *conn {
	if k.v6 {
		return t.v6[*k]
	}
	return t.v4[k.packed()]
}

func (t *connTable) put(k *flowKey, c *conn) {
	if k.v6 {
		t.v6[*k] = c
	} else {
		t.v4[k.packed()] = c
	}
}

func (t *connTable) del(k *flowKey) {
	if k.v6 {
		delete(t.v6, *k)
	} else {
		delete(t.v4, k.packed())
	}
}

func (t *connTable) len() int { return len(t.v4) + len(t.v6) }

// each calls f for every connection, IPv4 first, in no order.
func (t *connTable) each(f func(*conn)) {
	for _, c := range t.v4 {
		f(c)
	}
	for _, c := range t.v6 {
		f(c)
	}
}
