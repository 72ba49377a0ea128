package ui

import (
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// Command is what a key does.
type Command int

// Commands.
const (
	cmdNone Command = iota
	cmdHelp
	cmdFilter
	cmdBack
	cmdQuit
	cmdQuitNow
	cmdDown
	cmdUp
	cmdTop
	cmdBottom
	cmdPageDown
	cmdPageUp
	cmdEnter
	cmdNextPane
	cmdPrevPane
	cmdPane // with the key's index: 1-4
	cmdPrevSession
	cmdNextSession
	cmdFollow
	cmdPause
	cmdCopy
	cmdCopyFilter
	cmdWriteSlice
	cmdPick
	cmdFlow
	cmdStats
	cmdSave
	cmdMenuChoose
	cmdFrame
	cmdPrevFrame
	cmdNextFrame
	cmdSort // with the key's index: the column in viewmodel.SortColumns
	cmdExportFiles
	cmdMouse
	cmdPromptAccept
	cmdPromptCancel
	numCommands
)

// Context is a set of places where a binding applies.
type Context uint8

// Contexts.
const (
	ctxSessions Context = 1 << iota // the sessions list (the root)
	ctxSession                      // one session's panes
	ctxHelp                         // the help page
	ctxPrompt                       // the filter prompt
	ctxFlow                         // the ladder of several sessions, the statistics
	ctxMenu                         // a step of the save dialog
	ctxAll      = ctxSessions | ctxSession | ctxHelp | ctxFlow
	ctxMoves    = ctxAll | ctxMenu // moving, going back, quitting
	ctxViews    = ctxSessions | ctxSession
)

// Key is one key: a special key, or a rune when Code is tcell.KeyRune.
type Key struct {
	Code tcell.Key
	Rune rune
}

func r(c rune) Key         { return Key{tcell.KeyRune, c} }
func k(code tcell.Key) Key { return Key{Code: code} }

// Binding ties keys to a command in some contexts.
type Binding struct {
	Keys []Key
	Cmd  Command
	Ctx  Context
	Help string // for the help page
	Hint string // for the footer; "" keeps it out of the footer
	// Label, when set, names the keys in help and hints instead of the keys'
	// own names (e.g. "1-4").
	Label string
}

// Keymap is the one table of key bindings.
type Keymap []Binding

// DefaultKeymap is ftpscope's key table. The footer hints and the help page
// are generated from it.
func DefaultKeymap() Keymap {
	return Keymap{
		{Keys: []Key{r('?')}, Cmd: cmdHelp, Ctx: ctxAll, Help: "this help (again to close)", Hint: "help"},
		{Keys: []Key{r('/')}, Cmd: cmdFilter, Ctx: ctxViews, Help: "filter sessions: text, ip:, user:, rule:, status:, sev:, !word", Hint: "filter"},
		{Keys: []Key{k(tcell.KeyEnter)}, Cmd: cmdEnter, Ctx: ctxSessions, Help: "open the session (on a finding: its session at the evidence)", Hint: "open"},
		{Keys: []Key{k(tcell.KeyEnter)}, Cmd: cmdEnter, Ctx: ctxSession, Help: "jump: announcement ⇄ data channel, finding → evidence, ladder → dialog line", Hint: "jump"},
		{Keys: []Key{k(tcell.KeyEnter)}, Cmd: cmdEnter, Ctx: ctxFlow, Help: "ladder: open the line's session at that line; statistics: filter the list by the status or rule", Hint: "open"},
		{Keys: []Key{k(tcell.KeyEnter)}, Cmd: cmdMenuChoose, Ctx: ctxMenu, Help: "take the choice", Hint: "choose"},
		{Keys: []Key{k(tcell.KeyEscape)}, Cmd: cmdBack, Ctx: ctxMoves, Help: "one layer back: close help, leave the session, clear the filter", Hint: ""},
		{Keys: []Key{r('q')}, Cmd: cmdQuit, Ctx: ctxMoves, Help: "back; quit from the sessions list", Hint: "back/quit"},
		{Keys: []Key{k(tcell.KeyCtrlC)}, Cmd: cmdQuitNow, Ctx: ctxMoves, Help: "quit now"},
		{Keys: []Key{r('j'), k(tcell.KeyDown)}, Cmd: cmdDown, Ctx: ctxMoves, Help: "down"},
		{Keys: []Key{r('k'), k(tcell.KeyUp)}, Cmd: cmdUp, Ctx: ctxMoves, Help: "up"},
		{Keys: []Key{r('g'), k(tcell.KeyHome)}, Cmd: cmdTop, Ctx: ctxMoves, Help: "first line"},
		{Keys: []Key{r('G'), k(tcell.KeyEnd)}, Cmd: cmdBottom, Ctx: ctxMoves, Help: "last line"},
		{Keys: []Key{k(tcell.KeyPgDn), k(tcell.KeyCtrlF)}, Cmd: cmdPageDown, Ctx: ctxMoves, Help: "page down"},
		{Keys: []Key{k(tcell.KeyPgUp), k(tcell.KeyCtrlB)}, Cmd: cmdPageUp, Ctx: ctxMoves, Help: "page up"},
		{Keys: []Key{k(tcell.KeyTab)}, Cmd: cmdNextPane, Ctx: ctxViews, Help: "next pane", Hint: "pane"},
		{Keys: []Key{k(tcell.KeyBacktab)}, Cmd: cmdPrevPane, Ctx: ctxViews, Help: "previous pane"},
		{Keys: []Key{r('1'), r('2'), r('3'), r('4')}, Label: "1-4", Cmd: cmdPane, Ctx: ctxViews, Help: "pane 1 dialog, 2 data channels, 3 findings, 4 ladder (opens the session from the list)", Hint: "panes"},
		{Keys: []Key{r('[')}, Cmd: cmdPrevSession, Ctx: ctxSession, Help: "previous session (of the filtered, sorted list)", Hint: "prev"},
		{Keys: []Key{r(']')}, Cmd: cmdNextSession, Ctx: ctxSession, Help: "next session (of the filtered, sorted list)", Hint: "next"},
		{Keys: []Key{r('f')}, Cmd: cmdFollow, Ctx: ctxViews, Help: "follow: keep the newest session selected as sessions arrive (live, loading)"},
		{Keys: []Key{r('p')}, Cmd: cmdPause, Ctx: ctxViews, Help: "pause/resume screen updates (analysis goes on; the header counts new sessions)"},
		{Keys: []Key{r('y')}, Cmd: cmdCopy, Ctx: ctxViews, Help: "copy to the clipboard (OSC 52): on a session of the list its Wireshark display filter, else the selected line or item", Hint: "copy"},
		{Keys: []Key{r('Y')}, Cmd: cmdCopyFilter, Ctx: ctxSession, Help: "copy the session's Wireshark display filter (both NAT legs when paired)"},
		{Keys: sortKeys(), Label: "shift-letter", Cmd: cmdSort, Ctx: ctxSessions, Help: sortHelp(), Hint: "sort"},
		{Keys: []Key{r(' ')}, Label: "space", Cmd: cmdPick, Ctx: ctxSessions, Help: "pick or unpick the session (● in the list; esc clears): the picked ones go in one ladder (l), one slice (w), the save dialog (s)", Hint: "pick"},
		{Keys: []Key{r('l')}, Cmd: cmdFlow, Ctx: ctxViews, Help: "one ladder of the picked sessions (else the session with its other NAT leg): a column per host, every session's lines in time order", Hint: "ladder"},
		{Keys: []Key{r('t')}, Cmd: cmdStats, Ctx: ctxSessions, Help: "statistics of the filtered sessions: replies by class and code, commands, data channels by status, findings by rule", Hint: "stats"},
		{Keys: []Key{r('s')}, Cmd: cmdSave, Ctx: ctxViews | ctxFlow, Help: "save dialog: all, picked, filtered or the current sessions as a pcapng slice (control and data, or control only) or the text report; the list or a ladder as text or CSV", Hint: "save"},
		{Keys: []Key{r('y')}, Cmd: cmdCopy, Ctx: ctxFlow, Help: "copy the whole ladder, statistics or frame as text"},
		{Keys: []Key{r('x')}, Cmd: cmdFrame, Ctx: ctxViews | ctxFlow, Help: "the frame of the selected dialog line, data channel, ladder line or finding's evidence: link, IP and TCP headers, payload, hex and ASCII", Hint: "frame"},
		{Keys: []Key{r('[')}, Cmd: cmdPrevFrame, Ctx: ctxFlow, Help: "frame view: the previous frame of the evidence or channel"},
		{Keys: []Key{r(']')}, Cmd: cmdNextFrame, Ctx: ctxFlow, Help: "frame view: the next frame of the evidence or channel"},
		{Keys: []Key{r('w')}, Cmd: cmdWriteSlice, Ctx: ctxViews, Help: "write a pcapng slice (asks for the path): the open session, in the list the picked, else the filtered ones; NAT legs together, findings as comments", Hint: "write"},
		{Keys: []Key{r('e')}, Cmd: cmdExportFiles, Ctx: ctxViews, Help: "export the files the session transferred into a directory (asks for the path), with their SHA-256", Hint: "export"},
		{Keys: []Key{r('m')}, Cmd: cmdMouse, Ctx: ctxAll, Help: "mouse on/off (off: the terminal selects text)"},
		{Keys: []Key{k(tcell.KeyEnter)}, Cmd: cmdPromptAccept, Ctx: ctxPrompt, Help: "keep the filter", Hint: "keep"},
		{Keys: []Key{k(tcell.KeyEscape)}, Cmd: cmdPromptCancel, Ctx: ctxPrompt, Help: "cancel: back to the previous filter", Hint: "cancel"},
	}
}

// Resolve returns the command bound to the event in the context, and the
// index of the key within its binding (for cmdPane).
func (km Keymap) Resolve(ctx Context, ev *tcell.EventKey) (Command, int) {
	for _, b := range km {
		if b.Ctx&ctx == 0 {
			continue
		}
		for i, key := range b.Keys {
			if key.Code != ev.Key() {
				continue
			}
			if key.Code == tcell.KeyRune && (key.Rune != ev.Rune() || ev.Modifiers()&(tcell.ModAlt|tcell.ModCtrl) != 0) {
				continue
			}
			return b.Cmd, i
		}
	}
	return cmdNone, 0
}

// Names is how help and hints write the binding's keys.
func (b Binding) Names() string {
	if b.Label != "" {
		return b.Label
	}
	names := make([]string, len(b.Keys))
	for i, key := range b.Keys {
		names[i] = key.String()
	}
	return strings.Join(names, " ")
}

// String names a key.
func (key Key) String() string {
	if key.Code == tcell.KeyRune {
		return string(key.Rune)
	}
	switch key.Code {
	case tcell.KeyEnter:
		return "⏎"
	case tcell.KeyEscape:
		return "esc"
	case tcell.KeyTab:
		return "tab"
	case tcell.KeyBacktab:
		return "shift-tab"
	case tcell.KeyUp:
		return "↑"
	case tcell.KeyDown:
		return "↓"
	case tcell.KeyHome:
		return "home"
	case tcell.KeyEnd:
		return "end"
	case tcell.KeyPgUp:
		return "pgup"
	case tcell.KeyPgDn:
		return "pgdn"
	case tcell.KeyCtrlB:
		return "ctrl-b"
	case tcell.KeyCtrlC:
		return "ctrl-c"
	case tcell.KeyCtrlF:
		return "ctrl-f"
	}
	return tcell.KeyNames[key.Code]
}

// Hints returns the footer hints of a context, most useful first.
func (km Keymap) Hints(ctx Context) []string {
	var out []string
	for _, b := range km {
		if b.Ctx&ctx == 0 || b.Hint == "" {
			continue
		}
		out = append(out, b.Names()+" "+b.Hint)
	}
	return out
}

// helpSections group the help page; a binding goes to the first section
// that takes it.
var helpSections = []struct {
	Title string
	Takes func(Context) bool
}{
	{"Everywhere", func(c Context) bool { return c&ctxViews == ctxViews }},
	{"Sessions list", func(c Context) bool { return c&ctxSessions != 0 }},
	{"Session panes (1 dialog · 2 data channels · 3 findings · 4 ladder)", func(c Context) bool { return c&ctxSession != 0 }},
	{"Ladder of several sessions (l), statistics (t)", func(c Context) bool { return c&ctxFlow != 0 }},
	{"Save dialog (s)", func(c Context) bool { return c&ctxMenu != 0 }},
	{"Help page", func(c Context) bool { return c&ctxHelp != 0 }},
	{"Filter prompt", func(c Context) bool { return c&ctxPrompt != 0 }},
}

// helpSectionOf is the title of the first section that takes b.
func helpSectionOf(b Binding) string {
	for _, sec := range helpSections {
		if sec.Takes(b.Ctx) {
			return sec.Title
		}
	}
	return ""
}

// HelpLines returns the help page: section titles, then every binding once
// as "keys  description".
func (km Keymap) HelpLines() []string {
	var out []string
	done := make([]bool, len(km))
	for _, sec := range helpSections {
		var lines []string
		for i, b := range km {
			if done[i] || !sec.Takes(b.Ctx) {
				continue
			}
			done[i] = true
			lines = append(lines, styled.PadRight(b.Names(), 12)+" "+b.Help)
		}
		if len(lines) > 0 {
			out = append(out, sec.Title)
			out = append(out, lines...)
			out = append(out, "")
		}
	}
	return out
}

// sortKeys are the keys of the sort binding, in column order.
func sortKeys() []Key {
	keys := make([]Key, len(viewmodel.SortColumns))
	for i, c := range viewmodel.SortColumns {
		keys[i] = r(c.Key)
	}
	return keys
}

// sortHelp is the help of the sort binding.
func sortHelp() string {
	parts := make([]string, len(viewmodel.SortColumns))
	for i, c := range viewmodel.SortColumns {
		parts[i] = string(c.Key) + " " + c.Name
	}
	return "sort the list by a column (again: reverse; the header shows ↑ ↓): " + strings.Join(parts, ", ")
}
