// Package ui is ftpscope's terminal user interface (-o tui), built on
// rivo/tview and gdamore/tcell/v2.
//
// # Layers
//
//   - Model (ui/viewmodel) is plain data with a mutex, fed by the analysis
//     goroutine through analysis.Consumer (Session), the progress callback
//     (SetPackets) and the end of the run (Finish). Every row it hands out is
//     immutable: a changed session gets a new *Row. The analysis goroutine
//     never touches a widget.
//   - Rendering is pure functions from model data to styled lines and table
//     cells, in sub-packages tested without a screen (below).
//   - Keys (keys.go) are data: one table of bindings drives dispatch, the
//     footer hints and the "?" help page, so they cannot drift apart.
//   - The UI runs no analysis and reads no capture itself: the command
//     hands Run an Analysis (analysis.go: a function that feeds the Model
//     and returns the viewmodel.Outcome of the run), an Exporter
//     (exporter.go: slices and files, w and e) and a FrameSource
//     (frames.go: frames read back, x).
//   - The UI (app.go; selection.go, commands.go, layout.go, chrome.go)
//     owns the widgets. A ticker goroutine notices a new
//     model version and applies it with a single QueueUpdateDraw (dropping
//     the update when the previous one is still pending); input handlers run
//     on the event loop and change widgets directly, never through
//     QueueUpdate*, which would deadlock.
//
// # Sub-packages
//
// They import only downward (none imports ui, analysis or dissect):
//
//   - ui/viewmodel: the Model, Snapshots, Rows, the filter, the sort order.
//   - ui/styled: styled text, the theme, the marks, the Item of a pane.
//   - ui/sessionview: the sessions table, statistics, a session's panes.
//   - ui/ladder: a session's ladder across the NAT, the flow of several.
//   - ui/frames: a frame read back, decoded layer by layer (x).
//   - ui/handoff: the list as CSV, files the UI writes, Wireshark filters.
//   - ui/internal/uitest: what the tests share (FakeSession).
//
// # Live capture
//
// The model carries what a live capture needs: LiveStatus (interface,
// packet rate, kernel drops); running sessions arrive through Update as
// deltas (the dialog entries that are new or changed since the last update,
// merged into the row's dialog, appending in place when nothing shown
// changed) and are replaced by their concluded version; rows are capped
// (LiveRows changed last, plus LiveFlagged older ones with a warning or
// worse; the evicted are counted in the header), so memory stays bounded
// however long the capture runs. The UI has pause ("+N new" while the view
// is frozen) and follow (the selection tracks the newest session).
package ui
