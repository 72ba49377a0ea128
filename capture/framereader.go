package capture

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// FrameReader reads frames of a capture file back by number, to show them
// (the terminal UI's frame view). The first read scans the file once for
// the offset of every 64th packet record — 16 bytes per 64 frames — and,
// in pcapng, the section and interface blocks each needs; a frame is then
// a seek to the record before it and at most 63 records read on. A
// gzip-compressed file cannot seek: it is read from its start up to the
// frame. Safe for concurrent use.
type FrameReader struct {
	label, path string

	mu      sync.Mutex
	indexed bool
	err     error // of the index: the file cannot be indexed
	gz      bool
	pcapHdr []byte // the classic pcap file header
	order   binary.ByteOrder
	// pcapng: each section's header block and its interface blocks, in
	// file order, so that a read from a checkpoint starts as a reader of
	// that section would.
	sections []ngSection
	checks   []checkpoint
	frames   uint64
}

type ngSection struct {
	shb  []byte
	idbs []rawBlock
}

type rawBlock struct {
	off  int64
	data []byte
}

// checkpoint is where frame 1+64k's record starts.
type checkpoint struct {
	off     int64
	section int32
}

const (
	framesPerCheckpoint = 64
	// An interface or section block larger than this is not a capture
	// ftpscope wrote or read: the index refuses it rather than hold it.
	maxHeaderBlock = 1 << 20
	maxInterfaces  = 4096
)

// NewFrameReader reads frames of the capture file at path; label names the
// source in its packets.
func NewFrameReader(label, path string) *FrameReader {
	return &FrameReader{label: label, path: path}
}

// Frames is the number of frames in the file, once indexed (0 before).
func (r *FrameReader) Frames() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.frames
}

// Frame returns frame n (1-based, as Wireshark counts). Its Data is its
// own.
func (r *FrameReader) Frame(n uint64) (Packet, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n == 0 {
		return Packet{}, errors.New("frame 0: frames count from 1")
	}
	if !r.indexed {
		r.err = r.index()
		r.indexed = true
	}
	if r.err != nil {
		return Packet{}, r.err
	}
	if r.gz {
		return r.scanTo(n)
	}
	if n > r.frames {
		return Packet{}, fmt.Errorf("frame %d: %s has %d frames", n, r.path, r.frames)
	}
	cp := r.checks[(n-1)/framesPerCheckpoint]
	f, err := os.Open(r.path)
	if err != nil {
		return Packet{}, err
	}
	defer f.Close()
	// The file again from the checkpoint, behind the headers a reader
	// needs there: the pcap header, or the section's header block and the
	// interface blocks that came before the checkpoint.
	var prefix bytes.Buffer
	if r.pcapHdr != nil {
		prefix.Write(r.pcapHdr)
	} else {
		s := &r.sections[cp.section]
		prefix.Write(s.shb)
		for _, b := range s.idbs {
			if b.off < cp.off {
				prefix.Write(b.data)
			}
		}
	}
	rest := io.NewSectionReader(f, cp.off, 1<<62)
	src, err := OpenReader(r.label, r.path, io.NopCloser(io.MultiReader(&prefix, rest)), 0)
	if err != nil {
		return Packet{}, err
	}
	skip := (n - 1) % framesPerCheckpoint
	for i := uint64(0); ; i++ {
		p, err := src.Next()
		if err != nil {
			return Packet{}, fmt.Errorf("frame %d of %s: %v", n, r.path, err)
		}
		if i == skip {
			p.Data = append([]byte(nil), p.Data...)
			p.Frame = n
			return p, nil
		}
	}
}

// scanTo reads a file that cannot seek from its start up to frame n.
func (r *FrameReader) scanTo(n uint64) (Packet, error) {
	src, err := OpenFile(r.label, r.path, 0)
	if err != nil {
		return Packet{}, err
	}
	defer src.Close()
	for {
		p, err := src.Next()
		if err == io.EOF {
			return Packet{}, fmt.Errorf("frame %d: %s has %d frames", n, r.path, src.Info().Packets)
		}
		if err != nil {
			return Packet{}, err
		}
		if p.Frame == n {
			p.Data = append([]byte(nil), p.Data...)
			return p, nil
		}
	}
}

