package ctwatch

import "errors"

// ErrUnavailable is what Open's error matches (errors.Is) when conntrack
// cannot be read here: not Linux, no CAP_NET_ADMIN, no nf_conntrack_netlink.
// The caller says so in one line and goes on without conntrack.
var ErrUnavailable = errors.New("conntrack unavailable")

// UnavailableError says why conntrack cannot be read.
type UnavailableError struct {
	Reason string // for a person: "needs CAP_NET_ADMIN (run as root)"
	Err    error  // the system's error, if any
}

func (e *UnavailableError) Error() string {
	s := "conntrack unavailable: " + e.Reason
	if e.Err != nil {
		s += " (" + e.Err.Error() + ")"
	}
	return s
}

// Is makes errors.Is(err, ErrUnavailable) true.
func (e *UnavailableError) Is(target error) bool { return target == ErrUnavailable }

func (e *UnavailableError) Unwrap() error { return e.Err }
