package viewmodel

import (
	"fmt"
	"strings"

	"github.com/ftpscope/ftpscope/model"
)

// Filter selects sessions. Its text is a list of words that must all
// match: plain words are searched (case-insensitively) in the session's
// addresses, user, dialog, transfers and findings; field words look at one
// thing; a leading "!" negates a word.
//
//	ip:10.0.0.5     an address of the session: client, server, announced or data endpoint (prefix match)
//	user:alice      the login name (substring)
//	rule:nat        a finding's rule id (substring)
//	status:refused  a data channel's status (prefix)
//	sev:warning     the worst finding is at least this severe (error, warning, info)
type Filter struct {
	text  string
	terms []term
}

type term struct {
	field string // "" for plain text
	value string // lower case
	neg   bool
	sev   model.Severity
}

// FilterFields are the known field names and what they look at, in the
// order the help page lists them.
var FilterFields = []struct{ Name, Help string }{
	{"ip", "an address of the session (client, server, announced, data), by prefix"},
	{"user", "the login name"},
	{"rule", "a finding's rule id, e.g. rule:nat-not-rewritten"},
	{"status", "a data channel's status: ok, rejected, no-connection, refused, filtered, aborted, truncated, unused"},
	{"sev", "the worst finding is at least error, warning or info"},
}

// ParseFilter reads a filter expression; the empty string matches all.
func ParseFilter(text string) (Filter, error) {
	f := Filter{text: strings.TrimSpace(text)}
	for _, w := range strings.Fields(f.text) {
		t := term{}
		if strings.HasPrefix(w, "!") && len(w) > 1 {
			t.neg, w = true, w[1:]
		}
		if i := strings.IndexByte(w, ':'); i > 0 && isFieldName(w[:i]) {
			name := strings.ToLower(w[:i])
			known := false
			for _, k := range FilterFields {
				known = known || k.Name == name
			}
			if !known {
				return Filter{}, fmt.Errorf("unknown field %q (want ip:, user:, rule:, status: or sev:)", name+":")
			}
			t.field, t.value = name, strings.ToLower(w[i+1:])
			if t.value == "" {
				return Filter{}, fmt.Errorf("%s: needs a value", name)
			}
			if name == "sev" {
				s, err := parseSevWord(t.value)
				if err != nil {
					return Filter{}, err
				}
				t.sev = s
			}
		} else {
			t.value = strings.ToLower(w)
		}
		f.terms = append(f.terms, t)
	}
	return f, nil
}

func isFieldName(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}

func parseSevWord(w string) (model.Severity, error) {
	switch w {
	case "err", "error", "errors":
		return model.Error, nil
	case "warn", "warning", "warnings":
		return model.Warning, nil
	case "info", "infos":
		return model.Info, nil
	}
	return 0, fmt.Errorf("sev:%s: want error, warning or info", w)
}

// Text is the expression as given, trimmed.
func (f Filter) Text() string { return f.text }

// Empty says the filter matches everything.
func (f Filter) Empty() bool { return len(f.terms) == 0 }

// Match says whether the filter selects the row.
func (f Filter) Match(r *Row) bool {
	for _, t := range f.terms {
		if t.match(r) == t.neg {
			return false
		}
	}
	return true
}

func (t term) match(r *Row) bool {
	switch t.field {
	case "":
		return strings.Contains(r.hay, t.value)
	case "ip":
		for _, ip := range r.ips {
			if strings.HasPrefix(ip, t.value) {
				return true
			}
		}
		return false
	case "user":
		return strings.Contains(r.user, t.value)
	case "rule":
		for _, x := range r.rules {
			if strings.Contains(x, t.value) {
				return true
			}
		}
		return false
	case "status":
		for _, x := range r.statuses {
			if strings.HasPrefix(x, t.value) {
				return true
			}
		}
		return false
	case "sev":
		return r.Worst >= t.sev
	}
	return false
}

// Apply returns the rows the filter selects (rows itself when it is empty).
func (f Filter) Apply(rows []*Row) []*Row {
	if f.Empty() {
		return rows
	}
	out := make([]*Row, 0, len(rows)/4)
	for _, r := range rows {
		if f.Match(r) {
			out = append(out, r)
		}
	}
	return out
}
