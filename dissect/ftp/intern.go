package ftp

// Interner shares the strings that recur across sessions — reply texts
// ("226 Transfer complete."), file names, user names — so that a capture of
// thousands of sessions does not allocate each of them again. It holds at
// most maxInterned strings of at most maxInternLen bytes; when full it
// starts over. A nil *Interner copies every string. Not safe for
// concurrent use.
type Interner struct {
	m map[string]string
}

const (
	maxInterned  = 8192
	maxInternLen = 64
)

// String returns b as a string, shared with earlier equal ones.
func (in *Interner) String(b []byte) string {
	if in == nil || len(b) > maxInternLen {
		return string(b)
	}
	if s, ok := in.m[string(b)]; ok { // no allocation for the lookup
		return s
	}
	if in.m == nil || len(in.m) >= maxInterned {
		in.m = make(map[string]string, 256)
	}
	s := string(b)
	in.m[s] = s
	return s
}
