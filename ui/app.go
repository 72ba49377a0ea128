package ui

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/ladder"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
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
	model  *viewmodel.Model
	keys   Keymap
	th     *styled.Theme
	opt    Options

	root      *frame
	table     *tview.Table
	content   *sessionview.SessionsContent
	overview  *pane
	preview   *pane
	panes     [numPanes]*pane
	help      *pane
	prompt    *tview.InputField
	overlay   *pane // the flow or statistics view
	framePane *pane // the frame view

	// State below is touched on the UI goroutine only.
	snap        *viewmodel.Snapshot
	rows        []*viewmodel.Row // the filtered rows shown in the table
	filter      viewmodel.Filter
	order       viewmodel.SortOrder
	picked      map[string]bool // sessions picked with space
	savedFilter string
	view        viewID
	listFocus   int // 0 table, 1 findings overview
	paneFocus   int
	helpOpen    bool
	prompting   bool
	asking      *pathAsk // the path prompt of w and e, when open
	menu        *menu    // the save dialog's open step
	flow        *ladder.Flow
	flowFrom    viewID             // the view the flow or statistics came from
	stats       *sessionview.Stats // the statistics shown (t), counted once when opened
	frames      *frameSet
	frameFrom   viewID // the view the frame view came from
	selID       string
	openRow     *viewmodel.Row
	openSession *model.Session // openRow's session with its dialog (unpacked once, when opened)
	openOther   *viewmodel.Row // the other NAT leg's row, as the open session's ladder drew it
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
func New(m *viewmodel.Model, opt Options) (*UI, error) {
	if opt.Refresh <= 0 {
		opt.Refresh = 100 * time.Millisecond
	}
	if opt.Tool.Name == "" {
		opt.Tool.Name = "ftpscope"
	}
	opt.NoColor = opt.NoColor || styled.NoColorEnv()
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
		th:     styled.NewTheme(opt.NoColor),
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
	u.content = &sessionview.SessionsContent{Th: u.th}
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
func (u *UI) apply(s *viewmodel.Snapshot) {
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
