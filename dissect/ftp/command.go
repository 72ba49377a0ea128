package ftp

// Command is one client line read as an FTP command (RFC 959 §5.3).
type Command struct {
	// Verb is the command name in upper case ("RETR"); commands are
	// case-insensitive on the wire.
	Verb string
	// Arg is everything after the single space that follows the verb,
	// as sent (file names may contain spaces).
	Arg string
	// Valid reports a verb of 3 or 4 ASCII letters, as every FTP command
	// has. Anything else is still returned, so it can be shown and counted.
	Valid bool
	// Secret reports a command whose argument is a credential (PASS,
	// ACCT): Arg is Masked unless the parser was asked to show secrets.
	Secret bool
}

// Masked stands for the argument of PASS and ACCT in every output unless
// --show-passwords: the secret is replaced when the line is parsed, so it
// is never kept, interned or shown.
const Masked = "****"

// isSpace reports ASCII white space other than the line's end: clients
// (and evasions) separate the verb with a tab as well as a space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' }

// knownVerbs are the commands of RFC 959, 1639, 2228, 2389, 2428, 2640,
// 3659, 4217 and 7151 plus common extensions: parsing one of them does not
// allocate its verb.
var knownVerbs = [...]string{
	"ABOR", "ACCT", "ADAT", "ALLO", "APPE", "AUTH", "CCC", "CDUP", "CLNT", "CONF",
	"CWD", "DELE", "ENC", "EPRT", "EPSV", "FEAT", "HELP", "HOST", "LANG", "LIST",
	"LPRT", "LPSV", "MDTM", "MFMT", "MIC", "MKD", "MLSD", "MLST", "MODE", "NLST",
	"NOOP", "OPTS", "PASS", "PASV", "PBSZ", "PORT", "PROT", "PWD", "QUIT", "REIN",
	"REST", "RETR", "RMD", "RNFR", "RNTO", "SITE", "SIZE", "SMNT", "STAT", "STOR",
	"STOU", "STRU", "SYST", "TYPE", "USER", "XCUP", "XCWD", "XMKD", "XPWD", "XRMD",
}

// verbKey packs a verb of at most four bytes into a word, its length in
// the top byte so that "CWD" and "CWD\x00" differ.
func verbKey(b []byte) uint64 {
	k := uint64(len(b)) << 32
	for i, c := range b {
		k |= uint64(c) << (8 * i)
	}
	return k
}

// verbSlots is a perfect hash of knownVerbs by verbKey: a word multiply
// finds a verb's only possible slot, where a string map hashed the bytes
// and compared strings. verbMul is the first multiplier that puts no two
// known verbs in one slot (found at start, checked by a test).
var (
	verbSlots [256]struct {
		key  uint64
		verb string
	}
	verbMul = findVerbMul()
)

func verbSlot(key uint64) int { return int((key * verbMul) >> 56) }

// findVerbMul tries odd multipliers from a linear congruential sequence
// (neighbouring ones would put the verbs in much the same slots): some
// twenty tries.
func findVerbMul() uint64 {
	for m := uint64(0x9E3779B97F4A7C15); ; m = (m*6364136223846793005 + 1442695040888963407) | 1 {
		clear(verbSlots[:])
		ok := true
		for _, v := range knownVerbs {
			k := verbKey([]byte(v))
			sl := &verbSlots[int((k*m)>>56)]
			if sl.verb != "" {
				ok = false
				break
			}
			sl.key, sl.verb = k, v
		}
		if ok {
			return m
		}
	}
}

// knownVerb returns the known verb spelled by upper (upper case), if any.
func knownVerb(upper []byte) (string, bool) {
	if len(upper) > 4 {
		return "", false
	}
	k := verbKey(upper)
	sl := &verbSlots[verbSlot(k)]
	return sl.verb, sl.key == k && sl.verb != ""
}

// ParseCommand reads a command line (without its CR LF), secrets masked.
func ParseCommand(line []byte) Command { return ParseCommandInterned(line, nil, false) }

// ParseCommandInterned is ParseCommand sharing its strings through in;
// showSecrets keeps the arguments of PASS and ACCT (never interned).
func ParseCommandInterned(line []byte, in *Interner, showSecrets bool) Command {
	// Leading spaces are not allowed by RFC 959 but cost nothing to skip.
	for len(line) > 0 && isSpace(line[0]) {
		line = line[1:]
	}
	i := 0
	for i < len(line) && !isSpace(line[i]) {
		i++
	}
	word := line[:i]
	var arg []byte
	if i < len(line) {
		arg = line[i+1:]
	}
	var upper [8]byte
	valid := len(word) >= 3 && len(word) <= 4
	for j, c := range word {
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		} else if c < 'A' || c > 'Z' {
			valid = false
		}
		if j < len(upper) {
			upper[j] = c
		}
	}
	var verb string
	if len(word) <= len(upper) {
		if v, ok := knownVerb(upper[:len(word)]); ok {
			verb = v
		} else {
			verb = in.String(upper[:len(word)])
		}
	} else {
		verb = in.String(word)
	}
	if verb == "PASS" || verb == "ACCT" {
		c := Command{Verb: verb, Valid: valid, Secret: true}
		switch {
		case len(arg) == 0:
		case showSecrets:
			c.Arg = string(arg) // a copy of its own: the interner outlives sessions
		default:
			c.Arg = Masked
		}
		return c
	}
	return Command{Verb: verb, Arg: in.String(arg), Valid: valid}
}

// IsTransfer reports whether verb opens a data connection (RFC 959 §4.1.3,
// RFC 3659 MLSD).
func IsTransfer(verb string) bool {
	switch verb {
	case "RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD":
		return true
	}
	return false
}

// IsUpload reports whether a transfer verb sends data from client to server.
func IsUpload(verb string) bool {
	switch verb {
	case "STOR", "STOU", "APPE":
		return true
	}
	return false
}
