package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ftpscope/ftpscope/ui/styled"
)

// pane is a scrolling list of items with a selection, drawn in a box. It
// renders only the items it needs and keeps the selection visible.
type pane struct {
	*tview.Box
	th    *styled.Theme
	items []styled.Item
	empty string

	sel    int // selected item
	top    int // first visible line
	width  int // width of the last layout
	starts []int
	lines  [][]styled.Line // per item, for width
	total  int
}

func newPane(th *styled.Theme, title string) *pane {
	p := &pane{Box: tview.NewBox(), th: th, width: -1}
	p.SetBorder(true).SetTitle(title).SetTitleAlign(tview.AlignLeft)
	return p
}

// setItems replaces the items; sel is the item to select (clamped).
func (p *pane) setItems(items []styled.Item, sel int) {
	p.items = items
	p.width = -1
	p.sel = sel
	p.clampSel(1)
}

func (p *pane) clampSel(dir int) {
	if len(p.items) == 0 {
		p.sel = 0
		return
	}
	if p.sel < 0 {
		p.sel = 0
	}
	if p.sel >= len(p.items) {
		p.sel = len(p.items) - 1
	}
	for i := 0; i < len(p.items); i++ {
		if !p.items[p.sel].Static {
			return
		}
		next := p.sel + dir
		if next < 0 || next >= len(p.items) {
			dir = -dir
			next = p.sel + dir
			if next < 0 || next >= len(p.items) {
				return
			}
		}
		p.sel = next
	}
}

// selected returns the selected item, or nil.
func (p *pane) selected() *styled.Item {
	if p.sel < 0 || p.sel >= len(p.items) || p.items[p.sel].Static {
		return nil
	}
	return &p.items[p.sel]
}

// selectRef selects the first item whose ref satisfies match.
func (p *pane) selectRef(match func(ref any) bool) bool {
	for i := range p.items {
		if !p.items[i].Static && match(p.items[i].Ref) {
			p.sel = i
			p.top = -1 // centre it on the next draw
			return true
		}
	}
	return false
}

func (p *pane) move(delta int) {
	if len(p.items) == 0 {
		return
	}
	dir := 1
	if delta < 0 {
		dir = -1
	}
	for n := delta * dir; n > 0; n-- {
		next := p.sel + dir
		for next >= 0 && next < len(p.items) && p.items[next].Static {
			next += dir
		}
		if next < 0 || next >= len(p.items) {
			break
		}
		p.sel = next
	}
}

func (p *pane) home() { p.sel = 0; p.clampSel(1); p.top = 0 }
func (p *pane) end()  { p.sel = len(p.items) - 1; p.clampSel(-1) }

// page moves by about a screenful.
func (p *pane) page(dir int) {
	_, _, _, h := p.GetInnerRect()
	p.move(dir * max(1, h-1))
}

func (p *pane) layout(width int) {
	if width == p.width && len(p.lines) == len(p.items) {
		return
	}
	p.width = width
	p.lines = make([][]styled.Line, len(p.items))
	p.starts = make([]int, len(p.items))
	p.total = 0
	for i, it := range p.items {
		p.starts[i] = p.total
		if it.OneLine {
			p.total++
			continue
		}
		p.lines[i] = it.Render(width)
		p.total += len(p.lines[i])
	}
}

// height is the number of lines of item i at the current width.
func (p *pane) height(i int) int {
	if p.items[i].OneLine {
		return 1
	}
	return len(p.lines[i])
}

// linesOf returns item i's lines, rendering a one-line item on demand.
func (p *pane) linesOf(i int) []styled.Line {
	if p.lines[i] == nil && p.items[i].OneLine {
		p.lines[i] = p.items[i].Render(p.width)
	}
	return p.lines[i]
}

// Draw implements tview.Primitive.
func (p *pane) Draw(screen tcell.Screen) {
	p.DrawForSubclass(screen, p)
	x, y, w, h := p.GetInnerRect()
	if w <= 1 || h <= 0 {
		return
	}
	gutter := 1
	p.layout(w - gutter)
	if len(p.items) == 0 {
		styled.DrawLine(screen, x+gutter, y, w-gutter, styled.Line{{Text: p.empty, Style: p.th.Dim}}, p.th.Base, false)
		return
	}
	// Keep the selected item in view.
	first, n := p.starts[p.sel], p.height(p.sel)
	switch {
	case p.top < 0:
		p.top = first - h/3
	case first < p.top:
		p.top = first
	case first+n > p.top+h:
		p.top = first + min(n, h) - h
	}
	if p.top > p.total-h {
		p.top = p.total - h
	}
	if p.top < 0 {
		p.top = 0
	}
	focused := p.HasFocus()
	// Find the first item on screen.
	i := 0
	lo, hi := 0, len(p.items)-1
	for lo <= hi {
		mid := (lo + hi) / 2
		if p.starts[mid] <= p.top {
			i, lo = mid, mid+1
		} else {
			hi = mid - 1
		}
	}
	row := 0
	for ; i < len(p.items) && row < h; i++ {
		for j, l := range p.linesOf(i) {
			ln := p.starts[i] + j
			if ln < p.top {
				continue
			}
			if row >= h {
				break
			}
			isSel := i == p.sel && !p.items[i].Static
			mark := " "
			if isSel && j == 0 {
				mark = "▶"
			}
			screen.SetContent(x, y+row, []rune(mark)[0], nil, p.th.Bold)
			styled.DrawLine(screen, x+gutter, y+row, w-gutter, l, p.th.Base, isSel && focused)
			row++
		}
	}
}

// MouseHandler implements tview.Primitive: click selects, wheel scrolls.
func (p *pane) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (consumed bool, capture tview.Primitive) {
	return p.WrapMouseHandler(func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(tview.Primitive)) (bool, tview.Primitive) {
		x, y := event.Position()
		if !p.InRect(x, y) {
			return false, nil
		}
		switch action {
		case tview.MouseLeftClick:
			setFocus(p)
			if len(p.starts) != len(p.items) {
				return true, nil
			}
			_, iy, _, _ := p.GetInnerRect()
			ln := p.top + y - iy
			for i := range p.items {
				if ln >= p.starts[i] && ln < p.starts[i]+p.height(i) && !p.items[i].Static {
					p.sel = i
				}
			}
			return true, nil
		case tview.MouseScrollUp:
			p.move(-1)
			return true, nil
		case tview.MouseScrollDown:
			p.move(1)
			return true, nil
		}
		return false, nil
	})
}
