//go:build !unix

package main

import (
	"errors"
	"os/user"
)

var switchUser = func(u *user.User, uid, gid int) error {
	return errors.New("changing user is not supported on this platform")
}

func writableDir(dir string) bool { return true }
