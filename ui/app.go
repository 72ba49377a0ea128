package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
)

// Options tune the UI.
type Options struct {
	// Screen to draw on; nil opens the terminal. Tests pass a
	// tcell.SimulationScreen.
	Screen tcell.Screen
	// NoColor draws without colour (also when NO_COLOR is set).
	NoColor bool
	// Refresh is how often model changes are applied (default 100 ms).
	Refresh time.Duration
	// Tool names the program in the header.
	Tool model.Tool
	// Exporter writes slices (w) and exports files (e); nil leaves them
	// out.
	Exporter Exporter
	// Frames reads frames back for the frame view (x); nil leaves it out.
	Frames FrameSource
}

type viewID int

const (
	viewSessions viewID = iota
	viewSession
	viewFlow  // the ladder of several sessions (flowview.go)
	viewStats // the statistics (stats.go)
	viewFrame // one frame's headers and bytes (frames.go)
)

// Panes of the session view, in key order (1-4).
const (
	paneDialog = iota
	paneData
	paneFindings
	paneLadder
	numPanes
)

var paneNames = [numPanes]string{"Dialog", "Data channels", "Findings", "Ladder"}

// Layout thresholds: below them one pane is shown at a time.
const (
	wideListW, wideListH       = 100, 20
	wideSessionW, wideSessionH = 120, 30
	flashFor                   = 5 * time.Second
)

// UI is the terminal user interface over a Model.
type UI struct {
	app    *tview.Application
	screen tcell.Screen
	model  *Model
	keys   Keymap
	th     *theme
	opt    Options

	root      *frame
	table     *tview.Table
	content   *sessionsContent
	overview  *pane
	preview   *pane
	panes     [numPanes]*pane
	help      *pane
	prompt    *tview.InputField
	overlay   *pane // the flow or statistics view
	framePane *pane // the frame view

	// State below is touched on the UI goroutine only.
	snap        *Snapshot
	rows        []*Row // the filtered rows shown in the table
	filter      Filter
	order       sortOrder
	picked      map[string]bool // sessions picked with space
	savedFilter string
	view        viewID
	listFocus   int // 0 table, 1 findings overview
	paneFocus   int
	helpOpen    bool
	prompting   bool
	asking      *pathAsk // the path prompt of w and e, when open
	menu        *menu    // the save dialog's open step
	flow        *flowSpec
	flowFrom    viewID // the view the flow or statistics came from
	statsRows   []*Row // the sessions the statistics count
	frames      *frameSet
	frameFrom   viewID // the view the frame view came from
	selID       string
	openRow     *Row
	openOther   *Row // the other NAT leg's row, as the open session's ladder drew it
	follow      bool
	paused      bool
	pending     int
	mouse       bool
	flash       string
	flashSev    model.Severity
	applying    bool

	flashDeadline atomic.Int64 // unix nanoseconds; 0 when no flash
	busy          atomic.Bool  // an update is queued
	jobBusy       atomic.Bool  // a write or export runs
	stop          chan struct{}
	stopOnce      sync.Once
}

// New builds the UI over a model. Call Run (with the analysis) or RunApp.
func New(m *Model, opt Options) (*UI, error) {
	if opt.Refresh <= 0 {
		opt.Refresh = 100 * time.Millisecond
	}
	if opt.Tool.Name == "" {
		opt.Tool.Name = "ftpscope"
	}
	opt.NoColor = opt.NoColor || noColorEnv()
	screen := opt.Screen
	if screen == nil {
		s, err := tcell.NewScreen()
		if err != nil {
			return nil, err
		}
		screen = s
	}
	u := &UI{
		app:    tview.NewApplication(),
		screen: screen,
		model:  m,
		keys:   DefaultKeymap(),
		th:     newTheme(opt.NoColor),
		opt:    opt,
		stop:   make(chan struct{}),
	}
	setStyles()
	u.build()
	u.app.SetScreen(screen)
	// Where the terminal's character set cannot show a mark (a locale that
	// is not UTF-8), tcell draws its ASCII stand-in. The screen is
	// initialised by Run, which resets its fallbacks: register before the
	// first draw.
	fallbacks := false
	u.app.SetBeforeDrawFunc(func(sc tcell.Screen) bool {
		if !fallbacks {
			fallbacks = true
			textfmt.EachASCIIMark(sc.RegisterRuneFallback)
		}
		return false
	})
	u.app.SetRoot(u.root, true)
	u.app.SetInputCapture(u.onKey)
	u.app.EnableMouse(false)
	u.apply(m.Snapshot())
	u.syncFocus()
	return u, nil
}

var stylesOnce sync.Once

// setStyles makes tview use the terminal's own colours.
func setStyles() {
	stylesOnce.Do(func() {
		tview.Styles = tview.Theme{
			PrimitiveBackgroundColor:    tcell.ColorDefault,
			ContrastBackgroundColor:     tcell.ColorDefault,
			MoreContrastBackgroundColor: tcell.ColorDefault,
			BorderColor:                 tcell.ColorDefault,
			TitleColor:                  tcell.ColorDefault,
			GraphicsColor:               tcell.ColorDefault,
			PrimaryTextColor:            tcell.ColorDefault,
			SecondaryTextColor:          tcell.ColorDefault,
			TertiaryTextColor:           tcell.ColorDefault,
			InverseTextColor:            tcell.ColorDefault,
			ContrastSecondaryTextColor:  tcell.ColorDefault,
		}
	})
}

