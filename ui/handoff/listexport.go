package handoff

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/ftpscope/ftpscope/internal/textfmt"
	"github.com/ftpscope/ftpscope/model"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// The sessions list leaves the UI as CSV (one row per session, for a
// spreadsheet or a ticket); as text it is the table (sessionview).

// WriteListCSV writes one row per session.
func WriteListCSV(out io.Writer, rows []*viewmodel.Row, filterOf func(*viewmodel.Row) string) error {
	w := csv.NewWriter(out)
	_ = w.Write([]string{"id", "source", "vantage", "client", "server", "user", "start", "end", "commands",
		"data_observed", "data_announced", "bytes", "worst", "findings", "finding", "last_reply", "wireshark_filter"})
	ts := func(t model.Time) string {
		if t.IsZero() {
			return ""
		}
		return string(t.AppendUTC(nil))
	}
	for _, r := range rows {
		s := r.S
		user := ""
		if s.User != nil {
			user = *s.User
		}
		worst, first := "", ""
		if len(r.Findings) > 0 {
			worst, first = r.Worst.String(), r.Findings[0].Summary
		}
		_ = w.Write([]string{s.ID, textfmt.CSVSafe(s.Source), textfmt.CSVSafe(s.Vantage), s.Client, s.Server, textfmt.CSVSafe(user), ts(s.Start), ts(s.End),
			strconv.Itoa(s.Commands), strconv.Itoa(r.Observed), strconv.Itoa(r.Announced), strconv.FormatInt(r.Bytes, 10),
			worst, strconv.Itoa(len(r.Findings)), textfmt.CSVSafe(first), textfmt.CSVSafe(r.LastReply), filterOf(r)})
	}
	w.Flush()
	return w.Error()
}

// WriteFile writes a file the UI makes itself (text, CSV): an existing
// one only when the user said so.
func WriteFile(path string, overwrite bool, write func(io.Writer) error) error {
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if overwrite {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	return nil
}
