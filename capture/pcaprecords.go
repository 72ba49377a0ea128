package capture

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// pcapRecords reads the packet records of a classic pcap file straight
// out of the file's read buffer: a record's bytes are returned where the
// bufio.Reader holds them (Peek), valid until the next read. pcapgo.Reader
// copied each record through a bufio.Reader of its own into a buffer of
// its own, two more copies of every byte read. The checks, the errors and
// the CaptureInfo are pcapgo's; so is the file header, which pcapgo
// validates (newPcapRecords).
type pcapRecords struct {
	buf            *bufio.Reader
	order          binary.ByteOrder
	nanoSecsFactor uint32
	snaplen        uint32
}

// pcapgo's bound on a record read at once (pcapgo/readfull.go): longer
// ones are read as their bytes come, so that a corrupt length cannot make
// the reader allocate it up front.
const pcapgoEagerReadMax = 262144

// newPcapRecords reads the 24-byte file header from buf, as pcapgo does
// (same checks, same errors), and returns the reader of the records after
// it with the header's link type and snapshot length.
func newPcapRecords(buf *bufio.Reader) (*pcapRecords, *pcapgo.Reader, error) {
	hdr, err := buf.Peek(24)
	if err != nil && err != io.EOF {
		return nil, nil, err // as io.ReadFull would; a short file pcapgo reports from what there is
	}
	h, err := pcapgo.NewReader(bytes.NewReader(hdr))
	if err != nil {
		return nil, nil, err
	}
	if _, err := buf.Discard(24); err != nil {
		return nil, nil, err
	}
	r := &pcapRecords{buf: buf, snaplen: h.Snaplen(), order: binary.LittleEndian, nanoSecsFactor: 1000}
	switch { // pcapgo accepted the magic: one of four
	case binary.LittleEndian.Uint32(hdr) == magicNanoseconds:
		r.nanoSecsFactor = 1
	case binary.BigEndian.Uint32(hdr) == magicMicroseconds:
		r.order = binary.BigEndian
	case binary.BigEndian.Uint32(hdr) == magicNanoseconds:
		r.order, r.nanoSecsFactor = binary.BigEndian, 1
	}
	return r, h, nil
}

// readInto reads the next record, its CaptureInfo into ci (every field of
// it), and returns its bytes.
func (r *pcapRecords) readInto(ci *gopacket.CaptureInfo) (data []byte, err error) {
	hdr, err := r.buf.Peek(16)
	if err != nil {
		r.buf.Discard(len(hdr))
		*ci = gopacket.CaptureInfo{}
		return nil, fullReadError(len(hdr), err)
	}
	*ci = gopacket.CaptureInfo{
		Timestamp:     time.Unix(int64(r.order.Uint32(hdr[0:4])), int64(r.order.Uint32(hdr[4:8])*r.nanoSecsFactor)).UTC(),
		CaptureLength: int(r.order.Uint32(hdr[8:12])),
		Length:        int(r.order.Uint32(hdr[12:16])),
	}
	r.buf.Discard(16)
	if ci.CaptureLength > max(int(r.snaplen), pcapgoEagerReadMax) {
		return nil, fmt.Errorf("capture length exceeds snap length: %d > %d", ci.CaptureLength, r.snaplen)
	}
	if ci.CaptureLength > ci.Length {
		return nil, fmt.Errorf("capture length exceeds original packet length: %d > %d", ci.CaptureLength, ci.Length)
	}
	n := ci.CaptureLength
	if n > r.buf.Size() {
		return r.readLong(n)
	}
	data, err = r.buf.Peek(n)
	r.buf.Discard(len(data))
	if err != nil {
		return nil, fullReadError(len(data), err)
	}
	return data[:n:n], nil
}

// readLong reads a record longer than the read buffer (a snapshot length
// over 1 MiB), as its bytes come, with io.ReadFull's errors.
func (r *pcapRecords) readLong(n int) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(pcapgoEagerReadMax)
	m, err := io.CopyN(&b, r.buf, int64(n))
	if err != nil {
		return nil, fullReadError(int(m), err)
	}
	return b.Bytes(), nil
}

// fullReadError is what io.ReadFull returns after got bytes and err.
func fullReadError(got int, err error) error {
	if err == io.EOF && got > 0 {
		return io.ErrUnexpectedEOF
	}
	return err
}
