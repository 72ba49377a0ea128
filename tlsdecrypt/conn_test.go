package tlsdecrypt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// wire records what crosses a connection, in the order it crossed.
type wire struct {
	mu     sync.Mutex
	chunks []chunk
}

type chunk struct {
	d Dir
	b []byte
}

func (w *wire) add(d Dir, b []byte) {
	w.mu.Lock()
	w.chunks = append(w.chunks, chunk{d, append([]byte(nil), b...)})
	w.mu.Unlock()
}

// tap is the server's end of the pipe: what it reads came from the client.
type tap struct {
	net.Conn
	w *wire
}

func (t tap) Read(p []byte) (int, error) {
	n, err := t.Conn.Read(p)
	if n > 0 {
		t.w.add(FromClient, p[:n])
	}
	return n, err
}

func (t tap) Write(p []byte) (int, error) {
	t.w.add(FromServer, p)
	return t.Conn.Write(p)
}

var (
	certOnce        sync.Once
	ecCert, rsaCert tls.Certificate
)

func certs(t testing.TB) (tls.Certificate, tls.Certificate) {
	certOnce.Do(func() {
		mk := func(key any, pub any) tls.Certificate {
			tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ftp.example"},
				NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"ftp.example"}}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, key)
			if err != nil {
				panic(err)
			}
			return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
		}
		ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		ecCert = mk(ek, &ek.PublicKey)
		rk, _ := rsa.GenerateKey(rand.Reader, 2048)
		rsaCert = mk(rk, &rk.PublicKey)
	})
	return ecCert, rsaCert
}

// session runs one TLS connection between Go's client and server: the
// client sends request, the server answers reply. It returns what crossed
// the wire; the key log is written to keys.
func session(t testing.TB, cc, sc *tls.Config, request, reply []byte) *wire {
	t.Helper()
	// Loopback TCP, not net.Pipe: a HelloRetryRequest makes both sides
	// write at once, which an unbuffered pipe deadlocks.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	a.SetDeadline(deadline)
	b.SetDeadline(deadline)
	w := &wire{}
	errc := make(chan error, 1)
	go func() {
		s := tls.Server(tap{b, w}, sc)
		got := make([]byte, len(request))
		_, err := io.ReadFull(s, got)
		if err == nil {
			_, err = s.Write(reply)
		}
		// close (its close_notify is on the wire) before the wire is read
		s.Close()
		errc <- err
	}()
	c := tls.Client(a, cc)
	if _, err := c.Write(request); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, len(reply))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	c.Close()
	a.Close()
	return w
}

// decrypt replays a wire through a Conn.
func decrypt(w *wire, keys *KeyLog, cache *Cache) (Status, [2][]byte) {
	var out [2][]byte
	c := New(keys, cache, func(d Dir, p []byte) { out[d] = append(out[d], p...) })
	w.mu.Lock()
	chunks := append([]chunk(nil), w.chunks...)
	w.mu.Unlock()
	for _, ch := range chunks {
		c.Feed(ch.d, ch.b)
	}
	return c.Status(), out
}

func configs(t testing.TB, keylog io.Writer) (cc, sc *tls.Config) {
	ec, rsaC := certs(t)
	cc = &tls.Config{InsecureSkipVerify: true, KeyLogWriter: keylog, ServerName: "ftp.example"}
	sc = &tls.Config{Certificates: []tls.Certificate{ec, rsaC}}
	return cc, sc
}

var (
	request = []byte("PASV\r\nRETR file.bin\r\n")
	reply   = bytes.Repeat([]byte("227 Entering Passive Mode (192,168,1,20,117,48).\r\n"), 800) // several records
)

