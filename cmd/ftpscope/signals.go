package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// interruption is the cause of the run's context when a signal stopped it.
type interruption struct{ sig syscall.Signal }

func (i interruption) Error() string { return "interrupted by " + i.sig.String() }

// exitCode is the shell's status for a process a signal ended: 128+signo
// (130 for SIGINT, 143 for SIGTERM).
func (i interruption) exitCode() int { return 128 + int(i.sig) }

// interruptedBy returns the signal that stopped the run, if one did.
func interruptedBy(ctx context.Context) (interruption, bool) {
	var i interruption
	ok := errors.As(context.Cause(ctx), &i)
	return i, ok
}

// signalContext is done on the first SIGINT or SIGTERM, which stops the
// run cleanly (the report of what was read is still written). The handler
// is then removed: a second Ctrl-C ends the process at once, a way out of
// a read that nothing else interrupts (a pipe whose writer stalls).
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			sig, _ := s.(syscall.Signal)
			cancel(interruption{sig})
		case <-done:
		}
	}()
	return ctx, func() {
		close(done)
		signal.Stop(ch)
		cancel(nil)
	}
}
