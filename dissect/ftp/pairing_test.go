package ftp

import (
	"fmt"
	"strings"
	"testing"
)

// transcript runs a dialog written as "C: line" / "S: line" and returns, for
// each server reply, "code->command (role)".
func transcript(handshake bool, dialog string) []string {
	var cmds []string
	p := NewPairer(handshake)
	var rr ReplyReader
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(dialog), "\n") {
		l = strings.TrimSpace(l)
		text := []byte(l[3:])
		if strings.HasPrefix(l, "C: ") {
			cmds = append(cmds, ParseCommand(text).Verb)
			p.Command(len(cmds) - 1)
			continue
		}
		r, done := rr.Line(Line{Text: text})
		if !done {
			continue
		}
		id, role := p.Reply(&r)
		to := "-"
		if id >= 0 {
			to = cmds[id]
		}
		out = append(out, fmt.Sprintf("%d->%s (%s)", r.Code, to, role))
	}
	for _, id := range p.Pending() {
		out = append(out, "unanswered "+cmds[id])
	}
	return out
}

func TestPairingTranscripts(t *testing.T) {
	tests := []struct {
		name      string
		handshake bool
		dialog    string
		want      string
	}{
		{"vsftpd active behind nat", true, `
			S: 220 (vsFTPd 3.0.3)
			C: USER anonymous
			S: 331 Please specify the password.
			C: PASS x
			S: 230 Login successful.
			C: PORT 192,168,1,10,156,64
			S: 500 Illegal PORT command.
			C: RETR hello.txt
			S: 425 Use PORT or PASV first.`,
			"220->- (greeting)|331->USER (final)|230->PASS (final)|500->PORT (final)|425->RETR (final)"},
		{"transfer with preliminary", true, `
			S: 220 ready
			C: PASV
			S: 227 Entering Passive Mode (10,0,0,5,117,48).
			C: RETR f
			S: 150 Opening BINARY mode data connection for f (3 bytes).
			S: 226 Transfer complete.`,
			"220->- (greeting)|227->PASV (final)|150->RETR (preliminary)|226->RETR (final)"},
		{"pipelined, fewer replies (suricata bug-8489-03)", true, `
			S: 220 ready
			C: PWD
			C: PWD
			C: PWD
			S: 257 "/"
			C: CWD x
			S: 250 ok`,
			"220->- (greeting)|257->PWD (final)|250->PWD (final)|unanswered PWD|unanswered CWD"},
		{"mid-session capture has no greeting", false, `
			C: NOOP
			S: 200 NOOP ok.
			S: 421 Timeout.`,
			"200->NOOP (final)|421->- (unsolicited)"},
		{"garbage line when nothing waits (suricata dynamic_port-02)", true, `
			S: 220 ready
			C: EPRT |1|1.2.3.4|5|
			S: 200 ok
			S: QUIT
			S: 221 Goodbye.`,
			"220->- (greeting)|200->EPRT (final)|0->- (not-a-reply)|221->- (unsolicited)"},
		{"garbage line answers the waiting command (zeek missing-space)", true, `
			S: 220 ready
			C: RETR
			S: 230_no_space
			C: QUIT
			S: 221 Goodbye.`,
			"220->- (greeting)|0->RETR (final)|221->QUIT (final)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(transcript(tt.handshake, tt.dialog), "|")
			if got != tt.want {
				t.Errorf("pairing:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestPairerBounded(t *testing.T) {
	p := NewPairer(false)
	for i := 0; i < 10*MaxPendingCommands; i++ {
		p.Command(i)
	}
	if len(p.Pending()) != MaxPendingCommands || p.Dropped != 9*MaxPendingCommands {
		t.Fatalf("pending %d dropped %d", len(p.Pending()), p.Dropped)
	}
	if p.Pending()[0] != 9*MaxPendingCommands {
		t.Fatalf("oldest kept = %d", p.Pending()[0])
	}
	if n := testing.AllocsPerRun(100, func() {
		p.Command(1)
		r := Reply{Code: 200}
		p.Reply(&r)
	}); n != 0 {
		t.Errorf("steady state allocates %v per command", n)
	}
}
