// Package capture delivers packets from capture files and live interfaces,
// one at a time, in timestamp order, with no analysis of their content.
//
// # Ownership
//
// Packet.Data aliases the reader's buffer (zero-copy reads): it is valid only
// until the next call to Next on the same Source. Consumers copy what they
// keep, and only that (the FTP control payload, never data-connection bytes).
//
// # Clock
//
// Packet.Info.Timestamp is the capture's clock. Nothing downstream of a
// file source reads the wall clock, so the analysis of a file is
// deterministic.
//
// # Vantage points
//
// Every packet names its source (the -r or -i it came from) and the
// interface it was captured on (pcapng interface id, Linux cooked v2
// interface index). A NAT gateway captured with "-i any" shows each
// forwarded packet once per interface; those copies are different vantage
// points, not retransmissions.
package capture