func (u *UI) build() {
	u.content = &sessionsContent{th: u.th}
	u.table = tview.NewTable().SetContent(u.content).SetSelectable(true, false).SetFixed(1, 0)
	u.table.SetBorder(true).SetTitleAlign(tview.AlignLeft)
	u.table.SetSelectedStyle(tcell.StyleDefault.Reverse(true))
	u.table.SetSelectionChangedFunc(func(row, _ int) {
		if !u.applying && row >= 1 && row-1 < len(u.rows) {
			u.selID = u.rows[row-1].S.ID
			u.updatePreview()
		}
	})
	u.overview = newPane(u.th, " Findings ")
	u.overview.empty = "No findings yet."
	u.preview = newPane(u.th, "")
	u.preview.SetBorder(false)
	for i := range u.panes {
		u.panes[i] = newPane(u.th, "")
	}
	u.panes[paneDialog].empty = "No commands or replies seen."
	u.panes[paneData].empty = "No data channel: no PORT, EPRT, PASV or EPSV, no transfer."
	u.panes[paneFindings].empty = "No findings: nothing looks wrong with this session."
	u.overlay = newPane(u.th, "")
	u.framePane = newPane(u.th, "")
	u.help = newPane(u.th, " Help · esc or ? to close ")
	u.help.setItems(u.helpItems(), 0)
	u.prompt = tview.NewInputField().SetLabel("/").SetFieldStyle(tcell.StyleDefault).SetLabelStyle(tcell.StyleDefault.Bold(true))
	u.prompt.SetChangedFunc(func(text string) {
		if u.prompting {
			u.setFilter(text)
		}
	})
	u.root = &frame{Box: tview.NewBox(), u: u}
}

// helpItems are the lines of the help page, generated from the key table.
func (u *UI) helpItems() []item {
	th := u.th
	var items []item
	title := func(s string) {
		items = append(items, item{copy: s, render: func(int) []line { return []line{{{s, th.title}}} }})
	}
	entry := func(keys, text string, st tcell.Style) {
		items = append(items, item{copy: keys + " " + text, render: func(w int) []line {
			var out []line
			for i, x := range wrap(text, max(10, w-14)) {
				k := ""
				if i == 0 {
					k = keys
				}
				out = append(out, line{{padRight(k, 13) + " ", st}, {x, th.base}})
			}
			return out
		}})
	}
	blank := func() { items = append(items, item{render: func(int) []line { return []line{{}} }}) }
	for _, sec := range helpSections {
		first := true
		for _, b := range u.keys {
			if !sec.Takes(b.Ctx) || helpSectionOf(b) != sec.Title {
				continue
			}
			if first {
				title(sec.Title)
				first = false
			}
			entry(b.Names(), b.Help, th.bold)
		}
		if !first {
			blank()
		}
	}
	title("Filter words (all must match; !word negates)")
	entry("text", "anywhere: addresses, user, commands, replies, transfers, findings", th.bold)
	for _, f := range filterFields {
		entry(f.name+":", f.help, th.bold)
	}
	blank()
	title("Marks (never colour alone)")
	for _, s := range []model.Severity{model.Error, model.Warning, model.Info} {
		entry(sevLabel(s), "a finding of this severity; F1, F2… tag its evidence lines", th.sevStyle(s))
	}
	entry("✔ – ▲ ✖", "data channel: worked, unused, partial, failed", th.bold)
	entry("→ ← ⇢c1", "command to the server, reply to the client, the data channel a line announces or uses", th.bold)
	entry("═ ╌✖ ┄ ✎", "ladder: data connection, failed one, none at all, rewritten by the NAT", th.bold)
	return items
}

// Run runs analyse in a goroutine (it feeds the model, which is its
// Consumer) and the UI on the calling goroutine, until the user quits or
// ctx is done. On quit analyse's context is cancelled; once it returns, the
// model shows the end of the run. Run returns the UI's error, else
// analyse's.
func (u *UI) Run(ctx context.Context, analyse Analysis) error {
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		end, err := analyse(actx)
		u.model.Finish(end, err)
		done <- err
	}()
	err := u.RunApp(ctx)
	cancel()
	aerr := <-done
	if err != nil {
		return err
	}
	return aerr
}

// RunApp runs the UI until the user quits or ctx is done.
func (u *UI) RunApp(ctx context.Context) error {
	go u.refresher(ctx)
	err := u.app.Run()
	u.stopOnce.Do(func() { close(u.stop) })
	return err
}

// refresher applies model changes: at most one QueueUpdateDraw per tick,
// none while the previous one is still queued.
func (u *UI) refresher(ctx context.Context) {
	t := time.NewTicker(u.opt.Refresh)
	defer t.Stop()
	seenV, seenP := ^uint64(0), ^uint64(0) // the first tick applies the model
	for {
		select {
		case <-u.stop:
			return
		case <-ctx.Done():
			u.quit()
			return
		case <-t.C:
		}
		v, p := u.model.Version(), u.model.Packets()
		fd := u.flashDeadline.Load()
		flashDue := fd != 0 && time.Now().UnixNano() >= fd
		if v == seenV && p == seenP && !flashDue {
			continue
		}
		if !u.busy.CompareAndSwap(false, true) {
			continue // the last update has not run yet: drop this one
		}
		seenV, seenP = v, p
		// QueueUpdateDraw blocks until the event loop ran it, and forever
		// once the application stopped: never from the ticker itself.
		go u.app.QueueUpdateDraw(func() {
			u.busy.Store(false)
			u.refresh()
		})
	}
}

