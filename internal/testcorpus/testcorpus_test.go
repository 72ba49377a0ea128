package testcorpus

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRepoRoot(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !strings.Contains(string(b), "module github.com/ftpscope/ftpscope") {
		t.Fatalf("%s is not the module's root: %v", root, err)
	}
	wd, _ := os.Getwd()
	if filepath.Join(root, "internal", "testcorpus") != wd {
		t.Errorf("root %s, working directory %s", root, wd)
	}
}

func TestDirRelativeToRoot(t *testing.T) {
	root, _ := RepoRoot()
	t.Setenv(EnvDir, "")
	dir, err := Dir()
	if want := filepath.Join(root, "..", "shared", "corpus"); dir != want {
		t.Errorf("Dir() = %s, want %s", dir, want)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "expected.json")); (statErr == nil) != (err == nil) {
		t.Errorf("Dir() error %v, but expected.json: %v", err, statErr)
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "expected.json"), []byte("{}"), 0o644)
	t.Setenv(EnvDir, other)
	if dir, err := Dir(); dir != other || err != nil {
		t.Errorf("with %s=%s: %s, %v", EnvDir, other, dir, err)
	}
}

// outcome records how Need ended a test instead of ending it.
type outcome struct {
	testing.TB
	failed, skipped string
}

func (o *outcome) Helper()                      {}
func (o *outcome) Fatalf(f string, args ...any) { o.failed = fmt.Sprintf(f, args...) }
func (o *outcome) Skipf(f string, args ...any)  { o.skipped = fmt.Sprintf(f, args...) }

func TestNeedFailsUnderCI(t *testing.T) {
	t.Setenv(EnvDir, filepath.Join(t.TempDir(), "missing"))
	for _, c := range []struct {
		ci, required string
		fail         bool
	}{{"", "", false}, {"1", "", true}, {"true", "", true}, {"", "1", true}, {"0", "0", false}, {"false", "", false}} {
		t.Setenv("CI", c.ci)
		t.Setenv(EnvRequired, c.required)
		o := &outcome{TB: t}
		Need(o)
		if (o.failed != "") != c.fail || (o.skipped != "") == c.fail {
			t.Errorf("CI=%q %s=%q: failed %q, skipped %q", c.ci, EnvRequired, c.required, o.failed, o.skipped)
		}
	}
}

// TestCorpusTestFailsUnderCI runs the analysis' corpus test as CI does,
// with the corpus missing: it must fail, not skip.
func TestCorpusTestFailsUnderCI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	root, _ := RepoRoot()
	cmd := exec.Command(gobin, "test", "-count=1", "-run", "^TestCorpus$", "./analysis/")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), EnvDir+"="+filepath.Join(t.TempDir(), "missing"), EnvRequired+"=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "the corpus is required") {
		t.Errorf("corpus test without its corpus under CI: %v\n%s", err, out)
	}
}
