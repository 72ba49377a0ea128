// Package sessionview renders the sessions for the UI's panes: the
// sessions table, its columns fitted to the width and the list as text
// (sessionlist.go), the statistics over the listed sessions (stats.go),
// and one session for the panes of the session view: its dialog
// (dialogpane.go), its data channels (channelpane.go) and its findings,
// also those of the whole capture grouped (findingpane.go). Each renderer
// is a pure function from model data to table cells or styled.Items, whose
// references (refs.go, StatsRef) say what ⏎ and x follow from a selected
// item.
//
// The ladder (package ladder) draws the same dialog lines: it reads them
// through EntryText, MarksFor and the dialog lookups here, so the two
// panes say the same thing in the same words.
package sessionview
