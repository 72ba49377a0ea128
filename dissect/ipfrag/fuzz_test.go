package ipfrag

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// FuzzReassembler offers fragments of a few datagrams, cut from reference
// bytes (some corrupted), in any order, size and timing, and checks that
// nothing panics, the bounds hold, every fragment is counted once, and a
// datagram made only of clean fragments is the reference's bytes.
func FuzzReassembler(f *testing.F) {
	// two fragments of one datagram, in order; then an overlap; a flood
	f.Add([]byte{0x04, 0, 0, 0x05, 0xc8, 1, 0x00, 0, 0xb9, 0, 0x40, 1})
	f.Add([]byte{0x06, 0, 0, 0, 0x40, 0, 0x06, 0, 7, 0, 0x40, 0, 0x0a, 0, 0, 0, 0x40, 0})
	f.Add(bytes.Repeat([]byte{0x05, 0x10, 0x01, 0x00, 0x40, 0x00}, 40))
	ref := make([]byte, 1<<17)
	for i := range ref {
		ref[i] = byte(i*131 + i>>8)
	}
	f.Fuzz(func(t *testing.T, ops []byte) {
		lim := Limits{Timeout: 30 * time.Second, Memory: 1, PerSource: 3, FragmentsPerDatagram: 8}
		r := New(lim)
		var total Counters
		dirty := map[Key]bool{} // a corrupted fragment was offered since the key's last datagram
		var now int64
		for len(ops) >= 6 {
			op := ops[:6]
			ops = ops[6:]
			flags := op[0]
			k := Key{ID: uint32(flags >> 5), Proto: 6, V6: flags&0x10 != 0}
			k.Src[0] = flags & 0x80
			k.Vantage[0] = int(flags>>3) & 1
			more := flags&1 != 0
			corrupt := flags&2 != 0
			off := int(binary.BigEndian.Uint16(op[1:3])&0x1fff) * 8
			n := int(binary.BigEndian.Uint16(op[3:5]) & 0x7ff)
			now += int64(op[5]) * int64(time.Second) / 8
			data := ref[off : off+n]
			if corrupt && n > 0 {
				data = bytes.Clone(data)
				data[n/2] ^= 0x5a
				dirty[k] = true
			}
			fr := &Fragment{Key: k, Offset: off, More: more, HeaderLen: 20, Data: data, Cut: flags&4 != 0 && flags&2 != 0}
			res := r.Add(fr, now)
			if res.Datagram != nil {
				if len(res.Datagram)+fr.HeaderLen > maxDatagram {
					t.Fatalf("a datagram of %d bytes", len(res.Datagram))
				}
				if !dirty[k] && !bytes.Equal(res.Datagram, ref[:len(res.Datagram)]) {
					t.Fatalf("datagram %v of %d bytes differs from the fragments' bytes", k, len(res.Datagram))
				}
				if off > 0 || more || !k.V6 { // not an atomic fragment, which leaves the pending datagram be
					delete(dirty, k)
				}
			}
			if res.Datagram != nil && res.Dropped != None {
				t.Fatalf("a datagram and a drop: %v", res.Dropped)
			}
			c := r.TakeCounters()
			total.Add(&c)
			if total.Fragments < total.Used+total.DroppedTotal() || total.Held() != uint64(r.HeldFragments()) {
				t.Fatalf("counters %+v, %d held", total, r.HeldFragments())
			}
			if _, mem := r.Pending(); mem > r.lim.Memory || mem < 0 {
				t.Fatalf("%d bytes charged, budget %d", mem, r.lim.Memory)
			}
		}
	})
}
