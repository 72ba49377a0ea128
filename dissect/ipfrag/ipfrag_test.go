package ipfrag

import (
	"bytes"
	"testing"
	"time"
)

const sec = int64(time.Second)

func key(v6 bool, src byte, id uint32) Key {
	k := Key{ID: id, Proto: 6, V6: v6}
	k.Src[0], k.Src[3] = 192, src
	k.Dst[0], k.Dst[3] = 198, 20
	return k
}

// datagramBytes is a recognisable payload of n bytes.
func datagramBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/256)
	}
	return b
}

func frag(k Key, whole []byte, off, end int, more bool) *Fragment {
	return &Fragment{Key: k, Offset: off, More: more, HeaderLen: 20, Data: whole[off:end]}
}

// checkCounts asserts that every fragment offered is accounted for once.
func checkCounts(t *testing.T, r *Reassembler, total *Counters) {
	t.Helper()
	c := r.TakeCounters()
	total.Add(&c)
	if held := uint64(r.HeldFragments()); total.Held() != held {
		t.Fatalf("counters %+v: %d held by the counts, %d in fact", *total, total.Held(), held)
	}
	if _, mem := r.Pending(); mem > r.lim.Memory || mem < 0 {
		t.Fatalf("%d bytes charged, budget %d", mem, r.lim.Memory)
	}
}

func TestInOrderAndOutOfOrder(t *testing.T) {
	whole := datagramBytes(3000)
	for _, v6 := range []bool{false, true} {
		for name, order := range map[string][]int{"in order": {0, 1, 2}, "reversed": {2, 1, 0}, "middle last": {0, 2, 1}} {
			r := New(DefaultLimits())
			var total Counters
			k := key(v6, 1, 0x1c46)
			bounds := [][2]int{{0, 1480}, {1480, 2960}, {2960, 3000}}
			var got []byte
			for i, n := range order {
				res := r.Add(frag(k, whole, bounds[n][0], bounds[n][1], n < 2), int64(i)*sec/1000)
				if res.Dropped != None {
					t.Fatalf("v6 %v %s: fragment %d dropped: %v", v6, name, n, res.Dropped)
				}
				if (res.Datagram != nil) != (i == 2) {
					t.Fatalf("v6 %v %s: fragment %d of 3 gave a datagram: %v", v6, name, i+1, res.Datagram != nil)
				}
				got = res.Datagram
				checkCounts(t, r, &total)
			}
			if !bytes.Equal(got, whole) {
				t.Errorf("v6 %v %s: reassembled %d bytes, not the datagram", v6, name, len(got))
			}
			if total.Reassembled != 1 || total.Used != 3 {
				t.Errorf("v6 %v %s: counters %+v", v6, name, total)
			}
			if n, mem := r.Pending(); n != 0 || mem != 0 {
				t.Errorf("v6 %v %s: %d datagrams and %d bytes left", v6, name, n, mem)
			}
		}
	}
}

func TestDuplicateFragmentIsDroppedNotFatal(t *testing.T) {
	whole := datagramBytes(100)
	for _, v6 := range []bool{false, true} {
		r := New(DefaultLimits())
		var total Counters
		k := key(v6, 1, 7)
		r.Add(frag(k, whole, 0, 48, true), 0)
		if res := r.Add(frag(k, whole, 0, 48, true), 1); res.Dropped != Duplicate || res.Discarded {
			t.Fatalf("v6 %v: duplicate gave %+v", v6, res)
		}
		res := r.Add(frag(k, whole, 48, 100, false), 2)
		if !bytes.Equal(res.Datagram, whole) {
			t.Fatalf("v6 %v: no datagram after a duplicate: %+v", v6, res)
		}
		checkCounts(t, r, &total)
		if total.Dropped[Duplicate] != 1 || total.Used != 2 {
			t.Errorf("v6 %v: counters %+v", v6, total)
		}
	}
}

func TestOverlapIPv6IsFatal(t *testing.T) {
	// RFC 5722: any overlap discards the datagram, even with the same bytes.
	whole := datagramBytes(200)
	r := New(DefaultLimits())
	var total Counters
	k := key(true, 1, 9)
	r.Add(frag(k, whole, 0, 64, true), 0)
	res := r.Add(frag(k, whole, 56, 120, true), 1)
	if res.Dropped != Overlap || !res.Discarded {
		t.Fatalf("overlap gave %+v", res)
	}
	// the fragments still to come are dropped too
	if res := r.Add(frag(k, whole, 120, 200, false), 2); res.Dropped != Overlap || res.Discarded || res.Datagram != nil {
		t.Fatalf("fragment after the overlap gave %+v", res)
	}
	checkCounts(t, r, &total)
	if total.Dropped[Overlap] != 3 || total.Reassembled != 0 {
		t.Errorf("counters %+v", total)
	}
}

