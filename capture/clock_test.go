package capture

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

// observe feeds timestamps (offsets from t0) to a clock and returns the
// times it dated them at (offsets from t0) and its verdicts.
func observe(c *Clock, ts ...time.Duration) (at []time.Duration, vs []ClockVerdict) {
	t0 := pcaptest.Start.UnixNano()
	for _, d := range ts {
		a, v := c.Observe(t0 + int64(d))
		at = append(at, time.Duration(a-t0))
		vs = append(vs, v)
	}
	return at, vs
}

func TestClock(t *testing.T) {
	const ms = time.Millisecond
	year := 365 * 24 * time.Hour
	t.Run("one packet a year ahead", func(t *testing.T) {
		var c Clock
		at, vs := observe(&c, 0, ms, year, 2*ms, 3*ms)
		if at[2] != ms || vs[2] != ClockHeld || vs[3] != ClockOn || at[4] != 3*ms || c.Anomalies() != 1 {
			t.Fatalf("dated %v, verdicts %v, %d anomalies", at, vs, c.Anomalies())
		}
	})
	t.Run("one packet a year behind", func(t *testing.T) {
		var c Clock
		at, _ := observe(&c, 0, ms, -year, 2*ms)
		if at[2] != ms || c.Anomalies() != 1 || c.Now() != pcaptest.Start.Add(2*ms).UnixNano() {
			t.Fatalf("dated %v, %d anomalies", at, c.Anomalies())
		}
	})
	t.Run("a real gap is confirmed", func(t *testing.T) {
		var c Clock
		gap := 2 * time.Hour
		at, vs := observe(&c, 0, ms, gap, gap+ms, gap+2*ms, gap+3*ms, gap+4*ms)
		want := []ClockVerdict{ClockOn, ClockOn, ClockHeld, ClockHeld, ClockHeld, ClockMoved, ClockOn}
		for i := range want {
			if vs[i] != want[i] {
				t.Fatalf("verdicts %v, want %v", vs, want)
			}
		}
		if at[2] != ms || at[5] != gap+3*ms || at[6] != gap+4*ms || c.Anomalies() != 0 {
			t.Fatalf("dated %v, %d anomalies", at, c.Anomalies())
		}
	})
	t.Run("files concatenated backwards", func(t *testing.T) {
		var c Clock
		_, vs := observe(&c, 10*time.Hour, 10*time.Hour+ms, 0, ms, 2*ms, 3*ms, 4*ms)
		if vs[5] != ClockMoved || vs[6] != ClockOn || c.Now() != pcaptest.Start.Add(4*ms).UnixNano() {
			t.Fatalf("verdicts %v", vs)
		}
	})
	t.Run("a run on two timelines is no run", func(t *testing.T) {
		var c Clock
		observe(&c, 0, year, 2*year, year+ms, 2*year+ms, ms)
		if c.Anomalies() != 4 {
			t.Fatalf("%d anomalies, want 4", c.Anomalies())
		}
	})
	t.Run("a quiet capture widens the limit", func(t *testing.T) {
		// packets every 30 s: a 6-minute pause is the capture's pace
		var c Clock
		var ts []time.Duration
		for i := 0; i < 20; i++ {
			ts = append(ts, time.Duration(i)*30*time.Second)
		}
		ts = append(ts, ts[len(ts)-1]+6*time.Minute)
		_, vs := observe(&c, ts...)
		if vs[len(vs)-1] != ClockOn {
			t.Fatalf("a 6-minute pause after 30 s ones was held")
		}
	})
	t.Run("a busy capture keeps the minimum", func(t *testing.T) {
		var c Clock
		var ts []time.Duration
		for i := 0; i < 1000; i++ {
			ts = append(ts, time.Duration(i)*ms)
		}
		ts = append(ts, ts[len(ts)-1]+90*time.Second)
		_, vs := observe(&c, ts...)
		if vs[len(vs)-1] != ClockHeld {
			t.Fatalf("a 90 s jump in a capture of a packet a millisecond stood")
		}
	})
	t.Run("a run left at the end", func(t *testing.T) {
		var c Clock
		observe(&c, 0, year, year+ms)
		c.End()
		if c.Anomalies() != 2 || c.Held() != 0 {
			t.Fatalf("%d anomalies, %d held", c.Anomalies(), c.Held())
		}
	})
}