func TestTLS13(t *testing.T) {
	var kl bytes.Buffer
	cc, sc := configs(t, &kl)
	w := session(t, cc, sc, request, reply)
	keys := NewKeyLog()
	if err := keys.Read(&kl); err != nil {
		t.Fatal(err)
	}
	st, out := decrypt(w, keys, nil)
	if !st.Decrypted || st.Version != "TLS 1.3" || st.Reason != "" {
		t.Fatalf("status %+v", st)
	}
	if !bytes.Equal(out[FromClient], request) || !bytes.Equal(out[FromServer], reply) {
		t.Errorf("decrypted %q / %d bytes, want %q / %d", out[FromClient], len(out[FromServer]), request, len(reply))
	}
}

func TestTLS13HelloRetryRequest(t *testing.T) {
	var kl bytes.Buffer
	cc, sc := configs(t, &kl)
	cc.CurvePreferences = []tls.CurveID{tls.X25519, tls.CurveP256}
	sc.CurvePreferences = []tls.CurveID{tls.CurveP256}
	w := session(t, cc, sc, request, reply)
	if !bytes.Contains(flatten(w, FromServer), helloRetryRandom) {
		t.Fatal("no HelloRetryRequest on the wire")
	}
	keys := NewKeyLog()
	keys.Read(&kl)
	st, out := decrypt(w, keys, nil)
	if !st.Decrypted || !bytes.Equal(out[FromClient], request) || !bytes.Equal(out[FromServer], reply) {
		t.Fatalf("status %+v, %d/%d bytes", st, len(out[0]), len(out[1]))
	}
}

func TestTLS13Resumption(t *testing.T) {
	var kl bytes.Buffer
	cc, sc := configs(t, &kl)
	cc.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	session(t, cc, sc, request, reply)
	w := session(t, cc, sc, request, reply) // PSK resumption
	keys := NewKeyLog()
	keys.Read(&kl)
	st, out := decrypt(w, keys, nil)
	if !st.Decrypted || !bytes.Equal(out[FromClient], request) || !bytes.Equal(out[FromServer], reply) {
		t.Fatalf("status %+v", st)
	}
}

func TestTLS12Suites(t *testing.T) {
	for _, id := range []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	} {
		name := tls.CipherSuiteName(id)
		t.Run(name, func(t *testing.T) {
			var kl bytes.Buffer
			cc, sc := configs(t, &kl)
			cc.MaxVersion, cc.CipherSuites = tls.VersionTLS12, []uint16{id}
			sc.CipherSuites = []uint16{id}
			w := session(t, cc, sc, request, reply)
			keys := NewKeyLog()
			keys.Read(&kl)
			st, out := decrypt(w, keys, nil)
			if !st.Decrypted || st.Version != "TLS 1.2" || st.Cipher != name {
				t.Fatalf("status %+v", st)
			}
			if !bytes.Equal(out[FromClient], request) || !bytes.Equal(out[FromServer], reply) {
				t.Errorf("decrypted %q / %d bytes", out[FromClient], len(out[FromServer]))
			}
		})
	}
}

// TestTLS12TicketResumption: the second connection resumes with a ticket;
// the cache ties it to the first connection's master secret even when the
// key log has no line for the second ClientHello.
func TestTLS12TicketResumption(t *testing.T) {
	var kl bytes.Buffer
	cc, sc := configs(t, &kl)
	cc.MaxVersion = tls.VersionTLS12
	cc.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	first := session(t, cc, sc, request, reply)
	onlyFirst := kl.String()
	second := session(t, cc, sc, request, reply)
	keys := NewKeyLog()
	keys.Read(bytes.NewBufferString(onlyFirst))
	cache := NewCache()
	if st, _ := decrypt(first, keys, cache); !st.Decrypted {
		t.Fatalf("first: %+v", st)
	}
	st, out := decrypt(second, keys, cache)
	if !st.Decrypted || !bytes.Equal(out[FromServer], reply) {
		t.Fatalf("resumed: %+v", st)
	}
}

