package model

import (
	"net/netip"
	"strconv"
	"time"
)

// Schema is the value of the report's "schema" field.
const Schema = "ftpscope.report/1"

// Time is a capture timestamp. It marshals as RFC 3339 in UTC with nine
// fractional digits, so reports sort and diff as text.
type Time struct{ time.Time }

// TimeLayout is the textual form of a Time.
const TimeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// At wraps t; the zero time gives the zero Time.
func At(t time.Time) Time { return Time{t} }

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	b := make([]byte, 0, len(TimeLayout)+2)
	b = append(b, '"')
	b = t.AppendUTC(b)
	return append(b, '"'), nil
}

// AppendUTC appends t in TimeLayout, in UTC. It is what AppendFormat gives
// for that layout, without parsing the layout each time: reports write a
// timestamp for every line of every dialog.
func (t Time) AppendUTC(b []byte) []byte {
	u := t.UTC()
	year, month, day := u.Date()
	hour, min, sec := u.Clock()
	if year < 0 || year > 9999 {
		return u.AppendFormat(b, TimeLayout)
	}
	b = AppendDigits(b, year, 4)
	b = append(b, '-')
	b = AppendDigits(b, int(month), 2)
	b = append(b, '-')
	b = AppendDigits(b, day, 2)
	b = append(b, 'T')
	b = AppendDigits(b, hour, 2)
	b = append(b, ':')
	b = AppendDigits(b, min, 2)
	b = append(b, ':')
	b = AppendDigits(b, sec, 2)
	b = append(b, '.')
	b = AppendDigits(b, u.Nanosecond(), 9)
	return append(b, 'Z')
}

// AppendDigits appends v, which must be below 10^width, in exactly width
// decimal digits (width ≤ 10). Reports write nine of them for every
// timestamp, so it works two digits at a time.
func AppendDigits(b []byte, v, width int) []byte {
	var d [10]byte
	i := width
	for i >= 2 {
		q := v / 100
		r := (v - q*100) * 2
		d[i-2], d[i-1] = digitPairs[r], digitPairs[r+1]
		v = q
		i -= 2
	}
	if i == 1 {
		d[0] = byte('0' + v%10)
	}
	return append(b, d[:width]...)
}

const digitPairs = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" +
	"30313233343536373839" + "40414243444546474849" + "50515253545556575859" + "60616263646566676869" +
	"70717273747576777879" + "80818283848586878889" + "90919293949596979899"

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return err
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	t.Time = v
	return err
}

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Source is one packet source: a capture file or a live interface.
type Source struct {
	Label        string   `json:"label"`
	Kind         string   `json:"kind"` // "file" or "live"
	Name         string   `json:"name"`
	LinkType     string   `json:"link_type,omitempty"`
	Packets      uint64   `json:"packets"`
	Bytes        uint64   `json:"bytes"`
	First        *Time    `json:"first,omitempty"`
	Last         *Time    `json:"last,omitempty"`
	Dropped      uint64   `json:"dropped"`
	DecodeErrors uint64   `json:"decode_errors"`
	Warnings     []string `json:"warnings,omitempty"`
	// Interfaces lists the capture interfaces seen in this source; each one
	// is a vantage point of its own (a gateway's "-i any" shows both legs).
	Interfaces []string `json:"interfaces,omitempty"`
}

