package frames

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/ui/styled"
)

// A frame shown as termshark's lower panes show it: each layer's header
// fields (link, IP, TCP), the payload's lines, then every byte in hex and
// ASCII. Each layer names the bytes it takes, so the dump reads with it.

// Row is one row of the frame view: a line, or header fields that
// wrap at the width between fields.
type Row struct {
	l      styled.Line
	fields []string
}

// render gives the row's lines for a width.
func (r Row) Render(th *styled.Theme, w int) []styled.Line {
	if r.fields == nil {
		return []styled.Line{r.l}
	}
	var out []styled.Line
	cur := ""
	for _, f := range r.fields {
		switch {
		case cur == "":
			cur = f
		case styled.Width(cur)+3+styled.Width(f)+2 <= w:
			cur += " · " + f
		default:
			out = append(out, styled.Line{{Text: "  " + cur, Style: th.Base}})
			cur = f
		}
	}
	return append(out, styled.Line{{Text: "  " + cur, Style: th.Base}})
}

// Decode decodes a frame into rows.
func Decode(th *styled.Theme, p *capture.Packet, where string) []Row {
	var out []Row
	add := func(ls ...styled.Line) {
		for _, l := range ls {
			out = append(out, Row{l: l})
		}
	}
	head := func(title, span string) {
		add(styled.Line{}, styled.Line{{Text: title, Style: th.Title}, {Text: "  " + span, Style: th.Dim}})
	}
	field := func(parts ...string) {
		out = append(out, Row{fields: parts})
	}
	ts := ""
	if !p.Info.Timestamp.IsZero() {
		ts = p.Info.Timestamp.UTC().Format("2006-01-02 15:04:05.000000000 UTC")
	}
	add(styled.Line{{Text: fmt.Sprintf("Frame %d", p.Frame), Style: th.Title}, {Text: "  " + where, Style: th.Dim}})
	field(ts, fmt.Sprintf("%s bytes captured of %s on the wire", textfmt.Thousands(int64(p.Info.CaptureLength)), textfmt.Thousands(int64(p.Info.Length))))
	if p.Interface != "" {
		field("interface " + textfmt.Printable(p.Interface))
	}
	pkt := gopacket.NewPacket(p.Data, p.LinkType, gopacket.DecodeOptions{NoCopy: true})
	off := 0
	span := func(n int) string {
		s := fmt.Sprintf("bytes %d–%d", off, off+n-1)
		if n == 0 {
			s = "no bytes"
		}
		off += n
		return s
	}
	for _, l := range pkt.Layers() {
		n := len(l.LayerContents())
		switch v := l.(type) {
		case *layers.Ethernet:
			head("Ethernet II", span(n))
			field("src "+v.SrcMAC.String(), "dst "+v.DstMAC.String(), "type "+etherType(v.EthernetType))
		case *layers.Dot1Q:
			head("802.1Q VLAN", span(n))
			field(fmt.Sprintf("VLAN %d", v.VLANIdentifier), fmt.Sprintf("priority %d", v.Priority), "type "+etherType(v.Type))
		case *layers.LinuxSLL:
			head("Linux cooked capture", span(n))
			field("packet type "+v.PacketType.String(), "address "+v.Addr.String(), "protocol "+etherType(v.EthernetType))
		case *layers.LinuxSLL2:
			head("Linux cooked capture v2", span(n))
			field(fmt.Sprintf("interface index %d", v.InterfaceIndex), "packet type "+v.PacketType.String(), "address "+v.Addr.String(), "protocol "+etherType(v.ProtocolType))
		case *layers.Loopback:
			head("Loopback", span(n))
			field("family " + v.Family.String())
		case *layers.IPv4:
			head("IPv4  "+v.SrcIP.String()+" → "+v.DstIP.String(), span(n))
			field(fmt.Sprintf("version %d", v.Version), fmt.Sprintf("header %d bytes", int(v.IHL)*4), fmt.Sprintf("TOS 0x%02x", v.TOS),
				fmt.Sprintf("total length %d", v.Length), fmt.Sprintf("id 0x%04x", v.Id))
			field("flags "+ipFlags(v.Flags), fmt.Sprintf("fragment offset %d", v.FragOffset), fmt.Sprintf("TTL %d", v.TTL),
				fmt.Sprintf("protocol %s (%d)", v.Protocol, uint8(v.Protocol)), fmt.Sprintf("checksum 0x%04x", v.Checksum))
		case *layers.IPv6:
			head("IPv6  "+v.SrcIP.String()+" → "+v.DstIP.String(), span(n))
			field(fmt.Sprintf("traffic class 0x%02x", v.TrafficClass), fmt.Sprintf("flow label 0x%05x", v.FlowLabel),
				fmt.Sprintf("payload length %d", v.Length), fmt.Sprintf("next header %s (%d)", v.NextHeader, uint8(v.NextHeader)), fmt.Sprintf("hop limit %d", v.HopLimit))
		case *layers.TCP:
			head(fmt.Sprintf("TCP  %d → %d  [%s]", v.SrcPort, v.DstPort, tcpFlags(v)), span(n))
			field(fmt.Sprintf("seq %d", v.Seq), fmt.Sprintf("ack %d", v.Ack), fmt.Sprintf("header %d bytes", int(v.DataOffset)*4),
				fmt.Sprintf("window %d", v.Window), fmt.Sprintf("checksum 0x%04x", v.Checksum), fmt.Sprintf("urgent %d", v.Urgent))
			if opts := tcpOptions(v); opts != "" {
				field("options " + opts)
			}
		case *layers.ICMPv4:
			head("ICMP", span(n))
			field(v.TypeCode.String(), fmt.Sprintf("checksum 0x%04x", v.Checksum))
		case *layers.ICMPv6:
			head("ICMPv6", span(n))
			field(v.TypeCode.String(), fmt.Sprintf("checksum 0x%04x", v.Checksum))
		case *gopacket.Payload:
			head(fmt.Sprintf("Payload  %s bytes", textfmt.Thousands(int64(n))), span(n))
			add(payloadLines(th, v.Payload())...)
		case *gopacket.DecodeFailure:
			head("Not decoded", span(n))
			field(textfmt.Printable(v.Error().Error()))
		default:
			head(l.LayerType().String(), span(n))
		}
	}
	if off < len(p.Data) {
		head("Trailer", span(len(p.Data)-off))
	}
	add(styled.Line{}, styled.Line{{Text: "Bytes", Style: th.Title}, {Text: fmt.Sprintf("  %d", len(p.Data)), Style: th.Dim}})
	add(hexLines(th, p.Data)...)
	return out
}