func TestNoKeyAndWrongKey(t *testing.T) {
	var kl bytes.Buffer
	cc, sc := configs(t, &kl)
	w := session(t, cc, sc, request, reply)
	st, out := decrypt(w, NewKeyLog(), nil)
	if st.Decrypted || st.Reason == "" || len(out[0])+len(out[1]) != 0 {
		t.Errorf("no key: %+v", st)
	}
	// the right labels and random, the wrong secrets
	keys := NewKeyLog()
	for _, line := range bytes.Split(kl.Bytes(), []byte("\n")) {
		if f := bytes.Fields(line); len(f) == 3 {
			for i := range f[2] {
				if f[2][i] == '0' {
					f[2][i] = '1'
				} else {
					f[2][i] = '0'
				}
			}
			keys.AddLine(bytes.Join(f, []byte(" ")))
		}
	}
	st, out = decrypt(w, keys, nil)
	if st.Decrypted || st.Reason != "record authentication failed" || len(out[0])+len(out[1]) != 0 {
		t.Errorf("wrong key: %+v", st)
	}
}

// TestKeysArriveLate: live, the key log line is read after the first
// encrypted records reached the decryptor.
func TestKeysArriveLate(t *testing.T) {
	var kl bytes.Buffer
	cc, sc := configs(t, &kl)
	w := session(t, cc, sc, request, reply)
	keys := NewKeyLog()
	var out [2][]byte
	c := New(keys, nil, func(d Dir, p []byte) { out[d] = append(out[d], p...) })
	half := len(w.chunks) / 2
	for _, ch := range w.chunks[:half] {
		c.Feed(ch.d, ch.b)
	}
	keys.Read(&kl)
	for _, ch := range w.chunks[half:] {
		c.Feed(ch.d, ch.b)
	}
	if !bytes.Equal(out[FromClient], request) || !bytes.Equal(out[FromServer], reply) {
		t.Fatalf("status %+v, %d/%d bytes", c.Status(), len(out[0]), len(out[1]))
	}
}

func TestNotTLS(t *testing.T) {
	c := New(nil, nil, nil)
	c.Feed(FromServer, []byte("220 (vsFTPd 3.0.3)\r\n"))
	if st := c.Status(); st.Reason != "not a TLS record stream" {
		t.Errorf("%+v", st)
	}
}

func flatten(w *wire, d Dir) []byte {
	var b []byte
	for _, ch := range w.chunks {
		if ch.d == d {
			b = append(b, ch.b...)
		}
	}
	return b
}

func FuzzRecordLayer(f *testing.F) {
	var kl bytes.Buffer
	cc, sc := configs(f, &kl)
	w := session(f, cc, sc, request, reply[:200])
	f.Add(flatten(w, FromClient), flatten(w, FromServer))
	keys := NewKeyLog()
	keys.Read(&kl)
	f.Fuzz(func(t *testing.T, client, server []byte) {
		c := New(keys, NewCache(), func(Dir, []byte) {})
		for len(client) > 0 || len(server) > 0 {
			n := min(len(client), 37)
			c.Feed(FromClient, client[:n])
			client = client[n:]
			m := min(len(server), 91)
			c.Feed(FromServer, server[:m])
			server = server[m:]
		}
		_ = c.Status()
	})
}

func BenchmarkDecryptTLS13(b *testing.B) {
	var kl bytes.Buffer
	cc, sc := configs(b, &kl)
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB of file data
	w := session(b, cc, sc, request, big)
	keys := NewKeyLog()
	keys.Read(&kl)
	server := flatten(w, FromServer)
	client := flatten(w, FromClient)
	b.SetBytes(int64(len(server)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		n := 0
		c := New(keys, nil, func(d Dir, p []byte) { n += len(p) })
		// the client's hello first, then the server's flight, as on the wire
		c.Feed(FromClient, client)
		for p := server; len(p) > 0; {
			k := min(len(p), 1448)
			c.Feed(FromServer, p[:k])
			p = p[k:]
		}
		if n < len(big) {
			b.Fatalf("decrypted %d of %d", n, len(big))
		}
	}
}
