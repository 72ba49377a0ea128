// Package tlsdecrypt decrypts TLS 1.2 and 1.3 connections seen on the wire
// with the secrets of an NSS key log (what SSLKEYLOGFILE makes curl, lftp,
// Python and OpenSSL write, and what Wireshark's tls.keylog_file reads), so
// that FTPS control and data connections can be read like cleartext FTP.
//
// It is passive: it never talks to anyone, it only needs the bytes of each
// direction in order. Nothing here runs for connections that carry no TLS.
package tlsdecrypt

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// The labels of the NSS key log format that decryption uses
// (https://firefox-source-docs.mozilla.org/security/nss/legacy/key_log_format/).
const (
	labelTLS12      = "CLIENT_RANDOM"
	labelClientHS   = "CLIENT_HANDSHAKE_TRAFFIC_SECRET"
	labelServerHS   = "SERVER_HANDSHAKE_TRAFFIC_SECRET"
	labelClientApp0 = "CLIENT_TRAFFIC_SECRET_0"
	labelServerApp0 = "SERVER_TRAFFIC_SECRET_0"
)

// maxKeyLogEntries bounds what a key log may make us keep: a client that
// logs for days writes a line pair per connection.
const maxKeyLogEntries = 1 << 20

// KeyLog holds the secrets of a key log, keyed by the ClientHello random.
// It is safe for concurrent use: live, a follower adds keys while the
// analysis reads them.
type KeyLog struct {
	mu      sync.RWMutex
	secrets map[keyLogKey][]byte
	order   []keyLogKey // oldest first, to forget beyond the bound
	bad     int
	// refresh asks a running Follow to read the file now; following says
	// one runs.
	refresh   chan chan struct{}
	following atomic.Bool
}

// refreshWait bounds how long Refresh waits for the follower.
const refreshWait = 200 * time.Millisecond

type keyLogKey struct {
	label  string
	random [32]byte
}

// NewKeyLog returns an empty key log.
func NewKeyLog() *KeyLog {
	return &KeyLog{secrets: map[keyLogKey][]byte{}, refresh: make(chan chan struct{})}
}

// Refresh makes a running Follow read what the file holds now, and waits
// for it (a fraction of a second at most): a connection whose records lack
// their keys asks before concluding that the key log has none. Without a
// follower it returns at once.
func (k *KeyLog) Refresh() {
	if k == nil || !k.following.Load() {
		return
	}
	done := make(chan struct{})
	timeout := time.NewTimer(refreshWait)
	defer timeout.Stop()
	select {
	case k.refresh <- done:
	case <-timeout.C:
		return
	}
	select {
	case <-done:
	case <-timeout.C:
	}
}

// ReadKeyLog reads a whole key log file.
func ReadKeyLog(path string) (*KeyLog, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	k := NewKeyLog()
	if err := k.Read(f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// Read adds the lines of r. Lines that are not key log lines (comments,
// labels this package does not use, garbage) are skipped and counted.
func (k *KeyLog) Read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 64<<10)
	for sc.Scan() {
		k.AddLine(sc.Bytes())
	}
	return sc.Err()
}

// AddLine adds one line: "LABEL <client random hex> <secret hex>".
func (k *KeyLog) AddLine(line []byte) bool {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] == '#' {
		return false
	}
	f := bytes.Fields(line)
	if len(f) != 3 || hex.DecodedLen(len(f[1])) != 32 {
		k.skipped()
		return false
	}
	var key keyLogKey
	key.label = string(f[0])
	switch key.label {
	case labelTLS12, labelClientHS, labelServerHS, labelClientApp0, labelServerApp0:
	default:
		return false
	}
	if _, err := hex.Decode(key.random[:], f[1]); err != nil {
		k.skipped()
		return false
	}
	secret := make([]byte, hex.DecodedLen(len(f[2])))
	if _, err := hex.Decode(secret, f[2]); err != nil || len(secret) < 32 || len(secret) > 64 {
		k.skipped()
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.secrets[key]; !ok {
		k.order = append(k.order, key)
		if len(k.order) > maxKeyLogEntries {
			delete(k.secrets, k.order[0])
			k.order = k.order[1:]
		}
	}
	k.secrets[key] = secret
	return true
}

// skipped counts a malformed line.
func (k *KeyLog) skipped() {
	k.mu.Lock()
	k.bad++
	k.mu.Unlock()
}

// secret returns the secret logged under label for a ClientHello random.
func (k *KeyLog) secret(label string, random []byte) []byte {
	if k == nil || len(random) != 32 {
		return nil
	}
	var key keyLogKey
	key.label = label
	copy(key.random[:], random)
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.secrets[key]
}

// Len returns how many secrets are held.
func (k *KeyLog) Len() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return len(k.secrets)
}

// Skipped returns how many lines were malformed.
func (k *KeyLog) Skipped() int {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.bad
}

// Follow reads path as it grows, as tail -F does, until stop is closed:
// a client connecting now writes its keys a moment before its first
// encrypted record reaches the analysis. A file replaced or truncated is
// read again from its start. Errors other than a missing file end it.
func (k *KeyLog) Follow(path string, every time.Duration, stop <-chan struct{}) error {
	if every <= 0 {
		every = 100 * time.Millisecond
	}
	var (
		f       *os.File
		partial []byte
		off     int64
		buf     = make([]byte, 32<<10)
	)
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	t := time.NewTicker(every)
	defer t.Stop()
	k.following.Store(true)
	defer k.following.Store(false)
	var asked chan struct{} // a Refresh waiting for this read
	for {
		if f == nil {
			var err error
			if f, err = os.Open(path); err != nil && !os.IsNotExist(err) {
				return err
			}
			off, partial = 0, partial[:0]
		}
		if f != nil {
			if st, err := f.Stat(); err == nil && st.Size() < off {
				// truncated: start over
				if _, err := f.Seek(0, io.SeekStart); err != nil {
					return err
				}
				off, partial = 0, partial[:0]
			}
			for {
				n, err := f.Read(buf)
				off += int64(n)
				partial = append(partial, buf[:n]...)
				for {
					i := bytes.IndexByte(partial, '\n')
					if i < 0 {
						break
					}
					k.AddLine(partial[:i])
					partial = partial[i+1:]
				}
				if len(partial) > 64<<10 {
					partial = partial[:0] // no key log line is that long
				}
				if err != nil || n == 0 {
					break
				}
			}
			if st, err := os.Stat(path); err == nil {
				if fst, err2 := f.Stat(); err2 == nil && !os.SameFile(st, fst) {
					f.Close()
					f = nil // replaced: reopen
					continue
				}
			}
		}
		if asked != nil {
			close(asked)
			asked = nil
		}
		select {
		case <-stop:
			return nil
		case <-t.C:
		case asked = <-k.refresh:
		}
	}
}
