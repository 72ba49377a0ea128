package dissect

import "testing"

func TestSeqSpan(t *testing.T) {
	t.Run("retransmission counted once", func(t *testing.T) {
		var s seqSpan
		s.setSYN(1000)
		s.add(1001, 100)
		s.add(1001, 100)
		s.add(1101, 50)
		if s.bytes() != 150 {
			t.Fatalf("bytes = %d, want 150", s.bytes())
		}
	})
	t.Run("wraparound", func(t *testing.T) {
		var s seqSpan
		s.setSYN(0xffffff00)
		for seq, i := uint32(0xffffff01), 0; i < 10; i, seq = i+1, seq+100 {
			s.add(seq, 100)
		}
		if s.bytes() != 1000 {
			t.Fatalf("bytes = %d, want 1000", s.bytes())
		}
	})
	t.Run("beyond 4 GiB", func(t *testing.T) {
		var s seqSpan
		s.setSYN(7)
		var seq uint32 = 8
		var total int64
		for total < 5<<30 {
			s.add(seq, 1<<20)
			seq += 1 << 20
			total += 1 << 20
		}
		if s.bytes() != total {
			t.Fatalf("bytes = %d, want %d", s.bytes(), total)
		}
	})
	t.Run("mid-stream with reordering", func(t *testing.T) {
		var s seqSpan
		s.add(5000, 100)
		s.add(4900, 100) // earlier bytes arrive late
		s.add(5100, 100)
		if s.bytes() != 300 {
			t.Fatalf("bytes = %d, want 300", s.bytes())
		}
	})
	t.Run("gap counts in the span", func(t *testing.T) {
		var s seqSpan
		s.setSYN(0)
		s.add(1, 10)
		s.add(1001, 10)
		if s.bytes() != 1010 {
			t.Fatalf("bytes = %d, want 1010", s.bytes())
		}
	})
}