// quit stops the application (safe from any goroutine).
func (u *UI) quit() {
	u.stopOnce.Do(func() { close(u.stop) })
	u.app.Stop()
}

// refresh runs on the UI goroutine: expire the flash, apply a new snapshot.
func (u *UI) refresh() {
	if fd := u.flashDeadline.Load(); fd != 0 && time.Now().UnixNano() >= fd {
		u.flash = ""
		u.flashDeadline.Store(0)
	}
	if u.paused && u.snap != nil {
		u.pending = u.model.Len() - len(u.snap.Rows)
		return
	}
	s := u.model.Snapshot()
	if u.snap != nil && s.Version == u.snap.Version {
		return
	}
	u.apply(s)
}

// apply shows a snapshot, keeping each selection on the same thing.
func (u *UI) apply(s *Snapshot) {
	u.snap = s
	u.pending = 0
	u.applyFilter()
	// The open session is redrawn when it changed, or the other leg of
	// its NAT pair did (a live capture pairs legs as they run).
	if u.view == viewSession && u.openRow != nil {
		r := u.model.Row(u.openRow.S.ID)
		changed := r != nil && r != u.openRow
		if r != nil && !changed && r.Other != "" {
			changed = u.model.Row(r.Other) != u.openOther
		}
		if changed {
			u.showSession(r, true)
		}
	}
}

// applyFilter recomputes the visible rows and puts the selection back on
// the selected session.
func (u *UI) applyFilter() {
	if u.snap == nil {
		return
	}
	u.rows = u.order.apply(u.filter.Apply(u.snap.Rows))
	if u.order.col == 0 {
		// In session order the two legs of a NAT pair sit together; a
		// column the user sorts by has the last word.
		u.rows = groupLegs(u.rows)
	}
	u.content.rows, u.content.order = u.rows, u.order
	title := fmt.Sprintf(" Sessions (%d)%s ", len(u.rows), u.listNote())
	if !u.filter.Empty() {
		title = fmt.Sprintf(" Sessions (%d of %d) · /%s%s ", len(u.rows), len(u.snap.Rows), u.filter.Text(), u.listNote())
	}
	u.table.SetTitle(title)
	u.updateOverview()
	switch {
	case u.follow && len(u.rows) > 0:
		u.selID = u.rows[len(u.rows)-1].S.ID
	case u.selID == "" && len(u.rows) > 0:
		u.selID = u.rows[0].S.ID
	}
	u.selectID(u.selID)
}

// setSel makes id the selected session (the user's choice, kept across
// filters and updates) and selects its row.
func (u *UI) setSel(id string) {
	u.selID = id
	u.selectID(id)
}

// selectID selects a session's row, or the nearest one after it when the
// filter hides it; the user's choice (selID) stays as it was.
func (u *UI) selectID(id string) {
	u.applying = true
	defer func() { u.applying = false }()
	if len(u.rows) == 0 {
		u.table.Select(0, 0)
		u.updatePreview()
		return
	}
	idx := u.rowIndex(id)
	if idx < 0 {
		idx = 0
		if id != "" {
			n := sessionNumber(id)
			for i, r := range u.rows {
				if r.Num >= n {
					idx = i
					break
				}
				idx = i
			}
		}
	}
	u.table.Select(idx+1, 0)
	u.updatePreview()
}

func (u *UI) rowIndex(id string) int {
	for i, r := range u.rows {
		if r.S.ID == id {
			return i
		}
	}
	return -1
}

func (u *UI) selectedRow() *Row {
	row, _ := u.table.GetSelection()
	if row >= 1 && row-1 < len(u.rows) {
		return u.rows[row-1]
	}
	return nil
}

// updatePreview shows the selected session's worst finding under the list
// in the narrow layout.
func (u *UI) updatePreview() {
	r := u.selectedRow()
	if r == nil {
		u.preview.setItems(nil, 0)
		return
	}
	var fs []model.Finding
	if len(r.Findings) > 0 {
		fs = r.Findings[:1]
	}
	th := u.th
	u.preview.setItems([]item{{static: true, render: func(w int) []line {
		if len(fs) == 0 {
			return []line{{{r.S.ID + "  no findings · ⏎ open", th.dim}}}
		}
		f := &fs[0]
		ls := []line{}
		for i, x := range wrap(r.S.ID+" "+f.Summary, max(10, w-10)) {
			lab := strings.Repeat(" ", 10)
			if i == 0 {
				lab = padRight(sevLabel(f.Severity), 10)
			}
			ls = append(ls, line{{lab, th.sevStyle(f.Severity)}, {x, th.bold}})
		}
		return ls
	}}}, 0)
}

// setFilter applies a filter as the user types.
func (u *UI) setFilter(text string) {
	f, err := ParseFilter(text)
	if err != nil {
		u.prompt.SetLabel("/ (" + err.Error() + ") ")
		return
	}
	u.prompt.SetLabel("/")
	u.filter = f
	u.applyFilter()
}

