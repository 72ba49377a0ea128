// Package model holds the plain data that the analysis produces and that every
// view consumes: the JSON and text reports, the JSON-lines stream and the
// terminal UI. It has no dependency on gopacket or on the UI toolkit, so a
// view can never reach back into the analysis.
//
// The field names and JSON tags follow ../shared/spec/report.md
// ("ftpscope.report/1"): fields may be added, never change meaning.
package model
