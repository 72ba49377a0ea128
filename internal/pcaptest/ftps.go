package pcaptest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/tlsdecrypt"
)

// FTPSOptions shape an FTPS session recorded by FTPSCapture.
type FTPSOptions struct {
	// Implicit speaks TLS from the first byte (port 990) instead of
	// AUTH TLS on port 21.
	Implicit bool
	// MaxVersion caps the TLS version (tls.VersionTLS12); 0 for TLS 1.3.
	MaxVersion uint16
	// Active announces with PORT (the server connects from port 20)
	// instead of PASV.
	Active bool
	// ProtC leaves the data connection in clear (PROT C).
	ProtC bool
	// CCC clears the command channel after the transfer; the commands
	// after it are cleartext.
	CCC bool
	// File is what RETR downloads.
	File []byte
	// NAT puts the client behind a NAT gateway without an FTP helper (none
	// could read TLS): Pcap is captured inside, with the client's private
	// address, Outside beyond the gateway, with its public one. Passive
	// mode only: active mode cannot cross it.
	NAT bool
}

// FTPS is an FTPS session as captured, with the key log its client wrote.
type FTPS struct {
	Pcap    []byte
	Outside []byte // with NAT: the same session beyond the gateway
	// KeyLog holds the secrets of every connection (NSS key log format);
	// ControlKeyLog those of the control connection only.
	KeyLog, ControlKeyLog []byte
	// Commands and Replies are the control lines as sent, in order,
	// without CR LF.
	Commands, Replies []string
	// Client and Server are the control connection's endpoints in the
	// capture; Data is the endpoint 227 or PORT announces.
	Client, Server, Data string
	// Control and DataStream are the bytes each connection carried, by
	// direction: [0] from the FTP client, [1] from the server (seeds for
	// fuzzing).
	Control, DataStream [2][]byte
}

// The addresses of the capture (the session really runs on loopback).
const (
	ftpsClient     = "192.0.2.10"
	natInside      = "192.168.1.10"
	natOutside     = "203.0.113.1"
	ftpsServer     = "198.51.100.20"
	ftpsClientPort = 40000
	ftpsDataPort   = 30000 // passive: the server's; active: the client's
)

// FTPSCapture runs an FTPS session between Go's crypto/tls client and
// server over loopback — login, PBSZ/PROT, one announcement and a RETR of
// opt.File, QUIT — and writes what crossed the wire as a capture between
// documentation addresses, with its key log.
func FTPSCapture(opt FTPSOptions) (*FTPS, error) {
	cert, err := selfSigned()
	if err != nil {
		return nil, err
	}
	rec := &recorder{}
	var ctlKeys, dataKeys bytes.Buffer
	sc := &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: opt.MaxVersion}
	cache := tls.NewLRUClientSessionCache(4)
	ccCtl := &tls.Config{InsecureSkipVerify: true, ServerName: "ftp.example", ClientSessionCache: cache, KeyLogWriter: &ctlKeys, MaxVersion: opt.MaxVersion}
	ccData := ccCtl.Clone()
	ccData.KeyLogWriter = &dataKeys

	ctlLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer ctlLn.Close()
	dataLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	defer dataLn.Close()
	deadline := time.Now().Add(20 * time.Second)
	ctlLn.(*net.TCPListener).SetDeadline(deadline)
	dataLn.(*net.TCPListener).SetDeadline(deadline)

	if opt.NAT && opt.Active {
		return nil, errors.New("active mode cannot cross a NAT without a helper under TLS")
	}
	client := ftpsClient
	if opt.NAT {
		client = natInside
	}
	f := &FTPS{Client: client + ":" + strconv.Itoa(ftpsClientPort)}
	serverPort := 21
	if opt.Implicit {
		serverPort = 990
	}
	f.Server = ftpsServer + ":" + strconv.Itoa(serverPort)
	sv := &ftpsServerSide{opt: opt, tlsc: sc, rec: rec, dataLn: dataLn, cccRead: make(chan struct{}), f: f}
	errc := make(chan error, 1)
	go func() {
		c, err := ctlLn.Accept()
		if err != nil {
			errc <- err
			return
		}
		c.SetDeadline(deadline)
		defer c.Close()
		errc <- sv.run(c)
	}()
	cl := &ftpsClientSide{opt: opt, ctl: ccCtl, data: ccData, dataAddr: dataLn.Addr().String(), cccRead: sv.cccRead, f: f}
	c, err := net.Dial("tcp", ctlLn.Addr().String())
	if err != nil {
		return nil, err
	}
	c.SetDeadline(deadline)
	cerr := cl.run(c)
	c.Close()
	serr := <-errc
	if cerr != nil { // the client's error first: it ends the server's too
		return nil, fmt.Errorf("client: %w", cerr)
	}
	if serr != nil {
		return nil, fmt.Errorf("server: %w", serr)
	}
	f.Pcap = rec.capture(opt, client, serverPort)
	for _, e := range rec.events {
		d := 1
		if e.fromClient {
			d = 0
		}
		if e.data {
			f.DataStream[d] = append(f.DataStream[d], e.b...)
		} else {
			f.Control[d] = append(f.Control[d], e.b...)
		}
	}
	if opt.NAT {
		f.Outside = rec.capture(opt, natOutside, serverPort)
	}
	f.ControlKeyLog = ctlKeys.Bytes()
	f.KeyLog = append(append([]byte(nil), ctlKeys.Bytes()...), dataKeys.Bytes()...)
	return f, nil
}

