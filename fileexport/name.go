package fileexport

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/ftpscope/ftpscope/internal/textfmt"
)

// safeBase reduces a name from the wire to a base name that cannot leave a
// directory: no separators of any platform, no "..", no control
// characters, no leading dots, at most 100 bytes.
func safeBase(arg string) string {
	arg = strings.ReplaceAll(arg, "\\", "/")
	if i := strings.LastIndexByte(arg, '/'); i >= 0 {
		arg = arg[i+1:]
	}
	// Controls become visible escapes (the text outputs' rule), whose
	// backslash must not reach a file name either.
	arg = strings.Map(func(r rune) rune {
		if r == '\\' || r == ':' || r == 0xfffd || unicode.IsControl(r) {
			return '_'
		}
		return r
	}, textfmt.Printable(arg))
	arg = strings.TrimLeft(arg, ". ")
	if len(arg) > 100 {
		arg = arg[:100]
	}
	return arg
}

// linkUnique gives tmp the name base (or base-2, base-3, …) in dir without
// replacing anything, and returns the name used.
func linkUnique(dir, base, tmp string) (string, error) {
	for i := 1; i < 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		path := filepath.Join(dir, name)
		if filepath.Dir(path) != filepath.Clean(dir) {
			return "", fmt.Errorf("export: refusing %q, outside %s", name, dir)
		}
		err := os.Link(tmp, path)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("export: too many files named %q", base)
}
