// Package ftp parses the FTP control dialog: it splits reassembled control
// bytes into lines, reads commands and replies from them, pairs each command
// with its replies, and decodes the data-channel announcements.
//
// Scope: RFC 959 (commands, replies, multi-line replies §4.2), RFC 1639
// (LPRT/LPSV), RFC 2428 (EPRT/EPSV), RFC 3659 (SIZE/MDTM/MLSD), RFC 4217
// (AUTH TLS: after 234 the control stream is opaque).
//
// # Leniency
//
// A passive analyzer must not reject what servers and clients really send.
// Malformed input is reported as such (a malformed reply line, a truncated
// line, a *SyntaxError from an announcement parser) and parsing carries on;
// a well-formed negative reply (4yz/5yz) is a Reply like any other.
//
// # Bounds
//
// Every line is cut at MaxLineLength bytes (the rest is counted, not kept),
// a multi-line reply keeps at most MaxReplyLines lines of text, and at most
// MaxPendingCommands commands wait for a reply. Memory per session is
// therefore bounded whatever the capture contains.
package ftp
