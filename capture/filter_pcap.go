//go:build cgo && !nopcap

package capture

import (
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
	"golang.org/x/net/bpf"
)

// HaveLibpcap reports whether this build links libpcap.
const HaveLibpcap = true

func compileFilter(lt layers.LinkType, expr string) ([]bpf.RawInstruction, error) {
	insns, err := pcap.CompileBPFFilter(lt, filterSnaplen, expr)
	if err != nil {
		return nil, err
	}
	raw := make([]bpf.RawInstruction, len(insns))
	for i, in := range insns {
		raw[i] = bpf.RawInstruction{Op: in.Code, Jt: in.Jt, Jf: in.Jf, K: in.K}
	}
	return raw, nil
}
