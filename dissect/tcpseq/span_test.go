package tcpseq

import "testing"

// addAll adds a segment of n captured bytes.
func (s *Span) addAll(seq uint32, n int) (int64, int) {
	got, _, outside := s.Add(seq, n, n)
	return got, outside
}

// ack passes an acknowledgement number as the analyzer does.
func (s *Span) ack(ack uint32) (int64, int) {
	if s.NoteAck(ack) {
		return s.AckRun()
	}
	return 0, 0
}

func TestSeqSpan(t *testing.T) {
	t.Run("retransmission counted once", func(t *testing.T) {
		var s Span
		s.SetSYN(1000)
		s.addAll(1001, 100)
		s.addAll(1001, 100)
		s.addAll(1101, 50)
		if s.Bytes() != 150 {
			t.Fatalf("bytes = %d, want 150", s.Bytes())
		}
	})
	t.Run("wraparound", func(t *testing.T) {
		var s Span
		s.SetSYN(0xffffff00)
		for seq, i := uint32(0xffffff01), 0; i < 10; i, seq = i+1, seq+100 {
			s.addAll(seq, 100)
		}
		if s.Bytes() != 1000 {
			t.Fatalf("bytes = %d, want 1000", s.Bytes())
		}
	})
	t.Run("beyond 4 GiB", func(t *testing.T) {
		var s Span
		s.SetSYN(7)
		var seq uint32 = 8
		var total int64
		for total < 5<<30 {
			s.addAll(seq, 1<<20)
			seq += 1 << 20
			total += 1 << 20
		}
		if s.Bytes() != total || s.Outside() != 0 {
			t.Fatalf("bytes = %d, want %d (%d outside the window)", s.Bytes(), total, s.Outside())
		}
	})
	t.Run("mid-stream with reordering", func(t *testing.T) {
		var s Span
		s.addAll(5000, 100)
		s.addAll(4900, 100) // earlier bytes arrive late
		s.addAll(5100, 100)
		if s.Bytes() != 300 {
			t.Fatalf("bytes = %d, want 300", s.Bytes())
		}
	})
	t.Run("gap counts in the span", func(t *testing.T) {
		var s Span
		s.SetSYN(0)
		s.addAll(1, 10)
		s.addAll(1001, 10)
		if s.Bytes() != 1010 {
			t.Fatalf("bytes = %d, want 1010", s.Bytes())
		}
	})
	t.Run("captured bytes exclude retransmissions and cuts", func(t *testing.T) {
		var s Span
		s.SetSYN(0)
		var got int64
		for _, seg := range []struct {
			seq       uint32
			n, have   int
			wantFresh int64
		}{{1, 100, 100, 100}, {1, 100, 100, 0}, {101, 100, 40, 40}, {151, 100, 100, 50}} {
			fresh, _, _ := s.Add(seg.seq, seg.n, seg.have)
			if fresh != seg.wantFresh {
				t.Errorf("segment %d+%d: %d captured bytes added, want %d", seg.seq, seg.n, fresh, seg.wantFresh)
			}
			got += fresh
		}
		if got != 190 || s.Bytes() != 250 {
			t.Fatalf("captured %d, bytes %d; want 190, 250", got, s.Bytes())
		}
	})
}

