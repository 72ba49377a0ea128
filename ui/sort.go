package ui

import (
	"net/netip"
	"sort"
	"strings"

	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// The sessions list sorts by a column, k9s-style: shift and the column's
// letter sorts by it, the same again reverses; the column's header and the
// list's title show the order (↑ ascending, ↓ descending). Ties keep the
// session order.

// sortColumn is a column the list sorts by.
type sortColumn struct {
	key   rune
	title string // the column's title in sessionColumns
	name  string // for the help and the list's title
	desc  bool   // the first press sorts descending (counts, severity)
	less  func(a, b *viewmodel.Row) bool
}

var sortColumns = []sortColumn{
	{'I', "ID", "id", false, func(a, b *viewmodel.Row) bool { return viewmodel.ByNumber(a, b) }},
	{'C', "CLIENT", "client", false, func(a, b *viewmodel.Row) bool { return endpointLess(a.S.Client, b.S.Client) }},
	{'S', "SERVER", "server", false, func(a, b *viewmodel.Row) bool { return endpointLess(a.S.Server, b.S.Server) }},
	{'U', "USER", "user", false, func(a, b *viewmodel.Row) bool { return a.User < b.User }},
	{'M', "CMDS", "commands", true, func(a, b *viewmodel.Row) bool { return a.S.Commands < b.S.Commands }},
	{'D', "DATA", "data channels", true, func(a, b *viewmodel.Row) bool {
		if a.Observed != b.Observed {
			return a.Observed < b.Observed
		}
		return a.Announced < b.Announced
	}},
	{'B', "BYTES", "bytes", true, func(a, b *viewmodel.Row) bool { return a.Bytes < b.Bytes }},
	{'F', "FINDING", "finding", true, func(a, b *viewmodel.Row) bool {
		if a.Worst != b.Worst {
			return a.Worst < b.Worst
		}
		return len(a.Findings) < len(b.Findings)
	}},
	{'R', "LAST REPLY", "last reply", false, func(a, b *viewmodel.Row) bool { return a.LastReply < b.LastReply }},
	{'A', "SEEN AT", "where seen", false, func(a, b *viewmodel.Row) bool { return a.Where < b.Where }},
}

// endpointLess orders "address:port" by address, then port; what does not
// parse comes after, as text.
func endpointLess(x, y string) bool {
	a, errA := netip.ParseAddrPort(x)
	b, errB := netip.ParseAddrPort(y)
	switch {
	case errA == nil && errB == nil:
		return a.Compare(b) < 0
	case errA == nil:
		return true
	case errB == nil:
		return false
	}
	return x < y
}

// sortKeys are the keys of the sort binding, in column order.
func sortKeys() []Key {
	keys := make([]Key, len(sortColumns))
	for i, c := range sortColumns {
		keys[i] = r(c.key)
	}
	return keys
}

// sortHelp is the help of the sort binding.
func sortHelp() string {
	parts := make([]string, len(sortColumns))
	for i, c := range sortColumns {
		parts[i] = string(c.key) + " " + c.name
	}
	return "sort the list by a column (again: reverse; the header shows ↑ ↓): " + strings.Join(parts, ", ")
}

// sortOrder is the list's order: a column of sortColumns, or none (the
// session order).
type sortOrder struct {
	col  int // index + 1; 0 is none
	desc bool
}

// toggle sorts by column i, or reverses the order when it already does.
func (o *sortOrder) toggle(i int) {
	if o.col == i+1 {
		o.desc = !o.desc
		return
	}
	o.col, o.desc = i+1, sortColumns[i].desc
}

// apply returns rows in this order: rows itself when there is none, else
// a sorted copy (rows may be the snapshot's).
func (o sortOrder) apply(rows []*viewmodel.Row) []*viewmodel.Row {
	if o.col == 0 {
		return rows
	}
	out := append([]*viewmodel.Row(nil), rows...)
	less := sortColumns[o.col-1].less
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if o.desc {
			a, b = b, a
		}
		if less(a, b) {
			return true
		}
		if less(b, a) {
			return false
		}
		return viewmodel.ByNumber(out[i], out[j]) // ties in session order, both ways
	})
	return out
}

// arrow is ↑ or ↓.
func (o sortOrder) arrow() string {
	if o.desc {
		return "↓"
	}
	return "↑"
}

// header is a column's header text, marked when the list sorts by it,
// within width.
func (o sortOrder) header(title string, width int) string {
	if o.col == 0 || sortColumns[o.col-1].title != title {
		return title
	}
	if styled.Width(title)+1 > width {
		title = styled.ClipExact(title, max(0, width-1))
	}
	return title + o.arrow()
}

// note is what the list's title says of the order ("" for none).
func (o sortOrder) note() string {
	if o.col == 0 {
		return ""
	}
	return " · by " + sortColumns[o.col-1].name + " " + o.arrow()
}