// showSession renders a session into the panes; keep keeps each pane's
// selection (the same session, updated).
func (u *UI) showSession(r *Row, keep bool) {
	u.view = viewSession
	u.openRow = r
	sels := [numPanes]int{}
	if keep {
		for i, p := range u.panes {
			sels[i] = p.sel
		}
	}
	var nat *natLeg
	if p, ok := u.model.Pair(r.S.ID); ok {
		nat = natLegOf(&p, r.S.ID)
	}
	u.panes[paneDialog].setItems(dialogItems(u.th, r.S, r.Findings, nat), sels[paneDialog])
	u.panes[paneData].setItems(channelItems(u.th, r.S, nat), sels[paneData])
	u.panes[paneFindings].setItems(sessionFindingItems(u.th, r.S.ID, r.Findings), sels[paneFindings])
	sp := u.ladderSpec(r)
	u.panes[paneLadder].setItems(ladderItems(u.th, sp), max(sels[paneLadder], 3))
	obs := 0
	for _, ch := range r.S.Channels {
		if ch.Connection != nil {
			obs++
		}
	}
	u.panes[paneDialog].SetTitle(fmt.Sprintf(" 1 Dialog (%d) ", len(r.S.Dialog)))
	u.panes[paneData].SetTitle(fmt.Sprintf(" 2 Data channels (%d observed / %d) ", obs, len(r.S.Channels)))
	u.panes[paneFindings].SetTitle(fmt.Sprintf(" 3 Findings (%d) ", len(r.Findings)))
	lt := " 4 Ladder "
	if sp.server != nil {
		lt = fmt.Sprintf(" 4 Ladder · across the NAT: %s ⇄ %s ", sp.client.s.ID, sp.server.s.ID)
	}
	u.panes[paneLadder].SetTitle(lt)
}

// ladderSpec pairs the session with its other NAT leg when there is one.
func (u *UI) ladderSpec(r *Row) *ladderSpec {
	sp := &ladderSpec{client: ladderLeg{s: r.S, marks: marksFor(r.Findings)}, viewed: r.S.ID}
	u.openOther = nil
	p, ok := u.model.Pair(r.S.ID)
	if !ok {
		return sp
	}
	otherID := p.Outside
	if otherID == r.S.ID {
		otherID = p.Inside
	}
	o := u.model.Row(otherID)
	if o == nil {
		return sp
	}
	u.openOther = o
	in, out := r, o
	if p.Inside != r.S.ID {
		in, out = o, r
	}
	cs, ss := natLegs(&p, in.S, out.S)
	legOf := func(s *model.Session) ladderLeg {
		if s == r.S {
			return ladderLeg{s: r.S, marks: marksFor(r.Findings)}
		}
		return ladderLeg{s: o.S, marks: marksFor(o.Findings)}
	}
	srv := legOf(ss)
	sp.client, sp.server, sp.pair = legOf(cs), &srv, &p
	return sp
}

// context says which bindings apply now.
func (u *UI) context() Context {
	switch {
	case u.prompting, u.asking != nil:
		return ctxPrompt
	case u.menu != nil:
		return ctxMenu
	case u.helpOpen:
		return ctxHelp
	case u.view == viewSession:
		return ctxSession
	case u.view == viewFlow, u.view == viewStats, u.view == viewFrame:
		return ctxFlow
	}
	return ctxSessions
}

// focused returns the widget that has the keyboard.
func (u *UI) focused() tview.Primitive {
	switch {
	case u.asking != nil:
		return u.asking.field
	case u.prompting:
		return u.prompt
	case u.menu != nil:
		return u.menu.pane
	case u.helpOpen:
		return u.help
	case u.view == viewSession:
		return u.panes[u.paneFocus]
	case u.view == viewFlow, u.view == viewStats:
		return u.overlay
	case u.view == viewFrame:
		return u.framePane
	case u.listFocus == 1:
		return u.overview
	}
	return u.table
}

func (u *UI) syncFocus() {
	if p := u.focused(); !p.HasFocus() {
		u.app.SetFocus(p)
	}
}

// Flash shows msg in the status line for a while; safe from any goroutine
// (the analysis', while Run runs).
func (u *UI) Flash(sev model.Severity, msg string) { u.flashFromOutside(sev, msg) }

// flashFromOutside flashes msg from a goroutine other than the UI's.
func (u *UI) flashFromOutside(sev model.Severity, msg string) {
	select {
	case <-u.stop:
		return // no UI to show it any more
	default:
	}
	// QueueUpdateDraw waits for the event loop (forever once it stopped):
	// never from the caller's goroutine.
	go u.app.QueueUpdateDraw(func() { u.setFlash(sev, "%s", msg) })
}

func (u *UI) setFlash(sev model.Severity, format string, args ...any) {
	u.flash = fmt.Sprintf(format, args...)
	u.flashSev = sev
	u.flashDeadline.Store(time.Now().Add(flashFor).UnixNano())
}

// onKey dispatches every key through the key table. It runs on the event
// loop: it changes widgets directly and never queues updates.
func (u *UI) onKey(ev *tcell.EventKey) *tcell.EventKey {
	ctx := u.context()
	cmd, idx := u.keys.Resolve(ctx, ev)
	if ctx == ctxPrompt && u.asking != nil {
		return u.askKey(cmd, ev)
	}
	if ctx == ctxMenu {
		u.menuCommand(cmd)
		u.syncFocus()
		return nil
	}
	if ctx == ctxPrompt {
		switch cmd {
		case cmdPromptAccept:
			u.prompting = false
		case cmdPromptCancel:
			u.prompting = false
			u.prompt.SetText(u.savedFilter)
			u.setFilter(u.savedFilter)
		default:
			if ev.Key() == tcell.KeyCtrlC {
				u.quit()
				return nil
			}
			return ev // typing goes to the input field
		}
		u.syncFocus()
		return nil
	}
	if cmd != cmdNone {
		u.do(cmd, idx)
		u.syncFocus()
	}
	return nil
}

