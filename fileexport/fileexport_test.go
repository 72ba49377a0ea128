package fileexport

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSafeBase(t *testing.T) {
	for in, want := range map[string]string{
		"readme.txt":             "readme.txt",
		"../../etc/passwd":       "passwd",
		"/etc/shadow":            "shadow",
		`..\..\windows\win.ini`:  "win.ini",
		"..":                     "",
		"a/..":                   "",
		".hidden":                "hidden",
		"C:evil":                 "C_evil",
		"new\nline\x00.txt":      "new_nline_x00.txt",
		strings.Repeat("x", 300): strings.Repeat("x", 100),
	} {
		if got := safeBase(in); got != want {
			t.Errorf("safeBase(%q) = %q, want %q", in, got, want)
		}
	}
}

// The out-of-order queue is bounded: segments far ahead of a hole do not
// wait forever, and what they carry is written once the hole is given up.
func TestReorderQueueBounded(t *testing.T) {
	var total int
	x := &file{total: &total}
	f, err := os.CreateTemp(t.TempDir(), "q")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x.f = f
	seg := make([]byte, 1000)
	for i := 1; i <= 3*queueSegments; i++ {
		x.add(int64(i*1000), seg, 0) // segment 0 never comes
		if len(x.queue) > queueSegments || x.queued > queueBytes || total != x.queued {
			t.Fatalf("after %d segments: %d queued, %d bytes (total %d)", i, len(x.queue), x.queued, total)
		}
	}
	if x.next != int64(3*queueSegments+1)*1000-int64(x.queued) || x.zeros != 1000 || !x.partial {
		t.Fatalf("next %d, zeros %d, partial %v", x.next, x.zeros, x.partial)
	}
}

// export runs one file through an Exporter: segments of content (in the
// order given, as [from, to) ranges) then End.
func export(t *testing.T, e *Exporter, content []byte, verb, arg string, size int64, ranges ...[2]int) Result {
	t.Helper()
	id, ok := e.Start("s1", "s1.c1")
	if !ok {
		t.Fatal("declined")
	}
	for _, r := range ranges {
		b := append([]byte(nil), content[r[0]:r[1]]...)
		e.Data(id, int64(r[0]), b, 0)
		clear(b) // the Exporter copied it: the dissector's buffer is reused
	}
	path, sum, partial := e.End(id, verb, arg, size)
	return Result{path, sum, partial}
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// A file is written whole from segments out of order, repeated, and one
// bigger than a batch of the queue (carried in pieces), with its name from
// the transfer, 0600, and the temporary file gone.
func TestExporterWritesFile(t *testing.T) {
	dir := t.TempDir()
	e := New(dir, "")
	content := bytes.Repeat([]byte("The quick brown fox. "), 20000) // 420,000 bytes
	big := 3*batchBytes + 100
	r := export(t, e, content, "RETR", "../../etc/passwd", int64(len(content)),
		[2]int{1000, 2000}, [2]int{0, 1000}, [2]int{0, 1000}, [2]int{2000, 2000 + big}, [2]int{2000 + big, len(content)})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if r.Path != "s1.c1-passwd" || r.SHA256 != sha(content) || r.Partial {
		t.Fatalf("exported %+v", r)
	}
	got, err := os.ReadFile(filepath.Join(dir, r.Path))
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("content differs (%d bytes, %v)", len(got), err)
	}
	if st, _ := os.Stat(filepath.Join(dir, r.Path)); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries in the directory, want the file alone", len(entries))
	}
}

// A file shorter than the bytes the connection carried is partial; one
// another session's is declined with a session named.
func TestExporterPartialAndSession(t *testing.T) {
	dir := t.TempDir()
	e := New(dir, "s1")
	if _, ok := e.Start("s2", "s2.c1"); ok {
		t.Error("s2's file accepted when exporting s1's")
	}
	content := []byte("0123456789")
	r := export(t, e, content, "LIST", "", 20, [2]int{0, 10})
	if r.Path != "s1.c1-list.txt.partial" || !r.Partial || r.SHA256 != sha(content) {
		t.Fatalf("exported %+v", r)
	}
	if r := export(t, e, content, "RETR", "x", -1); r.Path != "" || r.Partial {
		t.Fatalf("an empty file exported: %+v", r)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

// The queue is bounded: a writer that does not keep up makes the dissector
// wait, and the bytes it has handed over never exceed the batches that
// circulate.
func TestSlowWriterBlocksProducer(t *testing.T) {
	release := make(chan struct{})
	var written int
	e := newExporter(t.TempDir(), "", func() { <-release })
	id, _ := e.Start("s1", "s1.c1")
	seg := make([]byte, 1448)
	progress := make(chan int, 1<<16)
	go func() {
		for i := range 4 * batches * batchBytes / len(seg) {
			e.Data(id, int64(i*len(seg)), seg, 0)
			progress <- (i + 1) * len(seg)
		}
		close(progress)
	}()
	// The producer fills the batches, then waits for the writer.
	time.Sleep(200 * time.Millisecond)
	for range len(progress) {
		written = <-progress
	}
	if bound := batches * batchBytes; written > bound || written < bound/2 {
		t.Fatalf("the producer handed over %d bytes with the writer stalled, bound %d", written, bound)
	}
	select {
	case n, ok := <-progress:
		t.Fatalf("the producer went on (%d bytes, %v) while the writer was stalled", n, ok)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	for written = range progress {
	}
	if written != 4*batches*batchBytes/len(seg)*len(seg) {
		t.Fatalf("%d bytes handed over in the end", written)
	}
	if r, sum, _ := e.End(id, "RETR", "f", -1); r == "" || sum == "" {
		t.Fatal("not exported")
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
}

// Files still open when the Exporter closes (an analysis that stopped
// early) leave no temporary file behind.
func TestCloseRemovesUnended(t *testing.T) {
	dir := t.TempDir()
	e := New(dir, "")
	id, _ := e.Start("s1", "s1.c1")
	e.Data(id, 0, []byte("abc"), 0)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%d entries left", len(entries))
	}
}

// An export directory that cannot be written is the first error.
func TestExporterError(t *testing.T) {
	e := New(filepath.Join(t.TempDir(), "missing"), "")
	id, _ := e.Start("s1", "s1.c1")
	e.Data(id, 0, []byte("abc"), 0)
	if p, _, _ := e.End(id, "RETR", "f", 3); p != "" {
		t.Errorf("exported %q", p)
	}
	if err := e.Close(); err == nil {
		t.Error("no error")
	}
}

// BenchmarkExporterData is the dissector's side and the writer's of an
// in-order download in 1448-byte segments, 16 MiB per file.
func BenchmarkExporterData(b *testing.B) {
	e := New(b.TempDir(), "")
	seg := make([]byte, 1448)
	id, _ := e.Start("s1", "s1.c1")
	var off int64
	b.SetBytes(int64(len(seg)))
	b.ReportAllocs()
	for b.Loop() {
		e.Data(id, off, seg, 0)
		if off += int64(len(seg)); off >= 16<<20 {
			b.StopTimer()
			path, _, _ := e.End(id, "", "", -1)
			os.Remove(filepath.Join(e.dir, path))
			id, _ = e.Start("s1", "s1.c1")
			off = 0
			b.StartTimer()
		}
	}
	e.Close()
}
