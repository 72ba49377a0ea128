package dissect

import "encoding/binary"

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
