package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ftpscope/ftpscope/capture"
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
	droppedTo     string // the user root was dropped to, once it was
	noPromisc     bool
	snapLen       int
	bufferKiB     int
	memoryLimit   int // MiB; -1: not given
	listIfaces    bool
	failOn        model.Severity
	quiet         bool
	version       bool
	help          bool
	filter        string
	observer      string // -o ecs: observer.hostname
	man           bool   // print the manual page
	completion    string // print the completion script of this shell
	tlsKeylog     string // --tls-keylog: decrypt FTPS with this key log
	noConntrack   bool   // do not read conntrack
}

// maxSnapLen is tcpdump's (libpcap's MAXIMUM_SNAPLEN), what live capture
// takes by default; -s 0 means it.
const maxSnapLen = capture.DefaultSnapLen

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

const usage = `Usage: ftpscope [flags] [capture filter expression ...] [flags]

Reads FTP traffic from capture files or live interfaces and explains every
control session, data channel and transfer, and what broke them.

Sources:
  -r, --read [LABEL=]FILE     read a pcap/pcapng file (gzip too; "-": stdin);
                              repeatable, merged by time; LABEL: the vantage
  -i, --interface [LABEL=]IF  capture live on IF ("any" too); repeatable
  -D, --list-interfaces       list the interfaces, with their addresses
  filter words                a tcpdump capture filter ("host 203.0.113.20");
                              flags may follow them; -- ends the flags

Output:
  -o, --output MODE           tui, text, json, jsonl, ecs or ecs-flat (default:
                              tui on a terminal, text otherwise; ecs-flat: ECS
                              in dotted keys)
  -w, --write FILE            write the packets of the selected sessions to a
                              pcapng file (with -r, not -r -; mode 0600)
      --session ID            with -w, only that session and its other NAT leg
      --export DIR            extract transferred files into DIR
      --show-passwords        show PASS arguments (masked as **** by default)
      --fail-on SEVERITY      exit 3 when a finding of at least SEVERITY
                              (info, warning or error) exists
      --observer NAME         with -o ecs, observer.hostname: the gateway
                              (live: this host)
  -q, --quiet                 no progress on standard error

Analysis:
      --control-ports LIST    extra FTP control ports, comma-separated (21
                              always)
      --data-timeout DURATION how long a data connection may follow its
                              announcement (default 30s)
      --tls-keylog FILE       decrypt FTPS (AUTH TLS, port 990, PROT P) with an
                              NSS key log, as SSLKEYLOGFILE writes; live,
                              followed as it grows

Live capture:
  -c, --count N               stop after N packets
      --duration D            stop after D (e.g. 5m)
  -p, --no-promiscuous-mode   leave the interface out of promiscuous mode
                              (on by default, as with tcpdump; never on any)
  -s, --snapshot-length N     keep at most N bytes of each packet (default
                              and 0: 262144)
  -B, --buffer-size KiB       kernel capture buffer in KiB (default 65536)
      --no-conntrack          do not read this host's conntrack entries and
                              helper expectations (read by default on Linux;
                              needs CAP_NET_ADMIN)
      --memory-limit MiB      keep the memory under MiB, collecting more often
                              (default 64 live, none for files; 0: none;
                              GOMEMLIMIT wins)

Privileges:
      --user NAME             as root, become NAME once the captures and the
                              output files are open (default: user ftpscope,
                              else nobody; --user root keeps root)

      --man                   print the manual page (roff; make install puts it)
      --completion SHELL      print the completion script for bash, zsh or fish
  -V, --version               print the version
  -h, --help                  this help

Exit status: 0 success, 1 runtime error, 2 usage error, 3 --fail-on reached,
130 a file run stopped by Ctrl-C (143: SIGTERM), with the report of what
was read.
`

// flagSet defines every flag into o (ftpscope -h lists them all).
func flagSet(o *options) *flag.FlagSet {
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
	for _, n := range []string{"p", "no-promiscuous-mode"} {
		fs.BoolVar(&o.noPromisc, n, false, "")
	}
	o.snapLen, o.bufferKiB = -1, -1 // not given
	for _, n := range []string{"s", "snapshot-length"} {
		fs.IntVar(&o.snapLen, n, o.snapLen, "")
	}
	for _, n := range []string{"B", "buffer-size"} {
		fs.IntVar(&o.bufferKiB, n, o.bufferKiB, "")
	}
	for _, n := range []string{"D", "list-interfaces"} {
		fs.BoolVar(&o.listIfaces, n, false, "")
	}
	fs.BoolVar(&o.noConntrack, "no-conntrack", false, "")
	o.memoryLimit = -1 // not given
	fs.IntVar(&o.memoryLimit, "memory-limit", o.memoryLimit, "")
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
	return fs
}

// parseArgs reads the command line; it never exits.
func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o := &options{dataTimeout: 30 * time.Second}
	fs := flagSet(o)
	if err := fs.Parse(permute(fs, args)); err != nil {
		if err == flag.ErrHelp {
			o.help = true
			return o, nil
		}
		return nil, err
	}
	o.filter = strings.Join(fs.Args(), " ")
	if o.help || o.version || o.listIfaces || o.man || o.completion != "" {
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
	live := func(flag, what string) error {
		return fmt.Errorf("%s sets the %s of a live capture: it needs -i", flag, what)
	}
	switch {
	case o.noPromisc && len(o.ifaces) == 0:
		return nil, live("-p", "promiscuous mode")
	case o.snapLen >= 0 && len(o.ifaces) == 0:
		return nil, live("-s", "snapshot length")
	case o.bufferKiB >= 0 && len(o.ifaces) == 0:
		return nil, live("-B", "buffer size")
	}
	if o.snapLen < -1 || o.snapLen > maxSnapLen {
		return nil, fmt.Errorf("-s %d: the snapshot length must be from 0 to %d (0: %d)", o.snapLen, maxSnapLen, maxSnapLen)
	}
	if o.snapLen == 0 {
		o.snapLen = maxSnapLen
	}
	if o.memoryLimit < -1 || o.memoryLimit > 1<<30 {
		return nil, fmt.Errorf("--memory-limit %d: the limit is a number of MiB, 0 for none", o.memoryLimit)
	}
	if o.bufferKiB == 0 || o.bufferKiB < -1 || o.bufferKiB > 1<<30 {
		return nil, fmt.Errorf("-B %d: the buffer size is a positive number of KiB", o.bufferKiB)
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
