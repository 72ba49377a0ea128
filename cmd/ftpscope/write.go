package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/pcapslice"
)

// -w writes the packets of the selected sessions in a second pass over the
// capture files, once the analysis is done: which packets belong to a
// session (its data connections, the other leg of its NAT pair) is known
// only then.

// checkWrite refuses, before any work, a -w that cannot be honoured: the
// files must be read twice, and the output must not be one of them.
func checkWrite(o *options) error {
	if o.write == "" {
		return nil
	}
	if len(o.ifaces) > 0 {
		return errors.New("-w reads the capture files a second time once the analysis is done: it needs -r, not -i (record a live capture with tcpdump -w, then analyse it)")
	}
	labels := map[string]string{}
	for _, r := range o.reads {
		// sessions name their source by label: -w finds their packets by it
		label := r.label
		if label == "" {
			label = filepath.Base(r.name)
		}
		if other, dup := labels[label]; dup {
			return fmt.Errorf("-w cannot tell -r %s from -r %s: both are labelled %q (name them: -r inside=FILE -r outside=FILE)", other, r.name, label)
		}
		labels[label] = r.name
	}
	if err := rereadable(o.reads, o.write); err != nil {
		return fmt.Errorf("-w %v", err)
	}
	return nil
}

// rereadable says why the inputs cannot be read a second time into the
// file out, if they cannot: standard input or another file that is not a
// regular one cannot be read again, and out must not be one of them (the
// same file, whatever the name: links included). -w and the terminal UI's w
// share it.
func rereadable(reads []sourceArg, out string) error {
	outInfo, outErr := os.Stat(out)
	for _, r := range reads {
		if r.name == "-" {
			return errors.New("cannot be used with -r -: standard input cannot be read a second time (save it to a file first)")
		}
		in, err := os.Stat(r.name)
		if err != nil {
			continue // opening it says why
		}
		if !in.Mode().IsRegular() {
			return fmt.Errorf("cannot be used with -r %s: it is not a regular file and cannot be read a second time", r.name)
		}
		if outErr == nil && os.SameFile(in, outInfo) {
			return fmt.Errorf("%s names the input %s: it would be overwritten", out, r.name)
		}
	}
	return nil
}

// sliceWriter is -w: the output file and the inputs for the second pass,
// opened before the analysis (and before root privileges are dropped), and
// what the analysis tells of each session.
type sliceWriter struct {
	o      *options
	out    *os.File
	inputs []*os.File     // the -r files again, in order
	labels map[string]int // source label → index
	kept   []keptSession
	// the findings and pairs, as the analysis hands them on: the slice's
	// comments and --session's other leg (a streaming consumer keeps none)
	findings []model.Finding
	pairs    []model.NATPair
}

func (w *sliceWriter) observeFindings(_ *model.Session, fs []model.Finding) {
	w.findings = append(w.findings, fs...)
}

func (w *sliceWriter) observePair(p *model.NATPair, fs []model.Finding) {
	w.pairs = append(w.pairs, *p)
	w.findings = append(w.findings, fs...)
}

// keptSession is what the second pass needs of a session: its connections
// (control and data), each with its frames in its source, and what its
// packet comment says of it (annotate.go).
type keptSession struct {
	id    string
	conns []keptConn
	note  model.Session // ID, source, endpoints, vantage and frames only
}

type keptConn struct {
	source      int
	a, b        netip.AddrPort
	first, last uint64
}

// openSliceWriter creates the -w file; the packets come once the analysis
// is done. The file holds passwords sent in clear: at most 0600.
func openSliceWriter(o *options, sources []capture.Source) (*sliceWriter, error) {
	w := &sliceWriter{o: o, labels: map[string]int{}}
	for i, s := range sources {
		w.labels[s.Info().Label] = i
	}
	for _, r := range o.reads {
		f, err := os.Open(r.name)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("%s: %v", r.name, err)
		}
		w.inputs = append(w.inputs, f)
	}
	f, err := os.OpenFile(o.write, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		w.close()
		return nil, fmt.Errorf("-w: %v", err)
	}
	w.out = f
	return w, nil
}

