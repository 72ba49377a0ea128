// Command logins writes a synthetic capture of N FTP sessions that each
// log in, for the memory measurements of bench/memory.sh (issue 17): every
// session leaves a finding behind (its password crossed in clear, or its
// login was refused), and one block of sessions in every hundred is a
// client guessing passwords (six refused logins in a row: the brute-force
// upgrade). Sessions follow one another in capture time, a few open at
// once, so memory that grows with the file is the analysis keeping what it
// should have let go.
//
//	go run ./bench/logins -sessions 200000 -o /var/tmp/ftpscope-mem/logins-200000.pcap
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/ftpscope/ftpscope/internal/pcaptest"
)

func main() {
	sessions := flag.Int("sessions", 20000, "sessions to write")
	clients := flag.Int("clients", 50000, "distinct client addresses of the ordinary sessions")
	out := flag.String("o", "", "output pcap file")
	flag.Parse()
	if *out == "" || *sessions <= 0 || *clients <= 0 {
		fmt.Fprintln(os.Stderr, "usage: logins -sessions N [-clients K] -o FILE.pcap")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "logins:", err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	c := pcaptest.NewTo(w)
	for i := 0; i < *sessions; i++ {
		writeSession(c, i, *clients)
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "logins:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "logins: %d sessions, %d packets in %s\n", *sessions, c.Packets, *out)
}

// writeSession writes session i: sessions 0-5 of every hundred come from
// one password-guessing client and are refused; one in ten of the others
// is refused once; the rest log in as alice, in clear.
func writeSession(c *pcaptest.Capture, i, clients int) {
	guessing := i%100 < 6
	var client string
	if guessing {
		block := i / 100
		client = fmt.Sprintf("198.18.%d.%d:%d", block/250%250, block%250+1, 40000+i%100)
	} else {
		n := i % clients
		client = fmt.Sprintf("10.%d.%d.%d:%d", n>>16&255, n>>8&255, n&255, 40000+i%20000)
	}
	k := c.Conn(client, "203.0.113.20:21", uint32(1000+i*7919), uint32(5000+i*104729))
	k.Open()
	k.Line(false, "220 (vsFTPd 3.0.3)")
	user := "alice"
	if guessing {
		user = fmt.Sprintf("admin%d", i%100)
	}
	k.Line(true, "USER "+user)
	k.Line(false, "331 Please specify the password.")
	k.Line(true, fmt.Sprintf("PASS guess-%d", i))
	if guessing || i%10 == 7 {
		k.Line(false, "530 Login incorrect.")
	} else {
		k.Line(false, "230 Login successful.")
		k.Line(true, "PWD")
		k.Line(false, `257 "/" is the current directory`)
	}
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
}
