package diagnose

import (
	"fmt"
	"strings"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
)

// logins: 530 after USER/PASS, and passwords sent in clear.
func (c *sessionCtx) logins() {
	cleartextSent := false
	var passFrame uint64
	refusals, from := 0, len(c.out)
	lastCmd := -1
	for i := range c.s.Dialog {
		e := &c.s.Dialog[i]
		if e.Kind == "command" {
			lastCmd = i
			if e.Verb == "PASS" && !e.Decrypted && (!c.s.TLS || c.s.TLSDecryption != nil) {
				cleartextSent = true
				passFrame = e.Frame
			}
			continue
		}
		if e.Code != 530 {
			continue
		}
		cmd := c.s.Answered(e)
		cmdIndex, _ := e.Answers.Index() // Answered found cmd there
		if cmd == nil && e.Answers.IsZero() && !e.Unsolicited && lastCmd >= 0 {
			// a dialog without answers references: the command before
			cmd, cmdIndex = &c.s.Dialog[lastCmd], lastCmd
		}
		if cmd == nil || (cmd.Verb != "USER" && cmd.Verb != "PASS") {
			continue
		}
		user := c.userBefore(cmdIndex)
		refusals++
		f := model.Finding{Rule: RuleLoginFailed, Severity: model.Info, TS: timeRef(e.TS),
			Evidence: model.Evidence{Frames: []uint64{cmd.Frame, e.Frame}, Wire: []string{fmt.Sprintf("%d %s", e.Code, e.Text)}},
			Summary:  fmt.Sprintf("login as %q refused: %d %s", user, e.Code, textfmt.Clip(e.Text, 50)),
		}
		// constant texts: a refused login may wait a long time for the
		// brute-force judgement (bruteforce.go), and should cost little
		f.Explanation = refusedAfterPASS
		if cmd.Verb == "USER" {
			f.Explanation = refusedAfterUSER
		}
		f.Remedy = "Check the user name and password; on vsftpd check anonymous_enable/local_enable and /etc/ftpusers."
		c.add(f, nil)
	}
	c.d.judgeLogins(c.client(), refusals, c.out[from:])
	if cleartextSent && c.s.User != nil && !anonymous(*c.s.User) {
		f := model.Finding{Rule: RuleCleartextCredentials, Severity: model.Info, Evidence: model.Evidence{Frames: []uint64{passFrame}},
			Summary:     fmt.Sprintf("password of %q sent in clear text", *c.s.User),
			Explanation: "The PASS command crossed the network unencrypted: anyone on the path can read it (this report masks it unless --show-passwords).",
			Remedy:      "Use explicit FTPS (AUTH TLS; vsftpd ssl_enable=YES, force_local_logins_ssl=YES) or SFTP.",
		}
		c.add(f, nil)
	}
}

// userBefore returns the argument of the latest USER command up to the
// dialog entry of index i.
func (c *sessionCtx) userBefore(i int) string {
	for j := i; j >= 0; j-- {
		if e := &c.s.Dialog[j]; e.Kind == "command" && e.Verb == "USER" {
			return e.Arg
		}
	}
	return ""
}

const (
	refusedAfterPASS = "The server refused the login after PASS (530)."
	refusedAfterUSER = "The server refused the login after USER (530). It refused the user name itself (anonymous logins disabled, or the user is listed in a deny file such as vsftpd's ftpusers)."
)

func anonymous(user string) bool {
	u := strings.ToLower(user)
	return u == "anonymous" || u == "ftp"
}

// gaps: bytes of the control stream missing from the capture.
func (c *sessionCtx) gaps() {
	if c.s.GapBytes == 0 {
		return
	}
	f := model.Finding{Rule: RuleCaptureGap, Severity: model.Warning, Evidence: model.Evidence{Frames: []uint64{c.s.Frames.First}},
		Summary:     fmt.Sprintf("%s bytes of the control connection are missing from the capture", textfmt.Thousands(c.s.GapBytes)),
		Explanation: "Segments of the control connection were acknowledged by the receiver but are not in the capture (capture loss, or a capture started on a busy link). Commands or replies in them are unknown, so pairing and conclusions next to the gap may be incomplete.",
		Remedy:      "Capture with a larger buffer (tcpdump -B 32768) and without truncation (-s 0), close to one end of the connection.",
	}
	c.add(f, nil)
}

