//go:build linux && (!cgo || nopcap)

package capture

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/afpacket"
	"github.com/gopacket/gopacket/layers"
	"golang.org/x/net/bpf"
)

// LiveBackend names the capture library of this build.
const LiveBackend = "afpacket"

const (
	afBlockSize    = 1 << 20               // TPACKET_V3 block: bigger than any packet (GSO ones included)
	afFrameSize    = 1 << 11               // only a divisor of the block size for TPACKET_V3
	afBlockTimeout = 20 * time.Millisecond // a partly filled block is handed over after this
	sll2Len        = 20
	arphrdEther    = 1
	arphrdLoopback = 772
	packetOutgoing = 4
)

// OpenLive starts a live capture with AF_PACKET (TPACKET_V3, a ring of
// cfg.BufferSize): this build has no libpcap. It refuses filter
// expressions, which only libpcap compiles. On "any", each packet gets a
// Linux cooked v2 header made from what the kernel says of it (interface
// index, direction), as libpcap gives. Loopback packets are seen once,
// not as an outgoing and an incoming copy.
func OpenLive(cfg LiveConfig) (*Live, error) {
	cfg.defaults(DefaultRingSize)
	if cfg.Filter != "" {
		return nil, &FilterError{Expr: cfg.Filter, Err: ErrNoLibpcap}
	}
	h := &afHandle{snaplen: cfg.SnapLen}
	lt := layers.LinkTypeLinuxSLL2
	opts := []any{
		afpacket.OptTPacketVersion(afpacket.TPacketVersion3),
		afpacket.OptBlockSize(afBlockSize),
		afpacket.OptFrameSize(afFrameSize),
		afpacket.OptNumBlocks(max(1, cfg.BufferSize/afBlockSize)),
		afpacket.OptBlockTimeout(afBlockTimeout),
		afpacket.OptPollTimeout(cfg.ReadTimeout),
	}
	if cfg.Interface == "any" {
		// Cooked: the kernel strips each interface's own link header.
		h.cooked = true
		opts = append(opts, afpacket.OptInterface(""), afpacket.SocketDgram)
		h.buf = make([]byte, sll2Len+cfg.SnapLen)
	} else {
		if _, err := net.InterfaceByName(cfg.Interface); err != nil {
			return nil, errors.New("no such interface")
		}
		opts = append(opts, afpacket.OptInterface(cfg.Interface))
		switch hardwareType(cfg.Interface) {
		case arphrdEther, arphrdLoopback:
			lt = layers.LinkTypeEthernet
			opts = append(opts, afpacket.SocketRaw)
		default: // tun, ppp, wireguard: no link header
			lt = layers.LinkTypeRaw
			opts = append(opts, afpacket.SocketDgram)
		}
	}
	tp, err := afpacket.NewTPacket(opts...)
	if err != nil {
		if isPermission(err) {
			return nil, &PermissionError{Interface: cfg.Interface, Err: err}
		}
		return nil, err
	}
	h.tp = tp
	if err := tp.SetBPF(loopbackOnce(cfg.SnapLen)); err != nil {
		tp.Close()
		return nil, fmt.Errorf("attaching the loopback filter: %w", err)
	}
	if cfg.Promiscuous && !h.cooked {
		// a packet membership: the kernel ends it with the socket
		if err := tp.SetPromiscuous(true); err != nil {
			tp.Close()
			return nil, fmt.Errorf("setting the promiscuous mode: %w", err)
		}
	}
	return newLive(cfg, h, lt), nil
}

// loopbackOnce is a socket filter that drops the outgoing copy of every
// packet on a loopback interface (AF_PACKET sees both, libpcap drops that
// one too) and cuts packets to snaplen.
func loopbackOnce(snaplen int) []bpf.RawInstruction {
	prog, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadExtension{Num: bpf.ExtType},
		bpf.JumpIf{Cond: bpf.JumpNotEqual, Val: packetOutgoing, SkipTrue: 2},
		bpf.LoadExtension{Num: bpf.ExtLinkLayerType},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arphrdLoopback, SkipTrue: 1},
		bpf.RetConstant{Val: uint32(snaplen)},
		bpf.RetConstant{Val: 0},
	})
	if err != nil {
		panic(err) // a constant program
	}
	return prog
}

// hardwareType returns an interface's ARPHRD_* type, or -1.
func hardwareType(name string) int {
	b, err := os.ReadFile("/sys/class/net/" + name + "/type")
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return n
}

type afHandle struct {
	tp      *afpacket.TPacket
	snaplen int
	cooked  bool   // "any": prepend a Linux cooked v2 header
	buf     []byte // the packet with its header, when cooked
}

func (a *afHandle) read() ([]byte, gopacket.CaptureInfo, error) {
	data, ci, err := a.tp.ZeroCopyReadPacketData()
	if err != nil {
		if err == afpacket.ErrTimeout {
			return nil, ci, ErrTimeout
		}
		return nil, ci, err
	}
	if !a.cooked {
		return data, ci, nil
	}
	a.cook(data, ci.InterfaceIndex)
	n := copy(a.buf[sll2Len:], data)
	ci.CaptureLength = sll2Len + n
	ci.Length += sll2Len
	return a.buf[:ci.CaptureLength], ci, nil
}

// cook writes the Linux cooked v2 header of a packet of a SOCK_DGRAM
// TPACKET_V3 socket into a.buf. The kernel put the packet's sockaddr_ll
// in front of it, in the ring (tpacket3_hdr, sockaddr_ll, then the network
// header at TPACKET_ALIGN(TPACKET3_HDRLEN)+16): it names the protocol, the
// interface, its hardware type and the direction. Should the layout not be
// the expected one, the header says only what the packet says of itself.
func (a *afHandle) cook(data []byte, ifindex int) {
	h := a.buf[:sll2Len]
	clear(h)
	binary.BigEndian.PutUint32(h[4:8], uint32(ifindex))
	binary.BigEndian.PutUint16(h[8:10], arphrdEther)
	const (
		hdr3Len  = 48                       // TPACKET_ALIGN(sizeof(struct tpacket3_hdr))
		netOff   = (hdr3Len+20+15)&^15 + 16 // TPACKET_ALIGN(TPACKET3_HDRLEN) + 16
		sllStart = netOff - hdr3Len         // sockaddr_ll, counted back from the data
		afPacket = 17
	)
	if len(data) > 0 {
		sll := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(data)), -sllStart)), 20)
		if binary.NativeEndian.Uint16(sll[0:2]) == afPacket && int(binary.NativeEndian.Uint32(sll[4:8])) == ifindex {
			copy(h[0:2], sll[2:4])                                                     // protocol, network order
			binary.BigEndian.PutUint16(h[8:10], binary.NativeEndian.Uint16(sll[8:10])) // hardware type
			h[10] = sll[10]                                                            // packet type (direction)
			return
		}
		switch data[0] >> 4 {
		case 4:
			binary.BigEndian.PutUint16(h[0:2], uint16(layers.EthernetTypeIPv4))
		case 6:
			binary.BigEndian.PutUint16(h[0:2], uint16(layers.EthernetTypeIPv6))
		}
	}
}

func (a *afHandle) stats() (KernelStats, error) {
	_, v3, err := a.tp.SocketStats()
	if err != nil {
		return KernelStats{}, err
	}
	// tp_packets counts the dropped packets too, as libpcap's ps_recv.
	return KernelStats{Received: uint64(v3.Packets()), Dropped: uint64(v3.Drops())}, nil
}

func (a *afHandle) close() { a.tp.Close() }
