package analysis

import (
	"github.com/ftpscope/ftpscope/model"
)

// diagnoser sits between the dissector and the consumer: it runs the
// per-session rules as each session concludes and the cross-session ones
// (NAT leg pairing, repeated failed logins) at the end.
type diagnoser struct {
	out      Consumer
	findings []model.Finding
}

func newDiagnoser(out Consumer) *diagnoser { return &diagnoser{out: out} }

// Session implements dissect.Sink.
func (d *diagnoser) Session(s *model.Session) {
	var fs []model.Finding
	d.findings = append(d.findings, fs...)
	if d.out != nil {
		d.out.Session(s, fs)
	}
}

func (d *diagnoser) finish() ([]model.NATPair, []model.Finding) {
	return nil, d.findings
}
