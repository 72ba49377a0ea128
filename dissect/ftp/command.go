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

// verbs interns the commands of RFC 959, 1639, 2228, 2389, 2428, 2640, 3659,
// 4217 and 7151 plus common extensions, so parsing a known command does not
// allocate its verb.
var verbs = map[string]string{}

func init() {
	for _, v := range []string{
		"ABOR", "ACCT", "ADAT", "ALLO", "APPE", "AUTH", "CCC", "CDUP", "CLNT", "CONF",
		"CWD", "DELE", "ENC", "EPRT", "EPSV", "FEAT", "HELP", "HOST", "LANG", "LIST",
		"LPRT", "LPSV", "MDTM", "MFMT", "MIC", "MKD", "MLSD", "MLST", "MODE", "NLST",
		"NOOP", "OPTS", "PASS", "PASV", "PBSZ", "PORT", "PROT", "PWD", "QUIT", "REIN",
		"REST", "RETR", "RMD", "RNFR", "RNTO", "SITE", "SIZE", "SMNT", "STAT", "STOR",
		"STOU", "STRU", "SYST", "TYPE", "USER", "XCUP", "XCWD", "XMKD", "XPWD", "XRMD",
	} {
		verbs[v] = v
	}
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
		if v, ok := verbs[string(upper[:len(word)])]; ok {
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
