//go:build unix

package main

import (
	"errors"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// switchUser makes the process u's: its groups, then its group, then its
// user, the saved set-user-ID included, so that root cannot be regained.
// Capture handles and files opened before stay usable. On Linux the change
// applies to every thread of the process. Tests replace it.
var switchUser = func(u *user.User, uid, gid int) error {
	groups := []int{gid}
	if ids, err := u.GroupIds(); err == nil {
		for _, g := range ids {
			if n, err := strconv.Atoi(g); err == nil && n != gid {
				groups = append(groups, n)
			}
		}
	}
	if err := syscall.Setgroups(groups); err != nil {
		return err
	}
	if err := syscall.Setgid(gid); err != nil { // real, effective and saved
		return err
	}
	if err := syscall.Setuid(uid); err != nil {
		return err
	}
	if os.Geteuid() != uid || os.Getuid() != uid || os.Getegid() != gid {
		return errors.New("the user or group ids did not change")
	}
	if syscall.Setuid(0) == nil {
		return errors.New("root could be regained after setuid")
	}
	return nil
}

// writableDir reports whether the process may create files in dir.
func writableDir(dir string) bool {
	const wOK, xOK = 2, 1
	return syscall.Access(dir, wOK|xOK) == nil
}
