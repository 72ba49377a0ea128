package model

import (
	"encoding/json"
	"fmt"
)

// Severity orders findings: Info < Warning < Error.
type Severity int

// Severities, least severe first.
const (
	Info Severity = iota + 1
	Warning
	Error
)

var severityNames = [...]string{Info: "info", Warning: "warning", Error: "error"}

// String returns the severity's name as used in reports and on the command line.
func (s Severity) String() string {
	if s >= Info && s <= Error {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// Glyph is a one-character mark that does not rely on colour.
func (s Severity) Glyph() string {
	switch s {
	case Error:
		return "✖"
	case Warning:
		return "▲"
	case Info:
		return "●"
	}
	return " "
}

// ParseSeverity reads a severity name.
func ParseSeverity(name string) (Severity, error) {
	for s := Info; s <= Error; s++ {
		if severityNames[s] == name {
			return s, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want info, warning or error)", name)
}

// MarshalJSON implements json.Marshaler.
func (s Severity) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (s *Severity) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		return err
	}
	v, err := ParseSeverity(name)
	*s = v
	return err
}
