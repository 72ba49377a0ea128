package samples

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// maxPairDelay is how long after a session's end its final NAT pair may
// come (issue 11).
const maxPairDelay = 3 * time.Second

// TestLabLivePairs runs "ftpscope -i any -o jsonl" on both NAT gateways of
// the lab, with the kernel FTP helper attached, while transfers cross
// them: an active one and a passive one through the client-site gateway,
// and a passive one through the server-site gateway, whose helper rewrites
// the 227. It reads ftpscope's output line by line while ftpscope still
// captures: a session held open gets its nat_pair while it runs — with the
// rewrite — and every pair is final within maxPairDelay of the session's
// end, with its findings (after the pair's line when it was not told open);
// a stats line comes within 10 s. It needs root and network namespaces
// (FTPSCOPE_LAB=1; take flock /tmp/ftpscope-lab.lock).
func TestLabLivePairs(t *testing.T) {
	if os.Getenv("FTPSCOPE_LAB") == "" {
		t.Skip("set FTPSCOPE_LAB=1 to run the namespace lab (root; make e2e)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("FTPSCOPE_LAB is set, but the lab needs root")
	}
	bin := buildFtpscope(t)
	t.Cleanup(func() {
		cmd := exec.Command("bash", filepath.Join("lab", "lab.sh"), "down")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("lab.sh down: %v", err)
		}
	})
	labCmd(t, nil, "lab.sh", "up")
	labCmd(t, nil, "lab.sh", "helper", "cgw", "on")
	labCmd(t, nil, "lab.sh", "helper", "sgw", "on")
	cgw := startStream(t, bin, "fs-cgw")
	sgw := startStream(t, bin, "fs-sgw")
	started := time.Now()

	type transfer struct {
		name       string
		gw         *liveStream
		ns         string
		client     []string
		hold       bool      // the client keeps the session open 2 s after its transfer
		rewrite    [2]string // inside and outside prefixes of the rewritten line; "" for none
		translated [2]string // inside and outside client address
	}
	py := func(args ...string) []string {
		return append([]string{"python3", "-u", filepath.Join("lab", "ftpclient.py"), "get"}, args...)
	}
	for _, tt := range []transfer{
		{"active through the client-site NAT", cgw, "fs-cli", py("--active", "--hold", "2", "203.0.113.20", "data-1k.txt"), true,
			[2]string{"PORT 192,168,1,10,", "PORT 203,0,113,1,"}, [2]string{"192.168.1.10", "203.0.113.1"}},
		{"passive through the client-site NAT", cgw, "fs-cli", py("203.0.113.20", "data-1k.txt"), false,
			[2]string{}, [2]string{"192.168.1.10", "203.0.113.1"}},
		{"passive through the server-site NAT", sgw, "fs-pub", py("--trust", "--hold", "2", "203.0.113.2", "data-1k.txt"), true,
			[2]string{"227 Entering Passive Mode (10,0,0,5,", "227 Entering Passive Mode (203,0,113,2,"}, [2]string{"203.0.113.30", "203.0.113.30"}},
		{"active through the client-site NAT, QUIT at once", cgw, "fs-cli", py("--active", "203.0.113.20", "data-1k.txt"), false,
			[2]string{"PORT 192,168,1,10,", "PORT 203,0,113,1,"}, [2]string{"192.168.1.10", "203.0.113.1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command("ip", append([]string{"netns", "exec", tt.ns}, tt.client...)...).CombinedOutput()
			clientDone := time.Now()
			if err != nil || !bytes.Contains(out, []byte("# received 1024 bytes")) {
				t.Fatalf("client: %v\n%s", err, out)
			}
			pr := tt.gw.nextPair(t, 15*time.Second)
			if tt.gw.hasExited() {
				t.Fatal("ftpscope exited: the pair must come while it captures")
			}
			// A session held open is paired while it runs; one that ends at
			// once may conclude before the next running snapshot (250 ms),
			// its pair then final at once.
			if pr.open == nil && tt.hold {
				t.Fatalf("no open nat_pair before the final one of a session held open")
			}
			final := pr.final.NATPair
			if tr := final.Translation; tr == nil || !strings.HasPrefix(tr.InsideClient, tt.translated[0]+":") || !strings.HasPrefix(tr.OutsideClient, tt.translated[1]+":") {
				t.Errorf("translation %+v, want client %s inside, %s outside", final.Translation, tt.translated[0], tt.translated[1])
			}
			if len(final.Channels) == 0 {
				t.Errorf("no data channel paired: %+v", final)
			}
			if tt.rewrite[0] == "" {
				if len(final.Rewrites) != 0 {
					t.Errorf("rewrites %+v, want none", final.Rewrites)
				}
			} else {
				if pr.open != nil && !hasRewrite(pr.open.NATPair, tt.rewrite) {
					t.Errorf("the open pair lacks the rewrite %q → %q: %+v", tt.rewrite[0], tt.rewrite[1], pr.open.NATPair.Rewrites)
				}
				if !hasRewrite(final, tt.rewrite) || final.SeqAdjusted == nil || !*final.SeqAdjusted {
					t.Errorf("final pair %+v, want the rewrite and seq_adjusted", final)
				}
				if f := pr.rules["nat-rewrite"]; f == nil || f.at.Sub(pr.final.at) > time.Second {
					t.Errorf("no nat-rewrite finding with the pair (findings %v)", keys(pr.rules))
				}
			}
			if pr.end.IsZero() {
				t.Fatal("the legs' session lines did not come before the final pair")
			}
			// The gateway's own word: the helper on the control connection,
			// and the expectation the data connection used.
			for _, id := range []string{final.Inside, final.Outside} {
				sess := tt.gw.sessions[id]
				if ct := sess.Conntrack; ct == nil || ct.Helper == nil || *ct.Helper != "ftp" {
					t.Errorf("%s: conntrack %+v, want the ftp helper", id, sess.Conntrack)
				}
				for _, ch := range sess.Channels {
					if x := ch.Expectation; x == nil || x.Outcome != model.ExpectationUsed {
						t.Errorf("%s: expectation %+v, want used", ch.ID, ch.Expectation)
					}
				}
			}
			delay := pr.final.at.Sub(pr.end)
			open := "no open pair (concluded first)"
			if pr.open != nil {
				open = fmt.Sprintf("open pair at %+v from the session's end", pr.open.at.Sub(pr.end).Round(time.Millisecond))
				if f := pr.rules["nat-rewrite"]; f != nil && f.Finding.TS != nil {
					open += fmt.Sprintf(", %v after the announcement", pr.open.at.Sub(f.Finding.TS.Time).Round(time.Millisecond))
				}
				open += fmt.Sprintf(" (%d rewrite(s))", len(pr.open.NATPair.Rewrites))
			}
			t.Logf("%s ⇄ %s: %s; final pair at %+v (%v after the client exited)",
				final.Inside, final.Outside, open, delay.Round(time.Millisecond), pr.final.at.Sub(clientDone).Round(time.Millisecond))
			if delay > maxPairDelay {
				t.Errorf("final nat_pair %v after the session's end, want at most %v", delay, maxPairDelay)
			}
			if tt.hold && pr.open != nil && !pr.open.at.Before(pr.end) {
				t.Errorf("the open pair came %v after the end of a session held open 2 s, want before", pr.open.at.Sub(pr.end))
			}
		})
	}
	t.Run("stats", func(t *testing.T) {
		st := cgw.firstStats
		if st == nil {
			e := cgw.next(t, "stats", time.Until(started.Add(12*time.Second)))
			st = &e
		}
		if len(st.Sources) != 1 || st.Sources[0].Kind != "live" || st.Sources[0].Packets == 0 || st.Stats == nil || st.Stats.Packets == 0 {
			t.Errorf("stats line %+v %+v", st.Sources, st.Stats)
		}
		if d := st.at.Sub(started); d > 11*time.Second {
			t.Errorf("first stats line %v after the start", d)
		}
	})
	for _, gw := range []*liveStream{cgw, sgw} {
		last := gw.stop(t)
		if last.Event != "summary" {
			t.Errorf("last line %q, want the summary", last.Event)
		}
	}
}

