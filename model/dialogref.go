package model

import (
	"errors"
	"strconv"
)

// DialogRef refers to an entry of the same session's dialog by its index
// (a reply to the command it answers). The zero DialogRef refers to none,
// so entries built without one refer to nothing; in JSON it is the index,
// left out when it refers to none.
type DialogRef struct {
	plus1 int // index + 1: 0 is no reference
}

// RefTo refers to entry i; a negative i refers to none.
func RefTo(i int) DialogRef {
	if i < 0 {
		return DialogRef{}
	}
	return DialogRef{i + 1}
}

// Index returns the index referred to, ok false when none.
func (r DialogRef) Index() (i int, ok bool) { return r.plus1 - 1, r.plus1 > 0 }

// IsZero reports a reference to none (for the omitzero JSON option).
func (r DialogRef) IsZero() bool { return r.plus1 == 0 }

// MarshalJSON implements json.Marshaler.
func (r DialogRef) MarshalJSON() ([]byte, error) {
	if r.plus1 == 0 {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, int64(r.plus1-1), 10), nil
}

var errBadRef = errors.New("dialog reference: not an index")

// UnmarshalJSON implements json.Unmarshaler.
func (r *DialogRef) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*r = DialogRef{}
		return nil
	}
	i, err := strconv.Atoi(string(b))
	if err != nil || i < 0 {
		return errBadRef
	}
	*r = RefTo(i)
	return nil
}

// Answered returns the command that dialog entry e, a reply, answers, or
// nil when that is unknown or not kept.
func (s *Session) Answered(e *DialogEntry) *DialogEntry {
	if i, ok := e.Answers.Index(); ok && i < len(s.Dialog) {
		return &s.Dialog[i]
	}
	return nil
}
