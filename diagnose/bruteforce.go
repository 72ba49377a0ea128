package diagnose

import (
	"fmt"
	"net/netip"

	"github.com/ftpscope/ftpscope/model"
)

// Refused logins are counted per client as sessions conclude, so the
// brute-force judgement is made online, in bounded memory: a client's
// refusals stay info until it has failed BruteForce times; then those among
// the last MaxPendingRefusals refusals of the capture are upgraded to
// warnings (Upgrade) and every later one is a warning from the start. At
// most MaxFailingClients clients are counted; beyond that the one whose
// last refusal is oldest is forgotten with its count, as fail2ban forgets a
// client after its find time. A password-guessing client fails in a burst,
// so its earlier refusals are still at hand when the threshold is reached.

// MaxFailingClients bounds the clients whose refused logins are counted.
const MaxFailingClients = 1 << 16

// MaxPendingRefusals bounds the refusals kept below the threshold, to be
// upgraded if their client reaches it: the latest of the capture.
const MaxPendingRefusals = 1024

// Upgrade is a finding delivered earlier that the brute-force rule changed.
type Upgrade struct {
	Ref     uint64         // the number the caller gave it (Diagnoser.Delivered)
	Finding model.Finding  // as it now stands
	Was     model.Severity // its severity before
}

// failingClient is one client's refused logins.
type failingClient struct {
	addr    netip.Addr
	count   int
	pending int            // its refusals in the pending ring
	prev    *failingClient // by last refusal, most recent first
	next    *failingClient
}

// pendingRing holds the latest refusals delivered as info, oldest
// overwritten first.
type pendingRing struct {
	items []pendingRefusal
	next  int
}

type pendingRefusal struct {
	client *failingClient // nil: empty or taken
	up     Upgrade
}

// push keeps a refusal, forgetting the oldest when full.
func (r *pendingRing) push(c *failingClient, up Upgrade) {
	if r.next == len(r.items) {
		r.next = 0
	}
	if old := &r.items[r.next]; old.client != nil {
		old.client.pending--
	}
	r.items[r.next] = pendingRefusal{client: c, up: up}
	r.next++
	c.pending++
}

// take removes and returns c's refusals, oldest first.
func (r *pendingRing) take(c *failingClient) []Upgrade {
	var out []Upgrade
	for k := range r.items {
		p := &r.items[(r.next+k)%len(r.items)]
		if p.client == c {
			out = append(out, p.up)
			*p = pendingRefusal{}
		}
	}
	c.pending = 0
	return out
}

// failingClients is an LRU of clients by their last refused login.
type failingClients struct {
	capacity   int
	byAddr     map[netip.Addr]*failingClient
	head, tail *failingClient
	evicted    uint64
}

func newFailingClients(capacity int) *failingClients {
	return &failingClients{capacity: capacity, byAddr: map[netip.Addr]*failingClient{}}
}

// refused counts one refused login of addr and returns its entry.
func (l *failingClients) refused(addr netip.Addr) *failingClient {
	c := l.byAddr[addr]
	if c == nil {
		if len(l.byAddr) >= l.capacity {
			l.evict()
		}
		c = &failingClient{addr: addr}
		l.byAddr[addr] = c
	} else {
		l.unlink(c)
	}
	c.next = l.head
	if l.head != nil {
		l.head.prev = c
	}
	l.head = c
	if l.tail == nil {
		l.tail = c
	}
	c.count++
	return c
}

func (l *failingClients) evict() {
	c := l.tail
	if c == nil {
		return
	}
	l.unlink(c)
	delete(l.byAddr, c.addr)
	l.evicted++
	// its refusals still in the pending ring are overwritten in time; they
	// can no longer be upgraded (Delivered and judgeLogins reach pending
	// refusals through a remembered client only)
}

func (l *failingClients) unlink(c *failingClient) {
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		l.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		l.tail = c.prev
	}
	c.prev, c.next = nil, nil
}

// bruteForce turns a refused login into the warning of a password-guessing
// client that failed n times so far.
func (d *Diagnoser) bruteForce(f *model.Finding, client netip.Addr, n int) {
	f.Severity = model.Warning
	f.Explanation += fmt.Sprintf(" %s failed to log in at least %d times in this capture: a password-guessing attempt, or a script with a wrong password.", client, n)
	f.Remedy = "Check the client's credentials; if the attempts are not yours, block the client and limit login attempts (vsftpd max_login_fails, delay_failed_login; fail2ban)."
}

// judgeLogins applies the brute-force rule to the refused logins a session
// just raised (fs): a client that now reaches the threshold makes them
// warnings and queues the upgrades of its earlier ones.
func (d *Diagnoser) judgeLogins(client netip.Addr, refusals int, fs []model.Finding) {
	if refusals == 0 {
		return
	}
	var c *failingClient
	for range refusals {
		c = d.failing.refused(client)
	}
	if c.count < d.cfg.BruteForce {
		d.lastFailing = c // its info findings become pending once delivered
		return
	}
	for i := range fs {
		if fs[i].Rule == RuleLoginFailed && fs[i].Severity == model.Info {
			d.bruteForce(&fs[i], client, c.count)
		}
	}
	if c.pending == 0 {
		return
	}
	for _, u := range d.pending.take(c) {
		u.Was = u.Finding.Severity
		d.bruteForce(&u.Finding, client, c.count)
		d.upgrades = append(d.upgrades, u)
	}
}

// Delivered tells the Diagnoser that the findings Session last returned
// were handed on, numbered from firstRef in order: the refused logins among
// them may still be upgraded, by that number.
func (d *Diagnoser) Delivered(fs []model.Finding, firstRef uint64) {
	c := d.lastFailing
	d.lastFailing = nil
	if c == nil || d.failing.byAddr[c.addr] != c {
		return // no refusal below the threshold, or the client was forgotten since
	}
	for i := range fs {
		if fs[i].Rule == RuleLoginFailed && fs[i].Severity == model.Info {
			d.pending.push(c, Upgrade{Ref: firstRef + uint64(i), Finding: fs[i]})
		}
	}
}

// Upgrades returns, and forgets, the upgrades of earlier findings that the
// last Session call decided.
func (d *Diagnoser) Upgrades() []Upgrade {
	u := d.upgrades
	d.upgrades = nil
	return u
}

// ForgottenClients is the number of failing clients forgotten for
// MaxFailingClients: their earlier refusals no longer count.
func (d *Diagnoser) ForgottenClients() uint64 { return d.failing.evicted }
