package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func table(t *testing.T) *flagTable {
	t.Helper()
	tb, err := parseUsage(usage)
	if err != nil {
		t.Fatal(err)
	}
	if len(flagEntries(tb)) < 10 || tb.Synopsis == "" || tb.Description == "" || tb.ExitStatus == "" {
		t.Fatalf("usage parsed into too little: %+v", tb)
	}
	return tb
}

// registeredFlags reads parseArgs's flag registrations from flags.go: the
// names given to fs.*Var, directly or through a range over names.
func registeredFlags(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "flags.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.RangeStmt:
			// for _, n := range []string{"r", "read"} { fs.Var(…, n, …) }
			if lit, ok := n.X.(*ast.CompositeLit); ok && strings.Contains(types(n.Body), "fs.") {
				for _, e := range lit.Elts {
					if s, ok := e.(*ast.BasicLit); ok {
						v, _ := strconv.Unquote(s.Value)
						names = append(names, v)
					}
				}
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, isID := sel.X.(*ast.Ident); isID && id.Name == "fs" && strings.HasSuffix(sel.Sel.Name, "Var") && len(n.Args) >= 2 {
				if s, ok := n.Args[1].(*ast.BasicLit); ok {
					v, _ := strconv.Unquote(s.Value)
					names = append(names, v)
				}
			}
		}
		return true
	})
	if len(names) < 10 {
		t.Fatalf("found only %v in flags.go", names)
	}
	return names
}

// types renders the selector expressions of a block, enough to tell
// whether it registers flags.
func types(b *ast.BlockStmt) string {
	var s strings.Builder
	ast.Inspect(b, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				s.WriteString(id.Name + "." + sel.Sel.Name + " ")
			}
		}
		return true
	})
	return s.String()
}

// TestUsageIsTheFlagTable checks that -h lists every flag parseArgs knows,
// and parseArgs knows every flag -h lists.
func TestUsageIsTheFlagTable(t *testing.T) {
	tb := table(t)
	documented := map[string]bool{}
	for _, e := range flagEntries(tb) {
		for _, n := range names(e) {
			documented[strings.TrimLeft(n, "-")] = true
			args := []string{n}
			if e.Arg != "" {
				args = append(args, "x")
			}
			if _, err := parseArgs(args, io.Discard); err != nil && strings.Contains(err.Error(), "not defined") {
				t.Errorf("-h lists %s, which parseArgs does not know: %v", n, err)
			}
		}
	}
	for _, n := range registeredFlags(t) {
		if !documented[n] {
			t.Errorf("flag %q is not in the -h summary: it would miss from the manual page and the completions", n)
		}
	}
}

func TestParseUsageRejectsWhatItCannotPlace(t *testing.T) {
	for _, bad := range []string{
		"ftpscope [flags]\n", // no Usage:
		"Usage: ftpscope\n\nSources:\n  -r,--read FILE  x\n", // no space after the comma
		"Usage: ftpscope\n\nSources:\n\tthe tab-indented line\n",
	} {
		if _, err := parseUsage(bad); err == nil {
			t.Errorf("parseUsage(%q) succeeded", bad)
		}
	}
	tb, err := parseUsage("Usage: ftpscope [flags]\n\nSays things.\n\nOutput:\n  -o, --output MODE   tui or text\n                      (default tui)\n      --data-timeout DURATION how long\n  -q  quiet\n\nExit status: 0\nor 1.\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []flagEntry{
		{Section: "Output", Short: "o", Long: "output", Arg: "MODE", Help: "tui or text (default tui)"},
		{Section: "Output", Long: "data-timeout", Arg: "DURATION", Help: "how long"},
		{Section: "Output", Short: "q", Help: "quiet"},
	}
	if !slices.Equal(tb.Entries, want) || tb.ExitStatus != "0 or 1." || tb.Description != "Says things." {
		t.Errorf("got %+v", tb)
	}
}

// plainMan renders a manual page as text, as man shows it.
func plainMan(t *testing.T, page string) string {
	t.Helper()
	if _, err := exec.LookPath("man"); err != nil {
		t.Skip("man is not installed (Debian: man-db; make deps installs it)")
	}
	cmd := exec.Command("man", "-l", page)
	cmd.Env = append(os.Environ(), "LC_ALL=C", "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat", "MAN_KEEP_FORMATTING=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("man -l %s: %v\n%s", page, err, out)
	}
	// Drop overstrike (bold "x\bx", underline "_\bx").
	return regexp.MustCompile(".\b").ReplaceAllString(string(out), "")
}