// close releases the files of -w, written or not.
func (w *sliceWriter) close() {
	for _, f := range w.inputs {
		f.Close()
	}
	w.inputs = nil
	if w.out != nil {
		w.out.Close()
	}
}

// observe is the analysis' Config.Observe: it keeps the connections of a
// concluded session, a few dozen bytes each.
func (w *sliceWriter) observe(s *model.Session) {
	src, ok := w.labels[s.Source]
	if !ok {
		return
	}
	k := keptSession{id: strings.Clone(s.ID), note: model.Session{ID: strings.Clone(s.ID), Source: strings.Clone(s.Source),
		Client: strings.Clone(s.Client), Server: strings.Clone(s.Server), Vantage: strings.Clone(s.Vantage), Frames: s.Frames}}
	add := func(x, y string, first, last uint64) {
		a, err1 := netip.ParseAddrPort(x)
		b, err2 := netip.ParseAddrPort(y)
		if err1 == nil && err2 == nil {
			k.conns = append(k.conns, keptConn{src, a, b, first, last})
		}
	}
	add(s.Client, s.Server, s.Frames.First, s.Frames.Last)
	for i := range s.Channels {
		if c := s.Channels[i].Connection; c != nil {
			add(c.Initiator, c.Responder, c.FirstFrame, max(c.LastFrame, c.FirstFrame))
		}
	}
	w.kept = append(w.kept, k)
}

// selector returns what selects the packets to write: every session's, or
// those of the session --session names and of the other leg of its NAT
// pair.
func (w *sliceWriter) selector(pairs []model.NATPair) (*pcapslice.Selector, []model.Session, error) {
	want := map[string]bool{}
	if id := w.o.session; id != "" {
		want[id] = true
		for _, p := range pairs {
			if p.Inside == id || p.Outside == id {
				want[p.Inside], want[p.Outside] = true, true
			}
		}
	}
	sel := pcapslice.NewConnSelector()
	var chosen []model.Session
	for _, k := range w.kept {
		if len(want) > 0 && !want[k.id] {
			continue
		}
		chosen = append(chosen, k.note)
		for _, c := range k.conns {
			sel.Add(c.source, c.a, c.b, c.first, c.last)
		}
	}
	if len(chosen) == 0 && w.o.session != "" {
		return nil, nil, fmt.Errorf("--session %s: no such session", w.o.session)
	}
	return sel, chosen, nil
}

// finish writes the selected packets once the analysis is done and
// returns the line that says so. The second pass reads each source only as
// far as the analysis did (an interrupted run writes what it analysed).
func (w *sliceWriter) finish(sum *analysis.Summary, sources []capture.Source) (string, error) {
	defer w.close()
	pairs := append(append([]model.NATPair(nil), w.pairs...), sum.NATPairs...)
	findings := append(append([]model.Finding(nil), w.findings...), sum.Findings...)
	sel, sessions, err := w.selector(pairs)
	if err != nil {
		return "", err
	}
	labels := make([]string, len(sources))
	for i, s := range sources {
		labels[i] = s.Info().Label
	}
	notes := newSliceNotes(labels, sessions, findings, pairs)
	n, err := writeSelected(w.o.reads, w.inputs, labels, sources, sel, notes, w.out)
	if err != nil {
		return "", fmt.Errorf("-w %s: %v", w.o.write, err)
	}
	if err := w.out.Close(); err != nil {
		return "", fmt.Errorf("-w %s: %v", w.o.write, err)
	}
	return fmt.Sprintf("wrote %s packets of %d sessions to %s", textfmt.Thousands(int64(n)), len(sessions), w.o.write), nil
}

// framesLimit ends a source after its first n frames.
type framesLimit struct {
	capture.Source
	n uint64
}

func (l *framesLimit) Next() (capture.Packet, error) {
	if l.Info().Packets >= l.n {
		return capture.Packet{}, io.EOF
	}
	return l.Source.Next()
}

