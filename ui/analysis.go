package ui

import (
	"context"

	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// Analysis is what the UI runs beside itself: it feeds the UI's Model (its
// consumer) until its sources end or ctx is done, and returns what the UI
// shows of the end of the run. The command builds it on the analysis; the
// UI knows nothing of how.
type Analysis func(ctx context.Context) (*viewmodel.Outcome, error)