func TestOverlapIPv4(t *testing.T) {
	whole := datagramBytes(200)
	t.Run("agreeing bytes kept once", func(t *testing.T) {
		r := New(DefaultLimits())
		var total Counters
		k := key(false, 1, 9)
		r.Add(frag(k, whole, 0, 64, true), 0)
		r.Add(frag(k, whole, 128, 200, false), 0)
		// overlaps both and fills the hole between them
		res := r.Add(frag(k, whole, 56, 136, true), 0)
		if !bytes.Equal(res.Datagram, whole) {
			t.Fatalf("gave %+v", res)
		}
		checkCounts(t, r, &total)
	})
	t.Run("differing bytes discard", func(t *testing.T) {
		r := New(DefaultLimits())
		var total Counters
		k := key(false, 1, 9)
		r.Add(frag(k, whole, 0, 64, true), 0)
		forged := bytes.Clone(whole)
		forged[60] ^= 0xff
		res := r.Add(frag(k, forged, 56, 120, true), 0)
		if res.Dropped != Overlap || !res.Discarded {
			t.Fatalf("gave %+v", res)
		}
		if res := r.Add(frag(k, whole, 64, 200, false), 0); res.Datagram != nil || res.Dropped != Overlap {
			t.Fatalf("the rest of the discarded datagram gave %+v", res)
		}
		checkCounts(t, r, &total)
		if total.Dropped[Overlap] != 3 {
			t.Errorf("counters %+v", total)
		}
	})
	t.Run("same range other bytes", func(t *testing.T) {
		r := New(DefaultLimits())
		k := key(false, 1, 9)
		r.Add(frag(k, whole, 0, 64, true), 0)
		forged := bytes.Clone(whole)
		forged[0] = 'X'
		if res := r.Add(frag(k, forged, 0, 64, true), 0); res.Dropped != Overlap {
			t.Fatalf("gave %+v", res)
		}
	})
}

func TestTooLarge(t *testing.T) {
	r := New(DefaultLimits())
	var total Counters
	k := key(false, 1, 1)
	big := make([]byte, 65536)
	r.Add(&Fragment{Key: k, Offset: 0, More: true, HeaderLen: 20, Data: big[:1480]}, 0)
	// 20 + 65512 + 8 = 65540 > 65535
	res := r.Add(&Fragment{Key: k, Offset: 65512, More: false, HeaderLen: 20, Data: big[:8]}, 0)
	if res.Dropped != TooLarge || !res.Discarded {
		t.Fatalf("gave %+v", res)
	}
	checkCounts(t, r, &total)
	if total.Dropped[TooLarge] != 2 {
		t.Errorf("counters %+v", total)
	}
	// The largest legal datagram is reassembled.
	k.ID = 2
	whole := datagramBytes(65535 - 20)
	for off := 0; off < len(whole); off += 1480 {
		end := min(off+1480, len(whole))
		res = r.Add(frag(k, whole, off, end, end < len(whole)), 0)
	}
	if !bytes.Equal(res.Datagram, whole) {
		t.Fatalf("65535-byte datagram: %+v", res.Dropped)
	}
}

func TestMalformed(t *testing.T) {
	whole := datagramBytes(300)
	r := New(DefaultLimits())
	var total Counters
	k := key(false, 1, 1)
	if res := r.Add(frag(k, whole, 0, 100, true), 0); res.Dropped != Malformed || res.Discarded {
		t.Fatalf("non-last fragment of 100 bytes: %+v", res)
	}
	r.Add(frag(k, whole, 0, 48, true), 0)
	r.Add(frag(k, whole, 96, 200, false), 0)
	if res := r.Add(frag(k, whole, 96, 300, false), 0); res.Dropped != Malformed || !res.Discarded {
		t.Fatalf("a second end: %+v", res)
	}
	checkCounts(t, r, &total)
	k.ID = 2
	r.Add(frag(k, whole, 96, 200, false), 0)
	if res := r.Add(frag(k, whole, 192, 208, true), 0); res.Dropped != Malformed {
		t.Fatalf("bytes past the end: %+v", res)
	}
	checkCounts(t, r, &total)
}

func TestTimeoutInCaptureTime(t *testing.T) {
	whole := datagramBytes(100)
	r := New(DefaultLimits())
	var total Counters
	k := key(false, 1, 1)
	r.Add(frag(k, whole, 0, 48, true), 10*sec)
	// 29 s later the datagram still completes
	if res := r.Add(frag(k, whole, 48, 100, false), 39*sec); res.Datagram == nil {
		t.Fatalf("completed within the timeout: %+v", res)
	}
	k.ID = 2
	r.Add(frag(k, whole, 0, 48, true), 40*sec)
	if res := r.Add(frag(k, whole, 48, 100, false), 71*sec); res.Datagram != nil {
		t.Fatal("completed after the timeout")
	}
	checkCounts(t, r, &total)
	if total.Dropped[Timeout] != 1 || total.Held() != 1 {
		t.Errorf("counters %+v", total)
	}
}

