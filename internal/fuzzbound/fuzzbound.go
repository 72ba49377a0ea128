// Package fuzzbound checks, in fuzz targets, that one input costs bounded
// memory: the bytes allocated while handling it, an upper bound of its peak,
// must stay under a limit the target derives from the input's size.
package fuzzbound

import (
	"runtime/metrics"
	"testing"
)

const allocsMetric = "/gc/heap/allocs:bytes"

// Allocated returns the bytes allocated on the heap by the process so far.
func Allocated() uint64 {
	s := []metrics.Sample{{Name: allocsMetric}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// Check fails the test when more than limit bytes were allocated since
// before (a value of Allocated). Other goroutines of the process count
// too: fuzz workers run one input at a time, so there are none to speak of.
func Check(t testing.TB, before, limit uint64) {
	t.Helper()
	if used := Allocated() - before; used > limit {
		t.Fatalf("allocated %d bytes for this input, more than its bound of %d", used, limit)
	}
}
