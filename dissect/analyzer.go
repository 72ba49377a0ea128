package dissect

import (
	"errors"
	"net/netip"
	"strconv"
	"time"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/dissect/decode"
	"github.com/ftpscope/ftpscope/dissect/expect"
	"github.com/ftpscope/ftpscope/dissect/ftp"
	"github.com/ftpscope/ftpscope/dissect/ftps"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// Config tunes an Analyzer.
type Config struct {
	// ControlPorts are the TCP ports that carry FTP control (21 if empty).
	// Connections elsewhere that open with an FTP greeting are found too.
	ControlPorts []uint16
	// ImplicitTLSPorts carry FTP over TLS from the first byte (990).
	ImplicitTLSPorts []uint16
	// DataTimeout is how long after an announcement (or the transfer
	// command that uses it) a data connection is still matched to it.
	DataTimeout time.Duration
	// ShowPasswords keeps PASS arguments; they are "****" otherwise.
	ShowPasswords bool
	// Live bounds history for endless captures: the dialog keeps its
	// latest MaxDialog entries instead of its first.
	Live bool
	// MaxDialog bounds the dialog entries kept per session.
	MaxDialog int
	// MaxConnections bounds the TCP connections tracked at once (about
	// 600 bytes each). Beyond it the least recently active connection that
	// is neither FTP control nor data is dropped, else the least recently
	// active one.
	MaxConnections int
	// KeepSegments records each control segment's sequence numbers for
	// pairing the two legs of a NAT (when several vantage points exist).
	KeepSegments bool
	// Files, when set, receives the payload of every data connection
	// (--export: a fileexport.Exporter).
	Files DataSink
	// ControlTap, if set, sees every packet of an FTP control connection
	// while it is analysed (its bytes are valid during the call only): a
	// live terminal UI keeps the latest ones to show them (capture.FrameRing).
	// It takes the packet by value: a pointer handed to a function value
	// would make every packet escape to the heap.
	ControlTap func(p capture.Packet)
	// TLSKeys, when set, decrypts FTPS control and data connections with
	// the secrets of a key log (see ftps.go).
	TLSKeys *tlsdecrypt.KeyLog
}

// DefaultConfig returns the settings of the command line's defaults.
func DefaultConfig() Config {
	return Config{
		ControlPorts:     []uint16{21},
		ImplicitTLSPorts: []uint16{990},
		DataTimeout:      30 * time.Second,
		MaxDialog:        10000,
		MaxConnections:   defaultMaxConnections,
	}
}

// Sink receives sessions as they conclude: when their control connection
// and every data connection tied to them have ended.
type Sink interface {
	Session(*model.Session)
}

// ChannelSink is implemented by a Sink that wants each data channel as soon
// as it concludes — its transfer got its final reply (or its announcement
// was refused) and its data connection, if any, ended — before the session
// it belongs to. Live outputs use it; the session still carries the channel.
type ChannelSink interface {
	Channel(session string, ch *model.Channel)
}

// LazySink is implemented by a Sink that builds the model of concluded
// sessions on a goroutine of its own: it receives, in order, a function
// that builds it, to be called once, from anywhere.
type LazySink interface {
	Sink
	SessionLater(build func() *model.Session)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(*model.Session)

// Session implements Sink.
func (f SinkFunc) Session(s *model.Session) { f(s) }

// defaultMaxConnections bounds the connection table: 131,072 connections
// take about 80 MiB; a SYN flood or scan beyond it costs only unrelated
// connections, the least recently active first.
const defaultMaxConnections = 1 << 17

// Timing of the analysis, in capture time.
const (
	tickEvery      = time.Second      // housekeeping period
	reorderWait    = 3 * time.Second  // out-of-order control data waits this long for a gap to fill
	controlLinger  = 6 * time.Second  // a closed control connection waits for late segments
	dataLinger     = 2 * time.Second  // a closed data connection likewise
	controlIdle    = 15 * time.Minute // a silent control connection is given up
	dataIdle       = 5 * time.Minute  // a silent data connection is given up
	otherIdle      = 2 * time.Minute  // a silent unrelated connection is forgotten
	maxClosingList = 1 << 16
)

// Analyzer turns packets into FTP sessions, data channels and transfers.
// It is not safe for concurrent use: one goroutine feeds it every packet,
// in capture order, and reads its results.
type Analyzer struct {
	cfg     Config
	sink    Sink
	sources []*capture.Info

	vantages       map[vantageKey]*vantage
	vantageList    []*vantage
	lastVantage    *vantage
	lastVantageKey vantageKey

	dec *decode.Decoder
	own decode.Segment  // Packet decodes here
	seg *decode.Segment // the segment being analysed

	ctlPorts      [1024]uint64 // bit set of control ports
	implicitPorts [1024]uint64

	conns connTable
	// lastConn is the connection of the previous TCP packet: segments
	// come in runs, and a key comparison is cheaper than the map.
	lastConn *conn
	lru      lruSet
	closing  []*conn
	connSeq  uint64

	// reordering lists the control streams with segments queued, for
	// the reorderWait timeout
	reordering []*controlStream

	exp      *expect.Table[*channel, *conn]
	tlsHosts map[hostPair]*session
	ftps     *ftps.Keys // nil without a key log

	sessionCount int
	// open are the sessions not yet emitted, each with the number of its
	// dialog entries (counting those dropped) that Updates sent final
	open map[*session]int
	// ftpHosts counts, per vantage and address, the control connections
	// open with that host at one end (pruned as they end): a connection
	// with payload touching one that no announcement claimed is counted as
	// an unmatched data connection.
	ftpHosts map[vantageAddr]int32

	now time.Time
	// the capture clock in nanoseconds, and when housekeeping is due: one
	// integer comparison per packet instead of time.Time arithmetic
	nowNS  int64
	tickAt int64
	// the clocks of the sources' interfaces (clock.go), and the payload
	// bytes of the packets they hold
	clocks       [][]*sourceClock
	lastClock    *sourceClock
	lastClockKey [2]int
	heldBytes    int

	stats        model.Stats
	decodeErrors []uint64
	frag         fragAccount
	finished     bool
	channelSink  ChannelSink // the sink, if it wants channels early
	intern       ftp.Interner
}

type hostPair struct {
	vantage        uint32
	client, server netip.Addr
}

type vantageAddr struct {
	vantage uint32
	addr    netip.Addr
}

// New returns an Analyzer over the given sources (their Info, used for
// labels and interface names), sending concluded sessions to sink.
func New(cfg Config, sources []*capture.Info, sink Sink) *Analyzer {
	if cfg.DataTimeout <= 0 {
		cfg.DataTimeout = 30 * time.Second
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = defaultMaxConnections
	}
	if len(cfg.ControlPorts) == 0 {
		cfg.ControlPorts = []uint16{21}
	}
	a := &Analyzer{
		cfg:          cfg,
		sink:         sink,
		sources:      sources,
		vantages:     map[vantageKey]*vantage{},
		dec:          decode.New(),
		conns:        newConnTable(),
		exp:          expect.New[*channel, *conn](cfg.DataTimeout),
		ftps:         ftps.NewKeys(cfg.TLSKeys, cfg.Live),
		tlsHosts:     map[hostPair]*session{},
		open:         map[*session]int{},
		ftpHosts:     map[vantageAddr]int32{},
		decodeErrors: make([]uint64, len(sources)),
	}
	a.channelSink, _ = sink.(ChannelSink)
	for _, p := range cfg.ControlPorts {
		a.ctlPorts[p/64] |= 1 << (p % 64)
	}
	for _, p := range cfg.ImplicitTLSPorts {
		a.ctlPorts[p/64] |= 1 << (p % 64)
		a.implicitPorts[p/64] |= 1 << (p % 64)
	}
	return a
}

func (a *Analyzer) isControlPort(p uint16) bool { return a.ctlPorts[p/64]&(1<<(p%64)) != 0 }

// Packet analyses one packet. Its bytes are not kept.
func (a *Analyzer) Packet(p *capture.Packet) {
	r := a.dec.DecodePacket(p, &a.own)
	if ns := p.Info.Timestamp.UnixNano(); a.followsClock(p, ns) {
		a.analyse(p, &a.own, r, ns)
	} else {
		a.clocked(p, &a.own, r)
	}
}

// Frame analyses one packet a decode.Decoder has decoded. Its bytes are not kept.
func (a *Analyzer) Frame(f *decode.Frame) {
	if ns := f.Packet.Info.Timestamp.UnixNano(); a.followsClock(&f.Packet, ns) {
		a.analyse(&f.Packet, &f.Segment, f.Result, ns)
	} else {
		a.clocked(&f.Packet, &f.Segment, f.Result)
	}
}

// analyse analyses a packet dated ns (its timestamp, in Unix nanoseconds)
// that its clock let through.
func (a *Analyzer) analyse(p *capture.Packet, s *decode.Segment, r decode.Result, ns int64) {
	a.seg = s
	a.stats.Packets++
	if ns > a.nowNS {
		a.nowNS, a.now = ns, p.Info.Timestamp
		if a.tickAt == 0 {
			a.tickAt = ns + int64(tickEvery)
		} else if ns >= a.tickAt {
			a.tick()
		}
	}
	switch r {
	case decode.TCP:
		a.stats.TCPPackets++
		a.tcp(p)
	case decode.ICMP:
		a.icmp(p)
	case decode.NotTCP:
		a.stats.NonTCPPackets++
	case decode.Truncated:
		a.stats.TruncatedPackets++
	case decode.Malformed:
		a.stats.DecodeErrors++
		if p.Source < len(a.decodeErrors) {
			a.decodeErrors[p.Source]++
		}
	case decode.Fragment, decode.Reassembled:
		a.fragments(p, s, r)
	}
	a.seg = nil // the frame's bytes are the reader's again
}

// Tick runs the housekeeping of a live capture at wall-clock time now, when
// no packet came to advance the capture clock.
func (a *Analyzer) Tick(now time.Time) {
	if now.After(a.now) {
		a.now, a.nowNS = now, now.UnixNano()
		a.tick()
	}
}

// Stats returns the counters of the run so far.
func (a *Analyzer) Stats() model.Stats {
	st := a.stats
	st.EvictedAnnouncements = a.exp.Evicted()
	a.frag.stats(&st)
	st.TimestampAnomalies = a.timestampAnomalies()
	return st
}

// DecodeErrors returns the decode errors counted for source i.
func (a *Analyzer) DecodeErrors(i int) uint64 {
	if i < len(a.decodeErrors) {
		return a.decodeErrors[i]
	}
	return 0
}

// SourceWarnings returns the warnings about source i's packets (IP
// fragments discarded as damaged or forged), bounded.
func (a *Analyzer) SourceWarnings(i int) []string {
	return append(a.frag.sourceWarnings(i), a.ftps.Warnings(i)...)
}

// Vantages lists the vantage points met, as "label" or "label/interface".
func (a *Analyzer) Vantages() []string {
	out := make([]string, len(a.vantageList))
	for i, v := range a.vantageList {
		out[i] = v.label
		if v.iface != "" {
			out[i] += "/" + v.iface
		}
	}
	return out
}

var errNotNumber = errors.New("not a number")

func itoa(n int) string     { return strconv.Itoa(n) }
func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
