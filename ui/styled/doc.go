// Package styled is the terminal UI's styled text, shared by every pane:
// runs of text in one style (Seg) making a Line, the Theme of styles, the
// marks that never leave meaning to colour alone (severity and status
// glyphs and words, DecryptedMark), the fitting of text to terminal cells
// (Width, Clip, Pad, Wrap: measured in cells, wide glyphs and wire
// controls included), and the Item a pane lists.
//
// Renderers (sessionview, ladder, frames) build Items from model data
// with it, and are tested as plain text without a screen; only DrawLine
// touches one.
package styled
