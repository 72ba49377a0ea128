package report

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// appendUint and appendInt write what strconv writes: around every power
// of ten, at the limits, and for random values of every size.
func TestAppendIntMatchesStrconv(t *testing.T) {
	checkU := func(v uint64) {
		if got, want := string(appendUint([]byte("x"), v)), string(strconv.AppendUint([]byte("x"), v, 10)); got != want {
			t.Fatalf("appendUint(%d) = %s, want %s", v, got, want)
		}
	}
	checkI := func(v int64) {
		if got, want := string(appendInt([]byte("x"), v)), string(strconv.AppendInt([]byte("x"), v, 10)); got != want {
			t.Fatalf("appendInt(%d) = %s, want %s", v, got, want)
		}
	}
	for v := uint64(0); v < 100000; v++ {
		checkU(v)
		checkI(int64(v))
		checkI(-int64(v))
	}
	for p := uint64(1); p <= 1e19; p *= 10 {
		for _, v := range []uint64{p - 1, p, p + 1} {
			checkU(v)
			checkI(int64(v))
			checkI(-int64(v))
		}
		if p == 1e19 {
			break
		}
	}
	for _, v := range []uint64{math.MaxUint64, math.MaxUint64 - 1, math.MaxInt64, math.MaxInt64 + 1} {
		checkU(v)
	}
	checkI(math.MaxInt64)
	checkI(math.MinInt64)
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		v := r.Uint64() >> r.IntN(64)
		checkU(v)
		checkI(int64(v))
	}
}
