package memlimit

import (
	"math"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

func restoreLimit(t *testing.T) {
	was := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(was) })
}

func TestSet(t *testing.T) {
	restoreLimit(t)
	t.Setenv("GOMEMLIMIT", "")
	if got := Set(48); got != 48<<20 || debug.SetMemoryLimit(-1) != 48<<20 {
		t.Errorf("Set(48) = %d, runtime limit %d", got, debug.SetMemoryLimit(-1))
	}
	if got := Set(0); got != math.MaxInt64 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("Set(0) = %d: want no limit", got)
	}
	// The environment's limit wins: the runtime read it at start, and Set
	// leaves it alone.
	debug.SetMemoryLimit(200 << 20)
	t.Setenv("GOMEMLIMIT", "200MiB")
	if got := Set(48); got != 200<<20 || debug.SetMemoryLimit(-1) != 200<<20 {
		t.Errorf("with GOMEMLIMIT, Set(48) = %d", got)
	}
}

func TestWatchTellsOnce(t *testing.T) {
	restoreLimit(t)
	t.Setenv("GOMEMLIMIT", "")
	Set(1) // below what any Go program holds
	var told []string
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		Watch(stop, time.Millisecond, func(s string) { told = append(told, s) })
	}()
	select {
	case <-done: // it returns once it told
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not tell that the memory passed 1 MiB")
	}
	close(stop)
	if len(told) != 1 || !strings.Contains(told[0], "soft limit of 1 MiB") || !strings.Contains(told[0], "--memory-limit") {
		t.Fatalf("told %q", told)
	}
	if Held() < 1<<20 {
		t.Errorf("Held %d: less than the runtime's own memory", Held())
	}
}

func TestWatchWithoutLimit(t *testing.T) {
	restoreLimit(t)
	t.Setenv("GOMEMLIMIT", "")
	Set(0)
	done := make(chan struct{})
	go func() {
		Watch(make(chan struct{}), time.Millisecond, func(string) { t.Error("told without a limit") })
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch without a limit did not return")
	}
}