func TestPerSourceBound(t *testing.T) {
	whole := datagramBytes(100)
	lim := DefaultLimits()
	r := New(lim)
	var total Counters
	for id := range uint32(lim.PerSource + 10) {
		r.Add(frag(key(false, 1, id), whole, 0, 48, true), 0)
	}
	checkCounts(t, r, &total)
	if total.Dropped[PerSource] != 10 {
		t.Errorf("counters %+v", total)
	}
	// another source is not refused
	if res := r.Add(frag(key(false, 2, 0), whole, 0, 48, true), 0); res.Dropped != None {
		t.Errorf("another source: %+v", res)
	}
	// nor another vantage of the same source
	k := key(false, 1, 0)
	k.Vantage[0] = 1
	if res := r.Add(frag(k, whole, 0, 48, true), 0); res.Dropped != None {
		t.Errorf("another vantage: %+v", res)
	}
}

func TestVantagesReassembleApart(t *testing.T) {
	whole := datagramBytes(100)
	r := New(DefaultLimits())
	a, b := key(false, 1, 1), key(false, 1, 1)
	b.Vantage = [3]int{1, 0, -1}
	r.Add(frag(a, whole, 0, 48, true), 0)
	if res := r.Add(frag(b, whole, 0, 48, true), 0); res.Dropped != None {
		t.Fatalf("the other vantage's copy: %+v", res)
	}
	if res := r.Add(frag(a, whole, 48, 100, false), 0); res.Datagram == nil {
		t.Fatal("vantage a incomplete")
	}
	if res := r.Add(frag(b, whole, 48, 100, false), 0); res.Datagram == nil {
		t.Fatal("vantage b incomplete")
	}
}

func TestMemoryBound(t *testing.T) {
	lim := DefaultLimits()
	lim.Memory = 1 << 20
	r := New(lim)
	var total Counters
	data := make([]byte, 1480)
	// a flood of first fragments from many sources, never completed
	for i := range 5000 {
		k := key(false, byte(i), uint32(i))
		k.Src[2] = byte(i >> 8)
		r.Add(&Fragment{Key: k, More: true, HeaderLen: 20, Data: data}, int64(i))
		if _, mem := r.Pending(); mem > lim.Memory {
			t.Fatalf("fragment %d: %d bytes held, budget %d", i, mem, lim.Memory)
		}
	}
	checkCounts(t, r, &total)
	if total.Dropped[Memory] == 0 || total.Held() == 0 {
		t.Fatalf("counters %+v", total)
	}
	// a datagram whose fragments come together still goes through
	whole := datagramBytes(3000)
	k := key(false, 250, 99)
	r.Add(frag(k, whole, 0, 1480, true), 6000)
	r.Add(frag(k, whole, 1480, 2960, true), 6000)
	if res := r.Add(frag(k, whole, 2960, 3000, false), 6000); !bytes.Equal(res.Datagram, whole) {
		t.Fatalf("datagram during the flood: %+v", res.Dropped)
	}
	checkCounts(t, r, &total)
}

func TestTooManyFragments(t *testing.T) {
	lim := DefaultLimits()
	lim.FragmentsPerDatagram = 4
	r := New(lim)
	var total Counters
	whole := datagramBytes(100)
	k := key(false, 1, 1)
	var res Result
	for off := 0; off < 80; off += 16 {
		res = r.Add(frag(k, whole, off, off+16, true), 0)
	}
	if res.Dropped != TooMany || !res.Discarded {
		t.Fatalf("fifth fragment: %+v", res)
	}
	checkCounts(t, r, &total)
	if total.Dropped[TooMany] != 5 {
		t.Errorf("counters %+v", total)
	}
}

func TestTruncatedAndAtomic(t *testing.T) {
	r := New(DefaultLimits())
	var total Counters
	whole := datagramBytes(100)
	k := key(false, 1, 1)
	f := frag(k, whole, 0, 48, true)
	f.Cut = true
	if res := r.Add(f, 0); res.Dropped != Truncated {
		t.Fatalf("cut fragment: %+v", res)
	}
	k6 := key(true, 1, 1)
	if res := r.Add(frag(k6, whole, 0, 100, false), 0); !bytes.Equal(res.Datagram, whole) {
		t.Fatalf("atomic fragment: %+v", res)
	}
	checkCounts(t, r, &total)
	if n, _ := r.Pending(); n != 0 {
		t.Errorf("%d datagrams pending", n)
	}
}

func TestKeyString(t *testing.T) {
	if got := key(false, 1, 0x1c46).String(); got != "192.0.0.1 > 198.0.0.20 id 0x1c46 proto 6" {
		t.Errorf("IPv4 key %q", got)
	}
	k := key(true, 1, 5)
	if got := k.String(); got != "c000:1:: > c600:14:: id 0x5 proto 6" {
		t.Errorf("IPv6 key %q", got)
	}
}
