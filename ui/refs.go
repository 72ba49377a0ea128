package ui

// Item references: what a selected item points at, for Enter and for the
// jumps that land on it.
type (
	dialogRef struct {
		index   int
		frame   uint64
		channel string // the channel this line announces or uses
	}
	channelRef struct {
		id     string
		frames []uint64 // announce, transfer and data frames
	}
	findingRef struct {
		session string
		index   int // within the session's findings; -1 in the overview
		frames  []uint64
		channel string
		rule    string
		summary string
	}
	ladderRef struct {
		dialog int // index in the viewed session's dialog, or -1
	}
)
