package ladder

import (
	"strings"
	"testing"

	"github.com/ftpscope/ftpscope/internal/analysistest"
	"github.com/ftpscope/ftpscope/ui/sessionview"
	"github.com/ftpscope/ftpscope/ui/styled"
	"github.com/ftpscope/ftpscope/ui/viewmodel"
)

// decryptedModel analyses an FTPS session with its key log.
func decryptedModel(t *testing.T) *viewmodel.Model {
	t.Helper()
	m := viewmodel.NewModel("ftps")
	analysistest.RunFTPS(t, m)
	return m
}

// TestDecryptedLinesMarked: lines read with the key log carry 🔓 in the
// dialog pane and the ladder, lines in clear do not, and the mark's two
// columns keep every row within its width.
func TestDecryptedLinesMarked(t *testing.T) {
	m := decryptedModel(t)
	s := m.Row("s1").Session()
	th := styled.NewTheme(true)
	for i, it := range sessionview.DialogItems(th, s, nil, nil) {
		l := it.Render(100)[0]
		text := l.Plain()
		if l.Width() != 100 {
			t.Errorf("dialog line %d is %d columns wide: %q", i, l.Width(), text)
		}
		marked := strings.Contains(text, styled.DecryptedMark)
		clear := strings.Contains(text, "AUTH TLS") || strings.Contains(text, "234 ") || strings.Contains(text, "220 ")
		if marked == clear {
			t.Errorf("dialog line %q: marked %v", text, marked)
		}
	}
	sp := &Spec{Client: Leg{S: s}, Viewed: s.ID}
	txt := Text(sp, 100)
	t.Logf("\n%s", txt)
	for _, row := range strings.Split(strings.TrimRight(txt, "\n"), "\n") {
		if w := styled.Width(row); w > 100 {
			t.Errorf("ladder row %d columns wide: %q", w, row)
		}
		if strings.Contains(row, "USER alice") && !strings.Contains(row, styled.DecryptedMark+"USER alice") {
			t.Errorf("ladder row %q: USER not marked", row)
		}
		if strings.Contains(row, "AUTH TLS") && strings.Contains(row, styled.DecryptedMark) {
			t.Errorf("ladder row %q: AUTH TLS marked", row)
		}
	}
	items := Items(th, sp)
	if legend := items[len(items)-1].Render(200); !strings.Contains(legend[len(legend)-1].Plain(), styled.DecryptedMark+"decrypted with the TLS key log") {
		t.Errorf("legend %q", legend[len(legend)-1].Plain())
	}
}