// Session is one FTP control connection as seen at one vantage point.
type Session struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	// Vantage is the interface within the source when it has several.
	Vantage string  `json:"vantage,omitempty"`
	Client  string  `json:"client"`
	Server  string  `json:"server"`
	Start   Time    `json:"start"`
	End     Time    `json:"end"`
	User    *string `json:"user"`
	TLS     bool    `json:"tls"`
	// CommunityID is the Community ID v1 of the control connection, as
	// Zeek, Suricata and Arkime compute it: records of one connection join.
	CommunityID string `json:"community_id,omitempty"`
	// Protected marks commands wrapped by RFC 2228 security (ENC, MIC,
	// CONF after AUTH GSSAPI): as opaque as TLS to anyone on the path.
	Protected bool `json:"protected,omitempty"`
	// TLSOpaqueBytes counts control bytes that went by encrypted.
	TLSOpaqueBytes int64 `json:"tls_opaque_bytes,omitempty"`
	// TLSDecryption is the control connection's decryption, with
	// --tls-keylog, once TLS started on it.
	TLSDecryption *TLSDecryption `json:"tls_decryption,omitempty"`
	Commands      int            `json:"commands"`
	Replies       int            `json:"replies"`
	// HandshakeSeen is false when the capture started mid-session.
	HandshakeSeen bool `json:"handshake_seen"`
	// Closed says how the control connection ended: "fin", "rst",
	// "timeout" or "capture-end".
	Closed string `json:"closed,omitempty"`
	// Greeting is the server's first reply, when seen.
	Greeting *DialogEntry `json:"greeting,omitempty"`
	// ControlBytes counts control payload by direction (sequence space).
	ControlBytesToServer int64 `json:"control_bytes_to_server"`
	ControlBytesToClient int64 `json:"control_bytes_to_client"`
	// GapBytes counts control-stream bytes missing from the capture.
	GapBytes int64 `json:"gap_bytes,omitempty"`
	// RetransmissionConflicts are control bytes captured twice with
	// different content (the first few).
	RetransmissionConflicts []RetransmissionConflict `json:"retransmission_conflicts,omitempty"`
	// SnaplenCut says that the capture's snapshot length cut packets of
	// the control connection: the dialog is incomplete from the first cut.
	SnaplenCut *SnaplenCut `json:"snaplen_cut,omitempty"`
	// DialogDropped counts dialog entries left out to bound memory: the
	// latest ones when reading a file, the oldest ones live.
	DialogDropped int `json:"dialog_dropped,omitempty"`
	// DialogOffset is how many entries of the session came before
	// Dialog[0] and were dropped (live): the entry's index in the whole
	// dialog, which successive live snapshots share.
	DialogOffset int           `json:"dialog_offset,omitempty"`
	Dialog       []DialogEntry `json:"dialog"`
	Channels     []Channel     `json:"channels"`
	Anomalies    []string      `json:"anomalies,omitempty"`
	Frames       FrameRange    `json:"frames"`
	// WiresharkFilter is the display filter that selects this session's
	// control and data connections (WiresharkFilter); that of both NAT
	// legs is the pair's.
	WiresharkFilter string `json:"wireshark_filter,omitempty"`
	// Conntrack is the capturing host's conntrack entry for the control
	// connection (live, on Linux, conntrack readable).
	Conntrack *Conntrack `json:"conntrack,omitempty"`
	// Segments are the control connection's TCP segments, in capture
	// order (the first MaxSegments), kept to pair the two legs of a NAT.
	// They are not part of the report.
	Segments []Segment `json:"-"`
	// ClientAddrPort and ServerAddrPort are Client and Server as the
	// dissector knew them, so that the Wireshark filter and the rules do
	// not parse the text back (AddrPortOf); zero in a session read from a
	// report. Not part of the report.
	ClientAddrPort, ServerAddrPort netip.AddrPort `json:"-"`
}

// RetransmissionConflict is overlapping TCP payload of a control
// connection that differed between its copies: Used is the copy the
// analysis read (the one captured first), Other the later one, each the
// bytes around the first difference (the line that holds it).
type RetransmissionConflict struct {
	FromClient bool   `json:"from_client"`
	Used       string `json:"used"`
	UsedFrame  uint64 `json:"used_frame"`
	Other      string `json:"other"`
	OtherFrame uint64 `json:"other_frame"`
	// TS is when the other copy was captured.
	TS Time `json:"ts"`
}

// SnaplenCut counts the control packets the snapshot length cut.
type SnaplenCut struct {
	Packets    int    `json:"packets"`
	Bytes      int64  `json:"bytes"` // payload bytes cut off
	FirstFrame uint64 `json:"first_frame"`
	FirstTS    Time   `json:"first_ts"`
}

// MaxSegments bounds the control segments kept per session.
const MaxSegments = 1024