// wireEvent is bytes that crossed one connection, or its end.
type wireEvent struct {
	data       bool // the data connection, else the control one
	fromClient bool // sent by the FTP client
	b          []byte
	close      bool
}

// recorder keeps what crossed the wire, in the order the server saw it.
type recorder struct {
	mu     sync.Mutex
	events []wireEvent
}

func (r *recorder) add(e wireEvent) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// tap is the server's end of a connection: what it reads came from the
// client, what it writes goes to it.
type tap struct {
	net.Conn
	rec  *recorder
	data bool
}

func (t tap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if n > 0 {
		t.rec.add(wireEvent{data: t.data, fromClient: true, b: append([]byte(nil), p[:n]...)})
	}
	return n, err
}

func (t tap) Write(p []byte) (int, error) {
	t.rec.add(wireEvent{data: t.data, b: append([]byte(nil), p...)})
	return t.Conn.Write(p)
}

// capture writes the recorded events as packets between the capture's
// addresses.
func (r *recorder) capture(opt FTPSOptions, client string, serverPort int) []byte {
	c := New()
	ctl := c.Conn(client+":"+strconv.Itoa(ftpsClientPort), ftpsServer+":"+strconv.Itoa(serverPort), 1000, 5000)
	ctl.Open()
	var data *Conn
	for _, e := range r.events {
		if !e.data {
			ctl.Send(e.fromClient, e.b, 1448)
			continue
		}
		if data == nil {
			if opt.Active {
				data = c.Conn(ftpsServer+":20", client+":"+strconv.Itoa(ftpsDataPort), 90000, 70000)
			} else {
				data = c.Conn(client+":"+strconv.Itoa(ftpsClientPort+1), ftpsServer+":"+strconv.Itoa(ftpsDataPort), 70000, 90000)
			}
			data.Open()
		}
		if e.close {
			data.Close()
			continue
		}
		data.Send(e.fromClient != opt.Active, e.b, 1448)
	}
	ctl.Close()
	return c.Bytes()
}

// lineConn reads and writes control lines over the raw connection or, once
// it started, TLS.
type lineConn struct {
	rw io.ReadWriter
	r  *bufio.Reader
}

func newLineConn(rw io.ReadWriter) *lineConn { return &lineConn{rw: rw, r: bufio.NewReader(rw)} }

func (l *lineConn) line() (string, error) {
	s, err := l.r.ReadString('\n')
	return strings.TrimRight(s, "\r\n"), err
}

func (l *lineConn) send(s string) error {
	_, err := io.WriteString(l.rw, s+"\r\n")
	return err
}

