// Package memlimit keeps a long run's memory under a soft limit.
//
// A live capture keeps bounded state (docs/design.md, "Bounds"), but the Go
// collector lets the heap grow to about twice what it found live, plus what
// was allocated while it ran: over hours of traffic the peak follows the
// collector's worst cycle, not the state, and a one-minute run peaks lower
// than a day. A soft limit (runtime/debug.SetMemoryLimit) makes the
// collector run more often instead of letting the heap grow. When the
// state itself needs more than the limit, the runtime lets memory pass it
// rather than spend more than about half the CPU collecting; Watch says so.
package memlimit

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// DefaultLive is the soft limit of a live capture, in MiB: the live terminal
// UI's rows and a gateway's open connections fit in about half of it.
const DefaultLive = 64

// Set sets the soft memory limit to mib MiB, none when mib is 0. The
// GOMEMLIMIT environment variable, when set, wins: Set then leaves the
// runtime's limit alone. It returns the limit in force, in bytes
// (math.MaxInt64: none).
func Set(mib int) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		return debug.SetMemoryLimit(-1) // a negative value only reads it
	}
	limit := int64(math.MaxInt64)
	if mib > 0 {
		limit = int64(mib) << 20
	}
	debug.SetMemoryLimit(limit)
	return limit
}

// Watch checks every interval, until stop is closed, whether the memory
// the Go runtime holds passed the soft limit, and tells warn the first
// time, in one line. With no limit it returns at once.
func Watch(stop <-chan struct{}, every time.Duration, warn func(string)) {
	limit := debug.SetMemoryLimit(-1)
	if limit == math.MaxInt64 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		if held := Held(); held > uint64(limit) {
			warn(fmt.Sprintf("memory passed its soft limit of %d MiB (%d MiB held): the open sessions need more; --memory-limit raises it",
				limit>>20, held>>20))
			return
		}
	}
}

// Held is the memory the Go runtime holds from the system and has not
// returned: what the soft limit bounds.
func Held() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	total, released := s[0].Value.Uint64(), s[1].Value.Uint64()
	if released > total {
		return 0
	}
	return total - released
}