// Segment is one TCP segment of a control connection.
type Segment struct {
	FromClient bool
	SYN        bool
	HasAck     bool
	Seq, Ack   uint32
	Len        int
	Frame      uint64
	TS         Time
}

// FrameRange gives the first and last frame of a session within its source.
type FrameRange struct {
	First uint64 `json:"first"`
	Last  uint64 `json:"last"`
}

// DialogEntry is one command or one (possibly multi-line) reply.
type DialogEntry struct {
	TS    Time   `json:"ts"`
	Kind  string `json:"kind"` // "command" or "reply"
	Verb  string `json:"verb,omitempty"`
	Arg   string `json:"arg,omitempty"`
	Code  int    `json:"code,omitempty"`
	Text  string `json:"text,omitempty"`
	Lines int    `json:"lines,omitempty"`
	// TextLines holds a multi-line reply's lines as sent, codes included,
	// without CR LF: the first 64 lines, 8 KiB at most. TextLinesDropped
	// counts the lines after them, not kept.
	TextLines        []string `json:"text_lines,omitempty"`
	TextLinesDropped int      `json:"text_lines_dropped,omitempty"`
	// RawText, nil unless some text of the entry is not valid UTF-8,
	// keeps its bytes (arg_raw, text_raw, text_lines_raw).
	*RawText
	// LatencyMS is the time from a command to its final reply, on the
	// command's entry and on that final reply.
	LatencyMS *float64 `json:"latency_ms,omitempty"`
	// Answers is, on a reply, the command it answers: the pairing of
	// replies with commands (RFC 959 §4.2), right also when the client
	// sent several commands before the first reply.
	Answers DialogRef `json:"answers,omitzero"`
	Frame   uint64    `json:"frame"`
	// Preliminary marks a 1yz reply; Unsolicited a reply no command asked
	// for; Malformed a server line that is not a reply; Truncated a line cut
	// at the line-length bound.
	Preliminary bool `json:"preliminary,omitempty"`
	Unsolicited bool `json:"unsolicited,omitempty"`
	Malformed   bool `json:"malformed,omitempty"`
	Truncated   bool `json:"truncated,omitempty"`
	// Cut marks a line the capture's snapshot length cut: its text is only
	// what was captured, and nothing was concluded from it.
	Cut bool `json:"cut,omitempty"`
	// Unanswered marks a command that got no final reply.
	Unanswered bool `json:"unanswered,omitempty"`
	// Decrypted marks a line read from TLS with the key log: no one on
	// the path without the keys (a NAT helper) could read it.
	Decrypted bool `json:"decrypted,omitempty"`
	// Segment locates the line in its TCP segment, for the ALG prediction.
	Segment *SegmentPlace `json:"segment,omitempty"`
}

// SegmentPlace says where a line sat in the TCP segments that carried it.
type SegmentPlace struct {
	Offset   int  `json:"offset"`             // bytes before the line in its first segment
	Split    bool `json:"split,omitempty"`    // the line spans several segments
	Index    int  `json:"index"`              // lines before it in the same segment
	Segments int  `json:"segments,omitempty"` // number of segments it spans
}

// Channel is one data-channel attempt: an announcement and/or a transfer
// command and the data connection observed for it.
type Channel struct {
	ID         string      `json:"id"`
	Mode       string      `json:"mode"` // "active" or "passive"
	Announce   *Announce   `json:"announce,omitempty"`
	Transfer   *Transfer   `json:"transfer,omitempty"`
	Connection *Connection `json:"connection"`
	Status     string      `json:"status"`

	// Expectation is what the capturing host's conntrack helper created
	// for the announcement (live, with Session.Conntrack).
	Expectation *Expectation `json:"expectation,omitempty"`
}