// do carries out a command; it reports whether it knows the command.
func (u *UI) do(cmd Command, idx int) bool {
	switch cmd {
	case cmdQuitNow:
		u.quit()
	case cmdHelp:
		u.helpOpen = !u.helpOpen
	case cmdQuit:
		switch {
		case u.helpOpen:
			u.helpOpen = false
		case u.view == viewFrame:
			u.frameBack()
		case u.view == viewFlow, u.view == viewStats:
			u.overlayBack()
		case u.view == viewSession:
			u.back()
		default:
			u.quit()
		}
	case cmdBack:
		switch {
		case u.helpOpen:
			u.helpOpen = false
		case u.view == viewFrame:
			u.frameBack()
		case u.view == viewFlow, u.view == viewStats:
			u.overlayBack()
		case u.view == viewSession:
			u.back()
		case !u.filter.Empty():
			u.prompt.SetText("")
			u.setFilter("")
		case len(u.picked) > 0:
			u.clearPicks()
			u.setFlash(0, "picks cleared")
		case u.listFocus == 1:
			u.listFocus = 0
		default:
			u.setFlash(0, "q quits")
		}
	case cmdFilter:
		u.helpOpen = false
		u.prompting = true
		u.savedFilter = u.filter.Text()
		u.prompt.SetText(u.savedFilter)
	case cmdDown, cmdUp, cmdTop, cmdBottom, cmdPageDown, cmdPageUp:
		u.navigate(cmd)
	case cmdEnter:
		u.enter()
	case cmdNextPane, cmdPrevPane:
		d := 1
		if cmd == cmdPrevPane {
			d = -1
		}
		if u.view == viewSession {
			u.paneFocus = (u.paneFocus + d + numPanes) % numPanes
		} else {
			u.listFocus = 1 - u.listFocus
		}
	case cmdPane:
		if u.view == viewSessions {
			r := u.selectedRow()
			if r == nil {
				break
			}
			u.showSession(r, false)
		}
		u.paneFocus = idx
	case cmdPrevSession, cmdNextSession:
		d := 1
		if cmd == cmdPrevSession {
			d = -1
		}
		u.stepSession(d)
	case cmdFollow:
		u.follow = !u.follow
		if u.follow {
			u.paused = false
			u.refreshNow()
			u.setFlash(0, "following the newest session")
		} else {
			u.setFlash(0, "follow off")
		}
	case cmdPause:
		u.paused = !u.paused
		if !u.paused {
			u.refreshNow()
			u.setFlash(0, "resumed")
		} else {
			u.setFlash(0, "paused: the analysis goes on; p resumes")
		}
	case cmdCopy:
		u.copySelection()
	case cmdCopyFilter:
		u.copyWiresharkFilter(u.openRow)
	case cmdSort:
		u.order.toggle(idx)
		u.applyFilter()
		c := sortColumns[idx]
		u.setFlash(0, "sorted by %s %s (%c again reverses)", c.name, u.order.arrow(), c.key)
	case cmdPick:
		u.togglePick()
	case cmdFlow:
		u.openFlow()
	case cmdStats:
		u.openStats()
	case cmdSave:
		u.openSave()
	case cmdMenuChoose: // handled by the open menu
	case cmdFrame:
		u.openFrame()
	case cmdPrevFrame, cmdNextFrame:
		d := 1
		if cmd == cmdPrevFrame {
			d = -1
		}
		u.stepFrame(d)
	case cmdWriteSlice:
		u.startWriteSlice()
	case cmdExportFiles:
		u.startExportFiles()
	case cmdMouse:
		u.mouse = !u.mouse
		u.app.EnableMouse(u.mouse)
		if u.mouse {
			u.setFlash(0, "mouse on (m: off, to select text in the terminal)")
		} else {
			u.setFlash(0, "mouse off")
		}
	default:
		return false
	}
	return true
}

// refreshNow applies the model at once (on the UI goroutine).
func (u *UI) refreshNow() {
	u.apply(u.model.Snapshot())
}

func (u *UI) back() {
	u.view = viewSessions
	if u.openRow != nil {
		u.setSel(u.openRow.S.ID)
	}
}

func (u *UI) navigate(cmd Command) {
	if u.helpOpen || u.view != viewSessions || u.listFocus == 1 {
		p := u.focused().(*pane)
		switch cmd {
		case cmdDown:
			p.move(1)
		case cmdUp:
			p.move(-1)
		case cmdTop:
			p.home()
		case cmdBottom:
			p.end()
		case cmdPageDown:
			p.page(1)
		case cmdPageUp:
			p.page(-1)
		}
		return
	}
	if len(u.rows) == 0 {
		return
	}
	row, _ := u.table.GetSelection()
	_, _, _, h := u.table.GetInnerRect()
	page := max(1, h-2)
	switch cmd {
	case cmdDown:
		row++
	case cmdUp:
		row--
		u.follow = false
	case cmdTop:
		row = 1
		u.follow = false
	case cmdBottom:
		row = len(u.rows)
	case cmdPageDown:
		row += page
	case cmdPageUp:
		row -= page
		u.follow = false
	}
	row = max(1, min(row, len(u.rows)))
	u.setSel(u.rows[row-1].S.ID)
}

