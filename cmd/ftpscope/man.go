package main

import (
	"fmt"
	"io"
	"strings"
)

// writeMan writes the manual page ftpscope(1), in roff, from the usage
// table (make install puts it in share/man/man1).
func writeMan(w io.Writer, t *flagTable, version string) error {
	var b strings.Builder
	fmt.Fprintf(&b, ".TH FTPSCOPE 1 \"\" \"ftpscope %s\" \"User Commands\"\n.nh\n", roff(version))
	b.WriteString(".SH NAME\nftpscope \\- explain FTP traffic in packet captures: sessions, data channels, NAT problems\n")
	b.WriteString(".SH SYNOPSIS\n.B ftpscope\n")
	fmt.Fprintf(&b, "%s\n", roff(t.Synopsis))
	b.WriteString(".SH DESCRIPTION\n")
	fmt.Fprintf(&b, "%s\n", roff(t.Description))
	b.WriteString(".PP\nWith no \\fB\\-o\\fR, the terminal UI runs on a terminal and the text report is written otherwise; " +
		"\\fB\\-o json\\fR is the stable report (schema ftpscope.report/1), \\fB\\-o ecs\\fR the Elastic Common Schema documents for log pipelines.\n")
	b.WriteString(".SH OPTIONS\n")
	section := "\x00"
	for i := range t.Entries {
		e := &t.Entries[i]
		if e.Section != section {
			section = e.Section
			title := section
			if title == "" {
				title = "General"
			}
			fmt.Fprintf(&b, ".SS %s\n", roff(title))
		}
		b.WriteString(".TP\n")
		var names []string
		if e.Short != "" {
			names = append(names, "\\fB\\-"+roff(e.Short)+"\\fR")
		}
		if e.Long != "" {
			names = append(names, "\\fB\\-\\-"+roff(e.Long)+"\\fR")
		}
		if e.Operand != "" {
			names = append(names, "\\fI"+roff(e.Operand)+"\\fR")
		}
		line := strings.Join(names, ", ")
		if e.Arg != "" {
			line += " \\fI" + roff(e.Arg) + "\\fR"
		}
		fmt.Fprintf(&b, "%s\n%s\n", line, roff(e.Help))
	}
	if t.ExitStatus != "" {
		fmt.Fprintf(&b, ".SH \"EXIT STATUS\"\n%s\n", roff(t.ExitStatus))
	}
	b.WriteString(`.SH EXAMPLES
.nf
ftpscope \-r failed\-transfer.pcap
ftpscope \-r capture.pcap \-o json | jq .findings
ftpscope \-r inside=client.pcap \-r outside=server.pcap
ftpscope \-r gw.pcap host 203.0.113.20
sudo ftpscope \-i any \-o ecs port 21 or portrange 30000\-30100
.fi
.SH "LIVE CAPTURE WITHOUT ROOT"
\fBmake install\-caps\fR gives the installed binary the capabilities
cap_net_raw and cap_net_admin, and to the members of one group only, as
Wireshark's dumpcap is installed.
.SH "SEE ALSO"
.BR tcpdump (8),
.BR pcap\-filter (7),
.BR tshark (1)
`)
	_, err := io.WriteString(w, b.String())
	return err
}

// roff escapes text for a roff paragraph: backslashes, hyphens (so that
// they stay ASCII hyphen-minus, which options need) and a leading period
// or apostrophe.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
