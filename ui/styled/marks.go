package styled

import (
	"strings"

	"github.com/gdamore/tcell/v2"

	"github.com/ftpscope/ftpscope/model"
)

// StatusGlyph marks a channel status without colour.
func StatusGlyph(status string) string {
	switch status {
	case model.StatusOK:
		return "✔"
	case model.StatusUnused, model.StatusUnknown, "":
		return "–"
	case model.StatusTruncated, model.StatusAborted:
		return "▲"
	}
	return "✖"
}

func StatusWord(status string) string {
	switch status {
	case model.StatusOK, model.StatusUnused, model.StatusUnknown:
		return status
	}
	return strings.ToUpper(status)
}

func (t *Theme) StatusStyle(status string) tcell.Style {
	switch StatusGlyph(status) {
	case "✔":
		return t.OK
	case "▲":
		return t.SevStyle(model.Warning)
	case "✖":
		return t.SevStyle(model.Error)
	}
	return t.Dim
}

// ExpectationStyle: used is fine, removed unused is an error.
func (t *Theme) ExpectationStyle(x *model.Expectation) tcell.Style {
	switch x.Outcome {
	case model.ExpectationUsed:
		return t.OK
	case model.ExpectationTimeout, model.ExpectationDeleted:
		return t.SevStyle(model.Error)
	}
	return t.Dim
}

// DecryptedMark starts a dialog line read from TLS with the key log, in
// the dialog pane and the ladder: a glyph, never colour alone.
const DecryptedMark = "🔓 "