// payloadLines shows a payload as the lines of text it carries (FTP
// control), each quoted as sent; up to 32 of them.
func payloadLines(th *styled.Theme, b []byte) []styled.Line {
	var out []styled.Line
	text := string(b)
	for i := 0; text != "" && i < 32; i++ {
		l, rest, found := strings.Cut(text, "\n")
		if found {
			l += "\n"
		}
		out = append(out, styled.Line{{Text: "  " + strconv.Quote(l), Style: th.Reply}})
		text = rest
	}
	if text != "" {
		out = append(out, styled.Line{{Text: "  …", Style: th.Dim}})
	}
	return out
}

// hexLines is a hex dump: offset, 16 bytes in hex, the same in ASCII.
func hexLines(th *styled.Theme, b []byte) []styled.Line {
	var out []styled.Line
	for off := 0; off < len(b); off += 16 {
		row := b[off:min(off+16, len(b))]
		var hx, asc strings.Builder
		for i := 0; i < 16; i++ {
			if i == 8 {
				hx.WriteByte(' ')
			}
			if i < len(row) {
				fmt.Fprintf(&hx, "%02x ", row[i])
				c := row[i]
				if c < 0x20 || c > 0x7e {
					c = '.'
				}
				asc.WriteByte(c)
			} else {
				hx.WriteString("   ")
			}
		}
		out = append(out, styled.Line{{Text: fmt.Sprintf("  %04x  ", off), Style: th.Dim}, {Text: hx.String(), Style: th.Base}, {Text: " " + asc.String(), Style: th.Data}})
	}
	return out
}

func etherType(t layers.EthernetType) string { return fmt.Sprintf("%s (0x%04x)", t, uint16(t)) }

func ipFlags(f layers.IPv4Flag) string {
	var parts []string
	if f&layers.IPv4DontFragment != 0 {
		parts = append(parts, "DF")
	}
	if f&layers.IPv4MoreFragments != 0 {
		parts = append(parts, "MF")
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

func tcpFlags(t *layers.TCP) string {
	var f []string
	for _, x := range []struct {
		on   bool
		name string
	}{{t.SYN, "SYN"}, {t.FIN, "FIN"}, {t.RST, "RST"}, {t.PSH, "PSH"}, {t.ACK, "ACK"}, {t.URG, "URG"}, {t.ECE, "ECE"}, {t.CWR, "CWR"}} {
		if x.on {
			f = append(f, x.name)
		}
	}
	return strings.Join(f, ", ")
}

func tcpOptions(t *layers.TCP) string {
	var out []string
	for _, o := range t.Options {
		switch o.OptionType {
		case layers.TCPOptionKindMSS:
			if len(o.OptionData) == 2 {
				out = append(out, fmt.Sprintf("MSS %d", uint16(o.OptionData[0])<<8|uint16(o.OptionData[1])))
				continue
			}
		case layers.TCPOptionKindWindowScale:
			if len(o.OptionData) == 1 {
				out = append(out, fmt.Sprintf("window scale %d", o.OptionData[0]))
				continue
			}
		case layers.TCPOptionKindNop:
			out = append(out, "NOP")
			continue
		case layers.TCPOptionKindEndList:
			continue
		case layers.TCPOptionKindSACKPermitted:
			out = append(out, "SACK permitted")
			continue
		case layers.TCPOptionKindTimestamps:
			if len(o.OptionData) == 8 {
				tv := uint32(o.OptionData[0])<<24 | uint32(o.OptionData[1])<<16 | uint32(o.OptionData[2])<<8 | uint32(o.OptionData[3])
				te := uint32(o.OptionData[4])<<24 | uint32(o.OptionData[5])<<16 | uint32(o.OptionData[6])<<8 | uint32(o.OptionData[7])
				out = append(out, fmt.Sprintf("timestamps %d/%d", tv, te))
				continue
			}
		}
		out = append(out, fmt.Sprintf("%s (%d bytes)", o.OptionType, len(o.OptionData)))
	}
	return strings.Join(out, ", ")
}
