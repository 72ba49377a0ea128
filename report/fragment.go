package report

import "github.com/ftpscope/ftpscope/model"

// AppendSession appends s as the JSON report writes it (report.md), for
// outputs that embed the report's objects (ECS's ftpscope.* fields).
func AppendSession(b []byte, s *model.Session) []byte { return appendSession(b, s) }

// AppendChannel appends one data channel as the JSON report writes it.
func AppendChannel(b []byte, c *model.Channel) []byte {
	e := enc{b: b}
	e.channel(c)
	return e.b
}

// AppendString appends v as a JSON string, escaped as encoding/json does.
func AppendString(b []byte, v string) []byte {
	e := enc{b: b}
	e.quote(v)
	return e.b
}