func hasRewrite(p *model.NATPair, want [2]string) bool {
	for _, rw := range p.Rewrites {
		if strings.HasPrefix(rw.Inside, want[0]) && strings.HasPrefix(rw.Outside, want[1]) {
			return true
		}
	}
	return false
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// streamEvent is one JSON line of ftpscope, with when it was read.
type streamEvent struct {
	at      time.Time
	Event   string         `json:"event"`
	State   string         `json:"state"`
	Session string         `json:"session"`
	NATPair *model.NATPair `json:"nat_pair"`
	Finding *model.Finding `json:"finding"`
	Data    *model.Session `json:"data"`
	Sources []model.Source `json:"sources"`
	Stats   *model.Stats   `json:"stats"`
}

// liveStream is "ftpscope -i any -o jsonl" running in a namespace, its
// lines read as they come.
type liveStream struct {
	ns     string
	cmd    *exec.Cmd
	lines  chan streamEvent
	exited chan error
	done   bool
	stderr *bytes.Buffer
	ends   map[string]time.Time // session id → its end, from its session line
	// sessions are the session lines read, by id
	sessions map[string]*model.Session
	// firstStats is the first stats line read
	firstStats *streamEvent
	// unread is a line read ahead (nextPair's look past a final pair)
	unread *streamEvent
}

func startStream(t *testing.T, bin, ns string) *liveStream {
	t.Helper()
	s := &liveStream{ns: ns, lines: make(chan streamEvent, 10000), exited: make(chan error, 1), stderr: &bytes.Buffer{},
		ends: map[string]time.Time{}, sessions: map[string]*model.Session{}}
	s.cmd = exec.Command("ip", "netns", "exec", ns, bin, "-i", "any", "-o", "jsonl")
	s.cmd.Stderr = s.stderr
	pipe, err := s.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !s.done {
			s.cmd.Process.Kill() // by PID: the process this test started
			<-s.exited
		}
	})
	go func() {
		sc := bufio.NewScanner(pipe)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			e := streamEvent{at: time.Now()}
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				e.Event = "unparsable: " + sc.Text()
			}
			s.lines <- e
		}
		close(s.lines)
		s.exited <- s.cmd.Wait()
	}()
	if err := waitPacketSocket(ns, s.cmd.Process.Pid, make(chan error)); err != nil {
		t.Fatalf("ftpscope in %s did not start capturing: %v; stderr: %s", ns, err, s.stderr.String())
	}
	return s
}

