package analysis

import (
	"context"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
)

// BenchmarkReadAhead is the reader goroutine's part of the whole job over
// $FTPSCOPE_BENCH_PCAP: records read, decoded and handed over in batches,
// the consumer touching each frame's segment and nothing else. ns/frame
// compares with the decode loop's own cost per packet (bench/decodelimit).
func BenchmarkReadAhead(b *testing.B) {
	path, size := benchCapture(b)
	b.SetBytes(size)
	b.ReportAllocs()
	var frames uint64
	var ports uint64
	for b.Loop() {
		src, err := capture.OpenFile("", path, 0)
		if err != nil {
			b.Fatal(err)
		}
		in := startReadAhead(context.Background(), &reader{src: src, dec: decode.New()})
		frames = 0
		for {
			f, _ := in.next()
			if f == nil {
				break
			}
			frames++
			ports += uint64(f.Segment.SrcPort)
		}
		if res := in.close(); len(res.errs) > 0 {
			b.Fatal(res.errs[0])
		}
		src.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(frames)/float64(b.N), "ns/frame")
	_ = ports
}
