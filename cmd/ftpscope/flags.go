package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// options are the parsed command line (../shared/spec/cli.md).
type options struct {
	reads         []sourceArg
	ifaces        []sourceArg
	output        string
	write         string
	session       string
	export        string
	controlPorts  []uint16
	dataTimeout   time.Duration
	showPasswords bool
	count         uint64
	duration      time.Duration
	user          string
	failOn        model.Severity
	quiet         bool
	version       bool
	help          bool
	filter        string
	observer      string // -o ecs: observer.hostname
	man           bool   // print the manual page
	completion    string // print the completion script of this shell
	tlsKeylog     string // --tls-keylog: decrypt FTPS with this key log
}

// sourceArg is "-r FILE" or "-r LABEL=FILE" (likewise -i).
type sourceArg struct{ label, name string }

type sourceList []sourceArg

func (l *sourceList) String() string { return "" }
func (l *sourceList) Set(v string) error {
	if v == "" {
		return fmt.Errorf("empty name")
	}
	label, name := "", v
	if i := strings.IndexByte(v, '='); i > 0 {
		// A file whose name contains "=" is still read as that file.
		if _, err := os.Stat(v); err != nil {
			label, name = v[:i], v[i+1:]
		}
	}
	if name == "" {
		return fmt.Errorf("%q names no file or interface", v)
	}
	*l = append(*l, sourceArg{label, name})
	return nil
}

type portList []uint16

func (l *portList) String() string { return "" }
func (l *portList) Set(v string) error {
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.ParseUint(f, 10, 16)
		if err != nil || n == 0 {
			return fmt.Errorf("%q is not a TCP port", f)
		}
		*l = append(*l, uint16(n))
	}
	return nil
}

type severityFlag struct{ s *model.Severity }

func (f severityFlag) String() string { return "" }
func (f severityFlag) Set(v string) error {
	s, err := model.ParseSeverity(v)
	if err != nil {
		return err
	}
	*f.s = s
	return nil
}

const usage = `Usage: ftpscope [flags] [capture filter expression ...]

Reads FTP traffic from capture files or live interfaces and explains every
control session, data channel and transfer, and what broke them.

Sources:
  -r, --read [LABEL=]FILE     read a pcap/pcapng file (gzip too; "-" is stdin);
                              repeatable, merged by time; LABEL names the vantage
  -i, --interface [LABEL=]IF  capture live on IF ("any" too); repeatable
  trailing words              a tcpdump capture filter, e.g. "host 203.0.113.20"

Output:
  -o, --output MODE           tui, text, json, jsonl, ecs or ecs-flat (default: tui on a
                              terminal, text otherwise; ecs-flat: ECS in dotted keys)
  -w, --write FILE            write the packets of the selected sessions to a pcapng file
      --session ID            with -w, only that session
      --export DIR            extract transferred files into DIR
      --show-passwords        show PASS arguments (masked as **** by default)
      --fail-on SEVERITY      exit 3 when a finding of at least info, warning or error exists
      --observer NAME         with -o ecs, observer.hostname: the gateway (live: this host)
  -q, --quiet                 no progress on standard error

Analysis:
      --control-ports LIST    extra FTP control ports, comma-separated (21 always)
      --data-timeout DURATION how long a data connection may follow its announcement (default 30s)
      --tls-keylog FILE       decrypt FTPS (AUTH TLS, port 990, PROT P) with an NSS key log,
                              as SSLKEYLOGFILE writes; live, followed as it grows

Live capture:
  -c, --count N               stop after N packets
      --duration D            stop after D (e.g. 5m)
      --user NAME             drop root privileges to NAME once capturing

      --man                   print the manual page (roff; make install installs it)
      --completion SHELL      print the completion script for bash, zsh or fish
  -V, --version               print the version
  -h, --help                  this help

Exit status: 0 success, 1 runtime error, 2 usage error, 3 --fail-on reached.
`

// parseArgs reads the command line; it never exits.
func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o := &options{dataTimeout: 30 * time.Second}
	fs := flag.NewFlagSet("ftpscope", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	reads, ifaces := (*sourceList)(&o.reads), (*sourceList)(&o.ifaces)
	ports := (*portList)(&o.controlPorts)
	for _, n := range []string{"r", "read"} {
		fs.Var(reads, n, "")
	}
	for _, n := range []string{"i", "interface"} {
		fs.Var(ifaces, n, "")
	}
	for _, n := range []string{"o", "output"} {
		fs.StringVar(&o.output, n, "", "")
	}
	for _, n := range []string{"w", "write"} {
		fs.StringVar(&o.write, n, "", "")
	}
	fs.StringVar(&o.session, "session", "", "")
	fs.StringVar(&o.export, "export", "", "")
	fs.StringVar(&o.observer, "observer", "", "")
	fs.StringVar(&o.tlsKeylog, "tls-keylog", "", "")
	fs.BoolVar(&o.man, "man", false, "")
	fs.StringVar(&o.completion, "completion", "", "")
	fs.Var(ports, "control-ports", "")
	fs.DurationVar(&o.dataTimeout, "data-timeout", o.dataTimeout, "")
	fs.BoolVar(&o.showPasswords, "show-passwords", false, "")
	for _, n := range []string{"c", "count"} {
		fs.Uint64Var(&o.count, n, 0, "")
	}
	fs.DurationVar(&o.duration, "duration", 0, "")
	fs.StringVar(&o.user, "user", "", "")
	fs.Var(severityFlag{&o.failOn}, "fail-on", "")
	for _, n := range []string{"q", "quiet"} {
		fs.BoolVar(&o.quiet, n, false, "")
	}
	for _, n := range []string{"V", "version"} {
		fs.BoolVar(&o.version, n, false, "")
	}
	for _, n := range []string{"h", "help"} {
		fs.BoolVar(&o.help, n, false, "")
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			o.help = true
			return o, nil
		}
		return nil, err
	}
	o.filter = strings.Join(fs.Args(), " ")
	if o.help || o.version || o.man || o.completion != "" {
		return o, nil
	}
	switch o.output {
	case "", "tui", "text", "json", "jsonl", "ecs", "ecs-flat":
	default:
		return nil, fmt.Errorf("unknown output mode %q (want tui, text, json, jsonl, ecs or ecs-flat)", o.output)
	}
	if len(o.reads) == 0 && len(o.ifaces) == 0 {
		return nil, fmt.Errorf("nothing to read: give a capture file with -r or an interface with -i")
	}
	if len(o.reads) > 0 && len(o.ifaces) > 0 {
		return nil, fmt.Errorf("-r and -i cannot be mixed: analyse files or a live capture")
	}
	if o.user != "" && len(o.ifaces) == 0 {
		return nil, fmt.Errorf("--user drops root privileges once a live capture is open: it needs -i")
	}
	if o.dataTimeout <= 0 {
		return nil, fmt.Errorf("--data-timeout must be positive, not %s", o.dataTimeout)
	}
	if o.session != "" && o.write == "" {
		return nil, fmt.Errorf("--session selects what -w writes: give -w FILE too")
	}
	labels := map[string]bool{}
	for _, s := range append(append([]sourceArg{}, o.reads...), o.ifaces...) {
		if s.label == "" {
			continue
		}
		if labels[s.label] {
			return nil, fmt.Errorf("label %q is used twice", s.label)
		}
		labels[s.label] = true
	}
	return o, nil
}