// writeSelected reads the capture files again, merged by time as the
// analysis read them, and writes the selected packets to out as pcapng.
// Its interface blocks are those of the sources, one per interface of each
// source, with its name, all at the start (a reader names the interfaces
// it has seen: one declared later would split a vantage point in two).
// They are taken from the first pass, which has seen them all (without a
// first pass — the terminal UI's w, after the run — they are declared as
// they come). inputs are the files opened again before root privileges
// were dropped. Each packet carries its notes as pcapng comments.
func writeSelected(reads []sourceArg, inputs []*os.File, labels []string, first []capture.Source, sel *pcapslice.Selector, notes *sliceNotes, out io.Writer) (int, error) {
	files := make([]*capture.File, 0, len(reads))
	srcs := make([]capture.Source, 0, len(reads))
	for i, a := range reads {
		f, err := capture.OpenReader(labels[i], a.name, io.NopCloser(inputs[i]), i)
		if err != nil {
			return 0, fmt.Errorf("%s: %v", a.name, err)
		}
		files = append(files, f)
		if first != nil {
			srcs = append(srcs, &framesLimit{f, first[i].Info().Packets})
		} else {
			srcs = append(srcs, f)
		}
	}
	type ifKey struct{ source, iface int }
	ifaces := map[ifKey]int{}
	var w *pcapgo.NgWriter
	declare := func(k ifKey, block pcapgo.NgInterface) (int, error) {
		var id int
		var err error
		if w == nil {
			w, err = pcapgo.NewNgWriterInterface(out, block, pcapgo.DefaultNgWriterOptions)
		} else {
			id, err = w.AddInterface(block)
		}
		ifaces[k] = id
		return id, err
	}
	for i, s := range first {
		f, ok := s.(*capture.File)
		if !ok {
			continue
		}
		for j := 0; ; j++ {
			block, ok := f.InterfaceBlock(j)
			if !ok {
				break
			}
			if _, err := declare(ifKey{i, j}, nameBlock(block, f.Info().Label, len(first) > 1)); err != nil {
				return 0, err
			}
		}
	}
	written := 0
	m := capture.NewMerge(srcs)
	for {
		p, err := m.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			continue // the damage was reported by the analysis; the others go on
		}
		if !sel.Match(&p) {
			continue
		}
		k := ifKey{p.Source, p.Info.InterfaceIndex}
		id, ok := ifaces[k]
		if !ok { // not seen by the first pass: cannot happen, but stay whole
			block := pcapgo.NgInterface{LinkType: p.LinkType}
			if names := files[p.Source].Info().Interfaces; p.Info.InterfaceIndex >= 0 && p.Info.InterfaceIndex < len(names) {
				block.Name = names[p.Info.InterfaceIndex]
			}
			if id, err = declare(k, nameBlock(block, files[p.Source].Info().Label, len(reads) > 1)); err != nil {
				return written, err
			}
		}
		ci := p.Info
		ci.InterfaceIndex = id
		ci.AncillaryData = nil
		if err := w.WritePacketWithOptions(ci, p.Data, pcapgo.NgPacketOptions{Comments: notes.comments(p.Source, p.Frame)}); err != nil {
			return written, err
		}
		written++
	}
	if w == nil {
		// no source to describe: still a valid, empty pcapng file
		var err error
		if w, err = pcapgo.NewNgWriter(out, layers.LinkTypeEthernet); err != nil {
			return 0, err
		}
	}
	return written, w.Flush()
}

// nameBlock names an interface block of the output: the source's name for
// the interface, or the source's label when it has none (pcap). With
// several sources, names are prefixed by the source's label, so that they
// stay apart.
func nameBlock(block pcapgo.NgInterface, label string, several bool) pcapgo.NgInterface {
	switch {
	case block.Name == "":
		block.Name = label
	case several:
		block.Name = label + "/" + block.Name
	}
	return block
}
