package analysis

import (
	"path/filepath"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// corpusProblems names, for each corpus capture that shows a known
// problem, the rule that must fire and its least severity.
var corpusProblems = map[string][]struct {
	rule string
	min  model.Severity
}{
	// FTP bounce: PORT names a host that is not the control client.
	"suricata-verify/ftp-bounce": {{"active-address-mismatch", model.Warning}},
	// PORT address differs from the (NAT-rewritten) control client.
	"suricata-verify/ftp-ippair-leak-5204": {{"active-address-mismatch", model.Warning}},
	// NAT'd PASV: 227 announces 205.167.25.101, the control server is 10.167.25.101.
	"zeek/cwd-navigation": {{"passive-address-mismatch", model.Warning}, {"capture-gap", model.Warning}},
	// The RETR data connection holds 109,440 of the 1,048,576 bytes the 150 announced.
	"ndpi/ftp": {{"transfer-truncated", model.Warning}},
	// 30 sessions from one client, each USER bro / PASS / 530.
	"zeek/bruteforce": {{"login-failed", model.Warning}},
	// USER hello answered 530.
	"ndpi/ftp_failed": {{"login-failed", model.Info}},
	// AUTH TLS accepted (234): the rest of the control connection is TLS.
	"zeek/ftp-auth-tls":  {{"tls-blinds-alg", model.Warning}},
	"ndpi/ftp-start-tls": {{"tls-blinds-alg", model.Warning}},
	// RETR answered 425: no data connection was announced or opened.
	"suricata-verify/ftp-retr-bypass-realserver": {{"data-connection-missing", model.Error}},
	// EPRT names an IPv6 address on an IPv4 control connection.
	"suricata-verify/ftp-active-dynamic_port-02": {{"alg-unparsable", model.Warning}},
}

// TestCorpusFindings checks that the known problem captures raise the
// matching rule, and that no other capture (all working sessions) raises
// an error.
func TestCorpusFindings(t *testing.T) {
	corpus := loadCorpus(t)
	seen := map[string]bool{}
	for _, c := range corpus.Cases {
		r := analyse(t, filepath.Join(corpus.dir, c.Pcap))
		worst := map[string]model.Severity{}
		for _, f := range r.Findings {
			if f.Severity > worst[f.Rule] {
				worst[f.Rule] = f.Severity
			}
		}
		want, problem := corpusProblems[c.ID]
		seen[c.ID] = problem
		for _, w := range want {
			if worst[w.rule] < w.min {
				t.Errorf("%s: %s not raised at %s or above (findings: %v)", c.ID, w.rule, w.min, worst)
			}
		}
		if !problem {
			for _, f := range r.Findings {
				if f.Severity == model.Error {
					t.Errorf("%s: working capture raised an error: %s %s", c.ID, f.Rule, f.Summary)
				}
			}
		}
	}
	for id := range corpusProblems {
		if _, ok := seen[id]; !ok {
			t.Errorf("%s: no such corpus case", id)
		}
	}
}
