package analysis

import (
	"os"
	"testing"
)

// benchCapture returns the capture file the whole-file benchmarks read,
// $FTPSCOPE_BENCH_PCAP (one that bench/gen/gen.sh made, typically), and
// its size; without one it skips b.
func benchCapture(b *testing.B) (path string, size int64) {
	path = os.Getenv("FTPSCOPE_BENCH_PCAP")
	if path == "" {
		b.Skip("set FTPSCOPE_BENCH_PCAP to a capture file (bench/gen/gen.sh makes them)")
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, st.Size()
}

// BenchCapture is benchCapture for the benchmarks of package analysis_test.
var BenchCapture = benchCapture
