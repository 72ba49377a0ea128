package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
)

// Root privileges are dropped once everything that needs them is open:
// the capture handles, the capture files, the -w file and the --export
// folder. What runs after that — the parsing of hostile traffic — runs as
// an unprivileged user, as tcpdump does (its -Z).

// defaultUsers are tried in order when --user is not given: a dedicated
// account if the system has one, else nobody.
var defaultUsers = []string{"ftpscope", "nobody"}

// explainDenied adds to a permission error, once root was dropped to the
// user droppedTo, why a folder root may write is refused and how to choose.
func explainDenied(err error, droppedTo string) error {
	if err == nil || droppedTo == "" || !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return fmt.Errorf("%w (ftpscope runs as %s after dropping root: choose a folder %s may write, or start it with --user root)", err, droppedTo, droppedTo)
}

// privilegeTarget returns the user to become: "" to stay as is. warn is
// set when root cannot drop its privileges for want of a user.
func privilegeTarget(o *options, euid int, lookup func(string) (*user.User, error)) (u *user.User, warn string, err error) {
	if o.user == "root" {
		return nil, "", nil // asked to keep root
	}
	if o.user != "" {
		u, err := lookup(o.user)
		if err != nil {
			return nil, "", fmt.Errorf("--user %s: %v", o.user, err)
		}
		if u.Uid == strconv.Itoa(euid) || u.Uid == "0" {
			return nil, "", nil // already that user, or a name of root's
		}
		if euid != 0 {
			return nil, "", fmt.Errorf("--user %s: only root can become another user (ftpscope runs as uid %d)", o.user, euid)
		}
		return u, "", nil
	}
	if euid != 0 {
		return nil, "", nil
	}
	if o.tlsKeylog != "" && len(o.ifaces) > 0 {
		// Live, the key log is read as it grows, by path: a file a client
		// creates later, in a folder of its own, is out of an unprivileged
		// user's reach. Keep root unless a user who can read it is named.
		return nil, "--tls-keylog live: root privileges are kept to follow the key log (--user NAME drops them to a user that can read it)", nil
	}
	for _, name := range defaultUsers {
		if u, err := lookup(name); err == nil && u.Uid != "0" {
			return u, "", nil
		}
	}
	return nil, fmt.Sprintf("no unprivileged user (%v) to drop root privileges to: running as root (--user NAME names one, --user root keeps root)", defaultUsers), nil
}

// dropPrivileges becomes the unprivileged user once everything is open.
// The folders ftpscope created for --export are given to that user
// (exported files are created as the analysis goes); a folder that already
// existed must be writable by it.
func dropPrivileges(o *options, createdDirs []string, exportDir string, stderr io.Writer) error {
	u, warn, err := privilegeTarget(o, os.Geteuid(), user.Lookup)
	if err != nil {
		return err
	}
	if warn != "" {
		fmt.Fprintf(stderr, "ftpscope: warning: %s\n", warn)
	}
	if u == nil {
		return nil
	}
	// what the run writes later (the terminal UI's w and e) is written as u
	o.droppedTo = u.Username
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("user %s: not a numeric user id (%s:%s)", u.Username, u.Uid, u.Gid)
	}
	for _, d := range createdDirs {
		if err := os.Lchown(d, uid, gid); err != nil {
			return fmt.Errorf("--export: giving %s to user %s: %v", d, u.Username, err)
		}
	}
	if err := switchUser(u, uid, gid); err != nil {
		return fmt.Errorf("cannot drop root privileges to user %s: %v (--user root keeps root)", u.Username, err)
	}
	if exportDir != "" && !writableDir(exportDir) {
		return fmt.Errorf("--export %s: user %s, whom ftpscope became once its files were open, may not write there (--user root keeps root)", exportDir, u.Username)
	}
	return nil
}

// missingDirs returns the folders that creating dir would create, the
// outermost first.
func missingDirs(dir string) []string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil
	}
	var out []string
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		out = append([]string{d}, out...)
	}
	return out
}
