// Package uitest holds what the tests of ui and its sub-packages share.
package uitest

import (
	"fmt"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// FakeSession makes a small session for model-driven tests: session n, with
// a nat-not-rewritten error when fail.
func FakeSession(n int, fail bool) (*model.Session, []model.Finding) {
	id := fmt.Sprintf("s%d", n)
	t0 := model.At(time.Date(2026, 1, 1, 0, 0, n, 0, time.UTC))
	user := "u" + fmt.Sprint(n%7)
	s := &model.Session{ID: id, Source: "live", Client: fmt.Sprintf("10.0.%d.%d:40000", n/250%250, n%250+1),
		Server: "203.0.113.20:21", Start: t0, End: t0, User: &user, Commands: 2,
		Dialog: []model.DialogEntry{
			{TS: t0, Kind: "reply", Code: 220, Text: "ready", Frame: 1},
			{TS: t0, Kind: "command", Verb: "PORT", Arg: "10,0,0,1,4,1", Frame: 2},
			{TS: t0, Kind: "reply", Code: 200, Text: "ok", Frame: 3},
		}}
	if !fail {
		return s, nil
	}
	return s, []model.Finding{{Rule: "nat-not-rewritten", Severity: model.Error, Session: id, Summary: "PORT not rewritten in " + id,
		Evidence: model.Evidence{Frames: []uint64{2}}}}
}