// ftpsServerSide is a scripted FTP server: it answers what the client of
// ftpsClientSide sends.
type ftpsServerSide struct {
	opt     FTPSOptions
	tlsc    *tls.Config
	rec     *recorder
	dataLn  net.Listener
	cccRead chan struct{} // closed once the client's close_notify is read
	f       *FTPS
}

func (s *ftpsServerSide) run(raw net.Conn) error {
	t := tap{Conn: raw, rec: s.rec}
	lc := newLineConn(t)
	var tc *tls.Conn
	if s.opt.Implicit {
		tc = tls.Server(t, s.tlsc)
		lc = newLineConn(tc)
	}
	reply := func(text string) error {
		s.f.Replies = append(s.f.Replies, text)
		return lc.send(text)
	}
	if err := reply("220 ftpscope FTPS test server"); err != nil {
		return err
	}
	for {
		cmd, err := lc.line()
		if err != nil {
			return err
		}
		verb, arg, _ := strings.Cut(cmd, " ")
		switch verb {
		case "AUTH":
			if err := reply("234 Proceed with negotiation."); err != nil {
				return err
			}
			tc = tls.Server(t, s.tlsc)
			if err := tc.Handshake(); err != nil {
				return err
			}
			lc = newLineConn(tc)
		case "USER":
			err = reply("331 Please specify the password.")
		case "PASS":
			err = reply("230 Login successful.")
		case "PBSZ":
			err = reply("200 PBSZ set to 0.")
		case "PROT":
			err = reply("200 PROT now " + map[string]string{"P": "Private.", "C": "Clear."}[arg])
		case "PASV":
			err = reply(fmt.Sprintf("227 Entering Passive Mode (%s,%d,%d).", strings.ReplaceAll(ftpsServer, ".", ","), ftpsDataPort>>8, ftpsDataPort&255))
		case "PORT":
			err = reply("200 PORT command successful. Consider using PASV.")
		case "RETR":
			err = s.retr(reply, arg)
		case "CCC":
			if err := reply("200 Clearing the command channel."); err != nil {
				return err
			}
			// close_notify both ways (RFC 4217 §12.3), then cleartext
			if err := tc.CloseWrite(); err != nil {
				return err
			}
			raw.SetWriteDeadline(time.Now().Add(20 * time.Second)) // closeNotify ended writes
			if _, err := io.Copy(io.Discard, tc); err != nil {
				return err
			}
			close(s.cccRead)
			lc = newLineConn(t)
		case "PWD":
			err = reply(`257 "/" is the current directory`)
		case "QUIT":
			return reply("221 Goodbye.")
		default:
			err = reply("502 Command not implemented.")
		}
		if err != nil {
			return err
		}
	}
}

func (s *ftpsServerSide) retr(reply func(string) error, name string) error {
	if err := reply(fmt.Sprintf("150 Opening BINARY mode data connection for %s (%d bytes).", name, len(s.opt.File))); err != nil {
		return err
	}
	raw, err := s.dataLn.Accept()
	if err != nil {
		return err
	}
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	var w io.WriteCloser = tap{Conn: raw, rec: s.rec, data: true}
	if !s.opt.ProtC {
		tc := tls.Server(tap{Conn: raw, rec: s.rec, data: true}, s.tlsc)
		if err := tc.Handshake(); err != nil {
			raw.Close()
			return err
		}
		w = tc
	}
	if _, err := w.Write(s.opt.File); err != nil {
		raw.Close()
		return err
	}
	w.Close() // close_notify, then the TCP connection
	raw.Close()
	s.rec.add(wireEvent{data: true, close: true})
	return reply("226 Transfer complete.")
}

// ftpsClientSide is the scripted FTP client.
type ftpsClientSide struct {
	opt       FTPSOptions
	ctl, data *tls.Config
	dataAddr  string
	cccRead   chan struct{}
	f         *FTPS
}

