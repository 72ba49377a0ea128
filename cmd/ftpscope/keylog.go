package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// keyLogEvery is how often a followed key log is read again: a client
// writes its line at the handshake, a moment before its first encrypted
// record reaches the analysis.
const keyLogEvery = 50 * time.Millisecond

// openKeyLog reads the key log of --tls-keylog. Live, it follows the file
// as it grows until the returned stop is called; a file that does not exist
// yet is waited for (the client creates it when it connects). It returns a
// nil key log without the flag.
func openKeyLog(o *options, stderr io.Writer) (*tlsdecrypt.KeyLog, func(), error) {
	if o.tlsKeylog == "" {
		return nil, func() {}, nil
	}
	live := len(o.ifaces) > 0
	keys, err := tlsdecrypt.ReadKeyLog(o.tlsKeylog)
	switch {
	case err != nil && live && errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(stderr, "ftpscope: %s does not exist yet: waiting for it\n", o.tlsKeylog)
		keys = tlsdecrypt.NewKeyLog()
	case err != nil:
		return nil, nil, fmt.Errorf("--tls-keylog: %w", err)
	case keys.Len() == 0 && !live:
		fmt.Fprintf(stderr, "ftpscope: %s holds no key log line (CLIENT_RANDOM or CLIENT_TRAFFIC_SECRET_0 …, as SSLKEYLOGFILE writes): nothing will be decrypted\n", o.tlsKeylog)
	}
	if !live {
		return keys, func() {}, nil
	}
	stop, done := make(chan struct{}), make(chan error, 1)
	go func() { done <- keys.Follow(o.tlsKeylog, keyLogEvery, stop) }()
	// The follower's error is told at the end: standard error belongs to
	// the run meanwhile.
	return keys, func() {
		close(stop)
		if err := <-done; err != nil {
			fmt.Fprintf(stderr, "ftpscope: --tls-keylog: %v: it stopped being followed\n", err)
		}
	}, nil
}
