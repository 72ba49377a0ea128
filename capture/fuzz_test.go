package capture

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/ftpscope/ftpscope/internal/fuzzbound"
	"github.com/ftpscope/ftpscope/internal/testcorpus"
)

// The fuzz targets read whole capture files as OpenFile does. Each target
// starts from seeds of its own format (the lab captures and the external
// corpus, converted where needed); an input of another format is read all
// the same, since the format is told from the content. Every input must
// end in io.EOF or a *ReadError, never a panic, and must allocate no more
// than the reader's buffers and what the input itself holds.

// seedBytes is the largest capture taken as a seed: small seeds keep the
// fuzzer fast.
const seedBytes = 16 << 10

// readerAllocLimit bounds what reading one input may allocate: the two
// read-ahead buffers (plain and decompressed), gzip's window and tables,
// and the input again a few times (packet buffers, decompressed bytes).
func readerAllocLimit(input int) uint64 { return 4*readBufferSize + 1<<20 + 16*uint64(input) }

// pcapSeeds returns the classic pcap seeds.
func pcapSeeds() [][]byte {
	var out [][]byte
	for _, path := range testcorpus.Captures(seedBytes) {
		b, err := os.ReadFile(path)
		if err != nil || len(b) < 24 {
			continue
		}
		switch binary.LittleEndian.Uint32(b) {
		case magicMicroseconds, magicNanoseconds:
			out = append(out, b)
		}
	}
	if len(out) == 0 {
		out = append(out, threePackets())
	}
	return out
}

// pcapngOfSeed rewrites a classic pcap as pcapng with two interfaces of its
// link type, packets alternating between them: the fuzzer then starts from
// files with several interface blocks.
func pcapngOfSeed(pcap []byte) ([]byte, bool) {
	r, err := pcapgo.NewReader(bytes.NewReader(pcap))
	if err != nil {
		return nil, false
	}
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriterInterface(&buf, pcapgo.NgInterface{Name: "inside", LinkType: r.LinkType(), SnapLength: 262144}, pcapgo.DefaultNgWriterOptions)
	if err != nil {
		return nil, false
	}
	second, err := w.AddInterface(pcapgo.NgInterface{Name: "outside", LinkType: r.LinkType(), SnapLength: 262144})
	if err != nil {
		return nil, false
	}
	for i := 0; ; i++ {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			break
		}
		if i%2 == 1 {
			ci.InterfaceIndex = second
		}
		if w.WritePacket(ci, data) != nil {
			return nil, false
		}
	}
	return buf.Bytes(), w.Flush() == nil
}

func gzipOf(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// readWhole reads one input to its end and checks what a reader promises.
func readWhole(t *testing.T, data []byte) {
	before := fuzzbound.Allocated()
	f, err := OpenReader("fuzz", "fuzz.pcap", io.NopCloser(bytes.NewReader(data)), 3)
	if err != nil {
		if err.Error() == "" {
			t.Fatal("an error without a message")
		}
		return
	}
	defer f.Close()
	var frame uint64
	for {
		p, err := f.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var re *ReadError
			if !errors.As(err, &re) || re.Offset < 0 || re.Packets != frame || re.Error() == "" {
				t.Fatalf("after %d packets: %v (%T), want a *ReadError that counts them", frame, err, err)
			}
			if _, again := f.Next(); again != err {
				t.Fatalf("Next after an error returned %v, want the same error", again)
			}
			break
		}
		frame++
		if p.Frame != frame || p.Source != 3 || len(p.Data) != p.Info.CaptureLength || p.Info.CaptureLength > p.Info.Length {
			t.Fatalf("packet %d: frame %d, source %d, %d bytes of %d captured of %d", frame, p.Frame, p.Source, len(p.Data), p.Info.CaptureLength, p.Info.Length)
		}
		// a record takes at least 16 bytes of the (decompressed) file: a
		// reader that yields packets out of nothing loops
		if f.consumed() < int64(16*frame) {
			t.Fatalf("%d packets from %d bytes", frame, f.consumed())
		}
	}
	if f.Info().Packets != frame {
		t.Fatalf("Info counts %d packets, Next returned %d", f.Info().Packets, frame)
	}
	// bounded by the bytes the input holds, decompressed
	fuzzbound.Check(t, before, readerAllocLimit(max(len(data), int(f.counter.n))))
}

// FuzzPcapReader reads classic pcap files (both byte orders, micro- and
// nanosecond timestamps).
func FuzzPcapReader(f *testing.F) {
	for _, b := range pcapSeeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { readWhole(t, data) })
}

// FuzzPcapngReader reads pcapng files: section, interface and packet
// blocks of any link type.
func FuzzPcapngReader(f *testing.F) {
	for _, b := range pcapSeeds() {
		if ng, ok := pcapngOfSeed(b); ok {
			f.Add(ng)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) { readWhole(t, data) })
}

// FuzzGzipReader reads gzip-compressed captures. An input that is not
// gzip is compressed first, so that the fuzzer explores both damaged
// compressed streams and what well-formed streams decompress to.
func FuzzGzipReader(f *testing.F) {
	for _, b := range pcapSeeds() {
		f.Add(gzipOf(b))
		if ng, ok := pcapngOfSeed(b); ok {
			f.Add(gzipOf(ng))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
			data = gzipOf(data)
		}
		readWhole(t, data)
	})
}
