package capture

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/pcapgo"
)

// classicPcap builds a classic pcap file of the given byte order and
// magic, snapshot length 65535, with one record per payload (original
// length: the payload's plus wire).
func classicPcap(order binary.ByteOrder, magic uint32, wire int, payloads ...[]byte) []byte {
	var b bytes.Buffer
	hdr := make([]byte, 24)
	order.PutUint32(hdr[0:], magic)
	order.PutUint16(hdr[4:], 2)
	order.PutUint16(hdr[6:], 4)
	order.PutUint32(hdr[16:], 65535)
	order.PutUint32(hdr[20:], 1) // Ethernet
	b.Write(hdr)
	for i, p := range payloads {
		rec := make([]byte, 16)
		order.PutUint32(rec[0:], uint32(1765000000+i))
		order.PutUint32(rec[4:], uint32(999_999_000+i)) // nanoseconds: over a second as microseconds
		order.PutUint32(rec[8:], uint32(len(p)))
		order.PutUint32(rec[12:], uint32(len(p)+wire))
		b.Write(rec)
		b.Write(p)
	}
	return b.Bytes()
}

// readAllRecords reads records until the first error, as File.Next does,
// copying each record's bytes (valid only until the next read).
type record struct {
	data []byte
	ci   gopacket.CaptureInfo
}

// packetReader is what pcapgo's readers and pcapRecords have in common.
type packetReader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

// ZeroCopyReadPacketData is readInto in pcapgo's shape, to read both alike.
func (r *pcapRecords) ZeroCopyReadPacketData() (data []byte, ci gopacket.CaptureInfo, err error) {
	data, err = r.readInto(&ci)
	return data, ci, err
}

func readAllRecords(r packetReader) ([]record, string) {
	var out []record
	for {
		data, ci, err := r.ZeroCopyReadPacketData()
		if err != nil {
			return out, err.Error()
		}
		out = append(out, record{append([]byte(nil), data...), ci})
	}
}

// sameAsPcapgo checks that pcapRecords reads file as pcapgo.Reader does:
// the same header error, or the same records and the same final error.
func sameAsPcapgo(t *testing.T, name string, file []byte, bufSize int) {
	t.Helper()
	want, werr := pcapgo.NewReader(bytes.NewReader(file))
	got, h, gerr := newPcapRecords(bufio.NewReaderSize(bytes.NewReader(file), bufSize))
	if werr != nil || gerr != nil {
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Errorf("%s: header error %v, pcapgo %v", name, gerr, werr)
		}
		return
	}
	if h.LinkType() != want.LinkType() || h.Snaplen() != want.Snaplen() {
		t.Errorf("%s: link type %v snaplen %d, pcapgo %v %d", name, h.LinkType(), h.Snaplen(), want.LinkType(), want.Snaplen())
	}
	wantRecs, wantErr := readAllRecords(want)
	gotRecs, gotErr := readAllRecords(got)
	if gotErr != wantErr || !reflect.DeepEqual(gotRecs, wantRecs) {
		t.Errorf("%s: %d records, then %q; pcapgo %d records, then %q", name, len(gotRecs), gotErr, len(wantRecs), wantErr)
	}
}

func TestPcapRecordsReadAsPcapgo(t *testing.T) {
	payloads := [][]byte{bytes.Repeat([]byte{0xab}, 60), {}, bytes.Repeat([]byte{0x5a}, 1514), []byte("x")}
	for _, c := range []struct {
		name  string
		order binary.ByteOrder
		magic uint32
	}{
		{"little-endian µs", binary.LittleEndian, magicMicroseconds},
		{"little-endian ns", binary.LittleEndian, magicNanoseconds},
		{"big-endian µs", binary.BigEndian, magicMicroseconds},
		{"big-endian ns", binary.BigEndian, magicNanoseconds},
	} {
		file := classicPcap(c.order, c.magic, 0, payloads...)
		sameAsPcapgo(t, c.name, file, readBufferSize)
		// every truncation: in the header, a record header, a record
		for cut := 0; cut < len(file); cut++ {
			sameAsPcapgo(t, fmt.Sprintf("%s cut at %d", c.name, cut), file[:cut], readBufferSize)
		}
		// a buffer smaller than a record: the long path
		sameAsPcapgo(t, c.name+", 64-byte buffer", file, 64)
		sameAsPcapgo(t, c.name+", 64-byte buffer, cut", file[:len(file)-700], 64)
	}
	// corrupt lengths: captured beyond the original length, beyond the snapshot length
	sameAsPcapgo(t, "caplen > len", classicPcap(binary.LittleEndian, magicMicroseconds, -1, payloads...), readBufferSize)
	huge := classicPcap(binary.LittleEndian, magicMicroseconds, 0, []byte("abc"))
	binary.LittleEndian.PutUint32(huge[24+8:], 1<<30)
	binary.LittleEndian.PutUint32(huge[24+12:], 1<<30)
	sameAsPcapgo(t, "caplen > snaplen", huge, readBufferSize)
	bad := classicPcap(binary.LittleEndian, magicMicroseconds, 0, []byte("abc"))
	binary.LittleEndian.PutUint16(bad[4:], 3)
	sameAsPcapgo(t, "unknown version", bad, readBufferSize)
}

// The sample captures read the same through both readers.
func TestPcapRecordsReadSamplesAsPcapgo(t *testing.T) {
	files, _ := filepath.Glob("../samples/captures/*/*.pcap")
	if len(files) == 0 {
		t.Skip("no sample captures")
	}
	for _, path := range files {
		file, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if m := binary.LittleEndian.Uint32(file); m != magicMicroseconds && m != magicNanoseconds &&
			binary.BigEndian.Uint32(file) != magicMicroseconds && binary.BigEndian.Uint32(file) != magicNanoseconds {
			continue // pcapng
		}
		sameAsPcapgo(t, path, file, readBufferSize)
	}
}

// BenchmarkFileNext reads the records of an in-memory classic pcap file of
// 32,768 mix-sized frames (174 bytes) through File.Next.
func BenchmarkFileNext(b *testing.B) {
	frames := make([][]byte, 32768)
	for i := range frames {
		frames[i] = bytes.Repeat([]byte{byte(i)}, 174)
	}
	file := classicPcap(binary.LittleEndian, magicMicroseconds, 0, frames...)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := OpenReader("b", "b", io.NopCloser(bytes.NewReader(file)), 0)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			if _, err := f.Next(); err != nil {
				break
			}
			n++
		}
		if n != len(frames) {
			b.Fatalf("%d frames", n)
		}
	}
}