// snaplenCut: control packets, or the packets of an exported data
// connection, that the capture's snapshot length cut.
func (c *sessionCtx) snaplenCut() {
	if cut := c.s.SnaplenCut; cut != nil {
		ev := model.Evidence{Frames: []uint64{cut.FirstFrame}}
		for i := range c.s.Dialog {
			if e := &c.s.Dialog[i]; e.Cut && len(ev.Wire) < 8 {
				ev.Frames = append(ev.Frames, e.Frame)
				ev.Wire = append(ev.Wire, wireText(e)+"…")
			}
		}
		f := model.Finding{Rule: RuleSnaplenCut, Severity: model.Warning, TS: timeRef(cut.FirstTS), Evidence: ev,
			Summary: fmt.Sprintf("%s control packets cut by the capture's snapshot length (%s bytes missing): the dialog is incomplete from frame %d",
				textfmt.Thousands(int64(cut.Packets)), textfmt.Thousands(cut.Bytes), cut.FirstFrame),
			Explanation: fmt.Sprintf("The capture kept only the first bytes of these packets (tcpdump -s, a snapshot length). A line cut short is shown as cut and nothing is concluded from it: no announcement, no transfer, no user. "+
				"Lines after the first cut (frame %d) may be missing or incomplete, so the dialog, the replies' pairing and the data channels of this session are incomplete from there.", cut.FirstFrame),
			Remedy: "Capture whole packets: tcpdump -s 0 (the default of current tcpdump, 262144 bytes), or at least -s 1600 for FTP control traffic.",
		}
		c.add(f, nil)
	}
	for i := range c.s.Channels {
		ch := &c.s.Channels[i]
		x, cn := ch.Transfer, ch.Connection
		if x == nil || cn == nil || x.ExportPath == "" || cn.CutBytes == 0 {
			continue
		}
		f := model.Finding{Rule: RuleSnaplenCut, Severity: model.Warning, TS: announceTS(ch), Evidence: channelEvidence(ch),
			Summary:     fmt.Sprintf("exported %s is partial: the snapshot length cut %s bytes of its data connection", x.ExportPath, textfmt.Thousands(cn.CutBytes)),
			Explanation: fmt.Sprintf("The capture kept only the first bytes of the data connection's packets: %s of its payload bytes are not in the capture, so the exported file has holes and no SHA-256. The transfer itself is not affected.", textfmt.Thousands(cn.CutBytes)),
			Remedy:      "Capture whole packets (tcpdump -s 0) to export the files.",
		}
		c.add(f, ch)
	}
}

// retransmissions: control bytes captured twice with different content,
// one finding per pair of copies.
func (c *sessionCtx) retransmissions() {
	for _, r := range c.s.RetransmissionConflicts {
		dir, who := "client to server", "server"
		if !r.FromClient {
			dir, who = "server to client", "client"
		}
		f := model.Finding{Rule: RuleRetransmissionInconsistent, Severity: model.Warning, TS: timeRef(r.TS),
			Evidence: model.Evidence{Frames: []uint64{r.UsedFrame, r.OtherFrame}, Wire: []string{r.Used, r.Other}},
			Summary:  fmt.Sprintf("retransmitted control bytes differ (%s): %q, then %q in frame %d", dir, textfmt.Clip(r.Used, 60), textfmt.Clip(r.Other, 60), r.OtherFrame),
		}
		first := "the first copy"
		if r.UsedFrame != 0 {
			first = fmt.Sprintf("the first copy (frame %d)", r.UsedFrame)
		}
		f.Explanation = fmt.Sprintf("The same TCP sequence numbers of the control connection were captured twice with different content: %q, then %q in frame %d. "+
			"The analysis read %s, as most TCP stacks and Zeek keep the bytes they received first; the %s may have taken the other copy, so what this report says about these bytes may not be what the %s acted on. "+
			"Overlapping segments that disagree are the classic way to show a monitor one command and the peer another (IDS evasion); a faulty middlebox or NIC offload that rewrites payload does it too.",
			r.Used, r.Other, r.OtherFrame, first, who, who)
		f.Remedy = fmt.Sprintf("Find who sent the second copy: compare its IP TTL and ID with the neighbouring segments, and capture at the %s itself to see which copy it received; treat the sender of an injected copy as hostile.", who)
		c.add(f, nil)
	}
}

