//go:build !unix

package main

import "fmt"

func dropPrivileges(name string) error {
	return fmt.Errorf("--user %s: dropping privileges is not supported on this platform", name)
}