func TestManPageHasEveryFlag(t *testing.T) {
	tb := table(t)
	var page bytes.Buffer
	if err := writeMan(&page, tb, "test"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ftpscope.1")
	if err := os.WriteFile(path, page.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	text := plainMan(t, path)
	words := strings.Join(strings.Fields(text), " ")
	for _, e := range flagEntries(tb) {
		for _, n := range names(e) {
			if !regexp.MustCompile(`(^|[ ,])` + regexp.QuoteMeta(n) + `([ ,]|$)`).MatchString(words) {
				t.Errorf("the manual page lacks %s", n)
			}
		}
		if e.Arg != "" && !strings.Contains(words, names(e)[len(names(e))-1]+" "+e.Arg) {
			t.Errorf("the manual page lacks %s's argument %s", e.name(), e.Arg)
		}
	}
	for _, want := range []string{"NAME", "SYNOPSIS", "EXIT STATUS", "install-caps", "pcap-filter(7)"} {
		if !strings.Contains(words, want) {
			t.Errorf("the manual page lacks %q", want)
		}
	}
}

func TestCompletedValuesAreAccepted(t *testing.T) {
	tb := table(t)
	for _, e := range flagEntries(tb) {
		kind, words := completionOf(e)
		if kind != argWords {
			continue
		}
		for _, w := range words {
			args := []string{names(e)[0], w, "-r", "x.pcap"}
			if e.Long == "completion" {
				args = args[:2]
			}
			if _, err := parseArgs(args, io.Discard); err != nil {
				t.Errorf("%v: %v", args, err)
			}
			if !strings.Contains(e.Help, w) && e.Long != "fail-on" {
				t.Errorf("%s completes %q, which its help does not name", e.name(), w)
			}
		}
	}
}

// bashComplete runs the bash completion on a command line and returns its
// candidates.
func bashComplete(t *testing.T, script string, words ...string) []string {
	t.Helper()
	line := "COMP_WORDS=(ftpscope"
	for _, w := range words {
		line += " " + strconv.Quote(w)
	}
	line += "); COMP_CWORD=" + strconv.Itoa(len(words)) + "; _ftpscope; printf '%s\\n' \"${COMPREPLY[@]}\""
	out, err := exec.Command("bash", "-c", "source "+script+" && "+line).CombinedOutput()
	if err != nil {
		t.Fatalf("bash completion of %v: %v\n%s", words, err, out)
	}
	return strings.Fields(string(out))
}

func TestBashCompletion(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	var s bytes.Buffer
	if err := writeCompletion(&s, "bash", table(t)); err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(t.TempDir(), "ftpscope")
	if err := os.WriteFile(script, s.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	checkBash(t, script)
}

func checkBash(t *testing.T, script string) {
	t.Helper()
	if got := bashComplete(t, script, "-o", ""); !slices.Equal(got, outputModes) {
		t.Errorf("-o <tab>: %v, want %v", got, outputModes)
	}
	if got := bashComplete(t, script, "--ou"); !slices.Equal(got, []string{"--output"}) {
		t.Errorf("--ou<tab>: %v", got)
	}
	if got := bashComplete(t, script, "--fail-on", "w"); !slices.Equal(got, []string{"warning"}) {
		t.Errorf("--fail-on w<tab>: %v", got)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gw1.pcap"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got := bashComplete(t, script, "-r", filepath.Join(dir, "gw")); !slices.Equal(got, []string{filepath.Join(dir, "gw1.pcap")}) {
		t.Errorf("-r …/gw<tab>: %v", got)
	}
	if got := bashComplete(t, script, "-c", ""); len(got) != 0 {
		t.Errorf("-c <tab> (a number): %v", got)
	}
}

// TestZshAndFishCompletionsParse checks the scripts with the shells
// themselves, where they are installed.
func TestZshAndFishCompletionsParse(t *testing.T) {
	for _, shell := range []string{"zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			if _, err := exec.LookPath(shell); err != nil {
				t.Skipf("%s is not installed", shell)
			}
			var s bytes.Buffer
			if err := writeCompletion(&s, shell, table(t)); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "ftpscope."+shell)
			if err := os.WriteFile(path, s.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(shell, "-n", path).CombinedOutput(); err != nil {
				t.Errorf("%s -n: %v\n%s", shell, err, out)
			}
			if shell != "fish" {
				return // zsh completes only at an interactive prompt
			}
			// fish completes a command line on request.
			out, err := exec.Command("fish", "--no-config", "-c", "source "+path+"; complete -C 'ftpscope -o '; complete -C 'ftpscope --fail-on w'").CombinedOutput()
			if err != nil {
				t.Fatalf("fish complete -C: %v\n%s", err, out)
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				got = append(got, strings.SplitN(l, "\t", 2)[0])
			}
			want := append(slices.Sorted(slices.Values(outputModes)), "warning")
			if !slices.Equal(got, want) {
				t.Errorf("fish completes %v, want %v", got, want)
			}
		})
	}
}

// TestMakeInstall installs into a temporary prefix and checks that man
// finds the page and bash completes from the installed script.
func TestMakeInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary: not with -short")
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	prefix := t.TempDir()
	out, err := exec.Command("make", "-C", "../..", "install", "PREFIX="+prefix).CombinedOutput()
	if err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	for _, f := range []string{"bin/ftpscope", "share/man/man1/ftpscope.1", "share/bash-completion/completions/ftpscope",
		"share/zsh/site-functions/_ftpscope", "share/fish/vendor_completions.d/ftpscope.fish"} {
		if st, err := os.Stat(filepath.Join(prefix, f)); err != nil || st.Size() == 0 {
			t.Errorf("make install did not install %s: %v", f, err)
		}
	}
	if _, err := exec.LookPath("man"); err == nil {
		cmd := exec.Command("man", "-M", filepath.Join(prefix, "share", "man"), "-w", "ftpscope")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), prefix) {
			t.Errorf("man -M %s/share/man -w ftpscope: %v %s", prefix, err, out)
		}
	}
	if _, err := exec.LookPath("bash"); err == nil {
		checkBash(t, filepath.Join(prefix, "share", "bash-completion", "completions", "ftpscope"))
	}
	if out, err := exec.Command(filepath.Join(prefix, "bin", "ftpscope"), "--version").CombinedOutput(); err != nil {
		t.Errorf("installed ftpscope --version: %v\n%s", err, out)
	}
}
