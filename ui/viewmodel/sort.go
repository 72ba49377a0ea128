package viewmodel

import (
	"net/netip"
	"sort"
)

// The sessions list sorts by a column, k9s-style: shift and the column's
// letter sorts by it, the same again reverses; the column's header and the
// list's title show the order (↑ ascending, ↓ descending). Ties keep the
// session order.

// SortColumn is a column the list sorts by.
type SortColumn struct {
	Key   rune
	Title string // the column's title in the sessions table
	Name  string // for the help and the list's title
	Desc  bool   // the first press sorts descending (counts, severity)
	Less  func(a, b *Row) bool
}

// SortColumns are the columns the list sorts by; the UI binds their keys.
var SortColumns = []SortColumn{
	{'I', "ID", "id", false, func(a, b *Row) bool { return ByNumber(a, b) }},
	{'C', "CLIENT", "client", false, func(a, b *Row) bool { return endpointLess(a.S.Client, b.S.Client) }},
	{'S', "SERVER", "server", false, func(a, b *Row) bool { return endpointLess(a.S.Server, b.S.Server) }},
	{'U', "USER", "user", false, func(a, b *Row) bool { return a.User < b.User }},
	{'M', "CMDS", "commands", true, func(a, b *Row) bool { return a.S.Commands < b.S.Commands }},
	{'D', "DATA", "data channels", true, func(a, b *Row) bool {
		if a.Observed != b.Observed {
			return a.Observed < b.Observed
		}
		return a.Announced < b.Announced
	}},
	{'B', "BYTES", "bytes", true, func(a, b *Row) bool { return a.Bytes < b.Bytes }},
	{'F', "FINDING", "finding", true, func(a, b *Row) bool {
		if a.Worst != b.Worst {
			return a.Worst < b.Worst
		}
		return len(a.Findings) < len(b.Findings)
	}},
	{'R', "LAST REPLY", "last reply", false, func(a, b *Row) bool { return a.LastReply < b.LastReply }},
	{'A', "SEEN AT", "where seen", false, func(a, b *Row) bool { return a.Where < b.Where }},
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

// SortOrder is the list's order: a column of SortColumns, or none (the
// session order).
type SortOrder struct {
	Col  int // index + 1; 0 is none
	Desc bool
}

// Toggle sorts by column i, or reverses the order when it already does.
func (o *SortOrder) Toggle(i int) {
	if o.Col == i+1 {
		o.Desc = !o.Desc
		return
	}
	o.Col, o.Desc = i+1, SortColumns[i].Desc
}

// Apply returns rows in this order: rows itself when there is none, else
// a sorted copy (rows may be the snapshot's).
func (o SortOrder) Apply(rows []*Row) []*Row {
	if o.Col == 0 {
		return rows
	}
	out := append([]*Row(nil), rows...)
	less := SortColumns[o.Col-1].Less
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if o.Desc {
			a, b = b, a
		}
		if less(a, b) {
			return true
		}
		if less(b, a) {
			return false
		}
		return ByNumber(out[i], out[j]) // ties in session order, both ways
	})
	return out
}

// Arrow is ↑ or ↓.
func (o SortOrder) Arrow() string {
	if o.Desc {
		return "↓"
	}
	return "↑"
}

// Note is what the list's title says of the order ("" for none).
func (o SortOrder) Note() string {
	if o.Col == 0 {
		return ""
	}
	return " · by " + SortColumns[o.Col-1].Name + " " + o.Arrow()
}