func (c *ftpsClientSide) run(raw net.Conn) error {
	lc := newLineConn(raw)
	var tc *tls.Conn
	if c.opt.Implicit {
		tc = tls.Client(raw, c.ctl)
		lc = newLineConn(tc)
	}
	// reply reads one reply and checks its code.
	reply := func(code string) error {
		l, err := lc.line()
		if err == nil && !strings.HasPrefix(l, code+" ") {
			err = fmt.Errorf("want %s, got %q", code, l)
		}
		return err
	}
	cmd := func(line, code string) error {
		c.f.Commands = append(c.f.Commands, line)
		if err := lc.send(line); err != nil {
			return err
		}
		return reply(code)
	}
	if err := reply("220"); err != nil {
		return err
	}
	if !c.opt.Implicit {
		if err := cmd("AUTH TLS", "234"); err != nil {
			return err
		}
		tc = tls.Client(raw, c.ctl)
		if err := tc.Handshake(); err != nil {
			return err
		}
		lc = newLineConn(tc)
	}
	prot := "PROT P"
	if c.opt.ProtC {
		prot = "PROT C"
	}
	for _, s := range [][2]string{{"USER alice", "331"}, {"PASS secret", "230"}, {"PBSZ 0", "200"}, {prot, "200"}} {
		if err := cmd(s[0], s[1]); err != nil {
			return err
		}
	}
	if c.opt.Active {
		c.f.Data = ftpsClient + ":" + strconv.Itoa(ftpsDataPort)
		if err := cmd(fmt.Sprintf("PORT %s,%d,%d", strings.ReplaceAll(ftpsClient, ".", ","), ftpsDataPort>>8, ftpsDataPort&255), "200"); err != nil {
			return err
		}
	} else {
		c.f.Data = ftpsServer + ":" + strconv.Itoa(ftpsDataPort)
		if err := cmd("PASV", "227"); err != nil {
			return err
		}
	}
	if err := cmd("RETR file.bin", "150"); err != nil {
		return err
	}
	got, err := c.download()
	if err != nil {
		return err
	}
	if !bytes.Equal(got, c.opt.File) {
		return errors.New("the download differs from the file")
	}
	if err := reply("226"); err != nil {
		return err
	}
	if c.opt.CCC {
		if err := cmd("CCC", "200"); err != nil {
			return err
		}
		if _, err := io.Copy(io.Discard, tc); err != nil { // the server's close_notify
			return err
		}
		if err := tc.CloseWrite(); err != nil {
			return err
		}
		raw.SetWriteDeadline(time.Now().Add(20 * time.Second)) // closeNotify ended writes
		<-c.cccRead                                            // cleartext only once the server left TLS
		lc = newLineConn(raw)
		if err := cmd("PWD", "257"); err != nil {
			return err
		}
	}
	return cmd("QUIT", "221")
}

func (c *ftpsClientSide) download() ([]byte, error) {
	raw, err := net.Dial("tcp", c.dataAddr)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	var r io.Reader = raw
	if !c.opt.ProtC {
		r = tls.Client(raw, c.data)
	}
	return io.ReadAll(r)
}

var (
	certOnce sync.Once
	cert     tls.Certificate
	certErr  error
)

// selfSigned is the server's certificate (an ECDSA key: quick to make).
func selfSigned() (tls.Certificate, error) {
	certOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			certErr = err
			return
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ftp.example"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), DNSNames: []string{"ftp.example"}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			certErr = err
			return
		}
		cert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	})
	return cert, certErr
}

// FTPSFile is what the FTPS tests download by default: several TLS
// records, not a round size.
var FTPSFile = bytes.Repeat([]byte("ftpscope decrypts FTPS with a key log\n"), 3000)

// RecordFTPS is FTPSCapture for a test, opt.File FTPSFile unless set; it
// fails t on error.
func RecordFTPS(t testing.TB, opt FTPSOptions) *FTPS {
	t.Helper()
	if opt.File == nil {
		opt.File = FTPSFile
	}
	f, err := FTPSCapture(opt)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// KeyLog reads a key log for a test; it fails t on error.
func KeyLog(t testing.TB, b []byte) *tlsdecrypt.KeyLog {
	t.Helper()
	k := tlsdecrypt.NewKeyLog()
	if err := k.Read(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	return k
}
