package ftp

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// SyntaxError reports an announcement whose text cannot be read.
type SyntaxError struct {
	What   string // "PORT", "227", …
	Input  string
	Reason string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("ftp: malformed %s %q: %s", e.What, e.Input, e.Reason)
}

func syntaxError(what, input, reason string) error {
	if len(input) > 80 {
		input = input[:80] + "…"
	}
	return &SyntaxError{What: what, Input: input, Reason: reason}
}

// ParsePORT reads the argument of PORT: h1,h2,h3,h4,p1,p2 (RFC 959 §4.1.2).
// Spaces around the numbers are tolerated.
func ParsePORT(arg string) (netip.AddrPort, error) {
	n, err := commaNumbers(arg, 6)
	if err != nil {
		return netip.AddrPort{}, syntaxError("PORT", arg, err.Error())
	}
	return hostPort(n), nil
}

// Parse227 reads a 227 reply text: the first run of six comma-separated
// numbers, with or without the parentheses RFC 959 shows (RFC 1123 §4.1.2.6:
// clients must scan for them).
func Parse227(text string) (netip.AddrPort, error) {
	for i := 0; i < len(text); i++ {
		if !isDigit(text[i]) || (i > 0 && isDigit(text[i-1])) {
			continue
		}
		if n, err := commaNumbersPrefix(text[i:], 6); err == nil {
			return hostPort(n), nil
		}
	}
	return netip.AddrPort{}, syntaxError("227", text, "no h1,h2,h3,h4,p1,p2 in the text")
}

// ParseLPRT reads the argument of LPRT, or the parenthesised part of a 228
// reply: af,hal,h1,…,pal,p1,p2 (RFC 1639), af 4 with 4 address bytes or af 6
// with 16.
func ParseLPRT(arg string) (netip.AddrPort, error) {
	fields := strings.Split(strings.TrimSpace(arg), ",")
	nums := make([]int, len(fields))
	for i, f := range fields {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 0 || v > 255 {
			return netip.AddrPort{}, syntaxError("LPRT", arg, fmt.Sprintf("field %d is not a number 0-255", i+1))
		}
		nums[i] = v
	}
	if len(nums) < 2 {
		return netip.AddrPort{}, syntaxError("LPRT", arg, "too few fields")
	}
	af, hal := nums[0], nums[1]
	switch {
	case af == 4 && hal == 4, af == 6 && hal == 16:
	default:
		return netip.AddrPort{}, syntaxError("LPRT", arg, fmt.Sprintf("address family %d with %d address bytes", af, hal))
	}
	if len(nums) != 2+hal+1+2 || nums[2+hal] != 2 {
		return netip.AddrPort{}, syntaxError("LPRT", arg, "want a 2-byte port after the address")
	}
	port := uint16(nums[3+hal]<<8 | nums[4+hal])
	var addr netip.Addr
	if af == 4 {
		addr = netip.AddrFrom4([4]byte{byte(nums[2]), byte(nums[3]), byte(nums[4]), byte(nums[5])})
	} else {
		var b [16]byte
		for i := range b {
			b[i] = byte(nums[2+i])
		}
		addr = netip.AddrFrom16(b)
	}
	return netip.AddrPortFrom(addr, port), nil
}

// Parse228 reads a 228 (LPSV) reply text.
func Parse228(text string) (netip.AddrPort, error) {
	open := strings.IndexByte(text, '(')
	end := strings.IndexByte(text, ')')
	if open < 0 || end < open {
		return netip.AddrPort{}, syntaxError("228", text, "no (af,hal,…) in the text")
	}
	ap, err := ParseLPRT(text[open+1 : end])
	if err != nil {
		return netip.AddrPort{}, syntaxError("228", text, err.(*SyntaxError).Reason)
	}
	return ap, nil
}

// ParseEPRT reads the argument of EPRT: <d>af<d>addr<d>port<d> with any
// printable delimiter d (RFC 2428 §2). family is 1 (IPv4) or 2 (IPv6), as
// announced, even when the address does not match it.
func ParseEPRT(arg string) (ap netip.AddrPort, family int, err error) {
	s := strings.TrimSpace(arg)
	if len(s) < 7 {
		return netip.AddrPort{}, 0, syntaxError("EPRT", arg, "too short")
	}
	d := s[0]
	if d < 33 || d > 126 {
		return netip.AddrPort{}, 0, syntaxError("EPRT", arg, "delimiter is not a printable character")
	}
	f := strings.Split(s, string(d))
	// "|1|addr|port|" splits into "", "1", addr, port, "".
	if len(f) != 5 || f[0] != "" || f[4] != "" {
		return netip.AddrPort{}, 0, syntaxError("EPRT", arg, "want <d>af<d>addr<d>port<d>")
	}
	switch f[1] {
	case "1":
		family = 1
	case "2":
		family = 2
	default:
		return netip.AddrPort{}, 0, syntaxError("EPRT", arg, fmt.Sprintf("unknown address family %q", f[1]))
	}
	addr, perr := netip.ParseAddr(f[2])
	if perr != nil || addr.Zone() != "" {
		return netip.AddrPort{}, family, syntaxError("EPRT", arg, fmt.Sprintf("bad address %q", f[2]))
	}
	port, perr := strconv.ParseUint(f[3], 10, 16)
	if perr != nil {
		return netip.AddrPort{}, family, syntaxError("EPRT", arg, fmt.Sprintf("bad port %q", f[3]))
	}
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), family, nil
}