// Announce is a PORT, EPRT or LPRT command or a 227, 228 or 229 reply.
type Announce struct {
	Verb      string `json:"verb"`
	TS        Time   `json:"ts"`
	Endpoint  string `json:"endpoint"`
	ReplyCode *int   `json:"reply_code"`
	ReplyText string `json:"reply_text,omitempty"`
	// Raw is the announcing line as sent (a PORT command or a 227 reply).
	Raw   string `json:"raw,omitempty"`
	Frame uint64 `json:"frame"`
	// ReplyFrame is the frame of the reply that accepted or refused it.
	ReplyFrame uint64 `json:"reply_frame,omitempty"`
	// Family is "ipv4" or "ipv6"; EPRT may name the other family.
	Family string `json:"family,omitempty"`
	// EndpointAddrPort is Endpoint as the dissector knew it (see
	// Session.ClientAddrPort). Not part of the report.
	EndpointAddrPort netip.AddrPort `json:"-"`
}

// Transfer is the command that used a data channel and its replies.
type Transfer struct {
	Verb          string `json:"verb"`
	Arg           string `json:"arg,omitempty"`
	TS            Time   `json:"ts"`
	ReplyCodes    []int  `json:"reply_codes"`
	ReplyText     string `json:"reply_text,omitempty"` // text of the final reply
	AnnouncedSize *int64 `json:"announced_size"`
	// SizeFrom says where AnnouncedSize came from: "150" or "213".
	SizeFrom   string `json:"size_from,omitempty"`
	Restart    *int64 `json:"restart,omitempty"` // REST offset accepted before it
	SHA256     string `json:"sha256,omitempty"`
	ExportPath string `json:"export_path,omitempty"`
	// FileBytes is the size of the file itself, decrypted, when the data
	// connection carried it under TLS (its TCP payload counts the records).
	FileBytes  *int64  `json:"file_bytes,omitempty"`
	Frame      uint64  `json:"frame"`
	FinalFrame uint64  `json:"final_frame,omitempty"`
	FinalTS    *Time   `json:"final_ts,omitempty"`
	LatencyMS  float64 `json:"latency_ms,omitempty"`

	// ExportPartial says the exported file lacks bytes of the transfer
	// (capture loss, snapshot length, a hole too big to fill): SHA256 is
	// then the hash of the file as written, not of the file transferred.
	ExportPartial bool `json:"export_partial,omitempty"`
}

// Connection is the TCP data connection tied to a channel.
type Connection struct {
	Initiator        string `json:"initiator"`
	Responder        string `json:"responder"`
	SYN              *Time  `json:"syn,omitempty"`
	Established      bool   `json:"established"`
	Reset            bool   `json:"reset"`
	End              *Time  `json:"end,omitempty"`
	BytesToFTPClient int64  `json:"bytes_to_ftp_client"`
	BytesToFTPServer int64  `json:"bytes_to_ftp_server"`
	Match            string `json:"match"` // "exact", "translated" or "inferred"
	// CommunityID is the Community ID v1 of the data connection.
	CommunityID string `json:"community_id,omitempty"`
	// SYNRetries counts retransmitted SYNs; Refused says a RST answered the
	// SYN; HandshakeSeen is false when the capture started mid-connection.
	SYNRetries    int    `json:"syn_retries,omitempty"`
	Refused       bool   `json:"refused,omitempty"`
	HandshakeSeen bool   `json:"handshake_seen"`
	Closed        string `json:"closed,omitempty"` // "fin", "rst", "timeout", "capture-end"
	// CapturedBytes counts payload bytes actually present in the capture;
	// less than the sequence-space counts when packets were lost or cut.
	CapturedBytes int64  `json:"captured_bytes"`
	Packets       uint64 `json:"packets"`
	FirstFrame    uint64 `json:"first_frame"`
	LastFrame     uint64 `json:"last_frame,omitempty"`
	// ICMP carries an ICMP error that quoted this connection's SYN.
	ICMP string `json:"icmp,omitempty"`

	// CutBytes counts payload bytes the snapshot length cut off (part of
	// what CapturedBytes lacks).
	CutBytes int64 `json:"cut_bytes,omitempty"`
	// OutOfWindow counts segments whose sequence numbers lay far outside
	// the bytes seen (a forged or corrupt jump): their bytes are not in
	// the bytes_to_* fields.
	OutOfWindow int64 `json:"out_of_window_segments,omitempty"`
	// TLSDecryption is the data connection's decryption (PROT P), with
	// --tls-keylog.
	TLSDecryption *TLSDecryption `json:"tls_decryption,omitempty"`
	// InitiatorAddrPort and ResponderAddrPort are Initiator and Responder
	// as the dissector knew them (see Session.ClientAddrPort). Not part of
	// the report.
	InitiatorAddrPort, ResponderAddrPort netip.AddrPort `json:"-"`
}

