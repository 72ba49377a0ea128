package dissect

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/model"
)

// exportRun exports pcap's files into a new directory and returns the
// transfer of its first channel and the exported file's bytes.
func exportRun(t *testing.T, pcap []byte) (*model.Transfer, []byte) {
	t.Helper()
	dir := t.TempDir()
	cfg := DefaultConfig()
	files := exportTo(t, &cfg, dir, "")
	ss, _ := run(t, pcap, cfg)
	if err := files.Close(); err != nil {
		t.Fatal(err)
	}
	x := ss[0].Channels[0].Transfer
	if x == nil || x.ExportPath == "" {
		t.Fatalf("nothing exported: %+v", x)
	}
	path := filepath.Join(dir, x.ExportPath)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", x.ExportPath, st.Mode().Perm())
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(got)
	if x.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("reported sha256 %s is not the file's", x.SHA256)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".part") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	return x, got
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestExportSeqJumps(t *testing.T) {
	x, got := exportRun(t, seqJumpCapture())
	if string(got) != "abc" || !x.ExportPartial || !strings.HasSuffix(x.ExportPath, ".partial") {
		t.Fatalf("exported %q as %s (partial %v): want the 3 bytes in the window, marked partial", got, x.ExportPath, x.ExportPartial)
	}
}

func TestExportStopsAtBigHole(t *testing.T) {
	// 512 KiB, then 5 MiB lost by the capture, then 512 KiB: the
	// connection's bytes count the hole, the file stops before it.
	content := bigHoleContent()
	x, got := exportRun(t, holeyDownloadCapture(content, bigHoleFrom, bigHoleFrom+5<<20))
	prefix := bigHoleFrom / 1448 * 1448 // the segments wholly before the hole
	if len(got) != prefix || string(got) != string(content[:prefix]) {
		t.Fatalf("exported %d bytes, want the %d before the hole", len(got), prefix)
	}
	if !x.ExportPartial || !strings.HasSuffix(x.ExportPath, ".partial") || x.SHA256 != sha256Hex(content[:prefix]) {
		t.Fatalf("transfer %+v: want partial, with the hash of the prefix", x)
	}
}

func TestExportFillsSmallHole(t *testing.T) {
	content := smallHoleContent()
	x, got := exportRun(t, holeyDownloadCapture(content, 5000, 5001)) // one segment lost
	want := append([]byte(nil), content...)
	clear(want[4344:5792])
	if string(got) != string(want) || !x.ExportPartial || x.SHA256 != sha256Hex(want) {
		t.Fatalf("exported %d bytes (partial %v): want %d with the lost segment as zeros", len(got), x.ExportPartial, len(want))
	}
}

func TestExportComplete(t *testing.T) {
	content := []byte(strings.Repeat("The quick brown fox. ", 5000))
	x, got := exportRun(t, holeyDownloadCapture(content, 0, 0))
	if string(got) != string(content) || x.ExportPartial || strings.HasSuffix(x.ExportPath, ".partial") || x.SHA256 != sha256Hex(content) {
		t.Fatalf("exported %d bytes as %s (partial %v)", len(got), x.ExportPath, x.ExportPartial)
	}
}