// failureReplies: data-channel and session failures that no other rule
// explained, with the cause the reply text and context suggest.
func (c *sessionCtx) failureReplies() {
	for i := range c.s.Dialog {
		e := &c.s.Dialog[i]
		if e.Kind == "command" || e.Preliminary || c.explained[e.Frame] {
			continue
		}
		answered := c.s.Answered(e)
		cmd := ""
		if answered != nil {
			cmd = answered.Verb
		}
		cause, sev := failureCause(e, cmd)
		if cause == "" {
			continue
		}
		frames := []uint64{e.Frame}
		if answered != nil {
			frames = append(frames, answered.Frame)
		}
		what := fmt.Sprintf("%d %s", e.Code, e.Text)
		to := ""
		if cmd != "" {
			to = " to " + cmd
		}
		f := model.Finding{Rule: RuleFailureReply, Severity: sev, TS: timeRef(e.TS),
			Evidence: model.Evidence{Frames: frames, Wire: []string{what}},
			Summary:  fmt.Sprintf("server answered%s: %s", to, textfmt.Clip(what, 60)),
		}
		f.Explanation, f.Remedy = cause, failureRemedy(e.Code)
		c.add(f, nil)
	}
}

// failureCause explains the failure replies findings.md names.
func failureCause(e *model.DialogEntry, cmd string) (string, model.Severity) {
	switch e.Code {
	case 421, 425, 426, 500, 501, 522:
	default:
		return "", 0
	}
	text := strings.ToLower(e.Text)
	switch e.Code {
	case 421:
		return "The server is closing the control connection (421): it timed out an idle session, hit a connection limit, or shut down; right after a 227/229 through a NAT it can also mean the gateway rewrote the reply without adjusting sequence numbers.", model.Error
	case 425:
		switch {
		case strings.Contains(text, "use port or pasv first"):
			return "The server had no data endpoint for this transfer: no PORT/PASV was accepted before it.", model.Error
		case strings.Contains(text, "bad ip"):
			return "The data connection came from another address than the control connection, and the server refuses that (vsftpd pasv_promiscuous=NO): a NAT translated the client's data connection differently.", model.Error
		}
		return "The server could not open or accept the data connection (425): it was refused, filtered, or never came.", model.Error
	case 426:
		return "The data connection was closed or reset during the transfer (426): a middlebox timeout or reset, or the peer aborted.", model.Error
	case 500, 501:
		switch cmd {
		case "PORT", "EPRT", "LPRT", "PASV", "EPSV", "LPSV":
			return fmt.Sprintf("The server rejected %s (%d): it does not support it, or the argument is malformed.", cmd, e.Code), model.Warning
		}
	case 522:
		return "The server does not support the requested network protocol (522): an EPRT/EPSV of an address family it does not serve, as happens through NAT64 (RFC 6384).", model.Warning
	}
	return "", 0
}

func failureRemedy(code int) string {
	switch code {
	case 421:
		return "Check server limits and idle timeouts; through a NAT helper, check for sequence-adjustment errors (nat-seq-not-adjusted)."
	case 425, 426:
		return "Check the data-channel findings of this session; use passive mode through NAT and open the passive port range in firewalls."
	case 522:
		return "Use the address family the server serves (EPSV/EPRT with the control connection's family), or PASV/PORT on IPv4."
	}
	return "Use a mode the server supports (PASV/EPSV, or PORT/EPRT) with a well-formed argument."
}
