package dissect

import (
	"cmp"
	"slices"
	"time"
)

// Connections are kept in order of last activity, one list per role, so
// that the housekeeping finds the silent ones of each role at the head of
// its list and stops at the first that is not: idle control connections
// (kept 15 minutes) are not walked past every second on the way to the
// data and unrelated ones (given up after 5 and 2). A sequence number of
// touches orders the lists among themselves where the order matters
// (eviction, the end of the capture).
type lruSet struct {
	lists [roleData + 1]lru
	seq   uint64
}

// lru is an intrusive list of connections, least recently active first.
type lru struct{ head, tail *conn }

// idleLimit is how long a connection of the role may stay silent.
func idleLimit(r connRole) time.Duration {
	switch r {
	case roleControl:
		return controlIdle
	case roleData:
		return dataIdle
	}
	return otherIdle
}

// add puts a new connection at the back of its role's list.
func (s *lruSet) add(c *conn) {
	s.seq++
	c.touched, c.listed = s.seq, c.role
	s.lists[c.role].pushBack(c)
}

// touch marks c as the most recently active.
func (s *lruSet) touch(c *conn) {
	s.seq++
	c.touched = s.seq
	s.lists[c.listed].touch(c)
}

// retag moves c to the list of the role it was given, at the place its
// last touch gives it there; every change of role calls it.
func (s *lruSet) retag(c *conn) {
	if c.listed == c.role {
		return
	}
	s.lists[c.listed].remove(c)
	c.listed = c.role
	s.lists[c.role].insertByTouch(c)
}

func (s *lruSet) remove(c *conn) { s.lists[c.listed].remove(c) }

func (s *lruSet) empty() bool {
	for i := range s.lists {
		if s.lists[i].head != nil {
			return false
		}
	}
	return true
}

// oldest returns the least recently active connection of all, or nil.
func (s *lruSet) oldest() *conn {
	var o *conn
	for i := range s.lists {
		if h := s.lists[i].head; h != nil && (o == nil || h.touched < o.touched) {
			o = h
		}
	}
	return o
}

// evictable returns the connection to drop when the table is full: among
// the least recently active few, the first that FTP does not use (a flood
// or a scan fills the table with those), else the least recently active.
func (s *lruSet) evictable() *conn {
	if u := s.lists[roleUnknown].head; u != nil {
		// u is among the 16 least recently active when fewer than 16
		// FTP connections were active before it
		n := 0
		for _, r := range [...]connRole{roleControl, roleData} {
			for c := s.lists[r].head; c != nil && c.touched < u.touched && n < 16; c = c.next {
				n++
			}
		}
		if n < 16 {
			return u
		}
	}
	return s.oldest()
}

// all returns every connection, least recently active first.
func (s *lruSet) all() []*conn {
	var all []*conn
	for i := range s.lists {
		for c := s.lists[i].head; c != nil; c = c.next {
			all = append(all, c)
		}
	}
	slices.SortFunc(all, func(a, b *conn) int { return cmp.Compare(a.touched, b.touched) })
	return all
}

func (l *lru) pushBack(c *conn) {
	c.prev, c.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = c
	} else {
		l.head = c
	}
	l.tail = c
}

// insertByTouch puts c after the last connection touched before it
// (usually the tail: a role is given soon after the connection's start).
func (l *lru) insertByTouch(c *conn) {
	at := l.tail
	for at != nil && at.touched > c.touched {
		at = at.prev
	}
	if at == l.tail {
		l.pushBack(c)
		return
	}
	c.prev = at
	if at == nil {
		c.next = l.head
		l.head.prev = c
		l.head = c
		return
	}
	c.next = at.next
	at.next.prev = c
	at.next = c
}

func (l *lru) remove(c *conn) {
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

func (l *lru) touch(c *conn) {
	if l.tail == c {
		return
	}
	l.remove(c)
	l.pushBack(c)
}
