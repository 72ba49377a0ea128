package handoff

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFileKeepsExisting: an existing file is replaced only when the
// user said so.
func TestWriteFileKeepsExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sessions.txt")
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := WriteFile(path, false, write("one")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, false, write("two")); err == nil {
		t.Error("an existing file was replaced unasked")
	}
	if b, _ := os.ReadFile(path); string(b) != "one" {
		t.Errorf("after a refused write: %q", b)
	}
	if err := WriteFile(path, true, write("two")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Errorf("after an overwrite: %q", b)
	}
}
