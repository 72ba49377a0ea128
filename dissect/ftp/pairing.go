package ftp

// MaxPendingCommands bounds the commands waiting for a reply; a client that
// pipelines more loses the oldest (counted as unanswered).
const MaxPendingCommands = 64

// ReplyRole says how a reply relates to the commands before it.
type ReplyRole int

// Reply roles.
const (
	// Final is a 2yz–5yz reply completing the oldest pending command.
	Final ReplyRole = iota
	// Preliminary is a 1yz reply: its command stays pending (RFC 959 §4.2).
	Preliminary
	// Greeting is the server's first reply on a new connection.
	Greeting
	// Unsolicited is a reply with no command waiting for it, such as a 421
	// before the server closes.
	Unsolicited
	// NotAReply is a malformed line that came when no command waited.
	NotAReply
)

var replyRoleNames = [...]string{"final", "preliminary", "greeting", "unsolicited", "not-a-reply"}

func (r ReplyRole) String() string { return replyRoleNames[r] }

// Pairer pairs replies with commands through a FIFO queue, the way a server
// answers them (RFC 959 §4.2: one final reply per command, in order).
// Commands are identified by an integer the caller chooses.
type Pairer struct {
	queue   []int // pending ids, oldest first, from head on
	head    int
	greeted bool
	// Dropped counts commands pushed out of a full queue.
	Dropped int
}

// NewPairer returns a Pairer. handshakeSeen tells whether the connection's
// start was captured: only then is the server's first reply its greeting.
func NewPairer(handshakeSeen bool) *Pairer {
	return &Pairer{greeted: !handshakeSeen}
}

// Command queues command id; it returns the id of a command pushed out of a
// full queue, or -1.
func (p *Pairer) Command(id int) (dropped int) {
	dropped = -1
	if len(p.queue)-p.head == MaxPendingCommands {
		dropped = p.queue[p.head]
		p.head++
		p.Dropped++
	}
	if p.head > 0 && len(p.queue) == cap(p.queue) {
		// Slide the live ids to the front instead of growing.
		n := copy(p.queue, p.queue[p.head:])
		p.queue, p.head = p.queue[:n], 0
	}
	p.queue = append(p.queue, id)
	return dropped
}

// Reply tells which command a reply answers and in which role. id is -1
// when the reply answers no command. A malformed line that comes while a
// command waits is taken as that command's (broken) final reply: it is what
// the server answered, and counting it keeps the pairing in step.
func (p *Pairer) Reply(r *Reply) (id int, role ReplyRole) {
	if r.Malformed && p.head == len(p.queue) {
		return -1, NotAReply
	}
	if !p.greeted && !r.Malformed {
		p.greeted = true
		// A 220 (ready), 120 (ready soon) or 421 (not available) opens the
		// connection; clients wait for it, so no command is answered by it.
		if r.Code == 220 || r.Code == 120 || r.Code == 421 {
			return -1, Greeting
		}
	}
	if p.head == len(p.queue) {
		return -1, Unsolicited
	}
	id = p.queue[p.head]
	if r.Class() == 1 {
		return id, Preliminary
	}
	p.head++
	if p.head == len(p.queue) {
		p.queue, p.head = p.queue[:0], 0
	}
	return id, Final
}

// Pending returns the ids of the commands still waiting, oldest first.
func (p *Pairer) Pending() []int { return p.queue[p.head:] }
