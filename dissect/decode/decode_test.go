package decode

import (
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// tcpHeader must read every header as layers.TCP does (the fields the
// dissector uses, the payload, truncation and errors), options or not.
func checkTCPHeader(t *testing.T, data []byte) {
	var want layers.TCP
	var got tcpHeader
	wantFB, gotFB := &feedback{}, &feedback{}
	wantErr := want.DecodeFromBytes(data, wantFB)
	gotErr := got.DecodeFromBytes(data, gotFB)
	if (wantErr != nil) != (gotErr != nil) || wantFB.truncated != gotFB.truncated {
		t.Fatalf("% x: error %v truncated %v, layers.TCP: error %v truncated %v", data, gotErr, gotFB.truncated, wantErr, wantFB.truncated)
	}
	if wantErr != nil {
		return
	}
	if got.srcPort != uint16(want.SrcPort) || got.dstPort != uint16(want.DstPort) || got.seq != want.Seq || got.ack != want.Ack ||
		(got.flags&tcpSYN != 0) != want.SYN || (got.flags&tcpACK != 0) != want.ACK || (got.flags&tcpFIN != 0) != want.FIN ||
		(got.flags&tcpRST != 0) != want.RST || got.headerLen != int(want.DataOffset)*4 ||
		string(got.payload) != string(want.Payload) {
		t.Fatalf("% x: decoded %+v, layers.TCP %+v", data, got, want)
	}
}

type feedback struct{ truncated bool }

func (f *feedback) SetTruncated() { f.truncated = true }

var _ gopacket.DecodeFeedback = (*feedback)(nil)

func TestTCPHeaderAsLayersTCP(t *testing.T) {
	// 14:19:20.123456 IP 192.0.2.10.40000 > 198.51.100.20.21: Flags [P.], seq 1:11, ack 1, win 502, length 10: FTP: USER anon
	plain := []byte{0x9c, 0x40, 0x00, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x50, 0x18, 0x01, 0xf6, 0, 0, 0, 0,
		'U', 'S', 'E', 'R', ' ', 'a', 'n', 'o', 'n', '\n'}
	// Flags [S], seq 7, win 64240, options [mss 1460,nop,wscale 7,nop,nop,sackOK], length 0
	syn := []byte{0x9c, 0x40, 0x00, 0x15, 0, 0, 0, 7, 0, 0, 0, 0, 0x80, 0x02, 0xfa, 0xf0, 0, 0, 0, 0,
		0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07, 0x01, 0x01, 0x04, 0x02}
	for _, data := range [][]byte{plain, syn, syn[:25], plain[:19], nil,
		append([]byte{0, 21, 0x9c, 0x40, 1, 2, 3, 4, 5, 6, 7, 8, 0x40, 0x11}, make([]byte, 6)...), // data offset 4
	} {
		checkTCPHeader(t, data)
	}
}

func FuzzTCPHeader(f *testing.F) {
	f.Add([]byte{0x9c, 0x40, 0x00, 0x15, 0, 0, 0, 7, 0, 0, 0, 0, 0x80, 0x02, 0xfa, 0xf0, 0, 0, 0, 0, 0x02, 0x04, 0x05, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2})
	f.Fuzz(func(t *testing.T, data []byte) { checkTCPHeader(t, data) })
}
