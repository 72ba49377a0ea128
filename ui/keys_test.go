package ui

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

func TestKeymapHasNoConflicts(t *testing.T) {
	km := DefaultKeymap()
	for i, a := range km {
		for _, b := range km[i+1:] {
			if a.Ctx&b.Ctx == 0 {
				continue
			}
			for _, ka := range a.Keys {
				for _, kb := range b.Keys {
					if ka == kb {
						t.Errorf("%s is bound to %q and %q in the same context", ka, a.Help, b.Help)
					}
				}
			}
		}
	}
}

func TestEveryCommandIsBoundAndHandled(t *testing.T) {
	km := DefaultKeymap()
	bound := map[Command]bool{}
	for _, b := range km {
		bound[b.Cmd] = true
		if b.Help == "" {
			t.Errorf("binding %s has no help", b.Names())
		}
	}
	m := viewmodel.NewModel()
	u, err := New(m, Options{Screen: tcell.NewSimulationScreen("UTF-8")})
	if err != nil {
		t.Fatal(err)
	}
	for c := cmdNone + 1; c < numCommands; c++ {
		if !bound[c] {
			t.Errorf("command %d has no key", c)
		}
		switch c {
		case cmdQuit, cmdQuitNow, cmdPromptAccept, cmdPromptCancel:
			continue // quitting, or handled by the prompt
		}
		if !u.do(c, 0) {
			t.Errorf("command %d is not handled", c)
		}
	}
}

func TestResolve(t *testing.T) {
	km := DefaultKeymap()
	for _, c := range []struct {
		ctx  Context
		ev   *tcell.EventKey
		cmd  Command
		idx  int
		name string
	}{
		{ctxSessions, tcell.NewEventKey(tcell.KeyRune, 'j', 0), cmdDown, 0, "j"},
		{ctxSession, tcell.NewEventKey(tcell.KeyDown, 0, 0), cmdDown, 1, "down"},
		{ctxSession, tcell.NewEventKey(tcell.KeyRune, '3', 0), cmdPane, 2, "3"},
		{ctxSessions, tcell.NewEventKey(tcell.KeyRune, ']', 0), cmdNone, 0, "] in the list"},
		{ctxSession, tcell.NewEventKey(tcell.KeyRune, ']', 0), cmdNextSession, 0, "]"},
		{ctxPrompt, tcell.NewEventKey(tcell.KeyEnter, 0, 0), cmdPromptAccept, 0, "enter in the prompt"},
		{ctxPrompt, tcell.NewEventKey(tcell.KeyRune, 'q', 0), cmdNone, 0, "q in the prompt is text"},
		{ctxHelp, tcell.NewEventKey(tcell.KeyRune, 'q', 0), cmdQuit, 0, "q in help"},
		{ctxSessions, tcell.NewEventKey(tcell.KeyRune, 'j', tcell.ModAlt), cmdNone, 0, "alt-j"},
	} {
		cmd, idx := km.Resolve(c.ctx, c.ev)
		if cmd != c.cmd || idx != c.idx {
			t.Errorf("%s: got command %d/%d, want %d/%d", c.name, cmd, idx, c.cmd, c.idx)
		}
	}
}

func TestHelpAndHintsComeFromTheKeymap(t *testing.T) {
	km := DefaultKeymap()
	help := strings.Join(km.HelpLines(), "\n")
	for _, b := range km {
		if n := strings.Count(help, b.Names()+" "); n == 0 {
			t.Errorf("help does not list %s", b.Names())
		}
		if !strings.Contains(help, b.Help) {
			t.Errorf("help lacks %q", b.Help)
		}
	}
	hints := strings.Join(km.Hints(ctxSessions), " ")
	for _, want := range []string{"? help", "/ filter", "⏎ open", "q back/quit"} {
		if !strings.Contains(hints, want) {
			t.Errorf("list hints %q lack %q", hints, want)
		}
	}
	if strings.Contains(hints, "] next") {
		t.Errorf("list hints show a session-view key: %q", hints)
	}
	// Each key says what it does: [ previous, ] next.
	for _, want := range []string{"\n[            previous session", "\n]            next session"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	if hints := strings.Join(km.Hints(ctxSession), " "); !strings.Contains(hints, "[ prev ] next") {
		t.Errorf("session hints %q lack \"[ prev ] next\"", hints)
	}
}
