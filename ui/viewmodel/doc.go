// Package viewmodel is the state the terminal UI renders: the Model, fed by
// the analysis goroutine (it implements analysis.Consumer, Reviser,
// Updater, PairConsumer and LivePairConsumer without importing analysis),
// and the immutable Snapshots and Rows it hands the UI goroutine.
//
// The UI never owns this state: it takes a Snapshot, filters (Filter) and
// orders its rows, and draws. Keeping the model in a package of its own
// makes that structural: nothing here knows of tview, tcell or a screen.
//
//   - model.go: the Model, its rows in session order, the finding groups,
//     Snapshot, Finish with the run's Outcome (outcome.go).
//   - liveupdate.go: running sessions merged as dialog deltas, and the
//     live cap (LiveRows, LiveFlagged, LiveDialog) that bounds memory.
//   - pairstate.go: NAT pairs told while their legs run, and when final.
//   - row.go: a session's row, its columns and search fields computed once.
//   - filter.go: the list's filter expressions (ParseFilter).
//   - sort.go: the list's order, by a column (SortColumns, SortOrder).
package viewmodel