// index scans the file's record headers.
func (r *FrameReader) index() error {
	f, err := os.Open(r.path)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	magic, err := br.Peek(4)
	if err != nil {
		return fmt.Errorf("%s: too short for a capture file", r.path)
	}
	if magic[0] == 0x1f && magic[1] == 0x8b {
		r.gz = true
		return nil
	}
	switch m := binary.LittleEndian.Uint32(magic); {
	case m == magicPcapng:
		return r.indexPcapng(br)
	case m == magicMicroseconds, m == magicNanoseconds:
		r.order = binary.LittleEndian
	case binary.BigEndian.Uint32(magic) == magicMicroseconds, binary.BigEndian.Uint32(magic) == magicNanoseconds:
		r.order = binary.BigEndian
	default:
		return fmt.Errorf("%s: not a pcap or pcapng file", r.path)
	}
	return r.indexPcap(br)
}

func (r *FrameReader) indexPcap(br *bufio.Reader) error {
	r.pcapHdr = make([]byte, 24)
	if _, err := io.ReadFull(br, r.pcapHdr); err != nil {
		return fmt.Errorf("%s: truncated pcap header", r.path)
	}
	off := int64(24)
	var rec [16]byte
	for {
		if _, err := io.ReadFull(br, rec[:]); err != nil {
			return nil // the end, or damage: the frames before it stay
		}
		incl := int64(r.order.Uint32(rec[8:12]))
		r.note(off, 0)
		if _, err := br.Discard(int(incl)); err != nil {
			r.frames-- // its bytes are missing
			return nil
		}
		off += 16 + incl
	}
}

// note records a packet record at off.
func (r *FrameReader) note(off int64, section int) {
	if r.frames%framesPerCheckpoint == 0 {
		r.checks = append(r.checks, checkpoint{off, int32(section)})
	}
	r.frames++
}

func (r *FrameReader) indexPcapng(br *bufio.Reader) error {
	var off int64
	var hdr [12]byte
	order := binary.ByteOrder(binary.LittleEndian)
	for {
		n, err := io.ReadFull(br, hdr[:8])
		if err != nil {
			if n == 0 && err == io.EOF {
				return nil
			}
			return nil // damage: the frames before it stay
		}
		typ := binary.LittleEndian.Uint32(hdr[:4])
		if typ == 0x0A0D0D0A { // section header: its own byte order
			if _, err := io.ReadFull(br, hdr[8:12]); err != nil {
				return nil
			}
			switch binary.LittleEndian.Uint32(hdr[8:12]) {
			case 0x1A2B3C4D:
				order = binary.LittleEndian
			case 0x4D3C2B1A:
				order = binary.BigEndian
			default:
				return fmt.Errorf("%s: pcapng section at offset %d has no byte-order magic", r.path, off)
			}
		} else {
			typ = order.Uint32(hdr[:4])
		}
		length := int64(order.Uint32(hdr[4:8]))
		if length < 12 || length%4 != 0 {
			return nil // damage
		}
		read := int64(8)
		if typ == 0x0A0D0D0A {
			read = 12
		}
		switch typ {
		case 0x0A0D0D0A, 1: // section header, interface description
			if length > maxHeaderBlock {
				return fmt.Errorf("%s: a pcapng header block of %d bytes at offset %d", r.path, length, off)
			}
			b := make([]byte, length)
			copy(b, hdr[:read])
			if _, err := io.ReadFull(br, b[read:]); err != nil {
				return nil
			}
			if typ == 1 {
				if len(r.sections) == 0 {
					return fmt.Errorf("%s: an interface block before any section", r.path)
				}
				s := &r.sections[len(r.sections)-1]
				if len(s.idbs) == maxInterfaces {
					return fmt.Errorf("%s: more than %d interfaces in a section", r.path, maxInterfaces)
				}
				s.idbs = append(s.idbs, rawBlock{off, b})
			} else {
				r.sections = append(r.sections, ngSection{shb: b})
			}
		default:
			if typ == 2 || typ == 3 || typ == 6 { // packet, simple and enhanced packet blocks
				if len(r.sections) == 0 {
					return fmt.Errorf("%s: a packet block before any section", r.path)
				}
				r.note(off, len(r.sections)-1)
			}
			if _, err := br.Discard(int(length - read)); err != nil {
				if typ == 2 || typ == 3 || typ == 6 {
					r.frames--
				}
				return nil
			}
		}
		off += length
	}
}