// stepSession opens the previous or next session of the filtered list.
func (u *UI) stepSession(d int) {
	if u.openRow == nil || len(u.rows) == 0 {
		return
	}
	i := u.rowIndex(u.openRow.S.ID)
	if i < 0 {
		u.selectID(u.openRow.S.ID) // the nearest one
		i = u.rowIndex(u.selectedRow().S.ID)
		if d > 0 {
			d = 0
		}
	}
	j := i + d
	if j < 0 || j >= len(u.rows) {
		u.setFlash(0, "no more sessions")
		return
	}
	u.setSel(u.rows[j].S.ID)
	u.showSession(u.rows[j], false)
}

// enter follows what the selection points at.
func (u *UI) enter() {
	switch {
	case u.helpOpen:
		return
	case u.view == viewFlow:
		u.flowEnter()
		return
	case u.view == viewStats:
		u.statsEnter()
		return
	}
	if u.view == viewSessions {
		if u.listFocus == 1 {
			it := u.overview.selected()
			if it == nil {
				return
			}
			ref := it.ref.(findingRef)
			r := u.model.Row(ref.session)
			if r == nil {
				u.setFlash(0, "this finding is about the whole capture")
				return
			}
			u.setSel(r.S.ID)
			u.showSession(r, false)
			u.paneFocus = paneFindings
			u.panes[paneFindings].selectRef(func(x any) bool {
				f := &r.Findings[x.(findingRef).index]
				return f.Rule == ref.rule && f.Channel == ref.channel && f.Summary == ref.summary
			})
			return
		}
		if r := u.selectedRow(); r != nil {
			u.showSession(r, false)
			u.paneFocus = paneDialog
		}
		return
	}
	it := u.panes[u.paneFocus].selected()
	if it == nil {
		return
	}
	switch ref := it.ref.(type) {
	case dialogRef:
		if ref.channel == "" {
			u.setFlash(0, "no data channel on this line")
			return
		}
		u.paneFocus = paneData
		u.panes[paneData].selectRef(func(x any) bool { return x.(channelRef).id == ref.channel })
	case channelRef:
		u.paneFocus = paneDialog
		u.selectFrames(ref.frames)
	case findingRef:
		if !u.selectFrames(ref.frames) {
			if ref.channel != "" {
				u.paneFocus = paneData
				u.panes[paneData].selectRef(func(x any) bool { return x.(channelRef).id == ref.channel })
			}
			return
		}
		u.paneFocus = paneDialog
	case ladderRef:
		if ref.dialog < 0 {
			return
		}
		u.paneFocus = paneDialog
		u.panes[paneDialog].selectRef(func(x any) bool { d, ok := x.(dialogRef); return ok && d.index == ref.dialog })
	}
}

// selectFrames selects the first dialog line carried by one of frames.
func (u *UI) selectFrames(frames []uint64) bool {
	want := map[uint64]bool{}
	for _, f := range frames {
		if f != 0 {
			want[f] = true
		}
	}
	ok := u.panes[paneDialog].selectRef(func(x any) bool { d, ok := x.(dialogRef); return ok && want[d.frame] })
	if ok {
		u.paneFocus = paneDialog
	}
	return ok
}

// copySelection puts the selected thing on the clipboard (OSC 52).
func (u *UI) copySelection() {
	var text string
	switch {
	case u.view == viewSessions && u.listFocus == 0:
		u.copyWiresharkFilter(u.selectedRow())
		return
	case u.view == viewSession && u.paneFocus == paneLadder && u.openRow != nil:
		text = ladderText(u.ladderSpec(u.openRow), 120)
	case u.view == viewFlow && u.flow != nil:
		text = flowText(u.flow, 160)
	case u.view == viewStats:
		text = statsText(computeStats(u.statsRows), u.statsScope())
	case u.view == viewFrame:
		text = u.frameText()
	default:
		p, ok := u.focused().(*pane)
		if ok {
			if it := p.selected(); it != nil {
				text = it.copy
			}
		}
	}
	if text == "" {
		u.setFlash(0, "nothing to copy")
		return
	}
	u.screen.SetClipboard([]byte(text))
	u.setFlash(0, "copied %d bytes to the clipboard (OSC 52)", len(text))
}

// frame is the root primitive: it lays the widgets out for the screen size
// and forwards input to the filter prompt and mouse events to what is under
// the pointer.
type frame struct {
	*tview.Box
	u       *UI
	visible []tview.Primitive
}

// HasFocus implements tview.Primitive: the root always has it.
func (f *frame) HasFocus() bool { return true }

// InputHandler implements tview.Primitive: keys reach the root only while
// the filter prompt is open (the key table handles the rest).
func (f *frame) InputHandler() func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
	return func(event *tcell.EventKey, setFocus func(p tview.Primitive)) {
		if a := f.u.asking; a != nil {
			if h := a.field.InputHandler(); h != nil {
				h(event, setFocus)
			}
			return
		}
		if f.u.prompting {
			if h := f.u.prompt.InputHandler(); h != nil {
				h(event, setFocus)
			}
		}
	}
}

