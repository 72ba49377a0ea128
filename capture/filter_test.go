//go:build cgo && !nopcap

package capture

import (
	"bytes"
	"io"
	"testing"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

func TestFilterMeansWhatItMeansToTcpdump(t *testing.T) {
	c := pcaptest.New()
	c.Conn("192.168.1.10:40000", "203.0.113.20:21", 1, 2).Open()
	c.Conn("192.168.1.10:40001", "203.0.113.20:30000", 1, 2).Open()
	c.Conn("[2001:db8:1::10]:40002", "[2001:db8:100::20]:21", 1, 2).Open()
	for expr, want := range map[string]int{
		"tcp port 21":                       6,
		"portrange 30000-30100":             3,
		"host 203.0.113.20 and not port 21": 3,
		"ip6":                               3,
		// as in tcpdump, tcp[] reads IPv4 only
		"tcp[tcpflags] & tcp-syn != 0": 4,
	} {
		f, err := NewFilter(expr)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		src, _ := OpenReader("t", "t", io.NopCloser(bytes.NewReader(c.Bytes())), 0)
		n := 0
		for {
			p, err := src.Next()
			if err != nil {
				break
			}
			if ok, err := f.Match(p); err != nil {
				t.Fatal(err)
			} else if ok {
				n++
			}
		}
		if n != want {
			t.Errorf("%q matched %d packets, want %d", expr, n, want)
		}
	}
	if _, err := NewFilter("tcp port"); err == nil {
		t.Error("a broken expression compiled")
	}
}
