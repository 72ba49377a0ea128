// Package handoff is what the terminal UI hands on to other tools, free of
// widgets: the sessions list as CSV (listexport.go), the files the UI
// writes itself, never replacing one unasked (WriteFile), and a session's
// Wireshark display filter, both legs' for a NAT leg (wireshark.go).
//
// The pcapng slices and transferred files go through the UI's Exporter,
// which the command implements over the capture files.
package handoff
