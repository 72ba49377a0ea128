package pcaptest

import (
	"fmt"
	"time"
)

// The captures below exercise the control dialog: how replies are paired
// with commands, what is kept of long dialogs and long replies, and text
// that is not UTF-8. Client 192.168.1.10:40000, server 203.0.113.20:21.

const (
	dialogClient = "192.168.1.10:40000"
	dialogServer = "203.0.113.20:21"
)

// PipelinedLogin is lftp's login: USER, PASS and PWD in one segment, the
// server answering each in turn (331 after 1 ms, 530 after 2 more, 530
// after 3 more): the password is refused.
func PipelinedLogin() []byte {
	c := New()
	k := c.Conn(dialogClient, dialogServer, 100, 7000)
	k.Open()
	k.Line(false, "220 ready")
	k.Send(true, []byte("USER bob\r\nPASS secret\r\nPWD\r\n"), 1460)
	c.Now = c.Now.Add(time.Millisecond)
	k.Line(false, "331 Please specify the password.")
	c.Now = c.Now.Add(2 * time.Millisecond)
	k.Line(false, "530 Login incorrect.")
	c.Now = c.Now.Add(3 * time.Millisecond)
	k.Line(false, "530 Please login with USER and PASS.")
	k.Close()
	return c.Bytes()
}

// PipelinedNOOPs is a session whose client pipelines its commands three at
// a time ("NOOP i" in one segment), each answered ("200 ok i") after a
// delay of its own, ending with three commands of which only the first is
// answered: 1 + 6×batches + 4 dialog entries, enough to go over a dialog
// bound. latency[i] is the latency of "NOOP i" in ms; the commands not
// answered have none.
func PipelinedNOOPs(batches int) (pcap []byte, latency map[int]float64) {
	c := New()
	k := c.Conn(dialogClient, dialogServer, 100, 7000)
	k.Open()
	k.Line(false, "220 ready")
	latency = map[int]float64{}
	n := 0
	for b := range batches + 1 {
		sent := c.Now
		k.Send(true, []byte(fmt.Sprintf("NOOP %d\r\nNOOP %d\r\nNOOP %d\r\n", n, n+1, n+2)), 1460)
		answered := 3
		if b == batches {
			answered = 1
		}
		for i := n; i < n+answered; i++ {
			c.Now = c.Now.Add(time.Duration(i%7+1) * time.Millisecond)
			latency[i] = float64(c.Now.Sub(sent).Microseconds()) / 1000
			k.Line(false, fmt.Sprintf("200 ok %d", i))
		}
		n += 3
	}
	k.Close()
	return c.Bytes(), latency
}

// MultiLineReplies is a session whose greeting spans three lines and whose
// FEAT reply spans featLines lines (" FEATURE0" …), sent in segments of
// 100 bytes, cut mid-line.
func MultiLineReplies(featLines int) []byte {
	c := New()
	k := c.Conn(dialogClient, dialogServer, 100, 7000)
	k.Open()
	k.Send(false, []byte("220-Welcome\r\n220-  to the test server\r\n220 ready\r\n"), 1460)
	k.Line(true, "FEAT")
	feat := "211-Features:\r\n"
	for i := range featLines - 2 {
		feat += fmt.Sprintf(" FEATURE%d\r\n", i)
	}
	k.Send(false, []byte(feat+"211 End\r\n"), 100)
	k.Line(true, "QUIT")
	k.Line(false, "221 Goodbye.")
	k.Close()
	return c.Bytes()
}

// Latin1Names is a session in Latin-1: the password "s\xe9same", "RETR
// r\xe9sum\xe9.txt", its 550 naming the file, and a multi-line 211 reply to
// STAT whose second line names it.
func Latin1Names() []byte {
	c := New()
	k := c.Conn(dialogClient, dialogServer, 100, 7000)
	k.Open()
	k.Line(false, "220 ready")
	k.Line(true, "USER bob")
	k.Line(false, "331 Password?")
	k.Line(true, "PASS s\xe9same")
	k.Line(false, "230 ok")
	k.Line(true, "RETR r\xe9sum\xe9.txt")
	k.Line(false, "550 r\xe9sum\xe9.txt: No such file or directory.")
	k.Line(true, "STAT")
	k.Send(false, []byte("211-Status\r\n r\xe9sum\xe9.txt was asked\r\n211 End\r\n"), 1460)
	k.Close()
	return c.Bytes()
}

// Login opens a control connection from client to the server
// 203.0.113.20:21 (server ISN 7000) and logs in anonymously, as vsftpd
// answers.
func (c *Capture) Login(client string, isn uint32) *Conn {
	k := c.Conn(client, "203.0.113.20:21", isn, 7000)
	k.Open()
	k.Line(false, "220 (vsFTPd 3.0.3)")
	k.Line(true, "USER anonymous")
	k.Line(false, "331 Please specify the password.")
	k.Line(true, "PASS x@y")
	k.Line(false, "230 Login successful.")
	return k
}
