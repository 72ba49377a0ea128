package ui

import (
	"fmt"
	"strings"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/frames"
	"github.com/ftpscope/ftpscope/ui/ladder"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/styled"
)

// The frame view (x) shows the packet behind a dialog line, a data
// channel's frames or a finding's evidence: its headers and its bytes,
// read back through a FrameSource — from the capture file by offset, or
// live from a bounded ring of recent control packets. With several frames
// (a finding's evidence) [ and ] step through them.

// FrameSource reads frames back for the frame view. source is the
// source's label, frame its number in that source.
type FrameSource interface {
	Frame(source string, frame uint64) (capture.Packet, error)
}

// frameSet is what the frame view steps through.
type frameSet struct {
	source string // label
	frames []uint64
	at     int
	what   string // "evidence of s1.c1", "dialog line"
}

// frameTarget is the frames of the selected item and their source.
func (u *UI) frameTarget() (*frameSet, string) {
	var p *pane
	switch u.view {
	case viewSession:
		p = u.panes[u.paneFocus]
	case viewFlow:
		p = u.overlay
	default:
		if u.listFocus == 1 {
			p = u.overview
		}
	}
	if p == nil {
		return nil, "x shows the frame of a dialog line, a data channel or a finding"
	}
	it := p.selected()
	if it == nil {
		return nil, "nothing selected"
	}
	src := ""
	if u.openRow != nil {
		src = u.openRow.S.Source
	}
	set := &frameSet{source: src}
	switch ref := it.Ref.(type) {
	case sessionview.DialogRef:
		set.frames, set.what = []uint64{ref.Frame}, "dialog line"
	case sessionview.ChannelRef:
		set.frames, set.what = ref.Frames, "data channel "+ref.ID
	case sessionview.FindingRef:
		set.frames, set.what = ref.Frames, "evidence of "+ref.Rule
		if r := u.model.Row(ref.Session); r != nil {
			set.source = r.S.Source
			for _, f := range r.Findings {
				if f.Rule == ref.Rule && f.Summary == ref.Summary && f.Evidence.Source != "" {
					set.source = u.sourceLabel(f.Evidence.Source)
				}
			}
		}
	case ladder.Ref:
		if s := u.openSession; s != nil && ref.Dialog >= 0 && ref.Dialog < len(s.Dialog) {
			set.frames, set.what = []uint64{s.Dialog[ref.Dialog].Frame}, "ladder line"
		}
	case ladder.FlowRef:
		set.source, set.frames, set.what = ref.Source, []uint64{ref.Frame}, "ladder line of "+ref.Session
	}
	var frames []uint64
	seen := map[uint64]bool{}
	for _, f := range set.frames {
		if f != 0 && !seen[f] {
			seen[f] = true
			frames = append(frames, f)
		}
	}
	set.frames = frames
	if len(frames) == 0 {
		return nil, "no frame on this line"
	}
	return set, ""
}

// sourceLabel is the source an evidence names: its label, or its label
// and interface ("gateway.pcap/if3").
func (u *UI) sourceLabel(name string) string {
	best := ""
	for _, l := range u.snap.Sources {
		if l == name {
			return l
		}
		if strings.HasPrefix(name, l+"/") && len(l) > len(best) {
			best = l
		}
	}
	if best == "" {
		return name
	}
	return best
}

// openFrame is x.
func (u *UI) openFrame() {
	if u.opt.Frames == nil {
		u.setFlash(0, "frames cannot be read back here")
		return
	}
	set, why := u.frameTarget()
	if set == nil {
		u.setFlash(0, "%s", why)
		return
	}
	if u.view != viewFrame {
		u.frameFrom = u.view
	}
	u.frames = set
	u.view = viewFrame
	u.showFrame()
}

// frameBack leaves the frame view for the view it was opened from.
func (u *UI) frameBack() {
	u.view, u.frames = u.frameFrom, nil
}

// showFrame reads and draws the frame the set is at.
func (u *UI) showFrame() {
	set := u.frames
	n := set.frames[set.at]
	title := fmt.Sprintf(" Frame %d of %s · %s ", n, set.source, set.what)
	if len(set.frames) > 1 {
		title = fmt.Sprintf(" Frame %d of %s · %s, %d of %d · [ ] steps ", n, set.source, set.what, set.at+1, len(set.frames))
	}
	u.framePane.SetTitle(title)
	p, err := u.opt.Frames.Frame(set.source, n)
	if err != nil {
		msg := err.Error()
		u.framePane.setItems([]styled.Item{{Static: true, Render: func(w int) []styled.Line {
			var ls []styled.Line
			for _, x := range styled.Wrap(msg, max(10, w-2)) {
				ls = append(ls, styled.Line{{Text: x, Style: u.th.SevStyle(model.Error)}})
			}
			return ls
		}}}, 0)
		return
	}
	rows := frames.Decode(u.th, &p, set.source)
	items := make([]styled.Item, len(rows))
	for i, r := range rows {
		items[i] = styled.Item{Copy: styled.PlainLines(r.Render(u.th, 120)), Render: func(w int) []styled.Line { return r.Render(u.th, w) }}
	}
	u.framePane.setItems(items, 0)
}

// stepFrame is [ and ] in the frame view.
func (u *UI) stepFrame(d int) {
	set := u.frames
	if set == nil || set.at+d < 0 || set.at+d >= len(set.frames) {
		u.setFlash(0, "no more frames")
		return
	}
	set.at += d
	u.showFrame()
}

// frameText is the frame view as plain text (y).
func (u *UI) frameText() string {
	var b strings.Builder
	for _, it := range u.framePane.items {
		b.WriteString(it.Copy)
		b.WriteByte('\n')
	}
	return b.String()
}