func (s *liveStream) hasExited() bool {
	select {
	case err := <-s.exited:
		s.exited <- err
		return true
	default:
		return false
	}
}

// read returns the next line, false at the end of the output or after d.
func (s *liveStream) read(t *testing.T, d time.Duration) (streamEvent, bool) {
	t.Helper()
	if e := s.unread; e != nil {
		s.unread = nil
		return *e, true
	}
	select {
	case e, ok := <-s.lines:
		if ok && strings.HasPrefix(e.Event, "unparsable") {
			t.Errorf("%s: %s", s.ns, e.Event)
		}
		if ok && e.Event == "session" && e.Data != nil {
			s.ends[e.Session] = e.Data.End.Time
			s.sessions[e.Session] = e.Data
		}
		if ok && e.Event == "stats" && s.firstStats == nil {
			s.firstStats = &e
		}
		return e, ok
	case <-time.After(d):
		return streamEvent{}, false
	}
}

// next returns the next line of an event kind.
func (s *liveStream) next(t *testing.T, event string, d time.Duration) streamEvent {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		e, ok := s.read(t, time.Until(deadline))
		if !ok {
			t.Fatalf("%s: no %s line within %v; stderr: %s", s.ns, event, d, s.stderr.String())
		}
		if e.Event == event {
			return e
		}
	}
}

// pairLines are the lines of one NAT pair: its first open line, its final
// one, the findings that came up to it, and the later end of its legs.
type pairLines struct {
	open, final *streamEvent
	rules       map[string]*streamEvent
	end         time.Time
}

// nextPair reads up to the next final nat_pair.
func (s *liveStream) nextPair(t *testing.T, d time.Duration) pairLines {
	t.Helper()
	pr := pairLines{rules: map[string]*streamEvent{}}
	deadline := time.Now().Add(d)
	for {
		e, ok := s.read(t, time.Until(deadline))
		if !ok {
			t.Fatalf("%s: no final nat_pair within %v; stderr: %s", s.ns, d, s.stderr.String())
		}
		switch {
		case e.Event == "finding" && e.Finding != nil:
			pr.rules[e.Finding.Rule] = &e
		case e.Event == "nat_pair" && e.State == model.PairOpen && pr.open == nil:
			pr.open = &e
		case e.Event == "nat_pair" && e.State == model.PairWithdrawn:
			t.Errorf("%s: withdrawn pair %+v", s.ns, e.NATPair)
		case e.Event == "nat_pair" && e.State == model.PairFinal:
			pr.final = &e
			for _, id := range []string{e.NATPair.Inside, e.NATPair.Outside} {
				if end := s.ends[id]; end.After(pr.end) {
					pr.end = end
				}
			}
			if pr.open != nil && (pr.open.NATPair.Inside != e.NATPair.Inside || pr.open.NATPair.Outside != e.NATPair.Outside) {
				t.Errorf("%s: open pair %s ⇄ %s, final %s ⇄ %s", s.ns, pr.open.NATPair.Inside, pr.open.NATPair.Outside, e.NATPair.Inside, e.NATPair.Outside)
			}
			// The findings of a pair not told open before follow its line.
			for {
				f, ok := s.read(t, 300*time.Millisecond)
				if !ok {
					return pr
				}
				if f.Event != "finding" || f.Finding == nil || f.Session != e.NATPair.Inside && f.Session != e.NATPair.Outside {
					s.unread = &f
					return pr
				}
				pr.rules[f.Finding.Rule] = &f
			}
		}
	}
}

