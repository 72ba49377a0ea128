package styled

// Item is one selectable entry of a pane: a dialog line, a data channel, a
// finding, a ladder row. It renders to one or more lines for a width.
type Item struct {
	Render func(width int) []Line
	Ref    any    // what Enter jumps to, or what a jump looks for
	Copy   string // what y copies
	Static bool   // not selectable (headings)
	// OneLine items render to exactly one line: the pane renders them only
	// when they come into view (dialogs and ladders of 10,000 lines).
	OneLine bool
}

// StaticLines makes an unselectable item from fixed lines.
func StaticLines(ls ...Line) Item {
	return Item{Static: true, Render: func(int) []Line { return ls }}
}