// MouseHandler implements tview.Primitive.
func (f *frame) MouseHandler() func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (consumed bool, capture tview.Primitive) {
	return func(action tview.MouseAction, event *tcell.EventMouse, setFocus func(p tview.Primitive)) (bool, tview.Primitive) {
		for _, p := range f.visible {
			if h := p.MouseHandler(); h != nil {
				if ok, c := h(action, event, setFocus); ok {
					f.u.mouseFocus(p)
					return ok, c
				}
			}
		}
		return false, nil
	}
}

// mouseFocus keeps the UI's notion of focus in step with a click.
func (u *UI) mouseFocus(p tview.Primitive) {
	switch p {
	case u.table:
		u.listFocus = 0
	case u.overview:
		u.listFocus = 1
	}
	for i, q := range u.panes {
		if p == q {
			u.paneFocus = i
		}
	}
	u.syncFocus()
}

func (f *frame) place(screen tcell.Screen, p tview.Primitive, x, y, w, h int) {
	if w <= 0 || h <= 0 {
		return
	}
	p.SetRect(x, y, w, h)
	p.Draw(screen)
	f.visible = append(f.visible, p)
}

// Draw implements tview.Primitive.
func (f *frame) Draw(screen tcell.Screen) {
	u := f.u
	w, h := screen.Size()
	f.SetRect(0, 0, w, h)
	f.visible = f.visible[:0]
	if w < 20 || h < 5 {
		drawLine(screen, 0, 0, w, line{{"ftpscope: terminal too small", u.th.bold}}, u.th.base, false)
		return
	}
	drawLine(screen, 0, 0, w, u.headerLine(w), u.th.base, false)
	bodyY, bodyH := 1, h-2
	switch {
	case u.asking != nil:
		f.place(screen, u.asking.field, 0, h-1, w, 1)
	case u.prompting:
		f.place(screen, u.prompt, 0, h-1, w, 1)
	default:
		drawLine(screen, 0, h-1, w, u.footerLine(w), u.th.bar, false)
	}
	if u.helpOpen {
		f.place(screen, u.help, 0, bodyY, w, bodyH)
		return
	}
	switch u.view {
	case viewSessions:
		f.drawList(screen, bodyY, w, bodyH)
	case viewFlow, viewStats:
		f.place(screen, u.overlay, 0, bodyY, w, bodyH)
	case viewFrame:
		f.place(screen, u.framePane, 0, bodyY, w, bodyH)
	default:
		f.drawSession(screen, bodyY, w, bodyH)
	}
	if u.menu != nil {
		f.drawMenu(screen, bodyY, w, bodyH)
	}
}

func (f *frame) drawList(screen tcell.Screen, y, w, h int) {
	u := f.u
	idW := 4
	for _, r := range u.rows { // sorted, the longest id may be anywhere
		idW = max(idW, strWidth(r.S.ID))
	}
	if u.snap != nil && len(u.snap.Pairs) > 0 {
		idW += 1 + strWidth(pairMark)
	}
	if len(u.picked) > 0 {
		idW += strWidth(pickMark) + 1
	}
	cols := chooseColumns(w-2, idW)
	u.content.cols = cols
	if w >= wideListW && h+2 >= wideListH {
		th := max(6, h*11/20)
		if n := len(u.rows) + 3; n < th && n >= 6 {
			th = n
		}
		f.place(screen, u.table, 0, y, w, th)
		f.place(screen, u.overview, 0, y+th, w, h-th)
		return
	}
	// Narrow: one pane at a time; under the list, the selected session's
	// worst finding.
	if u.listFocus == 1 {
		f.place(screen, u.overview, 0, y, w, h)
		return
	}
	pv := 3
	f.place(screen, u.table, 0, y, w, h-pv)
	f.place(screen, u.preview, 0, y+h-pv, w, pv)
}

func (f *frame) drawSession(screen tcell.Screen, y, w, h int) {
	u := f.u
	r := u.openRow
	drawLine(screen, 0, y, w, u.sessionTitle(w), u.th.base, false)
	drawLine(screen, 0, y+1, w, u.wiresharkLine(w), u.th.base, false)
	y, h = y+2, h-2
	if w >= wideSessionW && h+3 >= wideSessionH {
		lw := w * 11 / 20
		th := h * 3 / 5
		f.place(screen, u.panes[paneDialog], 0, y, lw, th)
		f.place(screen, u.panes[paneData], 0, y+th, lw, h-th)
		f.place(screen, u.panes[paneLadder], lw, y, w-lw, th)
		f.place(screen, u.panes[paneFindings], lw, y+th, w-lw, h-th)
		return
	}
	// Narrow: a tab strip and the focused pane.
	var strip line
	for i, name := range paneNames {
		label := fmt.Sprintf(" %d %s ", i+1, name)
		if i == paneFindings && r != nil && len(r.Findings) > 0 {
			label = fmt.Sprintf(" %d %s %s%d ", i+1, name, r.Findings[0].Severity.Glyph(), len(r.Findings))
		}
		st := u.th.base
		if i == u.paneFocus {
			label = "[" + strings.TrimSpace(label) + "]"
			st = u.th.sel
		}
		strip = append(strip, seg{label, st}, seg{" ", u.th.base})
	}
	drawLine(screen, 0, y, w, strip, u.th.base, false)
	f.place(screen, u.panes[u.paneFocus], 0, y+1, w, h-1)
}

