package model

// Conntrack is the capturing host's conntrack entry for an FTP control
// connection, in the shape of the contract's session.conntrack (live, on
// Linux: Session.Conntrack).
type Conntrack struct {
	// Helper names the conntrack helper attached ("ftp"); null when none
	// is, which is why a gateway then leaves PORT and 227 untranslated.
	Helper     *string `json:"helper"`
	Tuple      string  `json:"tuple"`       // original direction, "192.168.1.10:40312 → 203.0.113.20:21"
	ReplyTuple string  `json:"reply_tuple"` // reply direction, after translation
	Zone       uint16  `json:"zone"`
	Mark       uint32  `json:"mark"`
	// SNAT and DNAT say that the host translates the connection's client
	// or server address: the reply direction is not the original one
	// reversed. An announcement of the translated side needs the helper.
	SNAT, DNAT bool `json:"-"`
}

// Expectation is what a conntrack helper created for one announcement
// in the shape of the contract's channel.expectation (Channel.Expectation):
// the data connection it lets in and translates.
type Expectation struct {
	Helper string `json:"helper"`
	// Tuple is the connection expected; parts any connection may have are
	// left out: "203.0.113.20 → 203.0.113.1:39185" (any source port).
	Tuple string `json:"tuple"`
	// NATTo is where nf_nat_ftp sends that connection (the announcement as
	// it was before the helper rewrote it).
	NATTo   string `json:"nat_to,omitempty"`
	Created Time   `json:"created"` // null when it existed before ftpscope started
	Removed *Time  `json:"removed,omitempty"`
	Outcome string `json:"outcome"` // Expectation* below
}

// Expectation outcomes.
const (
	// ExpectationUsed: a data connection was set up through it.
	ExpectationUsed = "used"
	// ExpectationTimeout: it expired with no connection.
	ExpectationTimeout = "timeout"
	// ExpectationDeleted: it was removed before expiring, with no confirmed
	// connection: its control connection ended, a newer announcement
	// replaced it, it was deleted by hand, or the connection that matched
	// it was dropped before the kernel confirmed it (a firewall rule).
	ExpectationDeleted = "deleted"
	// ExpectationPending: it still waits for its connection.
	ExpectationPending = "pending"
)