// Channel status values.
const (
	StatusOK           = "ok"
	StatusRejected     = "rejected"
	StatusNoConnection = "no-connection"
	StatusRefused      = "refused"
	StatusFiltered     = "filtered"
	StatusAborted      = "aborted"
	StatusTruncated    = "truncated"
	StatusUnused       = "unused"
	StatusUnknown      = "unknown"
)

// Connection match values.
const (
	MatchExact      = "exact"
	MatchTranslated = "translated"
	MatchInferred   = "inferred"
)

// NATPair ties the two legs of one control connection seen on both sides of
// a network address translator.
type NATPair struct {
	Inside      string          `json:"inside"`
	Outside     string          `json:"outside"`
	Rewrites    []Rewrite       `json:"rewrites"`
	SeqAdjusted *bool           `json:"seq_adjusted"`
	Channels    []ChannelPair   `json:"channels,omitempty"`
	SeqCheck    *SeqCheck       `json:"seq_check,omitempty"`
	Translation *TranslationMap `json:"translation,omitempty"`
	// WiresharkFilter selects both legs' control and data connections: the
	// packets that -w --session writes for either leg.
	WiresharkFilter string `json:"wireshark_filter,omitempty"`
}

// States of a NAT pair told while a live capture runs (the "state" of a
// JSON-lines nat_pair event): open while a leg still runs, final once both
// concluded, withdrawn when the concluded legs contradict an open pair.
const (
	PairOpen      = "open"
	PairFinal     = "final"
	PairWithdrawn = "withdrawn"
)

// Rewrite is one command or reply whose payload differs between the legs.
type Rewrite struct {
	Kind         string `json:"kind"` // "command" or "reply"
	Inside       string `json:"inside"`
	Outside      string `json:"outside"`
	LengthDelta  int    `json:"length_delta"`
	InsideFrame  uint64 `json:"inside_frame"`
	OutsideFrame uint64 `json:"outside_frame"`
}

// ChannelPair ties a data channel of the inside leg to the outside leg's.
type ChannelPair struct {
	Inside          string `json:"inside"`
	Outside         string `json:"outside"`
	InsideEndpoint  string `json:"inside_endpoint,omitempty"`
	OutsideEndpoint string `json:"outside_endpoint,omitempty"`
	PortRemapped    bool   `json:"port_remapped,omitempty"`
}

// SeqCheck details the sequence-number comparison of paired legs.
type SeqCheck struct {
	Segments   int    `json:"segments"`
	Mismatches int    `json:"mismatches"`
	FirstBad   uint64 `json:"first_bad_frame,omitempty"`
	Detail     string `json:"detail,omitempty"`
}

// TranslationMap says how the addresses changed from one leg to the other.
type TranslationMap struct {
	InsideClient  string `json:"inside_client"`
	InsideServer  string `json:"inside_server"`
	OutsideClient string `json:"outside_client"`
	OutsideServer string `json:"outside_server"`
}

// Finding is one diagnosis.
type Finding struct {
	Rule        string   `json:"rule"`
	Severity    Severity `json:"severity"`
	Session     string   `json:"session,omitempty"`
	Channel     string   `json:"channel,omitempty"`
	TS          *Time    `json:"ts,omitempty"`
	Summary     string   `json:"summary"`
	Explanation string   `json:"explanation"`
	Remedy      string   `json:"remedy"`
	Evidence    Evidence `json:"evidence"`
}

// Evidence points at the packets a finding stands on.
type Evidence struct {
	Source     string   `json:"source,omitempty"`
	Frames     []uint64 `json:"frames"`
	Timestamps []Time   `json:"timestamps,omitempty"`
	// Wire quotes the relevant command and reply lines as sent.
	Wire []string `json:"wire,omitempty"`
	// Vantage says from which side the capture was taken, when the
	// judgement depends on it.
	Vantage string `json:"vantage,omitempty"`
	// Other is the evidence in the paired leg of a NAT.
	Other *Evidence `json:"other,omitempty"`
}

