package sessionview

import (
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/styled"
)

// TestDialogChannelsPipelined: with TYPE I and PASV in one segment and
// their replies in another, only PASV and its 227 belong to the channel,
// and the transfer's replies follow their command.
func TestDialogChannelsPipelined(t *testing.T) {
	c227 := 227
	s := &model.Session{
		Dialog: []model.DialogEntry{
			{Kind: "command", Verb: "TYPE", Arg: "I", Frame: 5},
			{Kind: "command", Verb: "PASV", Frame: 5},
			{Kind: "reply", Code: 200, Answers: model.RefTo(0), Frame: 6},
			{Kind: "reply", Code: 227, Answers: model.RefTo(1), Frame: 6},
			{Kind: "command", Verb: "RETR", Arg: "f", Frame: 7},
			{Kind: "reply", Code: 150, Preliminary: true, Answers: model.RefTo(4), Frame: 8},
			{Kind: "reply", Code: 226, Answers: model.RefTo(4), Frame: 9},
			{Kind: "command", Verb: "QUIT", Frame: 10},
		},
		Channels: []model.Channel{{ID: "s1.c1", Mode: "passive",
			Announce: &model.Announce{Verb: "PASV", Frame: 6, ReplyCode: &c227, ReplyFrame: 6},
			Transfer: &model.Transfer{Verb: "RETR", Frame: 7, FinalFrame: 9}}},
	}
	want := []string{"", "s1.c1", "", "s1.c1", "s1.c1", "s1.c1", "s1.c1", ""}
	got := dialogChannels(s)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d (%s%d): channel %q, want %q", i, s.Dialog[i].Verb, s.Dialog[i].Code, got[i], want[i])
		}
	}
	if i := FinalReply(s, 4); i != 6 {
		t.Errorf("final reply to RETR: %d, want 6", i)
	}
}

// TestMultiLineReplyShown: the dialog pane shows a multi-line reply's
// further lines under it, not selectable, with the count of lines not kept.
func TestMultiLineReplyShown(t *testing.T) {
	s := &model.Session{Dialog: []model.DialogEntry{
		{Kind: "command", Verb: "FEAT", Frame: 1},
		{Kind: "reply", Code: 211, Text: "Features:", Lines: 70, Answers: model.RefTo(0), Frame: 2,
			TextLines: []string{"211-Features:", " EPSV", " MDTM", "211 End"}, TextLinesDropped: 66},
	}}
	items := DialogItems(styled.NewTheme(true), s, nil, nil)
	var shown []string
	for _, it := range items {
		text := it.Render(80)[0].Plain()
		if !it.Static {
			if strings.Contains(text, "(+") {
				t.Errorf("entry line %q still says how many lines follow", text)
			}
			continue
		}
		shown = append(shown, strings.TrimSpace(text))
	}
	want := []string{"EPSV", "MDTM", "211 End", "… 66 more lines not kept"}
	if strings.Join(shown, "|") != strings.Join(want, "|") {
		t.Errorf("lines shown %q, want %q", shown, want)
	}
	if c := items[1].Copy; !strings.HasSuffix(c, "\n EPSV\n MDTM\n211 End") {
		t.Errorf("copy %q: want the reply's lines", c)
	}
}
