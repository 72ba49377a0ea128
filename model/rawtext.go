package model

// RawText keeps recoverable the text of a dialog entry that is not valid
// UTF-8 (a Latin-1 file name, a server speaking CP1251). JSON strings
// are UTF-8, so there the text has each invalid byte replaced by U+FFFD;
// these fields carry the bytes as sent, in standard base64 with padding
// (RFC 4648 §4). Each is set only when its text is not valid UTF-8.
type RawText struct {
	ArgRaw  string `json:"arg_raw,omitempty"`
	TextRaw string `json:"text_raw,omitempty"`
	// TextLinesRaw has one element per TextLines element, each line in
	// base64: set when any of the lines is not valid UTF-8.
	TextLinesRaw []string `json:"text_lines_raw,omitempty"`
}
