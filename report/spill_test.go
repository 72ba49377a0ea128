package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ftpscope/ftpscope/model"
)

// spillFindings makes n findings of several severities, sessions and
// times, some without a timestamp, as sessions deliver them.
func spillFindings(n int) []model.Finding {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	fs := make([]model.Finding, n)
	for i := range fs {
		f := model.Finding{Rule: "login-failed", Severity: model.Severity(1 + i*7%3), Session: fmt.Sprintf("s%d", 1+(i*13)%(n/3+1)),
			Summary:     fmt.Sprintf("finding %d <&>", i),
			Explanation: "why \u2028 \"quoted\"", Remedy: "fix", Evidence: model.Evidence{Frames: []uint64{uint64(i)}}}
		if i%4 != 0 {
			ts := model.At(t0.Add(time.Duration(i%17) * time.Millisecond))
			f.TS = &ts
		}
		fs[i] = f
	}
	return fs
}

// arrayOf writes the spill's array as the JSON writer does.
func arrayOf(t *testing.T, sp *findingSpill) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := sp.writeArray(w); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	return buf.Bytes()
}

// wantArray is what encoding/json writes for the findings in report order.
func wantArray(t *testing.T, fs []model.Finding) []byte {
	t.Helper()
	fs = append([]model.Finding{}, fs...)
	OrderFindings(fs)
	b, err := json.MarshalIndent(fs, "  ", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Whether the findings fit in one chunk, take many runs, or several merge
// passes, the array is the one encoding/json writes for the findings in
// report order, revisions applied.
func TestSpillSortsAndRevises(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	for _, tt := range []struct {
		name          string
		n, mem, chunk int
		fanIn         int
	}{
		{"empty", 0, 1 << 20, 1 << 20, 64},
		{"in memory", 300, 1 << 20, 1 << 20, 64},
		{"runs on disk", 3000, 4 << 10, 16 << 10, 64},
		{"merge passes", 3000, 4 << 10, 4 << 10, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sp := newFindingSpill()
			sp.records.limit, sp.index.limit, sp.chunk, sp.fanIn = tt.mem, tt.mem, tt.chunk, tt.fanIn
			defer sp.close()
			fs := spillFindings(tt.n)
			for i := range fs {
				sp.add(&fs[i])
			}
			var kept []model.Finding
			for i := range fs {
				switch {
				case i%10 == 3: // upgraded, as a refused login of a password-guessing client
					fs[i].Severity, fs[i].Remedy = model.Warning, "block the client"
					sp.revise(uint64(i), &fs[i], false)
				case i%10 == 5: // withdrawn
					sp.revise(uint64(i), &fs[i], true)
					continue
				}
				kept = append(kept, fs[i])
			}
			sp.revise(uint64(tt.n+5), &model.Finding{}, false) // beyond what was added: ignored
			got, want := arrayOf(t, sp), wantArray(t, kept)
			if !bytes.Equal(got, want) {
				i := 0
				for i < len(got) && i < len(want) && got[i] == want[i] {
					i++
				}
				t.Fatalf("array differs at byte %d of %d:\ngot  …%.300s\nwant …%.300s", i, len(want), got[max(0, i-100):], want[max(0, i-100):])
			}
		})
	}
}

// The index goes to a file with the records, though it is far below its
// own limit: the budget is the two stores' together, so that memory stops
// growing with the findings once the records left it.
func TestSpillIndexFollowsRecords(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	sp := newFindingSpill()
	sp.records.limit = 1 << 10
	defer sp.close()
	fs := spillFindings(100)
	for i := range fs {
		sp.add(&fs[i])
	}
	if sp.records.f == nil || sp.index.f == nil {
		t.Fatalf("records on file %v, index on file %v: want both", sp.records.f != nil, sp.index.f != nil)
	}
	if len(sp.index.mem) != 0 {
		t.Errorf("%d index bytes still in memory", len(sp.index.mem))
	}
	fs[7].Severity = model.Warning
	sp.revise(7, &fs[7], false)
	if got, want := arrayOf(t, sp), wantArray(t, fs); !bytes.Equal(got, want) {
		t.Fatalf("array after the index moved:\n%.300s\nwant\n%.300s", got, want)
	}
}

// Past its memory limit the spill is a temporary file of mode 0600 that
// has no name: nothing is left in the temporary directory, whatever
// happens to the process.
func TestSpillFileIsPrivateAndUnlinked(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	sp := newFindingSpill()
	sp.records.limit = 1 << 10
	defer sp.close()
	fs := spillFindings(100)
	for i := range fs {
		sp.add(&fs[i])
	}
	if sp.records.f == nil {
		t.Fatal("the records did not move to a file")
	}
	st, err := sp.records.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("spill file mode %v, want 0600", st.Mode().Perm())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("temporary directory holds %v while the spill is open", ents)
	}
	if len(sp.records.mem) != 0 {
		t.Errorf("%d bytes still in memory after the move to a file", len(sp.records.mem))
	}
}
