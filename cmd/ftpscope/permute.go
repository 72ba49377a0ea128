package main

import (
	"flag"
	"strings"
)

// permute moves the flags of args before the other words, as GNU getopt
// does, so that flags may follow the filter words ("-r x.pcap host
// 1.2.3.4 -o json"). "--" ends the flags: what follows is filter words
// however it looks. Single-letter flags may be grouped ("-pq") and a
// single-letter flag may carry its value ("-s0", "-c100"), as tcpdump's
// are. Unknown flags are left for the flag package to report.
func permute(fs *flag.FlagSet, args []string) []string {
	var flags, words []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			words = append(words, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			words = append(words, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if f := fs.Lookup(name); f != nil || strings.HasPrefix(a, "--") || hasValue {
			flags = append(flags, a)
			if f != nil && !hasValue && !isBool(f) {
				if i+1 == len(args) {
					return flags // the flag package says its value is missing
				}
				i++
				flags = append(flags, args[i]) // its value, whatever it looks like ("-r -")
			}
			continue
		}
		expanded, takesNext := shortCluster(fs, a[1:])
		if expanded == nil {
			flags = append(flags, a) // unknown: the flag package says so
			continue
		}
		flags = append(flags, expanded...)
		if takesNext {
			if i+1 == len(args) {
				return flags
			}
			i++
			flags = append(flags, args[i])
		}
	}
	return append(append(flags, "--"), words...)
}

// shortCluster expands "pq" into -p -q and "s0" into -s=0: single-letter
// flags, every one boolean but the last, which takes the rest of the
// cluster as its value or, when nothing is left, the next argument
// (takesNext). nil when the cluster is not made of known letters.
func shortCluster(fs *flag.FlagSet, cluster string) (expanded []string, takesNext bool) {
	for j := 0; j < len(cluster); j++ {
		f := fs.Lookup(cluster[j : j+1])
		if f == nil {
			return nil, false
		}
		if isBool(f) {
			expanded = append(expanded, "-"+f.Name)
			continue
		}
		if rest := cluster[j+1:]; rest != "" {
			return append(expanded, "-"+f.Name+"="+rest), false
		}
		return append(expanded, "-"+f.Name), true
	}
	return expanded, false
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
