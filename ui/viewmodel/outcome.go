package viewmodel

import "github.com/ftpscope/ftpscope/model"

// Outcome is what a finished analysis adds to the sessions already shown:
// the sources as read, the NAT pairs and findings concluded only at the end
// (those not delivered while the run went on: the kernel's drops, pairs
// when the model did not take them as they formed), the counters. Nil when
// the analysis ended before producing one.
type Outcome struct {
	Sources  []model.Source
	NATPairs []model.NATPair
	Findings []model.Finding // worst first
	Stats    model.Stats
}
