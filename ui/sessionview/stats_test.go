package sessionview

import (
	"path/filepath"
	"testing"

	"github.com/ftpscope/ftpscope/internal/analysistest"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// analysedRows are the rows of a sample capture analysed to the end, as the
// UI shows them when the run is done.
func analysedRows(t *testing.T, scenario, file string) []*viewmodel.Row {
	t.Helper()
	srcs := analysistest.OpenSources(t, filepath.Join("..", "..", "samples", "captures", scenario, file))
	m := viewmodel.NewModel(srcs[0].Info().Label)
	sum := analysistest.Run(t, m, srcs...)
	m.Finish(&viewmodel.Outcome{Sources: sum.Sources, NATPairs: sum.NATPairs, Findings: sum.Findings, Stats: sum.Stats}, nil)
	return m.Snapshot().Rows
}

// TestStatsCounts: the statistics add up to what the sessions hold.
func TestStatsCounts(t *testing.T) {
	rows := analysedRows(t, "active-nohelper", "client.pcap")
	st := ComputeStats(rows)
	replies, commands, findings, channels := 0, 0, 0, 0
	for _, r := range rows {
		replies += r.S.Replies
		commands += r.S.Commands
		findings += len(r.Findings)
		channels += len(r.S.Channels)
	}
	classes := 0
	for _, n := range st.classes {
		classes += n
	}
	if classes != replies || st.commands != commands {
		t.Errorf("%d replies by class, %d commands; the sessions count %d and %d", classes, st.commands, replies, commands)
	}
	byCode := 0
	for c := 1; c <= 5; c++ {
		for _, cc := range st.codesOfClass(c) {
			byCode += cc.n
			if cc.code/100 != c {
				t.Errorf("code %d in class %d", cc.code, c)
			}
		}
	}
	if byCode != classes-st.classes[0] {
		t.Errorf("%d replies by code, %d by class", byCode, classes-st.classes[0])
	}
	n := 0
	for _, rc := range st.rules {
		n += rc.n
	}
	s := 0
	for _, c := range st.statuses {
		s += c
	}
	if n != findings || s != channels {
		t.Errorf("%d findings by rule of %d, %d channels by status of %d", n, findings, s, channels)
	}
	if st.classes[5] == 0 || st.statuses["rejected"] == 0 {
		t.Errorf("the no-helper capture has refused PORTs: 5yz %d, rejected %d", st.classes[5], st.statuses["rejected"])
	}
}
