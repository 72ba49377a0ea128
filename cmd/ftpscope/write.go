package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ftpscope/ftpscope/analysis"
	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect"
	"github.com/ftpscope/ftpscope/model"
)

// sessionKeeper keeps the sessions for -w while another consumer writes
// the report.
type sessionKeeper struct {
	next     analysis.Consumer
	sessions []model.Session
}

func (k *sessionKeeper) Session(s *model.Session, f []model.Finding) {
	k.sessions = append(k.sessions, *s)
	k.next.Session(s, f)
}

func (k *sessionKeeper) Channel(session string, ch *model.Channel) {
	if cc, ok := k.next.(analysis.ChannelConsumer); ok {
		cc.Channel(session, ch)
	}
}

// selectSessions returns the sessions -w writes: all, or the one --session
// names with the other leg of its NAT pair.
func selectSessions(o *options, all []model.Session, pairs []model.NATPair) ([]model.Session, error) {
	if o.session == "" {
		return all, nil
	}
	want := map[string]bool{o.session: true}
	for _, p := range pairs {
		if p.Inside == o.session || p.Outside == o.session {
			want[p.Inside], want[p.Outside] = true, true
		}
	}
	var out []model.Session
	for _, s := range all {
		if want[s.ID] {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--session %s: no such session", o.session)
	}
	return out, nil
}

// writeSelected reads the capture files again and writes the packets of
// the selected sessions — control and data connections, both legs of a NAT
// pair — to a pcapng file, one interface per source and link type, each
// packet with its notes as comments (annotate.go).
func writeSelected(o *options, sessions []model.Session, labels []string, notes *sliceNotes) (int, error) {
	if len(o.reads) == 0 {
		return 0, errors.New("-w works on capture files (-r)")
	}
	sel := dissect.NewSelector(sessions, labels)
	out, err := os.Create(o.write)
	if err != nil {
		return 0, err
	}
	defer out.Close()
	var w *pcapgo.NgWriter
	type ifKey struct {
		source int
		lt     layers.LinkType
	}
	ifaces := map[ifKey]int{}
	written := 0
	for i, a := range o.reads {
		src, err := capture.OpenFile(a.label, a.name, i)
		if err != nil {
			return written, err
		}
		for {
			p, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				break // the damage was reported by the analysis
			}
			if !sel.Match(&p) {
				continue
			}
			k := ifKey{i, p.LinkType}
			id, ok := ifaces[k]
			if !ok {
				iface := pcapgo.NgInterface{Name: src.Info().Label, LinkType: p.LinkType, SnapLength: 262144}
				if w == nil {
					w, err = pcapgo.NewNgWriterInterface(out, iface, pcapgo.DefaultNgWriterOptions)
					id = 0
				} else {
					id, err = w.AddInterface(iface)
				}
				if err != nil {
					src.Close()
					return written, err
				}
				ifaces[k] = id
			}
			ci := p.Info
			ci.InterfaceIndex = id
			ci.AncillaryData = nil
			if err := w.WritePacketWithOptions(ci, p.Data, pcapgo.NgPacketOptions{Comments: notes.comments(p.Source, p.Frame)}); err != nil {
				src.Close()
				return written, err
			}
			written++
		}
		src.Close()
	}
	if w == nil {
		// no packet selected: still a valid, empty pcapng file
		if w, err = pcapgo.NewNgWriter(out, layers.LinkTypeEthernet); err != nil {
			return 0, err
		}
	}
	return written, w.Flush()
}
