package diagnose

import (
	"slices"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// decryptedPassive is an FTPS session read with the key log: its server,
// reached at a public address, announced its private one in the 227.
func decryptedPassive(status string) *model.Session {
	s := &model.Session{
		ID: "s1", Source: "cap", Client: "192.0.2.10:40000", Server: "203.0.113.20:21", Start: at(0), TLS: true,
		TLSDecryption: &model.TLSDecryption{Version: "TLS 1.3", Cipher: "TLS_AES_128_GCM_SHA256", Decrypted: true},
		Dialog: []model.DialogEntry{
			{TS: at(1), Kind: "command", Verb: "AUTH", Arg: "TLS", Frame: 4},
			{TS: at(2), Kind: "reply", Code: 234, Text: "Proceed.", Answers: model.RefTo(0), Frame: 5},
			{TS: at(3), Kind: "command", Verb: "PASV", Frame: 20, Decrypted: true},
			{TS: at(4), Kind: "reply", Code: 227, Text: "Entering Passive Mode (10,0,0,5,117,48).", Answers: model.RefTo(2), Frame: 21, Decrypted: true},
			{TS: at(5), Kind: "command", Verb: "RETR", Arg: "f", Frame: 22, Decrypted: true},
			{TS: at(6), Kind: "reply", Code: 425, Text: "Failed to establish connection.", Answers: model.RefTo(4), Frame: 23, Decrypted: true},
		},
		Channels: []model.Channel{{
			ID: "s1.c1", Mode: "passive",
			Announce: &model.Announce{Verb: "PASV", TS: at(4), Endpoint: "10.0.0.5:30000", ReplyCode: code(227),
				ReplyText: "Entering Passive Mode (10,0,0,5,117,48).", Raw: "227 Entering Passive Mode (10,0,0,5,117,48).", Frame: 21, ReplyFrame: 21},
			Transfer: &model.Transfer{Verb: "RETR", Arg: "f", TS: at(5), ReplyCodes: []int{425}, Frame: 22, FinalFrame: 23},
			Status:   status,
		}},
	}
	return s
}

func TestTLSBlindsALGDecrypted(t *testing.T) {
	fs := New(Config{}).Session(decryptedPassive(model.StatusNoConnection))
	var blind, mismatch *model.Finding
	for i := range fs {
		switch fs[i].Rule {
		case RuleTLSBlindsALG:
			blind = &fs[i]
		case RulePassiveAddressMismatch:
			mismatch = &fs[i]
		}
	}
	if blind == nil || mismatch == nil {
		t.Fatalf("findings %v", rules(fs))
	}
	if blind.Severity != model.Error || !slices.Contains(blind.Evidence.Wire, "227 Entering Passive Mode (10,0,0,5,117,48).") || !slices.Contains(blind.Evidence.Frames, 21) {
		t.Errorf("tls-blinds-alg %s, evidence %+v", blind.Severity, blind.Evidence)
	}
	for _, want := range []string{"227 10.0.0.5:30000 (s1.c1, no data connection, no-connection)", "The server announced its private address 10.0.0.5 inside the encrypted 227: no helper could have rewritten it"} {
		if !strings.Contains(blind.Explanation, want) {
			t.Errorf("explanation %q lacks %q", blind.Explanation, want)
		}
	}
	if strings.Contains(blind.Explanation, "timing only") || !strings.Contains(blind.Summary, "key log") {
		t.Errorf("summary %q, explanation %q", blind.Summary, blind.Explanation)
	}
	if strings.Contains(mismatch.Remedy, "attach the FTP helper") || !strings.Contains(mismatch.Remedy, "Under TLS no NAT helper can rewrite 227") {
		t.Errorf("passive-address-mismatch remedy %q", mismatch.Remedy)
	}
}

// TestTLSBlindsALGNotDecrypted: without decryption the finding is as it
// always was.
func TestTLSBlindsALGNotDecrypted(t *testing.T) {
	s := decryptedPassive(model.StatusOK)
	s.TLSDecryption, s.Dialog, s.Channels = nil, s.Dialog[:2], nil
	fs := New(Config{}).Session(s)
	if len(fs) != 1 || fs[0].Rule != RuleTLSBlindsALG || fs[0].Severity != model.Warning || !strings.HasSuffix(fs[0].Explanation, "by hosts and timing only.") {
		t.Fatalf("findings %+v", fs)
	}
}

// TestCredentialsUnderTLS: read with the key log, a PASS inside TLS is no
// cleartext password; one after CCC is.
func TestCredentialsUnderTLS(t *testing.T) {
	user := "alice"
	for _, decrypted := range []bool{true, false} {
		s := decryptedPassive(model.StatusOK)
		s.User, s.Channels = &user, nil
		s.Dialog = append(s.Dialog[:2],
			model.DialogEntry{TS: at(3), Kind: "command", Verb: "USER", Arg: user, Frame: 30, Decrypted: true},
			model.DialogEntry{TS: at(4), Kind: "reply", Code: 331, Text: "Password.", Answers: model.RefTo(2), Frame: 31, Decrypted: true},
			model.DialogEntry{TS: at(5), Kind: "command", Verb: "PASS", Arg: "****", Frame: 32, Decrypted: decrypted},
			model.DialogEntry{TS: at(6), Kind: "reply", Code: 230, Text: "Login successful.", Answers: model.RefTo(4), Frame: 33, Decrypted: decrypted})
		got := rules(New(Config{}).Session(s))
		if _, flagged := got[RuleCleartextCredentials]; flagged == decrypted {
			t.Errorf("PASS decrypted %v: findings %v", decrypted, got)
		}
	}
}
