package frames

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/capture"
	"github.com/ftpscope/ftpscope/ui/styled"
)

// sample is the path of a sample capture.
func sample(scenario, file string) string {
	return filepath.Join("..", "..", "samples", "captures", scenario, file)
}

// TestFrameLinesOfAPacket: the decode names every layer with its bytes.
func TestFrameLinesOfAPacket(t *testing.T) {
	src, err := capture.OpenFile("", sample("ipv6", "client.pcap"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	for {
		p, err := src.Next()
		if err == io.EOF {
			t.Fatal("no IPv6 FTP payload in the sample")
		}
		if err != nil {
			t.Fatal(err)
		}
		txt := styled.PlainLines(frameLines(styled.NewTheme(true), &p, "ipv6", 200))
		if !strings.Contains(txt, "Payload") {
			continue
		}
		for _, want := range []string{"IPv6  ", "hop limit", "TCP  ", "options ", "bytes 0–", fmt.Sprintf("Bytes  %d", len(p.Data))} {
			if !strings.Contains(txt, want) {
				t.Errorf("the frame lacks %q:\n%s", want, txt)
			}
		}
		return
	}
}

// frameLines decodes a frame into lines at a width.
func frameLines(th *styled.Theme, p *capture.Packet, where string, w int) []styled.Line {
	var out []styled.Line
	for _, r := range Decode(th, p, where) {
		out = append(out, r.Render(th, w)...)
	}
	return out
}
