package model

// Revision changes a finding delivered earlier (analysis.Reviser).
// Findings are numbered in the order they are delivered, from 0, over all
// the Session calls of a run: the findings of the first session delivered
// are 0, 1, …, those of the next one follow. Ref is that number.
type Revision struct {
	Ref uint64
	// Finding is the finding as it now stands: same rule, session, channel
	// and summary; when withdrawn, as it was.
	Finding   Finding
	Was       Severity // the severity it had until now
	Withdrawn bool
}
