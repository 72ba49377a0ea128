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
// most MaxFailingClients clients are counted; beyond that one whose last
// refusal is old (the oldest of a sample) is forgotten with its count, as
// fail2ban forgets a client after its find time. A password-guessing client fails in a burst,
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

// failingClient is one client's refused logins, a value in the map of
// failing clients: no allocation of its own, 16 bytes beside a 16-byte key.
// Its clocks count refusals modulo 2³² (serial-number arithmetic, as TCP
// sequence numbers): ages compare correctly while a client is younger than
// four billion refusals, which an eviction long settles first.
type failingClient struct {
	// last is the clock at the client's last refusal: the least recently
	// failing is forgotten first.
	last uint32
	// seq is the clock when the client was first counted, never 0: it
	// tells the client from the same address counted again after it was
	// forgotten.
	seq     uint32
	count   uint32
	pending int32 // its refusals in the pending ring
}

// clientKey is a client's address as 16 bytes: an IPv4 address and its
// IPv4-mapped IPv6 form are one client; a link-local zone is not kept.
type clientKey [16]byte

func keyOf(a netip.Addr) clientKey { return a.As16() }

// clientRef names a counted client: its address, and seq.
type clientRef struct {
	key clientKey
	seq uint32 // 0: none
}

// pendingRing holds the latest refusals delivered as info, oldest
// overwritten first.
type pendingRing struct {
	items []pendingRefusal
	next  int
}

type pendingRefusal struct {
	client clientRef // seq 0: empty or taken
	up     Upgrade
}

// push keeps a refusal of client c, forgetting the oldest when full.
func (r *pendingRing) push(l *failingClients, c clientRef, up Upgrade) {
	if r.next == len(r.items) {
		r.next = 0
	}
	if old := &r.items[r.next]; old.client.seq != 0 {
		l.addPending(old.client, -1)
	}
	r.items[r.next] = pendingRefusal{client: c, up: up}
	r.next++
	l.addPending(c, 1)
}

// take removes and returns c's refusals, oldest first.
func (r *pendingRing) take(l *failingClients, c clientRef) []Upgrade {
	var out []Upgrade
	for k := range r.items {
		p := &r.items[(r.next+k)%len(r.items)]
		if p.client == c {
			out = append(out, p.up)
			*p = pendingRefusal{}
		}
	}
	l.addPending(c, -int(l.byAddr[c.key].pending))
	return out
}

// failingClients counts refused logins by client, for at most capacity
// clients. Beyond that the least recently failing of a sample of
// evictionSample is forgotten (as Redis evicts): map iteration starts at a
// random place, so over many evictions the least recently failing go
// first, at a cost that does not grow with the capacity, and the table is
// one map of values.
type failingClients struct {
	capacity int
	byAddr   map[clientKey]failingClient
	clock    uint32
	evicted  uint64
}

const evictionSample = 16

func newFailingClients(capacity int) *failingClients {
	return &failingClients{capacity: capacity, byAddr: map[clientKey]failingClient{}}
}

// refused counts one refused login of addr and returns its entry.
func (l *failingClients) refused(addr netip.Addr) (failingClient, clientRef) {
	if l.clock++; l.clock == 0 {
		l.clock = 1 // seq 0 is none
	}
	k := keyOf(addr)
	c, ok := l.byAddr[k]
	if !ok {
		if len(l.byAddr) >= l.capacity {
			l.evict()
		}
		c.seq = l.clock
	}
	c.last = l.clock
	if c.count < 1<<32-1 {
		c.count++
	}
	l.byAddr[k] = c
	return c, clientRef{k, c.seq}
}

// counted returns c's entry, ok false when it was forgotten since.
func (l *failingClients) counted(c clientRef) (failingClient, bool) {
	e, ok := l.byAddr[c.key]
	return e, ok && c.seq != 0 && e.seq == c.seq
}

// addPending changes c's count of refusals in the pending ring, unless c
// was forgotten since (its refusals there are overwritten in time; they
// can no longer be upgraded).
func (l *failingClients) addPending(c clientRef, by int) {
	if e, ok := l.counted(c); ok {
		e.pending += int32(by)
		l.byAddr[c.key] = e
	}
}

func (l *failingClients) evict() {
	var oldest clientKey
	var oldestAge uint32
	n := 0
	for k, c := range l.byAddr {
		if age := l.clock - c.last; n == 0 || age > oldestAge {
			oldest, oldestAge = k, age
		}
		if n++; n == evictionSample {
			break
		}
	}
	if n > 0 {
		delete(l.byAddr, oldest)
		l.evicted++
	}
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
	var c failingClient
	var ref clientRef
	for range refusals {
		c, ref = d.failing.refused(client)
	}
	if int(c.count) < d.cfg.BruteForce {
		d.lastFailing = ref // its info findings become pending once delivered
		return
	}
	for i := range fs {
		if fs[i].Rule == RuleLoginFailed && fs[i].Severity == model.Info {
			d.bruteForce(&fs[i], client, int(c.count))
		}
	}
	if c.pending == 0 {
		return
	}
	for _, u := range d.pending.take(d.failing, ref) {
		u.Was = u.Finding.Severity
		d.bruteForce(&u.Finding, client, int(c.count))
		d.upgrades = append(d.upgrades, u)
	}
}

// Delivered tells the Diagnoser that the findings Session last returned
// were handed on, numbered from firstRef in order: the refused logins among
// them may still be upgraded, by that number.
func (d *Diagnoser) Delivered(fs []model.Finding, firstRef uint64) {
	c := d.lastFailing
	d.lastFailing = clientRef{}
	if _, ok := d.failing.counted(c); !ok {
		return // no refusal below the threshold, or the client was forgotten since
	}
	for i := range fs {
		if fs[i].Rule == RuleLoginFailed && fs[i].Severity == model.Info {
			d.pending.push(d.failing, c, Upgrade{Ref: firstRef + uint64(i), Finding: fs[i]})
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
