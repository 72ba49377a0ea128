// Command decodelimit is the "decode limit" of issue 7: the practical floor
// for a Go analyzer of a capture file. It reads a pcap or pcapng file with
// pcapgo's ZeroCopyReadPacketData through a 1 MiB buffer, decodes each
// packet with one preallocated DecodingLayerParser (Ethernet, Linux SLL,
// IPv4, IPv6, TCP; other layers ignored) and counts TCP payload bytes per
// canonical 4-tuple, as /work/shared/research/perf.md describes. It is a
// benchmark probe, not part of ftpscope.
//
//	decodelimit [-mode decode|read] FILE
//
// It prints one line of counters: packets, TCP packets, decode errors,
// payload bytes, distinct 4-tuples, SYNs (without ACK) to port 21 and to
// other ports. -mode read only walks the records (no decode).
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// tuple is a canonical 4-tuple: the lower endpoint first, so both
// directions of a connection share it.
type tuple struct {
	a, b   [16]byte
	ap, bp uint16
}

type reader interface {
	ZeroCopyReadPacketData() ([]byte, gopacket.CaptureInfo, error)
}

func main() {
	mode := flag.String("mode", "decode", "decode (DecodingLayerParser + bytes per 4-tuple) or read (record walk only)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: decodelimit [-mode decode|read] FILE")
		os.Exit(2)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		fail(err)
	}
	var r reader
	link := layers.LinkTypeEthernet
	if binary.LittleEndian.Uint32(magic) == 0x0A0D0D0A {
		ng, err := pcapgo.NewNgReader(br, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			fail(err)
		}
		r, link = ng, ng.LinkType()
	} else {
		pr, err := pcapgo.NewReader(br)
		if err != nil {
			fail(err)
		}
		r, link = pr, pr.LinkType()
	}

	var (
		eth     layers.Ethernet
		sll     layers.LinuxSLL
		ip4     layers.IPv4
		ip6     layers.IPv6
		tcp     layers.TCP
		payload gopacket.Payload
	)
	first := layers.LayerTypeEthernet
	switch link {
	case layers.LinkTypeLinuxSLL:
		first = layers.LayerTypeLinuxSLL
	case layers.LinkTypeRaw, layers.LinkTypeIPv4:
		first = layers.LayerTypeIPv4
	case layers.LinkTypeIPv6:
		first = layers.LayerTypeIPv6
	}
	parser := gopacket.NewDecodingLayerParser(first, &eth, &sll, &ip4, &ip6, &tcp, &payload)
	parser.IgnoreUnsupported = true
	decoded := make([]gopacket.LayerType, 0, 8)
	flows := make(map[tuple]int64, 1<<16)

	var packets, tcpPackets, errs, bytes, syn21, synOther uint64
	for {
		data, _, err := r.ZeroCopyReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(err)
		}
		packets++
		if *mode == "read" {
			bytes += uint64(len(data))
			continue
		}
		if err := parser.DecodeLayers(data, &decoded); err != nil {
			errs++
		}
		var v6, isTCP bool
		for _, t := range decoded {
			switch t {
			case layers.LayerTypeIPv6:
				v6 = true
			case layers.LayerTypeTCP:
				isTCP = true
			}
		}
		if !isTCP {
			continue
		}
		tcpPackets++
		var k tuple
		var src, dst []byte
		if v6 {
			src, dst = ip6.SrcIP, ip6.DstIP
		} else {
			src, dst = ip4.SrcIP, ip4.DstIP
		}
		sp, dp := uint16(tcp.SrcPort), uint16(tcp.DstPort)
		if c := compare(src, dst); c < 0 || c == 0 && sp <= dp {
			copy(k.a[:], src)
			copy(k.b[:], dst)
			k.ap, k.bp = sp, dp
		} else {
			copy(k.a[:], dst)
			copy(k.b[:], src)
			k.ap, k.bp = dp, sp
		}
		n := len(tcp.Payload)
		flows[k] += int64(n)
		bytes += uint64(n)
		if tcp.SYN && !tcp.ACK {
			if dp == 21 {
				syn21++
			} else {
				synOther++
			}
		}
	}
	fmt.Printf("packets=%d tcp=%d errors=%d payload=%d tuples=%d syn21=%d synother=%d\n",
		packets, tcpPackets, errs, bytes, len(flows), syn21, synOther)
}

func compare(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "decodelimit:", err)
	os.Exit(1)
}
