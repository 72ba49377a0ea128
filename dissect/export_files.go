package dissect

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// File export (--export DIR): the payload of every data connection is
// written into DIR as it is captured, at its offset in sequence space, so
// retransmissions and reordering need no buffering. When the channel
// concludes the file gets its final name, from the transfer command's
// argument, and its SHA-256. Nothing is ever written outside DIR: names are
// reduced to a base name without separators or dot-dot, created with
// O_EXCL, and checked to sit in DIR.

// exportFile is the file of one data channel.
type exportFile struct {
	f       *os.File
	tmp     string
	dir     int   // the direction that carries the data, once seen
	written int64 // highest offset written
	holes   bool  // bytes missing (capture loss or snapshot length)
	err     error
	final   string // path relative to the export directory
	sum     string
	plain   bool // decrypted file bytes, not the connection's payload
}

// startExport opens the temporary file of a channel's data connection.
func (a *Analyzer) startExport(ch *channel) {
	if a.cfg.ExportDir == "" || ch.export != nil {
		return
	}
	x := &exportFile{dir: -1}
	x.f, x.err = os.CreateTemp(a.cfg.ExportDir, ".ftpscope-*.part")
	if x.err == nil {
		x.tmp = x.f.Name()
		x.err = x.f.Chmod(0o644)
	}
	if x.err != nil {
		a.exportError(x.err)
	}
	ch.export = x
}

// exportPayload writes one data segment's captured bytes.
func (a *Analyzer) exportPayload(c *conn, dir int, seq uint32, payload []byte, full int) {
	x := c.ch.export
	if x == nil || x.f == nil || x.err != nil || len(payload) == 0 {
		return
	}
	if x.dir < 0 {
		x.dir = dir
	}
	if dir != x.dir {
		return // a data connection carries data one way
	}
	if len(payload) < full {
		x.holes = true
	}
	off := c.span[dir].offset(seq) - c.span[dir].min
	if off < 0 {
		return
	}
	if _, err := x.f.WriteAt(payload, off); err != nil {
		x.err = err
		a.exportError(err)
		return
	}
	if end := off + int64(len(payload)); end > x.written {
		x.written = end
	}
}

// finishExport closes a channel's file, names it and hashes it.
func (a *Analyzer) finishExport(ch *channel) {
	x := ch.export
	if x == nil || x.f == nil || x.final != "" || ch.conn != nil {
		return
	}
	defer func() { x.f = nil }()
	if err := x.f.Close(); err != nil && x.err == nil {
		x.err = err
	}
	if x.err != nil || x.written == 0 {
		os.Remove(x.tmp)
		return
	}
	if ch.snapshot != nil && !x.plain && x.written < ch.snapshot.BytesToFTPClient+ch.snapshot.BytesToFTPServer {
		x.holes = true
	}
	base := exportName(ch)
	if x.holes {
		base += ".partial"
	}
	name, err := linkUnique(a.cfg.ExportDir, base, x.tmp)
	os.Remove(x.tmp)
	if err != nil {
		a.exportError(err)
		return
	}
	x.final = name
	if !x.holes {
		x.sum, x.err = sha256File(filepath.Join(a.cfg.ExportDir, name))
	}
}

// exportName is "s3.c2-file.txt": the channel, then the transfer's file
// name reduced to a safe base name.
func exportName(ch *channel) string {
	name := "data"
	if x := ch.xfer; x != nil {
		switch x.verb {
		case "LIST", "NLST", "MLSD":
			name = strings.ToLower(x.verb) + ".txt"
		default:
			if n := safeBase(x.arg); n != "" {
				name = n
			}
		}
	}
	return ch.id() + "-" + name
}

// safeBase reduces a name from the wire to a base name that cannot leave a
// directory: no separators of any platform, no "..", no control
// characters, no leading dots, at most 100 bytes.
func safeBase(arg string) string {
	arg = strings.ReplaceAll(arg, "\\", "/")
	if i := strings.LastIndexByte(arg, '/'); i >= 0 {
		arg = arg[i+1:]
	}
	// Controls become visible escapes (the text outputs' rule), whose
	// backslash must not reach a file name either.
	arg = strings.Map(func(r rune) rune {
		if r == '\\' || r == ':' || r == 0xfffd || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, textfmt.Printable(arg))
	arg = strings.TrimLeft(arg, ". ")
	if len(arg) > 100 {
		arg = arg[:100]
	}
	return arg
}

// linkUnique gives tmp the name base (or base-2, base-3, …) in dir without
// replacing anything, and returns the name used.
func linkUnique(dir, base, tmp string) (string, error) {
	for i := 1; i < 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		path := filepath.Join(dir, name)
		if filepath.Dir(path) != filepath.Clean(dir) {
			return "", fmt.Errorf("export: refusing %q, outside %s", name, dir)
		}
		err := os.Link(tmp, path)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("export: too many files named %q", base)
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// exportError records the first export error as a warning of the run.
func (a *Analyzer) exportError(err error) {
	if a.exportErr == nil {
		a.exportErr = err
	}
}

// ExportError returns the first error met writing exported files.
func (a *Analyzer) ExportError() error { return a.exportErr }
