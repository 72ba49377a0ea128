package fuzzbound

import (
	"fmt"
	"testing"
)

var sink []byte

type recorder struct {
	testing.TB
	failed string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Fatalf(f string, args ...any) { r.failed = fmt.Sprintf(f, args...) }

func TestCheck(t *testing.T) {
	before := Allocated()
	sink = make([]byte, 8<<20)
	if got := Allocated() - before; got < 8<<20 {
		t.Fatalf("8 MiB allocated, Allocated grew by %d", got)
	}
	r := &recorder{TB: t}
	Check(r, before, 1<<20)
	if r.failed == "" {
		t.Error("8 MiB against a bound of 1 MiB passed")
	}
	r = &recorder{TB: t}
	Check(r, before, 64<<20)
	if r.failed != "" {
		t.Errorf("8 MiB against a bound of 64 MiB: %s", r.failed)
	}
}
