// Package testcorpus finds, for tests, the captures that live outside the
// package being tested: the external corpus (../shared/corpus beside the
// checkout, with its expected.json) and the lab captures under
// samples/captures.
//
// The corpus is located from the repository root, whatever the test's
// directory; $FTPSCOPE_CORPUS overrides the location. Under CI (CI or
// FTPSCOPE_CORPUS_REQUIRED set to anything but "" or "0") a missing corpus
// is a failure, elsewhere a skip.
package testcorpus

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// EnvDir names the corpus folder when set.
const EnvDir = "FTPSCOPE_CORPUS"

// EnvRequired makes a missing corpus a test failure (as CI does).
const EnvRequired = "FTPSCOPE_CORPUS_REQUIRED"

// RepoRoot returns the directory of the module's go.mod, found by walking
// up from the working directory (a test runs in its package's directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if st, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !st.IsDir() {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Dir returns the corpus folder: $FTPSCOPE_CORPUS, or ../shared/corpus
// beside the repository root. The error says where it looked.
func Dir() (string, error) {
	dir := os.Getenv(EnvDir)
	if dir == "" {
		root, err := RepoRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "expected.json")); err != nil {
		return dir, fmt.Errorf("no corpus at %s (set %s to its folder): %w", dir, EnvDir, err)
	}
	return dir, nil
}

// Required reports whether a missing corpus must fail the tests.
func Required() bool {
	for _, v := range []string{os.Getenv("CI"), os.Getenv(EnvRequired)} {
		if v != "" && v != "0" && !strings.EqualFold(v, "false") {
			return true
		}
	}
	return false
}

// Need returns the corpus folder, or ends the test: with a failure under
// CI, with a skip elsewhere.
func Need(t testing.TB) string {
	t.Helper()
	dir, err := Dir()
	if err != nil {
		if Required() {
			t.Fatalf("%v (CI or %s is set: the corpus is required)", err, EnvRequired)
		} else {
			t.Skipf("%v (set CI or %s to make this a failure)", err, EnvRequired)
		}
	}
	return dir
}

// Captures returns the capture files of at most maxBytes under the corpus
// and samples/captures, smallest first: seeds for fuzzing. Whatever is
// missing is left out.
func Captures(maxBytes int64) []string {
	var dirs []string
	if root, err := RepoRoot(); err == nil {
		dirs = append(dirs, filepath.Join(root, "samples", "captures"))
	}
	if dir, err := Dir(); err == nil {
		dirs = append(dirs, dir)
	}
	type file struct {
		path string
		size int64
	}
	var files []file
	for _, d := range dirs {
		filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return nil
			}
			switch filepath.Ext(path) {
			case ".pcap", ".pcapng", ".cap", ".gz":
			default:
				return nil
			}
			if info, err := e.Info(); err == nil && info.Size() <= maxBytes {
				files = append(files, file{path, info.Size()})
			}
			return nil
		})
	}
	sort.SliceStable(files, func(i, j int) bool { return files[i].size < files[j].size })
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.path
	}
	return out
}