// Parse229 reads the port of a 229 reply: (<d><d><d>port<d>) with any
// printable delimiter (RFC 2428 §3). The address is the control server's.
func Parse229(text string) (uint16, error) {
	for i := strings.IndexByte(text, '('); i >= 0; {
		if port, ok := epsvPort(text[i+1:]); ok {
			return port, nil
		}
		next := strings.IndexByte(text[i+1:], '(')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	return 0, syntaxError("229", text, "no (|||port|) in the text")
}

// epsvPort reads "<d><d><d>port<d>" at the start of s.
func epsvPort(s string) (uint16, bool) {
	if len(s) < 5 {
		return 0, false
	}
	d := s[0]
	if d < 33 || d > 126 || isDigit(d) || s[1] != d || s[2] != d {
		return 0, false
	}
	end := strings.IndexByte(s[3:], d)
	if end <= 0 {
		return 0, false
	}
	port, err := strconv.ParseUint(s[3:3+end], 10, 16)
	if err != nil || port == 0 {
		return 0, false
	}
	return uint16(port), true
}

// ParseSize150 reads the size that many servers put in a 150 reply:
// "Opening BINARY mode data connection for x (1234 bytes)."
func ParseSize150(text string) (int64, bool) {
	end := strings.LastIndex(text, " bytes)")
	if end < 0 {
		end = strings.LastIndex(text, " Bytes)")
	}
	if end < 0 {
		return 0, false
	}
	open := strings.LastIndexByte(text[:end], '(')
	if open < 0 {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(text[open+1:end]), 10, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}

// ParseSize213 reads the size in a 213 reply to SIZE (RFC 3659 §4).
func ParseSize213(text string) (int64, bool) {
	v, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}

func hostPort(n [6]int) netip.AddrPort {
	addr := netip.AddrFrom4([4]byte{byte(n[0]), byte(n[1]), byte(n[2]), byte(n[3])})
	return netip.AddrPortFrom(addr, uint16(n[4]<<8|n[5]))
}

// commaNumbers reads exactly count comma-separated numbers 0-255.
func commaNumbers(s string, count int) ([6]int, error) {
	if n, ok := plainCommaNumbers(s, count); ok {
		return n, nil
	}
	return splitCommaNumbers(s, count)
}

// plainCommaNumbers reads what clients send, count numbers of one to
// three digits and single commas between, without splitting the string;
// ok is false for anything else, left to splitCommaNumbers (spaces, signs,
// errors and their messages).
func plainCommaNumbers(s string, count int) (n [6]int, ok bool) {
	k, v, digits := 0, 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c) && digits < 3:
			v, digits = v*10+int(c-'0'), digits+1
		case c == ',' && digits > 0 && v <= 255 && k < count-1:
			n[k], k, v, digits = v, k+1, 0, 0
		default:
			return n, false
		}
	}
	if digits == 0 || v > 255 || k != count-1 {
		return n, false
	}
	n[k] = v
	return n, true
}

// splitCommaNumbers is commaNumbers for any input.
func splitCommaNumbers(s string, count int) ([6]int, error) {
	var n [6]int
	fields := strings.Split(s, ",")
	if len(fields) != count {
		return n, fmt.Errorf("want %d comma-separated numbers, have %d fields", count, len(fields))
	}
	for i, f := range fields {
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v < 0 || v > 255 {
			return n, fmt.Errorf("field %d (%q) is not a number 0-255", i+1, strings.TrimSpace(f))
		}
		n[i] = v
	}
	return n, nil
}

// commaNumbersPrefix reads count comma-separated numbers 0-255 at the start
// of s; what follows the last one does not matter.
func commaNumbersPrefix(s string, count int) ([6]int, error) {
	var n [6]int
	i := 0
	for k := 0; k < count; k++ {
		if k > 0 {
			for i < len(s) && s[i] == ' ' {
				i++
			}
			if i >= len(s) || s[i] != ',' {
				return n, fmt.Errorf("missing comma")
			}
			i++
			for i < len(s) && s[i] == ' ' {
				i++
			}
		}
		start := i
		v := 0
		for i < len(s) && isDigit(s[i]) && i-start < 4 {
			v = v*10 + int(s[i]-'0')
			i++
		}
		if i == start || v > 255 || (i < len(s) && isDigit(s[i])) {
			return n, fmt.Errorf("not a number 0-255")
		}
		n[k] = v
	}
	return n, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