// headerLine: tool, sources, counts, filter, mode.
func (u *UI) headerLine(w int) line {
	th := u.th
	s := u.snap
	var l line
	l = append(l, seg{" " + u.opt.Tool.Name + " ", th.title})
	narrow := w < wideListW
	src := strings.Join(s.Sources, ", ")
	pk := u.model.Packets()
	switch {
	case s.State == Done && s.Stats.Packets > 0:
		pk = s.Stats.Packets
	case s.State == Live:
		pk = s.Live.Packets
	}
	n := len(s.Rows)
	if narrow {
		l = append(l, seg{fmt.Sprintf("· %d sess ", n), th.base})
	} else {
		l = append(l, seg{"│ " + clip(src, 40) + " · " + textfmt.Thousands(int64(pk)) + " packets · " + fmt.Sprintf("%d sessions ", n), th.base})
	}
	l = append(l, seg{"│ ", th.dim})
	for _, sev := range []model.Severity{model.Error, model.Warning, model.Info} {
		if c := s.Counts[sev]; c > 0 || sev == model.Error {
			l = append(l, seg{fmt.Sprintf("%s %d %s ", sev.Glyph(), c, sev), th.sevStyle(sev)})
		}
	}
	if !u.filter.Empty() {
		l = append(l, seg{"│ /" + clip(u.filter.Text(), 24) + " ", th.bold})
	}
	// Mode, on the right.
	var mode string
	switch s.State {
	case Loading:
		mode = "◐ loading · " + textfmt.Thousands(int64(pk)) + " packets"
	case Live:
		mode = liveMode(&s.Live)
	default:
		mode = "■ file · done"
		if s.Err != nil {
			mode = "■ stopped: " + s.Err.Error()
		}
	}
	if u.paused {
		mode = fmt.Sprintf("‖ PAUSED +%d new · ", u.pending) + mode
	}
	if u.follow {
		mode = "⇣ follow · " + mode
	}
	if u.mouse {
		mode = "mouse · " + mode
	}
	if room := w - l.width() - 1; room > 8 {
		mode = clip(mode, room)
		l = append(l, seg{padLeft(mode+" ", room+1), th.bold})
	}
	return l
}

// liveMode is the header's word on a live capture: rate and kernel drops
// (the packets are left of it), and with several sources the packets, rate
// and drops of each.
func liveMode(l *LiveStatus) string {
	if len(l.Sources) < 2 {
		return fmt.Sprintf("● LIVE %s · %.0f pkt/s · %s dropped", l.Interface, l.Rate, textfmt.Thousands(int64(l.Dropped)))
	}
	parts := make([]string, len(l.Sources))
	for i, src := range l.Sources {
		parts[i] = fmt.Sprintf("%s %s pkts %.0f/s %s drop", src.Name, textfmt.Thousands(int64(src.Packets)), src.Rate, textfmt.Thousands(int64(src.Dropped)))
	}
	return "● LIVE " + strings.Join(parts, " · ")
}

// footerLine: breadcrumbs, then the context's hints from the key table,
// or the flash message.
func (u *UI) footerLine(w int) line {
	th := u.th
	crumbs := " <sessions>"
	switch {
	case u.view == viewSession && u.openRow != nil:
		crumbs += " <" + u.openRow.S.ID + "> <" + strings.ToLower(paneNames[u.paneFocus]) + ">"
	case u.view == viewFlow:
		crumbs += " <ladder>"
	case u.view == viewStats:
		crumbs += " <statistics>"
	case u.view == viewFrame && u.frames != nil:
		crumbs += fmt.Sprintf(" <frame %d>", u.frames.frames[u.frames.at])
	}
	if u.menu != nil {
		crumbs += " <save>"
	}
	if u.helpOpen {
		crumbs += " <help>"
	}
	l := line{{crumbs + "  ", th.bar}}
	if u.flash != "" {
		return append(l, seg{u.flash, th.bar.Bold(true)})
	}
	for _, h := range u.keys.Hints(u.context()) {
		if l.width()+strWidth(h)+2 > w {
			break
		}
		l = append(l, seg{h + "  ", th.bar})
	}
	return l
}

// sessionTitle is the line over the session panes.
func (u *UI) sessionTitle(w int) line {
	th := u.th
	r := u.openRow
	if r == nil {
		return nil
	}
	s := r.S
	l := line{{" " + s.ID + " ", th.title.Reverse(true)}, {" " + s.Client + " → " + s.Server + " ", th.bold}}
	info := []string{r.Where}
	if s.User != nil {
		info = append(info, "user "+*s.User)
	}
	info = append(info, fmt.Sprintf("%d commands", s.Commands))
	if d := s.End.Sub(s.Start.Time); !s.End.IsZero() && d >= 0 {
		info = append(info, d.Round(time.Millisecond).String())
	}
	if s.TLS {
		info = append(info, tlsInfo(s))
	}
	if ct := s.Conntrack; ct != nil {
		if ct.Helper == nil {
			info = append(info, "conntrack: no helper")
		} else {
			info = append(info, "conntrack: helper "+*ct.Helper)
		}
	}
	if p, ok := u.model.Pair(s.ID); ok {
		other := p.Outside
		role := "inside"
		if other == s.ID {
			other, role = p.Inside, "outside"
		}
		info = append(info, fmt.Sprintf("NAT %s leg, other leg %s", role, other))
	}
	l = append(l, seg{"· " + strings.Join(info, " · ") + " ", th.dim})
	if len(r.Findings) > 0 {
		f := r.Findings[0]
		l = append(l, seg{"│ " + sevLabel(f.Severity), th.sevStyle(f.Severity)})
	}
	return l
}
