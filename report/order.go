package report

import (
	"github.com/ftpscope/ftpscope/model"
)

// order is a finding's place in a report: model.FindingOrder, then the
// order it was delivered in (ref).
type order struct {
	model.FindingOrder
	ref uint64
}

func orderOf(f *model.Finding, ref uint64) order {
	return order{f.OrderOf(), ref}
}

func (a order) less(b order) bool {
	if a.FindingOrder != b.FindingOrder {
		return a.Before(b.FindingOrder)
	}
	return a.ref < b.ref
}

// OrderFindings puts findings, given in the order they were delivered, in
// report order.
func OrderFindings(fs []model.Finding) { model.SortFindings(fs) }
