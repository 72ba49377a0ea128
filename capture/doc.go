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
//
// # Live capture
//
// OpenLive captures on an interface ("any" for all, with Linux cooked v2
// headers) through libpcap, or through AF_PACKET in a build without cgo
// (no filter expressions there). A live source's Next returns ErrTimeout
// when the interface is quiet, io.EOF once closed; Close wakes a Next
// blocked in another goroutine within the read timeout. Live sources
// implement LiveSource: the kernel's received and dropped counters
// (KernelStats, safe to call from any goroutine, e.g. a UI header; also
// in Info once the run ends) and when drops happened (DropSpans). Several
// live sources are read at once through a FanIn, in arrival order.
package capture
