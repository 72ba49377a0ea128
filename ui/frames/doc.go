// Package frames decodes a captured frame for the frame view (x), as
// termshark's lower panes show one: each layer's header fields, the bytes
// it takes, the payload's lines of text, then a hex and ASCII dump. The UI
// reads the frame back (ui.FrameSource); this package only renders it.
package frames
