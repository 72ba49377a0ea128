//go:build cgo && !nopcap

package capture

import (
	"errors"
	"fmt"
	"io"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcap"
)

// LiveBackend names the capture library of this build.
const LiveBackend = "libpcap"

// OpenLive starts a live capture through libpcap: a kernel buffer of
// cfg.BufferSize, packets delivered at least every cfg.ReadTimeout,
// promiscuous mode if asked (not on "any"), and on "any" Linux cooked v2 headers
// (interface index and direction per packet). The filter expression is
// compiled by libpcap and runs in the kernel.
//
// Not immediate mode: with it libpcap uses a TPACKET_V2 ring of fixed-size
// frames, each as large as the snapshot length unless the interface is
// Ethernet without offloads, so on "any" a 64 MiB buffer held only 256
// packets of 256 KiB and ftpscope lost 55 % of a 190k packets/s load
// (bench/live/RESULTS.md). Without it, TPACKET_V3 packs packets into
// blocks that the kernel hands over when full or after the read timeout:
// the same buffer holds tens of thousands of packets, at the price of up
// to one read timeout of latency.
func OpenLive(cfg LiveConfig) (*Live, error) {
	cfg.defaults(DefaultBufferSize)
	h, err := openPcap(cfg)
	if err != nil {
		if isPermission(err) {
			return nil, &PermissionError{Interface: cfg.Interface, Err: err}
		}
		return nil, err
	}
	l := newLive(cfg, &pcapHandle{h: h}, h.LinkType())
	if cfg.Interface == "any" && h.LinkType() != layers.LinkTypeLinuxSLL2 {
		l.info.Warnings = append(l.info.Warnings, "libpcap cannot give Linux cooked v2 headers on any: interfaces are not told apart")
	}
	return l, nil
}

func openPcap(cfg LiveConfig) (*pcap.Handle, error) {
	in, err := pcap.NewInactiveHandle(cfg.Interface)
	if err != nil {
		return nil, err
	}
	defer in.CleanUp()
	for _, step := range []struct {
		what string
		err  error
	}{
		{"snapshot length", in.SetSnapLen(cfg.SnapLen)},
		{"promiscuous mode", in.SetPromisc(cfg.Promiscuous && cfg.Interface != "any")},
		{"read timeout", in.SetTimeout(cfg.ReadTimeout)},
		{"buffer size", in.SetBufferSize(cfg.BufferSize)},
		{"immediate mode", in.SetImmediateMode(false)},
	} {
		if step.err != nil {
			return nil, fmt.Errorf("setting the %s: %w", step.what, step.err)
		}
	}
	h, err := in.Activate()
	if err != nil {
		msg := err.Error()
		switch {
		case msg == "No Such Device":
			return nil, fmt.Errorf("no such interface")
		case msg == "Permission Denied":
			return nil, errors.New("permission denied")
		case msg == "Interface Not Up":
			return nil, errors.New("the interface is down")
		}
		return nil, err
	}
	if cfg.Interface == "any" {
		// Before the filter: set after it, the filter silently matches
		// nothing (capture.md §2.1).
		// An old libpcap refuses it: OpenLive then warns of SLL v1.
		_ = h.SetLinkType(layers.LinkTypeLinuxSLL2)
	}
	if cfg.Filter != "" {
		if err := h.SetBPFFilter(cfg.Filter); err != nil {
			h.Close()
			return nil, &FilterError{Expr: cfg.Filter, Err: err}
		}
	}
	return h, nil
}

type pcapHandle struct {
	h                  *pcap.Handle
	recv, drop, ifdrop counter32
}

func (p *pcapHandle) read() ([]byte, gopacket.CaptureInfo, error) {
	data, ci, err := p.h.ZeroCopyReadPacketData()
	switch err {
	case nil:
		return data, ci, nil
	case pcap.NextErrorTimeoutExpired:
		return nil, ci, ErrTimeout
	case io.EOF:
		return nil, ci, io.EOF
	}
	return nil, ci, err
}

func (p *pcapHandle) stats() (KernelStats, error) {
	s, err := p.h.Stats()
	if err != nil {
		return KernelStats{Received: p.recv.total, Dropped: p.drop.total, IfDropped: p.ifdrop.total}, err
	}
	return KernelStats{
		Received:  p.recv.update(uint32(s.PacketsReceived)),
		Dropped:   p.drop.update(uint32(s.PacketsDropped)),
		IfDropped: p.ifdrop.update(uint32(s.PacketsIfDropped)),
	}, nil
}

func (p *pcapHandle) close() { p.h.Close() }