// stop interrupts ftpscope as Ctrl-C would and returns its last line.
func (s *liveStream) stop(t *testing.T) streamEvent {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var last streamEvent
	for {
		e, ok := s.read(t, 30*time.Second)
		if !ok {
			break
		}
		if e.Event == "nat_pair" && e.State == "" {
			t.Errorf("%s: a pair repeated at the end: %+v", s.ns, e.NATPair)
		}
		last = e
	}
	select {
	case err := <-s.exited:
		s.done = true
		if err != nil {
			t.Errorf("%s: ftpscope after SIGINT: %v; stderr: %s", s.ns, err, s.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("%s: ftpscope still running 30s after SIGINT", s.ns)
	}
	return last
}

// TestLabLiveConntrack runs "ftpscope -i any -o jsonl" on the client-site
// gateway while an active-mode transfer crosses it without the FTP helper,
// then one with the helper but the data connection dropped by the
// gateway's firewall, and reads, while ftpscope still captures, what the
// gateway's conntrack says: helper-not-attached with the announcement
// that needed it, then expectation-unused for the dropped connection.
func TestLabLiveConntrack(t *testing.T) {
	if os.Getenv("FTPSCOPE_LAB") == "" {
		t.Skip("set FTPSCOPE_LAB=1 to run the namespace lab (root; make e2e)")
	}
	if os.Geteuid() != 0 {
		t.Fatal("FTPSCOPE_LAB is set, but the lab needs root")
	}
	bin := buildFtpscope(t)
	t.Cleanup(func() {
		cmd := exec.Command("bash", filepath.Join("lab", "lab.sh"), "down")
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			t.Errorf("lab.sh down: %v", err)
		}
	})
	labCmd(t, nil, "lab.sh", "up")
	labCmd(t, nil, "lab.sh", "helper", "cgw", "off")
	labCmd(t, nil, "lab.sh", "dropdata", "off")
	gw := startStream(t, bin, "fs-cgw")
	client := func(args ...string) {
		t.Helper()
		cmd := exec.Command("ip", append([]string{"netns", "exec", "fs-cli", "python3", "-u", filepath.Join("lab", "ftpclient.py"), "get", "--active"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("client: %v\n%s", err, out)
		}
	}
	// finding reads up to the first finding of a rule.
	finding := func(rule string, d time.Duration) *streamEvent {
		t.Helper()
		deadline := time.Now().Add(d)
		for {
			e, ok := gw.read(t, time.Until(deadline))
			if !ok {
				t.Fatalf("no %s finding within %v; stderr: %s", rule, d, gw.stderr.String())
			}
			if e.Event == "finding" && e.Finding != nil && e.Finding.Rule == rule {
				if gw.hasExited() {
					t.Fatal("ftpscope exited: the finding must come while it captures")
				}
				// the session's own line follows its findings
				for gw.sessions[e.Finding.Session] == nil {
					if _, ok := gw.read(t, time.Until(deadline)); !ok {
						t.Fatalf("no line of session %s after its finding", e.Finding.Session)
					}
				}
				return &e
			}
		}
	}

	t.Run("no helper", func(t *testing.T) {
		client("203.0.113.20", "data-1k.txt")
		f := finding("helper-not-attached", 15*time.Second).Finding
		if f.Severity != model.Error || f.Channel == "" || len(f.Evidence.Wire) < 3 || !strings.HasPrefix(f.Evidence.Wire[2], "PORT ") {
			t.Errorf("helper-not-attached %+v, want an error naming the PORT that needed it", f)
		}
		sess := gw.sessions[f.Session]
		if sess == nil || sess.Conntrack == nil || sess.Conntrack.Helper != nil {
			t.Errorf("session %s: conntrack %+v, want an entry without helper", f.Session, sess)
		}
		t.Logf("%s: %s", f.Severity, f.Summary)
	})
	t.Run("data connection dropped", func(t *testing.T) {
		labCmd(t, nil, "lab.sh", "helper", "cgw", "on")
		labCmd(t, nil, "lab.sh", "dropdata", "on")
		t.Cleanup(func() { labCmd(t, nil, "lab.sh", "dropdata", "off") })
		client("--timeout", "6", "203.0.113.20", "data-1k.txt")
		f := finding("expectation-unused", 30*time.Second).Finding
		sess := gw.sessions[f.Session]
		var x *model.Expectation
		for _, ch := range sess.Channels {
			if ch.ID == f.Channel {
				x = ch.Expectation
			}
		}
		if x == nil || x.Outcome != model.ExpectationDeleted || f.Severity != model.Error {
			t.Errorf("expectation-unused %+v, expectation %+v: want an error for a deleted expectation", f, x)
		}
		t.Logf("%s: %s — %s", f.Severity, f.Summary, f.Explanation)
		// the leg that saw the server's SYN says the gateway dropped it
		for !strings.Contains(f.Explanation, "dropped before conntrack confirmed it") {
			f = finding("expectation-unused", 10*time.Second).Finding
		}
		t.Logf("%s: %s — %s", f.Session, f.Summary, f.Explanation)
	})
	gw.stop(t)
}
