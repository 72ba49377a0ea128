//go:build linux

// The FTP peers of the lab: a server and a client, each in its namespace.

package ctwatch

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/dissect/ftp"
)

// serverLog is what the FTP server saw: the control connection's client
// (the outside leg) and the endpoint PORT announced after the gateway.
type serverLog struct {
	mu       sync.Mutex
	peer     netip.AddrPort
	port     netip.AddrPort // what PORT said, as it arrived
	pasv     netip.AddrPort // what its 227 said
	dataFrom netip.AddrPort // active: the data connection's local end, when it came
	dataPeer netip.AddrPort // passive: the data connection's remote end
	err      error
}

// serveFTP answers one session on ln: anonymous login, TYPE, PORT or
// PASV, RETR (the data connection dialled from, or accepted in, the
// server's namespace), QUIT.
func serveFTP(ns string, ln net.Listener, log *serverLog) {
	c, err := ln.Accept()
	if err != nil {
		log.err = err
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	log.mu.Lock()
	log.peer = c.RemoteAddr().(*net.TCPAddr).AddrPort()
	log.mu.Unlock()
	r := bufio.NewReader(c)
	var pasv net.Listener
	defer func() {
		if pasv != nil {
			pasv.Close()
		}
	}()
	fmt.Fprint(c, "220 ftpscope conntrack lab\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		switch strings.ToUpper(verb) {
		case "USER":
			fmt.Fprint(c, "331 any password\r\n")
		case "PASS":
			fmt.Fprint(c, "230 logged in\r\n")
		case "TYPE":
			fmt.Fprint(c, "200 type set\r\n")
		case "PORT":
			ep, err := ftp.ParsePORT(arg)
			if err != nil {
				fmt.Fprint(c, "501 bad PORT\r\n")
				continue
			}
			log.mu.Lock()
			log.port = ep
			log.mu.Unlock()
			fmt.Fprint(c, "200 PORT ok\r\n")
		case "PASV":
			if pasv, err = listenIn(ns, labServer+":0"); err != nil {
				fmt.Fprint(c, "425 cannot listen\r\n")
				continue
			}
			ep := pasv.Addr().(*net.TCPAddr).AddrPort()
			log.mu.Lock()
			log.pasv = ep
			log.mu.Unlock()
			fmt.Fprintf(c, "227 Entering Passive Mode (%s).\r\n", portArg(ep))
		case "RETR":
			fmt.Fprint(c, "150 opening data connection\r\n")
			var d net.Conn
			if pasv != nil {
				pasv.(*net.TCPListener).SetDeadline(time.Now().Add(3 * time.Second))
				d, err = pasv.Accept()
			} else {
				d, err = dialIn(ns, log.port.String(), 3*time.Second)
			}
			if err != nil {
				fmt.Fprint(c, "425 cannot open data connection\r\n")
				continue
			}
			log.mu.Lock()
			log.dataFrom = d.LocalAddr().(*net.TCPAddr).AddrPort()
			log.dataPeer = d.RemoteAddr().(*net.TCPAddr).AddrPort()
			log.mu.Unlock()
			io.WriteString(d, strings.Repeat(labPayload, 20))
			d.Close()
			fmt.Fprint(c, "226 transfer complete\r\n")
		case "QUIT":
			fmt.Fprint(c, "221 bye\r\n")
			return
		default:
			fmt.Fprint(c, "502 not here\r\n")
		}
	}
}

// clientLog is what the FTP client saw.
type clientLog struct {
	control   netip.AddrPort // its end of the control connection
	announced netip.AddrPort // what its PORT said, or the 227 it received
	portAt    time.Time      // when it sent the PORT or received the 227
	dataLocal netip.AddrPort // passive: its end of the data connection
	received  int            // data bytes
	final     int            // RETR's final reply code
	gotData   bool           // the data connection came
}

// retr logs in from the client namespace and downloads one file: in
// active mode PORT announces a listener in the client's namespace, in
// passive mode the client connects where the 227 says.
func retr(t *testing.T, l lab, passive bool) clientLog {
	t.Helper()
	var cl clientLog
	c, err := dialIn(l.cli, labServer+":21", 3*time.Second)
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	cl.control = c.LocalAddr().(*net.TCPAddr).AddrPort()
	r := bufio.NewReader(c)
	reply := func() (int, string) {
		line, err := r.ReadString('\n')
		if err != nil || len(line) < 3 {
			t.Fatalf("client: reading a reply: %q %v", line, err)
		}
		code, _ := strconv.Atoi(line[:3])
		return code, line
	}
	send := func(cmd string) { fmt.Fprintf(c, "%s\r\n", cmd) }
	if code, _ := reply(); code != 220 {
		t.Fatalf("greeting %d", code)
	}
	for _, cmd := range []string{"USER anonymous", "PASS lab@", "TYPE I"} {
		send(cmd)
		reply()
	}
	var data net.Conn
	if passive {
		send("PASV")
		code, line := reply()
		cl.portAt = time.Now()
		if cl.announced, err = ftp.Parse227(line); code != 227 || err != nil {
			t.Fatalf("PASV answered %q (%v)", line, err)
		}
		if data, err = dialIn(l.cli, cl.announced.String(), 3*time.Second); err != nil {
			t.Fatalf("client: data connection to %s: %v", cl.announced, err)
		}
		cl.dataLocal = data.LocalAddr().(*net.TCPAddr).AddrPort()
		send("RETR hello.txt")
		if code, _ := reply(); code != 150 {
			t.Fatalf("RETR answered %d", code)
		}
	} else {
		dl, err := listenIn(l.cli, labClient+":0")
		if err != nil {
			t.Fatal(err)
		}
		defer dl.Close()
		cl.announced = dl.Addr().(*net.TCPAddr).AddrPort()
		cl.portAt = time.Now()
		send("PORT " + portArg(cl.announced))
		if code, _ := reply(); code != 200 {
			t.Fatalf("PORT answered %d", code)
		}
		send("RETR hello.txt")
		if code, _ := reply(); code != 150 {
			t.Fatalf("RETR answered %d", code)
		}
		dl.(*net.TCPListener).SetDeadline(time.Now().Add(4 * time.Second))
		data, _ = dl.Accept()
	}
	if data != nil {
		cl.gotData = true
		n, _ := io.Copy(io.Discard, data)
		cl.received = int(n)
		data.Close()
	}
	cl.final, _ = reply()
	send("QUIT")
	reply()
	return cl
}