// TestSeqWindow: segments far from the bytes seen are not counted, unless
// a run of them confirms that the capture lost a stretch of the stream.
func TestSeqWindow(t *testing.T) {
	t.Run("jumps of 2 GiB", func(t *testing.T) {
		var s Span
		s.SetSYN(1000)
		const jump = 0x7fea0000 // 2 GiB less 1.4 MiB: each one reads as forward
		outside := 0
		for i := uint32(0); i < 4; i++ {
			_, o := s.addAll(1001+i*jump, 3)
			outside += o
		}
		if s.Bytes() != 3 || s.Outside() != 3 || outside != 3 {
			t.Fatalf("bytes %d, outside %d (reported %d); want 3, 3", s.Bytes(), s.Outside(), outside)
		}
	})
	t.Run("far behind the SYN", func(t *testing.T) {
		var s Span
		s.SetSYN(1 << 30)
		s.addAll(1<<30+1, 100)
		s.addAll(1<<29, 100)
		if s.Bytes() != 100 || s.Outside() != 1 {
			t.Fatalf("bytes %d, outside %d", s.Bytes(), s.Outside())
		}
	})
	t.Run("mid-stream, far behind", func(t *testing.T) {
		var s Span
		s.addAll(5000, 100)
		s.addAll(5000-(2<<20)+1<<32, 100)
		if s.Bytes() != 100 || s.Outside() != 1 {
			t.Fatalf("bytes %d, outside %d", s.Bytes(), s.Outside())
		}
	})
	t.Run("capture loss of 5 MiB resyncs", func(t *testing.T) {
		var s Span
		s.SetSYN(0)
		seq := uint32(1)
		var captured int64
		for i := 0; i < 10; i++ {
			got, _ := s.addAll(seq, 1448)
			captured += got
			seq += 1448
		}
		seq += 5 << 20 // lost by the capture
		outside := 0
		for i := 0; i < 10; i++ {
			got, o := s.addAll(seq, 1448)
			captured += got
			outside += o
			seq += 1448
			if i == seqResync-2 && s.Outside() != seqResync-1 {
				t.Fatalf("after %d segments of the run, %d outside", i+1, s.Outside())
			}
		}
		if want := int64(20*1448 + 5<<20); s.Bytes() != want || s.Outside() != 0 || outside != 0 || captured != 20*1448 {
			t.Fatalf("bytes %d (want %d), outside %d (reported %+d), captured %d", s.Bytes(), want, s.Outside(), outside, captured)
		}
	})
	t.Run("an acknowledgement confirms a jump", func(t *testing.T) {
		// a capture thinned to a few segments, hundreds of MiB apart, each
		// acknowledged by the receiver (Zeek's bigtransfer.pcap)
		var s Span
		s.SetSYN(0)
		s.addAll(1, 1000)
		s.ack(1001)
		far := uint32(1 + 300<<20)
		if _, o := s.addAll(far, 1000); o != 1 {
			t.Fatalf("a jump of 300 MiB is in the window")
		}
		if got, o := s.ack(far); got != 1000 || o != -1 {
			t.Fatalf("the acknowledgement brought back %d bytes, outside %+d", got, o)
		}
		s.ack(far + 1000 + 200<<20) // acknowledged before the capture sees the segment
		s.addAll(far+1000+200<<20, 1000)
		if want := int64(500<<20 + 2000); s.Bytes() != want || s.Outside() != 0 {
			t.Fatalf("bytes %d (want %d), outside %d", s.Bytes(), want, s.Outside())
		}
	})
	t.Run("repeated forged segment is no run", func(t *testing.T) {
		var s Span
		s.SetSYN(0)
		s.addAll(1, 100)
		for i := 0; i < 10; i++ {
			s.addAll(1<<30, 100)
		}
		if s.Bytes() != 100 || s.Outside() != 10 {
			t.Fatalf("bytes %d, outside %d", s.Bytes(), s.Outside())
		}
	})
	t.Run("an in-window segment breaks a run", func(t *testing.T) {
		var s Span
		s.SetSYN(0)
		s.addAll(1, 100)
		far := uint32(1 << 30)
		for i := 0; i < 3*seqResync; i++ {
			s.addAll(far, 100)
			far += 100
			if i%(seqResync-1) == seqResync-2 {
				s.addAll(101, 1) // the real stream goes on between
			}
		}
		if s.Bytes() != 101 || s.Outside() != 3*seqResync {
			t.Fatalf("bytes %d, outside %d", s.Bytes(), s.Outside())
		}
	})
	t.Run("window grows with the segments", func(t *testing.T) {
		var s Span
		s.SetSYN(0)
		s.addAll(1, 400<<10) // a 400 KiB GRO segment: window 1.6 MiB
		s.addAll(1+(400<<10)+(1500<<10), 10)
		if s.Outside() != 0 {
			t.Fatalf("a 1.5 MiB hole after 400 KiB segments is outside the window")
		}
	})
}
