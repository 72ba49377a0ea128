package main

import (
	"fmt"
	"regexp"
	"strings"
)

// The -h summary (usage) is the one table of the command line: the manual
// page and the shell completions are generated from it, so that a flag
// added there is documented and completed everywhere.

// flagTable is the usage text taken apart.
type flagTable struct {
	Synopsis    string // after "Usage: "
	Description string
	Entries     []flagEntry
	ExitStatus  string
}

// flagEntry is one item of the summary: a flag, or the filter operand.
type flagEntry struct {
	Section string // "Sources", "Output", …; "" for the items after a blank line
	Short   string // "r", or ""
	Long    string // "read", or ""
	Arg     string // "[LABEL=]FILE", or "" for a switch
	Operand string // "trailing words": an item that is not a flag
	Help    string
}

// name is how the entry is written on the command line.
func (e *flagEntry) name() string {
	switch {
	case e.Long != "":
		return "--" + e.Long
	case e.Short != "":
		return "-" + e.Short
	}
	return e.Operand
}

var (
	sectionLine = regexp.MustCompile(`^([A-Z][A-Za-z ]*):$`)
	// "  -r, --read [LABEL=]FILE  help", "      --session ID  help",
	// "  -q  help": an argument is written in capitals (or [LABEL=]…).
	flagLine    = regexp.MustCompile(`^  (?:-([A-Za-z0-9]), |    )?(?:--([a-z0-9][a-z0-9-]*)|-([A-Za-z0-9]))(?: (\[?[A-Z][][A-Za-z=]*))?\s+(\S.*)$`)
	operandLine = regexp.MustCompile(`^  ([a-z][a-z ]*[a-z])\s{2,}(\S.*)$`)
	contLine    = regexp.MustCompile(`^\s{8,}(\S.*)$`)
)

// parseUsage takes the usage text apart; it fails on a line it cannot
// place, so that a badly formatted new flag is caught by the tests.
func parseUsage(text string) (*flagTable, error) {
	t := &flagTable{}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	var desc []string
	section, inSection := "", false
	var last *string // what a continuation line continues
	for i, l := range lines {
		switch {
		case i == 0:
			s, ok := strings.CutPrefix(l, "Usage: ")
			if !ok {
				return nil, fmt.Errorf("usage line 1 %q does not start with \"Usage: \"", l)
			}
			t.Synopsis = strings.TrimPrefix(s, "ftpscope ")
		case strings.TrimSpace(l) == "":
			inSection, section, last = false, "", nil
		case sectionLine.MatchString(l):
			section, inSection, last = sectionLine.FindStringSubmatch(l)[1], true, nil
		case strings.HasPrefix(l, "Exit status: "):
			t.ExitStatus = strings.TrimPrefix(l, "Exit status: ")
			last = &t.ExitStatus
		case last == &t.ExitStatus:
			t.ExitStatus += " " + strings.TrimSpace(l)
		case contLine.MatchString(l) && last != nil:
			*last += " " + contLine.FindStringSubmatch(l)[1]
		case flagLine.MatchString(l):
			m := flagLine.FindStringSubmatch(l)
			e := flagEntry{Section: section, Short: m[1], Long: m[2], Arg: m[4], Help: m[5]}
			if m[3] != "" {
				e.Short = m[3]
			}
			t.Entries = append(t.Entries, e)
			last = &t.Entries[len(t.Entries)-1].Help
		case operandLine.MatchString(l):
			m := operandLine.FindStringSubmatch(l)
			t.Entries = append(t.Entries, flagEntry{Section: section, Operand: m[1], Help: m[2]})
			last = &t.Entries[len(t.Entries)-1].Help
		case !inSection && len(t.Entries) == 0 && !strings.HasPrefix(l, " "):
			desc = append(desc, l)
		default:
			return nil, fmt.Errorf("usage line %d %q: not a section, flag, operand or continuation", i+1, l)
		}
	}
	t.Description = strings.Join(desc, " ")
	return t, nil
}
