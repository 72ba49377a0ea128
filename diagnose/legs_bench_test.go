package diagnose

import (
	"strconv"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// probes are n monitoring logins seen at one vantage point, one a second,
// with the same dialog: none has another side.
func probes(n int) []*model.Session {
	out := make([]*model.Session, n)
	for i := range out {
		in, _ := legs(-1)
		in.ID = "s" + strconv.Itoa(i+1)
		in.Start = model.At(t0.Add(time.Duration(i) * time.Second))
		out[i] = in
	}
	return out
}

// Probes at one vantage point are never compared with each other, and a
// pair still forms among them: the other side's nearest start wins.
func TestLegPairerProbesAtOneVantage(t *testing.T) {
	d := New(Config{})
	p := d.NewLegPairer(time.Hour, 20000)
	for _, s := range probes(1000) {
		p.Add(s, nil)
	}
	if p.count != 1000 {
		t.Fatalf("%d waiting, want 1000", p.count)
	}
	_, out := legs(-1)
	out.ID = "s5000"
	out.Start = model.At(t0.Add(500*time.Second + 300*time.Millisecond))
	p.Add(out, nil)
	pairs, _ := p.Result()
	if len(pairs) != 1 || pairs[0].Inside != "s501" || pairs[0].Outside != "s5000" {
		t.Fatalf("pairs %+v, want s501 ⇄ s5000", pairs)
	}
}

// BenchmarkLegPairerProbes is the cost of one more probe among 2,000
// waiting ones of the same dialog at the same vantage point.
func BenchmarkLegPairerProbes(b *testing.B) {
	d := New(Config{})
	p := d.NewLegPairer(24*time.Hour, 1<<20)
	for _, s := range probes(2000) {
		p.Add(s, nil)
	}
	more := probes(b.N + 2000)[2000:]
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Add(more[i], nil)
	}
}