// A packet dated a year ahead in one source does not hold back the rest
// of that source until the other one ends.
func TestMergeKeepsEachSourceClock(t *testing.T) {
	a := pcaptest.New()
	b := pcaptest.New()
	b.Now = b.Now.Add(50 * time.Microsecond)
	ka := a.Conn("192.168.1.10:1", "203.0.113.20:21", 1, 2)
	ka.Open()
	a.Now = a.Now.Add(365 * 24 * time.Hour)
	ka.Packet(true, 2, 3, pcaptest.Flags{ACK: true}, nil)
	a.Now = pcaptest.Start.Add(400 * time.Microsecond)
	ka.Close()
	kb := b.Conn("203.0.113.1:1", "203.0.113.20:21", 1, 2)
	kb.Open()
	kb.Close()
	fa, _ := OpenReader("inside", "a", io.NopCloser(bytes.NewReader(a.Bytes())), 0)
	fb, _ := OpenReader("outside", "b", io.NopCloser(bytes.NewReader(b.Bytes())), 1)
	m := NewMerge([]Source{fa, fb})
	var order []int
	for {
		p, err := m.Next()
		if err != nil {
			break
		}
		order = append(order, p.Source)
	}
	// a's packets at 0, 100, 200 µs, the future one (at a's clock, 200),
	// then 400..600; b's at 50..550
	want := []int{0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0, 1, 0}
	if len(order) != len(want) {
		t.Fatalf("order %v", order)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order %v, want %v", order, want)
		}
	}
}

// A real pause of one source (confirmed by its packets after it) keeps
// their timestamps: the other source's packets of the pause come first.
func TestMergeConfirmedPause(t *testing.T) {
	a := pcaptest.New()
	b := pcaptest.New()
	a.Step, b.Step = time.Minute, time.Minute
	b.Now = b.Now.Add(30 * time.Second)
	ka := a.Conn("192.168.1.10:1", "203.0.113.20:21", 1, 2)
	ka.Open() // 0, 1, 2 min
	a.Now = pcaptest.Start.Add(2 * time.Hour)
	ka.Close() // 2 h, 2 h 1 min, 2 h 2 min: confirmed at the third...
	ka.Packet(true, 3, 3, pcaptest.Flags{ACK: true}, nil)
	kb := b.Conn("203.0.113.1:1", "203.0.113.20:21", 1, 2)
	for i := 0; i < 150; i++ { // every minute through the pause
		kb.Packet(true, 2, 3, pcaptest.Flags{ACK: true}, nil)
	}
	fa, _ := OpenReader("inside", "a", io.NopCloser(bytes.NewReader(a.Bytes())), 0)
	fb, _ := OpenReader("outside", "b", io.NopCloser(bytes.NewReader(b.Bytes())), 1)
	m := NewMerge([]Source{fa, fb})
	var last time.Time
	n := 0
	for {
		p, err := m.Next()
		if err != nil {
			break
		}
		if p.Info.Timestamp.Before(last) {
			t.Fatalf("packet %d of source %d at %v comes after %v", p.Frame, p.Source, p.Info.Timestamp.Sub(pcaptest.Start), last.Sub(pcaptest.Start))
		}
		last = p.Info.Timestamp
		n++
	}
	if n != 7+150 {
		t.Fatalf("%d packets", n)
	}
}

// TestMergeReadAheadBounded: timestamps that jump by hours at every packet
// (a corrupt or forged file) never confirm a new timeline; the merge reads
// that source ahead a bounded number of packets, not the whole file.
func TestMergeReadAheadBounded(t *testing.T) {
	a := pcaptest.New()
	ka := a.Conn("192.168.1.10:1", "203.0.113.20:21", 1, 2)
	ka.Open()
	for i := 0; i < 2000; i++ {
		a.Now = a.Now.Add(3 * time.Hour)
		ka.Packet(true, 2, 3, pcaptest.Flags{ACK: true}, nil)
	}
	b := pcaptest.New()
	kb := b.Conn("203.0.113.1:1", "203.0.113.20:21", 1, 2)
	kb.Open()
	fa, _ := OpenReader("inside", "a", io.NopCloser(bytes.NewReader(a.Bytes())), 0)
	fb, _ := OpenReader("outside", "b", io.NopCloser(bytes.NewReader(b.Bytes())), 1)
	m := NewMerge([]Source{fa, fb})
	most, n := 0, 0
	for {
		if _, err := m.Next(); err != nil {
			break
		}
		n++
		most = max(most, len(m.ahead[0]))
	}
	if n != 2003+3 {
		t.Errorf("%d packets merged, want %d", n, 2003+3)
	}
	if most > maxReadAhead {
		t.Errorf("read %d packets of a source ahead, want at most %d", most, maxReadAhead)
	}
}
