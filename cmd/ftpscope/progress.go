package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ftpscope/ftpscope/internal/textfmt"

	"github.com/ftpscope/ftpscope/capture"
)

// progress reports a long file read on standard error when it is a
// terminal, a few times a second, on one line it rewrites.
type progress struct {
	w       io.Writer
	sources []capture.Source
	total   int64 // bytes of the files, when known
	last    time.Time
	shown   bool
}

func newProgress(w io.Writer, sources []capture.Source, names []sourceArg) *progress {
	p := &progress{w: w, sources: sources, last: time.Now()}
	for _, n := range names {
		if st, err := os.Stat(n.name); err == nil && st.Mode().IsRegular() {
			p.total += st.Size()
		}
	}
	return p
}

// update is analysis.Config.Progress.
func (p *progress) update(packets uint64) {
	now := time.Now()
	if now.Sub(p.last) < 250*time.Millisecond {
		return
	}
	p.last = now
	var read int64
	for _, s := range p.sources {
		read += int64(s.Info().Bytes) + 16*int64(s.Info().Packets)
	}
	pct := ""
	if p.total > 0 && read <= p.total {
		pct = fmt.Sprintf("%3d%% ", 100*read/p.total)
	}
	fmt.Fprintf(p.w, "\rftpscope: reading %s(%s packets)\033[K", pct, textfmt.Thousands(int64(packets)))
	p.shown = true
}

// done clears the progress line.
func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
