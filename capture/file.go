package capture

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ftpscope/ftpscope/internal/textfmt"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// readBufferSize is the read-ahead of a capture file: large enough that the
// reader rarely calls into the kernel, small enough not to matter in RSS.
const readBufferSize = 1 << 20

const (
	magicPcapng       = 0x0A0D0D0A
	magicMicroseconds = 0xA1B2C3D4
	magicNanoseconds  = 0xA1B23C4D
)

// ReadError reports a capture file that could not be read to its end.
// Packets read before it are valid.
type ReadError struct {
	Name    string
	Offset  int64 // byte offset of the damaged record, in the (uncompressed) file
	Packets uint64
	Err     error
}

func (e *ReadError) Error() string {
	what := "damaged packet record"
	if errors.Is(e.Err, io.ErrUnexpectedEOF) {
		what = "truncated packet record"
	}
	msg := fmt.Sprintf("%s at offset %d: analysed %s packets before it", what, e.Offset, textfmt.Thousands(int64(e.Packets)))
	if !errors.Is(e.Err, io.ErrUnexpectedEOF) {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

func (e *ReadError) Unwrap() error { return e.Err }

// File reads a pcap or pcapng file, either possibly gzip-compressed.
type File struct {
	info    Info
	closer  io.Closer
	records *pcapRecords     // the records of a classic pcap file, or
	ng      *pcapgo.NgReader // those of a pcapng file
	link    layers.LinkType  // of a classic pcap file
	snaplen uint32           // of a classic pcap file
	// offset bookkeeping: consumed = counted - buffered
	counter  *countingReader
	buf      *bufio.Reader
	pcapNext int64 // offset of the next record of a classic pcap file
	frame    uint64
	index    int
	err      error
	vantages []vantageName // by pcapng interface index
}

// OpenFile opens path ("-" for standard input) as a capture file. The
// format is told from the content, not from the name.
func OpenFile(label, path string, index int) (*File, error) {
	var rc io.ReadCloser
	if path == "-" {
		rc = io.NopCloser(os.Stdin)
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		rc = f
	}
	if label == "" {
		label = filepath.Base(path)
		if path == "-" {
			label = "stdin"
		}
	}
	fs, err := OpenReader(label, path, rc, index)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return fs, nil
}

// OpenReader reads a capture file from rc; name is how messages call it.
func OpenReader(label, name string, rc io.ReadCloser, index int) (*File, error) {
	f := &File{info: Info{Label: label, Kind: "file", Name: name, Interfaces: map[int]string{}}, closer: rc, index: index}
	f.counter = &countingReader{r: rc}
	f.buf = bufio.NewReaderSize(f.counter, readBufferSize)
	magic, err := f.buf.Peek(4)
	if err != nil {
		if len(magic) == 0 {
			return nil, errors.New("empty file")
		}
		return nil, fmt.Errorf("too short for a capture file (%d bytes)", len(magic))
	}
	if magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(f.buf)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		f.counter = &countingReader{r: gz}
		f.buf = bufio.NewReaderSize(f.counter, readBufferSize)
		if magic, err = f.buf.Peek(4); err != nil {
			return nil, fmt.Errorf("gzip-compressed, but too short for a capture file")
		}
	}
	switch m := binary.LittleEndian.Uint32(magic); {
	case m == magicPcapng:
		ng, err := pcapgo.NewNgReader(f.buf, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil, fmt.Errorf("pcapng: %w", err)
		}
		f.ng = ng
		f.noteInterfaces()
	case m == magicMicroseconds, m == magicNanoseconds, binary.BigEndian.Uint32(magic) == magicMicroseconds, binary.BigEndian.Uint32(magic) == magicNanoseconds:
		r, h, err := newPcapRecords(f.buf)
		if err != nil {
			return nil, fmt.Errorf("pcap: %w", err)
		}
		f.records, f.link, f.snaplen = r, h.LinkType(), h.Snaplen()
		f.pcapNext = 24
		f.info.noteLinkType(f.link)
	default:
		return nil, fmt.Errorf("not a pcap or pcapng file (starts with %x)", magic)
	}
	return f, nil
}

// Next implements Source.
func (f *File) Next() (Packet, error) {
	var p Packet
	if err := f.NextInto(&p); err != nil {
		return Packet{}, err
	}
	return p, nil
}

// NextInto is Next writing the packet into p, every field of it, for a
// reader that fills frames it keeps: a packet is 136 bytes, and handing it
// back by value copied it twice more on the way to the frame (about a
// fifth of the reader's time on mix-eth, BenchmarkReadAhead). On an error
// p is undefined.
func (f *File) NextInto(p *Packet) error {
	if f.err != nil {
		return f.err
	}
	start := f.consumed()
	var data []byte
	var err error
	if f.records != nil {
		data, err = f.records.readInto(&p.Info)
	} else {
		data, p.Info, err = f.ng.ZeroCopyReadPacketData()
	}
	if err != nil {
		if err == io.EOF {
			f.err = io.EOF
		} else {
			f.err = &ReadError{Name: f.info.Name, Offset: start, Packets: f.info.Packets, Err: err}
		}
		return f.err
	}
	ci := &p.Info
	lt := f.link
	var iface string
	if f.ng != nil {
		// pcapng readers take an original length below the captured one
		// (classic pcap refuses it): what was captured was on the wire.
		ci.Length = max(ci.Length, ci.CaptureLength)
		if len(ci.AncillaryData) > 0 {
			lt, _ = ci.AncillaryData[0].(layers.LinkType)
		}
		iface = f.vantageOf(ci.InterfaceIndex)
	} else {
		f.pcapNext += 16 + int64(ci.CaptureLength)
	}
	f.frame++
	f.info.count(ci, lt)
	p.Data, p.LinkType, p.Source, p.Frame, p.Interface = data, lt, f.index, f.frame, iface
	return nil
}

// vantageOf returns Packet.Interface for the packets of pcapng interface
// i: its name when the file has several interfaces, "" when it has one. It
// is decided at the interface's first packet and kept: an interface block
// that comes later in the file must not split the vantage point of the
// packets before it from those after.
func (f *File) vantageOf(i int) string {
	if i >= 0 && i < len(f.vantages) && f.vantages[i].known {
		return f.vantages[i].name
	}
	name, ok := f.info.Interfaces[i]
	if !ok {
		f.noteInterfaces()
		name = f.info.Interfaces[i]
	}
	if len(f.info.Interfaces) == 1 {
		name = ""
	}
	if i >= 0 && i < 1<<16 {
		for len(f.vantages) <= i {
			f.vantages = append(f.vantages, vantageName{})
		}
		f.vantages[i] = vantageName{name, true}
	}
	return name
}

// vantageName is the decided Packet.Interface of one pcapng interface.
type vantageName struct {
	name  string
	known bool
}

// consumed returns the offset of the next unread byte.
func (f *File) consumed() int64 {
	if f.ng == nil && f.pcapNext > 0 {
		return f.pcapNext
	}
	return f.counter.n - int64(f.buf.Buffered())
}

func (f *File) noteInterfaces() {
	for i := 0; i < f.ng.NInterfaces(); i++ {
		if _, ok := f.info.Interfaces[i]; ok {
			continue
		}
		iface, err := f.ng.Interface(i)
		if err != nil {
			continue
		}
		name := iface.Name
		if name == "" {
			name = fmt.Sprintf("if%d", i)
		}
		f.info.Interfaces[i] = name
	}
}

// InterfaceBlock describes capture interface i of the file as a pcapng
// interface block does: the file's own block in a pcapng file, without its
// statistics and timestamp offset (timestamps are read with it applied);
// the one interface of a classic pcap file, which has no name.
func (f *File) InterfaceBlock(i int) (pcapgo.NgInterface, bool) {
	if f.ng == nil {
		if i != 0 {
			return pcapgo.NgInterface{}, false
		}
		return pcapgo.NgInterface{LinkType: f.link, SnapLength: f.snaplen}, true
	}
	iface, err := f.ng.Interface(i)
	if err != nil {
		return pcapgo.NgInterface{}, false
	}
	return pcapgo.NgInterface{Name: iface.Name, Comment: iface.Comment, Description: iface.Description,
		Filter: iface.Filter, OS: iface.OS, LinkType: iface.LinkType, SnapLength: iface.SnapLength}, true
}

// Info implements Source.
func (f *File) Info() *Info { return &f.info }

// Close implements Source.
func (f *File) Close() error { return f.closer.Close() }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