// Stats are counters over the whole run.
type Stats struct {
	Packets         uint64 `json:"packets"`
	TCPPackets      uint64 `json:"tcp_packets"`
	TCPConnections  uint64 `json:"tcp_connections"`
	ControlSessions uint64 `json:"control_sessions"`
	// ConnectionAttempts counts control connections that never carried
	// payload (a SYN scan of port 21, a refused connection): not sessions.
	ConnectionAttempts       uint64 `json:"connection_attempts"`
	DataConnections          uint64 `json:"data_connections"`
	UnmatchedDataConnections uint64 `json:"unmatched_data_connections"`
	NonTCPPackets            uint64 `json:"non_tcp_packets"`
	DecodeErrors             uint64 `json:"decode_errors"`
	TruncatedPackets         uint64 `json:"truncated_packets"`
	FilteredPackets          uint64 `json:"filtered_packets,omitempty"`
	EvictedConnections       uint64 `json:"evicted_connections,omitempty"`
	EvictedAnnouncements     uint64 `json:"evicted_announcements,omitempty"`
	ControlGapBytes          uint64 `json:"control_gap_bytes,omitempty"`
	// Interrupted says that the run stopped before the end of its capture
	// files (Ctrl-C): the report covers the packets read until then.
	Interrupted bool `json:"interrupted,omitempty"`
	// IPFragments counts IP fragments of TCP datagrams; IPReassembled the
	// datagrams reassembled from them; IPFragmentsDropped the fragments
	// that went into none, by reason (nil when none).
	IPFragments        uint64         `json:"ip_fragments,omitempty"`
	IPReassembled      uint64         `json:"ip_reassembled,omitempty"`
	IPFragmentsDropped *FragmentDrops `json:"ip_fragments_dropped,omitempty"`

	// OutOfWindowSegments counts TCP segments left out of every
	// connection's bytes: their sequence numbers lay outside the window.
	OutOfWindowSegments uint64 `json:"out_of_window_segments,omitempty"`
	// TimestampAnomalies counts packets dated far from their source's
	// clock and never confirmed by the packets after them: they were
	// analysed as if they came at the clock's time.
	TimestampAnomalies uint64 `json:"timestamp_anomalies,omitempty"`
}

// FragmentDrops counts IP fragments that went into no datagram, by reason.
type FragmentDrops struct {
	Timeout          uint64 `json:"timeout,omitempty"`            // datagram incomplete after 30 s of capture time
	Overlap          uint64 `json:"overlap,omitempty"`            // overlapping fragments: the datagram is discarded
	TooLarge         uint64 `json:"too_large,omitempty"`          // the datagram would exceed 65535 bytes
	Malformed        uint64 `json:"malformed,omitempty"`          // a length off the 8-byte grid, two ends
	Truncated        uint64 `json:"truncated,omitempty"`          // cut by the snapshot length
	Memory           uint64 `json:"memory,omitempty"`             // given up to keep the memory bound
	PerSource        uint64 `json:"per_source,omitempty"`         // too many datagrams in progress from its source
	TooManyFragments uint64 `json:"too_many_fragments,omitempty"` // more fragments than a datagram may have
	Duplicate        uint64 `json:"duplicate,omitempty"`          // the same bytes again
	Incomplete       uint64 `json:"incomplete,omitempty"`         // still waiting when the capture ended

}

// Report is a whole JSON report held in memory (tests, the UI, the text
// report). The JSON writer streams the same document without holding it.
type Report struct {
	Schema   string    `json:"schema"`
	Tool     Tool      `json:"tool"`
	Sources  []Source  `json:"sources"`
	Sessions []Session `json:"sessions"`
	NATPairs []NATPair `json:"nat_pairs"`
	Findings []Finding `json:"findings"`
	Stats    Stats     `json:"stats"`
}
