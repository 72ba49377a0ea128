package dissect

import "encoding/binary"

// connTable finds a connection by its key. IPv4 connections, nearly all
// of them in most captures, are kept by a key of 16 bytes, which hashes
// and compares in a third of the time of the 44-byte key IPv6 needs.
//
// The IPv4 connection found last is kept beside the map: packets come in
// bursts of one connection (a data transfer's segments, a reply and its
// ACK), and most find their connection without hashing.
type connTable struct {
	v4 map[flowKey4]*conn
	v6 map[flowKey]*conn

	lastKey  flowKey4
	lastConn *conn // nil when nothing is cached
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

func (t *connTable) get(k *flowKey) *conn {
	if k.v6 {
		return t.v6[*k]
	}
	pk := k.packed()
	if t.lastConn != nil && pk == t.lastKey {
		return t.lastConn
	}
	c := t.v4[pk]
	if c != nil {
		t.lastKey, t.lastConn = pk, c
	}
	return c
}

func (t *connTable) put(k *flowKey, c *conn) {
	if k.v6 {
		t.v6[*k] = c
	} else {
		pk := k.packed()
		t.v4[pk] = c
		t.lastKey, t.lastConn = pk, c
	}
}

func (t *connTable) del(k *flowKey) {
	if k.v6 {
		delete(t.v6, *k)
	} else {
		pk := k.packed()
		delete(t.v4, pk)
		if pk == t.lastKey {
			t.lastConn = nil
		}
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
