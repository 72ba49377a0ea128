package tlsdecrypt

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestOpenSSLInterop decrypts connections between OpenSSL's s_client and
// s_server, a second implementation with its own key log writer: the suites
// Go's stack will not negotiate (TLS 1.3 with ChaCha20 or AES-256 forced,
// RSA key exchange) and TLS 1.2 with the extended master secret, which
// OpenSSL always offers.
func TestOpenSSLInterop(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed: the interop cases need its s_client and s_server")
	}
	dir := t.TempDir()
	_, rsaC := certs(t)
	key, _ := x509.MarshalPKCS8PrivateKey(rsaC.PrivateKey)
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rsaC.Certificate[0]}), 0o600)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600)
	for _, c := range []struct {
		name, version string
		args          []string
	}{
		{"TLS_CHACHA20_POLY1305_SHA256", "TLS 1.3", []string{"-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"}},
		{"TLS_AES_256_GCM_SHA384", "TLS 1.3", []string{"-tls1_3", "-ciphersuites", "TLS_AES_256_GCM_SHA384"}},
		{"TLS_RSA_WITH_AES_256_CBC_SHA", "TLS 1.2", []string{"-tls1_2", "-cipher", "AES256-SHA"}},
		{"TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS 1.2", []string{"-tls1_2", "-cipher", "AES128-GCM-SHA256"}},
		{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS 1.2", []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES256-SHA384"}},
		{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS 1.2", []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES256-GCM-SHA384"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, keylog := opensslSession(t, openssl, dir, c.args)
			keys := NewKeyLog()
			keys.Read(bytes.NewReader(keylog))
			st, out := decrypt(w, keys, nil)
			if !st.Decrypted || st.Cipher != c.name || st.Version != c.version {
				t.Fatalf("status %+v", st)
			}
			if !bytes.Contains(out[FromClient], []byte("AUTH TLS from s_client")) || !bytes.Contains(out[FromServer], []byte("234 from s_server")) {
				t.Errorf("decrypted %q / %q", out[FromClient], out[FromServer])
			}
		})
	}
}

// opensslSession relays one s_client ↔ s_server connection through a
// recording proxy and returns the wire and the client's key log.
func opensslSession(t *testing.T, openssl, dir string, args []string) (*wire, []byte) {
	t.Helper()
	free := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	sport := free()
	srv := exec.Command(openssl, append([]string{"s_server", "-quiet", "-naccept", "1", "-accept", "127.0.0.1:" + strconv.Itoa(sport),
		"-cert", filepath.Join(dir, "cert.pem"), "-key", filepath.Join(dir, "key.pem")}, args...)...)
	srvIn, _ := srv.StdinPipe()
	var srvOut lockedBuffer // written by exec's copier, polled here
	srv.Stdout = &srvOut
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	w := &wire{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		a, err := ln.Accept()
		if err != nil {
			return
		}
		defer a.Close()
		var b net.Conn
		for i := 0; i < 100; i++ { // s_server needs a moment to listen
			if b, err = net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(sport)); err == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if b == nil {
			return
		}
		defer b.Close()
		a.SetDeadline(time.Now().Add(10 * time.Second))
		b.SetDeadline(time.Now().Add(10 * time.Second))
		go pump(b, a, w, FromClient)
		pump(a, b, w, FromServer)
	}()
	keylog := filepath.Join(dir, "keys-"+strings.Join(args, "")+".log")
	cli := exec.Command(openssl, append([]string{"s_client", "-quiet", "-connect", ln.Addr().String(), "-keylogfile", keylog}, args...)...)
	pr, pw := io.Pipe()
	cli.Stdin = pr
	var cliOut lockedBuffer
	cli.Stdout = &cliOut
	if err := cli.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cli.Process.Kill(); cli.Wait() }()
	pw.Write([]byte("AUTH TLS from s_client\n"))
	for i := 0; i < 200 && !strings.Contains(srvOut.String(), "s_client"); i++ {
		time.Sleep(25 * time.Millisecond)
	}
	srvIn.Write([]byte("234 from s_server\n"))
	for i := 0; i < 200 && !strings.Contains(cliOut.String(), "s_server"); i++ {
		time.Sleep(25 * time.Millisecond)
	}
	pw.Close()
	srvIn.Close()
	cli.Process.Kill()
	<-done
	kl, err := os.ReadFile(keylog)
	if err != nil {
		t.Fatal(err)
	}
	return w, kl
}

// pump copies src to dst, recording what passed as direction d.
func pump(dst, src net.Conn, w *wire, d Dir) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			w.add(d, buf[:n])
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			dst.Close()
			return
		}
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a process's output is
// copied into it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
